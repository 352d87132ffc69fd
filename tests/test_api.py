"""The library API: open a project, select, set strings in memory (checked as
a language file is), render to bytes, build into a folder, list the problems."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tomllib
import typing
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from helpers import decode_qr, page_text, squash

import leaflets
from leaflets import ContentError, Diagnostic, UsageError
from leaflets.api import Built, ProjectHandle, Rendered, check, open_project
from leaflets.build import EDITIONS
from leaflets.cli import main

ROOT = Path(__file__).resolve().parent.parent
DESIGN = "a4-leaflet"


@pytest.fixture(scope="module")
def handle(font_cache) -> ProjectHandle:
    return open_project(ROOT, font_cache)


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def set_string(path: Path, key: str, value: str) -> None:
    """Write ``value`` as the text of ``key`` in a language file (as a YAML double-quoted scalar)."""
    text = path.read_text(encoding="utf-8")
    quoted = json.dumps(value)
    nested = re.compile(rf"(\n  {re.escape(key)}:\n    text: )(.*)\n")
    flat = re.compile(rf"(\n  {re.escape(key)}: )(.*)\n")
    m = nested.search(text) or flat.search(text)
    assert m, key
    path.write_text(text[:m.start(2)] + quoted + text[m.end(2):], encoding="utf-8")


def wrong_hotline(display: str, digits: str) -> str:
    """The hotline's display form with its last digit changed, written with ``digits`` (0-9 of one script)."""
    plain = display[:-1] + str((int(display[-1]) + 1) % 10)
    return "".join(digits[int(c)] if c.isdigit() else c for c in plain)


def digit_sets() -> dict[str, str]:
    """0-9 of every script Unicode gives decimal digits for, from the Basic Multilingual Plane."""
    out = {}
    for cp in range(0x30, 0x10000):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd" and unicodedata.decimal(ch) == 0:
            run = "".join(chr(cp + i) for i in range(10))
            if all(unicodedata.decimal(c, -1) == i for i, c in enumerate(run)):
                out[unicodedata.name(ch).rsplit(" DIGIT", 1)[0]] = run
    return out


# ------------------------------------------------------------------ opening, listing, selecting

def test_lists_what_the_project_has(handle):
    langs = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
    assert handle.languages == langs
    assert set(handle.project.designs) <= set(handle.designs) and DESIGN in handle.designs
    assert handle.editions == list(EDITIONS) and {"print", "online", "png"} <= set(EDITIONS)
    assert leaflets.open_project is open_project and leaflets.ProjectHandle is ProjectHandle
    assert handle.strings("th")["statement"] == handle.project.languages["th"].strings["statement"].text


def test_select_narrows_and_returns_a_new_handle(handle):
    chosen = handle.select([DESIGN], ["th", "en", "th"], ["online"])
    assert chosen.languages == ["th", "en"] and chosen.designs == [DESIGN] and chosen.editions == ["online"]
    assert [(j.design, j.lang, j.editions) for j in chosen.jobs()] == [(DESIGN, "th", ("online",)),
                                                                       (DESIGN, "en", ("online",))]
    assert chosen.select(editions=["print"]).languages == ["th", "en"]       # None keeps the choice
    assert len(handle.jobs()) == len(handle.designs) * len(handle.languages)  # the first handle is unchanged
    assert not chosen.select(draft_mark=False).jobs()[0].draft_mark


@pytest.mark.parametrize("kwargs, word", [({"languages": ["xx-Zzzz"]}, "unknown language 'xx-Zzzz'"),
                                          ({"designs": ["no-such-design"]}, "unknown design 'no-such-design'"),
                                          ({"editions": ["web"]}, "unknown edition 'web'"),
                                          ({"languages": "th"}, "a list of names")])
def test_select_refuses_names_the_project_does_not_have(handle, kwargs, word):
    with pytest.raises(UsageError, match=re.escape(word)):
        handle.select(**kwargs)


def test_open_a_broken_project_raises_its_diagnostics(project_copy, font_cache):
    set_string(project_copy / "content" / "languages" / "th.yaml", "statement", "โทร 0120-924-838")
    with pytest.raises(ContentError) as exc:
        open_project(project_copy, font_cache)
    [d] = [d for d in exc.value.diagnostics if "0120-924-838" in d.message]
    assert d.file == project_copy / "content" / "languages" / "th.yaml" and d.line
    with pytest.raises(UsageError, match="unknown language 'xx'"):
        open_project(ROOT, font_cache).render(DESIGN, "xx", "print")



def test_opening_some_languages_reads_only_those_and_renders_the_same(project_copy, font_cache, handle):
    # a broken language file that is not asked for is not read; the source and the language a design
    # takes text from (Japanese, for its companion sentence) are
    set_string(project_copy / "content" / "languages" / "th.yaml", "statement", "โทร 0120-924-838")
    narrow = open_project(project_copy, font_cache, languages=["vi"])
    assert narrow.languages == ["en", "ja", "vi"]
    with pytest.raises(UsageError, match="unknown language 'th'"):
        narrow.render(DESIGN, "th", "print")
    with pytest.raises(ContentError):
        open_project(project_copy, font_cache, languages=["th"])
    assert narrow.render(DESIGN, "vi", "print").data == handle.render(DESIGN, "vi", "print").data


def test_opening_some_designs_reads_only_those_and_renders_the_same(project_copy, font_cache, handle, capsys):
    """A design file that does not load stops only what asks for it: a build (or preview) of another
    design goes ahead, and check still reports it."""
    broken = project_copy / "content" / "designs" / "a5-flyer.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("regions:", "regions: [\n", 1), encoding="utf-8")
    with pytest.raises(ContentError):
        open_project(project_copy, font_cache)
    narrow = open_project(project_copy, font_cache, languages=["th"], designs=[DESIGN])
    assert narrow.designs == [DESIGN]
    assert narrow.render(DESIGN, "th", "print").data == handle.render(DESIGN, "th", "print").data
    with pytest.raises(UsageError, match="'hotline-card' is not loaded"):
        narrow.render("hotline-card", "th", "print")
    with pytest.raises(ContentError):
        open_project(project_copy, font_cache, designs=["a5-flyer"])
    assert any(d.file == broken and d.severity == "error" for d in check(project_copy, font_cache))
    out = project_copy / "out"
    code = main(["build", "--project", str(project_copy), "--cache", str(font_cache), "--out", str(out),
                 "--design", DESIGN, "--lang", "th", "--edition", "online", "-q"], io.StringIO(), io.StringIO())
    assert code == 0 and sorted(p.name for p in (out / DESIGN).iterdir()) == [f"{DESIGN}.th.online.pdf"]
    err = io.StringIO()
    code = main(["build", "--project", str(project_copy), "--cache", str(font_cache), "--out", str(out),
                 "--design", "a5-flyer", "--lang", "th", "--edition", "online", "-q"], io.StringIO(), err)
    assert code == 1 and "a5-flyer.yaml" in err.getvalue()
    err = io.StringIO()
    code = main(["build", "--project", str(project_copy), "--cache", str(font_cache), "--out", str(out),
                 "--design", "a4-leaflt", "--lang", "th", "-q"], io.StringIO(), err)
    assert code == 2 and "unknown design 'a4-leaflt'" in err.getvalue() and "hotline-card" in err.getvalue()

# ------------------------------------------------------------------ rendering with strings set in memory

def test_render_every_edition_with_a_string_set_in_memory(handle):
    text = "ข้อความทดสอบจากโปรแกรม"
    th = handle.with_strings({"th": {"statement": text}})
    assert th.strings("th")["statement"] == text and handle.strings("th")["statement"] != text
    out = {e: th.render(DESIGN, "th", e) for e in ("print", "online", "png")}
    assert {e: r.name for e, r in out.items()} == {"print": f"{DESIGN}.th.print.pdf",
                                                   "online": f"{DESIGN}.th.online.pdf", "png": f"{DESIGN}.th.png"}
    for edition in ("print", "online"):
        r = out[edition]
        assert isinstance(r, Rendered) and (r.design, r.lang, r.edition) == (DESIGN, "th", edition)
        assert all(isinstance(d, Diagnostic) and d.severity == "warning" for d in r.diagnostics)
        with pikepdf.open(io.BytesIO(r.data)) as pdf:
            assert len(pdf.pages) == len(getattr(handle.project.designs[DESIGN], "pages", (None,)))
            page = pdf.pages[0]
            if edition == "print":
                assert "/OutputIntents" in pdf.Root and "/TrimBox" in page and "/BleedBox" in page
                assert "GTS_PDFX" in str(pdf.Root.OutputIntents[0].S)
            else:
                assert "/OutputIntents" not in pdf.Root
        extracted = squash(page_text(r.data))
        assert squash(text) in extracted
        assert squash(handle.strings("th")["statement"]) not in extracted
    image = Image.open(io.BytesIO(out["png"].data))
    assert image.format == "PNG"
    design = handle.project.designs[DESIGN]
    assert abs(image.width - design.width / 25.4 * 150) <= 2 and abs(image.height - design.height / 25.4 * 150) <= 2
    assert handle.project.facts.links["report"].url in decode_qr(image.convert("RGB"))
    # the first handle still renders the file's text
    assert squash(handle.strings("th")["statement"]) in squash(page_text(handle.render(DESIGN, "th", "online").data))


def test_a_warm_handle_renders_the_same_bytes_again(handle):
    for edition in ("print", "online", "png"):
        assert handle.render(DESIGN, "en", edition).data == handle.render(DESIGN, "en", edition).data
    # the same texts given in memory change nothing in the files
    same = handle.with_strings({"th": handle.strings("th")})
    for edition in ("print", "online"):
        assert same.render(DESIGN, "th", edition).data == handle.render(DESIGN, "th", edition).data


def test_strings_set_in_memory_share_the_fonts(handle):
    th = handle.with_strings({"th": {"statement": "ทดสอบ"}})
    assert th.workspace.fonts is handle.workspace.fonts and th.workspace.renderer is handle.workspace.renderer
    assert th.workspace.composer is not handle.workspace.composer
    assert th.with_strings({"en": {"statement": "A test."}}).strings("th")["statement"] == "ทดสอบ"


def test_render_refuses_what_build_refuses(handle):
    too_long = " ".join([handle.strings("en")["statement"]] * 12)
    with pytest.raises(ContentError) as exc:
        handle.with_strings({"en": {"statement": too_long}}).render(DESIGN, "en", "online")
    assert any(d.severity == "error" and "does not fit" in d.message for d in exc.value.diagnostics)
    with pytest.raises(UsageError, match="unknown edition"):
        handle.render(DESIGN, "en", "jpeg")
    with pytest.raises(UsageError, match="out of range"):
        handle.render(DESIGN, "en", "png", dpi=5000)


# ------------------------------------------------------------------ the same checks as a language file

def hostile(facts) -> list[tuple[str, str]]:
    """(what, text): texts the facts guard refuses, made from the campaign's own facts."""
    out = [(f"wrong hotline in {name.lower()} digits", f"โทร {wrong_hotline(facts.hotline_display, digits)}")
           for name, digits in sorted(digit_sets().items())]
    out += [(f"bidi control U+{cp:04X}", f"ทดสอบ{chr(cp)}ข้อความ") for cp in [*range(0x202A, 0x202F),
                                                                           *range(0x2066, 0x206A)]]
    host = facts.links["report"].display
    lookalikes = {"o": "\u043e", "e": "\u0435", "p": "\u0440", "a": "\u0430", "i": "\u0456", "k": "\u043a"}
    for i, ch in enumerate(host):
        if ch in lookalikes:
            out.append((f"look-alike host ({unicodedata.name(lookalikes[ch])})",
                        f"ดู {host[:i]}{lookalikes[ch]}{host[i + 1:]}"))
    out += [("other scheme", "javascript:alert(1)"), ("line separator", "ทด\u2028สอบ"),
            ("tag characters", "ทดสอบ\U000E0041\U000E0042"), ("control character", "ทด\x07สอบ"),
            ("Zalgo", "ท" + "\u0301" * 9)]
    return out


@pytest.fixture(scope="module")
def cases(handle) -> list[tuple[str, str]]:
    found = hostile(handle.project.facts)
    assert len([w for w, _ in found if "hotline" in w]) >= 5 and len([w for w, _ in found if "host" in w]) >= 3
    return found


def test_hostile_strings_are_refused_naming_the_language_and_key(handle, cases):
    for what, text in cases:
        with pytest.raises(ContentError) as exc:
            handle.with_strings({"th": {"statement": text}})
        errors = [d for d in exc.value.diagnostics if d.severity == "error"]
        assert errors, what
        assert all(d.message.startswith("th: strings.statement: ") for d in errors), (what, errors)


def test_a_string_in_memory_is_refused_as_the_same_string_in_its_file(project_copy, font_cache, cases):
    """The override's findings are the language file's findings, with the language named."""
    good = open_project(project_copy, font_cache)
    path = project_copy / "content" / "languages" / "th.yaml"
    original = path.read_text(encoding="utf-8")
    for what, text in cases[::3]:
        with pytest.raises(ContentError) as in_memory:
            good.with_strings({"th": {"statement": text}})
        set_string(path, "statement", text)
        try:
            found = check(project_copy, font_cache)
        finally:
            path.write_text(original, encoding="utf-8")
        from_file = sorted(d.message for d in found if d.severity == "error" and d.file == path)
        given = sorted(d.message for d in in_memory.value.diagnostics)
        assert from_file, what
        assert given == [f"th: {m} (text given to with_strings)" for m in from_file], what


def test_unknown_keys_languages_and_values_are_refused(handle):
    with pytest.raises(ContentError) as exc:
        handle.with_strings({"th": {"statment": "ทดสอบ", "statement": "ทดสอบ"}, "en": {"no.such.key": "x"}})
    messages = [d.message for d in exc.value.diagnostics]
    assert any(m.startswith("th: unknown string key 'statment'") for m in messages)
    assert any(m.startswith("en: unknown string key 'no.such.key'") for m in messages)
    assert any("did you mean 'statement'" in (d.hint or "") for d in exc.value.diagnostics)
    with pytest.raises(UsageError, match="unknown language 'xx'"):
        handle.with_strings({"xx": {"statement": "x"}})
    for value in (42, None, ["a"], "\ud800 lone surrogate", "\ufffe"):
        with pytest.raises(ContentError, match=r"th: strings\.statement"):
            handle.with_strings({"th": {"statement": value}})


def test_strings_in_memory_change_no_file(project_copy, font_cache, tmp_path):
    before = snapshot(project_copy)
    p = open_project(project_copy, font_cache)
    th = p.with_strings({"th": {"statement": "ทดสอบ", "headline": p.strings("th")["headline"] + " ทดสอบ"},
                         "en": {"statement": "A statement set in memory."}})
    th.render(DESIGN, "th", "print")
    th.select(languages=["th"]).problems()
    with pytest.raises(ContentError):
        p.with_strings({"th": {"statement": "โทร ๐๑๒๐-๙๒๔-๘๓๘"}})
    assert snapshot(project_copy) == before
    assert not (project_copy / "output").exists()


def test_filling_an_untranslated_string_in_memory_drops_its_warning(project_copy, font_cache):
    path = project_copy / "content" / "languages" / "th.yaml"
    set_string(path, "statement", "")
    p = open_project(project_copy, font_cache).select(languages=["th"])
    missing = [d for d in p.problems() if d.code == "missing" and d.file == path]
    assert len(missing) == 1 and "statement" in missing[0].message
    filled = p.with_strings({"th": {"statement": "ทดสอบ"}})
    after = [d for d in filled.problems() if d.code == "missing" and d.file == path]
    count = int(missing[0].message.split()[0])
    assert (count == 1 and not after) or (len(after) == 1 and after[0].message.startswith(f"{count - 1} string(s)")
                                          and "statement" not in after[0].message)
    assert [d for d in filled.with_strings({"th": {"qr.caption": ""}}).problems()
            if d.code == "missing" and "qr.caption" in d.message]


# ------------------------------------------------------------------ build and check

def test_build_writes_what_the_cli_writes(handle, tmp_path, font_cache):
    th = handle.with_strings({"th": {"statement": "ข้อความทดสอบจากโปรแกรม"}})
    built = th.select([DESIGN], ["en", "th"], ["print", "online"]).build(tmp_path / "api")
    assert isinstance(built, Built) and built.out_dir == tmp_path / "api"
    names = sorted(p.name for p in built.files)
    assert names == sorted(f"{DESIGN}.{lang}.{e}.pdf" for lang in ("en", "th") for e in ("print", "online"))
    assert sorted(p.name for p in (tmp_path / "api").rglob("*") if p.is_file()) == names    # nothing staged left
    for p in built.files:
        assert p.is_file() and p.parent == tmp_path / "api" / DESIGN
        pikepdf.open(p).close()
    assert "ข้อความทดสอบจากโปรแกรม" in squash(page_text((tmp_path / "api" / DESIGN / f"{DESIGN}.th.online.pdf")
                                                      .read_bytes()))
    # without overrides: byte for byte what `leaflets build` writes
    handle.select([DESIGN], ["en"], ["print", "online"]).build(tmp_path / "a")
    assert main(["build", "-q", "--project", str(ROOT), "--cache", str(font_cache), "--out", str(tmp_path / "b"),
                 "--lang", "en", "--edition", "print,online", "--design", DESIGN]) == 0
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_build_with_an_error_writes_nothing(handle, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("previous output")
    too_long = " ".join([handle.strings("en")["statement"]] * 12)
    with pytest.raises(ContentError) as exc:
        handle.with_strings({"en": {"statement": too_long}}).select(languages=["en"]).build(tmp_path / "out")
    assert exc.value.diagnostics[0].severity == "error"
    assert [p.name for p in (tmp_path / "out").rglob("*")] == ["keep.txt"]


@pytest.mark.parametrize("strict", [False, True])
def test_problems_are_what_check_prints(project_copy, font_cache, capsys, strict):
    p = open_project(project_copy, font_cache)
    problems = p.problems(strict=strict)
    assert problems == check(project_copy, font_cache, strict=strict)
    out = io.StringIO()
    code = main(["check", "--project", str(project_copy), "--cache", str(font_cache)] + (["--strict"] if strict
                                                                                        else []), out, io.StringIO())
    printed = out.getvalue().splitlines()
    assert code == (1 if any(d.severity == "error" for d in problems) else 0)
    assert printed[:-1] == "\n".join(d.format(project_copy) for d in problems).splitlines()
    assert all(isinstance(d, Diagnostic) for d in problems)


def test_check_reports_a_project_that_does_not_load(project_copy, font_cache):
    path = project_copy / "content" / "languages" / "th.yaml"
    set_string(path, "statement", "ทดสอบ\u202eข้อความ")
    path.with_name("ko.yaml").write_text(path.with_name("ko.yaml").read_text(encoding="utf-8") + "\n  - broken: [\n",
                                         encoding="utf-8")
    found = check(project_copy, font_cache)
    out = io.StringIO()
    assert main(["check", "--project", str(project_copy), "--cache", str(font_cache)], out, io.StringIO()) == 1
    assert out.getvalue().splitlines()[:-1] == "\n".join(d.format(project_copy) for d in found).splitlines()
    assert {d.file.name for d in found if d.severity == "error"} >= {"th.yaml", "ko.yaml"}


# ------------------------------------------------------------------ typed and packaged

def test_the_api_is_typed_and_documented():
    assert (Path(leaflets.__file__).parent / "py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in data["tool"]["setuptools"]["package-data"]["leaflets"]
    public = [open_project, check, *(getattr(ProjectHandle, n) for n in dir(ProjectHandle) if not n.startswith("_"))]
    for f in public:
        f = f.fget if isinstance(f, property) else f
        assert f.__doc__, f.__name__
        hints = typing.get_type_hints(f)
        assert "return" in hints, f.__name__
        params = [n for n in f.__code__.co_varnames[:f.__code__.co_argcount + f.__code__.co_kwonlyargcount]
                  if n != "self"]
        assert set(params) <= set(hints), (f.__name__, set(params) - set(hints))
