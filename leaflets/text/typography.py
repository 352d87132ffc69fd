"""What a proofreader would mark in lines as set.

:func:`inspect` looks at the lines of one paragraph — (start, end) of each,
as the line breaker returned them — and reports what the text engine could
not avoid, or what went wrong:

``dash-start``
    a line starts with a dash (– —), which belongs at the end of the line before;
``bad-start``
    a line starts with a character that cannot start a line: a combining mark
    or a repetition mark such as ๆ anywhere, or (where no space comes before
    it) one that ICU's strict rules keep off a line start: a closing bracket,
    a stop, a small kana;
``word-break``
    a line breaks inside a word without a hyphen (where ICU sees no break);
``korean-break``
    a line breaks between two Hangul syllables (or letters) of one Korean word;
``url-break``
    a URL is broken across lines;
``phrase-break``
    Japanese or Chinese display text breaks inside a phrase (ICU's
    ``lw=phrase`` for Japanese, BudouX for Chinese);
``short-last``
    the last line of an East Asian paragraph holds one or two characters
    (or any paragraph's last line holds one);
``lone-word``
    in display text, a line ends with the first word of a sentence.

Each finding gives the line as set (with its inserted hyphen).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from .linebreak import (HARD, can_start_line, cached_graphemes, is_dash, korean, never_starts_line,
                        phrase_boundaries, segment, wide)

RULES = {
    "dash-start": "a line starts with a dash",
    "bad-start": "a line starts with a character that cannot start a line",
    "word-break": "a line breaks inside a word without a hyphen",
    "korean-break": "a line breaks inside a Korean word",
    "url-break": "a URL is broken across lines",
    "phrase-break": "a line of display text breaks inside a phrase",
    "short-last": "the last line is too short",
    "lone-word": "a line ends with the first word of a sentence",
}

# what a writer or designer can do about each
HINTS = {
    "url-break": "the URL is wider than its box even at the style's smallest size: give the box more room "
                 "in the design, or shorten the URL's display text in content/campaign.yaml",
    "short-last": "rephrase or shorten the text a little, so that the last line holds more",
    "lone-word": "rephrase the text, or put the sentences on lines of their own with a line break",
}
HINT = "a word or phrase is wider than its box: rephrase or shorten the text, or give the box more room in the design"


@dataclass(frozen=True)
class Finding:
    rule: str          # one of RULES
    line: str          # the line as set
    number: int        # which line (1 = first)

    @property
    def message(self) -> str:
        return RULES[self.rule]

    @property
    def hint(self) -> str:
        return HINTS.get(self.rule, HINT)


def _visible_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " " + HARD:
        end -= 1
    return end


def _letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def inspect(text: str, lang: str, lines: list[tuple[int, int]], display: bool = False,
            hyphenated=None) -> list[Finding]:
    """Findings in ``lines`` of ``text`` (already normalised, as the paragraph holds it).

    ``display``: the paragraph is display text (a headline), where lone words
    count.  ``hyphenated(end)`` says whether a line ending at ``end`` got a
    hyphen; by default, where the hyphenation dictionary allows one.
    """
    if not lines or not text:
        return []
    seg = segment(text, lang, False)
    shown = segment(text, lang, True) if display else seg
    if hyphenated is None:
        def hyphenated(end: int) -> bool:
            return end not in seg.icu and end in seg.hyphens
    graphemes = cached_graphemes(text)
    phrases = phrase_boundaries(text, lang) if display else None
    n = len(text)
    out: list[Finding] = []
    for number, (start, end) in enumerate(lines, 1):
        vend = _visible_end(text, start, end)
        hyphen = 0 < end < n and end not in seg.icu and hyphenated(end)
        line = text[start:vend] + ("\u2010" if hyphen else "")

        def add(rule: str) -> None:
            out.append(Finding(rule, line, number))

        soft_start = start > 0 and text[start - 1] not in HARD
        if soft_start and start < n:
            if is_dash(text[start]):
                add("dash-start")
            elif never_starts_line(text[start]) or (not text[start - 1].isspace() and not can_start_line(text[start])):
                add("bad-start")
        last_of_hard = end >= n or text[end - 1] in HARD
        if not last_of_hard:
            if seg.in_url(end):
                add("url-break")
            elif korean(lang) and _letter(text[end - 1]) and _letter(text[end]):
                add("korean-break")
            elif end not in seg.icu and not hyphen:
                add("word-break")
            elif phrases is not None and end not in phrases and not text[end - 1].isspace():
                add("phrase-break")
            elif display and _lone_word(shown, start, end):
                add("lone-word")
        elif number > 1 and start > 0 and text[start - 1] not in HARD:
            count = bisect_right(graphemes, vend) - bisect_right(graphemes, start)
            if count <= 1 or (count == 2 and any(wide(ch) for ch in text[start:vend])):
                add("short-last")
    return out


def _lone_word(seg, start: int, end: int) -> bool:
    """Whether the line (start, end) ends with the first word of a sentence that goes on."""
    k = bisect_right(seg.breaks, end) - 1
    if k < 1 or seg.breaks[k] != end:
        return False
    b = seg.breaks[k - 1]
    if b <= start or b not in seg.sentences:
        return False
    return any(unicodedata.category(ch)[0] == "L" for ch in seg.text[b:end])
