"""Batch specs: an organisation's local contact block and what to build with it.

A batch spec (YAML, read with the project's safe reader) names an
organisation — its name, local phone numbers, website, e-mail, LINE ID,
address and postal code, opening hours, the languages spoken at its office and
an optional logo — and which languages, formats (designs) and editions to build
with its contact block in the design's local-contact slot, how many copies of
each, and optionally a distribution tag for the QR code.

Everything else on a leaflet is the official design and the campaign facts of
``content/campaign.yaml``: a spec cannot set the hotline, the report or info
address, the agencies or any other campaign fact, under any name.  Each field
is checked by its type with real parsers (``phonenumbers`` for numbers,
``urllib.parse`` and IDNA for addresses); free text gets the facts guard that
translations get.  Every problem is a diagnostic with the spec's file, line and
a fix, and :func:`load_spec` raises :class:`~leaflets.errors.ContentError`
with all of them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ..errors import ContentError, Diagnostic, Diagnostics
from ..model import guard as _guard
from ..model import yamlsrc as _yamlsrc
from ..model.guard import FactsGuard, digit_value, parse_phone, visible
from ..model.tags import TagError, canonical, resolve_tag, tag_problem
from ..model.yamlsrc import YamlError, load_yaml
from .logo import Logo, load_logo

BATCH_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MAX_COPIES = 100_000
MAX_TEXT = 300              # characters of one free-text value (a name, an address)
MAX_PHONES = 6
MAX_TAG = 64                # characters of a distribution tag, before its pattern is tried
DEFAULT_EDITIONS = ("print",)
_DEFAULT = "default"        # the key of the text for every language in a per-language mapping

TOP_KEYS = {"id", "organisation", "languages", "formats", "editions", "copies", "qr_tag"}
ORG_KEYS = {"name", "phones", "website", "email", "line_id", "address", "postal_code", "hours",
            "languages_spoken", "logo"}
PHONE_KEYS = {"number", "label"}
COPIES_KEYS = {"default", "formats", "languages"}

# Names a user might give a campaign fact.  A key is compared by its words
# (NFKC, case folded, split at anything but letters and digits, and at
# camelCase), so hotline, Hotline-Number, free_call and qrURL are all caught.
_FACT_WORDS = {"hotline", "hotlines", "agency", "agencies", "campaign", "facts", "fact", "tokumei24",
               "freecall", "freedial", "tollfree"}
_FACT_PAIRS = {("free", "call"), ("free", "dial"), ("toll", "free"), ("free", "phone"), ("report", "url"),
               ("report", "link"), ("info", "url"), ("info", "link"), ("qr", "url"), ("qr", "link"),
               ("qr", "target"), ("qr", "code"), ("qr", "data"), ("national", "number"), ("official", "number")}
_FACT_EXACT = {"qr", "qrcode", "qrurl", "report", "reporturl", "info", "infourl", "links", "link", "numbers",
               "dial", "display", "title", "author", "subject", "edition", "police", "emergency", "national"}
_ALIASES = {"designs": "formats", "design": "formats", "format": "formats", "language": "languages",
            "edition": "editions", "organization": "organisation", "org": "organisation",
            "phone": "phones", "tel": "phones", "telephone": "phones", "url": "website", "web": "website",
            "site": "website", "homepage": "website", "mail": "email", "e-mail": "email", "line": "line_id",
            "postcode": "postal_code", "zip": "postal_code", "zipcode": "postal_code",
            "opening_hours": "hours", "spoken": "languages_spoken", "spoken_languages": "languages_spoken",
            "tag": "qr_tag", "distribution_tag": "qr_tag"}
_FACTS_HINT = ("the hotline, the report and info addresses and the agencies come from content/campaign.yaml and "
               "cannot be changed by a batch: remove it; the organisation's own numbers go under "
               "organisation.phones, its site under organisation.website")


# ---------------------------------------------------------------------- the model

@dataclass(frozen=True)
class Phone:
    number: str            # as printed: NATIONAL format for Japanese numbers, INTERNATIONAL otherwise
    e164: str              # for tel: links
    label: str | None      # an optional free-text label ("Shelter"), guarded, or None


@dataclass(frozen=True)
class Organisation:
    name: Mapping[str, str]           # language tag -> name; "" = the default for every language
    phones: tuple[Phone, ...]
    website: str | None               # https URL, normalised (A-label host, no default port)
    website_display: str | None       # as printed (no scheme)
    email: str | None
    line_id: str | None
    address: Mapping[str, str]        # lang -> address; "" default (may be empty)
    postal_code: str | None           # as printed: 〒123-4567
    hours: Mapping[str, str]          # lang -> opening hours; "" default
    languages_spoken: tuple[str, ...] # BCP 47 tags
    logo: Logo | None
    # where each field is written in the spec: "organisation.phones.1" -> its line (only where the spec is;
    # what a field says is in the fields above)
    lines: Mapping[str, int] = field(default_factory=dict)

    def name_for(self, lang: str) -> str:
        return _for(self.name, lang)

    def line(self, spec_field: str, *more) -> int | None:
        """The line of ``spec_field`` (organisation.<key>) in the spec, of its part ``more`` (a language
        tag, a phone's index) where that has one; None when the spec does not say."""
        path = ".".join([spec_field, *map(str, more)])
        while "." in path:          # the field or a part of it, never the organisation as a whole
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return None

    def address_for(self, lang: str) -> str:
        return _for(self.address, lang)

    def hours_for(self, lang: str) -> str:
        return _for(self.hours, lang)


def _for(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("", "")


@dataclass(frozen=True)
class BatchSpec:
    id: str                      # safe as a folder name: [a-z0-9][a-z0-9-]{0,62}
    source: Path
    organisation: Organisation
    languages: tuple[str, ...]   # the project's language tags
    designs: tuple[str, ...]     # the project's design ids (the spec's "formats")
    editions: tuple[str, ...]    # a subset of leaflets.build.EDITIONS
    qr_tag: str | None           # the distribution tag's value, checked against campaign.yaml's qr_tag
    copies_default: int = 1
    copies_by_design: Mapping[str, int] = field(default_factory=dict)
    copies_by_language: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()

    def copies(self, design: str, lang: str) -> int:
        """Copies to print of ``design`` in ``lang``: the language's count if
        the spec gives one, else the format's, else the default."""
        if lang in self.copies_by_language:
            return self.copies_by_language[lang]
        if design in self.copies_by_design:
            return self.copies_by_design[design]
        return self.copies_default


# ---------------------------------------------------------------------- helpers

def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _words(key: str) -> list[str]:
    s = unicodedata.normalize("NFKC", key)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", s)
    return [w for w in re.split(r"[^0-9a-z]+", s.casefold()) if w]


def fact_key(key: str, facts=None) -> bool:
    """Whether ``key`` names a campaign fact (hotline, report URL, agencies…)."""
    words = _words(str(key))
    joined = "".join(words)
    exact = set(_FACT_EXACT)
    if facts is not None:
        exact |= {n.replace("_", "") for n in facts.links} | {n.replace("_", "") for n in facts.other_numbers}
    if joined in exact or any(w in _FACT_WORDS for w in words) or joined in _FACT_WORDS:
        return True
    if any(pair in _FACT_PAIRS for pair in zip(words, words[1:])):
        return True
    if words and words[0] in ("qr", "qrcode") and joined != "qrtag":
        return True
    return False


class _Reader:
    """Type checks on the spec that report into one Diagnostics."""

    def __init__(self, src, diags: Diagnostics, facts, scalars: Mapping[tuple, tuple[str, str | None]] | None = None):
        self.src = src
        self.diags = diags
        self.facts = facts
        # path -> (the scalar's text as written, its style: None when plain); see scalar_sources()
        self.scalars = scalars or {}

    def line(self, path: tuple) -> int | None:
        return self.src.line(*path)

    def error(self, path: tuple, message: str, hint: str | None = None) -> None:
        self.diags.error(message, self.src.path, self.line(path), hint, code="batch")

    def keys(self, value: dict, path: tuple, allowed: set[str], what: str) -> None:
        for key in value:
            k = str(key)
            if k in allowed:
                continue
            if fact_key(k, self.facts):
                self.error(path + (key,), f"'{visible(k)}' in {what} is a campaign fact: a batch spec cannot set it",
                           _FACTS_HINT)
                continue
            close = _ALIASES.get(k.casefold()) if _ALIASES.get(k.casefold()) in allowed else None
            close = close or (difflib.get_close_matches(k, sorted(allowed), n=1, cutoff=0.6) or [None])[0]
            self.error(path + (key,), f"unknown key '{visible(k)}' in {what}",
                       f"did you mean '{close}'?" if close else f"allowed keys: {', '.join(sorted(allowed))}")

    def mapping(self, value: Any, path: tuple, what: str) -> dict | None:
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping of keys to values, not {_kind(value)}",
                       "write 'key: value' lines indented under it")
            return None
        return value

    def string(self, value: Any, path: tuple, what: str, example: str) -> str | None:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)) or \
                not isinstance(value, (str, int, float)):
            self.error(path, f"{what} must be text, not {_kind(value)}", f"write it as text, e.g. {example}")
            return None
        if not isinstance(value, str):
            self.error(path, f"{what} must be text, but YAML reads {value!r} as a number",
                       f"put it in double quotes, e.g. \"{value}\"")
            return None
        s = value.strip()
        if not s:
            self.error(path, f"{what} is empty", f"write it after the colon, e.g. {example}, or remove the key")
            return None
        if len(s) > MAX_TEXT:
            self.error(path, f"{what} is {len(s)} characters long; at most {MAX_TEXT} fit a contact block",
                       "shorten it")
            return None
        return s

    def hidden(self, text: str, path: tuple, what: str) -> bool:
        """Report invisible, control and bidi characters in a typed value; True when there are none."""
        findings = invisible_findings(text, rtl=False, typed=True)
        odd = [c for c in text if c != " " and unicodedata.category(c) in ("Zs", "Zl", "Zp") and c != "\u3000"]
        for f in findings:
            self.error(path, f"{what}: {f.message}", f.hint)
        if odd and not findings:
            self.error(path, f"{what}: it contains the space character "
                       f"{_guard.char_name(odd[0])}", "use a plain space")
        return not findings and not odd


def invisible_findings(text: str, rtl: bool = False, typed: bool = False) -> list:
    """The facts guard's findings on hidden characters, and every other
    invisible (default-ignorable or format) character: a contact block has no
    use for zero-width spaces or variation selectors.  In a typed value (a
    number, an address) not even a joiner or a direction mark is allowed."""
    out = list(_guard._hidden_characters(text, rtl))
    allowed = set() if typed else set(_guard.JOINERS) | (set(_guard.RTL_MARKS) if rtl else set())
    for ch in dict.fromkeys(text):
        if ch != "\n" and _guard._is_hidden(ch) and ord(ch) not in allowed:
            out.append(_guard.Finding(f"the invisible character {_guard.char_name(ch)} is not allowed here",
                                      "delete it"))
    return list(dict.fromkeys(out))


def _rtl_text(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


# ------------------------------------------------------------------------ loading

def load_spec(path: Path, project) -> BatchSpec:
    """The batch spec at ``path``, checked against ``project`` (a loaded
    :class:`~leaflets.model.schema.Project`).  Raises ContentError listing
    every problem, each with the file, the line and a fix."""
    path = Path(path)
    try:
        text = _yamlsrc._read(path)
        src = load_yaml(path, text)
    except YamlError as exc:
        raise ContentError([exc.diagnostic]) from None
    diags = Diagnostics()
    r = _Reader(src, diags, project.facts, scalar_sources(text, src.data))
    data = src.data
    if not isinstance(data, dict) or not data:
        kind = "a list" if isinstance(data, list) else "empty" if not data else "a single value"
        raise ContentError(Diagnostic("error", f"a batch spec must be a mapping of keys to values; this one is "
                                      f"{kind}", path, src.line(), "start from the sample: leaflets batch init",
                                      code="batch"))
    r.keys(data, (), TOP_KEYS, "the batch spec")
    guard = FactsGuard.from_facts(project.facts)
    batch_id = _batch_id(r, data, path)
    languages = _languages(r, data, project)
    designs = _designs(r, data, project)
    editions = _editions(r, data)
    copies = _copies(r, data.get("copies", 1), languages, designs)
    qr = _qr_tag(r, data, project.facts)
    warnings: list[Diagnostic] = []
    org = None
    if "organisation" not in data:
        r.error((), "the batch spec has no organisation",
                "add organisation: with at least its name (see leaflets batch init)")
    else:
        org = _organisation(r, data["organisation"], ("organisation",), project, guard, languages, path,
                            warnings)
    if diags.errors or org is None:
        raise ContentError(diags.errors)
    return BatchSpec(id=batch_id, source=path, organisation=org, languages=languages, designs=designs,
                     editions=editions, qr_tag=qr, copies_default=copies[0], copies_by_design=copies[1],
                     copies_by_language=copies[2], warnings=tuple(warnings) + tuple(diags.warnings))


def scalar_sources(text: str, data: Any) -> dict[tuple, tuple[str, str | None]]:
    """Every scalar value of the YAML document ``text`` (already read into ``data`` by the safe
    reader), by its path: (its text as written, its style — None when plain, ' or " when quoted,
    | or > for a block).  A value's type is what YAML makes of that text (``0x10`` is 16, ``010`` is 8,
    ``yes`` is true); the text is what the person wrote.

    The parser's events are read again; values come in document order, which is the order of
    ``data``'s leaves (mappings keep their keys' order, and the reader refuses anything but plain
    mappings, lists and scalars), so the two are paired without building paths a second way."""
    import yaml
    written: list[tuple[str, str | None]] = []
    stack: list[list] = []            # [is a mapping, a key comes next] of each open collection
    loader = _yamlsrc._Loader(text[1:] if text.startswith("\ufeff") else text)
    try:
        while loader.check_event():
            event = loader.get_event()
            top = stack[-1] if stack else None
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                continue
            if top is not None and top[0]:
                top[1] = not top[1]
                if not top[1]:        # a key: its value comes next
                    continue
            if isinstance(event, yaml.ScalarEvent):
                written.append((event.value, event.style or None))
            else:
                stack.append([isinstance(event, yaml.MappingStartEvent), True])
    except yaml.YAMLError:            # pragma: no cover - the same text was read without error
        return {}
    finally:
        loader.dispose()
    leaves: list[tuple] = []
    todo: list[tuple[tuple, Any]] = [((), data)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, dict):
            todo += reversed([(path + (k,), v) for k, v in value.items()])
        elif isinstance(value, list):
            todo += reversed([(path + (i,), v) for i, v in enumerate(value)])
        else:
            leaves.append(path)
    if len(leaves) != len(written):   # pragma: no cover - one leaf per scalar value
        return {}
    return dict(zip(leaves, written))


# Names Windows keeps for devices, whatever follows them after a dot or spaces (NUL.txt, "con .pdf") and in
# any case; COM and LPT with a digit — the superscripts ¹ ² ³ count as digits there, and NFKC makes them
# 1 2 3 before this is tried.  A folder of that name cannot be made on a Windows PC or a stick formatted
# for one, nor copied there.
_DEVICE = re.compile(r"(?:con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$|clock\$)", re.ASCII)
_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


def folder_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a batch's folder on every system its files are copied to (Linux, macOS,
    Windows, FAT and exFAT sticks), or None.  Beyond :data:`BATCH_ID`'s letters: a device name of
    Windows, with or without an extension; a name that ends in a dot or a space (Windows drops them);
    a character Windows refuses; a control character."""
    if not name or name in (".", ".."):
        return "it is not a name"
    if any(unicodedata.category(c)[0] == "C" for c in name) or _WINDOWS_FORBIDDEN & set(name):
        return "it holds a character that Windows does not allow in a file name"
    if name[-1] in ". ":
        return "it ends in a dot or a space, which Windows drops from a folder name"
    base = unicodedata.normalize("NFKC", name).split(".", 1)[0].rstrip(" ").casefold()
    if _DEVICE.fullmatch(base):
        return (f"'{base.upper()}' is the name of a device on Windows (like CON, PRN, AUX, NUL, COM1, LPT1): a "
                "folder of that name cannot be made or copied there")
    return None


def _batch_id(r: _Reader, data: dict, path: Path) -> str:
    pattern_hint = ("use 1 to 63 lower-case ASCII letters, digits and '-', starting with a letter or digit, "
                    "e.g. shinjuku-2026")
    if "id" not in data:
        stem = path.stem
        problem = folder_name_problem(stem)
        if BATCH_ID.fullmatch(stem) and problem is None:
            return stem
        problem = problem or "a batch id is lower-case letters, digits and '-'"
        r.error((), f"the batch spec has no id, and its file name '{visible(stem)}' cannot be one: {problem}",
                "add id: with lower-case letters, digits and '-', e.g. id: shinjuku-2026")
        return ""
    value = r.string(data["id"], ("id",), "id", "shinjuku-2026")
    if value is None:
        return ""
    problem = folder_name_problem(value)
    if BATCH_ID.fullmatch(value) and problem is None:
        return value
    r.error(("id",), f"the batch id '{visible(value)}' is not usable as a folder name"
            + (f": {problem}" if problem else ""), pattern_hint if not BATCH_ID.fullmatch(value) else
            f"choose another id, e.g. id: {value}-office or id: shinjuku-2026")
    return ""


def _list(r: _Reader, data: dict, key: str, what: str, example: str) -> list[tuple[Any, tuple]] | None:
    if key not in data or data[key] is None or data[key] == []:
        return None
    value = data[key]
    if isinstance(value, str):
        return [(value, (key,))]
    if not isinstance(value, list):
        r.error((key,), f"{what} must be a list, not {_kind(value)}", f"write e.g. {key}: [{example}]")
        return []
    return [(v, (key, i)) for i, v in enumerate(value)]


def _languages(r: _Reader, data: dict, project) -> tuple[str, ...]:
    tags = sorted(project.languages)
    items = _list(r, data, "languages", "languages", "ja, th, tl")
    if items is None:
        r.error(("languages",) if "languages" in data else (), "the batch spec names no languages",
                f"add languages: [...] with some of: {', '.join(tags)}")
        return ()
    out: list[str] = []
    for value, p in items:
        if not isinstance(value, str):
            r.error(p, f"a language must be a tag such as 'th', not {_kind(value)}",
                    f"the project's languages: {', '.join(tags)}")
            continue
        try:
            tag, _note = resolve_tag(value.strip(), tags)
        except TagError as exc:
            r.error(p, exc.message, exc.hint)
            continue
        if tag in out:
            r.error(p, f"the language '{tag}' is listed twice", "list each language once")
            continue
        out.append(tag)
    return tuple(out)


def _designs(r: _Reader, data: dict, project) -> tuple[str, ...]:
    ids = sorted(project.designs)
    items = _list(r, data, "formats", "formats", "a4-leaflet")
    if items is None:
        r.error(("formats",) if "formats" in data else (), "the batch spec names no formats",
                f"add formats: [...] with some of: {', '.join(ids)}")
        return ()
    out: list[str] = []
    for value, p in items:
        if not isinstance(value, str) or value.strip() not in project.designs:
            close = difflib.get_close_matches(str(value), ids, n=1, cutoff=0.5) if isinstance(value, str) else []
            r.error(p, f"no format '{visible(str(value))}' in this project",
                    (f"did you mean '{close[0]}'? " if close else "") + f"formats: {', '.join(ids)}")
            continue
        if value.strip() in out:
            r.error(p, f"the format '{value.strip()}' is listed twice", "list each format once")
            continue
        out.append(value.strip())
    return tuple(out)


def _editions(r: _Reader, data: dict) -> tuple[str, ...]:
    from ..build import EDITIONS
    items = _list(r, data, "editions", "editions", "print")
    if items is None:
        if "editions" in data:
            r.error(("editions",), "editions is empty",
                    f"list some of {', '.join(EDITIONS)}, or remove the key to build {', '.join(DEFAULT_EDITIONS)}")
        return DEFAULT_EDITIONS
    out: list[str] = []
    for value, p in items:
        if not isinstance(value, str) or value.strip() not in EDITIONS:
            close = difflib.get_close_matches(str(value), EDITIONS, n=1, cutoff=0.5)
            r.error(p, f"unknown edition '{visible(str(value))}'",
                    (f"did you mean '{close[0]}'? " if close else "") + f"editions: {', '.join(EDITIONS)}")
            continue
        if value.strip() in out:
            r.error(p, f"the edition '{value.strip()}' is listed twice", "list each edition once")
            continue
        out.append(value.strip())
    return tuple(out)


_DECIMAL = re.compile(r"0|[1-9][0-9]*")          # a count as a person writes it (ASCII digits only)
# digits in groups of three with one separator, as thousands are written: 1,000 1.000 1 000 1'000 1_000
_GROUPED = re.compile(r"[0-9]{1,3}([,.' _\u00a0\u202f\u2009])[0-9]{3}(?:\1[0-9]{3})*")


def _readings(written: str, value: Any) -> list[int]:
    """The whole numbers ``written`` (a scalar that is not plain decimal digits) may stand for, the
    likeliest first: its digits read as decimal (any script's digits by value, leading zeros, a '+',
    thousands separators), the integer literal it is in Python (0x, 0o, 0b, underscores) or in
    floating point (1e3), and the value YAML gave it (010 is 8 in YAML 1.1, 1:20 is 80)."""
    out: list[int] = []
    s = "".join(str(digit_value(c)) if digit_value(c) is not None else c
                for c in unicodedata.normalize("NFKC", written.strip()))
    s = s[1:] if s.startswith("+") else s
    if len(s) > 40:                   # no count of copies is that long; none of it is read
        return []
    if re.fullmatch(r"[0-9]+", s) or _GROUPED.fullmatch(s):
        out.append(int(re.sub(r"[^0-9]", "", s)))
    for read in (lambda t: int(t, 0), float):
        try:
            n = read(written.strip())
        except (ValueError, OverflowError):
            continue
        if n == n and abs(n) != float("inf") and n == int(n):
            out.append(int(n))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
            and abs(value) != float("inf") and value == int(value):
        out.append(int(value))
    return list(dict.fromkeys(out))


def _count(r: _Reader, value: Any, path: tuple, what: str, low: int = 1, high: int = MAX_COPIES) -> int | None:
    """A whole number of the spec (copies), from ``low`` to ``high``, written as a person writes one:
    plain decimal digits, no leading zero, sign, separator or quotes.  YAML reads 0x10 as 16, 010 as 8,
    1_000 as 1000, 1:20 as 80 and yes as true; the scalar's own text is judged, not what YAML made of
    it, and the hint shows the decimal number it may mean."""
    key = str(path[-1])
    example = f"write a number from {low} to {high} in decimal digits, e.g. {key}: 200"
    written, style = r.scalars.get(path, (None, None))
    if value is None or isinstance(value, (dict, list)) or not isinstance(value, (str, int, float)):
        r.error(path, f"{what} must be a whole number of copies, not {_kind(value)}", example)
        return None
    if written is None:               # not written in the spec: a default
        written = str(value)
    meant = [n for n in _readings(written, value) if low <= n <= high]
    if style is not None:
        block = style in "|>"
        how = "a block of text" if block else f"text in quotes ({style}{visible(written)}{style})"
        r.error(path, f"{what} is written as {how}, not as a number",
                (f"write the number after the colon, without {'the block marker' if block else 'quotes'}: "
                 f"{key}: {meant[0]}") if meant else example)
        return None
    if not _DECIMAL.fullmatch(written):
        if isinstance(value, int) and not isinstance(value, bool) and re.fullmatch(r"-[1-9][0-9]*", written):
            pass                      # a negative number: out of range, below
        else:
            read = ("true/false" if isinstance(value, bool) else "text" if isinstance(value, str)
                    else "a number too long to show" if value == value and 10 ** 12 <= abs(value) < float("inf")
                    else f"{value}")
            if isinstance(value, str) and not meant:
                message = f"{what} must be a whole number of copies, not text ('{visible(written)}')"
            else:
                message = (f"{what} is written '{visible(written)}', which is not a count in decimal digits: "
                           f"YAML reads it as {read}")
            hint = (f"write it in plain decimal digits: {key}: {meant[0]}"
                    + "".join(f" (or {key}: {n}, if that is what you mean)" for n in meant[1:])) if meant else example
            r.error(path, message, hint)
            return None
    if not low <= value <= high:
        r.error(path, f"{what} must be from {low} to {high}, not {value if abs(value) < 10**12 else 'that'}",
                "print at least one copy; for a national run, split it into several batches")
        return None
    return value


def _copies(r: _Reader, value: Any, languages: tuple[str, ...], designs: tuple[str, ...]):
    if not isinstance(value, dict):
        n = _count(r, value, ("copies",), "copies")
        return (n or 1, {}, {})
    r.keys(value, ("copies",), COPIES_KEYS, "copies")
    default = _count(r, value.get("default", 1), ("copies", "default"), "copies.default") or 1
    by: list[dict[str, int]] = []
    for key, names, what in (("formats", designs, "format"), ("languages", languages, "language")):
        out: dict[str, int] = {}
        sub = value.get(key)
        if sub is not None:
            sub = r.mapping(sub, ("copies", key), f"copies.{key}") or {}
            for name, n in sub.items():
                p = ("copies", key, name)
                name = str(name)
                if key == "languages":
                    try:
                        name, _ = resolve_tag(name, names) if names else (name, None)
                    except TagError:
                        pass
                if name not in names:
                    r.error(p, f"copies.{key}: '{visible(name)}' is not one of this batch's {key}",
                            f"this batch's {key}: {', '.join(names) or '(none)'}")
                    continue
                count = _count(r, n, p, f"copies.{key}.{name}")
                if count is not None:
                    out[name] = count
        by.append(out)
    return default, by[0], by[1]


# ----------------------------------------------------------------------- QR tag

_EMAILISH = re.compile(r"[^\s@]+@[^\s@]*")


def tag_problem_of(facts, tag: Any) -> tuple[str, str] | None:
    """Why ``tag`` may not be a distribution tag: (what, fix), or None.

    A tag says where a leaflet was handed out, never who reads it: whatever
    campaign.yaml's pattern allows, anything that looks personal is refused —
    an e-mail address, a run of 4 or more digits (of any script, by value), a
    phone number, or a person's name (words with capitals, or spaces)."""
    rule = facts.qr_tag
    if not isinstance(tag, str):
        return (f"the distribution tag must be text, not {_kind(tag)}",
                "write a short place name such as shinjuku-station, in double quotes if it is a number")
    if not rule.allowed:
        return ("content/campaign.yaml does not allow a distribution tag on the QR code",
                "remove qr_tag from the spec; the campaign decides in campaign.yaml (qr_tag: allowed: true)")
    if not tag:
        return "the distribution tag is empty", "write a short place name such as shinjuku-station, or remove it"
    if len(tag) > MAX_TAG:
        return (f"the distribution tag is {len(tag)} characters long", "use a short place name, e.g. shinjuku-station")
    personal = _personal(tag)
    if personal:
        return (f"the distribution tag '{visible(tag)}' looks personal ({personal}): a tag says where a leaflet "
                "was handed out, never who reads it",
                "use the place or event, e.g. shinjuku-station or fair-2026")
    try:
        ok = re.fullmatch(rule.pattern, tag) is not None
    except re.error:  # pragma: no cover - campaign.yaml's pattern is checked when it is loaded
        ok = False
    if not ok:
        return (f"the distribution tag '{visible(tag)}' does not match campaign.yaml's pattern {rule.pattern}",
                "use only what the pattern allows, e.g. shinjuku-station")
    return None


def _personal(tag: str) -> str | None:
    norm = unicodedata.normalize("NFKC", tag)
    if [c for c in tag if _guard._is_hidden(c)]:
        return "invisible characters"
    if "@" in norm or _EMAILISH.search(norm) or "\uFE6B" in tag:
        return "an e-mail address"
    run = best = 0
    for ch in tag:
        run = run + 1 if digit_value(ch) is not None else 0
        best = max(best, run)
    if best >= 4:
        return "a number"
    digits = "".join(str(digit_value(c)) for c in tag if digit_value(c) is not None)
    if len(digits) >= 4 and _looks_like_phone(tag):
        return "a phone number"
    if sum(1 for c in tag if digit_value(c) is not None) >= 4:
        return "a number"
    if any(unicodedata.category(c) in ("Zs", "Zl", "Zp") or c in "\t\n\r" for c in tag):
        return "a name: it has spaces"
    words = [w for w in re.split(r"[\W_]+", norm) if w]
    capitalised = [w for w in words if w[:1].isupper() and (len(w) == 1 or any(c.islower() for c in w[1:]))]
    camel = re.findall(r"[A-Z][a-z]+", norm)
    if len(capitalised) >= 2 or len(camel) >= 2:
        return "a name: capitalised words"
    return None


def _looks_like_phone(text: str) -> bool:
    from phonenumbers import Leniency, PhoneNumberMatcher
    ascii_run = "".join(str(digit_value(c)) if digit_value(c) is not None else
                        (c if c in " ()+-." else " ") for c in text)
    return any(True for _m in PhoneNumberMatcher(ascii_run, "JP", leniency=Leniency.POSSIBLE)) or \
        any(True for _m in PhoneNumberMatcher(ascii_run.replace("-", ""), "JP", leniency=Leniency.POSSIBLE))


def _qr_tag(r: _Reader, data: dict, facts) -> str | None:
    if "qr_tag" not in data:
        return None
    value = data["qr_tag"]
    if isinstance(value, dict):
        r.error(("qr_tag",), "a batch spec sets only the distribution tag's value; campaign.yaml sets its "
                "parameter and pattern", "write qr_tag: shinjuku-station")
        return None
    if value is None:
        return None
    problem = tag_problem_of(facts, value)
    if problem:
        r.error(("qr_tag",), *problem)
        return None
    return value


def qr_target(facts, tag: str | None) -> str:
    """The URL a batch leaflet's QR code holds: the campaign's report URL, its
    own query kept as it is, with the distribution tag added as the one query
    parameter campaign.yaml names (percent-encoded).  Raises ValueError for a
    tag the campaign does not allow."""
    url = facts.links["report"].url
    if tag is None:
        return url
    problem = tag_problem_of(facts, tag)
    if problem:
        raise ValueError(problem[0])
    parts = urlsplit(url)
    pair = quote(facts.qr_tag.parameter, safe="") + "=" + quote(tag, safe="")
    query = f"{parts.query}&{pair}" if parts.query else pair
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


# ------------------------------------------------------------------ organisation

def _organisation(r: _Reader, value: Any, p: tuple, project, guard: FactsGuard, languages: tuple[str, ...],
                  path: Path, warnings: list) -> Organisation | None:
    v = r.mapping(value, p, "organisation")
    if v is None:
        return None
    r.keys(v, p, ORG_KEYS, "organisation")
    name = _texts(r, v, "name", p, project, guard, languages, required=True, example="Shinjuku Support Centre")
    address = _texts(r, v, "address", p, project, guard, languages, example="東京都新宿区西新宿2-8-1")
    hours = _texts(r, v, "hours", p, project, guard, languages, example="Mon–Fri 9:00–17:00")
    phones = _phones(r, v.get("phones"), p + ("phones",), project.facts, guard) if "phones" in v else ()
    website = display = email = line_id = postal = None
    if "website" in v:
        website, display = _website(r, v["website"], p + ("website",), guard) or (None, None)
    if "email" in v:
        email = _email(r, v["email"], p + ("email",), guard)
    if "line_id" in v:
        line_id = _line_id(r, v["line_id"], p + ("line_id",), guard)
    if "postal_code" in v:
        postal = _postal_code(r, v["postal_code"], p + ("postal_code",))
    spoken = _spoken(r, v.get("languages_spoken"), p + ("languages_spoken",)) if "languages_spoken" in v else ()
    logo = None
    if "logo" in v:
        lp = p + ("logo",)
        rel = r.string(v["logo"], lp, "organisation.logo", "logo.png")
        if rel is not None:
            try:
                logo = load_logo(rel, path.parent, r.line(lp), spec_file=path)
            except ContentError as exc:
                for d in exc.diagnostics:
                    r.diags.items.append(d if d.file is not None else
                                         Diagnostic(d.severity, d.message, path, r.line(lp), d.hint, d.code))
            else:
                warnings.extend(getattr(logo, "warnings", ()))
    if name is None:
        return None
    lines = {".".join(map(str, k)): n for k, n in sorted(r.src.lines.items(), key=lambda kv: kv[1])
             if k[:len(p)] == p and n is not None}
    return Organisation(name=name, phones=phones, website=website, website_display=display, email=email,
                        line_id=line_id, address=address or {}, postal_code=postal, hours=hours or {},
                        languages_spoken=spoken, logo=logo, lines=lines)


def _texts(r: _Reader, v: dict, key: str, p: tuple, project, guard: FactsGuard, languages: tuple[str, ...],
           required: bool = False, example: str = "") -> dict[str, str] | None:
    """A free-text field: one text for every language, or a mapping of
    language tags (and ``default``) to texts; each checked by the facts guard."""
    what = f"organisation.{key}"
    kp = p + (key,)
    if key not in v:
        if required:
            r.error(p, f"the organisation has no {key}", f"add {key}: {example}")
        return None
    value = v[key]
    out: dict[str, str] = {}
    if isinstance(value, dict):
        if not value:
            r.error(kp, f"{what} is empty", f"write {key}: {example}, or one text per language")
            return None
        for lang, text in value.items():
            lp = kp + (lang,)
            lang = str(lang)
            if lang == _DEFAULT:
                tag = ""
            else:
                try:
                    tag, _ = resolve_tag(lang, sorted(project.languages))
                except TagError as exc:
                    r.error(lp, f"{what}: {exc.message}",
                            (exc.hint + "; " if exc.hint else "") + f"use '{_DEFAULT}' for the text of every language")
                    continue
                if tag in out:
                    r.error(lp, f"{what} gives the language '{tag}' twice", "keep one of them")
                    continue
            s = _free_text(r, text, lp, f"{what}.{lang}", guard,
                           rtl=project.languages[tag].rtl if tag else _rtl_text(str(text)), example=example)
            if s is not None:
                out[tag] = s
        if "" not in out and out:
            missing = [lang for lang in languages if lang not in out]
            if missing:
                r.error(kp, f"{what} has no text for {', '.join(missing)} (and no default)",
                        f"add '{_DEFAULT}:' with the text for every other language, or one line per language")
    else:
        s = _free_text(r, value, kp, what, guard, rtl=_rtl_text(str(value)), example=example)
        if s is not None:
            out[""] = s
    return out if out else (None if required else {})


_FIELD_HINTS = (("number", "write the organisation's phone numbers under organisation.phones (the campaign's "
                           "numbers are printed from content/campaign.yaml)"),
                ("address", "write the organisation's website under organisation.website and its e-mail under "
                            "organisation.email; the campaign's addresses are printed from content/campaign.yaml"))


def _free_text(r: _Reader, value: Any, p: tuple, what: str, guard: FactsGuard, rtl: bool,
               example: str) -> str | None:
    s = r.string(value, p, what, example)
    if s is None:
        return None
    findings = text_findings(guard, r.facts, s, rtl)
    for f in findings:
        r.error(p, f"{what}: {f.message}", f.hint)
    return None if findings else unicodedata.normalize("NFC", s)


def text_findings(guard: FactsGuard, facts, text: str, rtl: bool = False) -> list:
    """Why ``text`` may not be printed in an organisation's block: the facts
    guard's checks (hidden and control characters, stacked marks, addresses),
    and no phone number at all — not even the campaign's own, which the design
    prints from campaign.yaml, and the organisation's go under phones.  Nor may
    it restate a campaign fact in part: a campaign host, written exactly (which
    the guard lets a translation do) or disguised (:func:`campaign_hosts_in`),
    or a recognisable run of a campaign number's digits
    (:func:`campaign_digits_in`)."""
    out = invisible_findings(text, rtl) + _guard._marks(text)
    partial = campaign_digits_in(facts, text)
    whole: list[tuple[int, int]] = []           # runs that are a campaign number, not a part of one
    for start, end, _digits, hidden in _guard._digit_runs(text):
        raw = text[start:end]
        official = official_like(facts, raw)
        if hidden:
            names = ", ".join(_guard.char_name(c) for c in dict.fromkeys(hidden))
            out.append(_guard.Finding(f"the number '{visible(raw)}' has invisible characters inside it: {names}",
                                      "delete them"))
        elif official is not None:
            out.append(_guard.Finding(f"'{visible(raw)}' is the campaign's {official} number "
                                      f"{facts.numbers()[official]}",
                                      "remove it: the design prints the campaign's numbers from "
                                      "content/campaign.yaml, apart from the organisation's block"))
            whole.append((start, end))
        elif not _year_range(raw) and not any(a < end and start < b for a, b, *_rest in partial):
            out.append(_guard.Finding(f"'{visible(raw)}' is a phone number", _FIELD_HINTS[0][1]))
    for start, end, name, display, n in partial:
        if not any(a < end and start < b for a, b in whole):
            out.append(_guard.Finding(
                f"'{visible(text[start:end])}' repeats {n} digits in a row of the campaign's {name} number {display}",
                f"remove them: the design prints the {name} {display} itself, beside the organisation's block; "
                "the organisation's own numbers go under organisation.phones"))
    addresses = guard._addresses(text)
    for f in addresses:
        out.append(_guard.Finding(f.message, _FIELD_HINTS[1][1]))
    for raw, display in campaign_hosts_in(guard, text):
        if not any(f"the campaign's {display}" in f.message for f in addresses):
            out.append(_guard.Finding(
                f"'{visible(raw)}' names the campaign's address {display}",
                f"remove it: the design prints {display} (and its QR code) itself, beside the organisation's "
                "block; the organisation's own site goes under organisation.website"))
    return list(dict.fromkeys(out))


def _year_range(raw: str) -> bool:
    """Whether ``raw`` (a run of digits) is two years with a dash or a tilde between them: 2024–2026."""
    m = re.fullmatch(r"([0-9]{4})\s*[-~\u301c\uff5e]\s*([0-9]{4})", "".join(
        str(digit_value(c)) if digit_value(c) is not None else ("-" if _guard._is_dash(c) else c) for c in raw))
    return bool(m) and all(1900 <= int(y) <= 2100 for y in m.groups()) and m.group(1) <= m.group(2)


MIN_DIGIT_WINDOW = 5     # fewer digits in a row are a year, a time or a house number, whatever number they are from


@lru_cache(maxsize=8)
def _number_windows(numbers: tuple[tuple[str, str], ...]
                    ) -> tuple[tuple[str, str, int, frozenset[str], tuple[str, ...]], ...]:
    """(name, display, window, windows, forms) of each campaign number: ``window`` is the length of its
    subscriber number — its national significant number without the national destination code (the
    digits after 0120 of 0120-924-839: six), which tell the line apart from every other number
    with that code — and ``windows`` every run of that many digits in its ``forms``, the number as it
    is dialled at home (0120924839) and from abroad (81120924839)."""
    import phonenumbers
    out = []
    for name, display in numbers:
        parsed = parse_phone(display)
        home = "".join(str(digit_value(c)) for c in display if digit_value(c) is not None)
        forms = [home]
        window = len(home)
        if parsed is not None and parsed.national_number:
            nsn = str(parsed.national_number)
            forms.append(f"{parsed.country_code}{nsn}")
            window = len(nsn) - phonenumbers.length_of_national_destination_code(parsed)
        window = max(window, MIN_DIGIT_WINDOW)
        windows = frozenset(f[i:i + window] for f in forms for i in range(len(f) - window + 1))
        if windows:
            out.append((name, display, window, windows, tuple(forms)))
    return tuple(out)


def _digit_sequences(text: str) -> list[tuple[int, int, str]]:
    """Every run of digits in ``text`` as (start, end, digits): digits of any script and their
    compatibility forms by value, with a letter Unicode lists as a look-alike of a digit read as that
    digit where it stands among digits (9248З9).  What joins the digits of a number written out is
    ignored: the facts guard's separators (spaces, dashes, dots, brackets), slashes, invisible
    characters and marks, and any other punctuation or symbol standing between two digits (924,839);
    a letter ends a run, and so does punctuation before a space (Room 1209, 24F is two numbers)."""
    values: list[int | None] = [digit_value(c) for c in text]
    if not any(v is not None for v in values):
        return []
    lookalike = _guard._digit_lookalikes()
    n = len(text)
    i = 0
    while i < n:                          # words of digits and look-alikes: "8З9" is three digits, "Oak" none
        if values[i] is None and text[i] not in lookalike:
            i += 1
            continue
        j = i
        while j < n and (values[j] is not None or text[j] in lookalike):
            j += 1
        real = sum(1 for k in range(i, j) if values[k] is not None)
        bounded = (i == 0 or not text[i - 1].isalpha()) and (j == n or not text[j].isalpha())
        if real and bounded and real >= (j - i) - real:
            for k in range(i, j):
                if values[k] is None:
                    values[k] = lookalike[text[k]]
        i = j
    def joins(k: int) -> bool:
        ch = text[k]
        cat = unicodedata.category(ch)
        if (_guard._is_separator(ch) and ch != "+") or unicodedata.normalize("NFKC", ch) == "/" or \
                _guard._is_hidden(ch) or cat[0] == "M":
            return True
        return cat[0] in "PS" and 0 < k < n - 1 and values[k - 1] is not None and values[k + 1] is not None

    runs = []
    start = None
    digits: list[str] = []
    end = 0
    for k in range(n + 1):
        if k < n and values[k] is not None:
            if start is None:
                start = k
            digits.append(str(values[k]))
            end = k + 1
        elif k == n or not joins(k):
            if start is not None:
                runs.append((start, end, "".join(digits)))
            start, digits = None, []
    return runs


def campaign_digits_in(facts, text: str) -> list[tuple[int, int, str, str, int]]:
    """Where ``text`` repeats a campaign number in part: (start, end, the number's name, its display,
    how many of its digits in a row) for every run of digits (:func:`_digit_sequences`) holding at
    least a window of the number (see :func:`_number_windows`: six digits of 0120-924-839, such as
    924-839 or 0120 92)."""
    out = []
    for start, end, digits in _digit_sequences(text):
        for name, display, window, windows, forms in _number_windows(tuple(facts.numbers().items())):
            if any(digits[i:i + window] in windows for i in range(len(digits) - window + 1)):
                out.append((start, end, name, display, max(_longest_common_run(digits, f) for f in forms)))
                break
    return out


def _longest_common_run(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def campaign_hosts_in(guard: FactsGuard, text: str) -> list[tuple[str, str]]:
    """Where ``text`` names a campaign host: (the words, the host's display) — a host-like word
    that is or imitates one (:func:`host_imitates`: any case or width, homoglyphs, invisible
    characters, another ending, one letter off), the host spelt out with anything between its
    letters (tokumei24 . jp), or the name before its ending where that holds a digit and so is no
    ordinary word (tokumei24; gem is one)."""
    skel, index = _guard._skeleton(text)
    out: list[tuple[str, str]] = []
    for m in re.finditer(r"[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?", skel):
        word = m.group()
        raw = text[index[m.start()]:index[m.end() - 1] + 1]
        similar = host_imitates(guard, word) if "." in word else _names_core(guard, word)
        if similar:
            out.append((raw, similar))
    squashed = _guard._confusable_key(re.sub(r"[^a-z0-9]", "", skel))
    for host, display in guard._hosts.items():
        if any(d == display for _r, d in out):
            continue
        key = _guard._confusable_key(host)
        core = _guard._core(key).replace("-", "")
        spelt = re.sub(r"[^a-z0-9]", "", key)
        if (spelt and spelt in squashed) or (core and _distinctive(host) and core in squashed):
            out.append((text, display))
    return list(dict.fromkeys(out))


def _distinctive(host: str) -> bool:
    """Whether a campaign host's name (before its ending, as campaign.yaml writes it) is a name only,
    never an ordinary word: it holds a character that is not a letter (tokumei24; gem is a word), and
    is long enough to be told apart (5 characters, as :func:`host_imitates` asks)."""
    core = _guard._core(host[4:] if host.startswith("www.") else host).replace("-", "")
    return len(core) >= 5 and not core.isalpha()


def _names_core(guard: FactsGuard, word: str) -> str | None:
    """The display of the campaign host whose distinctive name ``word`` holds or is one edit from, or None."""
    key = _guard._confusable_key(word).replace("-", "")
    for host, display in guard._hosts.items():
        core = _guard._core(_guard._confusable_key(host)).replace("-", "")
        if core and _distinctive(host) and (core in key or _one_edit(key, core)):
            return display
    return None


# ----------------------------------------------------------------------- phones

def _phone_digits(text: str) -> tuple[str, str | None]:
    """``text`` as dialled: digits by value (any script, full width), a leading
    '+', separators dropped; and the first character that is none of these."""
    out: list[str] = []
    bad = None
    for ch in text:
        d = digit_value(ch)
        if d is not None:
            out.append(str(d))
        elif ch in "+＋" and not out:
            out.append("+")
        elif _guard._is_separator(ch) or ch == "\u3000":
            continue
        elif bad is None:
            bad = ch
    return "".join(out), bad


def _lookalike_digits(text: str) -> str:
    """Digits of ``text`` with letters that imitate digits (O, l, ㄧ…) read as them."""
    table = _guard._digit_lookalikes()
    out = []
    for ch in text:
        d = digit_value(ch)
        if d is None and ch in table:
            d = table[ch]
        if d is None:
            n = unicodedata.normalize("NFKC", ch)
            d = table.get(n) if len(n) == 1 else None
        if d is not None:
            out.append(str(d))
    return "".join(out)


def _transposed_or_one_off(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def official_like(facts, text: str) -> str | None:
    """The name of the campaign number that ``text`` is, imitates, or can be
    taken for (any digits, invisible characters and look-alike letters read
    by value), or None."""
    import phonenumbers
    forms = {_phone_digits(text)[0], _lookalike_digits(text)}
    for name, display in facts.numbers().items():
        official = parse_phone(display)
        off_digits = "".join(c for c in display if c.isdigit())
        for form in forms:
            bare = form.lstrip("+")
            if not bare:
                continue
            if bare == off_digits or bare.lstrip("0") == off_digits.lstrip("0"):
                return name
            if bare.startswith("81") and bare[2:].lstrip("0") == off_digits.lstrip("0"):
                return name
            if official is None:
                continue
            try:
                mine = phonenumbers.parse(form if form.startswith("+") else form, "JP")
            except phonenumbers.NumberParseException:
                continue
            if (mine.country_code, mine.national_number) == (official.country_code, official.national_number):
                return name
            free = phonenumbers.PhoneNumberType.TOLL_FREE
            if phonenumbers.number_type(official) == free and phonenumbers.number_type(mine) == free \
                    and mine.country_code == official.country_code:
                a, b = str(mine.national_number), str(official.national_number)
                ndc_a = phonenumbers.length_of_national_destination_code(mine)
                ndc_b = phonenumbers.length_of_national_destination_code(official)
                if _transposed_or_one_off(a, b) or (ndc_a and ndc_b and a[ndc_a:] == b[ndc_b:]):
                    return name
    return None


def _phones(r: _Reader, value: Any, p: tuple, facts, guard: FactsGuard) -> tuple[Phone, ...]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list) or not value:
        r.error(p, "organisation.phones lists no number" if isinstance(value, list) else
                f"organisation.phones must be a list of numbers, not {_kind(value)}",
                'write phones: ["03-1234-5678"], or phones: [{number: "03-1234-5678", label: Shelter}]')
        return ()
    if len(value) > MAX_PHONES:
        r.error(p, f"organisation.phones lists {len(value)} numbers; a contact block has room for {MAX_PHONES}",
                "keep the most useful ones")
        return ()
    out: list[Phone] = []
    for i, item in enumerate(value):
        ip = p + (i,)
        label = None
        np_ = ip
        if isinstance(item, dict):
            r.keys(item, ip, PHONE_KEYS, "a phone")
            if "number" not in item:
                r.error(ip, "a phone has no number", 'add number: "03-1234-5678"')
                continue
            np_ = ip + ("number",)
            if "label" in item:
                label = _free_text(r, item["label"], ip + ("label",), "a phone's label", guard,
                                   rtl=_rtl_text(str(item["label"])), example="Shelter")
                if label is None:
                    continue
            item = item["number"]
        phone = _phone(r, item, np_, facts, label)
        if phone is not None:
            if any(x.e164 == phone.e164 for x in out):
                r.error(np_, f"the number {phone.number} is listed twice", "list each number once")
                continue
            out.append(phone)
    return tuple(out)


def _phone(r: _Reader, value: Any, p: tuple, facts, label: str | None) -> Phone | None:
    import phonenumbers
    what = "a phone number"
    if isinstance(value, int) and not isinstance(value, bool):
        r.error(p, f"{what} must be text, but YAML reads it as the number {value!r}, which loses what a phone "
                   "number is written with (a leading + or 0, the dashes)",
                'put it in double quotes as it is written, e.g. "03-1234-5678" or "+81 3-1234-5678"')
        return None
    text = r.string(value, p, what, '"03-1234-5678"')
    if text is None:
        return None
    official = official_like(facts, text)
    if official is not None:
        shown = facts.numbers()[official]
        r.error(p, f"'{visible(text)}' is, or can be taken for, the campaign's {official} number {shown}",
                "a batch adds the organisation's own numbers; the campaign's numbers are printed from "
                "content/campaign.yaml")
        return None
    if not r.hidden(text, p, what):
        return None
    digits, bad = _phone_digits(text)
    if bad is not None:
        r.error(p, f"{what} '{visible(text)}' contains '{visible(bad)}' ({_guard.char_name(bad)})",
                "write only digits, with spaces, hyphens or parentheses between them, and + before a country "
                "code; give a label with label:")
        return None
    try:
        parsed = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        r.error(p, f"'{visible(text)}' is not a valid phone number",
                "write a Japanese number with its area code (03-1234-5678), or an international one with + "
                "and the country code (+63 2 8123 4567); emergency numbers come from campaign.yaml")
        return None
    kind = phonenumbers.number_type(parsed)
    if kind in (phonenumbers.PhoneNumberType.PREMIUM_RATE, phonenumbers.PhoneNumberType.SHARED_COST):
        r.error(p, f"{text} is a premium-rate or shared-cost number: callers pay more to reach it",
                "give a number that costs callers no more than a normal call")
        return None
    region = phonenumbers.region_code_for_number(parsed)
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if region == "JP" else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return Phone(number=phonenumbers.format_number(parsed, fmt),
                 e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), label=label)


# -------------------------------------------------------------------- addresses

# UTS #39 "highly restrictive": one script per label, or Latin with the
# scripts Japanese, Chinese and Korean are written in.
_SCRIPT_SETS = ({"Latn", "Hani", "Hira", "Kana"}, {"Latn", "Hani", "Bopo"}, {"Latn", "Hani", "Hang"})


def _label_scripts_ok(label: str) -> bool:
    scripts = {_guard._script(c) for c in label} - {"Zyyy", "Zinh"}
    return len(scripts) <= 1 or any(scripts <= s for s in _SCRIPT_SETS)


def _host(r: _Reader, host: str, p: tuple, what: str, guard: FactsGuard) -> tuple[str, str] | None:
    """``host`` checked: (A-label form, form to print)."""
    if not host:
        r.error(p, f"{what} has no host name", "write it like https://www.example.org/")
        return None
    if host.startswith("[") or re.fullmatch(r"[0-9.]+", host):
        r.error(p, f"{what} is an IP address, not a host name", "give the organisation's domain name")
        return None
    host = unicodedata.normalize("NFKC", host).rstrip(".")
    host = "".join("." if c in _guard.IDNA_DOTS else c for c in host)
    labels = host.split(".")
    unicode_labels = []
    for label in labels:
        if label.lower().startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                r.error(p, f"{what}: the label '{visible(label)}' is not valid punycode", "check the address")
                return None
        unicode_labels.append(label.lower())
    uhost = ".".join(unicode_labels)
    try:
        ahost = uhost.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        r.error(p, f"{what}: '{visible(uhost)}' is not a valid international domain name",
                "check the address; write it as the browser shows it")
        return None
    alabels = ahost.split(".")
    if len(alabels) < 2 or any(not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", a) for a in alabels) \
            or not (alabels[-1].isalpha() or alabels[-1].startswith("xn--")) or len(ahost) > 253:
        r.error(p, f"{what}: '{visible(uhost)}' is not a host name", "write it like www.example.org")
        return None
    for label in unicode_labels:
        if not label.isascii() and not _label_scripts_ok(label):
            r.error(p, f"{what}: the host '{visible(uhost)}' mixes scripts in '{visible(label)}', as look-alike "
                    "addresses do", "write the address as the organisation registered it")
            return None
    similar = host_imitates(guard, uhost)
    if similar:
        r.error(p, f"{what}: the host '{visible(uhost)}' is, or imitates, the campaign's {similar}",
                "give the organisation's own address; the campaign's addresses are printed from "
                "content/campaign.yaml")
        return None
    return ahost, uhost


def host_imitates(guard: FactsGuard, host: str) -> str | None:
    """The campaign address ``host`` is or looks like (after NFKC, homoglyphs
    and invisible characters, and look-alike letter pairs such as rn/m), or None."""
    skel = _guard._skeleton(host)[0]
    key = _guard._confusable_key(skel)
    labels = key.split(".")
    for h, display in guard._hosts.items():
        hk = _guard._confusable_key(h)
        core = _guard._core(hk)
        if key == hk or key.endswith("." + hk) or (core and core in labels) or \
                (core and len(core) >= 5 and any(core in label.split("-") or label.startswith(core)
                                                 or label.endswith(core) for label in labels)):
            return display
        # a long name with hyphens added, or one letter changed, added, dropped or two swapped
        if core and len(core) >= 5 and any(_one_edit(label.replace("-", ""), core) for label in labels):
            return display
    return None


def _one_edit(a: str, b: str) -> bool:
    """``a`` is ``b``, or ``b`` with one character changed, added or removed, or two neighbours swapped."""
    if a == b or _transposed_or_one_off(a, b):
        return True
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def names_campaign(guard: FactsGuard, facts, text: str) -> str | None:
    """What of the campaign's facts ``text`` — a part of an address that is
    printed but is no host name: a URL's path and query, an e-mail's user
    name, a LINE ID — names or imitates ("the hotline number", "the address
    www.tokumei24.jp"), or None.  Percent-escapes are read as what they stand
    for; every run of digits is judged as a number, every word between
    delimiters as a host name."""
    text = unquote(text)
    for start, end, _digits, _hidden in _guard._digit_runs(text):
        official = official_like(facts, text[start:end])
        if official is not None:
            return f"{official} number"
    for _start, _end, name, _display, _n in campaign_digits_in(facts, text):
        return f"{name} number (in part)"
    for token in re.split(r"[^\w.\-]+", text):
        similar = host_imitates(guard, token.strip(".")) if token.strip(".") else None
        if similar:
            return f"address {similar}"
    return None


def _website(r: _Reader, value: Any, p: tuple, guard: FactsGuard) -> tuple[str, str] | None:
    what = "organisation.website"
    text = r.string(value, p, what, "https://www.example.org/")
    if text is None or not r.hidden(text, p, what):
        return None
    if any(c.isspace() for c in text):
        r.error(p, f"{what} '{visible(text)}' contains a space", "write the address without spaces")
        return None
    try:
        parts = urlsplit(text)
    except ValueError as exc:        # a bracket that opens no IPv6 address, and the like
        r.error(p, f"{what} '{visible(text)}' is not a web address ({exc})",
                "give the https:// address of the organisation's site, e.g. https://www.example.org/")
        return None
    if parts.scheme.lower() != "https":
        if parts.scheme.lower() == "http":
            r.error(p, f"{what} '{visible(text)}' is not https", "give the https:// address of the site")
        elif not parts.scheme or not parts.netloc:
            r.error(p, f"{what} '{visible(text)}' has no https:// in front", f"write https://{text}")
        else:
            r.error(p, f"{what}: the scheme '{visible(parts.scheme)}:' is not allowed", "give an https:// address")
        return None
    if "@" in parts.netloc:
        r.error(p, f"{what} '{visible(text)}' has a user name in it (before '@')",
                "remove it: an address with user@host can hide where it leads")
        return None
    try:
        port = parts.port
    except ValueError:
        r.error(p, f"{what} '{visible(text)}' has an invalid port", "remove ':' and what follows the host")
        return None
    if port not in (None, 443):
        r.error(p, f"{what} '{visible(text)}' uses the port {port}", "give the site's address without a port")
        return None
    host = parts.hostname or ""
    hosts = _host(r, host, p, what, guard)
    if hosts is None:
        return None
    ahost, uhost = hosts
    path = parts.path or "/"
    rest = unquote(path + ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else ""))
    hidden = invisible_findings(rest, typed=True)
    if hidden:
        r.error(p, f"{what}: {hidden[0].message}", hidden[0].hint)
        return None
    named = names_campaign(guard, r.facts, rest)
    if named:
        r.error(p, f"{what} '{visible(text)}' names the campaign's {named} after its host",
                "give the organisation's own page; the campaign's addresses and numbers are printed from "
                "content/campaign.yaml")
        return None
    url = urlunsplit(("https", ahost, quote(path, safe="/%:@!$&'()*+,;=-._~"),
                      quote(parts.query, safe="=&%:@!$'()*+,;/?-._~"), ""))
    shown_host = uhost if all(_label_scripts_ok(l) for l in uhost.split(".")) else ahost
    display = shown_host + ("" if path == "/" else path) + (f"?{parts.query}" if parts.query else "")
    return url, display


_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def _email(r: _Reader, value: Any, p: tuple, guard: FactsGuard) -> str | None:
    what = "organisation.email"
    text = r.string(value, p, what, "contact@example.org")
    if text is None or not r.hidden(text, p, what):
        return None
    if text.lower().startswith("mailto:"):
        r.error(p, f"{what} starts with mailto:", f"write the address alone: {text[7:]}")
        return None
    norm = unicodedata.normalize("NFKC", text)
    if any(c.isspace() for c in norm) or norm.count("@") != 1:
        r.error(p, f"{what} '{visible(text)}' is not one e-mail address",
                "write one address such as contact@example.org, without spaces")
        return None
    local, domain = norm.split("@")
    if not _LOCAL.fullmatch(local) or len(local) > 64:
        r.error(p, f"{what}: '{visible(local)}' is not a valid e-mail user name",
                "use ASCII letters, digits and . _ - + (no dot at the start or end, none twice)")
        return None
    named = names_campaign(guard, r.facts, local)
    if named:
        r.error(p, f"{what}: the user name '{visible(local)}' names the campaign's {named}",
                "give the organisation's own address; the campaign's addresses are printed from "
                "content/campaign.yaml")
        return None
    hosts = _host(r, domain, p, what, guard)
    if hosts is None:
        return None
    address = f"{local}@{hosts[1]}"
    if len(address) > 254:
        r.error(p, f"{what} is longer than 254 characters", "check the address")
        return None
    return address


_LINE_ID = re.compile(r"@?[a-z0-9._-]{1,20}")


def _line_id(r: _Reader, value: Any, p: tuple, guard: FactsGuard) -> str | None:
    what = "organisation.line_id"
    if isinstance(value, int) and not isinstance(value, bool):
        r.error(p, f"{what} must be text, but YAML reads {value!r} as a number", f'put it in double quotes: "{value}"')
        return None
    text = r.string(value, p, what, "@example-ngo")
    if text is None or not r.hidden(text, p, what):
        return None
    if not _LINE_ID.fullmatch(text.lower()):
        r.error(p, f"{what} '{visible(text)}' is not a LINE ID",
                "a LINE ID is up to 20 letters, digits, '.', '-' or '_', with @ in front for an official account")
        return None
    official = official_like(r.facts, text)
    if official is not None and len(_phone_digits(text)[0]) >= 3:
        r.error(p, f"{what} '{visible(text)}' is the campaign's {official} number",
                "give the organisation's own LINE ID")
        return None
    named = names_campaign(guard, r.facts, text.lstrip("@"))
    if named:
        r.error(p, f"{what} '{visible(text)}' names the campaign's {named}", "give the organisation's own LINE ID")
        return None
    return text.lower()


def _postal_code(r: _Reader, value: Any, p: tuple) -> str | None:
    import phonenumbers
    what = "organisation.postal_code"
    if isinstance(value, int) and not isinstance(value, bool):
        r.error(p, f"{what} must be text, but YAML reads {value!r} as a number (and drops a leading 0)",
                'put it in double quotes, e.g. "160-0023"')
        return None
    text = r.string(value, p, what, '"160-0023"')
    if text is None or not r.hidden(text, p, what):
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    if s[:1] in _guard._POSTAL_MARKS:
        s = s[1:].strip()
    chars = ["-" if _guard._is_dash(c) else (str(digit_value(c)) if digit_value(c) is not None else c) for c in s]
    s = "".join(chars)
    m = re.fullmatch(r"([0-9]{3})-?([0-9]{4})", s)
    if not m:
        digits = "".join(c for c in s if c.isdigit())
        try:
            phone = phonenumbers.is_valid_number(phonenumbers.parse(s if s.startswith("+") else digits, "JP"))
        except phonenumbers.NumberParseException:
            phone = False
        if phone:
            r.error(p, f"{what} '{visible(text)}' is a phone number, not a postal code",
                    "put phone numbers under organisation.phones; a postal code is 〒123-4567")
        else:
            r.error(p, f"{what} '{visible(text)}' is not a Japanese postal code",
                    "write seven digits, e.g. 160-0023 (〒 is added when it is printed)")
        return None
    if m.group(1) == "000":
        r.error(p, f"{what} '{visible(text)}' is not a Japanese postal code (none starts with 000)",
                "check the code")
        return None
    return f"〒{m.group(1)}-{m.group(2)}"


def _spoken(r: _Reader, value: Any, p: tuple) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        r.error(p, f"organisation.languages_spoken must be a list of language tags, not {_kind(value)}",
                "write e.g. languages_spoken: [ja, en, tl]")
        return ()
    out: list[str] = []
    for i, tag in enumerate(value):
        ip = p + (i,)
        if not isinstance(tag, str):
            r.error(ip, f"a spoken language must be a tag such as 'tl', not {_kind(tag)}")
            continue
        t = canonical(tag)
        problem = tag_problem(t)
        if problem:
            r.error(ip, problem, "use a BCP 47 tag, e.g. ja, en, tl, pt-BR, zh-Hans")
            continue
        if t in out:
            r.error(ip, f"the spoken language '{t}' is listed twice", "list each language once")
            continue
        out.append(t)
    return tuple(out)


# ------------------------------------------------------------------- the sample

SAMPLE_SPEC = """\
# A local batch: the official leaflets with an organisation's own contact
# block in the design's local-contact slot.  Build it with:
#     leaflets batch THIS-FILE.yaml
# Everything else on the leaflets is the official design and the campaign
# facts of content/campaign.yaml (the hotline, the report address, the
# agencies): a batch cannot change them, and a spec that tries is refused.

# The batch's name: the folder output/batches/<id>/ (lower-case letters,
# digits and '-'; the file name is used when this is left out).
id: sample-ngo

organisation:
  # One name for every language, or one per language with a default:
  #   name: {default: Sample Support Centre, ja: サンプル支援センター}
  name:
    default: Sample Support Centre
    ja: サンプル支援センター
  # Local numbers, in double quotes, as they are written.  Japanese numbers
  # are printed in the national form, others with + and the country code.
  # The campaign's own numbers are printed from campaign.yaml and cannot be
  # given here.
  phones:
    - number: "03-1234-5678"
      label: Office
  website: https://www.example.org/        # https only
  email: contact@example.org
  line_id: "@example-ngo"
  postal_code: "160-0023"                  # printed as 〒160-0023
  address:
    default: 1-2-3 Nishi-Shinjuku, Shinjuku-ku, Tokyo
    ja: 東京都新宿区西新宿1-2-3
  hours:
    default: Mon–Fri 10:00–17:00
    ja: 月〜金 10:00〜17:00
  # The languages spoken at the office (BCP 47 tags).
  languages_spoken: [ja, en, tl, th]
  # An optional logo, PNG or SVG, in this spec's folder:
  # logo: logo.svg

# What to build: the project's languages, formats (designs) and editions.
# editions may be left out: print is built.
languages: [ja, en, tl, th]
formats: [a4-leaflet]
editions: [print, online]

# Copies to print of each file: one number, or per format / per language
# (a language's count wins over its format's):
#   copies: {default: 100, formats: {a4-leaflet: 200}, languages: {ja: 300}}
copies: 100

# A distribution tag for the QR code, if campaign.yaml allows one
# (qr_tag: allowed: true).  It says WHERE the leaflets are handed out, never
# who reads them: anything that looks like an e-mail, a number or a name is
# refused.
# qr_tag: shinjuku-station
"""
