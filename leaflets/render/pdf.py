"""The painter: one laid-out page to PDF bytes, for any edition.

Text is written as glyph ids placed exactly where HarfBuzz put them, inside a
marked-content span whose /ActualText is the paragraph's source text, so that
copying or extracting text gives back what the content file says.
"""

from __future__ import annotations

import io
import unicodedata

from reportlab import rl_config
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas

from ..layout.frame import MM, GlyphRun, Page, Path, Rect, TextBlock
from ..model.schema import Color
from ..text.bidi import has_rtl
from ..text.fonts import FontFace
from .options import PdfOptions

# Streams are compressed; ASCII85 on top only makes them larger and slower.
rl_config.useA85 = 0

_PUA_START = 0xE000
_PUA_END = 0xF8FF
MARK_LENGTH = 10 * MM
MARK_WIDTH = 0.25
REGISTRATION = (1.0, 1.0, 1.0, 1.0)


class _Canvas(Canvas):
    """A canvas that sets no initial font: every font we use is embedded."""

    def _make_preamble(self):
        self._preamble = "1 0 0 1 0 0 cm" if self.bottomup else "1 0 0 -1 0 %s cm" % fp_str(self._pagesize[1])


class _TTFont(TTFont):
    """reportlab's TrueType font, with a ToUnicode map that says what each code
    stands for — also for glyphs that have no character of their own."""

    def __init__(self, *args, texts: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = texts

    def addObjects(self, doc):
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state is not None else []
        super().addObjects(doc)
        for n, subset in enumerate(subsets):
            base = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if stream is not None:
                stream.content = _to_unicode_cmap(base, [self.texts.get(code, chr(code)) for code in subset])


def _to_unicode_cmap(name: str, texts: list[str]) -> str:
    entries = ["<%02X> <%s>" % (i, t.encode("utf-16-be").hex().upper()) for i, t in enumerate(texts)]
    out = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
           "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
           f"/CMapName /{name.replace('+', '-')}-UCS def", "/CMapType 2 def",
           "1 begincodespacerange", "<00> <FF>", "endcodespacerange"]
    for i in range(0, len(entries), 100):
        chunk = entries[i:i + 100]
        out += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    out += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(out)


class _PdfFont:
    """A face as reportlab embeds it, with glyphs mapped to character codes.

    reportlab subsets TrueType fonts by character code.  A glyph that stands
    for its own character in the font's cmap uses that code; any other glyph
    (a ligature, a contextual form, part of a decomposed vowel) gets a
    private-use code, assigned afresh for every document so that output does
    not depend on what was rendered before, and the ToUnicode map gives the
    text it stands for.
    """

    def __init__(self, face: FontFace):
        self.face = face
        self.texts: dict[int, str] = {}        # private code -> text, this document only
        self.tt = _TTFont(face.name, io.BytesIO(face.data), subfontIndex=face.index, asciiReadable=0,
                          shapable=False, texts=self.texts)
        tf = self.tt.face
        self.widths = tf.charWidths
        self.glyph_widths = tf.glyphWidths
        self.cmap_codes: dict[int, int] = {}
        for gid, codes in tf.glyphToChar.items():
            if codes:
                self.cmap_codes[gid] = min(codes)
        self.taken = set(tf.charToGlyph)
        self.private: dict[tuple[int, str], int] = {}     # (gid, text) -> code, this document only
        self.next_private = _PUA_START

    def reset(self) -> None:
        c2g = self.tt.face.charToGlyph
        for code in self.private.values():
            c2g.pop(code, None)
            self.widths.pop(code, None)
        self.private.clear()
        self.texts.clear()
        self.next_private = _PUA_START

    def code(self, gid: int, text: str) -> int:
        code = self.cmap_codes.get(gid)
        if code is not None and text == chr(code):
            return code
        key = (gid, text)
        code = self.private.get(key)
        if code is None:
            code = self.next_private
            while code in self.taken:
                code += 1
            if code > _PUA_END:
                raise ValueError(f"too many unencoded glyphs in {self.face.name}")
            self.next_private = code + 1
            self.private[key] = code
            self.texts[code] = text
            self.tt.face.charToGlyph[code] = gid
            self.widths[code] = self.glyph_widths[gid] if gid < len(self.glyph_widths) else 0
        return code


_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹"))


def _bidi_class(ch: str) -> str:
    """Bidi classes grouped as PDFium's text extraction groups them."""
    cls = unicodedata.bidirectional(ch)
    if cls in ("L", "R"):
        return cls
    if cls == "AL":
        return "R"
    if cls in ("EN", "AN", "ES", "ET", "CS", "NSM"):
        return "W"
    return "N"


def _extraction_order(text: str, rtl: bool = True) -> str:
    """The /ActualText of right-to-left text, as PDF text extractors read it back.

    PDFium reads the characters of a span as if they were glyphs in visual
    order: within right-to-left text it reverses (and mirrors) every stretch of
    characters of one bidi class to put it back in logical order.  Doing the
    same here first makes what it gives back equal to the source text; the
    transformation is its own inverse.
    """
    segments: list[tuple[str, str]] = []
    for ch in text:
        cls = _bidi_class(ch)
        if segments and segments[-1][0] == cls:
            segments[-1] = (cls, segments[-1][1] + ch)
        else:
            segments.append((cls, ch))
    current = "R" if rtl else next((cls for cls, _ in segments if cls in ("L", "R")), "L")
    out = []
    for cls, seg in segments:
        if cls == "L":
            current = "L"
        elif cls == "R":
            current = "R"
        if current == "R" and cls != "L":
            out.append("".join(_MIRROR.get(c, c) for c in reversed(seg)))
        else:
            out.append(seg)
    return "".join(out)


_PATH_OPS = {"M": "m", "L": "l", "C": "c"}


def _num(v: float) -> str:
    """A number as PDF writes it: at most three decimals, no trailing zeros."""
    s = "%.3f" % v
    s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fp_str(*values: float) -> str:
    return " ".join(map(_num, values))


def _utf16_hex(text: str) -> str:
    return "FEFF" + text.encode("utf-16-be").hex().upper()


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


class PdfRenderer:
    """Paints pages.  Keep one per process: it caches embedded fonts."""

    def __init__(self):
        self._fonts: dict[int, _PdfFont] = {}
        self._paths: dict[tuple, str] = {}

    def _font(self, face: FontFace) -> _PdfFont:
        f = self._fonts.get(id(face))
        if f is None or f.face is not face:
            f = self._fonts[id(face)] = _PdfFont(face)
        return f

    def render(self, page: Page, options: PdfOptions) -> bytes:
        margin = page.bleed + page.slug if options.marks else (page.bleed if options.bleed else 0.0)
        mw, mh = page.width + 2 * margin, page.height + 2 * margin
        buf = io.BytesIO()
        c = _Canvas(buf, pagesize=(mw, mh), invariant=1, pageCompression=1 if options.compress else 0,
                    lang=page.lang, enforceColorSpace="cmyk" if options.color == "cmyk" else None)
        c.setTitle(page.title)
        c.setAuthor(page.author)
        c.setSubject(page.subject)
        c.setCreator("leaflets")
        c.setKeywords(f"design={page.design}; lang={page.lang}; edition={options.name}")
        if options.bleed or options.marks:
            c.setTrimBox((margin, margin, margin + page.width, margin + page.height))
            b = page.bleed
            c.setBleedBox((margin - b, margin - b, margin + page.width + b, margin + page.height + b))
        painter = _Painter(self, c, page, options, margin)
        used: list[_PdfFont] = []
        painter.used = used
        try:
            painter.paint()
            if options.marks:
                painter.marks()
                for block in page.slug_items:
                    painter.text(block)
            if options.links:
                for link in page.links:
                    x0, y0 = painter.pt(link.x, link.y + link.h)
                    x1, y1 = painter.pt(link.x + link.w, link.y)
                    c.linkURL(link.uri, (x0, y0, x1, y1), relative=0, thickness=0)
            c.showPage()
            c.save()
        finally:
            for f in used:
                f.reset()
        return buf.getvalue()


class _Painter:
    def __init__(self, renderer: PdfRenderer, canvas: _Canvas, page: Page, options: PdfOptions, margin: float):
        self.r = renderer
        self.c = canvas
        self.code = canvas._code
        self.page = page
        self.options = options
        self.ox = margin
        self.top = margin + page.height
        self.cmyk = options.color == "cmyk"
        self.used: list[_PdfFont] = []

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + x, self.top - y

    def fill(self, color: Color) -> str:
        if self.cmyk:
            return "%s k" % fp_str(*color.cmyk)
        return "%s rg" % fp_str(*color.rgb)

    def stroke(self, color: Color) -> str:
        if self.cmyk:
            return "%s K" % fp_str(*color.cmyk)
        return "%s RG" % fp_str(*color.rgb)

    def paint(self) -> None:
        page = self.page
        if not self.options.bleed:
            # clip to the trimmed page so that nothing bleeds into the online view
            self.code.append("q %s re W n" % fp_str(self.ox, self.top - page.height, page.width, page.height))
        for item in page.items:
            if isinstance(item, TextBlock):
                self.text(item)
            elif isinstance(item, Rect):
                self.rect(item)
            elif isinstance(item, Path):
                self.path(item)
        if not self.options.bleed:
            self.code.append("Q")

    def _paint_op(self, fill: Color | None, stroke: Color | None, width: float, even_odd: bool = False) -> str:
        ops = []
        if fill is not None:
            ops.append(self.fill(fill))
        if stroke is not None:
            ops.append(self.stroke(stroke))
            ops.append("%s w" % fp_str(width))
        op = ("B" if stroke is not None else "f") if fill is not None else "S"
        if even_odd and fill is not None:
            op += "*"
        return " ".join(ops), op

    def rect(self, r: Rect) -> None:
        if r.fill is None and r.stroke is None:
            return
        if r.radius > 0:
            from ..layout.pictogram import _rect
            self.path(Path(tuple(_rect(r.x, r.y, r.w, r.h, r.radius)), r.fill, r.stroke, r.stroke_width))
            return
        setup, op = self._paint_op(r.fill, r.stroke, r.stroke_width)
        x, y = self.pt(r.x, r.y + r.h)
        self.code.append("%s %s re %s" % (setup, fp_str(x, y, r.w, r.h), op))

    def path(self, p: Path) -> None:
        # designs repeat the same pictograms and QR codes page after page
        key = (p, self.ox, self.top, self.cmyk)
        cached = self.r._paths.get(key)
        if cached is None:
            cached = self.r._paths[key] = self._path_code(p)
            if len(self.r._paths) > 512:
                self.r._paths.clear()
        self.code.append(cached)

    def _path_code(self, p: Path) -> str:
        setup, op = self._paint_op(p.fill, p.stroke, p.stroke_width, p.even_odd)
        out = [setup] if setup else []
        ox, top = self.ox, self.top
        for cmd in p.commands:
            k = cmd[0]
            if k == "Z":
                out.append("h")
            elif k == "R":
                _k, x, y, w, h = cmd
                out.append("%s re" % fp_str(ox + x, top - y - h, w, h))
            else:
                nums = []
                for i in range(1, len(cmd), 2):
                    nums.append(ox + cmd[i])
                    nums.append(top - cmd[i + 1])
                out.append("%s %s" % (fp_str(*nums), _PATH_OPS[k]))
        out.append(op)
        return " ".join(out)

    def text(self, block: TextBlock) -> None:
        code = self.code
        actual = _extraction_order(block.text, block.rtl) if block.rtl or has_rtl(block.text) else block.text
        code.append("/Span <</Lang %s /ActualText <%s>>> BDC" % (_pdf_string(block.lang), _utf16_hex(actual)))
        for run in block.runs:
            self.glyph_run(run)
        code.append("EMC")

    def glyph_run(self, run: GlyphRun) -> None:
        font = self.r._font(run.face)
        if font not in self.used:
            self.used.append(font)
        doc = self.c._doc
        size = run.size
        codes = "".join(chr(font.code(gid, text)) for gid, _x, _y, text in run.glyphs)
        chunks = font.tt.splitString(codes, doc)
        widths = font.widths
        x0, y0 = self.pt(run.x, run.y)
        out = ["BT", self.fill(run.color), "1 0 0 1 %s Tm" % fp_str(x0, y0)]
        k = 0          # glyph index
        pen = 0.0      # where the text position is, points from the run origin
        rise = 0.0
        scale = size / 1000.0
        for subset, data in chunks:
            out.append("%s %s Tf" % (font.tt.getSubsetInternalName(subset, doc), fp_str(size)))
            tj: list[str] = []
            for byte in data:
                gid, gx, gy, _text = run.glyphs[k]
                if gy != rise:
                    if tj:
                        out.append("[%s] TJ" % " ".join(tj))
                        tj = []
                    out.append("%s Ts" % fp_str(gy))
                    rise = gy
                adjust = round((pen - gx) / scale)
                if adjust:
                    tj.append(str(adjust))
                    pen -= adjust * scale
                tj.append("<%02X>" % byte)
                pen += widths.get(ord(codes[k]), 0) * scale
                k += 1
            if tj:
                out.append("[%s] TJ" % " ".join(tj))
        if rise:
            out.append("0 Ts")
        out.append("ET")
        self.code.append(" ".join(out))

    def marks(self) -> None:
        """Printer's marks outside the bleed: corner marks and centre marks."""
        page = self.page
        b = page.bleed
        L = MARK_LENGTH
        W, H = page.width, page.height
        segs = []
        japanese = self.options.marks == "japanese"
        for cx, sx in ((0.0, -1), (W, 1)):
            for cy, sy in ((0.0, -1), (H, 1)):
                # horizontal marks, outside the bleed
                ys = (cy, cy + sy * b) if japanese else (cy,)
                for yy in ys:
                    segs.append(((cx + sx * b, yy), (cx + sx * (b + L), yy)))
                xs = (cx, cx + sx * b) if japanese else (cx,)
                for xx in xs:
                    segs.append(((xx, cy + sy * b), (xx, cy + sy * (b + L))))
        # centre marks: a line across the middle of each side, and a short cross line
        for mx, my, horizontal in ((W / 2, 0.0, False), (W / 2, H, False), (0.0, H / 2, True), (W, H / 2, True)):
            if horizontal:
                sx = -1 if mx == 0 else 1
                segs.append(((mx + sx * b, my), (mx + sx * (b + L), my)))
                segs.append(((mx + sx * (b + L / 2), my - L / 3), (mx + sx * (b + L / 2), my + L / 3)))
            else:
                sy = -1 if my == 0 else 1
                segs.append(((mx, my + sy * b), (mx, my + sy * (b + L))))
                segs.append(((mx - L / 3, my + sy * (b + L / 2)), (mx + L / 3, my + sy * (b + L / 2))))
        out = ["q", "%s K" % fp_str(*REGISTRATION), "%s w" % fp_str(MARK_WIDTH)]
        for (x0, y0), (x1, y1) in segs:
            a, bb = self.pt(x0, y0)
            cc, d = self.pt(x1, y1)
            out.append("%s m %s l S" % (fp_str(a, bb), fp_str(cc, d)))
        out.append("Q")
        self.code.append(" ".join(out))
