"""Bidirectional text: embedding levels (Unicode Bidi Algorithm) and visual order.

Levels come from python-bidi's implementation of UAX #9; runs of a line are
then put in visual order with rule L2.
"""

from __future__ import annotations

import re
import unicodedata

_RTL = re.compile("[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\U00010800-\U00010FFF\U0001E800-\U0001EFFF"
                  "\u200F\u202B\u202E\u2067]")


def has_rtl(text: str) -> bool:
    """Whether ``text`` has a right-to-left character (or mark)."""
    return _RTL.search(text) is not None


def levels(text: str, base_rtl: bool) -> list[int]:
    """The resolved embedding level of every character of ``text``."""
    if not base_rtl and not has_rtl(text):
        return [0] * len(text)
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    storage["base_level"] = 1 if base_rtl else 0
    storage["base_dir"] = "R" if base_rtl else "L"
    uba.get_embedding_levels(text, storage, False, False)
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    chars = storage["chars"]
    if len(chars) == len(text):
        return _number_separators(text, [c["level"] for c in chars])
    # explicit formatting characters were removed (rule X9): give them the
    # level of the character before them
    out = []
    it = iter(chars)
    nxt = next(it, None)
    last = storage["base_level"]
    for ch in text:
        if nxt is not None and nxt["ch"] == ch:
            last = nxt["level"]
            nxt = next(it, None)
        out.append(last)
    return _number_separators(text, out)


def _number_separators(text: str, lv: list[int]) -> list[int]:
    """Rule W4: a single separator between two digits belongs to the number.

    python-bidi leaves the dashes of 0120-924-839 at the paragraph's level,
    which would show the groups of a phone number in reverse order.
    """
    for i in range(1, len(text) - 1):
        cls = unicodedata.bidirectional(text[i])
        if cls in ("ES", "CS"):
            a, b = unicodedata.bidirectional(text[i - 1]), unicodedata.bidirectional(text[i + 1])
            if (a == b == "EN") or (cls == "CS" and a == b == "AN"):
                lv[i] = max(lv[i - 1], lv[i + 1])
    return lv


def visual_order(run_levels: list[int]) -> list[int]:
    """Indices of runs in visual order, by rule L2 of UAX #9."""
    order = list(range(len(run_levels)))
    if not run_levels:
        return order
    top = max(run_levels)
    low_odd = min((lv for lv in run_levels if lv % 2), default=None)
    if low_odd is None:
        return order
    for level in range(top, low_odd - 1, -1):
        i = 0
        while i < len(order):
            if run_levels[order[i]] >= level:
                j = i
                while j < len(order) and run_levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


def mirror(text: str) -> str:
    """``text`` with every character that has a mirrored form (Bidi_Mirroring_Glyph) replaced by it."""
    from bidi.mirror import MIRRORED

    return "".join(MIRRORED.get(ch, ch) for ch in text)
