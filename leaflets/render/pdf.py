"""The painter: one laid-out page to PDF bytes, for any edition.

Text is written as glyph ids placed exactly where HarfBuzz put them, in the
order the text is read (right-to-left runs from the right), each glyph code
mapped by the font's ToUnicode map to the text it stands for, so that text
extractors reading the glyphs get the source text back.  PDFium alone reads
text as if it were drawn in visual order and sorts the pieces of a line by
position; for it every paragraph also carries a replacement text, see
:func:`_pdfium_text`.
"""

from __future__ import annotations

import io
import math
import unicodedata
import zlib
from array import array
from dataclasses import replace
from functools import lru_cache
from itertools import accumulate, groupby
from operator import itemgetter
from typing import NamedTuple

from reportlab import rl_config
from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFZCompress
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas

from ..errors import ERROR, ContentError, Diagnostic
from ..layout.frame import MM, GlyphRun, Image, Page, Path, Rect, TextBlock
from ..memo import keep, recent
from ..model.schema import Color
from ..text.bidi import mirror
from ..text.fonts import FontFace
from .options import PdfOptions
from .tagged import MarkedContent

# Streams are compressed; ASCII85 on top only makes them larger and slower.
rl_config.useA85 = 0

_PUA_START = 0xE000
_PUA_END = 0xF8FF
MARK_LENGTH = 10 * MM
MARK_WIDTH = 0.25
THIN_LINE = 1.0          # pt: black strokes thinner than this overprint, like black text
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
        # the subsets made so far, (codes, glyphs) -> (font program, compressed): documents set in one
        # language (its print and online editions, a warm process) use the same ones again
        self._programs: dict[tuple, tuple[bytes, bytes]] = {}
        make = self.face.makeSubset

        def make_subset(subset):
            key = (tuple(subset), tuple(c2g.get(code, 0) for code in subset))
            kept = self._programs.get(key)
            if kept is None:
                if len(self._programs) >= 16:
                    self._programs.clear()
                program = make(subset)
                kept = self._programs[key] = (program, zlib.compress(program))
            return kept[0]

        c2g = self.face.charToGlyph
        self.face.makeSubset = make_subset
        # ToUnicode maps, (font name, texts) -> (map, compressed), and formatted arrays (the widths of a
        # subset): the same subset in another document is written with the same bytes
        self._cmaps: dict[tuple, tuple[str, bytes]] = {}
        self._arrays: dict[tuple, bytes] = {}

    def addObjects(self, doc):
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state is not None else []
        internal = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(subsets))]
        super().addObjects(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        c2g = self.face.charToGlyph
        for n, subset in enumerate(subsets):
            base = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
            program = doc.idToObject.get("fontFile:%s(%s)" % (self.face.filename, base))
            kept = self._programs.get((tuple(subset), tuple(c2g.get(code, 0) for code in subset)))
            if program is not None and kept is not None and program.content is kept[0] and program.filters:
                program.filters = [_Packed(kept[1])]        # compressed when it was first made
            # reportlab tags every first subset AAAAAA+: give each its own tag, from its content
            name = (self.face.name + self.face.subfontNameX).decode("pdfdoc")
            tagged = subset_tag(name, subset, [c2g.get(code, 0) for code in subset]) + "+" + name
            if internal[n] in fonts:
                font = fonts[internal[n]]
                font.BaseFont = tagged
                if type(font.Widths) is PDFArray:
                    font.Widths = _Array(font.Widths.sequence, self._arrays)
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if stream is not None:
                texts = tuple(self.texts.get(code, chr(code)) for code in subset)
                kept = self._cmaps.get((tagged, texts))
                if kept is None:
                    if len(self._cmaps) >= 64:
                        self._cmaps.clear()
                    cmap = _to_unicode_cmap(tagged, texts)
                    kept = self._cmaps[tagged, texts] = (cmap, zlib.compress(cmap.encode("utf8")))
                stream.content = kept[0]
                if stream.filters == [PDFZCompress]:
                    stream.filters = [_Packed(kept[1])]
            descriptor = doc.idToObject.get("fontDescriptor:" + base)
            if descriptor is not None:
                descriptor.dict["FontName"] = PDFName(tagged)
                # the deepest and highest any glyph reaches, as the PDF reference defines them (the
                # font's line metrics can lie far outside); pdfminer.six sets every character box
                # from the descent, and takes characters whose boxes overlap too little for two lines
                x0, y0, x1, y1 = self.face.bbox
                descriptor.dict["Ascent"] = max(y1, 0)
                descriptor.dict["Descent"] = min(y0, 0)


class _Array(PDFArray):
    """A PDFArray formatted as reportlab formats it, once for every sequence of values."""

    def __init__(self, sequence, formatted: dict[tuple, bytes]):
        super().__init__(sequence)
        self.formatted = formatted

    def format(self, document, IND=b"\n "):
        key = tuple(self.sequence)
        out = self.formatted.get(key)
        if out is None:
            if len(self.formatted) >= 64:
                self.formatted.clear()
            out = self.formatted[key] = super().format(document, IND)
        return out


class _Packed:
    """A FlateDecode filter whose output is known already (reportlab's own gives the same bytes)."""

    pdfname = "FlateDecode"

    def __init__(self, packed: bytes):
        self.packed = packed

    def encode(self, _content) -> bytes:
        return self.packed


def _k100(color: Color) -> bool:
    """100 % black and no other ink."""
    c, m, y, k = color.cmyk
    return c == 0 and m == 0 and y == 0 and k >= 1


def _register_overprint(canvas) -> str:
    """The graphics-state operators that turn overprint on (fills and strokes,
    overprint mode 1), registered with the canvas's ExtGState resources."""
    states = canvas._extgstate._c
    names = []
    for key in (("OP", "true"), ("op", "true"), ("OPM", 1)):
        name = states.setdefault(key, "gRLs%d" % len(states))
        names.append("/%s gs" % name)
    return " ".join(names)


def subset_tag(font_name: str, codes: list[int], glyphs: list[int]) -> str:
    """A subset's six-letter tag (ISO 32000 9.6.4), derived from what it holds:
    the same subset gets the same tag in every file, two different subsets
    (almost surely) different ones."""
    import hashlib
    digest = hashlib.sha256(("%s|%s|%s" % (font_name, codes, glyphs)).encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


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


class _Buffer:
    """A font's bytes as reportlab reads a font file (its read() once): the buffer itself, not a copy, so
    that a mapped font file stays mapped (reportlab only slices and indexes what it reads)."""

    def __init__(self, data):
        self._data = data

    def read(self):
        return self._data


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
        self.source = face                     # the face the text was shaped with
        self.gid_map: dict[int, int] | None = None    # its glyph ids -> ``face``'s, when they differ
        self.texts: dict[int, str] = {}        # private code -> text, this document only
        self.tt = _TTFont(face.name, _Buffer(face.buffer()), subfontIndex=face.index, asciiReadable=0,
                          shapable=False, texts=self.texts)
        tf = self.tt.face
        self.widths = tf.charWidths
        self.cmap_codes: dict[int, int] = {}
        for gid, codes in tf.glyphToChar.items():
            if codes:
                self.cmap_codes[gid] = min(codes)
        # reportlab reads glyphToChar only while it loads the font: for a CJK face it is megabytes of lists;
        # the glyphs' offsets, which its subsetting reads by glyph id, are kept as an array
        tf.glyphToChar = None
        tf.glyphPos = array("I", tf.glyphPos)
        # the codes of the font's cmap, and those given to private glyphs (all below next_private), are
        # the keys of charToGlyph: a private code is sought among them (see code)
        self.taken = tf.charToGlyph
        self.private: dict[tuple[int, str, float | None], int] = {}   # (gid, text, width) -> code, this document
        self.next_private = _PUA_START
        self.units = 1000.0 / face.upem
        self._blank: int | None = -1
        self._outlined: dict[int, bool] = {}
        self._ink: dict[int, float] = {}
        self._bytes: dict[int, tuple[int, int]] = {}     # code -> (subset, byte), this document only
        # (gid, text, width) -> the byte string "<XX>" that paints it, and the font name of its subset,
        # this document only
        self._painted: dict[tuple, str] = {}
        self._subsets: dict[tuple, str] = {}
        # (gid, text, width) -> the width its code has in the font, the same in every document
        self._widths: dict[tuple, float] = {}
        self._advances: list[float] | None = None
        self._direct: dict[tuple, int | None] = {}     # (gid, text, width) -> its code from the cmap, or None
        self._names: dict[int, str] = {}               # subset -> its font name, this document only
        self._extents: dict[int, float] = {}

    def advance(self, gid: int) -> float:
        """A glyph's advance in PDF text space units (1000 to the em)."""
        advances = self.advances
        return advances[gid] if gid < len(advances) else 0.0

    @property
    def advances(self) -> list[float]:
        """Every glyph's advance (:meth:`advance`), by glyph id."""
        if self._advances is None:
            units = self.units
            self._advances = [m[0] * units for m in self.tt.face.hmetrics]
        return self._advances

    def extent(self, gid: int) -> float:
        """How far a glyph's box reaches (text space units): its advance, or for a glyph that has none (a
        mark) how wide it draws."""
        w = self._extents.get(gid)
        if w is None:
            w = self._extents[gid] = self.advance(gid) or self.ink(gid)
        return w

    def ink(self, gid: int) -> float:
        """How wide the glyph draws, in text space units."""
        w = self._ink.get(gid)
        if w is None:
            e = self.face.hb_font.get_glyph_extents(gid)
            w = self._ink[gid] = round(abs(e.width) * self.units, 1) if e else 0.0
        return w

    def assign(self, keys: tuple[tuple, ...], doc) -> None:
        """Give the glyphs ``keys`` (gid, text, width) that this document has not painted yet their
        codes, in order, and those codes their subsets and bytes: what :attr:`_painted` and
        :attr:`_subsets` hold."""
        painted = self._painted
        new = [key for key in dict.fromkeys(keys) if key not in painted]
        direct = self._direct
        codes = []
        for key in new:
            code = direct.get(key, -1)
            if code == -1:
                code = direct[key] = self._cmap_code(*key)
            codes.append(self.code(*key) if code is None else code)
        known = self._bytes
        missing = list(dict.fromkeys(code for code in codes if code not in known))
        if missing:
            # reportlab gives each character the next byte of the current subset (a new subset when
            # one is full), in the order it first meets them: one call for the run as for each alone
            chunks = self.tt.splitString("".join(map(chr, missing)), doc)
            for code, b in zip(missing, [(subset, byte) for subset, data in chunks for byte in data]):
                known[code] = b
        names = self._names
        subsets = self._subsets
        for key, code in zip(new, codes):
            subset, byte = known[code]
            name = names.get(subset)
            if name is None:
                name = names[subset] = self.tt.getSubsetInternalName(subset, doc)
            painted[key] = _HEX[byte]
            subsets[key] = name

    def _cmap_code(self, gid: int, text: str, width: float | None) -> int | None:
        """The code :meth:`code` gives from the font's cmap, the same in every document; None where it
        gives a private one."""
        if width is None:
            code = self.cmap_codes.get(gid)
            if code is not None and text == chr(code) and self.widths.get(code):
                return code
        return None

    def outlined(self, gid: int) -> bool:
        """Whether the glyph draws anything."""
        o = self._outlined.get(gid)
        if o is None:
            e = self.face.hb_font.get_glyph_extents(gid)
            o = self._outlined[gid] = bool(e and e.width and e.height)
        return o

    @property
    def blank(self) -> int | None:
        """A glyph that draws nothing (the space), to carry text of its own; None if the font has none."""
        if self._blank == -1:
            gid = self.face.hb_font.get_nominal_glyph(0x20)
            self._blank = gid if gid and not self.outlined(gid) else None
        return self._blank

    def reset(self) -> None:
        c2g = self.tt.face.charToGlyph
        for code in self.private.values():
            c2g.pop(code, None)
            self.widths.pop(code, None)
        self.private.clear()
        self.texts.clear()
        self._bytes.clear()
        self._painted.clear()
        self._subsets.clear()
        self._names.clear()
        self.next_private = _PUA_START

    def painted_width(self, gid: int, text: str, width: float | None = None) -> float:
        """The width (text space units) that the code :meth:`code` gives for these arguments has in the
        font's widths, without assigning one: it does not depend on the codes assigned before."""
        key = (gid, text, width)
        w = self._widths.get(key)
        if w is None:
            if width is None:
                code = self.cmap_codes.get(gid)
                w = self.widths.get(code) if code is not None and text == chr(code) else None
                if not w:
                    w = self.advance(gid) or self.ink(gid)
            else:
                w = width
            self._widths[key] = w
        return w

    def code(self, gid: int, text: str, width: float | None = None) -> int:
        """The code that draws glyph ``gid`` and stands for ``text``; ``width`` (text space
        units) overrides the glyph's own advance in the font's widths."""
        if width is None:
            code = self.cmap_codes.get(gid)
            if code is not None and text == chr(code) and self.widths.get(code):
                return code
            if not self.advance(gid):
                # a mark: drawn where it is put all the same, but with a box of its own width, as
                # pdfminer.six breaks a line between two characters that both have none
                width = self.ink(gid)
        key = (gid, text, width)
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
            self.widths[code] = self.advance(gid) if width is None else width
        return code


# PDFium's text extraction, as measured with pypdfium2 5.15 (PDFium 8149).  It
# takes the characters of a text object (one TJ) in content-stream order, or
# the /ActualText of a marked-content sequence of any tag in its place, puts
# the pieces of one line in order of their x position and then treats the line
# as if it were written in visual order.  For a line with more right-to-left
# than left-to-right stretches (every line, when the document's viewer
# preferences say /Direction /R2L) it reverses the order of the stretches of
# one direction; a neutral stretch that follows right-to-left text is
# mirrored.  Replacement text given to a right-to-left text object is first
# reversed as a whole.  Stretches: L (strong left-to-right), weak (numbers,
# their separators, marks), R (strong right-to-left), neutral (the rest).
_STRONG_LEFT = frozenset({"L"})
_WEAK = frozenset({"EN", "AN", "ES", "ET", "CS", "NSM", "BN"})
_STRONG_RIGHT = frozenset({"R", "AL"})


_CLASSES: dict[str, str] = {}


def _stretch_class(ch: str) -> str:
    c = _CLASSES.get(ch)
    if c is None:
        cls = unicodedata.bidirectional(ch)
        c = _CLASSES[ch] = ("L" if cls in _STRONG_LEFT else "W" if cls in _WEAK else
                            "R" if cls in _STRONG_RIGHT else "N")
    return c


def _stretches(text: str) -> list[tuple[str, str]]:
    for ch in set(text).difference(_CLASSES):
        _stretch_class(ch)
    return [(cls, "".join(chars)) for cls, chars in groupby(text, _CLASSES.__getitem__)]


def _pdfium_rtl(text: str, stretches: list[tuple[str, str]] | None = None) -> bool:
    """Whether PDFium takes ``text`` (a line, or the characters of a text object) as right to left."""
    if stretches is None:
        stretches = _stretches(text)
    classes = [cls for cls, _part in stretches]
    return classes.count("R") > classes.count("L")


def _pdfium_text(text: str, rtl_page: bool, rtl_object: bool,
                 stretches: list[tuple[str, str]] | None = None) -> str:
    """The replacement text from which PDFium gives back ``text``.

    ``rtl_page``: the document says /Direction /R2L; ``rtl_object``: the text
    object that carries the replacement text is right to left for PDFium.  The
    transformation above is undone: stretches in reverse order for a
    right-to-left line, neutrals that PDFium will mirror mirrored first.
    """
    if stretches is None:
        stretches = _stretches(text)
    rtl_line = rtl_page or _pdfium_rtl(text, stretches)
    current = "R" if rtl_line else "L"
    out = []
    for cls, part in stretches:
        part = part.replace("\n", " ")
        if cls in ("L", "R"):
            current = cls
        elif cls == "N" and current == "R":
            part = mirror(part)
        out.append(part)
    if rtl_line:
        out.reverse()
    replacement = "".join(out)
    if replacement.endswith(("-", "\u00ad")):
        # PDFium joins a line that ends in a hyphen it read from replacement text to the next
        # one, as if a word were hyphenated there; a space after the hyphen keeps them apart
        replacement += " "
    return replacement[::-1] if rtl_object else replacement


_Y, _TEXT = itemgetter(2), itemgetter(3)


def _reading_order(run: GlyphRun, font: "_PdfFont") -> tuple[list[tuple], list[float], list[str]]:
    """The glyphs of a run in the order the text is read, each with the text
    and the width its code gets: each one's (gid, text, width), its rise (y
    from the baseline) and its piece of a TJ array: "%s" for its byte string,
    after the adjustment that moves the text position where it goes, if it
    needs one (see :func:`_pieces`).

    A cluster's text is carried by its first glyph; its other glyphs (marks,
    parts of a vowel) stand for nothing.  Widths only say where a glyph's
    box ends (every glyph is placed explicitly), so they are chosen for the
    readers that build words from boxes: within a cluster no box ends before
    the next one starts, or pdfminer.six reads the gap as a space.

    Right-to-left runs are painted from the right.  There, a cluster that
    stands for several characters (a lam-alef ligature, a letter and its
    vowel marks) gets one code per character: the cluster's advance is
    shared out, from the right, among blank glyphs that carry all but its
    last character, and the glyph drawn at its left end carries that one,
    so that readers that put right-to-left text in order character by
    character (poppler) read every cluster right.
    """
    glyphs = run.glyphs
    size = run.size
    advance = font.advance
    advances = run.advances or tuple(advance(gid) * size / 1000.0 for gid, *_ in glyphs)
    extent = font.extent
    tolerance = 0.01 * size
    if not run.rtl and all(map(_TEXT, glyphs)):
        # every glyph a cluster of its own (as most runs are): kept as it is where it sits at its pen
        # position and advances by its own width, else reaching its right end (as reaching() below)
        own = font.advances
        count = len(own)
        keys = []
        pen = 0.0      # the pen of the shaped run
        for (gid, x, _y, text), a in zip(glyphs, advances):
            end = pen + a
            if x == pen and abs((own[gid] if gid < count else 0.0) * size / 1000.0 - a) <= tolerance:
                key = (gid, text, None)
            else:
                e = extent(gid) * size / 1000.0
                reach = max(end, x + e)
                key = (gid, text, None if reach - x <= e + tolerance else math.ceil((reach - x) * 100.0 / size) * 10.0)
            keys.append(key)
            pen = end
        return keys, list(map(_Y, glyphs)), _pieces(keys, [g[1] for g in glyphs], size, font)
    pens = list(accumulate(advances, initial=0.0))
    # clusters, as ranges of glyphs: a glyph with text starts one (and the first glyph, in any case)
    starts = [0, *(i for i in range(1, len(glyphs)) if glyphs[i][3])]
    clusters = list(zip(starts, [*starts[1:], len(glyphs)]))
    keys: list[tuple] = []
    xs: list[float] = []
    ys: list[float] = []
    owns = [extent(g[0]) * size / 1000.0 for g in glyphs]      # how far each glyph's box reaches

    def right_end(start: int, end: int) -> float:
        return max(pens[end], *[glyphs[i][1] + owns[i] for i in range(start, end)])

    def reaching(i: int, reach: float, text: str | None = None) -> None:
        """Glyph ``i`` (standing for ``text``, if given) with its box reaching at least to ``reach``
        (points from the run origin)."""
        gid, x, y, own_text = glyphs[i]
        keys.append((gid, own_text if text is None else text,
                     None if reach - x <= owns[i] + tolerance else math.ceil((reach - x) * 100.0 / size) * 10.0))
        xs.append(x)
        ys.append(y)

    if not run.rtl:
        for start, end in clusters:
            if end - start == 1:
                gid, x, y, text = glyphs[start]
                if x == pens[start] and abs(advance(gid) * size / 1000.0 - advances[start]) <= tolerance:
                    keys.append((gid, text, None))
                    xs.append(x)
                    ys.append(y)
                else:
                    reaching(start, max(pens[end], x + owns[start]))
                continue
            reach = right_end(start, end)
            for i in (start, *sorted(range(start + 1, end), key=lambda i: glyphs[i][1])):
                reaching(i, reach)
        return keys, ys, _pieces(keys, xs, size, font)
    blank = font.blank
    for start, end in reversed(clusters):
        text = glyphs[start][3]
        if end - start == 1 and len(text) <= 1:
            reaching(start, max(pens[end], glyphs[start][1] + owns[start]))
            continue
        reach = right_end(start, end)
        cluster = range(start, end)
        outlined = [i for i in cluster if font.outlined(glyphs[i][0])] if len(text) > 1 and blank is not None else ()
        if outlined:
            left, right = pens[start], pens[end]
            step = (right - left) / len(text)
            units = round(step * 1000.0 / size, 1)
            # the glyph drawn nearest the cluster's left end keeps the last character
            last = min(outlined, key=lambda i: abs(glyphs[i][1] - left))
            for i in sorted((i for i in cluster if i != last), key=lambda i: -glyphs[i][1]):
                reaching(i, reach, "")
            for k, ch in enumerate(text[:-1]):
                keys.append((blank, ch, units))
                xs.append(right - (k + 1) * step)
                ys.append(0.0)
            gid, x, y, _text = glyphs[last]
            keys.append((gid, text[-1], max(round((left + step - x) * 1000.0 / size, 1), 1.0)))
            xs.append(x)
            ys.append(y)
        else:
            for i in sorted(cluster, key=lambda i: -glyphs[i][1]):
                reaching(i, reach)
    return keys, ys, _pieces(keys, xs, size, font)


def _pieces(keys: list[tuple], xs: list[float], size: float, font: "_PdfFont") -> list[str]:
    """Each glyph's piece of a TJ array: "%s" for its byte string, after the adjustment (text space
    units, rounded) that moves the text position, advanced by each glyph's width in the font, to the
    glyph's x where it needs one ("-12 %s")."""
    scale = size / 1000.0
    known = font._widths
    widths = [known.get(key) for key in keys]
    if None in widths:
        widths = [font.painted_width(*key) if w is None else w for key, w in zip(keys, widths)]
    pieces: list[str] = []
    at = 0.0
    for x, w in zip(xs, widths):
        adjust = round((at - x) / scale)
        if adjust:
            pieces.append(str(adjust) + " %s")
            at -= adjust * scale
        else:
            pieces.append("%s")
        at += w * scale
    return pieces


class _Segment(NamedTuple):
    """Glyphs of a run painted by one TJ, unless a subset of the font ends among them."""

    keys: tuple[tuple, ...]        # each glyph's (gid, text, width)
    pieces: tuple[str, ...]        # each glyph's piece of the array, see _pieces
    template: str                  # the TJ's array, the pieces joined
    rise: str | None               # the text rise set before it ("… Ts"), None: as it is
    bdc: str                       # the text object, "%s" for the array


class _RunPlan(NamedTuple):
    run: GlyphRun
    font: "_PdfFont"
    size: str                      # the font size as written
    segments: tuple[_Segment, ...]
    raised: bool                   # the run ends with a text rise, set back to 0 after it
    glyphs: tuple[tuple, ...]      # each glyph's (gid, text, width), in order
    keys: frozenset[tuple]         # the same, as a set


class _BlockPlan(NamedTuple):
    span: str                      # the marked-content sequence around the paragraph
    runs: tuple[_RunPlan, ...]
    fonts: tuple[tuple[FontFace, "_PdfFont"], ...]    # each run's face and the font it was planned with


def _run_plan(run: GlyphRun, font: "_PdfFont", keys: list[tuple], ys: list[float], pieces: list[str],
              carrier: int | None, replacement: str | None) -> _RunPlan:
    """How a run is painted: glyph ``carrier`` alone in a TJ that carries ``replacement`` (None: no
    replacement text at all, the glyphs are the text for every reader), a TJ wherever the text rise
    changes; each glyph placed where it goes by the adjustment before it."""
    starts = {0}            # where a TJ starts: where the text rise changes, and around the carrier
    rises: dict[int, str] = {}
    rise = 0.0
    if any(ys):
        for k, y in enumerate(ys):
            if y != rise:
                rise = y
                starts.add(k)
                rises[k] = "%s Ts" % fp_str(rise)
    if carrier is not None:
        starts.update((carrier, carrier + 1))
    bounds = sorted(k for k in starts if k < len(keys)) + [len(keys)]
    segments = []
    for start, end in zip(bounds, bounds[1:]):
        bdc = ("[%s] TJ" if replacement is None else
               (_REPLACEMENT % _utf16_hex(replacement) if start == carrier else _MUTED) + " [%s] TJ EMC")
        part = pieces[start:end]
        segments.append(_Segment(tuple(keys[start:end]), tuple(part), " ".join(part), rises.get(start), bdc))
    every = tuple(keys)
    return _RunPlan(run, font, fp_str(run.size), tuple(segments), bool(rise), every, frozenset(every))


_PATH_OPS = {"M": "m", "L": "l", "C": "c"}
_HEX = tuple("<%02X>" % b for b in range(256))


@lru_cache(maxsize=1 << 12)
def _num(v: float) -> str:
    """A number as PDF writes it: at most three decimals, no trailing zeros (the same numbers recur
    on a page, and from page to page: each is written once)."""
    s = "%.3f" % v
    s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fp_str(*values: float) -> str:
    return " ".join(map(_num, values))


_REPLACEMENT = "/PDFiumText <</ActualText <%s>>> BDC"
_MUTED = _REPLACEMENT % "FEFF0000"      # nothing printable: PDFium skips the text object


def _utf16_hex(text: str) -> str:
    return "FEFF" + text.encode("utf-16-be").hex().upper()


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


PLANS_KEPT = 48          # paragraphs whose plans a renderer keeps by default: a page's, for its other editions


class PdfRenderer:
    """Paints pages.  Keep one per process: it caches embedded fonts."""

    def __init__(self, plans_kept: int = PLANS_KEPT):
        """``plans_kept``: how many paragraphs' plans (what they paint, whatever the document) are kept,
        the least recently painted going first: a page's for its other editions by default; a batch, which
        paints the same official page around each organisation's block, keeps those of all its languages."""
        self._fonts: dict[int, _PdfFont] = {}
        self._paths: dict[tuple, str] = {}
        self._plans: dict[tuple, _BlockPlan] = {}     # (block, page right to left) -> how it is painted
        self.plans_kept = max(1, int(plans_kept))

    def _font(self, face: FontFace) -> _PdfFont:
        f = self._fonts.get(id(face))
        if f is None or f.source is not face:
            # a CFF face's subset is converted to TrueType outlines here, when it is first embedded
            f = self._fonts[id(face)] = _PdfFont(face.embedded)
            f.source, f.gid_map = face, face.gid_map
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
        if page.rtl:
            # PDFium then reads every line as right to left, whatever else shares it
            c.setViewerPreference("Direction", "R2L")
        if options.bleed or options.marks:
            c.setTrimBox((margin, margin, margin + page.width, margin + page.height))
            b = page.bleed
            c.setBleedBox((margin - b, margin - b, margin + page.width + b, margin + page.height + b))
        used: list[_PdfFont] = []
        tags: list[MarkedContent] = []     # the tagged edition: each page's marked content
        try:
            # a design's further pages (a card's back) follow in the same document, same size and boxes
            for sheet in getattr(page, "pages", (page,)):
                painter = _Painter(self, c, sheet, options, margin)
                painter.used = used
                if options.tagged:
                    painter.tags = MarkedContent()
                    tags.append(painter.tags)
                painter.paint()
                if options.marks:
                    painter.marks()
                    for block in sheet.slug_items:
                        painter.text(block)
                if options.links:
                    for link in sheet.links:
                        x0, y0 = painter.pt(link.x, link.y + link.h)
                        x1, y1 = painter.pt(link.x + link.w, link.y)
                        c.linkURL(link.uri, (x0, y0, x1, y1), relative=0, thickness=0)
                c.showPage()
            c.save()
        finally:
            for f in used:
                f.reset()
        if options.tagged:
            from . import tagged
            return tagged.tag(buf.getvalue(), list(getattr(page, "pages", (page,))), tags)
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
        self.tags: MarkedContent | None = None     # set for a tagged PDF: every item painted is marked
        # black text and thin black lines overprint in print (they never knock out what is under them);
        # registered first in every CMYK document, so the names are the same in each and cached paths
        # may use them
        self.overprint = _register_overprint(canvas) if self.cmyk else ""

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
            opened = self.tags.begin(item) if self.tags is not None else ""
            if opened:
                self.code.append(opened)
            if isinstance(item, TextBlock):
                self.text(item)
            elif isinstance(item, Rect):
                self.rect(item)
            elif isinstance(item, Path):
                self.path(item)
            elif isinstance(item, Image):
                self.image(item)
            if opened:
                self.code.append("EMC")
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
        code = "%s %s re %s" % (setup, fp_str(x, y, r.w, r.h), op)
        if self._thin_black(r.stroke, r.stroke_width):
            code = "q %s %s Q" % (self.overprint, code)
        self.code.append(code)

    def path(self, p: Path) -> None:
        # designs repeat the same pictograms and QR codes page after page
        key = (p, self.ox, self.top, self.cmyk)
        cached = self.r._paths.get(key)
        if cached is None:
            cached = self.r._paths[key] = self._path_code(p)
            if len(self.r._paths) > 512:
                self.r._paths.clear()
        self.code.append(cached)

    def image(self, im: Image) -> None:
        """A raster picture as an image XObject: DeviceCMYK samples in CMYK documents (the print
        edition), DeviceRGB otherwise; opaque, so nothing transparent enters a PDF/X file.  The
        XObject is named after its content, so the same picture gives the same bytes."""
        from PIL import Image as PILImage
        from reportlab.lib.utils import ImageReader
        mode, data = ("CMYK", im.cmyk) if self.cmyk else ("RGB", im.rgb)
        picture = PILImage.frombytes(mode, (im.px_w, im.px_h), data)
        x, y = self.pt(im.x, im.y + im.h)
        self.c.drawImage(ImageReader(picture), x, y, im.w, im.h, mask=None)

    def _thin_black(self, stroke: Color | None, width: float) -> bool:
        return self.cmyk and stroke is not None and _k100(stroke) and width < THIN_LINE

    def _path_code(self, p: Path) -> str:
        setup, op = self._paint_op(p.fill, p.stroke, p.stroke_width, p.even_odd)
        out = [setup] if setup else []
        if self._thin_black(p.stroke, p.stroke_width):
            out.insert(0, "q " + self.overprint)
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
        if self._thin_black(p.stroke, p.stroke_width):
            out.append("Q")
        return " ".join(out)

    def text(self, block: TextBlock) -> None:
        """A paragraph: each line's runs in reading order, inside a span that gives its language.

        Every text object (one TJ) is wrapped in a marked-content sequence
        tagged /PDFiumText whose /ActualText is what PDFium reads instead of
        the glyphs: the paragraph's replacement text (:func:`_pdfium_text`)
        for one glyph painted on its own, nothing printable for the others.
        So PDFium gives the paragraph back in one piece even when another
        paragraph shares its lines, and it never reads the glyphs in an order
        it takes for visual.  The tag is not /Span, the only one that gives
        /ActualText its meaning: readers that follow the standard (poppler
        among them) ignore it.  They get the source text itself as the span's
        /ActualText when it has no right-to-left letters (poppler then reads a
        paragraph whole, not line by line through its layout analysis); for
        right-to-left text, which poppler would reorder once more, they read
        the glyphs, which are in reading order already.
        """
        # what the paragraph paints does not depend on the document: it is worked out once (for the
        # print and the online edition, for a page painted again) and only the codes are the document's
        key = (block, self.page.rtl)
        plans = self.r._plans
        try:
            plan = recent(plans, key)
        except TypeError:                 # a block made with a list in it: painted all the same, not kept
            plan = key = None
        if plan is None or any(self.r._font(face) is not font for face, font in plan.fonts):
            plan = self._plan(block)
            if key is not None:
                keep(plans, key, plan, self.r.plans_kept)
        self.code.append(plan.span)
        for run in plan.runs:
            self.glyph_run(run)
        self.code.append("EMC")

    def _plan(self, block: TextBlock) -> "_BlockPlan":
        """What :meth:`text` paints for ``block``: its runs in reading order, the glyph that carries
        the replacement text, and the span around them."""
        lines: dict[float, list[GlyphRun]] = {}
        for run in block.runs:
            if run.glyphs:
                lines.setdefault(run.y, []).append(run)
        order = []
        fonts = []
        for runs in lines.values():
            for run in sorted(runs, key=lambda r: r.start):
                font = self.r._font(run.face)
                fonts.append((run.face, font))
                if font.gid_map is not None:      # shaped with the full face: the subset's glyph ids
                    m = font.gid_map
                    lost = [g for g, _x, _y, _t in run.glyphs if g not in m]
                    if lost:
                        # never painted as .notdef (an empty box where a character should be)
                        raise ContentError(Diagnostic(
                            ERROR, f"the embedded subset of the font {run.face.name} lacks glyph "
                                   f"{', '.join(map(str, sorted(set(lost))[:5]))} of the text "
                                   f"'{block.text[:40]}': it would print as an empty box",
                            hint="delete the converted subsets in the font cache (the cache folder's *.ttf and "
                                 "*.gids files) and build again; if it stays, report it with the text"))
                    run = replace(run, glyphs=tuple((m[g], x, y, t) for g, x, y, t in run.glyphs))
                order.append((run, font, *_reading_order(run, font)))
        # the glyph that carries the replacement text: one that draws (PDFium skips a text object that
        # covers no area) and, for right-to-left text, a right-to-left letter, which PDFium takes as
        # right to left whatever precedes it on the line
        stretches = _stretches(block.text)
        rtl_text = _pdfium_rtl(block.text, stretches)
        candidates = ((i, j) for i, (_run, font, keys, *_rest) in enumerate(order) for j, key in enumerate(keys)
                      if key[1] and font.outlined(key[0]))
        carrier = first = next(candidates, None)
        if rtl_text:
            while carrier is not None and _stretch_class(order[carrier[0]][2][carrier[1]][1][0]) != "R":
                carrier = next(candidates, None)
            carrier = carrier or first
        if carrier is None:
            carrier = next(((i, j) for i, (_run, _font, keys, *_rest) in enumerate(order)
                            for j, key in enumerate(keys) if key[1]), None)
        replacement = ""
        if carrier is not None:
            first = order[carrier[0]][2][carrier[1]][1][0]
            replacement = _pdfium_text(block.text, self.page.rtl, _stretch_class(first) == "R", stretches)
        rtl = any(cls == "R" for cls, _part in stretches)
        # PDFium drops characters beyond U+FFFC from replacement text but reads them from glyphs:
        # left-to-right text with such characters on a left-to-right page is left to its glyphs
        plain = not rtl and not self.page.rtl and max(block.text, default="") > "\ufffc"
        if rtl or plain:
            span = "/Span <</Lang %s>> BDC" % _pdf_string(block.lang)
        else:
            span = "/Span <</Lang %s /ActualText <%s>>> BDC" % (_pdf_string(block.lang), _utf16_hex(block.text))
        runs = tuple(_run_plan(run, font, keys, ys, pieces, carrier[1] if carrier and carrier[0] == i else None,
                               None if plain else replacement)
                     for i, (run, font, keys, ys, pieces) in enumerate(order))
        return _BlockPlan(span, runs, tuple(fonts))

    def glyph_run(self, plan: "_RunPlan") -> None:
        """One run as one text object (more where a subset of its font ends), as :func:`_run_plan`
        planned it, with this document's codes."""
        font = plan.font
        if font not in self.used:
            self.used.append(font)
        doc = self.c._doc
        run = plan.run
        x0, y0 = self.pt(run.x, run.y)
        over = self.cmyk and _k100(run.color)
        out = (["q", self.overprint] if over else []) + ["BT", self.fill(run.color), "1 0 0 1 %s Tm" % fp_str(x0, y0)]
        painted = font._painted
        tags = self.tags
        current = None
        if not painted.keys() >= plan.keys:
            font.assign(plan.glyphs, doc)      # codes go in the order glyphs are first painted
        hexes, subsets = painted.__getitem__, font._subsets.__getitem__
        one = len(font._names) == 1            # the font's glyphs are all in one subset so far
        for seg in plan.segments:
            name = subsets(seg.keys[0])
            if one or all(subsets(key) == name for key in seg.keys):
                if name != current:
                    out.append("%s %s Tf" % (name, plan.size))
                    current = name
                if seg.rise is not None:
                    out.append(seg.rise)
                bdc = seg.bdc if tags is None else tags.text_object(seg.bdc)
                out.append(bdc % (seg.template % tuple(map(hexes, seg.keys))))
                continue
            # the glyphs are in more than one subset: a text object for each stretch of one
            tj: list[str] = []
            for k, (name, hexbyte) in enumerate(zip(map(subsets, seg.keys), map(hexes, seg.keys))):
                if name != current:
                    if tj:
                        out.append(bdc % " ".join(tj))
                        tj = []
                    out.append("%s %s Tf" % (name, plan.size))
                    current = name
                if not tj:
                    if k == 0 and seg.rise is not None:
                        out.append(seg.rise)
                    bdc = seg.bdc if tags is None else tags.text_object(seg.bdc)
                tj.append(seg.pieces[k] % hexbyte)
            out.append(bdc % " ".join(tj))
        if plan.raised:
            out.append("0 Ts")
        out.append("ET")
        if over:
            out.append("Q")
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
