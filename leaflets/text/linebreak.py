"""Break opportunities from ICU.

ICU gives dictionary-based breaks for Thai, Lao, Khmer and Burmese, and the
strict Japanese rules (no line starts with 、。」ー or a small kana).  icu4py
reports offsets in UTF-16 code units; we convert them to Python indices.
"""

from __future__ import annotations

import re
from functools import lru_cache

from icu4py.breakers import CharacterBreaker, LineBreaker
from icu4py.locale import Locale

# Characters that must never begin a line in Japanese (JIS X 4051 行頭禁則), used to
# check laid-out text; ICU's strict rules enforce them while breaking.
JA_NO_START = set("、。，．・：；？！ー―‐〜～゛゜）〕］｝〉》」』】〙〗〟’”»ゝゞヽヾ々"
                  "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ")


@lru_cache(maxsize=64)
def _locale(lang: str) -> Locale:
    base = lang.split("-")[0]
    if base in ("ja", "zh"):
        return Locale(base, "", None, {"lb": "strict"})
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


def line_breaks(text: str, lang: str) -> list[tuple[int, bool]]:
    """Break opportunities in ``text``: (index, mandatory), ascending, ending at len(text).

    An index is where a new line may start; ``mandatory`` marks a hard break
    after a line feed.
    """
    if not text:
        return []
    m = _utf16_map(text)
    out = []
    for _start, end in LineBreaker(text, _locale(lang)).segments():
        idx = m[end] if m else end
        out.append((idx, idx > 0 and text[idx - 1] in "\n\u2028\u2029"))
    return out


def grapheme_breaks(text: str) -> list[int]:
    """Indices where grapheme clusters end, ascending, ending at len(text)."""
    if not text:
        return []
    m = _utf16_map(text)
    return [m[end] if m else end for _s, end in CharacterBreaker(text, Locale("en")).segments()]
