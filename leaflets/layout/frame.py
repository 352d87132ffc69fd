"""Laid-out pages: the only thing renderers read.

Coordinates are points, origin at the top-left corner of the trimmed page, y
growing downwards.  Anything in the bleed has negative coordinates or lies
beyond the trim size.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.schema import Color
from ..text.fonts import FontFace

MM = 72.0 / 25.4


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: Color | None = None
    stroke: Color | None = None
    stroke_width: float = 0.0
    radius: float = 0.0
    figure: str = ""               # the figure it is part of (a pictogram, a QR code, a chart); "": decoration
    alt: str = ""                  # the figure's text alternative, in the page's language (on any of its parts)


@dataclass(frozen=True)
class Path:
    """A vector path: commands ('M', x, y) ('L', x, y) ('C', x1, y1, x2, y2, x, y) ('Z',),
    and ('R', x, y, w, h) for a closed rectangle whose top-left corner is (x, y)."""

    commands: tuple[tuple, ...]
    fill: Color | None = None
    stroke: Color | None = None
    stroke_width: float = 0.0
    even_odd: bool = False
    figure: str = ""               # as Rect.figure
    alt: str = ""                  # as Rect.alt


@dataclass(frozen=True)
class GlyphRun:
    """Shaped glyphs of one face on one baseline.

    ``glyphs`` holds (glyph id, x, y, text) with x and y in points from the
    run's origin (x, y), y up from the baseline as in fonts, and the text the
    glyph stands for ("" for the second and later glyphs of a cluster).
    """

    face: FontFace
    size: float
    x: float
    y: float                       # baseline
    glyphs: tuple[tuple[int, float, float, str], ...]
    color: Color
    width: float
    rtl: bool = False              # a right-to-left run: its glyphs are in visual order all the same
    start: int = 0                 # where the run's text starts in its paragraph: the logical order of runs
    advances: tuple[float, ...] = ()   # each glyph's pen advance, points

    def in_text_order(self):
        """Each glyph in the order of the paragraph's text: (where its text starts in the paragraph, the
        text it stands for, its x on the page, its advance).  A cluster's further glyphs stand for ""
        at the offset of the cluster's last character."""
        advances = self.advances or (0.0,) * len(self.glyphs)
        at = self.start
        for i in (range(len(self.glyphs) - 1, -1, -1) if self.rtl else range(len(self.glyphs))):
            _gid, gx, _gy, text = self.glyphs[i]
            if text:
                start, at = at, at + len(text)
            else:
                start = at - 1
            yield start, text, self.x + gx, advances[i]


@dataclass(frozen=True)
class TextBlock:
    """A paragraph as laid out: its runs, and its source text for extraction."""

    text: str
    lang: str
    runs: tuple[GlyphRun, ...]
    key: str                       # what the text is (a string key, a fact)
    box: tuple[float, float, float, float]   # x, y, w, h of the lines
    lines: int
    size: float
    rtl: bool = False
    figure: str = ""               # the figure it is part of (a chart's legend), whose alt stands for it


@dataclass(frozen=True)
class Image:
    """A raster picture (a logo) placed in the box x, y, w, h (points): 8-bit samples, row-major,
    ``px_w`` x ``px_h`` pixels, both as CMYK (the print edition) and as RGB (the others),
    opaque (any transparency already flattened)."""

    x: float
    y: float
    w: float
    h: float
    cmyk: bytes
    rgb: bytes
    px_w: int
    px_h: int


@dataclass(frozen=True)
class Link:
    x: float
    y: float
    w: float
    h: float
    uri: str


@dataclass(frozen=True)
class Page:
    """One laid-out page and what a renderer needs to know about it."""

    width: float                   # trim size, points
    height: float
    bleed: float                   # points
    slug: float                    # room for printer's marks outside the bleed, points
    items: tuple = ()              # Rect | Path | TextBlock | Image, painted in order
    links: tuple[Link, ...] = ()
    title: str = ""
    author: str = ""
    subject: str = ""
    lang: str = "en"
    design: str = ""
    slug_items: tuple = ()         # printed in the slug, outside the bleed: print edition only
    rtl: bool = False              # the page's language is written right to left
    name: str = "front"            # the page's name in its design (front, back)
    following: tuple["Page", ...] = ()   # the document's further pages (a card's back), painted after this one

    @property
    def pages(self) -> tuple["Page", ...]:
        """Every page of the document this page begins: itself, then ``following``."""
        return (self,) + self.following
