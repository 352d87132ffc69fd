"""The print family: every format in every language, built once per session.

Each format is checked for what it promises: the trim size, the type sized
for its reading distance (measured from the font file), one hotline size in
every language, one size per fit group, QR codes that decode (also after
blur, perspective and dot gain) with modules large enough and the error
correction the design asks for, a card with a front and a back, and the
design system's checks: bleed, safe area, components.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from collections import Counter
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import pypdfium2 as pdfium
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image, ImageFilter

from leaflets.build import Workspace
from leaflets.cli import main
from leaflets.layout import qr as qrcodes
from leaflets.layout.frame import MM, Path as PathItem, Rect, TextBlock
from leaflets.model.load import load_project
from leaflets.model.schema import TextItem
from leaflets.render import ONLINE, PRINT

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
# trim (mm), reading distance (m), QR error correction, as the print-production notes and the brief ask
FORMATS = {
    "a4-leaflet": ((210, 297), 0.4, "M"),
    "a5-flyer": ((148, 210), 0.4, "M"),
    "hotline-card": ((91, 55), 0.4, "Q"),
    "a3-poster": ((297, 420), 2, "H"),
    "b3-poster": ((364, 515), 2, "H"),
    "a2-poster": ((420, 594), 3, "H"),
    "b2-poster": ((515, 728), 3, "H"),
}
POSTERS = [d for d, (_s, distance, _ec) in FORMATS.items() if distance >= 2]
SAMPLE = ["en", "ja", "th", "ar", "my"]
URL = "https://www.tokumei24.jp/"


def pt_of(mm: float) -> float:
    return mm * 72 / 25.4


@pytest.fixture(scope="module")
def cap_height(root) -> float:
    """Cap height over units per em of Noto Sans, from the font file's OS/2 table."""
    font = TTFont(root / "fonts" / "noto" / "NotoSans-Regular.ttf")
    return font["OS/2"].sCapHeight / font["head"].unitsPerEm


def floor_pt(distance_m: float, cap: float) -> float:
    """The smallest size whose capitals are 1/250 of ``distance_m`` tall."""
    return pt_of(distance_m * 1000 / 250) / cap


@pytest.fixture(scope="module")
def pages(workspace):
    """(design, lang) -> (laid-out first page, problems), for every format and language."""
    return {(d, lang): workspace.composer.compose(d, lang) for d in FORMATS for lang in LANGS}


@pytest.fixture(scope="module")
def prints(workspace, tmp_path_factory):
    """Every format x language as a print PDF (PDF/X, preflighted by the build), in memory."""
    jobs = workspace.jobs(list(FORMATS), None, ["print"])
    plan = workspace.plan(jobs)
    assert not plan.diagnostics.errors, [d.format() for d in plan.diagnostics.errors]
    return {(o.job.design, o.job.lang): o.data for o in workspace.outputs(plan, tmp_path_factory.mktemp("p"))}


@pytest.fixture(scope="module")
def onlines(workspace, pages):
    """The sample languages' online PDFs (for rasters and text)."""
    return {(d, lang): workspace.renderer.render(pages[(d, lang)][0], ONLINE) for d in FORMATS for lang in SAMPLE}


def blocks(page, key: str | None = None) -> list[TextBlock]:
    return [it for sheet in page.pages for it in sheet.items
            if isinstance(it, TextBlock) and (key is None or it.key == key)]


def qr_paths(page) -> list[tuple[int, PathItem]]:
    """(page index, path) of every QR symbol: a path of rectangles ('R' commands) only."""
    return [(i, it) for i, sheet in enumerate(page.pages) for it in sheet.items
            if isinstance(it, PathItem) and it.commands and all(c[0] == "R" for c in it.commands)]


def module_mm(path: PathItem) -> float:
    return min(c[4] for c in path.commands) / MM


def symbol_box(path: PathItem) -> tuple[float, float, float, float]:
    x0 = min(c[1] for c in path.commands)
    y0 = min(c[2] for c in path.commands)
    x1 = max(c[1] + c[3] for c in path.commands)
    y1 = max(c[2] + c[4] for c in path.commands)
    return x0, y0, x1, y1


# ---------------------------------------------------------------- every file

def test_every_format_and_language_builds_and_passes_preflight(prints):
    # the build preflights every print file and refuses one that fails: every one is here
    assert set(prints) == {(d, lang) for d in FORMATS for lang in LANGS}
    for key, data in prints.items():
        assert data.startswith(b"%PDF-"), key


def test_print_files_are_sound_pdf_x_with_exact_trim(prints, workspace):
    for (design, lang), data in prints.items():
        (w, h), _d, _ec = FORMATS[design]
        with pikepdf.open(io.BytesIO(data)) as pdf:
            problems = pdf.check_pdf_syntax() if hasattr(pdf, "check_pdf_syntax") else pdf.check()
            assert not problems, (design, lang, problems)
            want = len(workspace.project.designs[design].pages)
            assert len(pdf.pages) == want, (design, lang)
            for page in pdf.pages:
                x0, y0, x1, y1 = (float(v) for v in page.obj["/TrimBox"])
                assert abs((x1 - x0) * 25.4 / 72 - w) < 0.1 and abs((y1 - y0) * 25.4 / 72 - h) < 0.1, \
                    (design, lang, (x1 - x0) * 25.4 / 72, (y1 - y0) * 25.4 / 72)
                b = [float(v) for v in page.obj["/BleedBox"]]
                assert abs((x0 - b[0]) * 25.4 / 72 - 3) < 0.01, (design, lang)
            assert "/GTS_PDFX" in str(pdf.Root.OutputIntents[0].S)


def test_the_designs_name_their_sizes_and_distances(workspace):
    for design, ((w, h), distance, _ec) in FORMATS.items():
        d = workspace.project.designs[design]
        assert (d.width, d.height) == (w, h), design
        assert d.reading_distance == distance, design
    assert workspace.project.designs["b3-poster"].paper == "JIS-B3"
    assert workspace.project.designs["hotline-card"].paper == "card"


# ------------------------------------------------------------ reading distance

def test_the_type_scale_measures_the_cap_height_from_the_font(root, cap_height):
    text = (root / "content" / "designs" / "shared" / "type.yaml").read_text(encoding="utf-8")
    declared = float(re.search(r"^cap_height: ([0-9.]+)", text, re.M).group(1))
    assert abs(declared - cap_height) < 0.0005, (declared, cap_height)
    assert 0.69 < cap_height < 0.73       # "about 0.7 x the point size"


def test_text_is_sized_for_the_reading_distance(workspace, pages, cap_height):
    """Body and display text at least the size whose capitals are 1/250 of the reading distance; the
    hotline readable from twice it; text read up close (the QR caption, the sentence for helpers, a
    poster's picture captions) from 0.4 m; the imprint at the 6 pt print floor. Computed here from the
    distances and the font, not from the loader's numbers."""
    for (design, lang), (page, _problems) in pages.items():
        d = workspace.project.designs[design]
        distance = FORMATS[design][1]
        styles = {item.label: d.styles[item.style] for r in d.regions for item in r.text}
        for block in blocks(page):
            if block.key == "draft-mark":
                continue
            style = styles[block.key]
            need = {"display": floor_pt(distance, cap_height), "body": floor_pt(distance, cap_height),
                    "hotline": floor_pt(2 * distance, cap_height), "near": floor_pt(0.4, cap_height),
                    "fine": 6.0}[style.role]
            assert block.size >= max(need, 6.0) - 1e-6, (design, lang, block.key, style.role, block.size, need)


def test_body_floors_are_what_the_distances_ask(cap_height):
    # 0.4 m: capitals of 1.6 mm; 2 m: 8 mm; 3 m: 12 mm
    assert 6.3 < floor_pt(0.4, cap_height) < 6.4
    assert 31.7 < floor_pt(2, cap_height) < 31.8
    assert 47.6 < floor_pt(3, cap_height) < 47.7


def test_the_hotline_has_one_size_per_format_and_is_never_smaller_than_help(pages):
    for design in FORMATS:
        sizes = {lang: [b.size for b in blocks(pages[(design, lang)][0], "fact:hotline.display")] for lang in LANGS}
        assert all(len(v) == 1 for v in sizes.values()), (design, sizes)
        assert len({v[0] for v in sizes.values()}) == 1, (design, sizes)
        for lang in LANGS:
            page = pages[(design, lang)][0]
            help_ = blocks(page, "help.title")
            assert help_, (design, lang)
            assert sizes[lang][0] >= max(b.size for b in help_) - 1e-9, (design, lang)
            # never broken: one line
            assert blocks(page, "fact:hotline.display")[0].lines == 1


def test_fit_groups_end_at_one_size_per_page(workspace, pages):
    for (design, lang), (page, _problems) in pages.items():
        d = workspace.project.designs[design]
        groups: dict[str, dict[str, set]] = {}
        for region in d.regions:
            if region.fit:
                for item in region.text:
                    groups.setdefault(region.fit, {}).setdefault(item.style, set()).add(item.label)
        for index, sheet in enumerate(page.pages):
            for group, by_style in groups.items():
                for style, keys in by_style.items():
                    sizes = {round(it.size, 6) for it in sheet.items if isinstance(it, TextBlock) and it.key in keys}
                    assert len(sizes) <= 1, (design, lang, index, group, style, sizes)
    assert any(r.fit == "panel-text" for r in workspace.project.designs["a4-leaflet"].regions)


def test_pictograms_are_sized_for_the_reading_distance(workspace):
    for design, (_size, distance, _ec) in FORMATS.items():
        d = workspace.project.designs[design]
        for region in d.regions:
            if region.pictogram:
                x, y, w, h = region.box(d)
                pt, pr, pb, pl = region.padding
                assert min(w - pl - pr, h - pt - pb) >= distance * 1000 / 60 - 0.01, (design, region.id)


# ------------------------------------------------------------------ QR codes

def test_qr_modules_and_error_correction_are_as_designed(workspace, pages):
    for design, (_size, distance, ec) in FORMATS.items():
        for lang in LANGS:
            found = qr_paths(pages[(design, lang)][0])
            assert len(found) == 1, (design, lang)
            _i, path = found[0]
            n = round((symbol_box(path)[2] - symbol_box(path)[0]) / (module_mm(path) * MM))
            assert n == len(qrcodes.matrix(URL, ec)) == 17 + 4 * qrcodes.version(URL, ec), (design, n)
            least = 1.0 if distance >= 2 else 0.4 if design == "hotline-card" else 0.33
            assert module_mm(path) >= least, (design, module_mm(path))
        d = workspace.project.designs[design]
        assert [r.qr_ec for r in d.regions if r.qr] == [ec]
    # the versions the encoder picks for the report address
    assert [qrcodes.version(URL, level) for level in "MQH"] == [2, 3, 4]


def _raster(pdf: bytes, page: int, dpi: float, grey: bool = False):
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[page].render(scale=dpi / 72, grayscale=grey).to_pil().convert("L" if grey else "RGB")
    finally:
        doc.close()


def _decoded(image) -> list:
    return [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode and r.valid]


def test_every_print_file_renders_in_pdfium_and_its_qr_code_decodes_at_150_dpi(prints, pages, workspace):
    """Every format x language, print edition as built: every page renders in PDFium at 150 dpi, not blank,
    and the QR code read from that raster (around the symbol, its quiet zone and more) is the report URL."""
    dpi = 150
    k = dpi / 72
    for (design, lang), data in prints.items():
        spec = workspace.project.designs[design]
        margin = (spec.bleed + spec.slug) * MM
        (index, path), = qr_paths(pages[(design, lang)][0])
        doc = pdfium.PdfDocument(data)
        try:
            for i in range(len(doc)):
                image = doc[i].render(scale=k, grayscale=True).to_pil().convert("L")
                w, h = image.size
                assert abs(w - (spec.width * MM + 2 * margin) * k) <= 1.5, (design, lang, image.size)
                assert image.getextrema()[0] < 60, (design, lang, i, "the page rendered blank")
                if i != index:
                    continue
                x0, y0, x1, y1 = symbol_box(path)
                pad = 12 * MM
                crop = image.crop((int((margin + x0 - pad) * k), int((margin + y0 - pad) * k),
                                   int((margin + x1 + pad) * k), int((margin + y1 + pad) * k)))
                assert [r.text for r in _decoded(crop)] == [URL], (design, lang)
        finally:
            doc.close()


def test_the_qr_code_decodes_from_a_raster_of_every_format(onlines, pages):
    for (design, lang), pdf in onlines.items():
        if lang not in ("en", "ar"):
            continue
        (index, path), = qr_paths(pages[(design, lang)][0])
        dpi = max(72, 3.5 * 25.4 / module_mm(path))      # modules of 3.5 pixels at least
        found = _decoded(_raster(pdf, index, dpi, grey=True))
        assert [r.text for r in found] == [URL], (design, lang, dpi)
        assert found[0].ec_level == FORMATS[design][2], (design, found[0].ec_level)


def _print_size_view(pdf: bytes, page_index: int, path: PathItem, px_per_mm: float = 8):
    """The symbol's neighbourhood as a phone sees it at print size: 8 pixels a millimetre."""
    x0, y0, x1, y1 = symbol_box(path)
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[page_index]
        ml, mb, mr, mt = page.get_mediabox()
        tl, _tb, _tr, tt = page.get_trimbox()       # frames are measured from the trim's top left corner
        scale = px_per_mm / MM
        margin = 6 * module_mm(path) * MM
        left, top = tl - ml + x0 - margin, mt - tt + y0 - margin
        right, bottom = (mr - ml) - (tl - ml + x1 + margin), (mt - mb) - (mt - tt + y1 + margin)
        crop = (max(0, left), max(0, bottom), max(0, right), max(0, top))
        return page.render(scale=scale, crop=crop, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def _smudged(image, blur: float, gain: int, tilt: float):
    """Blur, dot gain (dark modules grow) and a slight perspective."""
    out = image.filter(ImageFilter.GaussianBlur(blur)).filter(ImageFilter.MinFilter(gain))
    w, h = out.size
    d = tilt * w
    # a quadrilateral: the top edge narrower than the bottom, as when the phone is held below the code
    coeffs = _perspective([(d, 0), (w - d, 0), (w, h), (0, h)], [(0, 0), (w, 0), (w, h), (0, h)])
    return out.transform((w, h), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=255)


def _perspective(src, dst):
    """Coefficients that map output points ``dst`` to input points ``src`` (PIL's convention)."""
    rows = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    # Gauss-Jordan elimination with partial pivoting on the 8 x 9 augmented matrix
    n = 8
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        p = rows[col][col]
        rows[col] = [v / p for v in rows[col]]
        for r in range(n):
            if r != col and rows[r][col]:
                f = rows[r][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[col])]
    return [rows[r][n] for r in range(n)]


@pytest.mark.parametrize("design", POSTERS + ["hotline-card"])
def test_the_qr_code_survives_blur_perspective_and_dot_gain_at_print_size(design, prints, pages):
    (index, path), = qr_paths(pages[(design, "en")][0])
    pdf = prints[(design, "en")]
    view = _print_size_view(pdf, index, path)
    px = module_mm(path) * 8
    assert _decoded(view), design
    # blur of a fifth of a module, dark modules grown by about a tenth of one, a 6 % keystone
    harsh = _smudged(view, blur=max(0.8, px / 5), gain=3 if px < 10 else 5, tilt=0.06)
    found = _decoded(harsh)
    assert [r.text for r in found] == [URL], (design, px)


# ------------------------------------------------------------------- the card

def test_the_card_has_a_front_and_a_back_with_their_strings(onlines, workspace):
    project = workspace.project
    for lang in SAMPLE:
        pdf = onlines[("hotline-card", lang)]
        doc = pdfium.PdfDocument(pdf)
        try:
            assert len(doc) == 2
            front, back = ("".join(doc[i].get_textpage().get_text_range().split()) for i in range(2))
        finally:
            doc.close()

        def has(text: str, key: str, in_lang: str | None = None) -> bool:
            return "".join(project.string(in_lang or lang, key)[0].split()) in text

        assert has(front, "headline") and "0120-924-839" in front and "www.tokumei24.jp" in front, lang
        assert not has(front, "help.body"), lang
        assert has(back, "help.title") and has(back, "help.body"), lang
        # the sentence for helpers, the card's own ("this card"), in the card's language and in Japanese
        assert has(back, "card.shown_to", "ja"), lang
        assert has(back, "card.shown_to"), lang
        assert not has(back, "shown_to", "ja") and "リーフレット" not in back, lang
        assert "0120-924-839" not in back, lang


def test_the_card_previews_one_png_per_page(project_copy, font_cache, tmp_path):
    code = main(["build", "--project", str(project_copy), "--design", "hotline-card", "--lang", "th", "--edition",
                 "png", "--out", str(tmp_path / "o"), "--cache", str(font_cache), "--dpi", "150", "-q"])
    assert code == 0
    files = sorted(p.name for p in (tmp_path / "o" / "hotline-card").iterdir())
    assert files == ["hotline-card.th.back.png", "hotline-card.th.png"]
    for name in files:
        image = Image.open(tmp_path / "o" / "hotline-card" / name)
        w, h = image.size
        assert abs(w - 91 / 25.4 * 150) <= 1 and abs(h - 55 / 25.4 * 150) <= 1, image.size


def test_every_language_has_the_cards_own_sentence(workspace):
    """card.shown_to: translated in every language (not the English fallback), never the leaflet's sentence."""
    project = workspace.project
    for lang in LANGS:
        text, fallback = project.string(lang, "card.shown_to")
        assert not fallback, lang
        assert text != project.string(lang, "shown_to")[0], lang
        if lang != "en":
            assert project.languages[lang].strings["card.shown_to"].source == \
                project.source.strings["card.shown_to"].text, lang


def test_no_address_breaks_in_any_format_or_language(pages):
    """Every web address (found by its form, in facts and in strings alike) stays on one line, on every page
    of every format in every language."""
    from leaflets.text.linebreak import url_spans
    broken = []
    for (design, lang), (page, _problems) in pages.items():
        for block in blocks(page):
            spans = url_spans(block.text)
            if not spans:
                continue
            starts: dict[float, int] = {}
            for run in block.runs:
                starts[run.y] = min(starts.get(run.y, run.start), run.start)
            later = sorted(starts.values())[1:]          # where each line after the first begins
            broken += [(design, lang, block.key, block.text[a:b]) for a, b in spans if any(a < s < b for s in later)]
    assert not broken, broken
    assert any(url_spans(b.text) for b in blocks(pages[("a4-leaflet", "ja")][0]))


def _registration_strokes(page) -> list[tuple[float, float, float, float]]:
    """Every stroked line segment painted in registration colour (CMYK 1 1 1 1: the printer's marks) on a
    pikepdf page, as (x0, y0, x1, y1) in points on the page, through every cm."""
    ctm, stroke, stack, path, out = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), None, [], [], []

    def apply(m, x, y):
        return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "q":
            stack.append((ctm, stroke))
        elif op == "Q":
            ctm, stroke = stack.pop()
        elif op == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            A, B, C, D, E, F = ctm
            ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
        elif op == "K":
            stroke = tuple(float(v) for v in operands)
        elif op in ("CS", "SC", "SCN", "G", "RG"):
            stroke = None
        elif op == "m":
            path = [apply(ctm, float(operands[0]), float(operands[1]))]
        elif op == "l":
            path.append(apply(ctm, float(operands[0]), float(operands[1])))
        elif op in ("S", "s", "B", "b", "n", "f", "F", "f*", "B*", "b*"):
            if op in ("S", "s") and stroke == (1.0, 1.0, 1.0, 1.0):
                out += [(*path[i], *path[i + 1]) for i in range(len(path) - 1)]
            path = []
    return out


def _text_boxes(page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(text, box) of every string a TJ/Tj shows on a pikepdf page, its box from the font's /Widths, the
    text matrix and the CTM, and the font descriptor's /Ascent and /Descent (simple fonts, as the painter
    writes them)."""
    fonts = page.Resources.get("/Font", {})
    ctm, stack, out = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], []
    font, size, tm, rise = None, 0.0, None, 0.0

    def mul(m, n):
        a, b, c, d, e, f = m
        A, B, C, D, E, F = n
        return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)

    def pt(m, x, y):
        return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]

    def show(items):
        nonlocal tm
        first = int(font.get("/FirstChar", 0))
        widths = [float(w) for w in font.get("/Widths", [])]
        desc = font.get("/FontDescriptor", {})
        ascent, descent = float(desc.get("/Ascent", 1000)) / 1000, float(desc.get("/Descent", -300)) / 1000
        for item in items:
            if isinstance(item, (int, float, Decimal)):
                tm = mul((1, 0, 0, 1, -float(item) / 1000 * size, 0), tm)
                continue
            for code in bytes(item):
                w = widths[code - first] / 1000 * size if 0 <= code - first < len(widths) else 0.0
                m = mul(tm, ctm)
                corners = [pt(m, x, y) for x in (0, w) for y in (descent * size + rise, ascent * size + rise)]
                xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                out.append((chr(code), (min(xs), min(ys), max(xs), max(ys))))
                tm = mul((1, 0, 0, 1, w, 0), tm)

    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = mul(tuple(float(v) for v in operands), ctm)
        elif op == "BT":
            tm, rise = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0.0
        elif op == "Tf":
            font, size = fonts[str(operands[0])], float(operands[1])
        elif op == "Tm":
            tm = tuple(float(v) for v in operands)
        elif op == "Td":
            tm = mul((1, 0, 0, 1, float(operands[0]), float(operands[1])), tm)
        elif op == "Ts":
            rise = float(operands[0])
        elif op == "TJ":
            show(list(operands[0]))
        elif op == "Tj":
            show([operands[0]])
    return out


def _slug_crossings(data: bytes) -> tuple[list, list, list]:
    """Per page: the marks, the slug's characters, and every (character, mark) that touch."""
    marks_all, chars_all, crossings = [], [], []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for i, page in enumerate(pdf.pages):
            bleed = [float(v) for v in page.BleedBox]
            marks = _registration_strokes(page)
            chars = [(ch, box) for ch, box in _text_boxes(page) if box[3] <= bleed[1] or box[1] >= bleed[3]
                     or box[2] <= bleed[0] or box[0] >= bleed[2]]     # printed wholly outside the bleed
            half = 0.125       # half the marks' 0.25 pt line
            for ch, (l, b, r, t) in chars:
                for x0, y0, x1, y1 in marks:
                    if min(x0, x1) - half < r and max(x0, x1) + half > l and \
                            min(y0, y1) - half < t and max(y0, y1) + half > b:
                        crossings.append((i, ch, (round(l, 1), round(b, 1)), (round(x0, 1), round(y0, 1))))
            marks_all.append(marks)
            chars_all.append(chars)
    return marks_all, chars_all, crossings


def test_the_slug_never_touches_a_trim_or_centre_mark(prints, workspace):
    """Every format in every language (print edition, as built): no glyph of the slug line (its box from
    the font's widths, ascent and descent) touches a mark (both read from the content stream)."""
    bad = []
    for (design, lang), data in prints.items():
        marks, chars, crossings = _slug_crossings(data)
        assert all(marks) and all(chars), (design, lang)
        assert len(chars[0]) > 20, (design, lang)
        bad += [(design, lang, c) for c in crossings]
    assert not bad, bad[:20]


def test_western_marks_on_request_and_the_slug_still_clear(workspace, pages):
    """Japanese double marks (trim and bleed) by default; western single marks with --marks western; the
    slug touches neither, on every format in every language."""
    import dataclasses
    western = dataclasses.replace(PRINT, marks="western")
    bad = []
    for (design, lang), (page, _p) in pages.items():
        for options in ((PRINT, western) if lang in SAMPLE else (western,)):
            data = workspace.renderer.render(page, options)
            marks, _chars, crossings = _slug_crossings(data)
            bad += [(design, lang, options.marks, c) for c in crossings]
            if lang == "en":
                with pikepdf.open(io.BytesIO(data)) as pdf:
                    trim = [float(v) for v in pdf.pages[0].TrimBox]
                    bleed = [float(v) for v in pdf.pages[0].BleedBox]
                # the vertical marks below the bleed: at the trim's edges, and for Japanese marks the bleed's
                xs = {round(x0, 1) for x0, y0, x1, y1 in marks[0] if abs(x0 - x1) < 0.01 and max(y0, y1) <= bleed[1] + 0.01}
                corners = {round(trim[0], 1), round(trim[2], 1)}
                doubles = {round(bleed[0], 1), round(bleed[2], 1)}
                assert corners <= xs, (design, options.marks, xs)
                assert (doubles <= xs) == (options.marks == "japanese"), (design, options.marks, xs)
                assert round((trim[0] + trim[2]) / 2, 1) in xs, "the centre mark"
    assert not bad, bad[:20]


def test_build_marks_western_on_the_command_line(project_copy, font_cache, tmp_path):
    out = tmp_path / "o"
    code = main(["build", "--project", str(project_copy), "--design", "hotline-card", "--lang", "vi", "--edition",
                 "print", "--marks", "western", "--out", str(out), "--cache", str(font_cache), "-q"])
    assert code == 0
    data = (out / "hotline-card" / "hotline-card.vi.print.pdf").read_bytes()
    marks, chars, crossings = _slug_crossings(data)
    assert not crossings and chars[0]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        bleed = [float(v) for v in pdf.pages[0].BleedBox]
    assert not any(abs(x0 - x1) < 0.01 and abs(x0 - bleed[0]) < 0.05 for x0, _y0, x1, _y1 in marks[0])
    err = io.StringIO()
    assert main(["build", "--project", str(project_copy), "--marks", "crop"], io.StringIO(), err) == 2


def test_the_proof_shows_every_page_of_a_design(workspace, pages, project_copy, font_cache):
    """The contact sheet of the card shows its front and its back, for every language on it."""
    from leaflets.proof import contact_sheet
    from leaflets.render import png as pngs
    dpi = 36
    sheet = contact_sheet(workspace, "hotline-card", ["en", "ar"], dpi).convert("RGB")
    pad = 16        # the contact sheet's margin
    for i, lang in enumerate(["en", "ar"]):
        page = pages[("hotline-card", lang)][0]
        pdf = workspace.renderer.render(page, ONLINE)
        front, back = (pngs.rasterise(pdf, dpi, page=k).convert("RGB") for k in (0, 1))
        step = round((page.width + page.width / 12) * dpi / 72)
        thumb_w = step + back.width
        x0 = pad + i * (thumb_w + pad)
        for k, image in enumerate((front, back)):
            crop = sheet.crop((x0 + k * step, pad, x0 + k * step + image.width, pad + image.height))
            a, b = crop.tobytes(), image.tobytes()          # RGB: three bytes a pixel
            same = sum(a[j:j + 3] == b[j:j + 3] for j in range(0, len(b), 3))
            assert same >= 0.97 * image.width * image.height, (lang, k, same)
        assert front.tobytes() != back.tobytes()
    code = main(["proof", "--project", str(project_copy), "--design", "hotline-card", "--lang", "en", "--dpi", "20",
                 "--cache", str(font_cache)])
    assert code == 0
    image = Image.open(project_copy / "output" / "proof" / "hotline-card.proof.png")
    assert image.width > 2 * 91 / 25.4 * 20, image.size      # two pages wide


def test_the_card_rebuilds_byte_for_byte(workspace, pages):
    page = pages[("hotline-card", "ar")][0]
    a = workspace.renderer.render(page, PRINT)
    again, _ = workspace.composer.compose("hotline-card", "ar")
    assert workspace.renderer.render(again, PRINT) == a


# ------------------------------------------------------------------- the A4

def test_the_a4_shown_to_box_stands_clear_of_the_help_band(pages):
    for lang in SAMPLE:
        page = pages[("a4-leaflet", lang)][0]
        rects = [it for it in page.items if isinstance(it, Rect)]
        navy = next(r for r in rects if r.fill is not None and r.fill.name == "navy" and r.y > 200 * MM)
        box = next(r for r in rects if r.stroke is not None and r.stroke.name == "navy")
        gap = (box.y - (navy.y + navy.h)) / MM
        assert 2.5 <= gap <= 4, (lang, gap)


def test_the_a4_qr_code_fills_its_card(pages):
    (i, path), = qr_paths(pages[("a4-leaflet", "en")][0])
    x0, y0, x1, y1 = symbol_box(path)
    assert (x1 - x0) / MM > 24.5 and module_mm(path) >= 0.99      # it was 22 mm, modules of 0.88 mm
    page = pages[("a4-leaflet", "en")][0]
    card = next(it for it in page.items if isinstance(it, Rect) and it.fill is not None and it.fill.name == "paper"
                and it.x <= x0 and x1 <= it.x + it.w)
    # the quiet zone is the card's white
    quiet = 4 * module_mm(path) * MM
    assert card.x <= x0 - quiet + 1e-6 and x1 + quiet <= card.x + card.w + 1e-6
    assert card.y <= y0 - quiet + 1e-6


def _triangle(page, region_box):
    """The play triangle: the three-point path inside the film-contract pictogram's box."""
    x, y, w, h = region_box
    for it in page.items:
        if isinstance(it, PathItem) and len(it.commands) == 4 and it.commands[-1] == ("Z",):
            pts = [c[1:3] for c in it.commands[:3]]
            if all(x <= px <= x + w and y <= py <= y + h for px, py in pts):
                return pts
    return None


def test_the_camera_keeps_its_play_triangle_pointing_right_in_arabic(workspace, pages):
    design = workspace.project.designs["a4-leaflet"]
    picto = next(r for r in design.regions if r.pictogram == "film-contract")
    for lang in ("en", "ar"):
        composer = workspace.composer
        box = composer._region_box(picto, design, workspace.project.languages[lang].rtl)
        pts = _triangle(pages[("a4-leaflet", lang)][0], box)
        assert pts is not None, lang
        apex = max(pts, key=lambda p: p[0])
        others = [p for p in pts if p is not apex]
        assert all(apex[0] > p[0] + 1 for p in others), (lang, pts)     # it points right
    # and the pictogram as a whole is mirrored: the camera's body moves to the other side
    en = _triangle(pages[("a4-leaflet", "en")][0], workspace.composer._region_box(picto, design, False))
    ar = _triangle(pages[("a4-leaflet", "ar")][0], workspace.composer._region_box(picto, design, True))
    assert en != ar


# ----------------------------------------------------------- the draft mark

def test_every_page_of_every_format_carries_its_draft_mark(pages, workspace):
    for (design, lang), (page, problems) in pages.items():
        assert not [p for p in problems if p.kind == "draft-mark"], (design, lang)
        draft = workspace.project.languages[lang].review_status not in ("source", "reviewed")
        for sheet in page.pages:
            marks = [it for it in sheet.items if isinstance(it, TextBlock) and it.key == "draft-mark"]
            assert len(marks) == (1 if draft else 0), (design, lang, sheet.name)


# ------------------------------------------------------- the local-contact slot

def test_a_local_contact_block_replaces_the_slot_and_only_it(workspace):
    official, _ = workspace.composer.compose("a4-leaflet", "th")
    assert blocks(official, "call_to_report")
    block = [TextItem(style="call", key="info.title"), TextItem(style="call", fact="links.info.display")]
    filled, problems = workspace.composer.compose("a4-leaflet", "th", local_contact=block)
    assert not blocks(filled, "call_to_report")
    assert not [p for p in problems if p.diagnostic.severity == "error"]
    # the slot's paragraphs changed, nothing else: the block's two paragraphs took the call's place
    before = Counter(b.key for b in blocks(official))
    after = Counter(b.key for b in blocks(filled))
    assert after - before == Counter({"info.title": 1, "fact:links.info.display": 1})
    assert before - after == Counter({"call_to_report": 1})
    call = next(b for b in blocks(official) if b.key == "call_to_report")
    new = [b for b in blocks(filled) if b.key in ("info.title", "fact:links.info.display") and
           call.box[1] - 10 < b.box[1] < call.box[1] + call.box[3] + 10]
    assert len(new) == 2
    with pytest.raises(ValueError):
        workspace.composer.compose("a4-leaflet", "th", local_contact=[TextItem(style="no-such-style", key="x")])


# ------------------------------------------------------- the design system's checks

def _errors(project: Path) -> list[str]:
    _p, diags = load_project(project)
    return [d.format(project) for d in diags.errors]


def _design(project: Path, name: str) -> Path:
    return project / "content" / "designs" / f"{name}.yaml"


def _line(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[:text.index(needle)].count("\n") + 1


def _add_region(project: Path, design: str, region: str) -> int:
    """Append a region to a one-page design; the line it starts on."""
    path = _design(project, design)
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(text + region, encoding="utf-8")
    return text.count("\n") + 1


SIDES = {"left": "[0, 30, 5, 5]", "right": "[37, 30, 5, 5]", "top": "[10, 0, 5, 5]", "bottom": "[10, 94, 5, 5]"}


@pytest.mark.parametrize("side", sorted(SIDES))
def test_a_fill_on_the_trim_without_bleed_is_an_error_at_its_line(project_copy, side):
    line = _add_region(project_copy, "a4-leaflet", f"  - {{id: patch, at: {SIDES[side]}, fill: red}}\n")
    errors = _errors(project_copy)
    hit = [e for e in errors if "patch" in e and f"the {side} edge" in e]
    assert hit and hit[0].startswith(f"content/designs/a4-leaflet.yaml:{line}: error"), errors
    assert "bleed" in hit[0]


@pytest.mark.parametrize("side", sorted(SIDES))
def test_a_fill_with_bleed_on_the_trim_is_fine_and_bleed_away_from_it_is_not(project_copy, side):
    _add_region(project_copy, "a4-leaflet", f"  - {{id: patch, at: {SIDES[side]}, fill: red, bleed: [{side}]}}\n")
    assert not [e for e in _errors(project_copy) if "patch" in e]
    other = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}[side]
    path = _design(project_copy, "a4-leaflet")
    path.write_text(path.read_text(encoding="utf-8").replace(f"bleed: [{side}]}}", f"bleed: [{side}, {other}]}}"),
                    encoding="utf-8")
    assert [e for e in _errors(project_copy) if "patch" in e and f"bleeds on the {other}" in e]


@pytest.mark.parametrize("padding,ok", [(0, False), (1, False), (2.9, False), (3, True), (5, True)])
def test_text_outside_the_safe_area_is_an_error_at_its_line(project_copy, padding, ok):
    line = _add_region(project_copy, "a4-leaflet",
                       f"  - id: stray\n    at: [0, 40, 4, 2]\n    padding: [0, 0, 0, {padding}]\n"
                       f"    text:\n      - {{key: info.title, style: footer}}\n")
    errors = [e for e in _errors(project_copy) if "stray" in e]
    if ok:
        assert not errors
    else:
        assert errors and errors[0].startswith(f"content/designs/a4-leaflet.yaml:{line}: error"), errors
        assert "left edge" in errors[0] and "design.safe" in errors[0]


def test_a_qr_code_whose_quiet_zone_leaves_the_safe_area_is_an_error(project_copy):
    path = _design(project_copy, "a3-poster")
    line = _add_region(project_copy, "a3-poster", "  - {id: stray-qr, at: [0, 60, 4, 4], qr: report}\n")
    errors = [e for e in _errors(project_copy) if "stray-qr" in e]
    assert errors and errors[0].startswith(f"content/designs/a3-poster.yaml:{line}: error"), errors
    assert "QR code (and its quiet zone)" in errors[0] and path.exists()


def test_a_component_with_a_wrong_parameter_names_the_use_and_the_component(project_copy):
    design = _design(project_copy, "a4-leaflet")
    components = project_copy / "content" / "designs" / "shared" / "components.yaml"
    text = design.read_text(encoding="utf-8")
    old = "{use: scenario-panel, with: {scenario: labour, pictogram: forced-labour}"
    use = _line(design, old)
    # a scenario the strings do not have: the keys the component makes from it are unknown
    design.write_text(text.replace(old, "{use: scenario-panel, with: {scenario: labor, pictogram: forced-labour}"),
                      encoding="utf-8")
    errors = _errors(project_copy)
    part = _line(components, '- {key: "scenario.{scenario}.title"')
    hit = [e for e in errors if "scenario.labor.title" in e]
    assert hit and all(h.startswith(f"content/designs/a4-leaflet.yaml:{use}: error") for h in hit), errors
    assert any(f"content/designs/shared/components.yaml:{part}" in h for h in hit), hit
    # a parameter the component does not take
    design.write_text(text.replace(old, "{use: scenario-panel, with: {scenario: labour, picture: forced-labour}"),
                      encoding="utf-8")
    errors = _errors(project_copy)
    hit = [e for e in errors if "no parameter 'picture'" in e]
    assert hit and hit[0].startswith(f"content/designs/a4-leaflet.yaml:{use}: error"), errors
    assert re.search(r"content/designs/shared/components\.yaml:\d+", hit[0]), hit[0]
    # a value of the wrong kind, where the component uses it as a number
    design.write_text(text.replace(old, "{use: scenario-panel, with: {scenario: labour, pictogram: forced-labour, "
                                        "radius: wide}"), encoding="utf-8")
    errors = _errors(project_copy)
    radius = _line(components, 'radius: "{radius}"')
    hit = [e for e in errors if "radius" in e]
    assert hit and hit[0].startswith(f"content/designs/a4-leaflet.yaml:{use}: error"), errors
    assert f"components.yaml:{radius}" in hit[0], hit[0]


def test_a_component_part_repeats_no_id(project_copy):
    design = _design(project_copy, "a4-leaflet")
    text = design.read_text(encoding="utf-8")
    old = "{use: scenario-panel, with: {scenario: labour, pictogram: forced-labour}"
    design.write_text(text.replace(old, "{use: scenario-panel, with: {scenario: sns, pictogram: forced-labour}"),
                      encoding="utf-8")
    assert [e for e in _errors(project_copy) if "region id 'panel-sns' is used twice" in e]


@pytest.mark.parametrize("size,words", [("B3", "JIS-B3 is 364 x 515"), ("A9", "not a named size"),
                                        ("a4", "did you mean 'A4'"), ("{width: 91}", "missing key 'height'")])
def test_named_sizes_and_their_mistakes(project_copy, size, words):
    path = _design(project_copy, "a5-flyer")
    path.write_text(path.read_text(encoding="utf-8").replace("size: A5", f"size: {size}"), encoding="utf-8")
    errors = _errors(project_copy)
    assert [e for e in errors if words in e and e.startswith("content/designs/a5-flyer.yaml:")], errors


def test_a_style_too_small_for_the_distance_is_an_error(project_copy):
    path = _design(project_copy, "a3-poster")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("type: {reading_distance: 2, base: 34}", "type: {reading_distance: 2, base: 20}"),
                    encoding="utf-8")
    errors = _errors(project_copy)
    assert [e for e in errors if "smaller than what this format's readers read" in e and "from 2 m" in e], errors
    # a fixed hotline that does not read from twice the distance
    path.write_text(text.replace("hotline: {size: 65,", "hotline: {size: 40,"), encoding="utf-8")
    errors = _errors(project_copy)
    assert [e for e in errors if "style 'hotline' (hotline) is 40 pt" in e and "from 4 m" in e], errors


def test_a_fixed_hotline_that_cannot_fit_names_language_item_and_mm(project_copy, font_cache):
    path = _design(project_copy, "hotline-card")
    text, n = re.subn(r"(- id: hotline\n\s+at: \[\d+, \d+, )60(, \d+\])", r"\g<1>40\2",
                      path.read_text(encoding="utf-8"))
    assert n == 1
    path.write_text(text, encoding="utf-8")
    ws = Workspace(project_copy, font_cache)
    _page, problems = ws.composer.compose("hotline-card", "ja")
    hit = [p.diagnostic.message for p in problems if "fixed text 'fact:hotline.display'" in p.diagnostic.message]
    assert hit and hit[0].startswith("ja:") and re.search(r"is \d+\.\d mm wider than box 'hotline' \(40\.0 mm\)",
                                                          hit[0]), hit


def test_check_covers_every_format(project_copy, font_cache, capsys):
    # an overflow only the card has: its back's sentence for helpers in a box made too small
    path = _design(project_copy, "hotline-card")
    path.write_text(path.read_text(encoding="utf-8").replace("at: [4, 26, 83, 22]", "at: [4, 26, 83, 9]"),
                    encoding="utf-8")
    code = main(["check", "--project", str(project_copy), "--cache", str(font_cache)])
    out = capsys.readouterr().out
    assert code == 1
    assert "in hotline-card" in out and "shown-to" in out


def test_building_one_format_by_name(project_copy, font_cache, tmp_path):
    code = main(["build", "--project", str(project_copy), "--design", "b3-poster", "--lang", "en", "--edition",
                 "online", "--out", str(tmp_path / "o"), "--cache", str(font_cache), "-q"])
    assert code == 0
    assert [p.name for p in (tmp_path / "o").rglob("*.pdf")] == ["b3-poster.en.online.pdf"]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler) is not installed")
def test_the_card_back_extracts_with_poppler(onlines, tmp_path, workspace):
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(onlines[("hotline-card", "th")])
    back = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "HELP" in back
    ja = workspace.project.string("ja", "card.shown_to")[0]
    assert "".join(ja.split()) in "".join(back.split()) and "カード" in ja
