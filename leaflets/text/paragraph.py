"""A paragraph: itemised, shaped and measured once; broken into lines at any width.

Shaping does not depend on the type size, so a paragraph is shaped once in
font units and can then be broken at many widths cheaply — which is what
auto-fit does.  Widths here are in em (multiples of the type size).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

from . import bidi
from .fonts import FontFace
from .linebreak import grapheme_breaks, line_breaks
from .shape import Glyph, shape

_SPACES = re.compile(r"[ \t\r\f\v]+")


def normalise(text: str) -> str:
    """NFC, single spaces, no spaces around line feeds."""
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", part).strip() for part in text.split("\n")]
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class PlacedRun:
    """Glyphs of one face on one line, in visual order."""

    face: FontFace
    x: float                   # em, from the line's left edge
    width: float               # em
    glyphs: tuple[Glyph, ...]
    text: str                  # the source text of this run
    rtl: bool
    start: int = 0             # where that text starts in the paragraph


@dataclass(frozen=True)
class Line:
    start: int
    end: int                   # end of the visible text (trailing spaces dropped)
    width: float               # em
    runs: tuple[PlacedRun, ...]


class Paragraph:
    """Text of one language, ready to be broken into lines."""

    def __init__(self, text: str, lang: str, faces: list[FontFace], library, rtl: bool = False):
        self.text = text = normalise(text)
        self.lang = lang
        self.rtl = rtl
        self.levels = bidi.levels(text, rtl)
        runs = []
        for start, end, face in library.itemise(text, faces):
            # split font runs further where the bidi level changes
            s = start
            for i in range(start + 1, end + 1):
                if i == end or self.levels[i] != self.levels[s]:
                    runs.append((s, i, face, self.levels[s]))
                    s = i
        self.runs: list[tuple[int, int, FontFace, int, list[Glyph]]] = []
        adv = [0.0] * len(text)
        for start, end, face, level in runs:
            glyphs = shape(text, start, end, face, lang, rtl=bool(level % 2))
            scale = 1.0 / face.upem
            for g in glyphs:
                adv[g.cluster] += g.advance * scale
            self.runs.append((start, end, face, level, glyphs))
        self._prefix = [0.0, *accumulate(adv)]
        self._breaks = line_breaks(text, lang)
        self._graphemes: list[int] | None = None

    # ----------------------------------------------------------- measuring
    def width(self, start: int, end: int) -> float:
        """Width in em of text[start:end] without its trailing spaces."""
        end = self._visible_end(start, end)
        return self._prefix[end] - self._prefix[start]

    def _visible_end(self, start: int, end: int) -> int:
        while end > start and self.text[end - 1] in " \n\u2028\u2029":
            end -= 1
        return end

    @property
    def natural_width(self) -> float:
        return max((self.width(a, b) for a, b in self._hard_lines()), default=0.0)

    def _hard_lines(self) -> list[tuple[int, int]]:
        out, start = [], 0
        for idx, mandatory in self._breaks:
            if mandatory:
                out.append((start, idx))
                start = idx
        if start < len(self.text):
            out.append((start, len(self.text)))
        return out

    def graphemes(self) -> list[int]:
        if self._graphemes is None:
            self._graphemes = grapheme_breaks(self.text)
        return self._graphemes

    # ------------------------------------------------------------ breaking
    def break_lines(self, max_width: float) -> list[tuple[int, int]]:
        """Greedy line filling: (start, end) of each line; ``max_width`` in em."""
        lines: list[tuple[int, int]] = []
        start = 0
        last_fit = None
        eps = 1e-9
        for idx, mandatory in self._breaks:
            if self.width(start, idx) <= max_width + eps:
                last_fit = idx
            else:
                if last_fit is not None and last_fit > start:
                    lines.append((start, last_fit))
                    start = last_fit
                # the segment from start to idx may itself be too wide
                while self.width(start, idx) > max_width + eps:
                    cut = self._grapheme_cut(start, idx, max_width)
                    lines.append((start, cut))
                    start = cut
                last_fit = idx
            if mandatory:
                lines.append((start, idx))
                start = idx
                last_fit = None
        if start < len(self.text):
            lines.append((start, len(self.text)))
        return lines

    def _grapheme_cut(self, start: int, end: int, max_width: float) -> int:
        """The last grapheme boundary in (start, end) that fits; at least one grapheme."""
        cut = None
        for g in self.graphemes():
            if g <= start:
                continue
            if g >= end:
                break
            if self.width(start, g) <= max_width + 1e-9:
                cut = g
            else:
                break
        if cut is None:
            cut = next((g for g in self.graphemes() if g > start), end)
        return cut

    def break_balanced(self, max_width: float) -> list[tuple[int, int]]:
        """As few lines as greedy filling gives, but with their lengths evened out."""
        lines = self.break_lines(max_width)
        if len(lines) < 2:
            return lines
        lo, hi = max_width * 0.4, max_width
        for _ in range(9):
            mid = (lo + hi) / 2
            if len(self.break_lines(mid)) <= len(lines):
                hi = mid
            else:
                lo = mid
        return self.break_lines(hi)

    def break_nicely(self, max_width: float, balance: bool = False) -> list[tuple[int, int]]:
        """Lines for ``max_width``, avoiding a single character alone on the last line."""
        lines = self.break_balanced(max_width) if balance else self.break_lines(max_width)
        if len(lines) >= 2 and self._lonely(lines[-1]):
            width = max_width
            for _ in range(8):
                width *= 0.94
                candidate = self.break_lines(width)
                if len(candidate) > len(lines):
                    break
                if not self._lonely(candidate[-1]):
                    return candidate
        return lines

    def _lonely(self, line: tuple[int, int]) -> bool:
        start, end = line[0], self._visible_end(*line)
        count = sum(1 for g in self.graphemes() if start < g <= end)
        return count <= 1

    # ----------------------------------------------------------- composing
    def compose(self, lines: list[tuple[int, int]]) -> list[Line]:
        """Glyphs of each line, placed in visual order."""
        out = []
        for start, end in lines:
            vend = self._visible_end(start, end)
            pieces = []
            for rstart, rend, face, level, glyphs in self.runs:
                a, b = max(rstart, start), min(rend, vend)
                if a >= b:
                    continue
                gl = tuple(g for g in glyphs if a <= g.cluster < b)
                width = sum(g.advance for g in gl) / face.upem
                pieces.append((level, PlacedRun(face, 0.0, width, gl, self.text[a:b], bool(level % 2), a)))
            order = bidi.visual_order([lv for lv, _ in pieces]) if self.rtl or any(lv for lv, _ in pieces) \
                else range(len(pieces))
            x = 0.0
            placed = []
            for i in order:
                run = pieces[i][1]
                placed.append(PlacedRun(run.face, x, run.width, run.glyphs, run.text, run.rtl, run.start))
                x += run.width
            out.append(Line(start, vend, x, tuple(placed)))
        return out
