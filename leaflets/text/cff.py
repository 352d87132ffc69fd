"""Subset a CFF-outline (PostScript) font and convert it to TrueType outlines.

The PDF writer embeds TrueType (glyf) fonts only.  A whole CJK face takes tens
of seconds to convert, so we subset it to the characters of one document first
with HarfBuzz's subsetter, keeping every OpenType layout feature of every script
and language system (so that the subset holds every glyph shaping those
characters with the full font can give: ``locl``, ``vert``, width and
alternate forms included), convert the subset, and cache the result on disk
keyed by the font's hash and the character set.

The subset numbers its glyphs afresh (in the order of the full font, .notdef
first): beside each converted subset the cache keeps which glyph of the full
font each of its glyphs is (``<key>.gids``), so that text shaped with the
full face is embedded with the subset's numbers.

Converting a glyph's cubic outline to quadratic curves is most of the work;
``converted`` (a dict the caller keeps per face, full glyph id -> the glyph as
TrueType data) lets a new character set convert only the glyphs no earlier set
had.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import sys
import tempfile
from array import array
from pathlib import Path

import uharfbuzz as hb

# the version of what a subset holds and how it is made: part of the cache key, so that a cache
# made another way is never mixed into a document
FORMAT = "hb-subset-1"


def cache_key(font_sha256: str, index: int, chars: frozenset[int]) -> str:
    h = hashlib.sha256()
    h.update(FORMAT.encode())
    h.update(font_sha256.encode())
    h.update(str(index).encode())
    h.update(",".join(f"{c:x}" for c in sorted(chars)).encode())
    return h.hexdigest()[:24]


def _everything(subset_input: "hb.SubsetInput", which) -> None:
    tags = subset_input.sets(which)
    tags.clear()
    tags.invert()


def cff_subset(face: "hb.Face", chars: frozenset[int]) -> tuple[bytes, tuple[int, ...]]:
    """The subset of ``face`` covering ``chars`` with its CFF outlines desubroutinized, every layout
    feature, script and name kept; and for each of its glyphs, the glyph of the full font it is."""
    subset_input = hb.SubsetInput()
    unicodes = subset_input.unicode_set
    for c in sorted(chars):
        unicodes.add(c)
    for which in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.LAYOUT_SCRIPT_TAG,
                  hb.SubsetInputSets.NAME_ID, hb.SubsetInputSets.NAME_LANG_ID):
        _everything(subset_input, which)
    subset_input.flags = (hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NOTDEF_OUTLINE
                          | hb.SubsetFlags.NO_HINTING)
    plan = hb.SubsetPlan(face, subset_input)
    mapping = plan.new_to_old_glyph_mapping
    gids = tuple(mapping[i] for i in range(len(mapping)))
    made = plan.execute()
    if made is None:
        raise ValueError("HarfBuzz could not subset the font")
    return made.blob.data, gids


def subset_to_truetype(face: "hb.Face", chars: frozenset[int], ps_name: str,
                       converted: dict[int, bytes] | None = None) -> tuple[bytes, tuple[int, ...]]:
    """The subset of ``face`` (an OpenType face with CFF outlines) covering ``chars``, with quadratic
    TrueType outlines, renamed to ``ps_name``; and for each of its glyphs, the glyph of the full font it
    is.  ``converted``: glyphs converted before (full glyph id -> TrueType glyph data), read and filled."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    otf, gids = cff_subset(face, chars)
    converted = {} if converted is None else converted
    # the layout tables stay as HarfBuzz wrote them (lazy: never decompiled)
    font = TTFont(io.BytesIO(otf), lazy=True, recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyph_set = None
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    upem = font["head"].unitsPerEm
    for name, gid in zip(order, gids):
        data = converted.get(gid)
        if data is None:
            if glyph_set is None:
                glyph_set = font.getGlyphSet()
            pen = TTGlyphPen(None)
            glyph_set[name].draw(Cu2QuPen(pen, max_err=upem / 1000, reverse_direction=True))
            data = converted[gid] = pen.glyph().compile(glyf, recalcBBoxes=True)
        glyf.glyphs[name] = Glyph(data)
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    # glyph names are not needed, and format 2 overflows on large fonts
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"
    name = font["name"]
    for rec in name.names:
        if rec.nameID == 6:
            rec.string = ps_name
    # the bounds fontTools would recalculate by decompiling and compiling every glyph again, from the
    # headers of the glyphs' data (each was compiled with its bounds)
    _recalc(font, [(n, converted[g]) for n, g in zip(order, gids)])
    font.recalcBBoxes = False
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), gids


def _recalc(font, glyphs: list[tuple[str, bytes]]) -> None:
    """What fontTools' ``recalcBBoxes`` sets in head, maxp, hhea and vhea for the simple glyphs
    ``glyphs`` ((name, TrueType glyph data) in glyph order), read from each glyph's header."""
    head, maxp, hmtx = font["head"], font["maxp"], font["hmtx"]
    bounds: dict[str, tuple[int, int, int, int]] = {}
    points = contours = 0
    for name, data in glyphs:
        if not data:
            continue
        n, x0, y0, x1, y1 = struct.unpack_from(">hhhhh", data)
        if n <= 0:
            raise ValueError(f"glyph {name}: a converted glyph is simple")
        bounds[name] = (x0, y0, x1, y1)
        points = max(points, struct.unpack_from(">H", data, 10 + 2 * (n - 1))[0] + 1)
        contours = max(contours, n)
    if bounds:
        head.xMin = min(b[0] for b in bounds.values())
        head.yMin = min(b[1] for b in bounds.values())
        head.xMax = max(b[2] for b in bounds.values())
        head.yMax = max(b[3] for b in bounds.values())
    else:
        head.xMin = head.yMin = head.xMax = head.yMax = 0
    if all(hmtx[name][1] == b[0] for name, b in bounds.items()):
        head.flags |= 0x2
    else:
        head.flags &= ~0x2
    maxp.maxPoints, maxp.maxContours = points, contours
    maxp.maxCompositePoints = maxp.maxCompositeContours = 0
    maxp.maxComponentElements = maxp.maxComponentDepth = 0
    for table, metrics, lo, hi in (("hhea", "hmtx", 0, 2), ("vhea", "vmtx", 1, 3)):
        if table not in font or metrics not in font:
            continue
        t, m = font[table], font[metrics]
        adv_max = max(adv for adv, _ in m.metrics.values())
        near = far = extent = None
        for name, b in bounds.items():
            advance, bearing = m[name]
            size = b[hi] - b[lo]
            near = bearing if near is None else min(near, bearing)
            far = advance - bearing - size if far is None else min(far, advance - bearing - size)
            extent = bearing + size if extent is None else max(extent, bearing + size)
        if table == "hhea":
            t.advanceWidthMax = adv_max
            t.minLeftSideBearing, t.minRightSideBearing, t.xMaxExtent = (near, far, extent) if bounds else (0, 0, 0)
        else:
            t.advanceHeightMax = adv_max
            t.minTopSideBearing, t.minBottomSideBearing, t.yMaxExtent = (near, far, extent) if bounds else (0, 0, 0)


def subset_name(font_sha256: str, index: int, chars: frozenset[int], base_name: str) -> str:
    """The PostScript name of the converted subset (known before it is made)."""
    return f"{base_name}-{cache_key(font_sha256, index, chars)[:10]}"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _read_gids(path: Path) -> tuple[int, ...] | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if len(raw) % 4:
        return None
    gids = array("I")
    gids.frombytes(raw)
    if sys.byteorder != "little":
        gids.byteswap()
    return tuple(gids)


def cached_subset(cache_dir: Path | None, face: "hb.Face", font_sha256: str, index: int,
                  chars: frozenset[int], base_name: str, converted: dict[int, bytes] | None = None
                  ) -> tuple[bytes, str, tuple[int, ...]]:
    """The converted subset of ``face`` (font ``index`` of the file whose hash is ``font_sha256``), from
    the cache when it is there; its PostScript name; and the glyph of the full font each of its glyphs
    is.  ``converted``: see :func:`subset_to_truetype`.  A cached subset without its glyph list (or with
    one that does not fit it) is made again."""
    key = cache_key(font_sha256, index, chars)
    ps_name = subset_name(font_sha256, index, chars, base_name)
    path = cache_dir / f"{key}.ttf" if cache_dir is not None else None
    gids_path = cache_dir / f"{key}.gids" if cache_dir is not None else None
    if path is not None and path.exists():
        gids = _read_gids(gids_path)
        result = path.read_bytes()
        if gids is not None and gids and gids[0] == 0 and len(gids) == _glyph_count(result):
            return result, ps_name, gids
    result, gids = subset_to_truetype(face, chars, ps_name, converted)
    if path is not None:
        packed = array("I", gids)
        if sys.byteorder != "little":
            packed.byteswap()
        _write(gids_path, packed.tobytes())      # first: a subset is read only with its glyph list
        _write(path, result)
    return result, ps_name, gids


def _glyph_count(font: bytes) -> int:
    """numGlyphs of an sfnt's maxp table (0 if there is none)."""
    try:
        (count,) = struct.unpack_from(">H", font, 4)
        for i in range(count):
            tag, _sum, offset, _length = struct.unpack_from(">4sIII", font, 12 + 16 * i)
            if tag == b"maxp":
                return struct.unpack_from(">H", font, offset + 4)[0]
    except struct.error:
        pass
    return 0
