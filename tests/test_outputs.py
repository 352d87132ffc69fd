"""What every built leaflet must be: scannable, extractable, embedded, print-safe."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from helpers import decode_qr, page_text, private_use, raster, squash

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
EDITIONS = ["print", "online"]
FIRST = ["en", "ja", "th"]
MM = 72 / 25.4


def test_the_first_three_languages_exist():
    assert set(FIRST) <= set(LANGS)


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_qr_decodes_to_the_campaign_url(built, workspace, lang, edition):
    urls = decode_qr(raster(built[(lang, edition)], 150))
    assert urls == [workspace.project.facts.links["report"].url]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_text_extracts_exactly(built, workspace, lang, edition):
    text = page_text(built[(lang, edition)])
    project = workspace.project
    assert project.facts.hotline_display in text, "the hotline must extract exactly, digits and dashes"
    assert not private_use(text)
    flat = squash(text)
    headline = project.string(lang, "headline")[0]
    assert squash(headline) in flat
    # every string placed on the page comes back as written in the content file, right-to-left
    # ones too (test_extraction.py compares spaces as well, and with poppler and pdfminer.six)
    for region in project.designs["a4-leaflet"].regions:
        for item in region.text:
            if item.key and not (item.unless_lang == lang):
                s = project.string(item.lang or lang, item.key)[0]
                assert squash(s) in flat, f"{item.key} does not extract"


@pytest.mark.parametrize("lang", [t for t in LANGS if t != "ja"])
def test_japanese_companion_sentence(built, workspace, lang):
    ja = workspace.project.string("ja", "shown_to")[0]
    assert squash(ja) in squash(page_text(built[(lang, "print")]))


def test_japanese_leaflet_has_no_companion_twice(built, workspace):
    ja = squash(workspace.project.string("ja", "shown_to")[0])
    assert squash(page_text(built[("ja", "print")])).count(ja) == 1


def _fonts(pdf: pikepdf.Pdf):
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            yield obj


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_font_is_embedded_and_subset(built, lang, edition):
    with pikepdf.open(io.BytesIO(built[(lang, edition)])) as pdf:
        fonts = list(_fonts(pdf))
        assert fonts
        for font in fonts:
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font.DescendantFonts[0].FontDescriptor
            assert desc is not None, f"{font.get('/BaseFont')} has no descriptor (not embedded)"
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                f"{font.get('/BaseFont')} is not embedded"
            name = str(font.BaseFont).lstrip("/")
            assert name[6] == "+" and name[:6].isupper(), f"{name} is not marked as a subset"
        # no page refers to a font that is not embedded (such as a default Helvetica)
        for page in pdf.pages:
            for name, font in page.Resources.get("/Font", {}).items():
                assert font.get("/Subtype") != "/Type1", f"{name} is a non-embedded Type 1 font"


def _operators(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for operands, op in pikepdf.parse_content_stream(page):
            yield str(op), operands


@pytest.mark.parametrize("lang", LANGS)
def test_print_is_cmyk_with_bleed_and_marks(built, lang):
    data = built[(lang, "print")]
    assert b"DeviceRGB" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        media = [float(v) for v in page.MediaBox]
        assert trim[2] - trim[0] == pytest.approx(210 * MM, abs=0.01)
        assert trim[3] - trim[1] == pytest.approx(297 * MM, abs=0.01)
        for i, sign in enumerate((-1, -1, 1, 1)):
            assert bleed[i] == pytest.approx(trim[i] + sign * 3 * MM, abs=0.01)
        assert media[0] < bleed[0] and media[2] > bleed[2], "marks need room outside the bleed"
        ops = [op for op, _ in _operators(pdf)]
        assert not {"rg", "RG"} & set(ops), "an RGB colour in the print edition"
        assert "k" in ops
        for op, operands in _operators(pdf):
            if op in ("cs", "CS"):
                assert str(operands[0]) not in ("/DeviceRGB", "/CalRGB")
        for name, xobj in page.Resources.get("/XObject", {}).items():
            assert xobj.get("/Subtype") != "/Image", "no raster image in print: the QR code is vector"
        assert str(pdf.Root.Lang) == lang
        assert str(pdf.docinfo.Title)


def test_print_qr_is_vector_black(built, workspace):
    """The QR modules are filled with K100 (0 0 0 1 k), not rich black."""
    with pikepdf.open(io.BytesIO(built[("en", "print")])) as pdf:
        fills = []
        current = None
        for op, operands in _operators(pdf):
            if op == "k":
                current = tuple(float(v) for v in operands)
            elif op == "re" or op == "f":
                fills.append(current)
        assert (0.0, 0.0, 0.0, 1.0) in fills


@pytest.mark.parametrize("lang", LANGS)
def test_online_has_links_metadata_and_no_marks(built, workspace, lang):
    facts = workspace.project.facts
    with pikepdf.open(io.BytesIO(built[(lang, "online")])) as pdf:
        page = pdf.pages[0]
        uris = {str(a.A.URI) for a in page.get("/Annots", []) if "/A" in a}
        assert f"tel:{facts.hotline_dial}" in uris
        assert facts.links["report"].url in uris
        assert facts.links["info"].url in uris
        media = [float(v) for v in page.MediaBox]
        assert media[2] - media[0] == pytest.approx(210 * MM, abs=0.01)
        info = pdf.docinfo
        assert str(info.Title) and str(info.Author) and str(info.Subject)
        assert str(pdf.Root.Lang) == lang
        ops = {op for op, _ in _operators(pdf)}
        assert "rg" in ops and "k" not in ops


def test_rendering_is_deterministic(workspace):
    from leaflets.render import ONLINE, PRINT
    for lang in FIRST:
        page, _ = workspace.composer.compose("a4-leaflet", lang)
        other, _ = workspace.composer.compose("a4-leaflet", "ar")
        a = workspace.renderer.render(page, PRINT)
        workspace.renderer.render(other, PRINT)   # something else in between
        b = workspace.renderer.render(page, PRINT)
        assert a == b
        assert workspace.renderer.render(page, ONLINE) == workspace.renderer.render(page, ONLINE)


def test_png_preview_is_the_trimmed_page(workspace, tmp_path):
    from PIL import Image
    jobs = workspace.jobs(["a4-leaflet"], ["th"], ["png"])
    (out,) = workspace.outputs(workspace.plan(jobs), tmp_path, dpi=72)
    img = Image.open(io.BytesIO(out.data))
    assert abs(img.size[0] - 595) <= 1 and abs(img.size[1] - 842) <= 1
    # the headline band is red to the very edge: no bleed or marks in the preview
    assert img.getpixel((2, 2))[0] > 200 and img.getpixel((2, 2))[1] < 90
    assert decode_qr(img.resize((img.width * 2, img.height * 2))) == ["https://www.tokumei24.jp/"]


def _to_unicode_texts(pdf: pikepdf.Pdf):
    import re as _re
    for font in _fonts(pdf):
        cmap = font.get("/ToUnicode")
        if cmap is None:
            continue
        data = cmap.read_bytes().decode("latin-1")
        for block in _re.findall(r"beginbfchar(.*?)endbfchar", data, _re.S):
            for _src, dst in _re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
                yield bytes.fromhex(dst).decode("utf-16-be")


@pytest.mark.parametrize("lang", LANGS)
def test_to_unicode_maps_have_no_private_use_characters(built, lang):
    """Extractors that ignore /ActualText read the ToUnicode maps: they must give real text too."""
    with pikepdf.open(io.BytesIO(built[(lang, "print")])) as pdf:
        texts = list(_to_unicode_texts(pdf))
        assert texts
        assert not [t for t in texts if private_use(t)]


def test_a_draft_says_so_in_the_slug_and_metadata(built):
    print_text = page_text(built[("th", "print")])
    assert "DRAFT translation, not reviewed by a native speaker" in print_text
    assert "DRAFT" not in page_text(built[("th", "online")]), "nothing outside the trim online"
    assert "source text" in page_text(built[("en", "print")])
    with pikepdf.open(io.BytesIO(built[("th", "online")])) as pdf:
        assert "DRAFT translation" in str(pdf.docinfo.Subject)
