"""Small print PDFs made in the tests, each broken in one way: a clean A5 page
(CMYK, embedded font, 3 mm bleed, overprinting black text, a 300 dpi image, a
vector QR code) and the parts that a test swaps for broken ones."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from leaflets.layout import qr as qrcodes

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "fonts" / "noto" / "NotoSans-Regular.ttf"
MM = 72 / 25.4
URL = "https://www.tokumei24.jp/"


class Page:
    """One page: its size in mm, its boxes, its content and resources."""

    def __init__(self, width: float = 148, height: float = 210, bleed: float | None = 3, slug: float = 12,
                 trim: bool = True):
        self.w, self.h = width * MM, height * MM
        self.bleed = None if bleed is None else bleed * MM
        self.s = slug * MM if trim else 0.0
        self.trim = trim
        self.ops: list[str] = []
        self.fonts = False
        self.images: dict[str, dict] = {}
        self.extg: dict[str, dict] = {}
        self.colorspaces: dict[str, object] = {}
        self.shadings: dict[str, object] = {}
        self.forms: dict[str, tuple[str, tuple]] = {}

    # ---------------------------------------------------------- coordinates: mm from the trim's top left
    def pt(self, x: float, y: float) -> tuple[float, float]:
        return self.s + x * MM, self.s + self.h - y * MM

    def add(self, *ops: str) -> "Page":
        self.ops.extend(ops)
        return self

    # ---------------------------------------------------------- parts
    def fill_rect(self, x, y, w, h, colour: str = "0 0.9 0.8 0 k") -> "Page":
        px, py = self.pt(x, y + h)
        return self.add(f"q {colour} {px:.3f} {py:.3f} {w * MM:.3f} {h * MM:.3f} re f Q")

    def text(self, x, y, size: float, colour: str = "1 0.8 0 0.3 k", words: str = "Human trafficking",
             gs: str | None = None, before: str = "") -> "Page":
        self.fonts = True
        px, py = self.pt(x, y)
        g = f"/{gs} gs " if gs else ""
        return self.add(f"q {before} {g}{colour} BT /F1 {size:g} Tf {px:.3f} {py:.3f} Td ({words}) Tj ET Q")

    def black_text(self, x, y, size: float = 8, words: str = "Call 0120-924-839") -> "Page":
        self.extg["GSop"] = {"/OP": True, "/op": True, "/OPM": 1}
        return self.text(x, y, size, "0 0 0 1 k", words, gs="GSop")

    def line(self, x0, y0, x1, y1, width: float = 0.5, colour: str = "0 0 0 1 K", gs: str | None = "GSop") -> "Page":
        if gs:
            self.extg.setdefault(gs, {"/OP": True, "/op": True, "/OPM": 1})
        a, b = self.pt(x0, y0)
        c, d = self.pt(x1, y1)
        g = f"/{gs} gs " if gs else ""
        return self.add(f"q {g}{colour} {width:g} w {a:.3f} {b:.3f} m {c:.3f} {d:.3f} l S Q")

    def image(self, x, y, w_mm, h_mm, px: int, py: int, colorspace="/DeviceGray", ncomp: int = 1,
              name: str = "Im1", extra: dict | None = None, fill: int = 128) -> "Page":
        self.images[name] = {"w": px, "h": py, "cs": colorspace, "n": ncomp, "extra": extra or {}, "fill": fill}
        bx, by = self.pt(x, y + h_mm)
        return self.add(f"q {w_mm * MM:.3f} 0 0 {h_mm * MM:.3f} {bx:.3f} {by:.3f} cm /{name} Do Q")

    def qr(self, x, y, module_mm: float = 0.5, url: str = URL, quiet: float = 4, frame: bool = False) -> "Page":
        """A QR code with its top left at (x, y) mm, on a paper-white ground ``quiet`` modules wide."""
        m = qrcodes.matrix(url)
        n = len(m)
        q = quiet * module_mm
        self.fill_rect(x - q, y - q, n * module_mm + 2 * q, n * module_mm + 2 * q, "0 0 0 0 k")
        if frame:   # dark right at the edge of the (too small) quiet zone
            side = n * module_mm + 2 * q
            self.fill_rect(x - q - 2, y - q - 2, side + 4, 2, "0 0 0 1 k")
            self.fill_rect(x - q - 2, y + side - q, side + 4, 2, "0 0 0 1 k")
            self.fill_rect(x - q - 2, y - q, 2, side, "0 0 0 1 k")
            self.fill_rect(x + side - q, y - q, 2, side, "0 0 0 1 k")
        rects = []
        for r, row in enumerate(m):
            for c, dark in enumerate(row):
                if dark:
                    px, py = self.pt(x + c * module_mm, y + (r + 1) * module_mm)
                    rects.append(f"{px:.3f} {py:.3f} {module_mm * MM:.3f} {module_mm * MM:.3f} re")
        return self.add("q 0 0 0 1 k " + " ".join(rects) + " f Q")

    # ---------------------------------------------------------- the file
    def pdf(self, version: str = "1.6") -> bytes:
        pdf = pikepdf.new()
        media = [0, 0, self.w + 2 * self.s, self.h + 2 * self.s]
        res = Dictionary()
        if self.fonts:
            res.Font = Dictionary(F1=_font(pdf))
        if self.images:
            res.XObject = Dictionary({"/" + k: _image(pdf, v) for k, v in self.images.items()})
        if self.extg:
            res.ExtGState = Dictionary({"/" + k: Dictionary(v) for k, v in self.extg.items()})
        if self.colorspaces:
            res.ColorSpace = Dictionary({"/" + k: v(pdf) if callable(v) else v for k, v in self.colorspaces.items()})
        if self.shadings:
            res.Shading = Dictionary({"/" + k: v for k, v in self.shadings.items()})
        for name, (content, matrix) in self.forms.items():
            form = pdf.make_stream(content.encode("latin-1"), Type=Name.XObject, Subtype=Name.Form,
                                   BBox=[0, 0, 1000, 1000], Matrix=list(matrix))
            form.Resources = res
            if "/XObject" not in res:
                res.XObject = Dictionary()
            res.XObject["/" + name] = form
        page = pdf.add_blank_page(page_size=(media[2], media[3]))
        page.obj.Resources = res
        page.obj.Contents = pdf.make_stream(" ".join(self.ops).encode("latin-1"))
        if self.trim:
            s = self.s
            page.obj.TrimBox = [s, s, s + self.w, s + self.h]
            if self.bleed is not None:
                b = self.bleed
                page.obj.BleedBox = [s - b, s - b, s + self.w + b, s + self.h + b]
        pdf.docinfo.Title = "test"
        out = io.BytesIO()
        pdf.save(out, force_version=version, deterministic_id=True)
        return out.getvalue()


def clean_page(**kwargs) -> Page:
    """A page that passes every rule of the shop profile (once made PDF/X)."""
    p = Page(**kwargs)
    p.fill_rect(-3, -3, 154, 60)                    # the red band bleeds off the top and sides
    p.text(10, 30, 14, "0 0 0 0 k", "Human trafficking is a crime!")
    p.text(10, 70, 10)
    p.black_text(10, 80)
    p.line(10, 85, 100, 85)
    p.image(10, 100, 30, 30, 400, 400)               # 339 dpi
    p.qr(80, 100)
    return p


def _font(pdf) -> Dictionary:
    data = FONT.read_bytes()
    ff = pikepdf.Stream(pdf, zlib.compress(data))
    ff.Filter = Name.FlateDecode
    ff.Length1 = len(data)
    desc = Dictionary(Type=Name.FontDescriptor, FontName=Name("/NotoSans-Regular"), Flags=32,
                      FontBBox=[-600, -300, 1400, 1100], ItalicAngle=0, Ascent=1069, Descent=-293, CapHeight=714,
                      StemV=80, FontFile2=ff)
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.TrueType, BaseFont=Name("/NotoSans-Regular"),
                                        FirstChar=32, LastChar=126, Widths=[560] * 95, Encoding=Name.WinAnsiEncoding,
                                        FontDescriptor=pdf.make_indirect(desc)))


def _image(pdf, spec: dict):
    n = spec["n"]
    data = bytes([spec["fill"]]) * (spec["w"] * spec["h"] * n)
    im = pikepdf.Stream(pdf, zlib.compress(data))
    im.Type = Name.XObject
    im.Subtype = Name.Image
    im.Width, im.Height = spec["w"], spec["h"]
    cs = spec["cs"]
    im.ColorSpace = cs(pdf) if callable(cs) else (Name(cs) if isinstance(cs, str) else cs)
    im.BitsPerComponent = 8
    im.Filter = Name.FlateDecode
    for k, v in spec["extra"].items():
        im[k] = v(pdf) if callable(v) else v
    return im


def pdfx(data: bytes, level: str = "x4", condition: str | None = None) -> bytes:
    """``data`` made PDF/X with the project's output conditions."""
    from leaflets.render import pdfx as px
    conds = px.OutputConditions(ROOT / "icc")
    cond = px.PdfxSettings(level, condition).resolve(conds)
    return px.apply(data, level, cond, conds, date=px.document_date("2026"))


def edit(data: bytes, change) -> bytes:
    """``data`` opened with pikepdf, changed by ``change(pdf)`` and saved."""
    pdf = pikepdf.open(io.BytesIO(data))
    change(pdf)
    out = io.BytesIO()
    pdf.save(out, fix_metadata_version=False)
    return out.getvalue()


__all__ = ["Array", "Dictionary", "MM", "Name", "Page", "URL", "clean_page", "edit", "pdfx"]
