"""Imposition: finished pages on sheets.  Source PDFs are made here with reportlab
(CMYK, TrimBox/BleedBox, a coloured marker per page at a known spot, a QR-like
finder pattern in the top left corner, overprinting black text in an embedded
font); the sheets are read back with pikepdf (boxes, content streams, fonts,
PDF/X markers) and rasterised with pypdfium2 (where each page landed)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import random
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from leaflets.cli import main
from leaflets.errors import UsageError
from leaflets.impose import LAYOUTS, ImpositionError, Layout, impose
from leaflets.render import pdfx

ROOT = Path(__file__).resolve().parent.parent
MM = 72 / 25.4
FONT = "ImposeNotoSans"
pdfmetrics.registerFont(TTFont(FONT, str(ROOT / "fonts" / "noto" / "NotoSans-Regular.ttf")))

# marker colours, CMYK, far apart once rendered
PALETTE = [(1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 0, 1), (1, 1, 0, 0), (0, 1, 1, 0), (1, 0, 0.6, 0),
           (0.5, 0, 1, 0.3), (0, 0.5, 0, 0.6), (1, 0.5, 0, 0), (0, 0, 0.4, 0.7), (0.3, 1, 0, 0.2), (0.6, 0.6, 0, 0)]
BLEED_BAND = (1, 0, 1, 0)      # green: between trim and BleedBox
SLUG = (0, 0, 1, 0)            # yellow: beyond the BleedBox, never on a sheet
FINDER = 7.0                   # mm, at 4 mm from the trim's top left corner
DPI = 150


class Canvas(canvas.Canvas):
    """reportlab's canvas without its initial (unembedded) Helvetica: every font used is embedded."""

    def _make_preamble(self):
        self._preamble = "1 0 0 1 0 0 cm"


def make_pdf(w: float, h: float, n: int = 1, *, bleed: float = 3.0, slug: float = 10.0, first: int = 0,
             trimbox: bool = True, bleedbox: bool = True, label: str = "Card") -> bytes:
    """``n`` pages of trim ``w`` x ``h`` mm: page i's marker (6 mm square at the trim's centre) has colour
    PALETTE[first + i]; the bleed band is green, the slug yellow; 'Card <k>' in Noto Sans, K100 overprinting."""
    buf = io.BytesIO()
    o = (bleed + slug) * MM
    W, H = w * MM + 2 * o, h * MM + 2 * o
    c = Canvas(buf, pagesize=(W, H), invariant=1, pageCompression=1)
    for i in range(n):
        if trimbox:
            c.setTrimBox((o, o, o + w * MM, o + h * MM))
        if bleedbox:
            c.setBleedBox((o - bleed * MM, o - bleed * MM, o + (w + bleed) * MM, o + (h + bleed) * MM))
        c.setFillColorCMYK(*SLUG)
        c.rect(0, 0, W, H, stroke=0, fill=1)
        c.setFillColorCMYK(*BLEED_BAND)
        c.rect(o - bleed * MM, o - bleed * MM, (w + 2 * bleed) * MM, (h + 2 * bleed) * MM, stroke=0, fill=1)
        c.setFillColorCMYK(0, 0, 0, 0)
        c.rect(o, o, w * MM, h * MM, stroke=0, fill=1)
        c.setFillColorCMYK(*PALETTE[(first + i) % len(PALETTE)])
        c.rect(o + (w / 2 - 3) * MM, o + (h / 2 - 3) * MM, 6 * MM, 6 * MM, stroke=0, fill=1)
        fx, fy = o + 4 * MM, o + (h - 4 - FINDER) * MM     # QR-like finder: 7 mm black, 5 mm white, 3 mm black
        for inset, k in ((0, 1), (1, 0), (2, 1)):
            c.setFillColorCMYK(0, 0, 0, k)
            c.rect(fx + inset * MM, fy + inset * MM, (FINDER - 2 * inset) * MM, (FINDER - 2 * inset) * MM,
                   stroke=0, fill=1)
        c.saveState()
        c.setFillOverprint(True)
        c.setOverprintMask(1)
        c.setFillColorCMYK(0, 0, 0, 1)
        c.setFont(FONT, 8)
        c.drawString(o + 14 * MM, o + (h - 8) * MM, f"{label} {first + i + 1}")
        c.restoreState()
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def conditions():
    return pdfx.OutputConditions(ROOT / "icc")


def as_pdfx(data: bytes, level: str, conditions) -> bytes:
    cond = conditions.get(pdfx.DEFAULT_CONDITION[level])
    return pdfx.apply(data, level, cond, conditions, date=pdfx.FALLBACK_DATE, document_key="impose-test")


@pytest.fixture(scope="module")
def cards(conditions) -> bytes:
    """Ten 91 x 55 mm hotline cards, PDF/X-4."""
    return as_pdfx(make_pdf(91, 55, 10), "x4", conditions)


@pytest.fixture(scope="module")
def backs(conditions) -> bytes:
    return as_pdfx(make_pdf(91, 55, 10, first=10 - 8, label="Back"), "x4", conditions)


# ---------------------------------------------------------------- oracles

def render(data: bytes, page: int = 0, dpi: float = DPI):
    doc = pdfium.PdfDocument(data)
    try:
        return doc[page].render(scale=dpi / 72, no_smoothpath=True, no_smoothtext=True,
                                no_smoothimage=True).to_pil().convert("RGB")
    finally:
        doc.close()


def pixel(img, x_mm: float, y_mm: float, height_mm: float, dpi: float = DPI):
    """The colour at (x, y) mm from the sheet's lower left corner."""
    return img.getpixel((int(x_mm / 25.4 * dpi), int((height_mm - y_mm) / 25.4 * dpi)))


def close(a, b, tol: int = 40) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


@pytest.fixture(scope="module")
def colours():
    """Each CMYK colour of the sources as pypdfium2 renders it."""
    out = {}
    for cmyk in PALETTE + [BLEED_BAND, SLUG, (0, 0, 0, 0), (0, 0, 0, 1)]:
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(20, 20))
        c.setFillColorCMYK(*cmyk)
        c.rect(0, 0, 20, 20, stroke=0, fill=1)
        c.showPage()
        c.save()
        out[cmyk] = render(buf.getvalue(), dpi=72).getpixel((10, 10))
    return out


def to_sheet(cell, turn: int, u: float, v: float, w: float, h: float) -> tuple[float, float]:
    """A point (u, v) mm from the lower left of a w x h page, placed in ``cell`` turned ``turn`` degrees
    counter-clockwise: where it lands on the sheet (mm).  Worked out here, apart from leaflets.impose."""
    px, py = {0: (u, v), 90: (h - v, u), 180: (w - u, h - v), 270: (v, w - u)}[turn % 360]
    return cell.x + px, cell.y + py


def finder_centre(w: float, h: float) -> tuple[float, float]:
    return 4 + FINDER / 2, h - 4 - FINDER / 2


def boxes(page) -> dict[str, tuple[float, ...]]:
    return {k: tuple(float(v) / MM for v in page.obj[k]) for k in ("/MediaBox", "/TrimBox", "/BleedBox")}


def segments(page) -> list[tuple[float, float, float, float]]:
    """Every stroked line of a sheet's own content, in mm."""
    out, cur = [], None
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "m":
            cur = tuple(float(v) / MM for v in operands)
        elif op == "l":
            end = tuple(float(v) / MM for v in operands)
            out.append((*cur, *end))
            cur = end
    return out


def placements(page) -> list[tuple[tuple[float, ...], tuple[float, ...], str]]:
    """(clip rectangle in mm, cm matrix, XObject name) of every page placed on a sheet."""
    out, clip, cm = [], None, None
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "re":
            x, y, w, h = (float(v) / MM for v in operands)
            clip = (x, y, x + w, y + h)
        elif op == "cm":
            cm = tuple(float(v) for v in operands)
        elif op == "Do":
            out.append((clip, cm, str(operands[0])))
    return out


def overlaps(a, b, eps: float = 1e-6) -> bool:
    return a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps


def seg_box(s):
    return (min(s[0], s[2]), min(s[1], s[3]), max(s[0], s[2]), max(s[1], s[3]))


def seg_crosses(s, rect, eps: float = 1e-3) -> bool:
    """Whether segment ``s`` (axis-parallel) reaches into the interior of ``rect``."""
    x0, y0, x1, y1 = seg_box(s)
    return x0 < rect[2] - eps and x1 > rect[0] + eps and y0 < rect[3] - eps and y1 > rect[1] + eps or \
        (x0 == x1 and rect[0] + eps < x0 < rect[2] - eps and y0 < rect[3] - eps and y1 > rect[1] + eps) or \
        (y0 == y1 and rect[1] + eps < y0 < rect[3] - eps and x0 < rect[2] - eps and x1 > rect[0] + eps)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], out, err)
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- layouts and sheets

@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_layout_fits_and_cells_stay_apart(name):
    layout = LAYOUTS[name]
    plan = layout.plan(layout.cell or (91, 55))
    W, H = layout.sheet
    assert (plan.width, plan.height) == (W, H)
    assert len(plan.cells) == plan.columns * plan.rows
    for c in plan.cells:
        assert c.x >= -1e-9 and c.y >= -1e-9 and c.x + c.w <= W + 1e-9 and c.y + c.h <= H + 1e-9
        for d in plan.cells:
            if d is not c:
                assert not overlaps(c.trim, d.trim)
                assert not overlaps(c.clip, d.trim), "a cell's bleed reaches into its neighbour's trim"
                assert not overlaps(c.clip, d.clip), "two cells' kept bleed overlap"


def test_named_layouts_have_the_grids_asked_for():
    grid = {n: (LAYOUTS[n].plan(LAYOUTS[n].cell or (91, 55)).columns, LAYOUTS[n].plan(LAYOUTS[n].cell or (91, 55)).rows)
            for n in LAYOUTS}
    assert grid["cards-10up"] == (2, 5)
    assert grid["cards-8up-bleed"] == (2, 4)
    assert grid["a5-2up"] == (1, 2) and LAYOUTS["a5-2up"].plan().rotate == 90
    assert grid["a5-2up-a3"] == (2, 1)
    assert LAYOUTS["fill-a4"].plan((91, 55)).cells.__len__() == 10


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_sheet_sizes_are_exact(name, conditions):
    layout = LAYOUTS[name]
    w, h = layout.cell or (91, 55)
    bleed = 3.0 if layout.bleed else 0.0
    src = make_pdf(w, h, 2, bleed=max(bleed, 3.0))
    result = impose([src], layout)
    pdf = pikepdf.open(io.BytesIO(result.data))
    assert len(pdf.pages) == 2
    for page in pdf.pages:
        b = boxes(page)
        assert abs(b["/MediaBox"][2] - b["/MediaBox"][0] - layout.sheet[0]) < 0.1
        assert abs(b["/MediaBox"][3] - b["/MediaBox"][1] - layout.sheet[1]) < 0.1
        if layout.kind == "office":
            assert b["/TrimBox"] == b["/MediaBox"] == b["/BleedBox"]
        else:
            cells = result.plan.cells
            trim = (min(c.x for c in cells), min(c.y for c in cells), max(c.x + c.w for c in cells),
                    max(c.y + c.h for c in cells))
            assert all(abs(a - e) < 0.01 for a, e in zip(b["/TrimBox"], trim))
            bleed_box = (trim[0] - 3, trim[1] - 3, trim[2] + 3, trim[3] + 3)
            assert all(abs(a - e) < 0.01 for a, e in zip(b["/BleedBox"], bleed_box))
            assert b["/MediaBox"][0] <= b["/BleedBox"][0] and b["/BleedBox"][2] <= b["/MediaBox"][2]


@pytest.mark.parametrize("name", ["cards-10up", "cards-8up-bleed", "a5-2up", "a5-2up-a3"])
def test_every_page_lands_in_its_cell(name, colours):
    """n distinct pages, once each: page i's marker colour at the centre of cell i, its finder pattern at the
    corner the layout's turn puts it in, and nothing at the other corners."""
    layout = LAYOUTS[name]
    w, h = layout.cell
    n = len(layout.plan().cells)
    result = impose([make_pdf(w, h, n)], layout, copies=1)
    assert result.sheets == 1
    img = render(result.data)
    H = layout.sheet[1]
    black, white = colours[(0, 0, 0, 1)], colours[(0, 0, 0, 0)]
    for i, cell in enumerate(result.plan.cells):
        turn = cell.rotate
        assert (cell.w, cell.h) == ((w, h) if turn in (0, 180) else (h, w))
        x, y = to_sheet(cell, turn, w / 2, h / 2, w, h)
        assert close(pixel(img, x, y, H), colours[PALETTE[i]]), (name, i, pixel(img, x, y, H))
        fx, fy = finder_centre(w, h)
        x, y = to_sheet(cell, turn, fx, fy, w, h)
        assert close(pixel(img, x, y, H), black), (name, i, "finder centre")
        x, y = to_sheet(cell, turn, fx + 2, fy, w, h)
        assert close(pixel(img, x, y, H), white), (name, i, "finder ring")
        for u, v in ((w - fx, fy), (fx, h - fy), (w - fx, h - fy)):   # the other corners are blank
            x, y = to_sheet(cell, turn, u, v, w, h)
            assert close(pixel(img, x, y, H), white), (name, i, "corner", u, v)


def test_butt_cut_cells_touch_with_no_bleed_between(cards, colours):
    result = impose([cards], "cards-10up")
    plan = result.plan
    cells = {(c.column, c.row): c for c in plan.cells}
    for (col, row), c in cells.items():
        assert c.bleed == (0, 0, 0, 0)
        if (col + 1, row) in cells:
            assert abs(c.x + c.w - cells[(col + 1, row)].x) < 1e-9, "a gap between columns"
        if (col, row + 1) in cells:
            assert abs(cells[(col, row + 1)].y + cells[(col, row + 1)].h - c.y) < 1e-9, "a gap between rows"
    pdf = pikepdf.open(io.BytesIO(result.data))
    clips = sorted(p[0] for p in placements(pdf.pages[0]))
    assert clips == sorted(tuple(v for v in c.trim) for c in plan.cells) or all(
        all(abs(a - b) < 1e-3 for a, b in zip(x, y)) for x, y in zip(clips, sorted(c.trim for c in plan.cells)))
    img = render(result.data, dpi=200)
    H = plan.height
    # half a millimetre either side of every cut line: the cards' own paper, never a bleed
    for c in plan.cells:
        for x, y in ((c.x + 0.5, c.y + c.h / 3), (c.x + c.w - 0.5, c.y + c.h / 3), (c.x + c.w / 3, c.y + 0.5),
                     (c.x + c.w / 3, c.y + c.h - 0.5)):
            assert close(pixel(img, x, y, H, 200), colours[(0, 0, 0, 0)]), (c.index, x, y)
    # the bleed band shows nowhere but, as a rasteriser's rounding, within a pixel of a cut line
    green, yellow = colours[BLEED_BAND], colours[SLUG]
    cuts = {round((H - c.y) / 25.4 * 200) for c in plan.cells} | {round((H - c.y - c.h) / 25.4 * 200)
                                                                  for c in plan.cells}
    px = img.load()
    for yy in range(0, img.size[1]):
        for xx in range(0, img.size[0], 2):
            p = px[xx, yy]
            assert not close(p, yellow, 30), ("slug on the sheet", xx, yy)
            if close(p, green, 30):
                assert min(abs(yy - c) for c in cuts) <= 1, ("bleed between butt-cut cards", xx, yy)


def test_full_bleed_keeps_every_cards_bleed(cards, colours):
    result = impose([cards], "cards-8up-bleed")
    plan = result.plan
    assert plan.layout.gap == 6 and all(c.bleed == (3, 3, 3, 3) for c in plan.cells)
    img = render(result.data, dpi=200)
    H = plan.height
    green, white = colours[BLEED_BAND], colours[(0, 0, 0, 0)]
    for c in plan.cells:
        for d in (1.5, 2.7):   # inside the bleed, on every side
            for x, y in ((c.x - d, c.y + c.h / 2), (c.x + c.w + d, c.y + c.h / 2), (c.x + c.w / 2, c.y - d),
                         (c.x + c.w / 2, c.y + c.h + d)):
                assert close(pixel(img, x, y, H, 200), green), (c.index, x, y, pixel(img, x, y, H, 200))
        assert close(pixel(img, c.x + 0.5, c.y + c.h / 2, H, 200), white)
        assert close(pixel(img, c.x + c.w / 2, c.y + c.h - 0.5, H, 200), white)
        # beyond the bleed (outside the block): no yellow slug, paper
        if c.column == 0:
            assert close(pixel(img, c.x - 3.6, c.y + c.h / 2, H, 200), white)
    px = img.load()
    yellow = colours[SLUG]
    assert not any(close(px[x, y], yellow, 30) for y in range(0, img.size[1], 2) for x in range(0, img.size[0], 2))


@pytest.mark.parametrize("name,marks", [("cards-10up", None), ("cards-8up-bleed", None),
                                        ("cards-8up-bleed", "western"), ("a5-2up-a3", None),
                                        ("fill-sra3", None), ("fill-a4", None), ("cards-10up", "japanese")])
def test_marks_never_cross_a_cell(name, marks):
    layout = LAYOUTS[name]
    w, h = layout.cell or (91, 55)
    result = impose([make_pdf(w, h)], layout, marks=marks)
    plan = result.plan
    pdf = pikepdf.open(io.BytesIO(result.data))
    page = pdf.pages[0]
    segs = segments(page)
    assert segs, "no marks drawn"
    margin = layout.margin
    for s in segs:
        for c in plan.cells:
            assert not seg_crosses(s, c.trim), (s, c.trim)
            if layout.kind == "shop":
                assert not seg_crosses(s, c.clip), ("a mark in the bleed", s, c.clip)
        x0, y0, x1, y1 = seg_box(s)     # (the content stream holds 0.0001 pt)
        assert margin - 1e-3 <= x0 and x1 <= plan.width - margin + 1e-3
        assert margin - 1e-3 <= y0 and y1 <= plan.height - margin + 1e-3
    ops = [(list(o), str(op)) for o, op in pikepdf.parse_content_stream(page)]
    widths = [float(o[0]) for o, op in ops if op == "w"]
    assert widths == [0.25]
    strokes = [tuple(float(v) for v in o) for o, op in ops if op == "K"]
    assert strokes == [(1, 1, 1, 1)] if layout.kind == "shop" else strokes == [(0, 0, 0, 1)]
    # a mark at every cut line: vertical marks at each column edge, horizontal at each row edge
    vertical = {round(s[0], 3) for s in segs if abs(s[0] - s[2]) < 1e-9}
    horizontal = {round(s[1], 3) for s in segs if abs(s[1] - s[3]) < 1e-9}
    for c in plan.cells:
        assert {round(c.x, 3), round(c.x + c.w, 3)} <= vertical
        assert {round(c.y, 3), round(c.y + c.h, 3)} <= horizontal
    style = marks or layout.marks
    bleed_lines = {round(c.x - c.bleed[0], 3) for c in plan.cells if c.bleed[0]}
    if style == "japanese" and layout.bleed:
        assert bleed_lines <= vertical, "Japanese marks have a line at the bleed too"
    elif style == "western" and layout.bleed:
        assert not bleed_lines & vertical, "western marks are single: at the trim only"


def test_marks_cross_no_trim_on_the_raster(cards, colours):
    """Rendered without the pages: every inked pixel of the marks lies outside every cell's trim."""
    result = impose([cards], "cards-10up")
    pdf = pikepdf.open(io.BytesIO(result.data))
    for page in pdf.pages:
        del page.obj.Resources["/XObject"]
        page.obj.Contents = pdf.make_stream(b"\n".join(
            line for line in page.obj.Contents.read_bytes().split(b"\n") if b" Do " not in line))
    buf = io.BytesIO()
    pdf.save(buf)
    img = render(buf.getvalue(), dpi=300)
    H = result.plan.height
    px = img.load()
    inked = [(x, y) for y in range(0, img.size[1]) for x in range(0, img.size[0]) if sum(px[x, y]) < 600]
    assert inked
    for x, y in inked:
        xm, ym = (x + 0.5) / 300 * 25.4, H - (y + 0.5) / 300 * 25.4
        for c in result.plan.cells:
            assert not (c.x + 0.1 < xm < c.x + c.w - 0.1 and c.y + 0.1 < ym < c.y + c.h - 0.1), (xm, ym, c.index)
        assert 5 - 0.2 <= xm <= result.plan.width - 5 + 0.2 and 5 - 0.2 <= ym <= H - 5 + 0.2


# ---------------------------------------------------------------- duplex

def test_duplex_long_edge_backs_mirror_their_fronts(cards, backs, colours):
    fronts = as_pdfx(make_pdf(91, 55, 3), "x4", conditions=pdfx.OutputConditions(ROOT / "icc"))
    backs3 = as_pdfx(make_pdf(91, 55, 3, first=5, label="Back"), "x4", pdfx.OutputConditions(ROOT / "icc"))
    result = impose([fronts], "cards-10up", backs=[backs3], copies=3)
    pdf = pikepdf.open(io.BytesIO(result.data))
    assert len(pdf.pages) == 2 and result.sheets == 2
    plan = result.plan
    W, H = plan.width, plan.height
    front, back = placements(pdf.pages[0]), placements(pdf.pages[1])
    assert len(front) == len(back) == 9
    for (fclip, _, _), (bclip, _, _) in zip(front, back):
        fw = fclip[2] - fclip[0]
        assert abs(bclip[0] - (W - fclip[0] - fw)) < 1e-3, "back x = sheet width - front x - cell width"
        assert abs(bclip[1] - fclip[1]) < 1e-3
    fimg, bimg = render(result.data, 0), render(result.data, 1)
    white, black = colours[(0, 0, 0, 0)], colours[(0, 0, 0, 1)]
    for k in range(9):
        cell = plan.cells[k]
        mirror = plan.mirror(cell, "long")
        assert abs(mirror.x - (W - cell.x - cell.w)) < 1e-9 and mirror.y == cell.y
        page = k // 3
        x, y = to_sheet(cell, 0, 45.5, 27.5, 91, 55)
        assert close(pixel(fimg, x, y, H), colours[PALETTE[page]])
        x, y = to_sheet(mirror, 0, 45.5, 27.5, 91, 55)
        assert close(pixel(bimg, x, y, H), colours[PALETTE[5 + page]]), (k, pixel(bimg, x, y, H))
        # upright when the card is turned over side to side: the back's finder top left in its cell
        fx, fy = finder_centre(91, 55)
        assert close(pixel(bimg, *to_sheet(mirror, 0, fx, fy, 91, 55), H), black)
        assert close(pixel(bimg, *to_sheet(mirror, 0, 91 - fx, fy, 91, 55), H), white)
    # paper turned over about its long (vertical) edge: each back's colour is behind its front
    flipped = bimg.transpose(0)   # mirror left-right
    for k in range(9):
        cell = plan.cells[k]
        x, y = to_sheet(cell, 0, 45.5, 27.5, 91, 55)
        assert close(pixel(flipped, x, y, H), colours[PALETTE[5 + k // 3]], 45)


def test_duplex_short_edge_backs_turn_half_round(colours):
    result = impose([make_pdf(91, 55, 2)], "cards-10up", backs=[make_pdf(91, 55, 2, first=6)], flip="short",
                    copies=5)
    plan = result.plan
    H = plan.height
    pdf = pikepdf.open(io.BytesIO(result.data))
    front, back = placements(pdf.pages[0]), placements(pdf.pages[1])
    for (fclip, _, _), (bclip, _, _) in zip(front, back):
        fh = fclip[3] - fclip[1]
        assert abs(bclip[1] - (H - fclip[1] - fh)) < 1e-3, "back y = sheet height - front y - cell height"
        assert abs(bclip[0] - fclip[0]) < 1e-3
    bimg = render(result.data, 1)
    black, white = colours[(0, 0, 0, 1)], colours[(0, 0, 0, 0)]
    fx, fy = finder_centre(91, 55)
    for k, cell in enumerate(plan.cells):
        mirror = plan.mirror(cell, "short")
        x, y = to_sheet(mirror, 180, 45.5, 27.5, 91, 55)
        assert close(pixel(bimg, x, y, H), colours[PALETTE[6 + k // 5]])
        assert close(pixel(bimg, *to_sheet(mirror, 180, fx, fy, 91, 55), H), black), k
        assert close(pixel(bimg, *to_sheet(mirror, 0, fx, fy, 91, 55), H), white), k


def test_duplex_of_turned_a5_pages(colours):
    """A5 turned 90° on portrait A4, long-edge flip: the back sits behind its front, turned the other way."""
    result = impose([make_pdf(148, 210, 1)], "a5-2up", backs=[make_pdf(148, 210, 1, first=4)])
    plan = result.plan
    H = plan.height
    bimg = render(result.data, 1)
    fx, fy = finder_centre(148, 210)
    black, white = colours[(0, 0, 0, 1)], colours[(0, 0, 0, 0)]
    for cell in plan.cells:
        mirror = plan.mirror(cell, "long")
        assert (mirror.x, mirror.y) == (cell.x, cell.y)      # one column: behind itself
        assert close(pixel(bimg, *to_sheet(mirror, 270, fx, fy, 148, 210), H), black)
        assert close(pixel(bimg, *to_sheet(mirror, 90, fx, fy, 148, 210), H), white)
        assert close(pixel(bimg, *to_sheet(mirror, 270, 74, 105, 148, 210), H), colours[PALETTE[4]])


def test_duplex_pages_alternating_and_one_back_for_all(colours):
    two = make_pdf(91, 55, 4)    # front 1, back 1, front 2, back 2
    result = impose([two], "cards-10up", duplex=True)
    assert result.sheets == 4
    H = result.plan.height
    img = render(result.data, 1)
    cell = result.plan.mirror(result.plan.cells[0], "long")
    assert close(pixel(img, *to_sheet(cell, 0, 45.5, 27.5, 91, 55), H), colours[PALETTE[1]])
    img = render(result.data, 3)
    assert close(pixel(img, *to_sheet(cell, 0, 45.5, 27.5, 91, 55), H), colours[PALETTE[3]])
    result = impose([make_pdf(91, 55, 3)], "cards-10up", backs=[make_pdf(91, 55, 1, first=7)])
    assert result.sheets == 6
    for k in (1, 3, 5):
        img = render(result.data, k)
        assert close(pixel(img, *to_sheet(cell, 0, 45.5, 27.5, 91, 55), H), colours[PALETTE[7]])


# ---------------------------------------------------------------- what is kept

def test_output_intent_and_pdfx_markers_are_copied(cards, conditions):
    src = pikepdf.open(io.BytesIO(cards))
    for name in ("cards-8up-bleed", "cards-10up"):
        result = impose([cards], name)
        pdf = pikepdf.open(io.BytesIO(result.data))
        assert pdf.pdf_version == "1.6"
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert str(pdf.docinfo.Trapped) == "/False"
        oi = pdf.Root.OutputIntents[0]
        soi = src.Root.OutputIntents[0]
        assert str(oi.S) == "/GTS_PDFX"
        assert str(oi.OutputConditionIdentifier) == str(soi.OutputConditionIdentifier)
        assert oi.DestOutputProfile.read_bytes() == soi.DestOutputProfile.read_bytes()
        assert hashlib.sha256(oi.DestOutputProfile.read_bytes()).hexdigest() == \
            conditions.get("japan-color-2011").sha256
        from lxml import etree
        data = pdf.Root.Metadata.read_bytes()
        tree = etree.fromstring(data[data.index(b"<x:xmpmeta"):data.index(b"</x:xmpmeta>") + 12])
        ns = {"pdfxid": "http://www.npes.org/pdfx/ns/id/", "xmpMM": "http://ns.adobe.com/xap/1.0/mm/"}
        assert tree.xpath("//pdfxid:GTS_PDFXVersion/text()", namespaces=ns) == ["PDF/X-4"]
        assert tree.xpath("//xmpMM:DocumentID/text()", namespaces=ns)
        assert str(pdf.docinfo.CreationDate) == str(src.docinfo.CreationDate)
        if pdfx.INFO_FACTS in src.docinfo:
            assert str(pdf.docinfo[pdfx.INFO_FACTS]) == str(src.docinfo[pdfx.INFO_FACTS])


def test_pdfx_1a_stays_pdf_1_3_without_transparency(conditions):
    src = as_pdfx(make_pdf(91, 55, 2), "x1a", conditions)
    result = impose([src], "cards-8up-bleed")
    pdf = pikepdf.open(io.BytesIO(result.data))
    assert pdf.pdf_version == "1.3"
    assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1:2001"
    assert str(pdf.docinfo.GTS_PDFXConformance) == "PDF/X-1a:2001"
    assert "/OutputIntents" in pdf.Root
    assert b"/ObjStm" not in result.data and b"/XRef" not in result.data   # no PDF 1.5 structures
    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            if "/SMask" in obj:
                assert obj.SMask == pikepdf.Name.None_
            group = obj.get("/Group")
            assert not (isinstance(group, pikepdf.Dictionary) and group.get("/S") == pikepdf.Name.Transparency)
            for key in ("/CA", "/ca"):
                if obj.get("/Type") == pikepdf.Name.ExtGState and key in obj:
                    assert float(obj[key]) == 1.0
    from leaflets.preflight import preflight
    report = preflight(result.data, "shop", qr="off")
    assert report.ok, report.format()
    assert report.rules.get("transparency") == "passed" or "transparency" not in {f.rule for f in report.findings}


def test_a_page_group_of_an_x4_source_is_kept_and_dropped_for_x1a(conditions):
    data = make_pdf(91, 55, 1)
    pdf = pikepdf.open(io.BytesIO(data))
    pdf.pages[0].obj.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceCMYK)
    buf = io.BytesIO()
    pdf.save(buf)
    for level, kept in (("x4", True), ("x1a", False)):
        out = pikepdf.open(io.BytesIO(impose([as_pdfx(buf.getvalue(), level, conditions)], "cards-10up").data))
        forms = [v for v in out.pages[0].obj.Resources.XObject.values()]
        assert ("/Group" in forms[0]) is kept


def test_fonts_stay_embedded_and_text_extracts(cards):
    result = impose([cards], "cards-8up-bleed")
    pdf = pikepdf.open(io.BytesIO(result.data))
    seen = 0
    for page in pdf.pages:
        for form in page.obj.Resources.XObject.values():
            fonts = form.Resources.get("/Font", {})
            assert fonts
            for font in fonts.values():
                descs = [font.get("/FontDescriptor")]
                if font.get("/Subtype") == pikepdf.Name.Type0:
                    descs = [d.get("/FontDescriptor") for d in font.DescendantFonts]
                for d in descs:
                    assert d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                        f"font {font.get('/BaseFont')} is not embedded"
                    seen += 1
    assert seen
    doc = pdfium.PdfDocument(result.data)
    text = doc[0].get_textpage().get_text_range()
    doc.close()
    assert text.count("Card 1") == 8


def test_no_rgb_is_introduced(cards):
    for name in LAYOUTS:
        layout = LAYOUTS[name]
        w, h = layout.cell or (91, 55)
        data = impose([make_pdf(w, h)], layout).data
        pdf = pikepdf.open(io.BytesIO(data))
        for page in pdf.pages:
            ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
            assert ops <= {"q", "Q", "re", "W", "n", "cm", "Do", "K", "w", "J", "j", "d", "m", "l", "S"}, ops
            for form in page.obj.Resources.XObject.values():
                fops = {str(op) for _, op in pikepdf.parse_content_stream(form)}
                assert not fops & {"rg", "RG", "sc", "SC", "scn", "SCN", "cs", "CS"}, fops
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Name):
                assert obj not in (pikepdf.Name.DeviceRGB, pikepdf.Name.CalRGB)
        assert b"/DeviceRGB" not in data and b"/CalRGB" not in data


def test_output_is_byte_identical(cards, backs, tmp_path):
    a = impose([cards], "cards-8up-bleed", backs=[backs], copies=3).data
    b = impose([cards], "cards-8up-bleed", backs=[backs], copies=3).data
    assert a == b
    src = tmp_path / "cards.pdf"
    src.write_bytes(cards)
    for out in ("one.pdf", "two.pdf"):
        code, _, err = run("impose", "cards-10up", src, "-o", tmp_path / out)
        assert code == 0, err
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()
    assert b"/CreationDate" in (tmp_path / "one.pdf").read_bytes()   # the source's date, not the clock's


def test_office_sheet_passes_preflight_office(conditions):
    from leaflets.preflight import PROFILES, preflight
    if "office" not in PROFILES:
        pytest.skip("preflight has no office profile")
    src = as_pdfx(make_pdf(91, 55, 2), "x4", conditions)
    for name in ("cards-10up", "a5-2up"):
        w, h = LAYOUTS[name].cell
        data = impose([as_pdfx(make_pdf(w, h, 2), "x4", conditions) if name == "a5-2up" else src], name).data
        report = preflight(data, "office", qr="off")
        assert report.ok, report.format()
        for rule in ("fonts-embedded", "colour", "line-width", "text-size", "pdfx"):
            assert rule not in {f.rule for f in report.findings if f.severity == "error"}


def test_shop_sheet_passes_preflight_shop(cards):
    from leaflets.preflight import preflight
    data = impose([cards], "cards-8up-bleed").data
    report = preflight(data, "shop", qr="off")
    assert report.ok, report.format()


# ---------------------------------------------------------------- any pages, ours or not

def test_rotated_user_unit_and_inherited_resources(colours):
    """A page shown turned (/Rotate 90, so 55 x 91 mm: it is turned back to fit the 91 x 55 cell), a page
    with /UserUnit 2, and a page whose resources are inherited from the page tree."""
    base = pikepdf.open(io.BytesIO(make_pdf(91, 55, 3)))
    base.pages[0].obj.Rotate = 90
    p1 = base.pages[1].obj
    for key in ("/MediaBox", "/TrimBox", "/BleedBox"):
        p1[key] = pikepdf.Array([float(v) / 2 for v in p1[key]])
    p1.UserUnit = 2
    p1.Contents = base.make_stream(b"0.5 0 0 0.5 0 0 cm\n" + p1.Contents.read_bytes())
    p2 = base.pages[2].obj
    base.Root.Pages.Resources = p2.Resources
    del p2["/Resources"]
    buf = io.BytesIO()
    base.save(buf)
    result = impose([buf.getvalue()], "cards-10up", copies=1)
    img = render(result.data)
    H = result.plan.height
    cells = result.plan.cells
    for k in range(3):
        assert close(pixel(img, *to_sheet(cells[k], 0, 45.5, 27.5, 91, 55), H), colours[PALETTE[k]]), k
    fx, fy = finder_centre(91, 55)
    # /Rotate 90 shows the page turned clockwise; turned back, its finder is top left again
    assert close(pixel(img, *to_sheet(cells[0], 0, fx, fy, 91, 55), H), colours[(0, 0, 0, 1)])
    assert close(pixel(img, *to_sheet(cells[1], 0, fx, fy, 91, 55), H), colours[(0, 0, 0, 1)])


def test_printable_annotations_are_kept(colours):
    pdf = pikepdf.open(io.BytesIO(make_pdf(91, 55, 1)))
    page = pdf.pages[0]
    t = page.obj.TrimBox
    x0, y0 = float(t[0]) + 60 * MM, float(t[1]) + 5 * MM
    ap = pdf.make_stream(b"0 1 1 0 k 0 0 20 20 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                         BBox=[0, 0, 20, 20])
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[x0, y0, x0 + 20, y0 + 20], F=4,
        AP=pikepdf.Dictionary(N=ap)))]))
    buf = io.BytesIO()
    pdf.save(buf)
    result = impose([buf.getvalue()], "cards-10up", copies=1)
    out = pikepdf.open(io.BytesIO(result.data))
    assert "/Annots" not in out.pages[0].obj
    img = render(result.data, dpi=200)
    cell = result.plan.cells[0]
    x, y = to_sheet(cell, 0, 60 + 10 / MM, 5 + 10 / MM, 91, 55)
    assert close(pixel(img, x, y, result.plan.height, 200), colours[PALETTE[4]])


def test_a_hidden_layer_stays_hidden(colours):
    """A source's optional content group that is off (a die line, a note for the printer) stays off."""
    pdf = pikepdf.open(io.BytesIO(make_pdf(91, 55, 1)))
    page = pdf.pages[0]
    t = [float(v) for v in page.obj.TrimBox]
    ocg = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("die line")))
    page.obj.Resources.Properties = pikepdf.Dictionary(oc1=ocg)
    page.contents_add(pdf.make_stream(
        f"/OC /oc1 BDC q 0 1 1 0 k {t[0]} {t[1]} {t[2] - t[0]} {t[3] - t[1]} re f Q EMC".encode()))
    pdf.Root.OCProperties = pikepdf.Dictionary(OCGs=pikepdf.Array([ocg]),
                                               D=pikepdf.Dictionary(OFF=pikepdf.Array([ocg])))
    buf = io.BytesIO()
    pdf.save(buf)
    src = buf.getvalue()
    h = 55 + 2 * 13     # the source's MediaBox: trim, 3 mm bleed and 10 mm slug on each side
    assert close(pixel(render(src), 13 + 45.5, 13 + 27.5, h), colours[PALETTE[0]])   # the source hides it
    result = impose([src], "cards-10up", copies=1)
    img = render(result.data)
    cell = result.plan.cells[0]
    assert close(pixel(img, *to_sheet(cell, 0, 45.5, 27.5, 91, 55), result.plan.height), colours[PALETTE[0]])
    assert close(pixel(img, *to_sheet(cell, 0, 30, 10, 91, 55), result.plan.height), colours[(0, 0, 0, 0)])
    out = pikepdf.open(io.BytesIO(result.data))
    assert len(out.Root.OCProperties.OCGs) == 1 and len(out.Root.OCProperties.D.OFF) == 1


# ---------------------------------------------------------------- errors

def test_a_grid_that_does_not_fit_says_how_many_do():
    with pytest.raises(ImpositionError) as e:
        Layout("cards-10up-bleed", "", (210, 297), (91, 55), 2, 5, gap=6, bleed=3).plan()
    text = str(e.value)
    assert "91 x 55 mm with 3 mm bleed: 8 fit on A4 (2 x 4), not 10" in text
    assert "turned 90°, 9 fit (3 x 3)" in text
    with pytest.raises(ImpositionError) as e:
        dataclasses.replace(LAYOUTS["a5-2up-a3"], sheet=(297, 210)).plan()
    assert "148 x 210 mm with 3 mm bleed: none fit on A4 landscape" in str(e.value)
    with pytest.raises(ImpositionError) as e:
        impose([make_pdf(297, 420)], "fill-a4")
    assert "297 x 420 mm: none fit on A4" in str(e.value)
    with pytest.raises(ImpositionError) as e:     # marks need room too
        dataclasses.replace(LAYOUTS["a5-2up"], marks="western").plan()
    assert "would fit without room for the marks" in e.value.diagnostics[0].hint


def test_random_layouts_keep_cells_apart_or_say_why():
    rnd = random.Random(7)
    for _ in range(300):
        layout = Layout("random", "", (rnd.uniform(50, 500), rnd.uniform(50, 500)),
                        (rnd.uniform(10, 300), rnd.uniform(10, 300)), rnd.choice([None, 1, 2, 3, 5]),
                        rnd.choice([None, 1, 2, 4]), gap=rnd.choice([0, 2, 6, 10]), bleed=rnd.choice([0, 2, 3, 5]),
                        marks=rnd.choice(["japanese", "western", "none"]), kind=rnd.choice(["shop", "office"]),
                        rotate=rnd.choice([None, 0, 90, 180, 270]), margin=rnd.choice([0, 5]))
        try:
            plan = layout.plan()
        except ImpositionError as exc:
            assert "fit" in str(exc)
            continue
        for c in plan.cells:
            assert 0 <= c.clip[0] + 1e-6 and c.clip[2] <= plan.width + 1e-6
            assert 0 <= c.clip[1] + 1e-6 and c.clip[3] <= plan.height + 1e-6
            for d in plan.cells:
                if d is not c:
                    assert not overlaps(c.clip, d.clip)
        for a, b in plan.marks:
            s = (*a, *b)
            for c in plan.cells:
                assert not seg_crosses(s, c.clip, 1e-6)
            x0, y0, x1, y1 = seg_box(s)
            assert layout.margin - 1e-6 <= x0 and x1 <= plan.width - layout.margin + 1e-6
            assert layout.margin - 1e-6 <= y0 and y1 <= plan.height - layout.margin + 1e-6


def test_bad_layout_definitions_are_refused():
    for kwargs in ({"sheet": (0, 297)}, {"sheet": (float("nan"), 297)}, {"cell": (91, -1)}, {"gap": -1},
                   {"columns": 0}, {"rows": 2.5}, {"marks": "crop"}, {"kind": "home"}, {"rotate": 45},
                   {"bleed": float("inf")}, {"columns": True}):
        args = {"name": "x", "description": "", "sheet": (210, 297), "cell": (91, 55), **kwargs}
        with pytest.raises(ValueError):
            Layout(**args)


def test_pages_without_trimbox(tmp_path):
    path = tmp_path / "plain.pdf"
    path.write_bytes(make_pdf(91, 55, 2, trimbox=False))
    with pytest.raises(ImpositionError) as e:
        impose([path], "cards-10up")
    d = e.value.diagnostics[0]
    assert d.file == path and "page 1 has no TrimBox" in d.message and d.hint


def test_pages_of_different_trim_sizes(tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(make_pdf(91, 55))
    b.write_bytes(make_pdf(100, 60, 3))
    with pytest.raises(ImpositionError) as e:
        impose([a, b], "fill-a4")
    d = e.value.diagnostics[0]
    assert d.file == b and "pages 1-3 are 100 x 60 mm" in d.message and "different trim sizes" in d.message
    with pytest.raises(ImpositionError) as e:
        impose([a, tmp_path / "b.pdf"], "cards-10up")
    assert "takes 91 x 55 mm pages" in str(e.value)
    with pytest.raises(ImpositionError) as e:
        impose([make_pdf(148, 210)], "cards-8up-bleed")
    assert "layouts for this size: a5-2up, a5-2up-a3" in e.value.diagnostics[0].hint


def test_wrong_number_of_backs():
    with pytest.raises(ImpositionError) as e:
        impose([make_pdf(91, 55, 3)], "cards-10up", backs=[make_pdf(91, 55, 2)])
    assert "3 front page(s) and 2 back page(s)" in str(e.value)
    with pytest.raises(ImpositionError) as e:
        impose([make_pdf(91, 55, 3)], "cards-10up", duplex=True)
    assert "one back is missing" in str(e.value)
    with pytest.raises(UsageError):
        impose([make_pdf(91, 55, 2)], "cards-10up", duplex=True, backs=[make_pdf(91, 55, 1)])


def test_not_enough_bleed_for_a_bleed_layout():
    with pytest.raises(ImpositionError) as e:
        impose([make_pdf(91, 55, 2, bleed=1)], "cards-8up-bleed")
    assert "pages 1-2 have 1 mm of bleed (BleedBox), but layout cards-8up-bleed keeps 3 mm" in str(e.value)
    with pytest.raises(ImpositionError) as e:
        impose([make_pdf(91, 55, 1, bleedbox=False, slug=0, bleed=0)], "cards-8up-bleed")
    assert "0 mm of bleed" in str(e.value)
    impose([make_pdf(91, 55, 1, bleedbox=False, slug=0, bleed=0)], "cards-10up")   # a butt cut needs none


def test_mixed_output_conditions_are_refused(conditions):
    x4 = as_pdfx(make_pdf(91, 55), "x4", conditions)
    x1a = as_pdfx(make_pdf(91, 55), "x1a", conditions)
    with pytest.raises(ImpositionError) as e:
        impose([x4], "cards-10up", backs=[x1a])
    assert "PDF/X-1:2001" in str(e.value) and "PDF/X-4" in str(e.value)
    with pytest.raises(ImpositionError):
        impose([x4, make_pdf(91, 55)], "cards-10up")
    assert impose([make_pdf(91, 55), make_pdf(91, 55)], "cards-10up").pdfx is None


def test_broken_files_are_errors_not_tracebacks(tmp_path):
    good = tmp_path / "good.pdf"
    good.write_bytes(make_pdf(91, 55))
    enc = io.BytesIO()
    pikepdf.open(io.BytesIO(make_pdf(91, 55))).save(enc, encryption=pikepdf.Encryption(owner="o", user="u"))
    rnd = random.Random(3)
    payloads = {
        "empty.pdf": b"",
        "text.pdf": b"not a pdf at all\n" * 10,
        "truncated.pdf": make_pdf(91, 55)[:700],
        "noise.pdf": b"%PDF-1.4\n" + bytes(rnd.randrange(256) for _ in range(3000)),
        "encrypted.pdf": enc.getvalue(),
        "nopages.pdf": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
                       b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    }
    for name, data in payloads.items():
        path = tmp_path / name
        path.write_bytes(data)
        out = tmp_path / f"out-{name}"
        code, stdout, err = run("impose", "cards-10up", good, path, "-o", out)
        assert code == 1, (name, err)
        assert "Traceback" not in err and name in err, (name, err)
        assert not out.exists()
    code, _, err = run("impose", "cards-10up", tmp_path, "-o", tmp_path / "x.pdf")
    assert code == 1 and "folder" in err


def test_malformed_boxes_and_rotation():
    for key, value in (("/TrimBox", pikepdf.Array([0, 0, "a", 5])), ("/TrimBox", pikepdf.Array([0, 0, 1])),
                       ("/Rotate", 45), ("/BleedBox", pikepdf.Name.Nope), ("/TrimBox", pikepdf.Array([1e9, 1e9,
                                                                                                  2e9, 2e9]))):
        pdf = pikepdf.open(io.BytesIO(make_pdf(91, 55)))
        pdf.pages[0].obj[key] = value
        buf = io.BytesIO()
        pdf.save(buf)
        with pytest.raises(ImpositionError) as e:
            impose([buf.getvalue()], "cards-10up")
        assert "page 1" in str(e.value), (key, str(e.value))


# ---------------------------------------------------------------- CLI

def test_cli_impose(tmp_path, cards, backs):
    code, out, err = run("impose", "--list")
    assert code == 0
    for name in LAYOUTS:
        assert name in out
    src, back = tmp_path / "cards.pdf", tmp_path / "backs.pdf"
    src.write_bytes(cards)
    back.write_bytes(backs)
    target = tmp_path / "sheets" / "cards.pdf"
    code, out, err = run("impose", "cards-8up-bleed", src, "-o", target, "--backs", back, "--copies", "2")
    assert code == 0, err
    assert "wrote" in out and "PDF/X-4" in out
    pdf = pikepdf.open(target)
    assert len(pdf.pages) == 6        # 20 cards, 8 a sheet: 3 sheets of fronts, each with its backs
    assert [len(placements(p)) for p in pdf.pages] == [8, 8, 8, 8, 4, 4]
    assert not list(target.parent.glob(".*.tmp"))


def test_cli_impose_usage_errors(tmp_path, cards):
    src = tmp_path / "cards.pdf"
    src.write_bytes(cards)
    before = src.read_bytes()
    for args in (("impose",), ("impose", "cards-10up"), ("impose", "cards-10up", src),
                 ("impose", "no-such-layout", src, "-o", tmp_path / "x.pdf"),
                 ("impose", "cards-10up", src, "-o", src),
                 ("impose", "cards-10up", src, "-o", tmp_path / "x.pdf", "--copies", "0"),
                 ("impose", "cards-10up", src, "-o", tmp_path / "x.pdf", "--copies", "many"),
                 ("impose", "cards-10up", src, "-o", tmp_path / "x.pdf", "--flip", "diagonal"),
                 ("impose", "cards-10up", src, "-o", tmp_path / "x.pdf", "--duplex", "--backs", src)):
        code, out, err = run(*args)
        assert code == 2, (args, err)
        assert "Traceback" not in err
    assert src.read_bytes() == before
    assert not (tmp_path / "x.pdf").exists()
    code, _, err = run("impose", "cards-10up", tmp_path / "missing.pdf", "-o", tmp_path / "x.pdf")
    assert code == 1 and "missing.pdf" in err
    (tmp_path / "afile").write_text("in the way")
    code, _, err = run("impose", "cards-10up", src, "-o", tmp_path / "afile" / "x.pdf")
    assert code == 1 and "afile" in err and "Traceback" not in err


# ---------------------------------------------------------------- sheets from the build

A4 = (210.0, 297.0)


@pytest.fixture(scope="module")
def built_sheets(tmp_path_factory, font_cache):
    """`leaflets build --sheets` of the card and the A5 flyer in Japanese and Arabic, PDF/X-4 and X-1a."""
    out = {}
    for level in ("x4", "x1a"):
        folder = tmp_path_factory.mktemp(f"sheets-{level}")
        code, _o, err = run("build", "--project", ROOT, "--design", "hotline-card,a5-flyer,a4-leaflet", "--lang",
                            "ja,ar", "--edition", "print", "--sheets", "--pdfx", level, "--out", folder, "--cache",
                            font_cache, "-q")
        assert code == 0, err
        out[level] = folder
    return out


def _forms_drawn(page) -> list:
    """The Form XObjects a sheet page draws, in the order it draws them."""
    names = [str(operands[0]) for operands, op in pikepdf.parse_content_stream(page) if str(op) == "Do"]
    return [page.Resources.XObject[n] for n in names]


def test_build_sheets_writes_the_office_and_the_shop_sheet_of_each_print_design(built_sheets):
    folder = built_sheets["x4"]
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.pdf") if p.parent.name == "sheets")
    assert files == sorted(f"{d}/sheets/{d}.{lang}.{kind}.pdf" for d in ("hotline-card", "a5-flyer")
                           for lang in ("ja", "ar") for kind in ("office", "shop")), files
    assert not (folder / "a4-leaflet" / "sheets").exists(), "an A4 leaflet is its own A4 sheet"
    expect = {("hotline-card", "office"): (A4, 10, 2, "cards-10up"), ("hotline-card", "shop"): (A4, 8, 2, None),
              ("a5-flyer", "office"): (A4, 2, 1, None), ("a5-flyer", "shop"): ((420.0, 297.0), 2, 1, None)}
    for (design, kind), (sheet, cells, pages, _name) in expect.items():
        source = (folder / design / f"{design}.ja.print.pdf").read_bytes()
        data = (folder / design / "sheets" / f"{design}.ja.{kind}.pdf").read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf, pikepdf.open(io.BytesIO(source)) as src:
            assert len(pdf.pages) == pages, (design, kind)
            assert pdf.pdf_version == "1.6" and str(pdf.trailer.Info.GTS_PDFXVersion) == "PDF/X-4"
            (oi,) = list(pdf.Root.OutputIntents)
            assert oi.DestOutputProfile.read_bytes() == src.Root.OutputIntents[0].DestOutputProfile.read_bytes()
            for i, page in enumerate(pdf.pages):
                media = [float(v) / MM for v in page.MediaBox]
                assert abs(media[2] - sheet[0]) < 0.1 and abs(media[3] - sheet[1]) < 0.1, (design, kind, media)
                trim = [float(v) for v in page.TrimBox]
                bleed = [float(v) for v in page.BleedBox]
                if kind == "office":
                    assert trim == bleed == [float(v) for v in page.MediaBox]
                else:
                    assert bleed[0] < trim[0] - 8 and bleed[2] > trim[2] + 8     # 3 mm bleed kept
                forms = _forms_drawn(page)
                assert len(forms) == cells, (design, kind, i)
                # the page placed is the print file's page i (front, then its back), content unchanged
                assert all(f.read_bytes() == src.pages[i].Contents.read_bytes() for f in forms)
                # vector only, CMYK only
                assert not any(isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image
                               for o in pdf.objects)
        assert b"/DeviceRGB" not in data and b"/ICCBased" not in data.replace(b"/DestOutputProfile", b"")


@pytest.mark.parametrize("kind", ["office", "shop"])
def test_every_built_sheet_passes_preflight_with_its_profile(built_sheets, kind):
    from leaflets.preflight import preflight
    for level, folder in built_sheets.items():
        for path in sorted(folder.rglob(f"*.{kind}.pdf")):
            report = preflight(path.read_bytes(), kind, qr="fast")
            assert report.ok, report.format()
            design = path.name.split(".")[0]
            per_sheet = {"hotline-card": 10 if kind == "office" else 8, "a5-flyer": 2}[design]
            fronts = [q for q in report.qr if q.page == 1]
            assert len(fronts) == per_sheet, (path.name, len(fronts))      # every placed code decodes
            with pikepdf.open(path) as pdf:
                assert pdf.pdf_version == ("1.3" if level == "x1a" else "1.6")


def test_built_sheets_are_byte_identical_and_x1a_stays_x1a(built_sheets, font_cache, tmp_path):
    code, _o, err = run("build", "--project", ROOT, "--design", "hotline-card", "--lang", "ja", "--edition", "print",
                        "--sheets", "--out", tmp_path, "--cache", font_cache, "-q")
    assert code == 0, err
    for kind in ("office", "shop"):
        name = f"hotline-card/sheets/hotline-card.ja.{kind}.pdf"
        assert (tmp_path / name).read_bytes() == (built_sheets["x4"] / name).read_bytes()
        with pikepdf.open(built_sheets["x1a"] / name) as pdf:
            assert str(pdf.trailer.Info.GTS_PDFXConformance) == "PDF/X-1a:2001"
            assert str(pdf.Root.OutputIntents[0].OutputConditionIdentifier) == "JC200103"
            for obj in pdf.objects:
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                    assert "/Group" not in obj and "/SMask" not in obj


def test_a_qr_code_is_judged_by_the_page_it_was_imposed_from(built_sheets):
    """Cards on a sheet as large as a poster: their codes are card codes (0.4 mm modules are fine), not
    poster codes; with the placements removed, the sheet's own size would call for 1 mm modules."""
    from leaflets.preflight import preflight
    card = (built_sheets["x4"] / "hotline-card" / "hotline-card.ja.print.pdf").read_bytes()
    big = Layout("cards-b2", "cards on a B2 sheet", (515.0, 728.0), None, None, None, gap=6.0, bleed=3.0, rotate=None)
    data = impose([card], big).data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        trim = [float(v) / MM for v in pdf.pages[0].TrimBox]
        assert trim[2] - trim[0] >= 297 and trim[3] - trim[1] >= 420, "the sheet's trim is poster-sized"
        placements = list(pdf.pages[0].PieceInfo.Leaflets.Private.Placements)
        assert len(placements) == len(_forms_drawn(pdf.pages[0])) > 20
        for box in placements:
            w, h = (float(box[2]) - float(box[0])) / MM, (float(box[3]) - float(box[1])) / MM
            assert abs(max(w, h) - 91) < 0.1 and abs(min(w, h) - 55) < 0.1     # turned to place more
    report = preflight(data, "shop", qr="fast")
    assert report.ok, report.format()
    assert "qr" not in {f.rule for f in report.findings}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            del page.obj["/PieceInfo"]
        buf = io.BytesIO()
        pdf.save(buf)
    stripped = preflight(buf.getvalue(), "shop", qr="fast")
    assert any(f.rule == "qr" and "a poster" in f.text() for f in stripped.findings), stripped.format()
