"""A paragraph: itemised, shaped and measured once; broken into lines at any width.

Shaping does not depend on the type size, so a paragraph is shaped once in
font units and can then be broken at many widths cheaply — which is what
auto-fit does.  Widths here are in em (multiples of the type size).

Where lines may break comes from :mod:`.linebreak` (worked out once per
paragraph and mode, as it does not depend on the width).  Body text is filled
greedily; the last line of a paragraph is never one character alone, nor one
or two characters of East Asian text: characters are pulled down from the
line before, within the break rules.  Display text (``balance``) keeps the
number of lines greedy filling gives and chooses, among the ways to break
into that many lines, the one with the most even lengths and no lone word (a
line ending with the first word of a sentence) and no short last line.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

from . import bidi
from .fonts import FontFace
from .linebreak import (HARD, HYPHENS, Segmentation, binds_one_letter, cached_graphemes, inside_phrase, phrased,
                        segment, wide)
from .shape import Glyph, shape

_SPACES = re.compile(r"[ \t\r\f\v]+")
_EPS = 1e-9
_INVISIBLE = " " + HARD


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
    hyphen: bool = False       # ends with an inserted hyphen: its glyph (cluster ``end``) stands for no text


class Lines(list):
    """(start, end) of each line.  ``unfit``: the lines only fit by breaking a
    URL, which should rather be set smaller (auto-fit does, down to its floor)."""

    unfit: bool = False


class _Plan:
    """The breaks of one mode (body or display), with the widths the line filling needs."""

    __slots__ = ("seg", "breaks", "ends", "hard", "allowed", "_emergency", "_marks")

    def __init__(self, p: "Paragraph", seg: Segmentation):
        self.seg = seg
        self.breaks = b = list(seg.breaks)
        prefix = p._prefix
        ends, prev, top = [], 0, 0.0
        for i in b:
            top = max(top, prefix[p._visible_end(prev, i)])
            ends.append(top)          # the width from the paragraph start to the visible end
            prev = i
        self.ends = ends
        hard, first = [], 0
        for k, i in enumerate(b):
            if i in seg.mandatory or k == len(b) - 1:
                hard.append((first, k))
                first = k + 1
        self.hard = hard             # (first, last) break index of each hard line
        self.allowed = frozenset(b)
        self._emergency: dict[tuple[int, int], list[list[int]]] = {}
        self._marks: tuple[list[bool], list[bool]] | None = None

    def display_marks(self, p: "Paragraph") -> tuple[list[bool], list[bool]]:
        """Per break: whether the segment before it begins a sentence (a word that
        would be alone at a line end), and whether the break is between two letters."""
        if self._marks is None:
            b, text, starts = self.breaks, p.text, self.seg.sentences
            lone = [False] * len(b)
            letters = [False] * len(b)
            for k in range(len(b)):
                a = b[k - 1] if k else 0
                lone[k] = k > 0 and a in starts and any(unicodedata.category(ch)[0] == "L" for ch in text[a:b[k]])
                letters[k] = b[k] > 0 and not text[b[k] - 1].isspace()
            self._marks = (lone, letters)
        return self._marks

    def emergency(self, start: int, end: int) -> list[list[int]]:
        key = (start, end)
        e = self._emergency.get(key)
        if e is None:
            e = self._emergency[key] = self.seg.emergency(start, end)
        return e


class Paragraph:
    """Text of one language, ready to be broken into lines."""

    def __init__(self, text: str, lang: str, faces: list[FontFace], library, rtl: bool = False,
                 joiner: str = "", features: tuple[str, ...] = ()):
        """``joiner``: the text is a list of names joined by it, and a line breaks inside a name only when the
        name alone is wider than the line.  ``features``: OpenType features it is shaped with (see
        :func:`leaflets.text.shape.shape`)."""
        self.text = text = normalise(text)
        self.lang = lang
        self.features = tuple(features)
        self.rtl = rtl
        self.joiner = joiner
        # Thai, Lao, Khmer and Myanmar text prefers its spaces (see linebreak.segment's ``spaced``)
        self.spaced = any(map(phrased, text))
        self.bind = binds_one_letter(lang)        # no line ends with a one-letter word (Russian в, к, с …)
        self.faces = faces
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
            glyphs = shape(text, start, end, face, lang, rtl=bool(level % 2), features=self.features)
            scale = 1.0 / face.upem
            for g in glyphs:
                adv[g.cluster] += g.advance * scale
            self.runs.append((start, end, face, level, glyphs))
        self._run_starts = [r[0] for r in self.runs]
        self._prefix = [0.0, *accumulate(adv)]
        self._plans: dict[bool, _Plan] = {}
        self._graphemes: tuple[int, ...] | None = None
        self._hyphen_sets: frozenset[int] | None = None
        self._hyphen_glyphs: dict[int, tuple | None] = {}
        self._cache: dict[tuple, Lines] = {}
        self._loose: Paragraph | None = None      # the same without its preferences (see break_nicely)
        self._unspaced: Paragraph | None = None   # the same without its preference for spaces

    # ----------------------------------------------------------- measuring
    def width(self, start: int, end: int) -> float:
        """Width in em of text[start:end] without its trailing spaces."""
        end = self._visible_end(start, end)
        return self._prefix[end] - self._prefix[start]

    def _visible_end(self, start: int, end: int) -> int:
        text = self.text
        while end > start and text[end - 1] in _INVISIBLE:
            end -= 1
        return end

    @property
    def natural_width(self) -> float:
        return max((self.width(a, b) for a, b in self._hard_lines()), default=0.0)

    def _hard_lines(self) -> list[tuple[int, int]]:
        out, start = [], 0
        for i, ch in enumerate(self.text):
            if ch in HARD:
                out.append((start, i + 1))
                start = i + 1
        if start < len(self.text):
            out.append((start, len(self.text)))
        return out

    def graphemes(self) -> tuple[int, ...]:
        if self._graphemes is None:
            self._graphemes = cached_graphemes(self.text)
        return self._graphemes

    def segmentation(self, display: bool = False) -> Segmentation:
        """Where this paragraph may break: body rules, or display (phrase) rules."""
        return self._plan(display).seg

    def _plan(self, display: bool) -> _Plan:
        plan = self._plans.get(display)
        if plan is None:
            plan = self._plans[display] = _Plan(self, segment(self.text, self.lang, display, self.joiner,
                                                              self.spaced, self.bind))
        return plan

    # ------------------------------------------------------------ hyphens
    def hyphenated(self, end: int) -> bool:
        """Whether a line ending at ``end`` (inside a word) gets a hyphen."""
        if not 0 < end < len(self.text):
            return False
        seg = self._plan(False).seg
        if end in seg.icu:
            return False
        if self._hyphen_sets is None:
            self._hyphen_sets = frozenset(seg.hyphens)
        return end in self._hyphen_sets and self._hyphen_glyph(end) is not None

    def _run_at(self, i: int):
        k = bisect_right(self._run_starts, i) - 1
        return self.runs[max(k, 0)]

    def _hyphen_glyph(self, end: int):
        """(face, character, advance in em) of the hyphen set after text[end - 1], or None."""
        if end in self._hyphen_glyphs:
            return self._hyphen_glyphs[end]
        face = self._run_at(end - 1)[2]
        found = None
        for f in (face, *self.faces):
            ch = next((h for h in HYPHENS if f.covers(h)), None)
            if ch is not None:
                gid = f.hb_font.get_nominal_glyph(ord(ch))
                found = (f, ch, f.advance(gid) / f.upem)
                break
        self._hyphen_glyphs[end] = found
        return found

    def _extra(self, end: int) -> float:
        """What a line ending at ``end`` adds to its measured width: its hyphen."""
        return self._hyphen_glyph(end)[2] if self.hyphenated(end) else 0.0

    # ------------------------------------------------------------ breaking
    def break_lines(self, max_width: float, display: bool = False) -> Lines:
        """Greedy line filling: (start, end) of each line; ``max_width`` in em."""
        plan = self._plan(display)
        out = Lines()
        s = 0
        for first, last in plan.hard:
            lines, unfit = self._greedy(plan, max_width, s, first, last)
            out += lines
            out.unfit = out.unfit or unfit
            s = plan.breaks[last]
        return out

    def _greedy(self, plan: _Plan, w: float, s: int, k0: int, last: int) -> tuple[list, bool]:
        """Greedy lines from ``s`` to the end of the hard line ending at break ``last``."""
        breaks, ends, prefix = plan.breaks, plan.ends, self._prefix
        out, unfit = [], False
        while k0 <= last:
            k = bisect_right(ends, prefix[s] + w + _EPS, k0, last + 1) - 1
            if k >= k0:
                out.append((s, breaks[k]))
                s, k0 = breaks[k], k + 1
            else:
                # the next segment alone is wider than the line
                cut = self._cut(plan, s, breaks[k0], w)
                out.append((s, cut))
                unfit = unfit or plan.seg.in_url(cut)
                s = cut
                if cut >= breaks[k0]:
                    k0 += 1
        return out, unfit

    def _cut(self, plan: _Plan, s: int, e: int, w: float) -> int:
        """Where to break a segment (s, e) too wide for the line: the last point of
        the best kind that fits, else the first point (the line overflows)."""
        prefix = self._prefix
        tiers = plan.emergency(s, e)
        for points in tiers:
            best = None
            for c in points:
                if prefix[self._visible_end(s, c)] - prefix[s] + self._extra(c) <= w + _EPS:
                    best = c
                else:
                    break
            if best is not None:
                return best
        return next((t[0] for t in reversed(tiers) if t), e)

    def break_balanced(self, max_width: float, display: bool = True) -> Lines:
        """As few lines as greedy filling gives, but with their lengths evened out."""
        plan = self._plan(display)
        out = Lines()
        s = 0
        for first, last in plan.hard:
            lines, unfit = self._greedy(plan, max_width, s, first, last)
            if len(lines) > 1 and all(b in plan.allowed for _a, b in lines):
                lines = self._even(plan, max_width, s, first, last, len(lines)) or lines
            else:
                lines = self._settle(plan, lines, max_width)
            out += lines
            out.unfit = out.unfit or unfit
            s = plan.breaks[last]
        return out

    def break_nicely(self, max_width: float, balance: bool = False, display: bool | None = None) -> Lines:
        """Lines for ``max_width``: balanced for display text, else filled greedily; a
        last line is never one character alone (nor two East Asian characters).

        ``display`` (default: ``balance``) selects the display rules: phrases for
        Japanese and Chinese, no lone word at a line end."""
        display = balance if display is None else display
        key = (max_width, balance, display)
        lines = self._cache.get(key)
        if lines is None:
            if len(self._cache) > 256:
                self._cache.clear()
            lines = self._nicely(max_width, balance, display)
            # a list's names stay whole, Myanmar breaks at its spaces, a one-letter word goes down with the
            # next, wherever that costs no extra line; where it would, the lines break as any text does (a
            # box's height never depends on it).  Greedy filling gives the fewest lines either way
            # (balancing keeps its count): the twin's lines are made in full only when they are fewer.
            if (self.joiner or self.spaced or self.bind) and \
                    len(lines) > len(self._twin().break_lines(max_width, display)):
                lines = self._twin().break_nicely(max_width, balance, display)
            elif self.spaced and balance and any(inside_phrase(self.text, b) for _a, b in lines[:-1]):
                # display text with a phrase wider than the line: balanced between words anywhere, not at
                # its spaces and then inside that phrase where it must (body text, filled line by line, does
                # that: the phrase that fits stays whole)
                lines = self._twin(spaced_only=True).break_nicely(max_width, balance, display)
            self._cache[key] = lines
        out = Lines(lines)
        out.unfit = lines.unfit
        return out

    def _twin(self, spaced_only: bool = False) -> "Paragraph":
        """This paragraph, shaped as it is, with no joiner nor preference for spaces: its lines break as any
        text's do (``spaced_only``: with its other preferences kept)."""
        attr = "_unspaced" if spaced_only else "_loose"
        twin = getattr(self, attr)
        if twin is None:
            # what depends on the text and its shaping alone (runs, widths, graphemes, hyphens) is shared
            twin = copy.copy(self)
            twin.spaced = False
            if not spaced_only:
                twin.joiner, twin.bind = "", False
            twin._plans, twin._cache, twin._loose, twin._unspaced = {}, {}, None, None
            setattr(self, attr, twin)
        return twin

    def _nicely(self, max_width: float, balance: bool, display: bool) -> Lines:
        if balance:
            return self.break_balanced(max_width, display)
        plan = self._plan(display)
        lines, s = Lines(), 0
        for first, last in plan.hard:
            part, unfit = self._greedy(plan, max_width, s, first, last)
            lines += self._settle(plan, part, max_width)
            lines.unfit = lines.unfit or unfit
            s = plan.breaks[last]
        return lines

    # --------------------------------------------------- last lines, lone words
    def short(self, start: int, end: int) -> bool:
        """Whether text[start:end] is too short for a last line: one grapheme, or
        two when one of them is East Asian (wide)."""
        vend = self._visible_end(start, end)
        if vend - start > 16:     # more than two graphemes of at most eight code points each
            return False
        g = self.graphemes()
        count = bisect_right(g, vend) - bisect_right(g, start)
        if count <= 1:
            return True
        return count == 2 and any(wide(ch) for ch in self.text[start:vend])

    def _settle(self, plan: _Plan, lines: list, w: float) -> list:
        """Pull characters down onto a last line that is too short, within the break rules.  Display text
        whose last lines were already broken inside a phrase (one wider than the line) may be broken at any
        of the body text's breaks there instead, as the phrase is parted anyway."""
        out = self._settle_in(plan, lines, w)
        body = self._plan(False)
        if out is lines and plan is not body and len(lines) >= 2 and lines[-2][1] not in plan.allowed:
            out = self._settle_in(body, lines, w)
        return out

    def _settle_in(self, plan: _Plan, lines: list, w: float) -> list:
        if len(lines) < 2:
            return lines
        (pa, a), (_a, b) = lines[-2], lines[-1]
        if a not in plan.allowed or not self.short(a, b):
            return lines
        prefix = self._prefix
        vend = prefix[self._visible_end(a, b)]
        lo = bisect_right(plan.breaks, pa)
        hi = bisect_left(plan.breaks, a)
        for k in range(hi - 1, lo - 1, -1):
            c = plan.breaks[k]
            if vend - prefix[c] > w + _EPS:
                break
            if not self.short(c, b):
                return [*lines[:-2], (pa, c), (c, b)]
        return lines

    def _even(self, plan: _Plan, w: float, s: int, first: int, last: int, count: int) -> list | None:
        """The ``count`` lines from ``s`` to break ``last`` with the most even lengths,
        avoiding lone words and a short last line (dynamic programming over the breaks).

        Node 0 is the start ``s``; node i > 0 is break ``first + i - 1``.  A
        line costs the square of the room it leaves; a lone word or a short last
        line costs more than any unevenness; a break between two letters (not
        at a space) costs a little, so that where spaces part phrases (Thai) or
        words, the break at a space wins over one inside a compound."""
        breaks, ends, prefix = plan.breaks, plan.ends, self._prefix
        lone, letters = plan.display_marks(self)
        penalty = 4.0 * (w * w + 1.0) * (count + 1)
        soft = 0.1 * w * w
        limit = w + _EPS
        off = first - 1
        m = last - off + 1
        starts = [s] + breaks[first:last + 1]
        left = [prefix[x] for x in starts]
        inf = float("inf")
        prev = [inf] * m
        prev[0] = 0.0
        back = []
        end = breaks[last]
        for line in range(1, count + 1):
            final = line == count
            cur = [inf] * m
            arg = [-1] * m
            for i in ((m - 1,) if final else range(line, m - 1)):
                k = i + off
                e = ends[k]
                extra = 0.0 if final else (soft if letters[k] else 0.0)
                best, bj = inf, -1
                for j in range(i - 1, -1, -1):
                    width = e - left[j]
                    if width > limit:
                        break
                    c = prev[j]
                    if c == inf:
                        continue
                    c += (w - width) ** 2 + extra
                    if final:
                        if self.short(starts[j], end):
                            c += penalty
                    elif lone[k] and j < i - 1:
                        c += penalty
                    if c < best:
                        best, bj = c, j
                cur[i], arg[i] = best, bj
            back.append(arg)
            prev = cur
        if prev[m - 1] == inf:
            return None
        out = []
        i = m - 1
        for arg in reversed(back):
            j = arg[i]
            out.append((starts[j], starts[i]))
            i = j
        out.reverse()
        return out

    # ----------------------------------------------------------- composing
    def compose(self, lines: list[tuple[int, int]]) -> list[Line]:
        """Glyphs of each line, placed in visual order.

        Where a line starts or ends inside a word, the pieces of the word are
        shaped again on their own (a ligature or a joining form never spans two
        lines), and a hyphenated line gets its hyphen glyph, with the cluster
        index of the line end: it stands for no text.
        """
        n = len(self.text)
        out = []
        for start, end in lines:
            vend = self._visible_end(start, end)
            cut_start = 0 < start < n and self._inside_word(start)
            cut_end = 0 < end < n and self._inside_word(end)
            hyphen = self._hyphen_glyph(end) if cut_end and self.hyphenated(end) else None
            pieces = []
            for rstart, rend, face, level, glyphs in self.runs:
                a, b = max(rstart, start), min(rend, vend)
                if a >= b:
                    continue
                tail = cut_end and b == vend
                if (cut_start and a == start) or tail:
                    ch = hyphen[1] if tail and hyphen is not None and hyphen[0] is face else ""
                    gl = self._reshape(a, b, face, level, ch)
                    if ch:
                        hyphen = None
                else:
                    gl = tuple(g for g in glyphs if a <= g.cluster < b)
                pieces.append((level, self._run(face, gl, a, b, level)))
            if hyphen is not None and pieces:
                face, ch = hyphen[0], hyphen[1]
                level = pieces[-1][0] if not self.rtl else 0
                pieces.append((level, self._run(face, self._reshape(vend, vend, face, level, ch), vend, vend, level)))
            order = bidi.visual_order([lv for lv, _ in pieces]) if self.rtl or any(lv for lv, _ in pieces) \
                else range(len(pieces))
            x = 0.0
            placed = []
            for i in order:
                run = pieces[i][1]
                placed.append(PlacedRun(run.face, x, run.width, run.glyphs, run.text, run.rtl, run.start))
                x += run.width
            out.append(Line(start, vend, x, tuple(placed), cut_end and self.hyphenated(end)))
        return out

    def _inside_word(self, i: int) -> bool:
        """Whether a line break at ``i`` is one ICU does not allow (a cut inside a word)."""
        if any(i in plan.allowed for plan in self._plans.values()):
            return False
        return i not in self._plan(False).seg.icu

    def _run(self, face: FontFace, glyphs: tuple, a: int, b: int, level: int) -> PlacedRun:
        width = sum(g.advance for g in glyphs) / face.upem
        return PlacedRun(face, 0.0, width, glyphs, self.text[a:b], bool(level % 2), a)

    def _reshape(self, a: int, b: int, face: FontFace, level: int, hyphen: str = "") -> tuple[Glyph, ...]:
        """text[a:b] (and a hyphen after it) shaped on its own; clusters are paragraph indices."""
        piece = self.text[a:b] + hyphen
        glyphs = shape(piece, 0, len(piece), face, self.lang, rtl=bool(level % 2), features=self.features)
        return tuple(g._replace(cluster=g.cluster + a) for g in glyphs)
