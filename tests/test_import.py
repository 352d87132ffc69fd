"""Importing translations: nothing a translator did is lost, nothing else changes.

Exports are checked with the real tools (msgfmt --check, polib, lxml against the
XLIFF 2.0 core schema); imports merge, keep every comment and byte outside the
changed values, refuse what msgfmt refuses, and never write on an error.
"""

from __future__ import annotations

import difflib
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from test_cli import edit, run

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
TRANSLATED = [lang for lang in LANGS if lang != "en"]
SCHEMA = ROOT / "tests" / "schemas" / "xliff-2.0" / "xliff_core_2.0.xsd"
NS = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="msgfmt (GNU gettext) is not installed")


def export(project: Path, lang: str, fmt: str = "po", name: str | None = None, cache=None) -> Path:
    out = project / (name or f"{lang}.{'po' if fmt == 'po' else 'xlf'}")
    args = ["translations", "export", lang, "--format", fmt, "-o", str(out), "--project", str(project)]
    if cache is not None:
        args += ["--cache", str(cache)]
    code, _o, err = run(*args)
    assert code == 0, err
    return out


def import_(project: Path, path: Path, *extra: str):
    return run("translations", "import", str(path), "--project", str(project), *extra)


def lang_file(project: Path, lang: str) -> Path:
    return project / "content" / "languages" / f"{lang}.yaml"


def load(project: Path, lang: str):
    from leaflets.errors import Diagnostics
    from leaflets.model.load import load_language
    diags = Diagnostics()
    language = load_language(lang_file(project, lang), diags)
    assert language is not None and not diags.errors, [d.format() for d in diags.errors]
    return language


def msgfmt_check(path_or_data) -> subprocess.CompletedProcess:
    if isinstance(path_or_data, Path):
        return subprocess.run([MSGFMT, "--check", "-o", "/dev/null", str(path_or_data)], capture_output=True,
                              env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    return subprocess.run([MSGFMT, "--check", "-o", "/dev/null", "-"], input=path_or_data, capture_output=True,
                          env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a change removes (-) and adds (+), as a unified diff lists them."""
    return [d.rstrip("\r\n") for d in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
            if d[:1] in "+-" and not d.startswith(("---", "+++"))]


def comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def one_entry_po(tag: str, key: str, english: str, translation: str, *, fuzzy: bool = False,
                 metadata: dict | None = None) -> "polib.POFile":  # noqa: F821
    import polib
    po = polib.POFile()
    po.metadata = {"Project-Id-Version": "leaflets", "PO-Revision-Date": "", "Last-Translator": "",
                   "Language-Team": "", "Language": tag, "MIME-Version": "1.0",
                   "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
                   **(metadata or {})}
    po.append(polib.POEntry(msgctxt=key, msgid=english, msgstr=translation, flags=["fuzzy"] if fuzzy else []))
    return po


# ------------------------------------------------------------------ exports, with the real tools

@needs_msgfmt
@pytest.mark.parametrize("lang", LANGS)
def test_every_po_export_passes_msgfmt_check(project_copy, font_cache, lang):
    path = export(project_copy, lang, cache=font_cache)
    result = msgfmt_check(path)
    assert result.returncode == 0, result.stderr.decode()
    assert b"warning" not in result.stderr, result.stderr.decode()   # every header field, no template values


@pytest.mark.parametrize("lang", LANGS)
def test_every_po_export_is_read_by_polib(project_copy, font_cache, lang):
    import polib
    path = export(project_copy, lang, cache=font_cache)
    po = polib.pofile(str(path))
    language = load(project_copy, lang)
    assert po.metadata["Language"] == lang
    for entry in po:
        t = language.strings.get(entry.msgctxt)
        assert entry.msgstr == (t.text if t else "")
    assert {e.msgctxt for e in po} == set(load(project_copy, "en").strings)


@pytest.mark.parametrize("lang", LANGS)
def test_every_xliff_export_is_valid_against_the_core_schema(project_copy, font_cache, lang):
    from lxml import etree
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    path = export(project_copy, lang, "xliff", cache=font_cache)
    doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    assert schema.validate(doc), schema.error_log
    language = load(project_copy, lang)
    for unit in doc.getroot().iterfind(".//x:unit", NS):
        target = unit.find("x:segment/x:target", NS)
        t = language.strings.get(unit.get("id"))
        assert (target.text if target is not None else "") == (t.text if t else "")


# ------------------------------------------------------------------ byte-identical round trips

@pytest.mark.parametrize("fmt", ["po", "xliff"])
@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_op_round_trip_keeps_the_file_byte_for_byte(project_copy, font_cache, lang, fmt):
    target = lang_file(project_copy, lang)
    before = target.read_bytes()
    path = export(project_copy, lang, fmt, cache=font_cache)
    code, out, err = import_(project_copy, path)
    assert code == 0, err
    assert "updated 0" in out and "unchanged" in out
    assert target.read_bytes() == before


@pytest.mark.parametrize("lang", LANGS)
def test_the_writer_keeps_every_shipped_file_byte_for_byte(lang):
    """The ruamel.yaml editor itself, asked to set every value to what it is."""
    from leaflets.model.write import StringEdit, edit_language
    text = lang_file(ROOT, lang).read_text(encoding="utf-8")
    language = load(ROOT, lang)
    order = list(load(ROOT, "en").strings)
    same = [StringEdit(k, t.text, t.source, t.note) for k, t in language.strings.items()]
    assert edit_language(text, same, order) == text
    assert edit_language(text, [], order, status=language.review_status) == text


@pytest.mark.parametrize("lang", TRANSLATED)
def test_changing_one_string_changes_one_line(lang):
    from leaflets.model.write import StringEdit, edit_language
    text = lang_file(ROOT, lang).read_text(encoding="utf-8")
    language = load(ROOT, lang)
    key = next(k for k, t in language.strings.items() if t.text)
    new = edit_language(text, [StringEdit(key, language.strings[key].text + " ทดสอบ")], list(language.strings))
    old_lines, new_lines = text.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert len(changed) == 1 and "ทดสอบ" in new_lines[changed[0]]


# ------------------------------------------------------------------ merging

HOSTILE_COMMENTS = {
    "    source: Human trafficking is a crime!\n":
        "    source: Human trafficking is a crime!   # checked with the poster\n"
        "  # The subheadline is short on purpose.\n\n",
    "  call_to_report:\n": "  call_to_report:   # keep the verb first\n",
    "strings:\n": "# Strings follow, in the order of en.yaml.\nstrings:\n",
}


def _decorate(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    for old, new in HOSTILE_COMMENTS.items():
        assert old in text
        text = text.replace(old, new, 1)
    text += "# last words of the file\n"
    path.write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_a_one_entry_import_changes_that_string_only(project_copy, fmt):
    th = lang_file(project_copy, "th")
    before_text = _decorate(th)
    before = load(project_copy, "th")
    if fmt == "po":
        path = project_copy / "one.po"
        one_entry_po("th", "headline", "Human trafficking is a crime!", "การค้ามนุษย์คืออาชญากรรม!").save(str(path))
    else:
        path = project_copy / "one.xlf"
        path.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="th">\n'
            ' <file id="f"><unit id="headline"><segment state="final">\n'
            '  <source>Human trafficking is a crime!</source><target>การค้ามนุษย์คืออาชญากรรม!</target>\n'
            ' </segment></unit></file>\n</xliff>\n', encoding="utf-8")
    code, out, err = import_(project_copy, path)
    assert code == 0, err
    assert "updated 1," in out and "wrote" in out
    after_text = th.read_text(encoding="utf-8")
    after = load(project_copy, "th")
    assert after.strings["headline"].text == "การค้ามนุษย์คืออาชญากรรม!"
    assert after.strings["headline"].source == "Human trafficking is a crime!"
    assert list(after.strings) == list(before.strings)
    for k in before.strings:
        if k != "headline":
            assert (after.strings[k].text, after.strings[k].source, after.strings[k].note) == \
                (before.strings[k].text, before.strings[k].source, before.strings[k].note), k
    assert comment_lines(after_text) == comment_lines(before_text)
    assert changed_lines(before_text, after_text) == ["-    text: การค้ามนุษย์เป็นอาชญากรรม!",
                                                      "+    text: การค้ามนุษย์คืออาชญากรรม!"]


def test_an_old_export_only_changes_what_was_translated_and_marks_it_stale(project_copy, font_cache):
    """A file exported before the English changed: its translation is of the old English."""
    import polib
    old = export(project_copy, "th", cache=font_cache)
    en = lang_file(project_copy, "en")
    edit(en, "  subheadline: It is also happening in Japan, now!", "  subheadline: It happens in Japan too, now!")
    th = lang_file(project_copy, "th")
    po = polib.pofile(str(old))
    po.find("It is also happening in Japan, now!", msgctxt="subheadline").msgstr = "ตอนนี้ก็เกิดขึ้นในญี่ปุ่น!"
    po.save(str(old))
    code, out, err = import_(project_copy, old)
    assert code == 0, err
    assert "updated 1," in out and "new stale marks 1" in out
    t = load(project_copy, "th").strings["subheadline"]
    assert t.text == "ตอนนี้ก็เกิดขึ้นในญี่ปุ่น!" and t.source == "It is also happening in Japan, now!"
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert re.search(r"th\.yaml:\d+: warning: th: 'subheadline' is stale", out), out
    assert "source: It is also happening in Japan, now!" in th.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_fuzzy_and_unfinished_entries_are_listed_not_imported(project_copy, fmt):
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    if fmt == "po":
        path = project_copy / "fuzzy.po"
        one_entry_po("th", "headline", "Human trafficking is a crime!", "ร่าง", fuzzy=True).save(str(path))
    else:
        path = project_copy / "fuzzy.xlf"
        path.write_text(
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="th">'
            '<file id="f"><unit id="headline"><segment state="initial"><source>Human trafficking is a crime!'
            '</source><target>ร่าง</target></segment></unit></file></xliff>', encoding="utf-8")
    code, out, err = import_(project_copy, path)
    assert code == 0, err
    assert "fuzzy-skipped 1" in out and "updated 0" in out
    assert re.search(r"^\s+headline \(fuzzy\.(po|xlf):\d+, (fuzzy|state initial)\)$", out, re.M), out
    assert th.read_bytes() == before


def test_a_reviewed_language_becomes_draft_when_a_string_changes(project_copy):
    th = lang_file(project_copy, "th")
    edit(th, "    status: draft", "    status: reviewed\n    reviewer: A. Reviewer\n    date: 2025-03-14")
    same = project_copy / "same.po"
    one_entry_po("th", "headline", "Human trafficking is a crime!", "การค้ามนุษย์เป็นอาชญากรรม!").save(str(same))
    before = th.read_bytes()
    code, out, _ = import_(project_copy, same)
    assert code == 0 and th.read_bytes() == before and "review status" not in out
    changed = project_copy / "changed.po"
    one_entry_po("th", "headline", "Human trafficking is a crime!", "การค้ามนุษย์คืออาชญากรรม!").save(str(changed))
    code, out, err = import_(project_copy, changed)
    assert code == 0, err
    assert "review status: reviewed -> draft" in out
    assert load(project_copy, "th").review_status == "draft"


def test_translator_date_and_tool_are_kept_and_exported_again(project_copy, font_cache):
    import polib
    path = project_copy / "meta.po"
    one_entry_po("th", "headline", "Human trafficking is a crime!", "การค้ามนุษย์คืออาชญากรรม!",
                 metadata={"Last-Translator": "Somchai P. <somchai@example.org>",
                           "PO-Revision-Date": "2025-03-14 10:00+0700", "X-Generator": "Poedit 3.4"}).save(str(path))
    code, out, err = import_(project_copy, path)
    assert code == 0, err
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 0, out
    po = polib.pofile(str(export(project_copy, "th", cache=font_cache)))
    assert po.metadata["Last-Translator"] == "Somchai P. <somchai@example.org>"
    assert po.metadata["PO-Revision-Date"] == "2025-03-14 10:00+0700"
    assert po.metadata["X-Generator"] == "Poedit 3.4"
    from lxml import etree
    doc = etree.parse(str(export(project_copy, "th", "xliff", cache=font_cache)))
    notes = {n.get("category"): n.text for n in doc.getroot().iterfind("x:file/x:notes/x:note", NS)}
    assert notes["translator"] == "Somchai P. <somchai@example.org>" and notes["translation-tool"] == "Poedit 3.4"
    # the exported header round-trips without a change
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    assert import_(project_copy, export(project_copy, "th", cache=font_cache))[0] == 0
    assert th.read_bytes() == before


def test_a_string_the_file_lacked_is_inserted_in_english_order(project_copy):
    th = lang_file(project_copy, "th")
    text = th.read_text(encoding="utf-8")
    text = re.sub(r"\n  statement:\n(    .*\n)+", "\n", text)
    th.write_text(text, encoding="utf-8")
    assert "statement" not in load(project_copy, "th").strings
    path = project_copy / "statement.po"
    english = load(project_copy, "en").strings["statement"].text
    one_entry_po("th", "statement", english, "การค้ามนุษย์เป็นอาชญากรรมร้ายแรง").save(str(path))
    code, out, err = import_(project_copy, path)
    assert code == 0, err
    order = list(load(project_copy, "en").strings)
    keys = list(load(project_copy, "th").strings)
    assert keys == [k for k in order if k in keys]
    assert load(project_copy, "th").strings["statement"].source == english


def test_new_language_then_import_one_string(project_copy):
    assert run("new-language", "fr", "--name", "French", "--native-name", "Français",
               "--project", str(project_copy))[0] == 0
    fr = lang_file(project_copy, "fr")
    before = fr.read_text(encoding="utf-8")
    path = project_copy / "fr.po"
    one_entry_po("fr_FR", "headline", "Human trafficking is a crime!", "La traite des êtres humains est un crime !",
                 ).save(str(path))
    code, out, err = import_(project_copy, path)
    assert code == 0, err
    assert "note: the file's language 'fr_FR' is taken as 'fr'" in out
    assert "review status: untranslated -> draft" in out
    after = fr.read_text(encoding="utf-8")
    assert comment_lines(after) == comment_lines(before)
    assert changed_lines(before, after) == ["-    status: untranslated", "+    status: draft",
                    '-    text: ""', "+    text: La traite des êtres humains est un crime !"]


@pytest.mark.parametrize("tag,name,native,script,direction", [
    ("dv", "Divehi", "ދިވެހިބަސް", "Thaa", "rtl"),        # none of these is shipped
    ("am", "Amharic", "አማርኛ", "Ethi", "ltr"),
    ("pa-PK", "Punjabi (Arabic, Pakistan)", None, "Arab", "rtl"),
    ("zh-TW", None, None, "Hant", "ltr"),
    ("yi", "Yiddish", None, "Hebr", "rtl"),
])
def test_new_language_takes_names_script_and_direction_from_cldr(project_copy, tag, name, native, script,
                                                                 direction):
    import yaml
    assert run("new-language", tag, "--project", str(project_copy))[0] == 0
    data = yaml.safe_load(lang_file(project_copy, tag).read_text(encoding="utf-8"))["language"]
    assert (data["script"], data["direction"]) == (script, direction)
    if name:
        assert data["name"] == name
    if native:
        assert data["native_name"] == native
    assert data["native_name"] != tag and data["name"] != tag


def test_dry_run_shows_a_diff_and_writes_nothing(project_copy):
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    path = project_copy / "one.po"
    one_entry_po("th", "headline", "Human trafficking is a crime!", "การค้ามนุษย์คืออาชญากรรม!").save(str(path))
    listing = sorted(p.name for p in th.parent.iterdir())
    code, out, err = import_(project_copy, path, "--dry-run")
    assert code == 0, err
    assert th.read_bytes() == before and sorted(p.name for p in th.parent.iterdir()) == listing
    assert "--- a/content/languages/th.yaml" in out and "+++ b/content/languages/th.yaml" in out
    assert "-    text: การค้ามนุษย์เป็นอาชญากรรม!\n+    text: การค้ามนุษย์คืออาชญากรรม!\n" in out
    assert "nothing was written" in out


def test_a_hostile_layout_keeps_its_comments_and_quoting(project_copy):
    """Flow mappings, quotes, block scalars, odd indentation, CRLF line ends."""
    th = lang_file(project_copy, "th")
    language = load(project_copy, "th")
    lines = ["# คำแปลภาษาไทย", "language:   # meta", "    tag: 'th'", "    name: \"Thai\"", "    native_name: ไทย",
             "    script: Thai", "    direction: ltr", "    # the review", "    review: {status: draft}", "",
             "strings:"]
    owner: list[str | None] = [None] * len(lines)     # the key whose entry each line is part of
    for i, (key, t) in enumerate(language.strings.items()):
        if i % 3 == 0:
            new = [f"    {key}: {{text: \"{t.text}\", source: \"{t.source}\"}}  # flow {i}"]
        elif i % 3 == 1:
            new = [f"    # before {key}", f"    {key}:", "        text: |", f"            {t.text}",
                   f"        source: '{t.source.replace(chr(39), chr(39) * 2)}'"]
        else:
            new = [f"    {key}:", f"        text:    {t.text}", f"        source: {t.source}", ""]
        lines += new
        owner += [key] * len(new)
    original = "\r\n".join(lines) + "\r\n"
    th.write_bytes(original.encode("utf-8"))
    hostile = load(project_copy, "th")
    assert [(t.text, t.source) for t in hostile.strings.values()] == \
        [(t.text, t.source) for t in language.strings.values()]
    keys = list(language.strings)
    po_path = project_copy / "three.po"
    import polib
    po = one_entry_po("th", keys[0], language.strings[keys[0]].source, "หนึ่ง")
    for k, new in ((keys[1], "สอง"), (keys[2], "สาม")):
        po.append(polib.POEntry(msgctxt=k, msgid=load(project_copy, "en").strings[k].text, msgstr=new))
    po.save(str(po_path))
    code, out, err = import_(project_copy, po_path)
    assert code == 0, err
    result = th.read_bytes().decode("utf-8")
    assert "\r\n" in result and "\n" not in result.replace("\r\n", "")
    assert comment_lines(result) == comment_lines(original)
    after = load(project_copy, "th")
    assert [after.strings[k].text for k in keys[:3]] == ["หนึ่ง", "สอง", "สาม"]
    for k in keys[3:]:
        assert (after.strings[k].text, after.strings[k].source) == \
            (language.strings[k].text, language.strings[k].source)
    # every line outside the three entries is there, in its place, byte for byte
    untouched = [line for line, key in zip(lines, owner) if key not in keys[:3]]
    rest = iter(result.split("\r\n"))
    assert all(any(line == r for r in rest) for line in untouched), changed_lines(original, result)
    assert len(result.split("\r\n")) - len(original.split("\r\n")) < 6
    assert "    tag: 'th'" in result and '    name: "Thai"' in result and "{status: draft}" in result


# ------------------------------------------------------------------ refusals: nothing changes

def _assert_refused(project: Path, path: Path, code: int, err: str, *needles: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    assert "nothing was written" in err


_HEADLINE = 'msgctxt "headline"\nmsgid "Human trafficking is a crime!"\nmsgstr "การค้ามนุษย์เป็นอาชญากรรม!"\n'
BROKEN_PO = {
    "unterminated string": lambda s: s.replace('msgstr "การค้ามนุษย์เป็นอาชญากรรม!"',
                                               'msgstr "การค้ามนุษย์เป็นอาชญากรรม!'),
    "bad escape": lambda s: s.replace('msgstr "การค้ามนุษย์เป็นอาชญากรรม!"', 'msgstr "การค้ามนุษย์\\qเป็น"'),
    "duplicate": lambda s: s.replace(_HEADLINE, _HEADLINE + "\n" + _HEADLINE),
    "missing msgstr": lambda s: s.replace('msgstr "การค้ามนุษย์เป็นอาชญากรรม!"\n', "", 1),
    "unknown keyword": lambda s: s.replace('msgctxt "headline"', 'msgctx "headline"'),
    "no header": lambda s: s[s.index('\n\n') + 2:],
    "comment inside an entry": lambda s: s.replace('msgid "Human trafficking is a crime!"\n',
                                                    'msgid "Human trafficking is a crime!"\n# note\n'),
    "previous msgctxt alone": lambda s: s.replace('msgctxt "headline"', '#| msgctxt "headline"\nmsgctxt "headline"'),
    "line break mismatch": lambda s: s.replace('msgstr "การค้ามนุษย์เป็นอาชญากรรม!"',
                                               'msgstr "การค้ามนุษย์เป็นอาชญากรรม!\\n"'),
    "c-format mismatch": lambda s: s.replace('msgctxt "headline"', '#, c-format\nmsgctxt "headline"').replace(
        'msgid "Human trafficking is a crime!"', 'msgid "Human trafficking is a crime %d!"'),
    "context separator": lambda s: s.replace('msgstr "การค้ามนุษย์เป็นอาชญากรรม!"', 'msgstr "a\\004b"'),
    "plural": lambda s: s.replace('msgstr "การค้ามนุษย์เป็นอาชญากรรม!"',
                                  'msgid_plural "x"\nmsgstr[0] "การค้ามนุษย์เป็นอาชญากรรม!"'),
    "string without keyword": lambda s: s.replace('msgctxt "headline"', '"stray"\nmsgctxt "headline"'),
    "obsolete mix": lambda s: s.replace('msgctxt "headline"\nmsgid', '#~ msgctxt "headline"\nmsgid'),
    "domain": lambda s: s.replace('msgctxt "headline"', 'domain "other"\nmsgctxt "headline"'),
}


def _broken_bytes(case: str, text: str) -> bytes:
    return BROKEN_PO[case](text).encode("utf-8")


@pytest.mark.parametrize("own_checks_only", [False, True])
@pytest.mark.parametrize("case", sorted(BROKEN_PO) + ["not utf-8", "byte order mark"])
def test_a_po_that_msgfmt_refuses_changes_nothing(project_copy, font_cache, monkeypatch, case, own_checks_only):
    path = export(project_copy, "th", cache=font_cache)
    text = path.read_text(encoding="utf-8")
    if case == "not utf-8":
        data = text.encode("utf-8").replace("การค้ามนุษย์เป็นอาชญากรรม!".encode(), b"\xe0\xb8caf\xe9")
    elif case == "byte order mark":
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    else:
        data = _broken_bytes(case, text)
    assert data != text.encode("utf-8")
    path.write_bytes(data)
    if MSGFMT:
        assert msgfmt_check(path).returncode != 0, f"msgfmt accepts the '{case}' case"
    if own_checks_only:
        import leaflets.translations as translations
        monkeypatch.setattr(translations.shutil, "which", lambda name: None)
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, "not a valid PO file")
    assert re.search(rf"{re.escape(path.name)}:\d+: error:", err), err
    assert th.read_bytes() == before
    assert [p.name for p in th.parent.iterdir() if p.name.startswith(".")] == []


@needs_msgfmt
def test_own_po_checks_refuse_whatever_msgfmt_refuses(project_copy, font_cache, monkeypatch):
    """Random damage to a real export: every file msgfmt --check refuses, our own reader refuses too."""
    import leaflets.translations as translations
    from leaflets.errors import ContentError
    monkeypatch.setattr(translations.shutil, "which", lambda name: None)
    base = export(project_copy, "th", cache=font_cache).read_bytes()
    rng = random.Random(20250314)
    pieces = [b'"', b"\\", b"#", b"\n", b"#| ", b"#~ ", b'msgid "x"\n', b'msgstr "y"\n', b'msgctxt "headline"\n',
              b"\\x", b"\\q", b"%d", b"#, c-format\n", b"\xff", b"\\004", b" ", b'msgstr[0] ""\n', b"\\\n", b"\r"]
    refused = 0
    for _ in range(250):
        data = bytearray(base)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(data))
            r = rng.random()
            if r < 0.35:
                del data[pos:pos + rng.randint(1, 8)]
            elif r < 0.8:
                data[pos:pos] = rng.choice(pieces)
            else:
                start = data.rfind(b"\n", 0, pos) + 1
                end = data.find(b"\n", pos) + 1 or len(data)
                data[start:start] = data[start:end]
        data = bytes(data)
        if msgfmt_check(data).returncode == 0:
            continue
        refused += 1
        with pytest.raises(ContentError) as info:
            translations.read_po(Path("damaged.po"), data)
        assert info.value.diagnostics[0].line is not None
    assert refused > 50


@needs_msgfmt
def test_msgfmt_is_asked_too(project_copy, font_cache, monkeypatch):
    """Checks the reader does not make itself (java-format directives) still refuse the file."""
    path = export(project_copy, "th", cache=font_cache)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgctxt "headline"', '#, java-format\nmsgctxt "headline"').replace(
        'msgid "Human trafficking is a crime!"', 'msgid "Human trafficking is a crime {0}!"'), encoding="utf-8")
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, "(msgfmt --check)", "argument {0}")
    assert re.search(r"th\.po:\d+: error:", err), err
    assert th.read_bytes() == before


def test_an_entry_without_english_is_refused(project_copy):
    path = project_copy / "empty.po"
    one_entry_po("th", "headline", "", "การค้ามนุษย์คืออาชญากรรม!").save(str(path))
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, "has no English")
    assert th.read_bytes() == before


XLIFF_DAMAGE = {
    "not well-formed": (lambda s: s.replace("</xliff>", ""), "not well-formed XML"),
    "unknown element": (lambda s: s.replace("<segment", "<bogus/><segment", 1), "not valid XLIFF 2.0"),
    "bad state": (lambda s: s.replace('state="translated"', 'state="done"', 1), "not valid XLIFF 2.0"),
    "no version": (lambda s: s.replace('version="2.0"', 'version="1.2"', 1), "not an XLIFF 2.0 file"),
    "internal entity": (lambda s: s.replace("<xliff", '<!DOCTYPE xliff [<!ENTITY a "b">]><xliff', 1), "DOCTYPE"),
    "billion laughs": (lambda s: s.replace(
        "<xliff", "<!DOCTYPE xliff [<!ENTITY a \"aaaaaaaaaa\">" + "".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]><xliff", 1)
        .replace("การค้ามนุษย์เป็นอาชญากรรม!", "&i;"), "DOCTYPE"),
    "external entity": (lambda s: s.replace(
        "<xliff", '<!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]><xliff', 1)
        .replace("การค้ามนุษย์เป็นอาชญากรรม!", "&x;"), "DOCTYPE"),
    "network entity": (lambda s: s.replace(
        "<xliff", '<!DOCTYPE xliff SYSTEM "http://example.invalid/x.dtd"><xliff', 1), "DOCTYPE"),
    "inline code": (lambda s: s.replace("<target>การค้ามนุษย์เป็นอาชญากรรม!</target>",
                                        '<target>การค้า<ph id="1"/>มนุษย์</target>'), "inline code <ph>"),
    "duplicate unit": (lambda s: s.replace('<unit id="subheadline">', '<unit id="headline">'), "appears twice"),
    "unknown key": (lambda s: s.replace('<unit id="headline">', '<unit id="headlin">'), "did you mean 'headline'"),
    "wrong source language": (lambda s: s.replace('srcLang="en"', 'srcLang="de"'), "translates from 'de'"),
}


@pytest.mark.parametrize("case", sorted(XLIFF_DAMAGE))
def test_a_broken_xliff_changes_nothing(project_copy, font_cache, case):
    change, message = XLIFF_DAMAGE[case]
    path = export(project_copy, "th", "xliff", cache=font_cache)
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, message)
    assert re.search(rf"{re.escape(path.name)}:\d+: error:", err), err
    assert th.read_bytes() == before
    assert "root:" not in err   # nothing of /etc/passwd


def test_hidden_characters_in_an_import_are_refused_at_their_line(project_copy):
    path = project_copy / "bidi.po"
    one_entry_po("th", "headline", "Human trafficking is a crime!", "การค้ามนุษย์\u202eเป็นอาชญากรรม!").save(str(path))
    th = lang_file(project_copy, "th")
    before = th.read_bytes()
    code, _out, err = import_(project_copy, path)
    assert code == 1 and re.search(r"bidi\.po:\d+: error:", err), err
    assert "\u202e" not in err
    assert th.read_bytes() == before


# ------------------------------------------------------------------ which language

@pytest.mark.parametrize("header, expected", [("th_TH", "th"), ("TH", "th"), ("zh_CN", "zh-Hans"),
                                              ("zh_TW", "zh-Hant"), ("pt", "pt-BR"), ("pt_BR", "pt-BR")])
def test_the_header_language_is_matched_by_bcp47(project_copy, header, expected):
    target = lang_file(project_copy, expected)
    language = load(project_copy, expected)
    key = "headline"
    path = project_copy / "x.po"
    one_entry_po(header, key, "Human trafficking is a crime!", language.strings[key].text + "!").save(str(path))
    code, out, err = import_(project_copy, path)
    assert code == 0, err
    assert f"note: the file's language '{header}' is taken as '{expected}'" in out
    assert load(project_copy, expected).strings[key].text == language.strings[key].text + "!"
    assert target.exists()


def test_a_language_with_no_file_is_refused_and_no_file_is_created(project_copy):
    path = project_copy / "de.po"
    one_entry_po("de", "headline", "Human trafficking is a crime!", "Menschenhandel ist ein Verbrechen!").save(
        str(path))
    folder = project_copy / "content" / "languages"
    listing = sorted(p.name for p in folder.iterdir())
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, "'de'", "new-language")
    assert sorted(p.name for p in folder.iterdir()) == listing


def test_a_header_that_disagrees_with_lang_is_refused(project_copy):
    path = project_copy / "es.po"
    one_entry_po("es", "headline", "Human trafficking is a crime!", "¡La trata es un delito!").save(str(path))
    before = {p.name: p.read_bytes() for p in (project_copy / "content" / "languages").iterdir()}
    code, _out, err = import_(project_copy, path, "--lang", "th")
    _assert_refused(project_copy, path, code, err, "did you mean --lang es?")
    path2 = project_copy / "de.po"
    one_entry_po("de", "headline", "Human trafficking is a crime!", "Menschenhandel!").save(str(path2))
    code, _out, err = import_(project_copy, path2, "--lang", "th")
    _assert_refused(project_copy, path2, code, err, "did you mean", "'de'")
    assert before == {p.name: p.read_bytes() for p in (project_copy / "content" / "languages").iterdir()}


def test_lang_names_the_target_when_the_file_does_not(project_copy):
    path = project_copy / "nolang.po"
    one_entry_po("", "headline", "Human trafficking is a crime!", "การค้ามนุษย์คืออาชญากรรม!").save(str(path))
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, "does not say which language")
    code, out, err = import_(project_copy, path, "--lang", "th_TH")
    assert code == 0, err
    assert "note: --lang 'th_TH' is taken as 'th'" in out
    assert load(project_copy, "th").strings["headline"].text == "การค้ามนุษย์คืออาชญากรรม!"


def test_an_unknown_lang_is_a_usage_error_with_suggestions(project_copy):
    path = project_copy / "x.po"
    one_entry_po("", "headline", "Human trafficking is a crime!", "x").save(str(path))
    code, _out, err = import_(project_copy, path, "--lang", "thx")
    assert code == 2 and "did you mean 'th'?" in err, err


def test_the_source_language_is_not_an_import_target(project_copy):
    path = project_copy / "en.po"
    one_entry_po("en", "headline", "Human trafficking is a crime!", "Trafficking is a crime!").save(str(path))
    en = lang_file(project_copy, "en")
    before = en.read_bytes()
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, "source language")
    assert en.read_bytes() == before


# ------------------------------------------------------------------ the writer on layouts nobody wrote by hand

def _random_language_file(rng: random.Random, entries: list[tuple[str, str, str]]):
    """A valid th.yaml in a random mix of YAML styles; returns its lines, for each line the key
    of the entry it belongs to (None for lines outside the strings), and the keys written in
    the short form 'key: text' (which has no source)."""
    import json
    from leaflets.model.write import scalar
    ind = " " * rng.choice([2, 3, 4])
    n = iter(range(10_000))

    def eol() -> str:
        return f"  # c{next(n)}" if rng.random() < 0.3 else ""

    def q(s: str) -> str:
        return rng.choice([scalar(s), json.dumps(s, ensure_ascii=False), "'" + s.replace("'", "''") + "'"])

    lines = [f"# header c{next(n)}"] if rng.random() < 0.7 else []
    lines += ["language:" + eol(), f"{ind}tag: th" + eol(), f"{ind}name: {q('Thai')}", f"{ind}native_name: ไทย",
              f"{ind}script: Thai", f"{ind}direction: ltr" + eol()]
    if rng.random() < 0.5:
        lines.append(f"{ind}review: {{status: draft, note: {json.dumps('a note')}}}" + eol())
    else:
        lines += [f"{ind}review:" + eol(), f"{ind * 2}status: draft" + eol()]
    lines += [""] * rng.randint(0, 2) + ["strings:" + eol()]
    owner: list[str | None] = [None] * len(lines)
    short = set()
    for key, text, source in entries:
        if rng.random() < 0.25:
            lines.append(rng.choice([ind, ""]) + f"# c{next(n)} about {key}")
            owner.append(None)
        style = rng.choice(["short", "block", "flow", "literal"])
        if style == "short":
            new = [f"{ind}{key}: {q(text)}" + eol()]
            short.add(key)
        elif style == "flow":
            new = [f"{ind}{key}: {{text: {json.dumps(text, ensure_ascii=False)}, source: "
                   f"{json.dumps(source, ensure_ascii=False)}}}" + eol()]
        elif style == "literal":
            new = [f"{ind}{key}:" + eol(), f"{ind * 2}text: |", f"{ind * 3}{text}", f"{ind * 2}source: {q(source)}"]
        else:
            new = [f"{ind}{key}:" + eol(), f"{ind * 2}text: {q(text)}" + eol(), f"{ind * 2}source: {q(source)}" + eol()]
        new += [""] * (rng.random() < 0.2)
        lines += new
        owner += [key] * len(new)
    if rng.random() < 0.5:
        lines.append(f"# c{next(n)} the end")
        owner.append(None)
    return lines, owner, short


def _comments(text: str) -> list[str]:
    return re.findall(r"# c\d+[^\r\n]*", text)


@pytest.mark.parametrize("seed", range(60))
def test_the_writer_on_random_layouts(seed):
    from leaflets.errors import Diagnostics
    from leaflets.model.load import load_language
    from leaflets.model.write import StringEdit, edit_language
    rng = random.Random(seed)
    th, en = load(ROOT, "th"), load(ROOT, "en")
    order = list(en.strings)
    present = [k for k in order if rng.random() < 0.85]
    entries = [(k, th.strings[k].text, en.strings[k].text) for k in present]
    lines, owner, short = _random_language_file(rng, entries)
    newline = rng.choice(["\n", "\r\n"])
    original = newline.join(lines) + (newline if rng.random() < 0.8 else "")
    diags = Diagnostics()
    assert load_language(Path("th.yaml"), diags, original) is not None, [d.format() for d in diags.items]

    edits = []
    expected = {k: (text, None if k in short else source) for k, text, source in entries}
    for k in rng.sample(order, rng.randint(1, 6)):
        new_text = th.strings[rng.choice(order)].text + " ๑"
        edits.append(StringEdit(k, new_text, en.strings[k].text))
        expected[k] = (new_text, en.strings[k].text)
    status = rng.choice([None, "untranslated"])
    translation = {"translator": "Somchai <s@example.org>", "date": "2025-03-14"} if rng.random() < 0.4 else None
    result = edit_language(original, edits, order, status=status, translation=translation)

    diags = Diagnostics()
    loaded = load_language(Path("th.yaml"), diags, result)
    assert loaded is not None and not diags.errors, ([d.format() for d in diags.items], result)
    assert {k: (t.text, t.source) for k, t in loaded.strings.items()} == expected, result
    assert list(loaded.strings) == [k for k in order if k in expected]
    assert loaded.review_status == (status or "draft")
    assert _comments(result) == _comments(original), result
    # every line of an entry not edited, and every line outside the strings, is there byte for byte
    edited = {e.key for e in edits}
    keep = [line for line, key in zip(lines, owner) if key not in edited and key is not None]
    result_lines = iter(result.split(newline))
    assert all(any(line == r for r in result_lines) for line in keep), result
    if newline == "\r\n":
        assert "\n" not in result.replace("\r\n", "")


@pytest.mark.parametrize("target, other", [("ja", "th"), ("th", "ja"), ("ar", "ko"), ("my", "ne"), ("ru", "zh-Hans")])
def test_another_languages_export_relabelled_is_refused(project_copy, font_cache, target, other):
    """A translator's file whose header was changed to another language: its text is in a script the
    target language is not written in, so the import refuses it and that language's file stays as it was."""
    if target not in {p.stem for p in (project_copy / "content" / "languages").glob("*.yaml")}:
        pytest.skip(f"no {target} language file")
    path = export(project_copy, other, "po", cache=font_cache)
    text = path.read_text("utf-8")
    relabelled = re.sub(r'"Language: [^"\\]*\\n"', f'"Language: {target}\\\\n"', text, count=1)
    assert relabelled != text
    path.write_text(relabelled, "utf-8")
    before = {p.name: p.read_bytes() for p in (project_copy / "content" / "languages").iterdir()}
    code, _out, err = import_(project_copy, path)
    _assert_refused(project_copy, path, code, err, f"but {target} is written in")
    assert re.search(rf"{re.escape(path.name)}:\d+: error: the text of 'headline' is written in ", err), err
    assert before == {p.name: p.read_bytes() for p in (project_copy / "content" / "languages").iterdir()}
