"""Digits spelled as words: "zero one two zero", "공일이공", "ศูนย์หนึ่งสอง".

The facts guard reads a number written in words as the digits it spells, in
every language ICU spells numbers in (its rule-based number format, the
``spellout`` rules of CLDR): the words for 0 to 9 of each locale Babel knows,
in its default rule set (icu4py's message format does not choose another one:
a feminine or native set is not reachable from it).
They are kept in ``number-words.json`` (made with :func:`write_table` from the
ICU that icu4py bundles, whose version the file records; a test makes it again
and compares), so that loading the guard never asks ICU for thousands of
formats.

Text and words are compared after NFKC and case folding, per combining
sequence, so that full-width, upper-case and decomposed forms of a word match
it.  Words glued together match too ("공일이공", Thai and Khmer write no
spaces), which is why the guard asks more of a number spelled in words than of
one in digits (see :mod:`leaflets.model.guard`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("number-words.json")
_DIGIT = re.compile(r"\d")          # a decimal digit of any script

# scripts whose single letters are words of their own in no spelled number worth reading: a one-letter
# "word" of these would turn letters inside ordinary words into digits
_CASED = ("LATIN", "CYRILLIC", "GREEK")


# dropped before words are compared: soft hyphen, joiners; the dot of a Turkish capital İ (which case
# folds to i and U+0307), and the dotless ı read as i, since SIFIR is sıfır upper-cased outside Turkish
_FOLD = str.maketrans({"\u00ad": None, "\u200d": None, "\u200c": None, "\u0307": None, "\u0131": "i"})


def fold(text: str) -> str:
    """``text`` as words are compared: NFKC, case folded, soft hyphens, joiners and the dots of Turkish i
    dropped."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)


def _kept(word: str) -> bool:
    if not word or any(unicodedata.category(c)[0] in "NZ" for c in word):
        return False      # digits and numerals are read as such; a word with a space is two
    if len(word) == 1 and _cased(word):
        return False
    return True


def generate() -> dict:
    """The table: the ICU version and, for each folded word, the digit it spells."""
    from babel.localedata import locale_identifiers
    from icu4py._version import icu_version
    from icu4py.locale import Locale
    from icu4py.messageformat import MessageFormat

    words: dict[str, int] = {}
    clashes: set[str] = set()
    for ident in sorted(locale_identifiers()):
        fmt = MessageFormat("{n, spellout}", Locale(ident.replace("_", "-")))
        for digit in range(10):
            word = fold(fmt.format({"n": digit}))
            if not _kept(word):
                continue
            if words.get(word, digit) != digit:
                clashes.add(word)
            words[word] = digit
    for word in clashes:            # a word two languages give different digits reads as neither
        del words[word]
    return {"icu": str(icu_version), "words": dict(sorted(words.items()))}


def write_table(path: Path = TABLE_FILE) -> Path:
    path.write_text(json.dumps(generate(), ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


# how digits are read aloud in a phone number where that is not how CLDR spells the number, in the
# languages of the people the leaflets are for: Korean 영 (beside 공), English "oh" and "nought", Chinese 幺
# (yāo, one), and the Japanese readings in kana (ゼロ, れい, まる for 0, ニー and ゴー lengthened, …)
_KANA = {0: "ぜろ れい まる", 1: "いち", 2: "に にい にー", 3: "さん", 4: "よん し", 5: "ご ごお ごー", 6: "ろく",
         7: "なな しち", 8: "はち", 9: "きゅう きゅー く"}
READ_ALOUD: dict[str, int] = {"영": 0, "oh": 0, "nought": 0, "naught": 0, "幺": 1,
                              # Mongolian, which CLDR spells no numbers for
                              "тэг": 0, "нэг": 1, "хоёр": 2, "гурав": 3, "дөрөв": 4, "тав": 5, "зургаа": 6,
                              "долоо": 7, "найм": 8, "ес": 9,
                              # Tagalog's zero as it is said, Nepali's colloquial zero
                              "sero": 0, "सुन्ना": 0,
                              # Arabic two as it is said in the accusative and in speech (CLDR: إثنان)
                              "اثنين": 2, "اتنين": 2}
for _digit, _words in _KANA.items():
    for _word in _words.split():
        READ_ALOUD[_word] = _digit
        # the same in katakana (ゼロ, ニー): the hiragana block shifted by 0x60
        READ_ALOUD["".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in _word)] = _digit


# hamza forms of alef that Arabic is often written without (إثنان, اثنان)
_BARE_ALEF = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"})


def bare(word: str) -> str:
    """``word`` as it is often typed: Latin, Cyrillic and Greek letters without their accents (dalawá as
    dalawa, một as mot), Arabic alef without its hamza."""
    out = []
    for ch in unicodedata.normalize("NFD", word.translate(_BARE_ALEF)):
        if unicodedata.category(ch)[0] == "M" and out and _cased(out[-1]):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=1)
def _table() -> dict[str, int]:
    """Every word read as a digit: ICU's (the kept table) and :data:`READ_ALOUD`, and each as it is often
    typed (:func:`bare`) where no other word is written so and no two are typed the same for two digits."""
    words = json.loads(TABLE_FILE.read_text(encoding="utf-8"))["words"]
    table = {**words, **{fold(w): d for w, d in READ_ALOUD.items()}}
    typed: dict[str, int] = {}
    clashes: set[str] = set()
    for w, d in table.items():
        b = bare(w)
        if b != w and b not in table and _kept(b):
            if typed.get(b, d) != d:
                clashes.add(b)
            typed[b] = d
    return {**table, **{b: d for b, d in typed.items() if b not in clashes}}


@lru_cache(maxsize=1)
def _trie() -> dict:
    trie: dict = {}
    for w, digit in _table().items():
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = digit
    return trie


def _words_in(flat: str) -> list[tuple[int, int, int]]:
    """The number words of ``flat`` as (start, end, digit): where words are glued together, the way of
    reading them that covers the most of the glued run ("nuleentwee" is nul een twee, not nule…)."""
    trie = _trie()
    n = len(flat)
    ends: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for i in range(n):
        node = trie
        j = i
        while j < n and flat[j] in node:
            node = node[flat[j]]
            j += 1
            if "" in node:
                ends[i].append((j, node[""]))
    reach = [0] * (n + 1)          # the most characters a glued run of words from here covers
    best: list[tuple[int, int] | None] = [None] * (n + 1)
    for i in range(n - 1, -1, -1):
        for j, digit in ends[i]:
            if j - i + reach[j] > reach[i] or (j - i + reach[j] == reach[i] and best[i] and j > best[i][0]):
                reach[i], best[i] = j - i + reach[j], (j, digit)
    out = []
    i = 0
    while i < n:
        if best[i] is None:
            i += 1
            continue
        while i < n and best[i] is not None:
            j, digit = best[i]
            out.append((i, j, digit))
            i = j
    return out


def _jamo_after(ch: str) -> bool:
    """A Hangul vowel or final jamo, which composes with the jamo before it (a decomposed syllable)."""
    cp = ord(ch)
    return 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF


def _cased(ch: str) -> bool:
    return unicodedata.name(ch, "").split(" ")[0] in _CASED


def _whole_words(flat: str, found: list) -> list:
    """The matches that are words: in a script that spaces its words (Latin, Cyrillic, Greek), a run of
    words glued together ("zeroone") must not start or end inside a longer word ("someone", "stone")."""
    kept = []
    i = 0
    while i < len(found):
        j = i
        while j + 1 < len(found) and found[j + 1][0] == found[j][1]:
            j += 1
        a, b = found[i][0], found[j][1]
        inside = (a > 0 and flat[a - 1].isalpha() and _cased(flat[a])) or \
                 (b < len(flat) and flat[b].isalpha() and _cased(flat[b - 1]))
        if not inside:
            kept += found[i:j + 1]
        i = j + 1
    return kept


def spelled(text: str, least: int = 3) -> tuple[str, list[int], set[int]] | None:
    """``text`` with every number word replaced by its digit and the spaces and punctuation between two of
    them by one space, as (the new text, for each of its characters the index in ``text`` where it starts,
    the indices in the new text of the digits that were words); None when it has no number word, or fewer
    than ``least`` and no digit to make a number with ("ศูนย์ ๑ สอง ๐ 924 839" mixes them)."""
    if _DIGIT.search(text):
        least = 1           # one word beside digits may finish a number: zero 120 924 839
    if text.isascii() and not any(c.isalpha() for c in text):
        return None
    whole = fold(text)
    if len(_whole_words(whole, _words_in(whole))) < least:
        return None                  # most texts hold too few words to look closer
    folded: list[str] = []
    starts: list[int] = []
    i, n = 0, len(text)
    while i < n:                     # fold each combining sequence (or Hangul syllable) on its own, to know
        # where each folded character came from
        j = i + 1
        while j < n and (unicodedata.category(text[j])[0] == "M" or _jamo_after(text[j])):
            j += 1
        for ch in fold(text[i:j]):
            folded.append(ch)
            starts.append(i)
        i = j
    flat = "".join(folded)
    found = _whole_words(flat, _words_in(flat))
    if len(found) < least:
        return None
    out: list[str] = []
    index: list[int] = []
    from_words: set[int] = set()
    pos = 0
    last_end = None
    for a, b, digit in found:
        gap = flat[pos:a]
        if last_end is not None and gap and all(unicodedata.category(c)[0] in "PZ" for c in gap):
            out.append(" ")
            index.append(starts[pos])
        else:
            out.extend(gap)
            index.extend(starts[pos:a])
        from_words.add(len(out))
        out.append(str(digit))
        index.append(starts[a])
        pos = last_end = b
    out.extend(flat[pos:])
    index.extend(starts[pos:])
    return "".join(out), index + [n], from_words
