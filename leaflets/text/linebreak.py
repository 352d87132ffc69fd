"""Where a line may break: ICU's opportunities, refined by a typesetter's rules.

ICU gives dictionary-based breaks for Thai, Lao, Khmer and Burmese, and the
strict Japanese and Chinese rules (no line starts with 、。」ー or a small
kana).  icu4py reports offsets in UTF-16 code units; they are converted to
Python indices.

On top of ICU, :func:`segment` applies the rules ICU does not know:

* Korean is set word by word (CSS ``word-break: keep-all``): no break between
  two letters, although ICU allows one between any two Hangul syllables.
* Display text (headlines, titles) breaks between phrases: Japanese through
  ICU's ``lw=phrase``, Chinese through BudouX (ICU's phrase option has no
  effect on Chinese); every break is also one that ICU's strict rules allow.
* A dash (– — and any other of general category Pd) never starts a line: a
  line may break after it, not before, also where a space comes before it
  ("людьми — это").  Nor do combining marks or the repetition marks of Thai,
  Lao and Khmer (ๆ ໆ ៗ) start a line, after a space or not.
* A URL (anything with a scheme, ``www.``, or a host name like
  ``tokumei24.jp``, with its path) does not break at all.

What those rules take away is kept as a fallback, for a word (or URL) wider
than the whole line.  Such a word is broken as a typesetter would: at a break
the rules removed (between Korean syllables, between Japanese or Chinese
characters, after a slash of a URL), else with a hyphen where a hyphenation
dictionary (pyphen) knows the language and the word is in the Latin, Cyrillic
or Greek script, else before a dash, else between grapheme clusters — never
before a character that cannot start a line nor after one that cannot end it.

Everything here depends on the text alone, not on the width, and is cached.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from fontTools import unicodedata as ucd
from icu4py.breakers import CharacterBreaker, LineBreaker, SentenceBreaker
from icu4py.locale import Locale

# Characters that must never begin a line in Japanese (JIS X 4051 行頭禁則), used to
# check laid-out text; ICU's strict rules enforce them while breaking.
JA_NO_START = set("、。，．・：；？！ー―‐〜～゛゜）〕］｝〉》」』】〙〗〟’”»ゝゞヽヾ々"
                  "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ")

HARD = "\n\u2028\u2029"           # characters after which a line must break

# Scripts written without spaces between words, whose line breaking ICU does by
# dictionary (Unicode line-break class SA).  A modifier letter of these scripts
# (a repetition mark: Thai ๆ, Lao ໆ, Khmer ៗ, Tai Tham ᪧ) belongs to the word before it.
_SA_SCRIPTS = frozenset({"Thai", "Laoo", "Khmr", "Mymr", "Tale", "Talu", "Lana", "Tavt", "Ahom"})
# Scripts whose words are hyphenated (when pyphen has a dictionary for the language).
_HYPHENATED_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek"})
HYPHENS = ("\u2010", "-")        # the hyphen drawn at a hyphenated line end, the first a face has

# A URL: a scheme, or www., or a host name with a letter TLD; its path, query
# and fragment run to the next space.  Trailing punctuation of the sentence is
# not part of it.
_HOST = r"(?:[^\W_](?:[\w-]{0,62}[^\W_])?\.)+[A-Za-z]{2,63}(?![\w-])(?::\d{1,5})?"
_URL = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*://\S+"        # scheme://anything
    r"|(?:mailto|tel):\S+"
    r"|(?<![\w@.\-])(?:[\w.+\-]+@)?" + _HOST + r"(?:[/?#]\S*)?)")
_URL_TRAILING = ".,;:!?'\")]}>»”’、。，．！？：；）」』】"


# ------------------------------------------------------------------ ICU
@lru_cache(maxsize=64)
def _locale(lang: str, phrase: bool = False) -> Locale:
    base = lang.split("-")[0].lower()
    if base in ("ja", "zh"):
        keys = {"lb": "strict", "lw": "phrase"} if phrase else {"lb": "strict"}
        return Locale(base, "", None, keys)
    return Locale(base)


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _utf16_map(text: str) -> list[int] | None:
    """Map from UTF-16 offset to Python index, or None when they are equal."""
    if not _ASTRAL.search(text):
        return None
    out = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) >= 0x10000:
            out.append(i)
    out.append(len(text))
    return out


def _ends(breaker, text: str) -> list[int]:
    m = _utf16_map(text)
    return [m[end] if m else end for _start, end in breaker.segments()]


def line_breaks(text: str, lang: str, phrase: bool = False) -> list[tuple[int, bool]]:
    """ICU's break opportunities in ``text``: (index, mandatory), ascending, ending at len(text).

    An index is where a new line may start; ``mandatory`` marks a hard break
    after a line feed.  ``phrase``: Japanese breaks between phrases only.
    """
    if not text:
        return []
    return [(i, i > 0 and text[i - 1] in HARD) for i in _ends(LineBreaker(text, _locale(lang, phrase)), text)]


def grapheme_breaks(text: str) -> list[int]:
    """Indices where grapheme clusters end, ascending, ending at len(text)."""
    if not text:
        return []
    return _ends(CharacterBreaker(text, Locale("en")), text)


def sentence_starts(text: str, lang: str) -> list[int]:
    """Indices where ICU says a sentence begins (0 included)."""
    if not text:
        return []
    return [0] + _ends(SentenceBreaker(text, _locale(lang)), text)[:-1]


# ------------------------------------------------------ character rules
_PROBE = Locale("ja", "", None, {"lb": "strict"})


@lru_cache(maxsize=4096)
def can_start_line(ch: str) -> bool:
    """Whether a line may begin with ``ch``.

    Not a combining mark, nor a repetition mark of a South-East Asian script,
    nor anything ICU's strict rules keep off the start of a line (closing
    brackets and quotes, stops, small kana, ー, hyphens, …): asked of ICU with
    an ideograph, after which any other character may start a line.
    """
    cat = unicodedata.category(ch)
    if cat[0] == "M" or ch in "\u200c\u200d":
        return False
    if cat == "Lm" and ucd.script(ch) in _SA_SCRIPTS:
        return False
    return _ends(LineBreaker("本" + ch, _PROBE), "本" + ch)[0] == 1


@lru_cache(maxsize=4096)
def can_end_line(ch: str) -> bool:
    """Whether a line may end with ``ch`` (not an opening bracket or quote, a currency sign before its amount, …)."""
    if ch in "\u200c\u200d":
        return False
    return _ends(LineBreaker(ch + "本", _PROBE), ch + "本")[0] == 1


def never_starts_line(ch: str) -> bool:
    """A character no line may start with, even where ICU allows it (after a space)."""
    cat = unicodedata.category(ch)
    return cat[0] == "M" or ch in "\u200c\u200d" or (cat == "Lm" and ucd.script(ch) in _SA_SCRIPTS)


def is_dash(ch: str) -> bool:
    """A dash: general category Pd (hyphen-minus, en and em dashes, …)."""
    return unicodedata.category(ch) == "Pd"


def _letter_unit(ch: str) -> bool:
    """A letter, digit or mark: what CSS keep-all keeps together."""
    return unicodedata.category(ch)[0] in "LNM"


def korean(lang: str) -> bool:
    return lang.split("-")[0].lower() == "ko"


def wide(ch: str) -> bool:
    """An East Asian wide or fullwidth character (ideographs, kana, Hangul, their punctuation)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


# ------------------------------------------------------------------ URLs
def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL, e-mail address or host name in ``text``."""
    out = []
    for m in _URL.finditer(text):
        a, b = m.span()
        while b > a and text[b - 1] in _URL_TRAILING:
            if text[b - 1] == ")" and "(" in text[a:b - 1]:
                break
            b -= 1
        if b - a > 3:
            out.append((a, b))
    return out


# ----------------------------------------------------------- hyphenation
@lru_cache(maxsize=32)
def _dictionary(lang: str):
    import pyphen

    tag = lang.replace("-", "_")
    found = pyphen.language_fallback(tag)
    return pyphen.Pyphen(lang=found) if found else None


_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=256)
def hyphenation_points(text: str, lang: str) -> tuple[int, ...]:
    """Indices inside words where a hyphen may be set, from the language's
    hyphenation dictionary; none for a language pyphen has no dictionary for,
    and none inside URLs or words of scripts that are not hyphenated."""
    dic = _dictionary(lang)
    if dic is None:
        return []
    urls = url_spans(text)
    out = []
    for m in _WORD.finditer(text):
        a, word = m.start(), m.group()
        if len(word) < 4 or ucd.script(word[0]) not in _HYPHENATED_SCRIPTS:
            continue
        if any(u0 <= a < u1 for u0, u1 in urls):
            continue
        out += [a + p for p in dic.positions(word)]
    return tuple(sorted(set(out)))


# ----------------------------------------------------------------- phrases
@lru_cache(maxsize=4)
def _budoux(model: str):
    import budoux

    if model == "zh-Hant":
        return budoux.load_default_traditional_chinese_parser()
    return budoux.load_default_simplified_chinese_parser()


def _chinese_model(lang: str) -> str:
    parts = [p.lower() for p in lang.split("-")[1:]]
    return "zh-Hant" if "hant" in parts or any(p in ("tw", "hk", "mo") for p in parts) else "zh-Hans"


def phrase_boundaries(text: str, lang: str) -> set[int] | None:
    """Where display text may break between phrases: Japanese from ICU
    (``lw=phrase``), Chinese from BudouX; None for other languages."""
    base = lang.split("-")[0].lower()
    if base == "ja":
        return {i for i, _m in line_breaks(text, lang, phrase=True)}
    if base == "zh":
        parser = _budoux(_chinese_model(lang))
        out, pos = set(), 0
        for part in re.split(f"([{HARD}])", text):
            if part and part not in HARD:
                for chunk in parser.parse(part):
                    pos += len(chunk)
                    out.add(pos)
            else:
                pos += len(part)
                out.add(pos)
        return out
    return None


# ----------------------------------------------------------- segmentation
@dataclass(frozen=True)
class Segmentation:
    """Where the lines of one text may break, in one mode (body or display)."""

    text: str
    lang: str
    breaks: tuple[int, ...]            # allowed breaks, ascending, ending at len(text)
    mandatory: frozenset[int]          # the breaks after a line feed
    fallback: tuple[int, ...]          # breaks the rules removed: for a word wider than the line
    dashes: tuple[int, ...]            # breaks before a dash: for a word and its dash wider than the line
    urls: tuple[tuple[int, int], ...]
    icu: frozenset[int]                # every break ICU allows (strict), before the rules
    sentences: frozenset[int]          # where sentences begin

    @property
    def hyphens(self) -> tuple[int, ...]:
        """Where a hyphen may be set (from the dictionary; worked out when first needed)."""
        return hyphenation_points(self.text, self.lang)

    def in_url(self, i: int) -> bool:
        return any(a < i < b for a, b in self.urls)

    def emergency(self, start: int, end: int) -> list[list[int]]:
        """Break points strictly between ``start`` and ``end`` for a word too wide
        for the line, best kind first: breaks the rules removed (between Korean
        syllables, inside a phrase, after a slash of a URL), hyphenation points,
        breaks before a dash, grapheme boundaries."""
        return _emergency(self, start, end)


def _items(text: str, joiner: str) -> list[tuple[int, int]]:
    """(start, end) of each item of a list written ``item<joiner>item…``, without the joiner's spaces."""
    out, pos = [], 0
    for part in text.split(joiner):
        a, b = pos, pos + len(part)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
        pos += len(part) + len(joiner)
    return out


def myanmar(ch: str) -> bool:
    """A character of the Myanmar script (Burmese, Shan, Mon, Karen …)."""
    cp = ord(ch)
    return 0x1000 <= cp <= 0x109F or 0xA9E0 <= cp <= 0xA9FF or 0xAA60 <= cp <= 0xAA7F


@lru_cache(maxsize=4096)
def phrased(ch: str) -> bool:
    """A character of a script written without spaces between its words, whose spaces part phrases (the
    scripts ICU breaks by dictionary, Unicode line-break class SA: Thai, Lao, Khmer, Myanmar, Tai Tham …)."""
    return ord(ch) > 0x7F and ucd.script(ch) in _SA_SCRIPTS


def inside_phrase(text: str, i: int) -> bool:
    """Whether a break at ``i`` parts two words (or syllables) of a phrase of a :func:`phrased` script."""
    return 0 < i < len(text) and phrased(text[i - 1]) and phrased(text[i]) and _letter_unit(text[i - 1]) \
        and _letter_unit(text[i])


# languages whose typesetters never end a line with a word of one letter (a preposition or conjunction:
# Russian в, к, с, у, о, и, а; Polish w, z, i; Czech v, k, s, z …): it goes down with the word it belongs to
BIND_ONE_LETTER = frozenset({"ru", "uk", "be", "bg", "mk", "sr", "hr", "bs", "sl", "pl", "cs", "sk"})


def binds_one_letter(lang: str) -> bool:
    return lang.split("-")[0].lower() in BIND_ONE_LETTER


def _after_one_letter(text: str, i: int) -> bool:
    """Whether the break at ``i`` follows a word of one letter and its space ("обратитесь в |бюро")."""
    return i >= 2 and text[i - 1] == " " and text[i - 2].isalpha() and \
        (i == 2 or not (text[i - 3].isalpha() or unicodedata.category(text[i - 3])[0] == "M"))


@lru_cache(maxsize=512)
def segment(text: str, lang: str, display: bool = False, joiner: str = "", spaced: bool = False,
            bind: bool = False) -> Segmentation:
    """The breaks of ``text`` in ``lang``; ``display``: headline rules (phrases).  ``joiner``: the text is a
    list of names joined by it (the agencies, " / "), each kept on one line unless it alone is wider.
    ``spaced``: text in a script of :func:`phrased` (Thai, Lao, Khmer, Myanmar …) breaks only where it has a
    space or a mark of punctuation (its words run together; the spaces part phrases), unless a phrase alone
    is wider than the line.  ``bind``: no line
    ends with a word of one letter (see :data:`BIND_ONE_LETTER`)."""
    n = len(text)
    raw = line_breaks(text, lang)
    items = _items(text, joiner) if joiner and joiner.strip() else ()
    phrases = phrase_boundaries(text, lang) if display else None
    urls = tuple(url_spans(text))
    ko = korean(lang)
    category = unicodedata.category
    allowed, fallback, dashes, mandatory = [], [], [], set()
    for i, hard in raw:
        if hard or i >= n:
            allowed.append(i)
            if hard:
                mandatory.add(i)
            continue
        before, after = text[i - 1], text[i]
        cat = category(after)
        if cat[0] == "M" or (cat in ("Lm", "Cf") and never_starts_line(after)):
            continue
        if urls and any(a < i < b for a, b in urls):
            continue
        if items and any(a < i < b for a, b in items):
            fallback.append(i)       # inside a name of a list: only when the name is wider than the line
        elif bind and _after_one_letter(text, i):
            fallback.append(i)       # a one-letter word goes down with the next one
        elif spaced and inside_phrase(text, i):
            fallback.append(i)       # between two words (or syllables) of a phrase
        elif ko and _letter_unit(before) and cat[0] in "LNM":
            fallback.append(i)
        elif cat == "Pd":
            dashes.append(i)
        elif phrases is not None and i not in phrases and not before.isspace():
            fallback.append(i)
        else:
            allowed.append(i)
    # a URL wider than the line breaks after a slash (ICU may see none, as in a path of one word)
    for a, b in urls:
        for j in range(a + 1, b - 1):
            if text[j] == "/" and text[j + 1] != "/" and text[j - 1] != "/":
                fallback.append(j + 1)
    return Segmentation(text, lang, tuple(allowed), frozenset(mandatory), tuple(sorted(set(fallback))),
                        tuple(dashes), urls, frozenset(i for i, _ in raw),
                        frozenset(sentence_starts(text, lang)) if display else frozenset())


@lru_cache(maxsize=1024)
def cached_graphemes(text: str) -> tuple[int, ...]:
    """:func:`grapheme_breaks`, remembered."""
    return tuple(grapheme_breaks(text))


def _emergency(seg: Segmentation, start: int, end: int) -> list[list[int]]:
    text = seg.text

    def between(points) -> list[int]:
        lo = bisect.bisect_right(points, start)
        hi = bisect.bisect_left(points, end)
        return [p for p in points[lo:hi] if can_end_line(text[p - 1]) or text[p - 1] == "/"]

    tiers = [between(seg.fallback), between(seg.hyphens), between(seg.dashes)]
    graphemes = [g for g in between(cached_graphemes(text))
                 if can_start_line(text[g]) and not text[g].isspace() and not text[g - 1].isspace()]
    tiers.append(graphemes)
    return tiers
