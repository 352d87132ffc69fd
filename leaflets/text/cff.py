"""Subset a CFF-outline (PostScript) font and convert it to TrueType outlines.

The PDF writer embeds TrueType (glyf) fonts only.  A whole CJK face takes tens
of seconds to convert, so we subset it to the characters of one document first
(keeping every OpenType layout feature, so that shaping the subset gives the
same glyphs as shaping the full font), convert the subset, and cache the
result on disk keyed by the font's hash and the character set.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Callable


def cache_key(font_sha256: str, index: int, chars: frozenset[int]) -> str:
    h = hashlib.sha256()
    h.update(font_sha256.encode())
    h.update(str(index).encode())
    h.update(",".join(f"{c:x}" for c in sorted(chars)).encode())
    return h.hexdigest()[:24]


def subset_to_truetype(data: bytes, index: int, chars: frozenset[int], ps_name: str) -> bytes:
    """The subset of ``data`` (font ``index`` of a collection) covering ``chars``,
    with quadratic TrueType outlines, renamed to ``ps_name``."""
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
    subsetter.subset(font)

    order = font.getGlyphOrder()
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
    return out.getvalue()


def cached_subset(cache_dir: Path | None, data: "bytes | Callable[[], bytes]", font_sha256: str, index: int,
                  chars: frozenset[int], base_name: str) -> tuple[bytes, str]:
    """The converted subset, from the cache when it is there; and its PostScript name.  ``data``: the
    font file's bytes, or what reads them (only when the subset is not in the cache)."""
    key = cache_key(font_sha256, index, chars)
    ps_name = f"{base_name}-{key[:10]}"
    path = cache_dir / f"{key}.ttf" if cache_dir is not None else None
    if path is not None and path.exists():
        return path.read_bytes(), ps_name
    result = subset_to_truetype(data() if callable(data) else data, index, chars, ps_name)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(result)
        os.replace(tmp, path)
    return result, ps_name
