"""The facts guard: no text may change or imitate the campaign's numbers and
addresses, or hide anything from the reader.

The hotline and the report address come from ``content/campaign.yaml`` only.
A translation (or any other text that is printed) is checked here, over
Unicode properties and real parsers rather than over examples:

* **numbers by value** — every decimal digit of any script (Unicode ``Nd``),
  every compatibility form (NFKC: full width, circled, mathematical) and every
  letter that Unicode's confusables data lists as a look-alike of a digit
  counts as that digit.  A phone-like run — a match of ``phonenumbers``'
  matcher (Japan, leniency POSSIBLE) or 8 or more digits joined only by
  spaces, dashes, dots or parentheses — must be one of the campaign's numbers
  written exactly in its display form;
* **invisible and control characters** — control characters, bidi
  embeddings, overrides and isolates, tag characters and other default-
  ignorable characters are refused where they can disguise text;
* **addresses** — every host-like run (with or without a scheme, any ending,
  after NFKC and with homoglyphs mapped to the letters they imitate) must be a
  campaign link written exactly as campaign.yaml writes it, and no scheme but
  https is allowed;
* **text sanity** — combining marks need a base, and a base carries only a
  few of them (no "Zalgo" text).

Every finding names the code points involved; raw control characters are
never echoed back to a terminal.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..errors import printable

# --------------------------------------------------------------------------- data

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt): characters
# that are invisible unless a font goes out of its way to draw them.
_DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]
_DI_STARTS = [a for a, _ in _DEFAULT_IGNORABLE]

BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
RTL_MARKS = frozenset((0x200E, 0x200F, 0x061C))          # LRM, RLM, ALM
JOINERS = frozenset((0x200C, 0x200D))                    # ZWNJ, ZWJ

# Characters that join the digits of a phone number.  Dashes are Unicode's Pd
# and the dash look-alikes that Japanese and mathematical text use.
_EXTRA_DASHES = frozenset("\u2212\u30FC\uFF70\u2010\u2011\u2043\uFE63\uFF0D\u2796\u23AF\u2500\u2501\u4E00")
_DOTS = frozenset(".\u00B7\u2024\u2027\u30FB\uFF65\uFF0E\u3002\uFF61\u0589\u06D4")
_PARENS = frozenset("()\uFF08\uFF09[]")
_POSTAL_MARKS = frozenset("\u3012\u3036\u3020")          # 〒 〶 〠
IDNA_DOTS = frozenset("\u3002\uFF0E\uFF61")               # dots that IDNA reads as '.'

MAX_MARKS = 4         # combining marks on one base; more is "Zalgo" text
MIN_SPACED_NUMERALS = 4   # numerals spaced apart (〇 一 二 〇) read as digits, at the least
MAX_SPLIT_GAP = 80    # characters between two stretches of digits read as one number ("0120 x 924 x 839")

# URI schemes worth naming; any "letters://" is a scheme too.
_SCHEMES = ("http", "https", "ftp", "ftps", "sftp", "file", "data", "javascript", "vbscript", "mailto", "tel",
            "sms", "smsto", "mms", "callto", "line", "intent", "blob", "about", "chrome", "ws", "wss", "smb",
            "ssh", "telnet", "git", "irc", "skype", "viber", "whatsapp", "tg", "facetime", "market", "itms",
            "geo", "maps", "news", "nntp", "gopher", "ldap", "jar", "view-source", "filesystem", "ms-settings")


_C0 = ("NULL SOH STX ETX EOT ENQ ACK BELL BACKSPACE TAB LINE-FEED VT FORM-FEED CARRIAGE-RETURN SO SI DLE DC1 "
       "DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESCAPE FS GS RS US").split()


@dataclass(frozen=True)
class Finding:
    """One reason a text is refused."""

    message: str
    hint: str


@dataclass(frozen=True)
class Number:
    """An official number of the campaign, as campaign.yaml writes it."""

    name: str          # e.g. "hotline"
    display: str
    national: int      # national significant number, as phonenumbers parses it
    country: int


def char_name(ch: str) -> str:
    """``U+043E CYRILLIC SMALL LETTER O`` — a character as a message names it."""
    name = unicodedata.name(ch, None)
    if name is None and ord(ch) < 0x20:
        name = "CONTROL CHARACTER " + _C0[ord(ch)]
    elif name is None and 0x7F <= ord(ch) <= 0x9F:
        name = "CONTROL CHARACTER" + (" DELETE" if ord(ch) == 0x7F else "")
    if name is None:
        cat = unicodedata.category(ch)
        name = {"Cc": "control character", "Cn": "unassigned code point", "Co": "private-use character",
                "Cs": "surrogate"}.get(cat, f"character of category {cat}")
    return f"U+{ord(ch):04X} {name}"


def visible(text: str, limit: int = 60) -> str:
    """``text`` safe to print: invisible, control and format characters shown
    as ⟨U+XXXX⟩, line breaks as ⏎, and cut to ``limit`` characters."""
    return printable(text[:limit]).replace("\n", "⏎") + ("…" if len(text) > limit else "")


def _is_default_ignorable(cp: int) -> bool:
    i = bisect.bisect_right(_DI_STARTS, cp) - 1
    return i >= 0 and _DEFAULT_IGNORABLE[i][0] <= cp <= _DEFAULT_IGNORABLE[i][1]


def _is_hidden(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp") or _is_default_ignorable(ord(ch))


def _confusables_path() -> str | None:
    """Where the confusables.json of confusable_homoglyphs is (``$CONFUSABLE_DATA`` when that is set, as
    the package does), found without importing the package (which also imports urllib.request, http and
    ssl); None when it is not there."""
    import importlib.util
    import os
    spec = importlib.util.find_spec("confusable_homoglyphs")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not folders:
        return None
    path = os.path.join(os.environ.get("CONFUSABLE_DATA", folders[0]), "confusables.json")
    return path if os.path.isfile(path) else None


def _confusables_raw() -> bytes | None:
    """The bytes of that confusables.json; None when it is not there or cannot be read."""
    path = _confusables_path()
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _confusables_data(raw: bytes | None) -> dict:
    """Unicode's confusables data as confusable_homoglyphs ships it: ``raw`` (the bytes of its
    confusables.json, :func:`_confusables_raw`) parsed, else what the package itself loads."""
    import json
    if raw is not None:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    import os
    try:
        from confusable_homoglyphs.confusables import confusables_data
    except (OSError, ValueError) as exc:
        from ..errors import LeafletsError
        where = os.environ.get("CONFUSABLE_DATA")
        fix = (f"CONFUSABLE_DATA is set to {where!r}, which does not hold the package's data: unset it, or point "
               "it to a folder with confusables.json and categories.json") if where else \
            "reinstall confusable-homoglyphs (pip install --force-reinstall confusable-homoglyphs)"
        raise LeafletsError(f"Unicode's confusables data could not be read ({exc})\n    hint: {fix}") from None
    return confusables_data


# The three tables as derived from one confusables.json, kept with the package with the sha256 of the data
# they were derived from: used only for exactly that data (any other is read and derived anew), they spare
# a process the 7 MB of Python objects the data makes and about 50 ms.  ``write_tables`` makes the file.
TABLES_FILE = Path(__file__).with_name("confusables-tables.json")


def _tables_from(data: dict) -> tuple[dict[str, str], dict[str, int], frozenset[str]]:
    return _build_homoglyphs(data), _build_digit_lookalikes(data), _build_dot_lookalikes(data)


def _kept_tables(digest: str, path: Path = TABLES_FILE):
    import json
    try:
        kept = json.loads(path.read_text("utf-8"))
        if not isinstance(kept, dict) or kept.get("source_sha256") != digest:
            return None
        homoglyphs, digits, dots = kept["homoglyphs"], kept["digits"], kept["dots"]
        if not (isinstance(homoglyphs, dict) and isinstance(digits, dict) and isinstance(dots, list)):
            return None
        return ({str(k): str(v) for k, v in homoglyphs.items()}, {str(k): int(v) for k, v in digits.items()},
                frozenset(map(str, dots)))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_tables(path: Path = TABLES_FILE) -> Path:
    """Derive the tables from the installed confusables data and keep them at ``path`` (the package's
    file by default), with the data's sha256."""
    import hashlib
    import json
    raw = _confusables_raw()
    if raw is None:
        raise FileNotFoundError("confusable_homoglyphs' confusables.json is not installed or cannot be read")
    homoglyphs, digits, dots = _tables_from(_confusables_data(raw))
    doc = {"source": "confusable_homoglyphs confusables.json (Unicode confusables.txt)",
           "source_sha256": hashlib.sha256(raw).hexdigest(),
           "homoglyphs": dict(sorted(homoglyphs.items())), "digits": dict(sorted(digits.items())),
           "dots": sorted(dots)}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=False) + "\n", "utf-8")
    return path


@lru_cache(maxsize=1)
def _confusable_tables() -> tuple[dict[str, str], dict[str, int], frozenset[str]]:
    """The three tables the guard derives from Unicode's confusables data, made together so that
    the data itself (7 MB as Python objects) is read once and not kept; the package's own copy of them
    when the installed data is the one they were derived from."""
    import hashlib
    raw = _confusables_raw()
    if raw is not None:
        kept = _kept_tables(hashlib.sha256(raw).hexdigest())
        if kept is not None:
            return kept
    return _tables_from(_confusables_data(raw))


def _homoglyphs() -> dict[str, str]:
    """Every single character that Unicode's confusables data lists as a look-alike of an ASCII
    letter or digit, mapped to that (lower-case) character."""
    return _confusable_tables()[0]


def _digit_lookalikes() -> dict[str, int]:
    """Letters that Unicode lists as confusable with a digit (O for 0, l for 1…)."""
    return _confusable_tables()[1]


def _dot_lookalikes() -> frozenset[str]:
    """Characters Unicode lists as confusable with a full stop (U+06F0 …)."""
    return _confusable_tables()[2]


def _build_homoglyphs(confusables_data: dict) -> dict[str, str]:
    """Every single character that Unicode's confusables data lists as a look-
    alike of an ASCII letter or digit, mapped to that (lower-case) character."""
    table: dict[str, str] = {}

    def ascii_of(s: str) -> str | None:
        s = s.strip("\u200e")
        return s.lower() if len(s) == 1 and s.isascii() and s.isalnum() else None

    for char, entries in confusables_data.items():
        char = char.strip("\u200e")
        if len(char) != 1 or char.isascii():
            continue
        targets = sorted({a for a in (ascii_of(e["c"]) for e in entries) if a})
        letters = [t for t in targets if t.isalpha()]
        if letters or targets:
            table[char] = (letters or targets)[0]
    for char, entries in confusables_data.items():
        a = ascii_of(char)
        if a is None:
            continue
        for e in entries:
            g = e["c"].strip("\u200e")
            if len(g) == 1 and not g.isascii():
                table.setdefault(g, a)
    return table


def _build_digit_lookalikes(confusables_data: dict) -> dict[str, int]:
    """Letters that Unicode lists as confusable with a digit (O for 0, l for 1…), and the letters it lists
    as confusable with such a letter (Cyrillic О and Greek Ο as O, Cyrillic І as l)."""
    out: dict[str, int] = {}
    for char, entries in confusables_data.items():
        char = char.strip("\u200e")
        if len(char) != 1 or unicodedata.category(char) == "Nd":
            continue
        for e in entries:
            g = e["c"].strip("\u200e")
            if len(g) == 1 and g in "0123456789":
                out[char] = int(g)
                out[char.lower()] = int(g)
    direct = dict(out)
    for char, entries in confusables_data.items():
        char = char.strip("\u200e")
        if len(char) != 1 or unicodedata.category(char) == "Nd" or char in out:
            continue
        for e in entries:
            g = e["c"].strip("\u200e")
            if g in direct and not g.isdigit() and unicodedata.category(char)[0] == "L":
                out[char] = direct[g]
                if char.lower() not in out and len(char.lower()) == 1:
                    out[char.lower()] = direct[g]
                break
    return out


@lru_cache(maxsize=4096)
def digit_value(ch: str) -> int | None:
    """The value of ``ch`` as a decimal digit: any script's digits, their
    compatibility forms (full width, circled, superscript), or None."""
    if unicodedata.category(ch) == "Nd":
        return unicodedata.decimal(ch)
    n = unicodedata.normalize("NFKC", ch)
    if len(n) == 1 and unicodedata.category(n) == "Nd":
        return unicodedata.decimal(n)
    return None


def _numeral_value(ch: str) -> int | None:
    """The value of a numeral that is no decimal digit (Unicode's Numeric_Value, where it is a whole number
    from 0 to 9: 〇, 一 … 九, 零, 壱, Ⅲ …), or None."""
    if ch.isascii() or unicodedata.category(ch) == "Nd":
        return None
    v = unicodedata.numeric(ch, None)
    if v is None or v != int(v) or not 0 <= v <= 9:
        return None
    return int(v)


def _is_dash(ch: str) -> bool:
    return unicodedata.category(ch) == "Pd" or ch in _EXTRA_DASHES


def _is_separator(ch: str) -> bool:
    return ch in " +" or unicodedata.category(ch) == "Zs" or _is_dash(ch) or ch in _DOTS or ch in _PARENS


def _script(ch: str) -> str:
    from fontTools import unicodedata as fu
    return fu.script(ch)


# ---------------------------------------------------------------------- the guard

class FactsGuard:
    """Checks text against the campaign's numbers and links.

    Make one per set of campaign facts (``FactsGuard.from_facts``) and call
    :meth:`check` on every text that is printed."""

    def __init__(self, numbers: Iterable[Number], links: Iterable[tuple[str, str, str]]):
        self.numbers = tuple(numbers)
        # (name, url, display) of every campaign link
        self.links = tuple(links)
        self._forms = {}
        for name, url, display in self.links:
            for form in (url, display):
                self._forms[url_key(form)] = (name, display)
        self._hosts = {_host_of(url): display for _name, url, display in self.links}
        self._split = _split_forms(self.numbers)

    @classmethod
    def from_facts(cls, facts) -> "FactsGuard":
        numbers = []
        for name, display in facts.numbers().items():
            parsed = parse_phone(display)
            if parsed is not None:
                numbers.append(Number(name, display, parsed.national_number, parsed.country_code))
        links = [(name, link.url, link.display) for name, link in facts.links.items()]
        return cls(numbers, links)

    # ------------------------------------------------------------------ api
    def check(self, text: str, rtl: bool = False, printed: bool = True) -> list[Finding]:
        """Every reason ``text`` may not be used.  ``printed`` texts get every
        check; others (notes, the English a string came from) only those for
        hidden and control characters."""
        findings: list[Finding] = []
        findings += _hidden_characters(text, rtl)
        if printed:
            findings += _marks(text)
            findings += self._phone_numbers(text)
            findings += self._addresses(text)
        return _unique(findings)

    # -------------------------------------------------------------- numbers
    def _phone_numbers(self, text: str) -> list[Finding]:
        out: list[Finding] = []
        seen: list[tuple[int, int]] = []
        runs = _digit_runs(text, [n.display for n in self.numbers])
        split = _outside_runs(self._split_numbers(text), runs)
        for start, end, digits, hidden in runs:
            seen.append((start, end))
            if not hidden and any(a <= start and end <= b for a, b, _n, _near in split):
                continue            # a part of the campaign's number parted by words: said so below
            raw = text[start:end]
            official = self._official(digits)
            if hidden:
                names = ", ".join(char_name(c) for c in dict.fromkeys(hidden))
                out.append(Finding(f"the number '{visible(raw)}' has invisible characters inside it: {names}",
                                   "delete them; " + self._number_hint(official)))
                continue
            if official is not None:
                if raw != official.display:
                    out.append(Finding(
                        f"'{visible(raw)}' is the campaign's {official.name} number written another way",
                        f"write it exactly as {official.display}, in ASCII digits, or leave it out: the "
                        f"design prints it from content/campaign.yaml"))
                continue
            near = self._near(digits)
            if near is not None:
                out.append(Finding(f"'{visible(raw)}' looks like the campaign's {near.name} number "
                                   f"{near.display}, but it is not one of the campaign's numbers",
                                   f"write it exactly as {near.display}, or leave it out: the design prints it "
                                   f"from content/campaign.yaml"))
                continue
            out.append(Finding(f"the phone number '{visible(raw)}' is not one of the campaign's numbers",
                               self._number_hint(None)))
        spans = list(seen)
        for a, b, number, near in split:
            if not any(a < e and s < b and not (a <= s and e <= b) for s, e in spans):
                out.append(self._split_finding(text[a:b], number, "with other characters between its digits", near))
            seen.append((a, b))
        return out + self._spelled_numbers(text, seen)

    def _split_finding(self, raw: str, number: Number, how: str, near: bool = False) -> Finding:
        if near:
            return Finding(f"'{visible(raw)}' looks like the campaign's {number.name} number {number.display} "
                           f"{how}, a digit off it", f"leave it out: the design prints {number.display} from "
                           "content/campaign.yaml")
        return Finding(f"'{visible(raw)}' is the campaign's {number.name} number {how}",
                       f"leave it out: the design prints {number.display} from content/campaign.yaml")

    def _split_numbers(self, text: str) -> list[tuple[int, int, Number, bool]]:
        """(start, end, number, near) where the digits of two or more stretches in ``text``, read one after
        the other across whatever stands between them (words, letters, marks, a line break), are one of the
        campaign's numbers (``near``: with one digit changed): "0120 x 924 x 839", "dial 0120, then 924839
        (24h)".  The stretches are at most :data:`MAX_SPLIT_GAP` characters apart; the number exactly as
        campaign.yaml writes it is left out."""
        forms = self._split
        longest = max(map(len, forms), default=0)
        found: list[tuple[int, int, Number, bool]] = []
        # read with and without the look-alike letters: an I between digits may stand for 1 or part them
        looks, plain = _digit_groups(text), _digit_groups(text, lookalikes=False)
        for groups in ((looks,) if looks == plain else (looks, plain)):
            self._split_in(text, groups, forms, longest, found)
        return sorted(found, key=lambda f: f[0])

    @staticmethod
    def _split_in(text: str, groups: list, forms: dict, longest: int, found: list) -> None:
        for i in range(len(groups) - 1):
            digits = groups[i][2]
            for j in range(i + 1, len(groups)):
                if groups[j][0] - groups[j - 1][1] > MAX_SPLIT_GAP:
                    break
                digits += groups[j][2]
                if len(digits) > longest + 1:
                    break
                d = digits.lstrip("+")
                number, near = forms.get(d), False
                if number is None and len(d) >= 9:
                    # one digit changed: a reader takes it for the same number
                    number = next((n for f, n in forms.items()
                                   if len(f) == len(d) and sum(x != y for x, y in zip(d, f)) == 1), None)
                    near = number is not None
                if number is not None:
                    a, b = groups[i][0], groups[j][1]
                    if text[a:b] != number.display and not any(a < e and s < b for s, e, _n, _x in found):
                        found.append((a, b, number, near))
                    break

    def _spelled_numbers(self, text: str, seen: list[tuple[int, int]] = ()) -> list[Finding]:
        """Numbers written in words, alone or mixed with digits ("zero one two zero 924 839", "공일이공"):
        read as the digits they spell.  Words glue together in scripts without spaces, so a run in words
        is refused only when it is one of the campaign's numbers or a valid phone number, not for its
        length alone."""
        from . import numberwords
        found = numberwords.spelled(text)
        if found is None:
            return []
        mapped, index, from_words = found
        out: list[Finding] = []
        runs = _digit_runs(mapped, [n.display for n in self.numbers])
        for start, end, number, near in _outside_runs(self._split_numbers(mapped), runs):
            if any(k in from_words for k in range(start, end)):
                a, b = index[start], index[end]
                if not any(a < e and s < b for s, e in seen):
                    out.append(self._split_finding(text[a:b], number, "in words, with other words between them",
                                                   near))
                    seen = [*seen, (a, b)]
        for start, end, digits, _hidden in runs:
            if not any(k in from_words for k in range(start, end)):
                continue            # digits only: the check above has judged them
            a, b = index[start], index[end]
            if any(a < e and s < b for s, e in seen):
                continue            # the same number, judged in digits above
            raw = text[a:b]
            official = self._official(digits)
            if official is not None:
                out.append(Finding(
                    f"'{visible(raw)}' spells the campaign's {official.name} number in words",
                    f"leave it out: the design prints {official.display} from content/campaign.yaml"))
            elif _valid_phone(digits):
                out.append(Finding(f"'{visible(raw)}' spells a phone number in words, which is not one of "
                                   f"the campaign's numbers", self._number_hint(None)))
        return out

    def _near(self, digits: str) -> Number | None:
        """The official number ``digits`` are one digit off (see :func:`_near_official`), or None."""
        for n in self.numbers:
            if _near_official(digits, _official_forms((n.display,))):
                return n
        return None

    def _official(self, digits: str) -> Number | None:
        parsed = parse_phone(digits)
        for n in self.numbers:
            if parsed is not None and parsed.national_number == n.national and \
                    parsed.country_code == n.country:
                return n
            if digits.lstrip("+").lstrip("0") == str(n.national):
                return n
        return None

    def _number_hint(self, official: Number | None) -> str:
        if official is not None:
            return f"write it exactly as {official.display}"
        forms = ", ".join(f"{n.display} ({n.name})" for n in self.numbers)
        return ("do not write phone numbers in translations: the design prints the campaign's numbers "
                f"({forms}) from content/campaign.yaml")

    # ------------------------------------------------------------ addresses
    def _addresses(self, text: str) -> list[Finding]:
        out: list[Finding] = []
        skel, index = _skeleton(text)
        for m in _SCHEME_RE.finditer(skel):
            scheme = m.group(1)
            if scheme in _SCHEMES or m.group(2):
                raw = text[index[m.start()]:index[m.end() - 1] + 1]
                if scheme != "https":
                    out.append(Finding(f"the address scheme '{visible(raw)}' is not allowed",
                                       "only the campaign's https addresses may appear, and the design prints "
                                       "them from content/campaign.yaml"))
        for m in _HOST_RE.finditer(skel):
            host = m.group("host")
            labels = host.split(".")
            tld = labels[-1]
            if len(labels) < 2 or len(tld) < 2 or not (tld.isalpha() or tld.startswith("xn--")):
                continue
            s, e = m.start(), m.end()
            while e > s and skel[e - 1] in ".,;:!?)]}'\"":
                e -= 1
            raw = text[index[s]:index[e - 1] + 1]
            found = skel[s:e]
            hidden = [c for c in raw if _is_hidden(c)]
            lookalikes = [c for c in raw if not c.isascii() and not _is_hidden(c)]
            campaign = self._forms.get(url_key(found))
            if campaign is not None and raw.strip() in (f for _n, u, d in self.links for f in (u, d)) \
                    and not hidden:
                continue
            similar = campaign[1] if campaign else self._similar(host)
            detail = ""
            if hidden:
                detail += "; invisible: " + ", ".join(char_name(c) for c in dict.fromkeys(hidden))
            if lookalikes:
                detail += "; look-alike characters: " + ", ".join(char_name(c) for c in dict.fromkeys(lookalikes))
            if similar:
                out.append(Finding(f"the address '{visible(raw)}' imitates the campaign's {similar}{detail}",
                                   f"write {similar} exactly, in ASCII, or leave it out: the design prints the "
                                   "campaign's addresses from content/campaign.yaml"))
            else:
                out.append(Finding(f"the address '{visible(raw)}' is not one of the campaign's links{detail}",
                                   "do not write web or e-mail addresses in translations; the campaign's links "
                                   f"are {', '.join(d for _n, _u, d in self.links)}"))
        return out

    def _similar(self, host: str) -> str | None:
        key = _confusable_key(host)
        for h, display in self._hosts.items():
            hk = _confusable_key(h)
            core, hcore = _core(key), _core(hk)
            if key == hk or (hcore and hcore == core):
                return display
        return None


# ------------------------------------------------------------------ the checks

def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _hidden_characters(text: str, rtl: bool) -> list[Finding]:
    # every character flagged below is one str.isprintable() refuses (Unicode's Other and Separator
    # categories) or a tag or variation selector from U+E0000 on: text with neither has nothing to flag
    if not text or (text.replace("\n", " ").isprintable() and max(text) < "\U000E0000"):
        return []
    out: list[Finding] = []
    for i, ch in enumerate(text):
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if ch == "\n":
            continue
        if cat == "Cc":
            out.append(Finding(f"the control character {char_name(ch)} is not allowed",
                               "delete it; only plain line breaks may be used"))
        elif cp in BIDI_CONTROLS:
            out.append(Finding(f"the bidi control {char_name(ch)} is not allowed: it can make text display "
                               "in another order than it is stored",
                               "delete it; the layout orders right-to-left text and numbers itself"))
        elif cat in ("Zl", "Zp"):
            out.append(Finding(f"{char_name(ch)} is not allowed", "use a plain line break"))
        elif cat == "Cn":
            out.append(Finding(f"{char_name(ch)} is not a character", "delete it"))
        elif cat == "Co":
            out.append(Finding(f"the private-use character {char_name(ch)} means nothing to readers or fonts",
                               "use the intended Unicode character"))
        elif 0xE0000 <= cp <= 0xE0FFF or 0xFFF9 <= cp <= 0xFFFB:
            out.append(Finding(f"the invisible character {char_name(ch)} is not allowed", "delete it"))
        elif cp in RTL_MARKS:
            if not rtl:
                out.append(Finding(f"the direction mark {char_name(ch)} is only allowed in right-to-left "
                                   "languages", "delete it"))
        elif cp in JOINERS:
            if not _joins_one_script(text, i):
                out.append(Finding(f"{char_name(ch)} stands between characters it cannot join",
                                   "a zero-width joiner or non-joiner belongs between two letters or marks of "
                                   "one script; delete it"))
    return out


def _joins_one_script(text: str, i: int) -> bool:
    if i == 0 or i == len(text) - 1:
        return False
    before, after = text[i - 1], text[i + 1]
    if unicodedata.category(before)[0] not in "LM" or unicodedata.category(after)[0] not in "LM":
        return False
    j = i - 1
    while j > 0 and unicodedata.category(text[j])[0] == "M" and _script(text[j]) in ("Zinh", "Zyyy"):
        j -= 1
    sa, sb = _script(text[j]), _script(after)
    return sa == sb or sb in ("Zinh", "Zyyy")


def _marks(text: str) -> list[Finding]:
    out: list[Finding] = []
    base: str | None = None      # the character the current marks sit on
    stacked = 0                  # non-spacing marks on it so far
    prev = ""
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] != "M":
            base, stacked, prev = ch, 0, ""
            continue
        bcat = unicodedata.category(base) if base is not None else "Zs"
        if bcat in ("Cc", "Zs", "Zl", "Zp") or (bcat == "Cf" and ord(base) not in JOINERS):
            out.append(Finding(f"the combining mark {char_name(ch)} has no letter to sit on",
                               "type the letter first, then the mark, or delete the mark"))
        if cat != "Mc":
            stacked += 1
            if ch == prev:
                out.append(Finding(f"the mark {char_name(ch)} is typed twice on one letter",
                                   "delete the second one"))
            if stacked == MAX_MARKS + 1:
                out.append(Finding(f"more than {MAX_MARKS} combining marks are stacked on the letter "
                                   f"{char_name(base) if base else '(none)'}", "delete the extra marks"))
        prev = ch
    return out


def _digit_runs(text: str, exact: Iterable[str] = ()):
    """Phone-like runs: (start, end, digits, hidden characters inside) of
    ``text``, with every digit of any script read by its value.

    An ``exact`` form (an official number's display form) that stands on its
    own — no digit, dash or dot right before or after it — is not part of a
    longer run: "0120-924-839 (24 hours)" holds the hotline, and 24."""
    n = len(text)
    values: list[int | None] = [digit_value(c) for c in text]
    numerals = [_numeral_value(c) if v is None else None for c, v in zip(text, values)]
    if all(v is None for v in values) and all(v is None for v in numerals):
        return []
    forms = _official_forms(tuple(exact))
    stops = set()
    for form in exact:
        for m in re.finditer(re.escape(form), text):
            a, b = m.start(), m.end()
            if all(not (0 <= k < n) or (values[k] is None and not _is_dash(text[k]) and text[k] not in _DOTS
                                        and not _is_hidden(text[k]))
                   for k in (a - 1, b)):
                stops.update(range(a, b))
    _promote(text, values, numerals)
    if not any(v is not None for v in values):
        return []
    runs = []
    i = 0
    while i < n:
        if i in stops:          # an official number, exactly as campaign.yaml writes it
            i += 1
            continue
        if values[i] is None:
            i += 1
            continue
        start = i
        digits: list[str] = []
        hidden: list[str] = []
        end = i
        j = i
        pending_hidden: list[str] = []    # hidden characters after the last digit so far
        odd: list[int] = []               # where other punctuation or symbols join digits: 0120/924/839
        while j < n:
            ch = text[j]
            v = values[j]
            if j in stops:
                break
            if v is not None:
                digits.append(str(v))
                hidden += pending_hidden
                pending_hidden = []
                end = j + 1
            elif _is_line_break(ch):
                break             # a number does not go on past the end of its line
            elif _is_hidden(ch) or unicodedata.category(ch) in ("Mn", "Me"):
                pending_hidden.append(ch)
            elif _is_separator(ch) and ch != "+":
                pass
            elif ch not in "+＋" and unicodedata.category(ch)[0] in "PS":
                odd.append(j)
            else:
                break
            j += 1
        i = max(j, start + 1)
        if start > 0 and text[start - 1] in "+＋":
            start -= 1
            digits.insert(0, "+")
        if _is_postal(text, start, digits) or _is_date(text[start:end], digits):
            continue
        count = sum(1 for d in digits if d != "+")
        odd = [k for k in odd if k < end]
        if odd:
            # digits parted by a slash, a colon, a comma, an underscore …: hours (10:00–18:00), ratios and
            # such are no phone numbers, so such a run counts as one only when it is a valid number (the
            # campaign's among them); else each part between those marks is judged as any run
            joined = "".join(digits)
            # as a phone number is written: from its trunk prefix 0 or a '+' (312, 456, 789 is a list)
            if count >= 5 and (_near_official(joined, forms) or (joined[0] in "0+" and _valid_phone(joined))):
                runs.append((start, end, "".join(digits), hidden))
            else:
                for a, b in zip([start] + [k + 1 for k in odd], odd + [end]):
                    runs += [(a + s0, a + e0, d, h) for s0, e0, d, h in _digit_runs(text[a:b], exact)]
        elif count >= 5 and (_near_official("".join(digits), forms) or
                             (digits[0] in "0+" and _valid_phone("".join(digits))) or
                             _phonenumbers_match(text[start:end], values[start:end])):
            runs.append((start, end, "".join(digits), hidden))
    return runs


def _promote(text: str, values: list, numerals: list, lookalikes: bool = True) -> None:
    """Give ``values`` (each character's digit value, or None) the numerals and (with ``lookalikes``) the
    look-alike letters that stand for digits where they stand (see :func:`_digit_runs`)."""
    n = len(text)
    # numerals that are no decimal digits but have a digit's value (Unicode's Numeric_Value 0 to 9: the
    # ideographic 〇 and 一 … 九, 零, 壱 弐 参, Roman and Hangzhou numerals …) count as digits where two or
    # more stand together (〇一二〇・九二四・八三九 is the hotline), or one against a digit; 一 alone
    # between digits stays a dash
    for i, j in _stretches(numerals):
        if j - i >= 2:
            values[i:j] = numerals[i:j]
        elif not _is_dash(text[i]) and ((i > 0 and values[i - 1] is not None) or
                                        (i + 1 < n and values[i + 1] is not None)):
            values[i] = numerals[i]      # one numeral against a digit: 0120-九24-839 (一 there is a dash)
    # numerals spaced out (〇 一 二 〇 九 …, 〇、一、二、…): MIN_SPACED_NUMERALS or more, each one separator from
    # the next, count as digits too
    group: list[int] = []
    for i in range(n + 1):
        if i < n and numerals[i] is not None:
            if group and i - group[-1] > 2:
                group = []
            if group and i - group[-1] == 2 and not _spacer(text[i - 1]):
                group = []
            group.append(i)
            continue
        if i < n and _spacer(text[i]) and group and i - group[-1] == 1:
            continue
        if len(group) >= MIN_SPACED_NUMERALS:
            for k in group:
                values[k] = numerals[k]
        group = []
    if not lookalikes or not any(v is not None for v in values):
        return
    lookalikes = _digit_lookalikes()
    # a look-alike letter (or its compatibility form: the full-width Ｏ) counts as a digit where it stands
    # among digits, not inside a word: O12O-924-839
    like = [None if v is not None else lookalikes[c] if c in lookalikes else
            lookalikes.get(unicodedata.normalize("NFKC", c)) if unicodedata.category(c)[0] == "L" else None
            for c, v in zip(text, values)]
    for i, ch in enumerate(text):
        if values[i] is None and like[i] is not None:
            j, k = i, i
            while j > 0 and (like[j - 1] is not None or values[j - 1] is not None):
                j -= 1
            while k < n - 1 and (like[k + 1] is not None or values[k + 1] is not None):
                k += 1
            word = range(j, k + 1)
            real = sum(1 for w in word if values[w] is not None)
            alone = (j == 0 or not text[j - 1].isalpha()) and (k == n - 1 or not text[k + 1].isalpha())
            if alone and real and (real * 2 >= len(word) - real or _beside_digits(text, values, j, k)):
                values[i] = like[i]


def _digit_groups(text: str, lookalikes: bool = True) -> list[tuple[int, int, str]]:
    """Every stretch of digits in ``text``, however short, as (start, end, digits): digits of any script
    side by side (and the numerals and look-alikes that stand for them, see :func:`_promote`); whatever
    else stands between two digits parts them."""
    values: list[int | None] = [digit_value(c) for c in text]
    numerals = [_numeral_value(c) if v is None else None for c, v in zip(text, values)]
    if all(v is None for v in values) and all(v is None for v in numerals):
        return []
    _promote(text, values, numerals, lookalikes)
    return [(i - 1 if i and text[i - 1] in "+＋" else i, j, "".join(str(v) for v in values[i:j]))
            for i, j in _stretches(values)]


def _stretches(values: list) -> Iterable[tuple[int, int]]:
    """(start, end) of each stretch of ``values`` that are not None, in order."""
    i, n = 0, len(values)
    while i < n:
        if values[i] is None:
            i += 1
            continue
        j = i
        while j < n and values[j] is not None:
            j += 1
        yield i, j
        i = j


def _split_forms(numbers: Iterable[Number]) -> dict[str, Number]:
    """The digits an official number is dialled or written with: its national significant number alone,
    after the trunk prefix 0, and after its country code."""
    forms: dict[str, Number] = {}
    for n in numbers:
        nsn, cc = str(n.national), str(n.country)
        for form in (nsn, "0" + nsn, cc + nsn, cc + "0" + nsn):
            forms.setdefault(form, n)
    return forms


def _spacer(ch: str) -> bool:
    """A character that spaces out numerals: a space, a dot, a comma or 、."""
    return unicodedata.category(ch) == "Zs" or ch in _DOTS or ch in ",，、"


def _is_line_break(ch: str) -> bool:
    return ch in "\n\r\v\f\x85" or unicodedata.category(ch) in ("Zl", "Zp")


def _beside_digits(text: str, values: list, j: int, k: int, least: int = 3) -> bool:
    """Whether text[j:k + 1] stands one separator (a dash, dot or space) away from ``least`` or more digits:
    a part of a number, as ОІ2О in ОІ2О-924-839."""
    n = len(text)
    after = range(k + 2, k + 2 + least)
    before = range(j - 1 - least, j - 1)
    return (k + 1 + least < n and _is_separator(text[k + 1]) and all(values[m] is not None for m in after)) or \
        (j - 1 - least >= 0 and _is_separator(text[j - 1]) and all(values[m] is not None for m in before))


def _is_postal(text: str, start: int, digits: list[str]) -> bool:
    k = start - 1
    while k >= 0 and text[k] in " \u3000":
        k -= 1
    return k >= 0 and text[k] in _POSTAL_MARKS and len([d for d in digits if d != "+"]) == 7


def _is_date(raw: str, digits: list[str]) -> bool:
    m = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", "".join(
        str(digit_value(c)) if digit_value(c) is not None else "-" for c in raw))
    if not m:
        return False
    y, mo, d = (int(x) for x in m.groups())
    return 1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31


def _phonenumbers_match(raw: str, values: list) -> bool:
    """Whether phonenumbers finds a valid number in the run ``raw`` written in ASCII, each character that
    stands for a digit (``values``: any script's digits, numerals, look-alikes) as that digit and the
    separators kept."""
    from phonenumbers import Leniency, PhoneNumberMatcher
    ascii_run = "".join(str(v) if v is not None else ("-" if _is_dash(c) else (c if c in " ()+." else " "))
                        for c, v in zip(raw, values))
    return any(True for _m in PhoneNumberMatcher(ascii_run, "JP", leniency=Leniency.VALID))


def _outside_runs(split: list[tuple], runs: list[tuple]) -> list[tuple]:
    """The stretches of ``split`` that no one run of ``runs`` holds whole (a run is judged as a number)."""
    return [f for f in split if not any(s <= f[0] and f[1] <= e for s, e, _d, _h in runs)]


@lru_cache(maxsize=64)
def _official_forms(displays: tuple[str, ...]) -> frozenset[str]:
    """The digits of each official number's display form as it is dialled: as written, its national
    significant number alone and after the trunk prefix 0, and after its country code."""
    out = set()
    for display in displays:
        d = "".join(str(digit_value(c)) for c in display if digit_value(c) is not None)
        if not d:
            continue
        out.add(d)
        parsed = parse_phone(display)
        if parsed is not None:
            nsn, cc = str(parsed.national_number), str(parsed.country_code)
            out |= {nsn, "0" + nsn, cc + nsn}
    return frozenset(out)


def _edits_within(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` becomes ``b`` in at most ``limit`` insertions, deletions or substitutions."""
    if abs(len(a) - len(b)) > limit:
        return False
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:
            return False
    return row[-1] <= limit


def _near_official(digits: str, forms: frozenset[str]) -> bool:
    """Whether ``digits`` are an official number's (of nine digits or more), or one digit off one (a digit
    more, less or changed): a number a reader would take for it."""
    d = digits.lstrip("+")
    return any(_edits_within(d, f, 1) for f in forms if len(f) >= 9)


def _valid_phone(digits: str) -> bool:
    import phonenumbers
    parsed = parse_phone(digits)
    return parsed is not None and phonenumbers.is_valid_number(parsed)


def parse_phone(text: str):
    """``text`` parsed as a phone number (Japan unless it says +CC), or None."""
    import phonenumbers
    digits = "".join(str(digit_value(c)) if digit_value(c) is not None else ("+" if c in "+＋" else "")
                     for c in text)
    try:
        return phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        return None


# ------------------------------------------------------------------ addresses

_SCHEME_RE = re.compile(r"(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}):(//)?(?=[^\s])")
# the user name before '@' is bounded (an e-mail's local part has at most 64 characters): unbounded, the search
# for an '@' ran to the end of the text from every position, quadratic in a long string without spaces
_HOST_RE = re.compile(r"(?:(?<=[^a-z0-9-])|^)(?:[a-z][a-z0-9+.-]{0,30}://)?(?:[^\s/@:]{0,64}@)?"
                      r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z0-9])"
                      r"(?::\d+)?(?:[/?#][^\s]*)?")


def _skeleton(text: str) -> tuple[str, list[int]]:
    """``text`` as the letters it looks like: NFKC, lower case, homoglyphs
    mapped to the ASCII letters they imitate, invisible characters between
    letters dropped.  Returns the skeleton and, for each of its characters,
    the index of the character of ``text`` it comes from."""
    if text.isascii():            # ASCII stays itself, in lower case
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch.lower() if ch.isalpha() else ch)
            index.append(i)
            continue
        for c in _skeleton_char(ch):
            out.append(c)
            index.append(i)
    s = "".join(out)
    if "." not in s:
        return s, index
    # an IDNA dot between two non-address characters is a sentence's full stop
    chars = list(s)
    for k, c in enumerate(chars):
        if c == "." and not text[index[k]].isascii() and unicodedata.normalize("NFKC", text[index[k]]) != ".":
            before = chars[k - 1] if k else " "
            after = chars[k + 1] if k + 1 < len(chars) else " "
            if not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()):
                chars[k] = "\u3002"
    return "".join(chars), index


@lru_cache(maxsize=8192)
def _skeleton_char(ch: str) -> str:
    """What one non-ASCII character looks like in an address ("" if invisible)."""
    if _is_hidden(ch) and not ch.isspace():
        return ""                          # invisible: the letters around it join
    if ch in IDNA_DOTS or ch in _dot_lookalikes():
        return "."
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if not c.isascii():
            mapped = _homoglyphs().get(c) or _homoglyphs().get(c.lower())
            if mapped is None:
                d = digit_value(c)
                mapped = str(d) if d is not None else c
            c = mapped
        out.append(c.lower())
    return "".join(out)


def _build_dot_lookalikes(confusables_data: dict) -> frozenset[str]:
    """Characters Unicode lists as confusable with a full stop (U+06F0 …)."""
    out = set()
    for char, entries in confusables_data.items():
        if char == ".":
            out.update(e["c"].strip("\u200e") for e in entries)
        elif any(e["c"] == "." for e in entries):
            out.add(char.strip("\u200e"))
    return frozenset(c for c in out if len(c) == 1 and c != ".")


def url_key(form: str) -> str:
    """A link as compared: NFKC, lower case, without scheme, www. or a final slash."""
    s = unicodedata.normalize("NFKC", form).strip().lower()
    for prefix in ("https://", "http://"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    if s.startswith("www."):
        s = s[4:]
    return s.rstrip("/")


def _host_of(url: str) -> str:
    s = url_key(url)
    return s.split("/")[0]


def _confusable_key(host: str) -> str:
    """A host reduced so that look-alikes compare equal: rn/m, 0/o, 1/l/i, vv/w."""
    s = host.lower()
    if s.startswith("www."):
        s = s[4:]
    for a, b in (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("i", "l"), ("5", "s"),
                 ("_", "-")):
        s = s.replace(a, b)
    return s


def _core(host: str) -> str:
    """A host without its ending: tokumei24.jp -> tokumei24 (so tokumei24.info compares equal)."""
    parts = host.split(".")
    return parts[0] if len(parts) > 1 else ""


def check_ascii_fact(text: str) -> list[Finding]:
    """A fact in campaign.yaml (a number's display form, a link) must be plain
    ASCII with no hidden characters: what readers see is what they dial."""
    out = _hidden_characters(text, rtl=False)
    odd = [c for c in text if not c.isascii() or (unicodedata.category(c)[0] == "C")]
    if odd:
        out.append(Finding("it contains characters other than ASCII: " +
                           ", ".join(char_name(c) for c in dict.fromkeys(odd)),
                           "write it in ASCII digits and letters"))
    return _unique(out)
