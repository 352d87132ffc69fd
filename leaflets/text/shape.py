"""Shaping with HarfBuzz, one run of one font at a time."""

from __future__ import annotations

from typing import NamedTuple

import uharfbuzz as hb

from .fonts import FontFace

_FEATURES = {"kern": True, "liga": True}


class Glyph(NamedTuple):
    gid: int
    cluster: int     # index into the paragraph text of the first character
    advance: int     # font units
    x_offset: int
    y_offset: int


def shape(text: str, start: int, end: int, face: FontFace, lang: str, rtl: bool = False,
          features: tuple[str, ...] = ()) -> list[Glyph]:
    """Shape ``text[start:end]`` (with the rest as context) in ``face``, with the OpenType ``features``
    (e.g. ``palt``) on beside kerning and ligatures.

    The language tag reaches HarfBuzz, so language-specific forms (``locl``)
    are chosen.  Glyphs come in visual order (reversed for right-to-left).
    """
    buf = hb.Buffer()
    buf.add_str(text, start, end - start)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.language = lang
    hb.shape(face.hb_font, buf, {**_FEATURES, **dict.fromkeys(features, True)} if features else _FEATURES)
    return [Glyph(i.codepoint, i.cluster, p.x_advance, p.x_offset, p.y_offset)
            for i, p in zip(buf.glyph_infos, buf.glyph_positions)]
