"""Subset a CFF-outline (PostScript) font and convert it to TrueType outlines.

The PDF writer embeds TrueType (glyf) fonts only.  A whole CJK face takes tens
of seconds to convert, so we subset it to the characters of one document first
(keeping every OpenType layout feature, so that shaping the subset gives the
same glyphs as shaping the full font), convert the subset, and cache the
result on disk keyed by the font's hash and the character set.

The subset numbers its glyphs afresh (in the order of the full font, .notdef
first): beside each converted subset the cache keeps which glyph of the full
font each of its glyphs is (``<key>.gids``), so that text shaped with the
full face is embedded with the subset's numbers.
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
from typing import Callable


def cache_key(font_sha256: str, index: int, chars: frozenset[int]) -> str:
    h = hashlib.sha256()
    h.update(font_sha256.encode())
    h.update(str(index).encode())
    h.update(",".join(f"{c:x}" for c in sorted(chars)).encode())
    return h.hexdigest()[:24]


def subset_to_truetype(data: bytes, index: int, chars: frozenset[int], ps_name: str) -> tuple[bytes, tuple[int, ...]]:
    """The subset of ``data`` (font ``index`` of a collection) covering ``chars``,
    with quadratic TrueType outlines, renamed to ``ps_name``; and for each of its
    glyphs, the glyph of the full font it is."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(data), fontNumber=index, lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars))
    full = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    subsetter.subset(font)

    order = font.getGlyphOrder()
    gids = tuple(full[name] for name in order)
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    upem = font["head"].unitsPerEm
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=upem / 1000, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
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
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), gids


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


def cached_subset(cache_dir: Path | None, data: "bytes | Callable[[], bytes]", font_sha256: str, index: int,
                  chars: frozenset[int], base_name: str) -> tuple[bytes, str, tuple[int, ...]]:
    """The converted subset, from the cache when it is there; its PostScript name; and the glyph of
    the full font each of its glyphs is.  ``data``: the font file's bytes, or what reads them (only
    when the subset is not in the cache).  A cached subset without its glyph list (or with one that
    does not fit it) is made again."""
    key = cache_key(font_sha256, index, chars)
    ps_name = subset_name(font_sha256, index, chars, base_name)
    path = cache_dir / f"{key}.ttf" if cache_dir is not None else None
    gids_path = cache_dir / f"{key}.gids" if cache_dir is not None else None
    if path is not None and path.exists():
        gids = _read_gids(gids_path)
        result = path.read_bytes()
        if gids is not None and gids and gids[0] == 0 and len(gids) == _glyph_count(result):
            return result, ps_name, gids
    result, gids = subset_to_truetype(data() if callable(data) else data, index, chars, ps_name)
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
