"""Imposition: finished PDF pages placed on sheets for printing.

Any finished page (built by leaflets or not) with a TrimBox can be imposed.
Each source page becomes a Form XObject (its content, fonts, images and colour
spaces copied unchanged), placed on new sheet pages in the cells of a
:class:`Layout` and clipped to its trim or, where the layout keeps bleed, to
its trim plus that bleed.  Printer's marks are drawn around the imposed block,
never inside a cell's trim (nor, on shop sheets, inside any bleed).

A layout is data: sheet size, grid, cell (the pages' trim size), gap between
cells, bleed kept per cell, marks, rotation, and whether the sheet is for a
print shop or an office printer.  :data:`LAYOUTS` holds the built-in ones;
a new layout is one more :class:`Layout`.

- **Office sheets** (``kind="office"``): TrimBox = BleedBox = MediaBox (the
  sheet is printed as it is); cut marks in K100 only, inside the printable
  area (``margin`` from the sheet edge, 5 mm for an office printer).
- **Shop sheets** (``kind="shop"``): TrimBox = the rectangle around every
  cell's trim, BleedBox = the rectangle around every cell's kept bleed; marks
  in registration colour (CMYK 100/100/100/100) outside the bleed, in the
  slug: Japanese double marks (trim and bleed lines, with centre marks where
  they fit) by default, western single marks on request.

Marks are 0.25 pt lines at every cut line (and, for Japanese marks, every
bleed line), drawn above, below, left and right of the imposed block.

**Copies.** By default every page fills a sheet of its own (step and
repeat); with ``copies`` every page is placed that many times, one cell after
the other, across as many sheets as needed.

**Duplex.** With backs, each sheet of fronts is followed by its sheet of
backs; the back of the page in a cell is placed at that cell's mirror image
for the printer's flip (``long``: about the sheet's long edge, the default;
``short``: about its short edge), turned so that it reads upright when the
cut piece is turned over side to side.

**PDF/X.** The first source's OutputIntents and PDF/X markers (Info
``GTS_PDFXVersion``/``GTS_PDFXConformance``/``Trapped``; XMP with the PDF/X
identification) are carried over and its PDF version kept (1.6 for X-4, 1.3
for X-1a); sources made for another PDF/X version or output condition are
refused.  Nothing transparent is added (no soft mask, no transparency
group); for PDF/X-1 and X-3 sources a page group is dropped from the form.
Dates come from the first source, identifiers from the content: the same
input gives byte-identical sheets.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import uuid
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from .errors import ERROR, ContentError, Diagnostic, UsageError

MM = 72 / 25.4
MARK_WIDTH = 0.25            # pt
MARK_LENGTH = 10.0           # mm, at most
MIN_MARK = 3.0               # mm: a mark shorter than this is not worth drawing; the layout must leave room
SIZE_TOLERANCE = 0.2         # mm: a page's trim may differ this much from the cell
BLEED_TOLERANCE = 0.01       # mm
MAX_COPIES = 1000
REGISTRATION = "1 1 1 1 K"   # shop sheets: every plate
OFFICE_BLACK = "0 0 0 1 K"   # office sheets: K100 only
MARK_STYLES = ("japanese", "western", "none")
KINDS = ("shop", "office")
FLIPS = ("long", "short")
_EPS = 1e-4                  # mm
# Each sheet page's /PieceInfo names this application; its /Private /Placements lists, in points on the
# sheet, the TrimBox each imposed page was placed at (see leaflets.preflight, the QR rule).
PIECE_KEY = "/Leaflets"
FALLBACK_STAMP = "D:20000101000000Z"

# Named sheets (portrait, mm), for messages and the layout list.
SHEETS = {
    "A2": (420.0, 594.0), "A3": (297.0, 420.0), "A4": (210.0, 297.0), "A5": (148.0, 210.0), "A6": (105.0, 148.0),
    "B3 (JIS)": (364.0, 515.0), "B4 (JIS)": (257.0, 364.0), "B5 (JIS)": (182.0, 257.0),
    "SRA3": (320.0, 450.0), "SRA4": (225.0, 320.0), "Letter": (215.9, 279.4), "Tabloid": (279.4, 431.8),
}


class ImpositionError(ContentError):
    """Pages cannot be imposed as asked: each diagnostic says which file and page, what and how to fix it."""


def _error(message: str, file: Path | None = None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(ERROR, message, file, None, hint, code="impose")


def _g(v: float) -> str:
    """A length in mm for messages: 91, 3, 0.5."""
    return f"{round(v, 1):g}"


def sheet_name(w: float, h: float) -> str:
    """``A4``, ``A3 landscape``, or ``a 320 x 460 mm sheet``."""
    for name, (sw, sh) in SHEETS.items():
        if abs(sw - w) < 0.5 and abs(sh - h) < 0.5:
            return name
        if abs(sw - h) < 0.5 and abs(sh - w) < 0.5:
            return f"{name} landscape"
    return f"a {_g(w)} x {_g(h)} mm sheet"


# ---------------------------------------------------------------- layouts

@dataclass(frozen=True)
class Layout:
    """How pages go on a sheet.  Lengths in mm.

    ``sheet``: the sheet page, width x height as made (landscape when wider).
    ``cell``: the pages' trim size, width x height as designed; None: the
    pages' own (all alike).  ``columns`` x ``rows``: the grid; None: as many
    as fit.  ``gap``: between neighbouring cells' trims.  ``bleed``: kept
    around each cell (between cells, at most half the gap).  ``rotate``:
    degrees counter-clockwise the pages are turned on the sheet (0, 90, 180,
    270); None: whichever places more.  ``marks``: japanese, western or none.
    ``kind``: shop or office.  ``margin``: the sheet's unprintable margin,
    which marks stay out of.  ``mark_offset``: from the outer cells' kept
    bleed to where the marks start (None: 3 mm from the trim on shop sheets,
    at the bleed edge when there is bleed; 1 mm on office sheets)."""

    name: str
    description: str
    sheet: tuple[float, float]
    cell: tuple[float, float] | None = None
    columns: int | None = None
    rows: int | None = None
    gap: float = 0.0
    bleed: float = 0.0
    marks: str = "japanese"
    kind: str = "shop"
    rotate: int | None = 0
    margin: float = 0.0
    mark_offset: float | None = None

    def __post_init__(self):
        def length(v, what, positive=False):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0 \
                    or (positive and v <= 0) or v > 5000:
                raise ValueError(f"layout {self.name}: {what} must be a length in mm, not {v!r}")
        if not self.name or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.name):
            raise ValueError(f"layout name {self.name!r}: lower-case letters, digits and hyphens")
        for v, what in ((self.sheet, "sheet"), (self.cell, "cell")):
            if v is None and what == "cell":
                continue
            if not isinstance(v, tuple) or len(v) != 2:
                raise ValueError(f"layout {self.name}: {what} must be (width, height) in mm")
            for x in v:
                length(x, what, positive=True)
        for v, what in ((self.gap, "gap"), (self.bleed, "bleed"), (self.margin, "margin")):
            length(v, what)
        if self.mark_offset is not None:
            length(self.mark_offset, "mark_offset")
        for v, what in ((self.columns, "columns"), (self.rows, "rows")):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1000):
                raise ValueError(f"layout {self.name}: {what} must be a whole number from 1 to 1000, or None")
        if self.marks not in MARK_STYLES:
            raise ValueError(f"layout {self.name}: marks must be one of {', '.join(MARK_STYLES)}")
        if self.kind not in KINDS:
            raise ValueError(f"layout {self.name}: kind must be one of {', '.join(KINDS)}")
        if self.rotate not in (None, 0, 90, 180, 270):
            raise ValueError(f"layout {self.name}: rotate must be 0, 90, 180, 270 or None")

    @property
    def offset(self) -> float:
        if self.mark_offset is not None:
            return self.mark_offset
        if self.kind == "office":
            return 1.0
        return max(0.0, 3.0 - self.bleed)

    @property
    def inner_bleed(self) -> float:
        return min(self.bleed, self.gap / 2)

    def _need(self) -> float:
        """The room each side of the block needs, beyond its bleed: marks and the unprintable margin."""
        return self.margin + self.offset + MIN_MARK if self.marks != "none" else 0.0

    def _fits(self, length: float, size: float) -> int:
        """How many cells of ``size`` fit along a sheet side of ``length``."""
        room = length - 2 * self._need() - 2 * self.bleed
        if size > room + _EPS:
            return 0
        return int((room - size + _EPS) // (size + self.gap)) + 1

    def _grid(self, trim: tuple[float, float], rotate: int) -> tuple[float, float, int, int]:
        fw, fh = trim if rotate in (0, 180) else (trim[1], trim[0])
        return fw, fh, self._fits(self.sheet[0], fw), self._fits(self.sheet[1], fh)

    def plan(self, trim: tuple[float, float] | None = None) -> "Plan":
        """The sheet's geometry for pages of ``trim`` (width, height in mm; default: the cell).  An
        :class:`ImpositionError` says how many fit when the grid does not."""
        trim = trim or self.cell
        if trim is None:
            raise ValueError(f"layout {self.name} takes the pages' trim size: pass it")
        rotations = (self.rotate,) if self.rotate is not None else (0, 90)
        best = None
        for rot in rotations:
            fw, fh, nc, nr = self._grid(trim, rot)
            cols = self.columns or nc
            rows = self.rows or nr
            ok = cols <= nc and rows <= nr and cols * rows > 0
            if ok and (best is None or cols * rows > best[0] * best[1]):
                best = (cols, rows, rot, fw, fh)
        if best is None:
            raise ImpositionError(self._no_fit(trim))
        return Plan._make(self, trim, *best)

    def _no_fit(self, trim: tuple[float, float]) -> Diagnostic:
        rot = self.rotate or 0
        fw, fh, nc, nr = self._grid(trim, rot)
        size = f"{_g(trim[0])} x {_g(trim[1])} mm" + (f" with {_g(self.bleed)} mm bleed" if self.bleed else "")
        where = sheet_name(*self.sheet)
        asked_c, asked_r = self.columns or nc, self.rows or nr
        have = f"{nc * nr} fit on {where} ({nc} x {nr})" if nc * nr else f"none fit on {where}"
        if self.columns and self.rows:
            have += f", not {asked_c * asked_r} ({asked_c} x {asked_r})"
        elif self.columns or self.rows:
            have += f", not {asked_c} x {asked_r}"
        elif self.marks != "none":
            have += " with room for the marks"
        hints = []
        tw, th, tc, tr = self._grid(trim, (rot + 90) % 360)
        if tc * tr > nc * nr:
            hints.append(f"turned 90°, {tc * tr} fit ({tc} x {tr})")
        if self.marks != "none":
            bare = replace(self, marks="none")
            _, _, bc, br = bare._grid(trim, rot)
            if bc * br > nc * nr:
                hints.append(f"{bc * br} would fit without room for the marks")
        hints.append("choose another layout (leaflets impose --list) or a larger sheet")
        return _error(f"{size}: {have} (layout {self.name})",
                      hint="; ".join(hints))

    def summary(self) -> str:
        grid = f"{self.columns} x {self.rows}" if self.columns and self.rows else "as many as fit"
        cell = f"{_g(self.cell[0])} x {_g(self.cell[1])} mm" if self.cell else "any size"
        bleed = f"{_g(self.bleed)} mm bleed" if self.bleed else "no bleed"
        marks = "no marks" if self.marks == "none" else f"{self.marks} marks"
        return f"{cell}, {grid} on {sheet_name(*self.sheet)}, {bleed}, {marks}, {self.kind} sheet"


@dataclass(frozen=True)
class Cell:
    """One cell: its trim on the sheet (mm from the sheet's lower left), the bleed kept on each side
    (left, bottom, right, top), the turn of the pages in it, and its column and row (row 0 at the top)."""

    index: int
    column: int
    row: int
    x: float
    y: float
    w: float
    h: float
    bleed: tuple[float, float, float, float]
    rotate: int

    @property
    def trim(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.w, self.y + self.h)

    @property
    def clip(self) -> tuple[float, float, float, float]:
        left, bottom, right, top = self.bleed
        return (self.x - left, self.y - bottom, self.x + self.w + right, self.y + self.h + top)


Segment = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Plan:
    """A layout's geometry for one trim size: the cells, the marks, the boxes (all in mm)."""

    layout: Layout
    trim: tuple[float, float]
    width: float
    height: float
    columns: int
    rows: int
    rotate: int
    cells: tuple[Cell, ...]
    marks: tuple[Segment, ...]
    trimbox: tuple[float, float, float, float]
    bleedbox: tuple[float, float, float, float]

    @classmethod
    def _make(cls, layout: Layout, trim, cols: int, rows: int, rot: int, fw: float, fh: float) -> "Plan":
        W, H = layout.sheet
        b, ib, g = layout.bleed, layout.inner_bleed, layout.gap
        block_w = cols * fw + (cols - 1) * g + 2 * b
        block_h = rows * fh + (rows - 1) * g + 2 * b
        left = (W - block_w) / 2 + b           # the first column's trim
        top = (H + block_h) / 2 - b            # the first row's trim
        cells = []
        for r in range(rows):
            for c in range(cols):
                x = left + c * (fw + g)
                y = top - (r + 1) * fh - r * g
                kept = (b if c == 0 else ib, b if r == rows - 1 else ib,
                        b if c == cols - 1 else ib, b if r == 0 else ib)
                cells.append(Cell(len(cells), c, r, x, y, fw, fh, kept, rot))
        tb = (min(c.x for c in cells), min(c.y for c in cells),
              max(c.x + c.w for c in cells), max(c.y + c.h for c in cells))
        bb = (tb[0] - b, tb[1] - b, tb[2] + b, tb[3] + b)
        marks = _marks(layout, cells, bb, W, H)
        if layout.kind == "office":
            tb = bb = (0.0, 0.0, W, H)
        return cls(layout, tuple(trim), W, H, cols, rows, rot, tuple(cells), tuple(marks), tb, bb)

    def mirror(self, cell: Cell, flip: str) -> Cell:
        """The cell that backs ``cell`` up when the sheet is turned over for ``flip`` (long or short)."""
        col, row = cell.column, cell.row
        if _vertical_axis(self.width, self.height, flip):
            col = self.columns - 1 - col
        else:
            row = self.rows - 1 - row
        return self.cells[row * self.columns + col]


def _vertical_axis(w: float, h: float, flip: str) -> bool:
    """Whether the sheet turns over about a vertical axis (mirroring x) for ``flip``."""
    portrait = h >= w
    return portrait if flip == "long" else not portrait


def _marks(layout: Layout, cells: list[Cell], bb, W: float, H: float) -> list[Segment]:
    """Lines at every cut (and, Japanese, bleed) line, outside the block ``bb``, within the printable area."""
    if layout.marks == "none":
        return []
    japanese = layout.marks == "japanese"
    off = layout.offset
    xs, ys = set(), set()
    for c in cells:
        x0, y0, x1, y1 = c.trim
        xs.update((round(x0, 6), round(x1, 6)))
        ys.update((round(y0, 6), round(y1, 6)))
        if japanese:
            cx0, cy0, cx1, cy1 = c.clip
            xs.update((round(cx0, 6), round(cx1, 6)))
            ys.update((round(cy0, 6), round(cy1, 6)))
    lv = min(MARK_LENGTH, min(bb[1], H - bb[3]) - layout.margin - off)    # vertical marks, above and below
    lh = min(MARK_LENGTH, min(bb[0], W - bb[2]) - layout.margin - off)    # horizontal marks, left and right
    segs: list[Segment] = []
    for x in sorted(xs):
        segs.append(((x, bb[3] + off), (x, bb[3] + off + lv)))
        segs.append(((x, bb[1] - off), (x, bb[1] - off - lv)))
    for y in sorted(ys):
        segs.append(((bb[0] - off, y), (bb[0] - off - lh, y)))
        segs.append(((bb[2] + off, y), (bb[2] + off + lh, y)))
    if japanese:
        # centre marks: along each side's centre line, with a cross bar, where they clear the other marks
        cx, cy = (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2
        if all(abs(x - cx) > lv / 3 + 0.5 for x in xs):
            for sy, edge in ((1, bb[3] + off), (-1, bb[1] - off)):
                segs.append(((cx, edge), (cx, edge + sy * lv)))
                segs.append(((cx - lv / 3, edge + sy * lv / 2), (cx + lv / 3, edge + sy * lv / 2)))
        if all(abs(y - cy) > lh / 3 + 0.5 for y in ys):
            for sx, edge in ((-1, bb[0] - off), (1, bb[2] + off)):
                segs.append(((edge, cy), (edge + sx * lh, cy)))
                segs.append(((edge + sx * lh / 2, cy - lh / 3), (edge + sx * lh / 2, cy + lh / 3)))
    return segs


A4 = (210.0, 297.0)
A3_LANDSCAPE = (420.0, 297.0)
SRA3 = (320.0, 450.0)

LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    Layout("cards-10up", "hotline cards 91 x 55 mm, 10 on A4 (2 x 5) as a butt cut: the cards touch and "
                         "share their cut lines, no bleed; cut marks at every cut line inside a 5 mm margin, "
                         "for an office printer",
           A4, (91.0, 55.0), 2, 5, kind="office", marks="western", margin=5.0),
    Layout("cards-8up-bleed", "hotline cards 91 x 55 mm, 8 on A4 (2 x 4), each with its 3 mm bleed, 6 mm "
                              "gutters, Japanese trim marks for every card, for a print shop",
           A4, (91.0, 55.0), 2, 4, gap=6.0, bleed=3.0),
    Layout("a5-2up", "A5 flyers 148 x 210 mm, 2 on A4 turned 90° as a butt cut, no bleed, for an office "
                     "printer: cut across the middle (no room for marks)",
           A4, (148.0, 210.0), 1, 2, rotate=90, kind="office", marks="none", margin=5.0),
    Layout("a5-2up-a3", "A5 flyers 148 x 210 mm, 2 on A3 landscape, each with its 3 mm bleed, Japanese trim "
                        "marks, for a print shop",
           A3_LANDSCAPE, (148.0, 210.0), 2, 1, gap=6.0, bleed=3.0),
    Layout("fill-a4", "pages of any size, as many as fit on A4 as a butt cut, no bleed, cut marks inside a 5 mm "
                      "margin, for an office printer",
           A4, None, None, None, kind="office", marks="western", margin=5.0, rotate=None),
    Layout("fill-sra3", "pages of any size (cards, flyers, A3 posters), as many as fit on SRA3 (320 x 450 mm), "
                        "each with its 3 mm bleed, 6 mm gutters, Japanese trim marks, for a print shop",
           SRA3, None, None, None, gap=6.0, bleed=3.0, rotate=None),
)}


def sheet_layouts(trim: tuple[float, float]) -> dict[str, Layout]:
    """The built-in sheets for finished pages of ``trim`` (width, height in mm, either way round): the first
    office layout and the first shop layout of :data:`LAYOUTS` made for that size ({} for other sizes).
    ``leaflets build --sheets`` imposes every print file on them."""
    out: dict[str, Layout] = {}
    for layout in LAYOUTS.values():
        if layout.cell and layout.kind not in out and (_same(trim, layout.cell)
                                                      or _same(trim, (layout.cell[1], layout.cell[0]))):
            out[layout.kind] = layout
    return {kind: out[kind] for kind in KINDS if kind in out}


def get_layout(name: str) -> Layout:
    layout = LAYOUTS.get(name)
    if layout is None:
        raise UsageError(f"unknown layout '{name}' (layouts: {', '.join(LAYOUTS)}; leaflets impose --list "
                         "describes them)")
    return layout


def describe_layouts() -> str:
    lines = []
    for layout in LAYOUTS.values():
        lines.append(f"{layout.name}\n    {layout.description}\n    {layout.summary()}\n")
    return "".join(lines)


# ---------------------------------------------------------------- matrices

Matrix = tuple[float, float, float, float, float, float]
_ID: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _then(m1: Matrix, m2: Matrix) -> Matrix:
    """``m1`` followed by ``m2`` (PDF's row-vector order: m1 x m2)."""
    a, b, c, d, e, f = m1
    A, B, C, D, E, F = m2
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _ccw(deg: int) -> Matrix:
    """A turn counter-clockwise by a multiple of 90 degrees, exact."""
    cos, sin = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}[deg % 360]
    return (float(cos), float(sin), float(-sin), float(cos), 0.0, 0.0)


def _rect_through(m: Matrix, r) -> tuple[float, float, float, float]:
    pts = [_apply(m, x, y) for x in (r[0], r[2]) for y in (r[1], r[3])]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def _n(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------- sources

@dataclass
class _Source:
    label: str
    path: Path | None
    data: bytes
    pdf: object = None
    pdfx: str | None = None          # the PDF/X version claimed
    conformance: str | None = None
    intents: tuple = ()              # OutputConditionIdentifiers of the PDF/X intents
    xmp: dict = field(default_factory=dict)


@dataclass
class _Page:
    source: _Source
    number: int                      # 1-based
    page: object                     # pikepdf.Page
    trim: tuple[float, float, float, float]        # user space
    region: tuple[float, float, float, float]      # what may show: BleedBox within CropBox and MediaBox
    display: Matrix                  # user space -> the page as shown (/Rotate, /UserUnit), pt
    size: tuple[float, float]        # trim as shown, mm
    turn: int = 0                    # extra turn to fit the cell (a page designed the other way round)

    @property
    def where(self) -> str:
        return f"page {self.number}"


def _inherited(obj, key: str):
    seen = 0
    while obj is not None and seen < 64:
        if key in obj:
            return obj[key]
        obj = obj.get("/Parent")
        seen += 1
    return None


def _box(value) -> tuple[float, float, float, float] | None:
    import pikepdf
    try:
        if not isinstance(value, pikepdf.Array) or len(value) != 4:
            return None
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError, pikepdf.PdfError):
        return None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _intersect(a, b):
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _label(source, i: int) -> tuple[str, Path | None]:
    if isinstance(source, (bytes, bytearray)):
        return f"<pdf {i + 1}>", None
    return str(source), Path(source)


def _first_line(exc: Exception) -> str:
    """The first line of a reader's error, without qpdf's name for the in-memory stream it read."""
    text = re.sub(r"^\s*stream <[^>]*>:?\s*", "", str(exc)).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _open(source, i: int, diags: list[Diagnostic]) -> _Source | None:
    import pikepdf
    label, path = _label(source, i)
    if path is not None:
        from .atomic import read_regular_file
        try:
            data = read_regular_file(path)
        except IsADirectoryError:
            diags.append(_error("it is a folder, not a PDF file", path, "name the PDF files to impose"))
            return None
        except OSError as exc:
            diags.append(_error(f"cannot read the file: {exc.strerror or exc}", path,
                                "check the file name and that you may read it"))
            return None
    else:
        data = bytes(source)
    src = _Source(label, path, data)
    where = f"{label}: " if path is None else ""
    if b"%PDF-" not in data[:1024]:
        diags.append(_error(f"{where}not a PDF file: " + ("it is empty" if not data else
                                                           "no %PDF- header in its first 1024 bytes"),
                            path, "impose finished PDF files (leaflets build writes them)"))
        return None
    try:
        src.pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        diags.append(_error(f"{where}the file is encrypted with a password", path,
                            "save it again without a password"))
        return None
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError) as exc:
        diags.append(_error(f"{where}the file is damaged and cannot be read as a PDF: "
                            f"{_first_line(exc)}",
                            path, "export the file again from the application that made it"))
        return None
    _read_pdfx(src)
    return src


def _read_pdfx(src: _Source) -> None:
    import pikepdf
    pdf = src.pdf
    info = pdf.trailer.get("/Info")
    info = info if isinstance(info, pikepdf.Dictionary) else pikepdf.Dictionary()
    src.xmp = _xmp_values(pdf)
    iv = str(info.get("/GTS_PDFXVersion")) if "/GTS_PDFXVersion" in info else None
    src.pdfx = src.xmp.get("pdfxid:GTS_PDFXVersion") or src.xmp.get("pdfx:GTS_PDFXVersion") or iv
    ic = str(info.get("/GTS_PDFXConformance")) if "/GTS_PDFXConformance" in info else None
    src.conformance = src.xmp.get("pdfx:GTS_PDFXConformance") or ic
    intents = pdf.Root.get("/OutputIntents")
    idents = []
    if isinstance(intents, pikepdf.Array):
        for oi in intents:
            if isinstance(oi, pikepdf.Dictionary) and str(oi.get("/S", "")) == "/GTS_PDFX":
                idents.append(str(oi.get("/OutputConditionIdentifier", "")))
    src.intents = tuple(idents)


_XMP_NS = {"http://www.npes.org/pdfx/ns/id/": "pdfxid", "http://ns.adobe.com/pdfx/1.3/": "pdfx",
           "http://ns.adobe.com/xap/1.0/mm/": "xmpMM"}


def _xmp_values(pdf) -> dict[str, str]:
    """The PDF/X identification and document ID in a PDF's XMP (empty if it has none or it is unreadable)."""
    import pikepdf
    from lxml import etree
    meta = pdf.Root.get("/Metadata")
    if not isinstance(meta, pikepdf.Stream):
        return {}
    try:
        data = bytes(meta.read_bytes())
    except pikepdf.PdfError:
        return {}
    start, end = data.find(b"<x:xmpmeta"), data.find(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data[start:end + len(b"</x:xmpmeta>")], parser)
    except etree.XMLSyntaxError:
        return {}
    out: dict[str, str] = {}
    for desc in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        items = [(k, v) for k, v in desc.attrib.items()]
        items += [(child.tag, "".join(child.itertext()).strip()) for child in desc if isinstance(child.tag, str)]
        for tag, value in items:
            if tag.startswith("{"):
                uri, local = tag[1:].split("}", 1)
                if uri in _XMP_NS and local in ("GTS_PDFXVersion", "GTS_PDFXConformance", "DocumentID"):
                    out[f"{_XMP_NS[uri]}:{local}"] = value
    return out


def _pages(src: _Source, diags: list[Diagnostic]) -> list[_Page]:
    import pikepdf
    pages = []
    where = f"{src.label}: " if src.path is None else ""
    try:
        src.pdf.flatten_annotations("print")     # printed annotations become part of the page
    except (pikepdf.PdfError, RuntimeError, ValueError):
        pass
    if len(src.pdf.pages) == 0:
        diags.append(_error(f"{where}the file has no pages", src.path))
    for i, page in enumerate(src.pdf.pages):
        obj = page.obj
        n = i + 1
        media = _box(_inherited(obj, "/MediaBox"))
        if media is None or media[2] - media[0] <= 0 or media[3] - media[1] <= 0:
            diags.append(_error(f"{where}page {n} has no usable MediaBox", src.path,
                                "export the file again from the application that made it"))
            continue
        if "/TrimBox" not in obj:
            diags.append(_error(f"{where}page {n} has no TrimBox: its finished size is not known", src.path,
                                "export it as a print PDF (PDF/X) with a TrimBox, the finished size, and a "
                                "BleedBox around it"))
            continue
        trim = _box(obj.TrimBox)
        if trim is None:
            diags.append(_error(f"{where}page {n} has a malformed TrimBox: {obj.TrimBox!r}"[:300], src.path,
                                "a TrimBox is four numbers: [left bottom right top]"))
            continue
        crop = _box(_inherited(obj, "/CropBox")) or media
        bleed = _box(obj.get("/BleedBox")) if "/BleedBox" in obj else crop
        if bleed is None:
            diags.append(_error(f"{where}page {n} has a malformed BleedBox", src.path,
                                "a BleedBox is four numbers: [left bottom right top]"))
            continue
        trim = _intersect(trim, media)
        region = _intersect(_intersect(bleed, crop), media)
        if trim[2] - trim[0] <= 0 or trim[3] - trim[1] <= 0:
            diags.append(_error(f"{where}page {n}: its TrimBox lies outside its MediaBox", src.path,
                                "set the TrimBox to the finished size, inside the MediaBox"))
            continue
        try:
            rot = int(_inherited(obj, "/Rotate") or 0)
            unit = float(obj.get("/UserUnit", 1) or 1)
        except (TypeError, ValueError, pikepdf.PdfError):
            rot, unit = -1, 1.0
        if rot % 90 or not (0 < unit <= 75000):
            diags.append(_error(f"{where}page {n} has a /Rotate that is not a multiple of 90 or a bad /UserUnit",
                                src.path, "export the file again"))
            continue
        display = _then((unit, 0.0, 0.0, unit, 0.0, 0.0), _ccw(-rot % 360))   # /Rotate turns clockwise
        shown = _rect_through(display, trim)
        size = ((shown[2] - shown[0]) / MM, (shown[3] - shown[1]) / MM)
        # inherited attributes onto the page itself, so that its form has them
        for key in ("/Resources",):
            if key not in obj:
                value = _inherited(obj, key)
                if value is not None:
                    obj[key] = value
        pages.append(_Page(src, n, page, trim, region, display, size))
    return pages


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= SIZE_TOLERANCE and abs(a[1] - b[1]) <= SIZE_TOLERANCE


# ---------------------------------------------------------------- result

@dataclass(frozen=True)
class Imposed:
    """The sheets: the PDF's bytes, the geometry, and how many sheets hold how many pages."""

    data: bytes
    plan: Plan
    sheets: int                 # sheet pages, backs included
    placed: int                 # pages placed (fronts and backs)
    pdfx: str | None

    def summary(self) -> str:
        p = self.plan
        return (f"{self.sheets} sheet(s) of {sheet_name(p.width, p.height)}, {p.columns} x {p.rows} "
                f"{_g(p.trim[0])} x {_g(p.trim[1])} mm cells, {self.placed} page(s) placed"
                + (f", {self.pdfx}" if self.pdfx else ""))


# ---------------------------------------------------------------- impose

def impose(fronts: Sequence[Path | str | bytes], layout: Layout | str, *,
           backs: Sequence[Path | str | bytes] | None = None, duplex: bool = False, copies: int | None = None,
           flip: str = "long", marks: str | None = None) -> Imposed:
    """Impose the pages of ``fronts`` (files or PDF bytes) on sheets of ``layout``.

    ``backs``: the back of every front page, in order (or one back for all).
    ``duplex``: the fronts' pages alternate front, back.  ``copies``: place
    every page this many times (default: every page fills a sheet).
    ``flip``: long or short, the printer's duplex flip.  ``marks``: override
    the layout's marks (japanese, western, none)."""
    import pikepdf

    if isinstance(fronts, (str, Path, bytes, bytearray)):
        fronts = [fronts]
    if isinstance(backs, (str, Path, bytes, bytearray)):
        backs = [backs]
    if isinstance(layout, str):
        layout = get_layout(layout)
    if marks is not None:
        if marks not in MARK_STYLES:
            raise UsageError(f"unknown marks '{marks}' (marks: {', '.join(MARK_STYLES)})")
        layout = replace(layout, marks=marks)
    if flip not in FLIPS:
        raise UsageError(f"unknown flip '{flip}' (flips: long, short)")
    if copies is not None and (isinstance(copies, bool) or not isinstance(copies, int)
                               or not 1 <= copies <= MAX_COPIES):
        raise UsageError(f"copies must be a whole number from 1 to {MAX_COPIES}, not {copies!r}")
    if not fronts:
        raise UsageError("no PDF files to impose")
    if duplex and backs:
        raise UsageError("give the backs either with --backs or as every second page (--duplex), not both")

    diags: list[Diagnostic] = []
    with contextlib.ExitStack() as stack:
        sources = []
        for i, s in enumerate(list(fronts) + list(backs or [])):
            src = _open(s, i, diags)
            if src is not None:
                stack.callback(src.pdf.close)
            sources.append(src)
        front_pages, back_pages = [], []
        for i, src in enumerate(sources):
            if src is None:
                continue
            (front_pages if i < len(fronts) else back_pages).extend(_pages(src, diags))
        if diags:
            raise ImpositionError(diags)
        if duplex:
            if len(front_pages) % 2:
                raise ImpositionError(_error(
                    f"--duplex takes the pages as front, back, front, back…, but there are {len(front_pages)} "
                    "pages: one back is missing", _first_path(sources),
                    "add the missing back, or give the backs as files of their own with --backs"))
            front_pages, back_pages = front_pages[0::2], front_pages[1::2]
        if back_pages and len(back_pages) not in (1, len(front_pages)):
            raise ImpositionError(_error(
                f"{len(front_pages)} front page(s) and {len(back_pages)} back page(s): give one back for every "
                "front, in the same order, or one back for all of them", _first_path(sources[len(fronts):]),
                f"the backs must have {len(front_pages)} page(s), or 1"))

        trim = layout.cell or (round(front_pages[0].size[0], 2), round(front_pages[0].size[1], 2))
        _check_sizes(layout, trim, front_pages + back_pages, front_pages[0])
        try:
            plan = layout.plan(trim)
        except ImpositionError as exc:   # say which file's pages do not fit
            raise ImpositionError([replace(d, file=d.file or front_pages[0].source.path)
                                   for d in exc.diagnostics]) from None
        _check_bleed(layout, front_pages + back_pages)
        _check_pdfx(sources)
        first = next(s for s in sources if s is not None)
        level_x1 = bool(first.pdfx) and (first.pdfx.startswith("PDF/X-1") or first.pdfx.startswith("PDF/X-3"))

        out = pikepdf.new()
        forms: dict[tuple[int, int], object] = {}
        src_index = {id(s): i for i, s in enumerate(sources) if s is not None}

        def form_of(p: _Page):
            key = (src_index[id(p.source)], p.number)
            if key not in forms:
                fx = p.page.as_form_xobject(handle_transformations=False)
                fx.BBox = pikepdf.Array([pikepdf.Object.parse(_n(v).encode()) for v in p.region])
                if level_x1 and "/Group" in fx:
                    del fx["/Group"]
                forms[key] = out.copy_foreign(fx)
            return forms[key]

        slots = _slots(front_pages, back_pages, plan, copies)
        placed = 0
        info = first.pdf.trailer.get("/Info")
        stamp = str(info.get("/ModDate")) if isinstance(info, pikepdf.Dictionary) and "/ModDate" in info \
            else FALLBACK_STAMP
        for sheet_fronts in slots:
            _sheet(out, plan, [(plan.cells[i], p, p.turn) for i, p, _b in sheet_fronts], form_of, layout, stamp)
            placed += len(sheet_fronts)
            if back_pages:
                placements = []
                for i, p, back in sheet_fronts:
                    cell = plan.cells[i]
                    mirror = plan.mirror(cell, flip)
                    front_turn = (cell.rotate + p.turn) % 360
                    upright_axis_vertical = front_turn in (0, 180)
                    fix = 0 if upright_axis_vertical == _vertical_axis(plan.width, plan.height, flip) else 180
                    placements.append((mirror, back, (fix + back.turn) % 360))
                _sheet(out, plan, placements, form_of, layout, stamp)
                placed += len(placements)
        pdfx = _metadata(out, sources, first, layout)
        version = max((s.pdf.pdf_version for s in sources if s is not None),
                      key=lambda v: tuple(int(x) for x in re.findall(r"\d+", v)[:2]))
        buf = io.BytesIO()
        from .render.pdfx import has_unfiltered_streams
        out.save(buf, force_version=version, deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=has_unfiltered_streams(out),
                 qdf=False, linearize=False)
        return Imposed(buf.getvalue(), plan, len(out.pages), placed, pdfx)


def _first_path(sources) -> Path | None:
    return next((s.path for s in sources if s is not None), None)


def _check_bleed(layout: Layout, pages: list[_Page]) -> None:
    """Every page with the layout's bleed on every side (in its BleedBox, within its CropBox and MediaBox)."""
    short: dict[tuple, list[_Page]] = {}
    for p in pages:
        shown = _rect_through(p.display, p.region)
        trim = _rect_through(p.display, p.trim)
        have = min(trim[0] - shown[0], trim[1] - shown[1], shown[2] - trim[2], shown[3] - trim[3]) / MM
        if have < layout.bleed - BLEED_TOLERANCE:
            short.setdefault((id(p.source), round(have, 1) if have > 0 else 0.0, have < -BLEED_TOLERANCE),
                             []).append(p)
    diags = []
    for (_, have, inside), group in short.items():
        p = group[0]
        where = f"{p.source.label}: " if p.source.path is None else ""
        pages_ = _numbers(sorted({q.number for q in group}))
        verb = "has" if len(group) == 1 else "have"
        if inside:
            diags.append(_error(f"{where}{pages_}: the BleedBox (or CropBox) cuts into the TrimBox", p.source.path,
                                "set the BleedBox around the TrimBox (3 mm beyond it for print)"))
        else:
            diags.append(_error(f"{where}{pages_} {verb} {_g(have)} mm of bleed (BleedBox), but layout "
                                f"{layout.name} keeps {_g(layout.bleed)} mm around each page", p.source.path,
                                f"export the pages with {_g(layout.bleed)} mm bleed (artwork and BleedBox "
                                f"{_g(layout.bleed)} mm beyond the trim), or use a layout without bleed "
                                "(leaflets impose --list)"))
    if diags:
        raise ImpositionError(diags)


def _numbers(numbers: list[int]) -> str:
    """``page 3``, ``pages 1-4, 7``."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    text = ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
    return ("page " if len(numbers) == 1 else "pages ") + text


def _check_sizes(layout: Layout, trim, pages: list[_Page], first: _Page) -> None:
    """Every page of the cell's trim size (or that size turned 90°, which the page then is); else errors, one
    per file and size."""
    wrong: dict[tuple, list[_Page]] = {}
    for p in pages:
        if _same(p.size, trim):
            p.turn = 0
        elif _same(p.size, (trim[1], trim[0])):
            p.turn = 90
        else:
            wrong.setdefault((id(p.source), round(p.size[0], 1), round(p.size[1], 1)), []).append(p)
    diags = []
    for group in wrong.values():
        p = group[0]
        pages_ = _numbers(sorted({q.number for q in group}))
        verb = "is" if len(group) == 1 else "are"
        size = f"{_g(p.size[0])} x {_g(p.size[1])} mm"
        want = f"{_g(trim[0])} x {_g(trim[1])} mm"
        where = f"{p.source.label}: " if p.source.path is None else ""
        if layout.cell is None:
            msg = (f"{where}{pages_} {verb} {size}, but page {first.number} of {first.source.label} is "
                   f"{want}: pages of different trim sizes cannot share layout {layout.name}")
            hint = "impose each size on its own"
        else:
            msg = f"{where}{pages_} {verb} {size} (TrimBox), but layout {layout.name} takes {want} pages"
            fitting = [n for n, lay in LAYOUTS.items() if lay.cell and
                       (_same(p.size, lay.cell) or _same(p.size, (lay.cell[1], lay.cell[0])))]
            hint = ("layouts for this size: " + ", ".join(fitting)) if fitting else \
                "for pages of any size: fill-a4 (office) or fill-sra3 (shop); leaflets impose --list"
        diags.append(_error(msg, p.source.path, hint))
    if diags:
        raise ImpositionError(diags)


def _check_pdfx(sources: list[_Source | None]) -> None:
    """All sources made for one PDF/X version and output condition (the sheets carry the first one's)."""
    present = [s for s in sources if s is not None]
    first = present[0]
    key = (first.pdfx, first.intents[:1])
    diags = []
    for s in present[1:]:
        if (s.pdfx, s.intents[:1]) != key:
            def what(x: _Source) -> str:
                kind = x.pdfx or "not PDF/X"
                return kind + (f" for {x.intents[0]}" if x.intents else "")
            diags.append(_error(f"{s.label} is {what(s)}, but {first.label} is {what(first)}: the sheets can "
                                "carry only one PDF/X version and output condition", s.path,
                                "impose files made for the same output condition together (build them with "
                                "the same --pdfx and --output-condition)"))
    if diags:
        raise ImpositionError(diags)


def _slots(fronts: list[_Page], backs: list[_Page], plan: Plan, copies: int | None):
    """The sheets' fronts: lists of (cell index, front page, back page or None)."""
    n = len(plan.cells)
    pairs = [(p, (backs[i] if len(backs) > 1 else backs[0]) if backs else None) for i, p in enumerate(fronts)]
    sheets = []
    if copies is None:
        for p, b in pairs:
            sheets.append([(i, p, b) for i in range(n)])
        return sheets
    seq = [pb for pb in pairs for _ in range(copies)]
    for start in range(0, len(seq), n):
        sheets.append([(i, p, b) for i, (p, b) in enumerate(seq[start:start + n])])
    return sheets


def _placement(plan: Plan, cell: Cell, p: _Page, turn: int) -> Matrix:
    """The page's user space onto the sheet: shown upright, turned by the cell's rotation plus ``turn``, its
    trim centred on the cell's."""
    m = _then(p.display, _ccw((cell.rotate + turn) % 360))
    r = _rect_through(m, p.trim)
    cx, cy = (cell.x + cell.w / 2) * MM, (cell.y + cell.h / 2) * MM
    return _then(m, (1.0, 0.0, 0.0, 1.0, cx - (r[0] + r[2]) / 2, cy - (r[1] + r[3]) / 2))


def _sheet(out, plan: Plan, placements, form_of, layout: Layout, stamp: str = "") -> None:
    import pikepdf
    ops = []
    xobjects = pikepdf.Dictionary()
    names: dict[int, str] = {}
    for cell, p, turn in placements:
        m = _placement(plan, cell, p, turn)
        clip = tuple(v * MM for v in cell.clip)
        form = form_of(p)
        key = form.objgen
        if key not in names:
            names[key] = f"/P{len(names)}"
            xobjects[names[key]] = form
        ops.append(f"q {_n(clip[0])} {_n(clip[1])} {_n(clip[2] - clip[0])} {_n(clip[3] - clip[1])} re W n "
                   f"{' '.join(_n(v) for v in m)} cm {names[key]} Do Q")
    if plan.marks:
        colour = OFFICE_BLACK if layout.kind == "office" else REGISTRATION
        ops.append(f"q {colour} {_n(MARK_WIDTH)} w 0 J 0 j [] 0 d")
        for (x0, y0), (x1, y1) in plan.marks:
            ops.append(f"{_n(x0 * MM)} {_n(y0 * MM)} m {_n(x1 * MM)} {_n(y1 * MM)} l S")
        ops.append("Q")
    content = out.make_stream(zlib.compress(("\n".join(ops) + "\n").encode("ascii")), Filter=pikepdf.Name.FlateDecode)

    def arr(r):
        return pikepdf.Array([pikepdf.Object.parse(_n(v * MM).encode()) for v in r])
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=arr((0.0, 0.0, plan.width, plan.height)),
        TrimBox=arr(plan.trimbox), BleedBox=arr(plan.bleedbox),
        Resources=pikepdf.Dictionary(XObject=xobjects), Contents=content)
    # where each page was placed, and the finished size it was imposed from (a page-piece dictionary,
    # PDF 1.3): preflight judges a QR code on a sheet by the page it belongs to, not by the sheet
    trims = pikepdf.Array([arr(cell.trim) for cell, _p, _turn in placements])
    page.PieceInfo = pikepdf.Dictionary({PIECE_KEY: pikepdf.Dictionary(
        LastModified=pikepdf.String(stamp or FALLBACK_STAMP),
        Private=pikepdf.Dictionary(Placements=trims))})
    out.pages.append(pikepdf.Page(page))


# ---------------------------------------------------------------- metadata

def _pdf_date_to_xmp(value: str) -> str | None:
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?", value)
    if not m:
        return None
    y, mo, d, h, mi, s = (m.group(i) for i in range(1, 7))
    text = f"{y}-{mo or '01'}-{d or '01'}T{h or '00'}:{mi or '00'}:{s or '00'}"
    tz, th, tm = m.group(7), m.group(8), m.group(9)
    if tz in (None, "Z", "z") or (th in (None, "00") and tm in (None, "00")):
        return text + ("+00:00" if tz else "")
    return f"{text}{tz}{th or '00'}:{tm or '00'}"


def _uuid(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return "uuid:" + str(uuid.UUID(bytes=h.digest()[:16], version=4))


def _optional_content(out, sources: list[_Source]) -> None:
    """The sources' optional content groups (layers) declared on the sheets, so that a layer a source hides
    (a die line, a note to the printer) stays hidden: every group, the first declaration's default
    configuration, with the groups other sources turn off added to its /OFF."""
    import pikepdf
    groups, off, config = [], [], None
    for s in sources:
        props = s.pdf.Root.get("/OCProperties")
        if not isinstance(props, pikepdf.Dictionary):
            continue
        ocgs = props.get("/OCGs")
        d = props.get("/D")
        if not isinstance(ocgs, pikepdf.Array):
            continue
        mine = [out.copy_foreign(g) for g in ocgs if isinstance(g, pikepdf.Dictionary) and g.is_indirect]
        groups += [g for g in mine if all(g.objgen != h.objgen for h in groups)]
        if isinstance(d, pikepdf.Dictionary):
            if config is None:
                config = out.copy_foreign(d if d.is_indirect else s.pdf.make_indirect(d))
            else:
                hidden = d.get("/OFF")
                if isinstance(hidden, pikepdf.Array):
                    off += [out.copy_foreign(g) for g in hidden if isinstance(g, pikepdf.Dictionary)
                            and g.is_indirect]
    if not groups:
        return
    if config is None:
        config = out.make_indirect(pikepdf.Dictionary())
    if off:
        existing = config.get("/OFF")
        existing = list(existing) if isinstance(existing, pikepdf.Array) else []
        config.OFF = pikepdf.Array(existing + [g for g in off if all(g.objgen != h.objgen for h in existing)])
    out.Root.OCProperties = pikepdf.Dictionary(OCGs=pikepdf.Array(groups), D=config)


def _metadata(out, sources: list[_Source | None], first: _Source, layout: Layout) -> str | None:
    """Info, OutputIntents and XMP of the sheets, from the first source: its PDF/X kept."""
    import pikepdf
    from xml.sax.saxutils import escape

    from . import __version__
    from .render.pdfx import xmp_wrap

    present = [s for s in sources if s is not None]
    infos = []
    for s in present:
        info = s.pdf.trailer.get("/Info")
        infos.append(info if isinstance(info, pikepdf.Dictionary) else pikepdf.Dictionary())
    head = infos[0]
    new = out.docinfo
    # entries every source shares (a facts fingerprint, the author…), and the first one's dates
    for key in sorted(head.keys()):
        value = head[key]
        if not isinstance(value, (pikepdf.String, pikepdf.Name)):
            continue
        if key in ("/CreationDate", "/ModDate") or all(
                key in i and isinstance(i[key], type(value)) and str(i[key]) == str(value) for i in infos[1:]):
            new[key] = pikepdf.String(str(value)) if isinstance(value, pikepdf.String) else pikepdf.Name(str(value))
    title = str(head.get("/Title", "")) if "/Title" in head else ""
    title = f"{title} ({layout.name} sheets)" if title else f"{layout.name} sheets"
    new.Title = pikepdf.String(title)
    producer = f"leaflets {__version__} impose (pikepdf {pikepdf.__version__})"
    new.Producer = pikepdf.String(producer)
    if first.pdfx:
        new.GTS_PDFXVersion = pikepdf.String(first.pdfx)
        if first.conformance:
            new.GTS_PDFXConformance = pikepdf.String(first.conformance)
        if "/Trapped" not in new:
            new.Trapped = pikepdf.Name("/False")
    intents = first.pdf.Root.get("/OutputIntents")
    if isinstance(intents, pikepdf.Array) and len(intents):
        copied = []
        for oi in intents:
            if not oi.is_indirect:
                oi = first.pdf.make_indirect(oi)
            copied.append(out.copy_foreign(oi))
        out.Root.OutputIntents = pikepdf.Array(copied)
    _optional_content(out, present)
    if not first.pdfx and "/Metadata" not in first.pdf.Root:
        return None

    e = escape
    dates = ""
    for tag, key in (("xmp:CreateDate", "/CreationDate"), ("xmp:ModifyDate", "/ModDate"),
                     ("xmp:MetadataDate", "/ModDate")):
        d = _pdf_date_to_xmp(str(new[key])) if key in new else None
        if d:
            dates += f"<{tag}>{d}</{tag}>\n"
    pdfx = ""
    if first.pdfx:
        x4like = not (first.pdfx.startswith("PDF/X-1") or first.pdfx.startswith("PDF/X-3"))
        if x4like or first.xmp.get("pdfxid:GTS_PDFXVersion"):
            pdfx += f"<pdfxid:GTS_PDFXVersion>{e(first.pdfx)}</pdfxid:GTS_PDFXVersion>\n"
        if not x4like:
            pdfx += f"<pdfx:GTS_PDFXVersion>{e(first.pdfx)}</pdfx:GTS_PDFXVersion>\n"
            if first.conformance:
                pdfx += f"<pdfx:GTS_PDFXConformance>{e(first.conformance)}</pdfx:GTS_PDFXConformance>\n"
    trapped = f"<pdf:Trapped>{str(new.Trapped)[1:]}</pdf:Trapped>\n" if "/Trapped" in new else ""
    author = f"<dc:creator><rdf:Seq><rdf:li>{e(str(new.Author))}</rdf:li></rdf:Seq></dc:creator>\n" \
        if "/Author" in new else ""
    creator = f"<xmp:CreatorTool>{e(str(new.Creator))}</xmp:CreatorTool>\n" if "/Creator" in new else ""
    digest = hashlib.sha256()
    for s in present:
        digest.update(hashlib.sha256(s.data).digest())
    doc_id = _uuid("impose-document", first.xmp.get("xmpMM:DocumentID") or hashlib.sha256(first.data).hexdigest(),
                   layout.name)
    instance_id = _uuid("impose-instance", digest.digest(), repr(layout), str(len(out.pages)))
    xmp = xmp_wrap(
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(title)}</rdf:li></rdf:Alt></dc:title>\n'
        f"{author}{dates}{creator}"
        f"<pdf:Producer>{e(producer)}</pdf:Producer>\n"
        f"{trapped}"
        f"<xmpMM:DocumentID>{doc_id}</xmpMM:DocumentID>\n"
        f"<xmpMM:InstanceID>{instance_id}</xmpMM:InstanceID>\n"
        "<xmpMM:VersionID>1</xmpMM:VersionID>\n"
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>\n"
        f"{pdfx}")
    out.Root.Metadata = out.make_stream(xmp, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    return first.pdfx
