"""Every language, and the translator's workflow: preview, stale and missing
strings, new languages, PO and XLIFF round trips, the contact sheet."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from helpers import page_text, squash
from test_cli import edit, run

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
REQUIRED = ["ja", "en", "zh-Hans", "zh-Hant", "ko", "tl", "th", "vi", "id", "es", "pt-BR", "ru", "uk", "ne", "my",
            "km", "mn", "ar"]


def test_the_eighteen_languages_are_there():
    assert set(REQUIRED) <= set(LANGS)


def test_faces_follow_the_language(workspace):
    fams = {lang: workspace.fonts.stack(workspace.project.languages[lang].script).families[0]
            for lang in ("ja", "zh-Hans", "zh-Hant", "ko")}
    assert fams == {"ja": "BIZ UDPGothic", "zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC",
                    "ko": "Noto Sans CJK KR"}


@pytest.mark.parametrize("edition", ["print", "online"])
def test_arabic_extracts_in_logical_order(built, workspace, edition):
    text = page_text(built[("ar", edition)])
    lines = {" ".join(line.split()) for line in text.split("\r\n")}
    project = workspace.project
    for key in ("headline", "subheadline", "call_to_report", "scenarios.heading", "statement", "shown_to"):
        source = " ".join(project.string("ar", key)[0].split())
        assert source in text or source in lines or squash(source) in squash(text), key


def test_arabic_hotline_digits_are_in_order_on_the_page(workspace):
    from leaflets.layout.frame import TextBlock
    page, _ = workspace.composer.compose("a4-leaflet", "ar")
    block = next(i for i in page.items if isinstance(i, TextBlock) and i.key == "fact:hotline.display")
    glyphs = sorted(((run.x + gx, gid, run.face) for run in block.runs for gid, gx, _gy, _t in run.glyphs),
                    key=lambda g: g[0])
    face = glyphs[0][2]
    expected = [face.hb_font.get_nominal_glyph(ord(c)) for c in "0120-924-839"]
    assert [gid for _x, gid, _f in glyphs] == expected


def test_arabic_design_is_right_aligned(workspace):
    from leaflets.layout.frame import TextBlock
    page, _ = workspace.composer.compose("a4-leaflet", "ar")
    block = next(i for i in page.items if isinstance(i, TextBlock) and i.key == "scenario.sns.body")
    x, _y, w, _h = block.box
    right_edges = {round(run.x + run.width, 1) for run in block.runs}
    assert len(right_edges) == 1, "every line ends at the same right edge"


@pytest.mark.parametrize("lang", ["ne", "my", "km", "th", "vi"])
def test_complex_scripts_are_shaped_without_dotted_circles(workspace, lang):
    """HarfBuzz inserts U+25CC when marks are in an impossible order."""
    from leaflets.layout.frame import TextBlock
    page, _ = workspace.composer.compose("a4-leaflet", lang)
    for block in (i for i in page.items if isinstance(i, TextBlock)):
        for glyph_run in block.runs:
            dotted = glyph_run.face.hb_font.get_nominal_glyph(0x25CC)
            assert all(gid != 0 for gid, _x, _y, _t in glyph_run.glyphs), f"tofu in {block.key}"
            if dotted:
                assert "◌" in block.text or all(gid != dotted for gid, _x, _y, _t in glyph_run.glyphs), block.key


def test_nepali_gets_nepali_forms(workspace):
    """The language reaches HarfBuzz: Nepali and Hindi differ in some letter forms."""
    from leaflets.text.shape import shape
    face = workspace.fonts.face("Noto Sans Devanagari")
    text = "५ ८ ९ झ"
    ne = [g.gid for g in shape(text, 0, len(text), face, "ne")]
    hi = [g.gid for g in shape(text, 0, len(text), face, "hi")]
    assert ne != hi


def test_stale_strings_are_listed_with_old_and_new_english(project_copy, font_cache):
    en = project_copy / "content" / "languages" / "en.yaml"
    edit(en, "  subheadline: It is also happening in Japan, now!", "  subheadline: It happens in Japan too, now!")
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 0
    m = re.search(r"th\.yaml:(\d+): warning: th: 'subheadline' is stale: it was translated from "
                  r"\"It is also happening in Japan, now!\"; the English is now \"It happens in Japan too, now!\"",
                  out)
    assert m, out
    assert out.count("'subheadline' is stale") == len(REQUIRED) - 1
    code, out, _ = run("check", "--strict", "--project", str(project_copy), cache=font_cache)
    assert code == 1


def _drop_string(path: Path, key: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(rf"\n  {re.escape(key)}:\n(    .*\n)+", "\n", text)
    path.write_text(text, encoding="utf-8")


def test_missing_string_falls_back_with_a_warning_and_strict_refuses(project_copy, font_cache):
    th = project_copy / "content" / "languages" / "th.yaml"
    _drop_string(th, "statement")
    code, out, err = run("build", "--project", str(project_copy), "--lang", "th", "--edition", "online",
                         cache=font_cache)
    assert code == 0, err
    assert "'statement' is not translated; the English text is used" in err
    pdf = (project_copy / "output" / "a4-leaflet" / "a4-leaflet.th.online.pdf").read_bytes()
    assert "Human trafficking damages both human dignity" in page_text(pdf)
    code, _out, err = run("build", "--strict", "--project", str(project_copy), "--lang", "th", "--out",
                          str(project_copy / "strict"), cache=font_cache)
    assert code == 1 and "refused" in err
    assert not (project_copy / "strict").exists()


def test_a_reviewed_language_refuses_fallbacks_in_print(project_copy, font_cache):
    th = project_copy / "content" / "languages" / "th.yaml"
    edit(th, "    status: draft", "    status: reviewed\n    reviewer: A. Reviewer\n    date: 2025-03-14")
    _drop_string(th, "statement")
    code, _o, err = run("build", "--project", str(project_copy), "--lang", "th", "--edition", "print",
                        cache=font_cache)
    assert code == 1 and "reviewed language's print edition" in err
    code, _o, err = run("build", "--project", str(project_copy), "--lang", "th", "--edition", "online",
                        cache=font_cache)
    assert code == 0, err


def test_new_language_scaffold(project_copy, font_cache, workspace):
    code, out, err = run("new-language", "fr", "--name", "French", "--native-name", "Français",
                         "--project", str(project_copy))
    assert code == 0, err
    from leaflets.errors import Diagnostics
    from leaflets.model.load import load_language
    lang = load_language(project_copy / "content" / "languages" / "fr.yaml", Diagnostics())
    assert lang.review_status == "untranslated" and lang.script == "Latn"
    source = workspace.project.source
    assert list(lang.strings) == list(source.strings)
    assert all(lang.strings[k].source == source.strings[k].text and lang.strings[k].text == "" for k in lang.strings)
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 0 and f"fr.yaml: warning: {len(source.strings)} string(s) not translated" in out
    assert run("new-language", "fr", "--project", str(project_copy))[0] == 1
    assert run("new-language", "not_a_tag", "--project", str(project_copy))[0] == 2
    code, _o, _e = run("new-language", "fa", "--project", str(project_copy))
    assert "direction: rtl" in (project_copy / "content" / "languages" / "fa.yaml").read_text(encoding="utf-8")


def test_a_script_without_a_font_is_named_with_a_fix(project_copy, font_cache):
    run("new-language", "bo", "--name", "Tibetan", "--project", str(project_copy))
    bo = project_copy / "content" / "languages" / "bo.yaml"
    edit(bo, '  headline:\n    text: ""', '  headline:\n    text: "མི་ཚོང་ནི་ཉེས་ཁྲིམས་རེད།"')
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 1
    assert re.search(r"bo\.yaml:\d+: error: bo: no font covers the script Tibt; the first characters without a "
                     r"font are 'མ' U\+0F58", out)
    assert "fonts/manifest.yaml" in out


# ------------------------------------------------------------------ PO and XLIFF

@pytest.mark.parametrize("fmt", ["po", "xliff"])
@pytest.mark.parametrize("lang", LANGS)
def test_round_trip_loses_nothing(project_copy, font_cache, lang, fmt):
    target = project_copy / "content" / "languages" / f"{lang}.yaml"
    before = target.read_bytes()
    exported = project_copy / f"x.{fmt}"
    code, _o, err = run("translations", "export", lang, "--format", fmt, "-o", str(exported),
                        "--project", str(project_copy))
    assert code == 0, err
    if lang == "en":
        return
    code, _o, err = run("translations", "import", str(exported), "--project", str(project_copy))
    assert code == 0, err
    assert target.read_bytes() == before


def test_po_is_read_by_real_parsers(project_copy):
    run("translations", "export", "th", "-o", str(project_copy / "th.po"), "--project", str(project_copy))
    import polib
    from babel.messages.pofile import read_po
    po = polib.pofile(str(project_copy / "th.po"))
    entry = po.find("Human trafficking is a crime!", msgctxt="headline")
    assert entry.msgstr == "การค้ามนุษย์เป็นอาชญากรรม!"
    assert any("characters" in line for line in entry.comment.splitlines())  # the capacity hint
    assert po.metadata["Language"] == "th" and po.metadata["X-Leaflets-Review-Status"] == "draft"
    with open(project_copy / "th.po", "rb") as f:
        catalog = read_po(f)
    assert catalog.get("Human trafficking is a crime!", context="headline").string == "การค้ามนุษย์เป็นอาชญากรรม!"


def test_xliff_is_valid_xml_with_units(project_copy):
    run("translations", "export", "th", "--format", "xliff", "-o", str(project_copy / "th.xlf"),
        "--project", str(project_copy))
    from lxml import etree
    root = etree.parse(str(project_copy / "th.xlf")).getroot()
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    assert root.get("version") == "2.0" and root.get("trgLang") == "th" and root.get("srcLang") == "en"
    units = root.findall(".//x:unit", ns)
    from leaflets.model.load import load_language
    from leaflets.errors import Diagnostics
    source = load_language(project_copy / "content" / "languages" / "en.yaml", Diagnostics())
    assert len(units) == len(source.strings)      # one unit per string of the source language
    head = root.find(".//x:unit[@id='headline']", ns)
    assert head.find(".//x:target", ns).text == "การค้ามนุษย์เป็นอาชญากรรม!"
    assert root.find(".//x:file/x:notes/x:note[@category='review-status']", ns).text == "draft"


def test_stale_marks_survive_the_round_trip(project_copy):
    en = project_copy / "content" / "languages" / "en.yaml"
    edit(en, "  subheadline: It is also happening in Japan, now!", "  subheadline: It happens in Japan too, now!")
    th = project_copy / "content" / "languages" / "th.yaml"
    before = th.read_bytes()
    for fmt in ("po", "xliff"):
        out = project_copy / f"th.{fmt}"
        run("translations", "export", "th", "--format", fmt, "-o", str(out), "--project", str(project_copy))
        if fmt == "po":
            import polib
            entry = polib.pofile(str(out)).find("It happens in Japan too, now!", msgctxt="subheadline")
            assert "fuzzy" in entry.flags and entry.previous_msgid == "It is also happening in Japan, now!"
        code, _o, err = run("translations", "import", str(out), "--project", str(project_copy))
        assert code == 0, err
        assert th.read_bytes() == before


def test_an_updated_translation_is_no_longer_stale(project_copy):
    import polib
    en = project_copy / "content" / "languages" / "en.yaml"
    edit(en, "  subheadline: It is also happening in Japan, now!", "  subheadline: It happens in Japan too, now!")
    out = project_copy / "th.po"
    run("translations", "export", "th", "-o", str(out), "--project", str(project_copy))
    po = polib.pofile(str(out))
    entry = po.find("It happens in Japan too, now!", msgctxt="subheadline")
    entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgctxt = None
    entry.msgstr = "ตอนนี้ก็เกิดขึ้นในญี่ปุ่นเช่นกัน!"
    po.save(str(out))
    assert run("translations", "import", str(out), "--project", str(project_copy))[0] == 0
    text = (project_copy / "content" / "languages" / "th.yaml").read_text(encoding="utf-8")
    assert "    text: ตอนนี้ก็เกิดขึ้นในญี่ปุ่นเช่นกัน!\n    source: It happens in Japan too, now!" in text


INVALID = {
    "syntax": ("po", lambda s: s.replace('msgctxt "headline"', 'msgctx "headline"'), "not a valid PO file"),
    "unknown key": ("po", lambda s: s.replace('msgctxt "headline"', 'msgctxt "headlin"'), "unknown string key"),
    "hotline": ("po", lambda s: s.replace('msgstr "การค้ามนุษย์เป็นอาชญากรรม!"',
                                          'msgstr "การค้ามนุษย์เป็นอาชญากรรม! โทร 0120-000-000"'),
                "phone number"),
    "xml": ("xliff", lambda s: s.replace("</xliff>", ""), "not well-formed XML"),
    "entities": ("xliff", lambda s: s.replace("<xliff", '<!DOCTYPE x [<!ENTITY a "b">]><xliff', 1), "DOCTYPE"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_import_changes_nothing(project_copy, case):
    fmt, change, message = INVALID[case]
    out = project_copy / f"th.{fmt}"
    run("translations", "export", "th", "--format", fmt, "-o", str(out), "--project", str(project_copy))
    out.write_text(change(out.read_text(encoding="utf-8")), encoding="utf-8")
    th = project_copy / "content" / "languages" / "th.yaml"
    before = th.read_bytes()
    code, _o, err = run("translations", "import", str(out), "--project", str(project_copy))
    assert code == 1 and message in err, err
    assert "Traceback" not in err
    assert th.read_bytes() == before
    assert [p.name for p in th.parent.iterdir() if p.name.startswith(".")] == []


# ------------------------------------------------------------------ preview and proof

def test_preview_writes_pdf_png_and_proof(project_copy, font_cache):
    code, out, _ = run("preview", "th", "--project", str(project_copy), "--dpi", "50", cache=font_cache)
    assert code == 0
    paths = [Path(line) for line in out.splitlines() if line.endswith((".pdf", ".png"))]
    # every design: a PDF (all its pages), a PNG and a proof PNG (its pages side by side)
    designs = sorted(p.stem for p in (project_copy / "content" / "designs").glob("*.yaml"))
    assert "hotline-card" in designs
    assert {p.name for p in paths} == {f"{d}.th.{end}" for d in designs for end in ("pdf", "png", "proof.png")}
    assert all(p.exists() for p in paths)


def test_preview_marks_an_overflow_on_the_proof(project_copy, font_cache):
    from PIL import Image, ImageChops
    th = project_copy / "content" / "languages" / "th.yaml"
    text = th.read_text(encoding="utf-8")
    m = re.search(r"(\n  scenario\.sns\.body:\n    text: )(.*)\n", text)
    th.write_text(text[:m.start(2)] + " ".join([m.group(2)] * 8) + text[m.end(2):], encoding="utf-8")
    code, out, _ = run("preview", "th", "--project", str(project_copy), "--dpi", "50", cache=font_cache)
    assert code == 1
    assert "the text of box 'text-sns'" in out
    folder = project_copy / "output" / "preview"
    png = Image.open(folder / "a4-leaflet.th.png").convert("RGB")
    proof = Image.open(folder / "a4-leaflet.th.proof.png").convert("RGB")
    diff = ImageChops.difference(png, proof).getbbox()
    assert diff is not None
    # the marks are around the scenario panel in the upper left quarter
    assert diff[0] < png.width / 2 and diff[1] < png.height / 2


def test_preview_watch_picks_up_a_save(project_copy, font_cache):
    out_dir = project_copy / "output" / "preview"
    result = {}

    def target():
        result["r"] = run("preview", "th", "--design", "a4-leaflet", "--watch", "--watch-limit", "1",
                          "--watch-interval", "0.05", "--dpi", "40", "--project", str(project_copy), cache=font_cache)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    pdf = out_dir / "a4-leaflet.th.pdf"
    deadline = time.time() + 60
    while not pdf.exists() and time.time() < deadline:
        time.sleep(0.05)
    first = pdf.read_bytes()
    time.sleep(1.0)
    th = project_copy / "content" / "languages" / "th.yaml"
    edit(th, "    text: การค้ามนุษย์เป็นอาชญากรรม!", "    text: การค้ามนุษย์เป็นอาชญากรรมร้ายแรง!")
    t.join(90)
    assert not t.is_alive()
    code, out, _err = result["r"]
    assert "changed: re-rendering th" in out
    assert pdf.read_bytes() != first
    assert "อาชญากรรมร้ายแรง" in page_text(pdf.read_bytes())


def test_proof_contact_sheet(project_copy, font_cache):
    from PIL import Image
    code, out, err = run("proof", "--project", str(project_copy), "--lang", "en,ja,th,ar", "--dpi", "20",
                         cache=font_cache)
    assert code == 0, err
    sheet = Image.open(project_copy / "output" / "proof" / "a4-leaflet.proof.png")
    one = (round(210 / 25.4 * 20), round(297 / 25.4 * 20))
    assert sheet.width >= 4 * one[0] and sheet.height >= one[1]
