"""Load a project folder (content/) into the model, checking everything.

Every problem becomes a diagnostic with the file, the line and a hint; loading
goes on past an error so that one run reports them all.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ContentError, Diagnostics
from .formats import (CAP_HEIGHT, ISO_B, NEAR_M, PAPER, PX_MM, ROLES, SCREEN, pictogram_floor_mm, role_floor_pt,
                      screen_floor_pt, why_floor, why_screen_floor)
from .schema import (DRAFT_MARK_POSITIONS, EDITIONS, PAPER_EDITIONS, REVIEW_STATUSES, SCREEN_EDITIONS,
                     SOURCE_LANGUAGE, Color, Design, DraftMark, Facts,
                     Language, Link, PageSpec, Pictogram, Project, QrTagRule, Region, Style, Text, TextItem)
from .guard import FactsGuard, check_ascii_fact, url_key
from .tags import tag_problem
from .yamlsrc import Source, YamlError, load_yaml

_SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")
_COLOR_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")

LANGUAGE_KEYS = {"tag", "name", "native_name", "script", "direction", "review"}
REVIEW_KEYS = {"status", "note", "reviewer", "date"}
# language.translation (optional): who translated last, when, with which tool (kept by translations import)
TRANSLATION_KEYS = {"translator", "date", "tool"}
TEXT_KEYS = {"text", "source", "note"}


def language_tag_problem(tag: Any) -> str | None:
    """Why ``tag`` is not a usable BCP 47 tag naming a real language, or None."""
    return tag_problem(tag)


def _digits(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", s) if ch.isdigit())


def _norm_url(s: str) -> str:
    return url_key(unicodedata.normalize("NFKC", s).strip().rstrip(".,;:!?)）」』。、"))


class _Checker:
    """Type checks on one source file that report into shared diagnostics."""

    def __init__(self, src: Source, diags: Diagnostics):
        self.src = src
        self.diags = diags

    def error(self, path: tuple, message: str, hint: str | None = None) -> None:
        self.diags.error(message, self.src.path, self.src.line(*path), hint)

    def where(self, path: tuple) -> int | None:
        """The line a value at ``path`` is recorded with (a component's part: where it is used)."""
        return self.src.line(*path)

    def part(self, path: tuple) -> str | None:
        """For a component's part: "component 'name' (file:line)"; None for the design's own values."""
        return None

    def mapping(self, value: Any, path: tuple, what: str) -> dict | None:
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping of keys to values, not {_kind(value)}",
                       "write 'key: value' lines indented under it")
            return None
        return value

    def keys(self, value: dict, path: tuple, allowed: set[str], required: set[str], what: str) -> None:
        for key in value:
            if key not in allowed:
                close = _closest(str(key), allowed)
                self.error(path + (key,), f"unknown key '{key}' in {what}",
                           f"did you mean '{close}'?" if close else f"allowed keys: {', '.join(sorted(allowed))}")
        for key in sorted(required - set(value)):
            self.error(path, f"missing key '{key}' in {what}", f"add '{key}:' under {what}")

    def text(self, value: Any, path: tuple, what: str, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.error(path, f"{what} must be text, but YAML reads {value!r} as a number",
                       f"put it in double quotes: \"{value}\"")
            return None
        if not isinstance(value, str):
            self.error(path, f"{what} must be text, not {_kind(value)}",
                       "write the text after the colon; put it in double quotes if it starts with [ { or contains ': '"
                       if not isinstance(value, (bool, date)) else
                       f"YAML reads {value!r} as {_kind(value)}: put the text in double quotes")
            return None
        s = value
        if required and not s.strip():
            self.error(path, f"{what} is empty", "write the text after the colon")
            return None
        return s

    def number(self, value: Any, path: tuple, what: str, default: float | None = None,
               minimum: float | None = None, maximum: float | None = None, whole: bool = False,
               unit: str = "") -> float | None:
        """``value`` as a float, checked to be a finite number from ``minimum`` to ``maximum``
        (a whole number if ``whole``); on any problem an error and ``default``."""
        if value is None:
            if default is None:
                self.error(path, f"{what} is missing")
            return default
        example = "such as 12" if whole else "such as 12 or 3.5"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(path, f"{what} must be {'a whole number' if whole else 'a number'}, not {_kind(value)}",
                       f"write a plain number {example}")
            return default
        if isinstance(value, float) and not math.isfinite(value):
            self.error(path, f"{what} must be a finite number, not {value}", f"write a plain number {example}")
            return default
        if whole and not (isinstance(value, int) or value.is_integer()):
            self.error(path, f"{what} must be a whole number, not {value}", "write it without a decimal point")
            return default
        low = minimum is not None and value < minimum
        high = maximum is not None and value > maximum
        if low or high:
            if minimum is not None and maximum is not None:
                rule = f"from {_num(minimum)} to {_num(maximum)}{unit}"
            elif minimum is not None:
                rule = f"at least {_num(minimum)}{unit}"
            else:
                rule = f"at most {_num(maximum)}{unit}"
            self.error(path, f"{what} must be {rule}, not {_num(value)}", f"use a number {rule}")
            return default
        return float(value)


def _num(x: float) -> str:
    """A number as a person writes it: 10, 2.5, and long ones shortened."""
    if isinstance(x, int) and not isinstance(x, bool):
        digits = str(abs(x))
        text = str(x) if len(digits) <= 15 else f"{str(x)[:6]}… ({len(digits)} digits)"
    else:
        text = f"{x:g}"
    return text


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _closest(word: str, options: set[str]) -> str | None:
    import difflib
    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.7)
    return found[0] if found else None


def _open(path: Path, diags: Diagnostics, what: str, text: str | None = None) -> tuple[_Checker, dict] | None:
    """Load a YAML file whose top level must be a mapping; problems go to ``diags``."""
    try:
        src = load_yaml(path, text)
    except YamlError as exc:
        diags.items.append(exc.diagnostic)
        return None
    c = _Checker(src, diags)
    data = c.mapping(src.data, (), what)
    return None if data is None else (c, data)


# --------------------------------------------------------------------------- facts

def _phone_fact(c: _Checker, value: Any, path: tuple, what: str) -> tuple[str, str] | None:
    """An official number (display, dial, free_call), validated with phonenumbers."""
    import phonenumbers
    v = c.mapping(value, path, what)
    if v is None:
        return None
    c.keys(v, path, {"display", "dial", "free_call"}, {"display", "dial"}, what)
    display = c.text(v.get("display"), path + ("display",), f"{what}.display")
    dial = c.text(v.get("dial"), path + ("dial",), f"{what}.dial")
    free_call = v.get("free_call", False)
    if not isinstance(free_call, bool):
        c.error(path + ("free_call",), f"{what}.free_call must be true or false")
    if not display or not dial:
        return None
    ok = True
    for key, form in (("display", display), ("dial", dial)):
        for finding in check_ascii_fact(form):
            c.error(path + (key,), f"{what}.{key}: {finding.message}", finding.hint)
            ok = False
    if not ok:
        return None
    if not re.fullmatch(r"[0-9][0-9 ()-]*[0-9]", display):
        c.error(path + ("display",), f"{what}.display '{display}' must be digits with spaces, hyphens or "
                "parentheses between them", "write it as readers see it, e.g. 0120-924-839")
        return None
    if not re.fullmatch(r"\+?[0-9]+", dial):
        c.error(path + ("dial",), f"{what}.dial '{dial}' must be digits, optionally after +",
                "write the number as dialled, e.g. +81120924839")
        return None
    short = len(_digits(display)) <= 4
    if short:
        # emergency and service numbers (110, 118, #9110) are short numbers
        if not phonenumbers.is_valid_short_number_for_region(phonenumbers.parse(display, "JP"), "JP"):
            c.error(path + ("display",), f"{what}.display '{display}' is not a valid short number in Japan")
            return None
        if _digits(dial) != _digits(display):
            c.error(path + ("dial",), f"{what}.dial '{dial}' is not the same number as {what}.display '{display}'")
            return None
        return display, dial
    shown = phonenumbers.parse(display, "JP")
    if not phonenumbers.is_valid_number(shown):
        c.error(path + ("display",), f"{what}.display '{display}' is not a valid Japanese phone number",
                "check every digit against the official source")
        return None
    try:
        dialled = phonenumbers.parse(dial, "JP")
    except phonenumbers.NumberParseException:
        dialled = None
    if dialled is None or (dialled.country_code, dialled.national_number) != \
            (shown.country_code, shown.national_number):
        e164 = phonenumbers.format_number(shown, phonenumbers.PhoneNumberFormat.E164)
        c.error(path + ("dial",), f"{what}.dial '{dial}' is not the same number as {what}.display '{display}'",
                f"the dial form of {display} is {e164}")
        return None
    if free_call and phonenumbers.number_type(shown) != phonenumbers.PhoneNumberType.TOLL_FREE:
        c.error(path + ("free_call",), f"{what} is marked free_call, but {display} is not a toll-free number",
                "check the number, or remove free_call: true")
        return None
    return display, dial


def load_facts(path: Path, diags: Diagnostics) -> Facts | None:
    opened = _open(path, diags, "the campaign file")
    if opened is None:
        return None
    c, data = opened
    before = len(diags.errors)
    c.keys(data, (), {"campaign", "hotline", "numbers", "links", "agencies", "qr_tag"},
           {"campaign", "hotline", "links", "agencies"}, "the campaign file")
    camp = c.mapping(data.get("campaign", {}), ("campaign",), "campaign") or {}
    c.keys(camp, ("campaign",), {"id", "title", "author", "subject", "edition"}, {"id", "title"}, "campaign")
    display, dial = _phone_fact(c, data.get("hotline", {}), ("hotline",), "hotline") or ("", "")
    other_numbers: dict[str, tuple[str, str]] = {}
    for name, value in (c.mapping(data.get("numbers", {}), ("numbers",), "numbers") or {}).items():
        if name == "hotline" or not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
            c.error(("numbers", name), f"numbers: '{name}' is not a usable name",
                    "name each number with lower-case letters, digits or _ (the hotline has its own key)")
            continue
        forms = _phone_fact(c, value, ("numbers", name), f"numbers.{name}")
        if forms:
            other_numbers[str(name)] = forms
    links: dict[str, Link] = {}
    ldata = c.mapping(data.get("links", {}), ("links",), "links") or {}
    for name, value in ldata.items():
        lv = c.mapping(value, ("links", name), f"links.{name}")
        if lv is None:
            continue
        c.keys(lv, ("links", name), {"url", "display"}, {"url", "display"}, f"links.{name}")
        url = c.text(lv.get("url"), ("links", name, "url"), f"links.{name}.url")
        disp = c.text(lv.get("display"), ("links", name, "display"), f"links.{name}.display")
        for key, form in (("url", url), ("display", disp)):
            for finding in check_ascii_fact(form or ""):
                c.error(("links", name, key), f"links.{name}.{key}: {finding.message}", finding.hint)
        if url and not re.fullmatch(r"https://[^\s/]+\.[^\s/]+(/\S*)?", url):
            c.error(("links", name, "url"), f"links.{name}.url '{url}' is not an https:// address")
        if url and disp and _norm_url(disp) != _norm_url(url):
            c.error(("links", name, "display"), f"links.{name}.display '{disp}' does not match its url '{url}'")
        if url and disp:
            links[str(name)] = Link(url, disp)
    if "report" not in links and "report" not in ldata:
        c.error(("links",), "missing links.report: the QR code's target", "add links: report: url: https://...")
    agencies: list[str] = []
    alist = data.get("agencies", [])
    if not isinstance(alist, list):
        c.error(("agencies",), f"agencies must be a list, not {_kind(alist)}")
        alist = []
    for i, a in enumerate(alist):
        av = c.mapping(a, ("agencies", i), "an agency")
        if av is None:
            continue
        c.keys(av, ("agencies", i), {"id"}, {"id"}, "an agency")
        aid = c.text(av.get("id"), ("agencies", i, "id"), "agency id")
        if aid and not re.fullmatch(r"[a-z][a-z0-9_]*", aid):
            c.error(("agencies", i, "id"), f"agency id '{aid}' must be lower-case letters, digits or _")
        elif aid in agencies:
            c.error(("agencies", i, "id"), f"agency id '{aid}' is listed twice")
        elif aid:
            agencies.append(aid)
    qr_tag = _qr_tag_rule(c, data.get("qr_tag"), links.get("report"))
    if len(diags.errors) > before:
        return None
    return Facts(campaign_id=str(camp.get("id")), title=str(camp.get("title")), author=str(camp.get("author", "")),
                 subject=str(camp.get("subject", "")), edition=str(camp.get("edition", "")),
                 hotline_display=display, hotline_dial=dial, links=links, agencies=tuple(agencies), path=path,
                 other_numbers=other_numbers, qr_tag=qr_tag)


_QUERY_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,31}")


def _qr_tag_rule(c: _Checker, value: Any, report: Link | None) -> QrTagRule:
    """campaign.yaml ``qr_tag``: whether a batch may add a distribution tag to the QR's URL,
    the query parameter it uses and the pattern of its value (off when not written)."""
    if value is None:
        return QrTagRule()
    v = c.mapping(value, ("qr_tag",), "qr_tag")
    if v is None:
        return QrTagRule()
    c.keys(v, ("qr_tag",), {"allowed", "parameter", "pattern"}, {"allowed"}, "qr_tag")
    default = QrTagRule()
    allowed = v.get("allowed", False)
    if not isinstance(allowed, bool):
        c.error(("qr_tag", "allowed"), f"qr_tag.allowed must be true or false, not {_kind(allowed)}",
                "write allowed: false (no tag) or allowed: true")
        allowed = False
    parameter = c.text(v.get("parameter", default.parameter), ("qr_tag", "parameter"), "qr_tag.parameter")
    if parameter is not None and not _QUERY_KEY.fullmatch(parameter):
        c.error(("qr_tag", "parameter"), f"qr_tag.parameter '{parameter}' is not a usable query parameter name",
                "use an ASCII letter, then up to 31 letters, digits, '_', '.' or '-', e.g. src")
        parameter = None
    if parameter and report is not None:
        from urllib.parse import parse_qsl, urlsplit
        if any(k == parameter for k, _v in parse_qsl(urlsplit(report.url).query, keep_blank_values=True)):
            c.error(("qr_tag", "parameter"), f"links.report already has a query parameter '{parameter}'",
                    "name another parameter for the tag, or remove it from links.report.url")
            parameter = None
    pattern = c.text(v.get("pattern", default.pattern), ("qr_tag", "pattern"), "qr_tag.pattern")
    if pattern is not None:
        if len(pattern) > 200:
            c.error(("qr_tag", "pattern"), "qr_tag.pattern is longer than 200 characters",
                    "a tag's pattern is short, e.g. [a-z0-9-]{1,24}")
            pattern = None
        else:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                c.error(("qr_tag", "pattern"), f"qr_tag.pattern is not a valid regular expression: {exc}",
                        "write a Python regular expression the whole tag must match, e.g. [a-z0-9-]{1,24}")
                pattern = None
            else:
                if compiled.fullmatch(""):
                    c.error(("qr_tag", "pattern"), "qr_tag.pattern matches an empty tag",
                            "require at least one character, e.g. [a-z0-9-]{1,24}")
                    pattern = None
    if parameter is None or pattern is None:
        return QrTagRule()
    return QrTagRule(allowed=allowed, parameter=parameter, pattern=pattern)


# ------------------------------------------------------------------------ languages

def load_language(path: Path, diags: Diagnostics, text: str | None = None) -> Language | None:
    opened = _open(path, diags, "a language file", text)
    if opened is None:
        return None
    c, data = opened
    before = len(diags.errors)
    c.keys(data, (), {"language", "strings"}, {"language", "strings"}, "a language file")
    meta = c.mapping(data.get("language", {}), ("language",), "language") or {}
    c.keys(meta, ("language",), LANGUAGE_KEYS | {"translation"}, LANGUAGE_KEYS, "language")
    if "translation" in meta:
        done = c.mapping(meta["translation"], ("language", "translation"), "language.translation") or {}
        c.keys(done, ("language", "translation"), TRANSLATION_KEYS, set(), "language.translation")
        for k in sorted(TRANSLATION_KEYS & set(done)):
            c.text(done[k], ("language", "translation", k), f"language.translation.{k}", required=False)
    tag = meta.get("tag")
    problem = language_tag_problem(tag)
    if "tag" in meta and problem:
        c.error(("language", "tag"), problem, "see https://www.rfc-editor.org/info/bcp47")
    elif isinstance(tag, str) and tag != path.stem:
        c.error(("language", "tag"), f"the tag '{tag}' does not match the file name '{path.name}'",
                f"rename the file to {tag}.yaml, or set tag: {path.stem}")
    name = c.text(meta.get("name"), ("language", "name"), "language.name") if "name" in meta else None
    native = c.text(meta.get("native_name"), ("language", "native_name"), "language.native_name") \
        if "native_name" in meta else None
    # the names are printed (slug line, proof sheet): no numbers, addresses or hidden characters in them
    for key, value in (("name", name), ("native_name", native)):
        for f in FactsGuard((), ()).check(value or "", rtl=meta.get("direction") == "rtl"):
            c.error(("language", key), f"language.{key}: {f.message}", f.hint)
    script = meta.get("script")
    if "script" in meta and (not isinstance(script, str) or not _SCRIPT.match(script) or
                             not _known_script(script)):
        c.error(("language", "script"), f"script '{script}' is not an ISO 15924 code",
                "use a four-letter code such as Latn, Jpan, Thai, Hans, Hant, Kore, Cyrl, Deva, Mymr, Khmr, Arab")
    direction = meta.get("direction")
    if "direction" in meta and direction not in ("ltr", "rtl"):
        c.error(("language", "direction"), f"direction must be ltr or rtl, not '{direction}'")
    review = c.mapping(meta.get("review", {}), ("language", "review"), "language.review") or {}
    c.keys(review, ("language", "review"), REVIEW_KEYS, {"status"}, "language.review")
    status = review.get("status")
    if "status" in review and status not in REVIEW_STATUSES:
        c.error(("language", "review", "status"), f"review status '{status}' is not one of {', '.join(REVIEW_STATUSES)}",
                "a translation nobody has reviewed is 'draft'")
    if status == "source" and tag != SOURCE_LANGUAGE:
        c.error(("language", "review", "status"), f"only the source language ({SOURCE_LANGUAGE}) has status 'source'",
                "use draft or reviewed")
    _check_review(c, review, status)
    strings: dict[str, Text] = {}
    sdata = c.mapping(data.get("strings", {}), ("strings",), "strings") or {}
    for key, value in sdata.items():
        p = ("strings", key)
        key = str(key)
        if isinstance(value, dict):
            c.keys(value, p, TEXT_KEYS, {"text"}, f"strings.{key}")
            txt = c.text(value.get("text"), p + ("text",), f"strings.{key}.text", required=False)
            source = c.text(value.get("source"), p + ("source",), f"strings.{key}.source", required=False)
            note = c.text(value.get("note"), p + ("note",), f"strings.{key}.note", required=False)
        else:
            txt = c.text(value, p, f"strings.{key}", required=False)
            source = note = None
        if txt is None:
            txt = ""
        strings[key] = Text(key, txt.strip(), source.strip() if source else None, note, c.src.line(*p))
    if len(diags.errors) > before:
        return None
    return Language(tag=tag, name=name or tag, native_name=native or tag, script=script, direction=direction,
                    review_status=status, review_note=review.get("note"), strings=strings, path=path,
                    extra_review={k: v for k, v in review.items() if k not in ("status", "note")})


_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def _check_review(c: _Checker, review: dict, status: Any) -> None:
    """A reviewed language says who reviewed it and when; a date is a real calendar date."""
    import datetime
    where = ("language", "review")
    if status == "reviewed":
        for key, what in (("reviewer", "who reviewed it (reviewer: <name>)"),
                          ("date", "when (date: YYYY-MM-DD)")):
            if key not in review or review[key] is None or (isinstance(review[key], str) and not review[key].strip()):
                c.error(where + ((key,) if key in review else ()),
                        f"a language with review status 'reviewed' needs language.review.{key}",
                        f"write {what} under language.review, or set status: draft until it is reviewed")
    reviewer = review.get("reviewer")
    if reviewer is not None and not isinstance(reviewer, str):
        c.error(where + ("reviewer",), f"language.review.reviewer must be text (a name), not {_kind(reviewer)}",
                "write the reviewer's name after the colon")
    date = review.get("date")
    if date is None or (isinstance(date, str) and not date.strip()):
        return
    if isinstance(date, datetime.datetime) or not isinstance(date, (datetime.date, str)):
        c.error(where + ("date",), f"language.review.date must be a date written YYYY-MM-DD, not {_kind(date)}",
                "e.g. date: 2025-03-14")
        return
    if isinstance(date, str):
        m = _ISO_DATE.match(date.strip())
        try:
            if m is None:
                raise ValueError("not YYYY-MM-DD")
            datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            c.error(where + ("date",), f"language.review.date '{date}' is not a real date written YYYY-MM-DD",
                    "e.g. date: 2025-03-14 (year, month 01-12, day of that month)")


# characters of one string: the longest shipped string has about 210, and no box of the designs holds more
# than a few hundred even at its smallest size; a longer text is a slip (a paste gone wrong), refused before
# it is shaped, broken and fitted (work that grows with the square of its length)
MAX_STRING = 2000


def _known_script(code: str) -> bool:
    """Whether ``code`` is a script CLDR names (ISO 15924: Unicode's scripts and Jpan, Kore, Hans, Hant …)."""
    from babel import Locale
    return code in Locale("en").scripts


def check_strings(language: Language, source: Language, facts: Facts, diags: Diagnostics,
                  guard: FactsGuard | None = None) -> None:
    """Checks of one language against the source language and the campaign facts.

    Every printed string goes through the
    facts guard; the English a string was translated from and the notes are
    checked for hidden and control characters.  (The language's names are
    checked by :func:`load_language`.)"""
    guard = guard or FactsGuard.from_facts(facts)
    rtl = language.direction == "rtl"
    for key, text in language.strings.items():
        if key not in source.strings and language is not source:
            close = _closest(key, set(source.strings))
            diags.error(f"unknown string key '{key}' (not in {source.tag}.yaml)", language.path, text.line,
                        f"did you mean '{close}'?" if close else "remove it, or add it to the source language first")
            continue
        if len(text.text) > MAX_STRING:
            diags.error(f"strings.{key} is {len(text.text)} characters long; a string has at most {MAX_STRING} "
                        f"(no box of the designs holds more than a few hundred)", language.path, text.line,
                        "check that the text was pasted once, and shorten it")
            continue
        for f in guard.check(text.text, rtl=rtl):
            diags.error(f"strings.{key}: {f.message}", language.path, text.line, f.hint, code="guard")
        for part, value in (("source", text.source), ("note", text.note)):
            for f in guard.check(value or "", rtl=False, printed=False):
                diags.error(f"strings.{key}.{part}: {f.message}", language.path, text.line, f.hint, code="guard")


# -------------------------------------------------------------------------- designs

# Ranges of a design's numbers.  Beyond them a value is a slip of the keyboard,
# not a design (and a page a metre high rendered at print resolution is not a
# leaflet); sizes are in mm unless they say pt.
PAGE_MM = (10, 1500)        # trim width and height (JIS B0 is 1030 x 1456)
BLEED_MM = (0, 20)
SLUG_MM = (0, 50)
SAFE_MM = (0, 50)
GRID_CELLS = (1, 500)       # columns and rows
FONT_PT = (4, 400)          # style size
MIN_FONT_PT = (5, 400)      # style min_size
STEP = (0.05, 50)           # a style's step: times the format's base size
BASE_PT = (4, 200)          # a format's base size
DISTANCE_M = (0.1, 50)      # reading distance
CAP_RATIO = (0.3, 1)        # cap height / size
LEADING = (0.8, 3)          # times the font size
PADDING_MM = (0, 500)
STROKE_PT = (0, 20)
RADIUS_MM = (0, 500)
GAP_MM = (0, 500)
PICTO_POINT = (-100, 200)   # pictogram canvas is 100 x 100; a point may lie a little outside
PICTO_SIZE = (0, 300)
PICTO_STROKE = (0, 50)
TOUCH_MM = 1.0              # a fill closer than this to the trim touches it: it bleeds, or a hairline shows

STYLE_KEYS = {"weight", "size", "min_size", "step", "min", "leading", "color", "align", "balance", "role", "fixed",
              "faces",
              "at_least"}
REGION_KEYS = {"id", "at", "fill", "stroke", "stroke_width", "radius", "bleed", "padding", "text", "valign",
               "pictogram", "pictogram_colors", "qr", "qr_color", "mirror", "fit", "slot", "alt"}
USE_KEYS = {"use", "with", "at"}
COMPONENT_KEYS = {"grid", "required", "defaults", "regions"}
DESIGN_KEYS = {"id", "title", "size", "orientation", "bleed", "slug", "safe", "grid", "type",
               "output_condition", "editions"}
PAGE_KEYS = {"name", "draft_mark", "regions"}
ITEM_KEYS = {"key", "fact", "agencies", "text", "style", "lang", "unless_lang", "link", "gap_before"}
SHAPE_KEYS = {"rect", "circle", "path", "r", "color", "stroke", "evenodd", "mirror"}
QR_LEVELS = ("L", "M", "Q", "H")
SLOTS = ("local-contact",)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}")
_PAGE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def _name(c: _Checker, v: dict, key: str, path: tuple, what: str, default: str | None = None) -> str | None:
    """``v[key]`` as a name (text), ``default`` when absent; an error when it is not text."""
    if key not in v:
        return default
    value = v[key]
    if isinstance(value, str) and value.strip():
        return value
    c.error(path + (key,), f"{what} must be a name written as text, not {_kind(value)}",
            f"write a name after '{key}:'")
    return None


def _flag(c: _Checker, v: dict, key: str, path: tuple, what: str, default: bool) -> bool:
    value = v.get(key, default)
    if not isinstance(value, bool):
        c.error(path + (key,), f"{what} must be true or false, not {_kind(value)}")
        return default
    return value


def _choice(c: _Checker, v: dict, key: str, path: tuple, what: str, options: tuple[str, ...]) -> str:
    value = v.get(key, options[0])
    if not isinstance(value, str) or value not in options:
        shown = f"'{value}'" if isinstance(value, (str, int, float)) and not isinstance(value, bool) else _kind(value)
        c.error(path + (key,), f"{what} must be {', '.join(options[:-1])} or {options[-1]}, not {shown}")
        return options[0]
    return value


def _color(c: _Checker, name: str, value: Any, path: tuple) -> Color | None:
    v = c.mapping(value, path, f"colour '{name}'")
    if v is None:
        return None
    c.keys(v, path, {"cmyk", "rgb"}, {"cmyk", "rgb"}, f"colour '{name}'")
    cmyk = v.get("cmyk")
    rgb = v.get("rgb")
    ok = True
    if not (isinstance(cmyk, list) and len(cmyk) == 4):
        c.error(path + ("cmyk",), f"colour '{name}': cmyk must be four percentages [C, M, Y, K] from 0 to 100, "
                                  f"not {_kind(cmyk)}" + (f" of {len(cmyk)}" if isinstance(cmyk, list) else ""))
        ok = False
    else:
        values = [c.number(x, path + ("cmyk", i), f"colour '{name}': cmyk {'CMYK'[i]}", minimum=0, maximum=100,
                           unit="%") for i, x in enumerate(cmyk)]
        if None in values:
            ok = False
        elif sum(values) > 300:
            c.error(path + ("cmyk",), f"colour '{name}': total ink {_num(sum(values))}% is over 300%",
                    "print shops limit total area coverage to 300% (some to 250%)")
            ok = False
        else:
            cmyk = values
    if not (isinstance(rgb, str) and _COLOR_HEX.match(rgb)):
        c.error(path + ("rgb",), f"colour '{name}': rgb must be written #RRGGBB")
        ok = False
    if not ok:
        return None
    return Color(name, tuple(x / 100 for x in cmyk), tuple(int(rgb[i:i + 2], 16) / 255 for i in (1, 3, 5)))


def _colors(c: _Checker, data: dict, colors: dict[str, Color]) -> None:
    """The colours of ``data['colors']`` into ``colors`` (a design's own ones over the shared ones)."""
    for name, value in (c.mapping(data.get("colors", {}), ("colors",), "colors") or {}).items():
        col = _color(c, str(name), value, ("colors", name))
        # a colour written wrong is still known, so what uses it (perhaps in another file) is not reported again
        colors[str(name)] = col or Color(str(name), (0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))


class _Routed(_Checker):
    """A style written partly in the shared type scale and partly in the design: each
    problem is reported in the file (and at the line) where its key is written."""

    def __init__(self, own: _Checker | None, shared: _Checker | None, own_keys: set):
        first = own or shared
        super().__init__(first.src, first.diags)
        self.own, self.shared, self.own_keys = own, shared, own_keys

    def _for(self, path: tuple) -> _Checker:
        if self.own is None:
            return self.shared
        if self.shared is None or len(path) < 3 or path[2] in self.own_keys:
            return self.own
        return self.shared

    def error(self, path: tuple, message: str, hint: str | None = None) -> None:
        self._for(path).error(path, message, hint)

    def where(self, path: tuple) -> int | None:
        return self._for(path).where(path)


@dataclass
class _TypeScale:
    """What a format needs to turn the shared type scale into sizes."""

    base: float = 10.0             # pt
    distance: float = 0.4          # m
    cap_height: float = CAP_HEIGHT
    screen_px: int | None = None   # a screen format's width in px: floors from what a phone shows


def _nearest(word: str, options) -> str | None:
    """The option ``word`` was probably meant to be: the same but for case, spaces or dashes, or the
    closest spelling."""
    import difflib

    def squash(x: str) -> str:
        return re.sub(r"[\s_-]+", "", x.casefold())
    for o in options:
        if squash(o) == squash(word):
            return o
    by = {squash(o): o for o in options}
    found = difflib.get_close_matches(squash(word), sorted(by), n=1, cutoff=0.6)
    return by[found[0]] if found else None


def _faces(c: _Checker, v: dict, p: tuple, what: str, weight: str,
           fonts: FontNames | None) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """A style's ``faces``: for text of a script, the families that set it (in order, each character
    from the first that has it) and optionally their weight, e.g.
    ``faces: {Jpan: [Noto Sans CJK JP, Noto Sans]}`` or ``faces: {Jpan: {families: …, weight: bold}}``.
    The scripts, families and weights are those of fonts/manifest.yaml."""
    if "faces" not in v:
        return ()
    fp = p + ("faces",)
    example = "e.g. faces: {Jpan: [Noto Sans CJK JP, Noto Sans]}"
    table = c.mapping(v["faces"], fp, f"{what}: faces")
    if table is None:
        return ()
    out = []
    for script, choice in table.items():
        sp = fp + (script,)
        script = str(script)
        if fonts is not None and script not in fonts.scripts:
            close = _nearest(script, fonts.scripts)
            c.error(sp, f"{what}: faces names the script '{script}', which has no stack in fonts/manifest.yaml",
                    (f"did you mean '{close}'? " if close else "") +
                    f"scripts with a stack: {', '.join(fonts.scripts)}")
            continue
        own_weight, wp = weight, sp
        if isinstance(choice, dict):
            c.keys(choice, sp, {"families", "weight"}, {"families"}, f"{what}: faces.{script}")
            if "weight" in choice:
                own_weight = _choice(c, choice, "weight", sp, f"{what}: faces.{script}.weight", ("regular", "bold"))
                wp = sp + ("weight",)
            families, fam_p = choice.get("families"), sp + ("families",)
        else:
            families, fam_p = choice, sp
        names = [families] if isinstance(families, str) else families
        if not isinstance(names, list) or not names or \
                not all(isinstance(n, str) and n.strip() for n in names):
            c.error(fam_p, f"{what}: faces.{script} must be a font family or a list of families, not "
                           f"{_kind(families)}", example)
            continue
        ok = True
        for i, fam in enumerate(names):
            where = fam_p + (i,) if isinstance(families, list) else fam_p
            if names.index(fam) != i:
                c.error(where, f"{what}: faces.{script} lists the family '{fam}' twice", "list each family once")
                ok = False
            elif fonts is not None and fam not in fonts.weights:
                close = _nearest(fam, fonts.weights)
                c.error(where, f"{what}: faces.{script}: no font of the family '{fam}' in fonts/manifest.yaml",
                        (f"did you mean '{close}'? " if close else "") +
                        f"families: {', '.join(fonts.weights)}")
                ok = False
            elif fonts is not None and own_weight not in fonts.weights[fam]:
                c.error(wp, f"{what}: faces.{script}: the family '{fam}' has no {own_weight} face in "
                            f"fonts/manifest.yaml (it has {', '.join(fonts.weights[fam])})",
                        f"choose a weight it has, or add its {own_weight} font to fonts/ and the manifest")
                ok = False
        if ok:
            out.append((script, tuple(names), own_weight))
    return tuple(out)


def _style(c: _Checker, name: str, value: Any, colors: dict, has_colors: bool,
           scale: _TypeScale | None = None, below: dict | None = None,
           fonts: "FontNames | None" = None) -> Style | None:
    """One style.  Its size is ``size`` (pt) or ``step`` (times the format's base size), its
    smallest size ``min_size`` (pt) or ``min`` (times the base); ``role`` says from how far it is
    read, and its smallest size is never below what reads from there (see formats.py)."""
    scale = scale or _TypeScale()
    p = ("styles", name)
    v = c.mapping(value, p, f"style '{name}'")
    if v is None:
        return None
    before = len(c.diags.errors)
    c.keys(v, p, STYLE_KEYS, set(), f"style '{name}'")
    what = f"style '{name}'"
    role = _choice(c, v, "role", p, f"{what}: role", ("body",) + tuple(r for r in ROLES if r != "body"))
    fixed = _flag(c, v, "fixed", p, f"{what}: fixed", False)

    def size_of(abs_key: str, rel_key: str, label: str, lo: tuple) -> float | None:
        if abs_key in v and rel_key in v:
            c.error(p + (rel_key,), f"{what} gives both {abs_key} (pt) and {rel_key} (times the base size)",
                    f"keep one of them: {abs_key}: in points, or {rel_key}: a step of the format's base "
                    f"({_num(scale.base)} pt)")
            return None
        if abs_key in v:
            return c.number(v[abs_key], p + (abs_key,), f"{what}: {abs_key}", minimum=lo[0], maximum=lo[1],
                            unit=" pt")
        if rel_key in v:
            step = c.number(v[rel_key], p + (rel_key,), f"{what}: {rel_key}", minimum=STEP[0], maximum=STEP[1],
                            unit=" (times the base size)")
            if step is None:
                return None
            pt = round(step * scale.base, 4)
            # a step below the smallest size is the role's floor's business (it raises a min, refuses a size)
            if pt > lo[1]:
                c.error(p + (rel_key,), f"{what}: {rel_key} {_num(step)} x the base size {_num(scale.base)} pt is "
                                        f"{_num(round(pt, 2))} pt; {label} must be from {_num(lo[0])} to "
                                        f"{_num(lo[1])} pt", f"use a {rel_key} from {_num(lo[0] / scale.base)} to "
                                                             f"{_num(round(lo[1] / scale.base, 3))}")
                return None
            return pt
        return None

    if "size" not in v and "step" not in v:
        c.error(p, f"missing key 'size' in {what}", f"add 'size:' (pt) or 'step:' (times the base size) "
                                                    f"under {what}")
        sz = None
    else:
        sz = size_of("size", "step", "a size", FONT_PT)
    if fixed and ("min_size" in v or "min" in v):
        key = "min_size" if "min_size" in v else "min"
        c.error(p + (key,), f"{what} is fixed: it never shrinks, so it has no {key}", f"remove {key}")
        mn = sz
    elif "min_size" in v or "min" in v:
        mn = size_of("min_size", "min", "a min_size", MIN_FONT_PT)
    else:
        mn = sz if fixed else min(6.0, sz or 6.0)
    if scale.screen_px:
        floor = screen_floor_pt(role, scale.screen_px, scale.cap_height)
        why = why_screen_floor(role, scale.screen_px, scale.cap_height)
    else:
        floor = role_floor_pt(role, scale.distance, scale.cap_height)
        why = why_floor(role, scale.distance, scale.cap_height)
    if sz is not None and sz < floor - 1e-9:
        # an error when a region sets text in it (a format need not use every style of the scale)
        key = "size" if "size" in v else "step"
        too_small = (c, p + (key,), f"{what} ({role}) is {_num(round(sz, 2))} pt, smaller than what this "
                                    f"format's readers read: {why}",
                     f"set it to {_num(floor)} pt or more (a larger step or base size), or give it another role")
        if below is None:
            c.error(*too_small[1:])
        else:
            below[name] = too_small
        mn = sz
    elif sz is not None and mn is not None and mn > sz:
        key = "min_size" if "min_size" in v else "min"
        c.error(p + (key,), f"{what}: min_size {_num(round(mn, 2))} is larger than size {_num(round(sz, 2))}",
                "min_size is the smallest size the text may shrink to, so it is at most size")
    elif mn is not None:
        mn = max(mn, floor)        # never below what reads from the format's distance
    leading = c.number(v.get("leading"), p + ("leading",), f"{what}: leading", default=1.25,
                       minimum=LEADING[0], maximum=LEADING[1], unit=" (times the size)")
    weight = _choice(c, v, "weight", p, f"{what}: weight", ("regular", "bold"))
    align = _choice(c, v, "align", p, f"{what}: align", ("start", "center", "end"))
    color = _name(c, v, "color", p, f"{what}: color", "black")
    if color is not None and color not in colors and has_colors:
        c.error(p + ("color",), f"{what}: unknown colour '{color}'",
                f"colours of this design: {', '.join(colors)}")
    balance = _flag(c, v, "balance", p, f"{what}: balance", False)
    _name(c, v, "at_least", p, f"{what}: at_least")
    faces = _faces(c, v, p, what, weight, fonts)
    if len(c.diags.errors) > before or sz is None or mn is None:
        return None
    return Style(name, weight, sz, mn, leading, color, align, balance, role, fixed, c.where(p), c.src.path, faces)


# ---------------------------------------------------------------- shared parts

@dataclass
class Shared:
    """The parts every design of a project is made from (``content/designs/shared/``):
    colours, the type scale and components, each with the checker of its file."""

    folder: Path | None = None
    colors: dict[str, Color] = field(default_factory=dict)
    cap_height: float = CAP_HEIGHT
    styles: dict[str, tuple[_Checker, Any]] = field(default_factory=dict)
    components: dict[str, tuple[_Checker, dict]] = field(default_factory=dict)
    broken: bool = False        # the components file could not be read as components: uses are not judged
    fonts: "FontNames | None" = None   # what fonts/manifest.yaml offers a style's faces (None: not known)


@dataclass(frozen=True)
class FontNames:
    """The names a style's ``faces`` may use: each family's weights, and the scripts that have a stack."""

    weights: dict[str, tuple[str, ...]]
    scripts: tuple[str, ...]


def font_names(manifest: Path) -> FontNames | None:
    """The families (with their weights) and stack scripts of a font manifest; None when it cannot be read
    (the font library reports that file's own problems)."""
    try:
        data = load_yaml(manifest).data
    except (YamlError, OSError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("fonts"), list):
        return None
    weights: dict[str, list[str]] = {}
    for row in data["fonts"]:
        if isinstance(row, dict) and isinstance(row.get("family"), str) and isinstance(row.get("weight"), str):
            weights.setdefault(row["family"], []).append(row["weight"])
    stacks = data.get("stacks")
    scripts = tuple(str(k) for k in stacks) if isinstance(stacks, dict) else ()
    return FontNames({k: tuple(v) for k, v in weights.items()}, scripts)


def load_shared(folder: Path, diags: Diagnostics, fonts: Path | None = None) -> Shared:
    """Read ``colors.yaml``, ``type.yaml`` and ``components.yaml`` from ``folder`` (each optional); a
    style's ``faces`` are checked against the font manifest ``fonts`` (default: the project's
    ``fonts/manifest.yaml``, three folders above ``folder``)."""
    shared = Shared(folder)
    manifest = fonts if fonts is not None else folder.parent.parent.parent / "fonts" / "manifest.yaml"
    shared.fonts = font_names(manifest) if manifest.is_file() else None
    if not folder.is_dir():
        return shared
    opened = _open(folder / "colors.yaml", diags, "the shared colours file") if (folder / "colors.yaml").exists() \
        else None
    if opened:
        c, data = opened
        c.keys(data, (), {"colors"}, {"colors"}, "the shared colours file")
        _colors(c, data, shared.colors)
    opened = _open(folder / "type.yaml", diags, "the type scale") if (folder / "type.yaml").exists() else None
    if opened:
        c, data = opened
        c.keys(data, (), {"cap_height", "styles"}, {"styles"}, "the type scale")
        shared.cap_height = c.number(data.get("cap_height"), ("cap_height",), "cap_height (of the size)",
                                     default=CAP_HEIGHT, minimum=CAP_RATIO[0], maximum=CAP_RATIO[1])
        for name, value in (c.mapping(data.get("styles", {}), ("styles",), "styles") or {}).items():
            # a style written wrong is reported (once) where a design resolves it, and stays known
            shared.styles[str(name)] = (c, value)
    opened = _open(folder / "components.yaml", diags, "the components file") \
        if (folder / "components.yaml").exists() else None
    shared.broken = opened is None and (folder / "components.yaml").exists()
    if opened:
        c, data = opened
        c.keys(data, (), {"components"}, {"components"}, "the components file")
        comps = c.mapping(data.get("components", {}), ("components",), "components")
        shared.broken = comps is None
        for name, value in (comps or {}).items():
            # a component written wrong is known (None), so its uses are not reported as well
            shared.components[str(name)] = (c, _component(c, str(name), value, shared.colors))
    return shared


def _component(c: _Checker, name: str, value: Any, colors: dict | None = None) -> dict | None:
    """A component's definition, checked as far as it can be without its parameters."""
    p = ("components", name)
    v = c.mapping(value, p, f"component '{name}'")
    if v is None:
        return None
    before = len(c.diags.errors)
    c.keys(v, p, COMPONENT_KEYS, {"grid", "regions"}, f"component '{name}'")
    grid = c.mapping(v.get("grid", {}), p + ("grid",), f"component '{name}': grid") or {}
    c.keys(grid, p + ("grid",), {"columns", "rows"}, {"columns", "rows"}, f"component '{name}': grid")
    cols = c.number(grid.get("columns"), p + ("grid", "columns"), f"component '{name}': grid.columns",
                    minimum=GRID_CELLS[0], maximum=GRID_CELLS[1], whole=True) if "columns" in grid else None
    rows = c.number(grid.get("rows"), p + ("grid", "rows"), f"component '{name}': grid.rows",
                    minimum=GRID_CELLS[0], maximum=GRID_CELLS[1], whole=True) if "rows" in grid else None
    required = v.get("required", [])
    if not isinstance(required, list) or not all(isinstance(x, str) and x for x in required):
        c.error(p + ("required",), f"component '{name}': required lists the names of its parameters",
                "e.g. required: [scenario, pictogram]")
        required = []
    defaults = c.mapping(v.get("defaults", {}), p + ("defaults",), f"component '{name}': defaults") or {}
    for k in defaults:
        if k in required:
            c.error(p + ("defaults", k), f"component '{name}': '{k}' is required and has a default",
                    "a parameter with a default is optional: remove it from required")
        problem = _param_problem(defaults[k])
        if problem:
            c.error(p + ("defaults", k), f"component '{name}': the default of '{k}' {problem}",
                    "e.g. radius: 3, padding: [3, 3, 3, 1], link: report")
    params = set(required) | {str(k) for k in defaults}
    regions = v.get("regions", [])
    if not isinstance(regions, list) or not regions:
        c.error(p + ("regions",), f"component '{name}': regions must be a list of its parts")
        regions = []
    for j, r in enumerate(regions):
        if isinstance(r, dict) and "use" in r:
            c.error(p + ("regions", j, "use"), f"component '{name}': a component cannot use another component",
                    "write the parts out here")
        for path, text in _strings(r, p + ("regions", j)):
            for m in _PLACEHOLDER.finditer(text):
                if m.group(1) not in params:
                    c.error(path, f"component '{name}': '{{{m.group(1)}}}' names no parameter of the component",
                            f"its parameters: {', '.join(sorted(params)) or 'none'}; add it to required or "
                            "defaults")
    if len(c.diags.errors) > before or cols is None or rows is None:
        return None
    # its parts as its defaults make them: what a required parameter gives is judged where it is used
    sample = {**defaults, **{k: "{" + k + "}" for k in required}}
    for j, r in enumerate(regions):
        cp = p + ("regions", j)
        used: dict = {}
        value = _substitute(r, sample, cp, used)
        used.pop("into text", None)
        _region(_DefinitionChecker(c, name, used, set(required)), value, cp, colors or {}, _AnyStyle(), None,
                (int(cols), int(rows)))
    if len(c.diags.errors) > before:
        return None
    return {"grid": (int(cols), int(rows)), "required": list(required), "defaults": dict(defaults),
            "params": params, "regions": regions}


def _param_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a component's parameter (a name, a number or a list of numbers), or None."""
    def number(x: Any) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and abs(x) <= 10_000
    if isinstance(value, str) and value.strip():
        return None
    if number(value):
        return None
    if isinstance(value, list) and value and all(number(x) for x in value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"must be a finite number of at most 10000, not {_num(value)}"
    return f"must be a name, a number or a list of numbers, not {_kind(value)}"


class _AnyStyle(dict):
    """Every style name is known: a component's parts are checked before a design gives the styles."""

    def __contains__(self, key) -> bool:
        return True


class _DefinitionChecker(_Checker):
    """Checks a component's parts with its defaults: a problem that a default causes is reported at the
    default (naming the part's line); a value a required parameter gives waits for the use."""

    def __init__(self, c: _Checker, name: str, used: dict, required: set):
        super().__init__(c.src, c.diags)
        self.name, self.used, self.required = name, used, required

    def error(self, path: tuple, message: str, hint: str | None = None) -> None:
        inside = [q for q in self.used if q[:len(path)] == path]      # a parameter inside the value at fault
        if inside:
            names = [n for q in inside for n in self.used[q]]
        else:                                                          # or the value is inside a parameter's
            above = next((path[:k] for k in range(len(path) - 1, 0, -1) if path[:k] in self.used), None)
            names = self.used[above] if above is not None else None
        if not names:
            super().error(path, message, hint)
        elif not any(n in self.required for n in names):
            part = self.src.line(*path)
            super().error(("components", self.name, "defaults", names[0]),
                          f"component '{self.name}': {message} (the part at line {part}, with the default "
                          f"'{names[0]}')", hint)


def _strings(value: Any, path: tuple):
    """Every text inside ``value`` (and its keys' paths)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, x in value.items():
            yield from _strings(x, path + (k,))
    elif isinstance(value, list):
        for i, x in enumerate(value):
            yield from _strings(x, path + (i,))


def _substitute(value: Any, params: dict, path: tuple, used: dict) -> Any:
    """``value`` with each ``{name}`` replaced by its parameter; a text that is only ``{name}`` takes the
    parameter's value as it is (a number stays a number).  ``used`` records which parameters each path took."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        names = [m.group(1) for m in _PLACEHOLDER.finditer(value) if m.group(1) in params]
        if names:
            used[path] = names
        if whole and whole.group(1) in params:
            return params[whole.group(1)]
        if any(isinstance(params[n], (list, dict, bool)) or params[n] is None for n in names):
            used.setdefault("into text", []).append(path)
        return _PLACEHOLDER.sub(lambda m: _text_of(params[m.group(1)]) if m.group(1) in params else m.group(0),
                                value)
    if isinstance(value, dict):
        return {k: _substitute(x, params, path + (k,), used) for k, x in value.items()}
    if isinstance(value, list):
        return [_substitute(x, params, path + (i,), used) for i, x in enumerate(value)]
    return value


def _text_of(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _UseChecker(_Checker):
    """Checks a component's part where a design uses it: each problem is reported at the
    use (the parameter's line when a parameter gave the value), naming the component's line."""

    def __init__(self, comp: _Checker, name: str, use: _Checker, use_path: tuple, used: dict, root: Path | None):
        super().__init__(comp.src, use.diags)
        self.comp, self.name, self.use, self.use_path, self.used = comp, name, use, use_path, used
        self.root = root

    def _comp_where(self, path: tuple) -> str:
        where = self.comp.src.path
        if self.root is not None:
            try:
                where = where.resolve().relative_to(self.root.resolve())
            except ValueError:
                pass
        return f"{where}:{self.comp.src.line(*path)}"

    def error(self, path: tuple, message: str, hint: str | None = None) -> None:
        at = self.use_path
        p = path
        while p:
            if p in self.used:
                at = self.use_path + ("with", self.used[p][0])
                break
            p = p[:-1]
        self.use.error(at, f"{message} (in component '{self.name}' at {self._comp_where(path)})", hint)

    def where(self, path: tuple) -> int | None:
        return self.use.where(self.use_path)

    def part(self, path: tuple) -> str | None:
        return f"component '{self.name}' ({self._comp_where(path)})"


# ---------------------------------------------------------------- a design

@dataclass
class _Frame:
    """What placing regions on one page of a design needs."""

    colors: dict
    styles: dict
    facts: Facts | None
    grid: tuple[int, int] | None          # the design's columns and rows
    cell: tuple[float, float] | None      # mm per grid cell
    size: tuple[float, float] | None      # trim, mm
    safe: float
    shared: Shared
    root: Path | None
    distance: float = NEAR_M                   # m: the reading distance
    seen: dict = field(default_factory=dict)   # region id -> where it was defined (for "used twice")


def _paper(c: _Checker, d: dict) -> tuple[float | None, float | None, str]:
    """The trim size: a named size (A4, JIS-B3, card) or {width, height} in mm, turned by orientation."""
    size = d.get("size", {})
    p = ("design", "size")
    name = ""
    if isinstance(size, str):
        name = size.strip()
        if name in PAPER:
            width, height = PAPER[name]
        elif name in SCREEN:
            # a screen format, in px: laid out at 72 dpi (1 pt = 1 px), never turned by orientation
            if "orientation" in d:
                c.error(("design", "orientation"), f"design.size {name} is a screen format of "
                        f"{SCREEN[name][0]} x {SCREEN[name][1]} px: it has no orientation", "remove orientation")
            return SCREEN[name][0] * PX_MM, SCREEN[name][1] * PX_MM, name
        else:
            hint = (f"named sizes: A0-A7, JIS-B0-JIS-B7, card, and the screen formats {', '.join(SCREEN)} (px); "
                    "or write {width: W, height: H} in mm")
            if name.upper() in ISO_B or name.upper().replace(" ", "") in ISO_B:
                b = name.upper().replace(" ", "")
                hint = (f"say which B size: JIS-{b} is {PAPER['JIS-' + b][0]} x {PAPER['JIS-' + b][1]} mm "
                        f"(Japanese printers), ISO {b} is {ISO_B[b][0]} x {ISO_B[b][1]} mm (write it as "
                        f"{{width: {ISO_B[b][0]}, height: {ISO_B[b][1]}}})")
            elif name.lower() in {k.lower() for k in PAPER} or _closest(name, set(PAPER)):
                close = next((k for k in PAPER if k.lower() == name.lower()), None) or _closest(name, set(PAPER))
                hint = f"did you mean '{close}'? " + hint
            c.error(p, f"design.size '{name}' is not a named size", hint)
            return None, None, name
        width, height = float(width), float(height)
    else:
        size = c.mapping(size, p, "design.size")
        if size is None:
            return None, None, ""
        c.keys(size, p, {"width", "height"}, {"width", "height"}, "design.size")
        width = c.number(size.get("width"), p + ("width",), "design.size.width", minimum=PAGE_MM[0],
                         maximum=PAGE_MM[1], unit=" mm") if "width" in size else None
        height = c.number(size.get("height"), p + ("height",), "design.size.height", minimum=PAGE_MM[0],
                          maximum=PAGE_MM[1], unit=" mm") if "height" in size else None
    if "orientation" in d:
        orientation = _choice(c, d, "orientation", ("design",), "design.orientation", ("portrait", "landscape"))
        if width is not None and height is not None and \
                (orientation == "landscape") != (width > height):
            width, height = height, width
    return width, height, name


def load_design(path: Path, diags: Diagnostics, facts: Facts | None, shared: Shared | None = None) -> Design | None:
    """A design file, over the shared parts in ``shared`` (read from ``designs/shared/`` beside it when not
    given).  Problems of the shared files themselves are reported by :func:`load_shared`."""
    if shared is None:
        shared = load_shared(path.parent / "shared", diags)
    local = Diagnostics()        # the design's own findings; shared styles may be judged by several designs
    design = _load_design(path, local, facts, shared)
    for d in local:
        diags.add_once(d)
    return design if not local.errors else None


def _load_design(path: Path, diags: Diagnostics, facts: Facts | None, shared: Shared) -> Design | None:
    opened = _open(path, diags, "a design file")
    if opened is None:
        return None
    c, data = opened
    root = path.parent.parent.parent if len(path.parents) >= 3 else None
    c.keys(data, (), {"design", "colors", "styles", "regions", "pages", "draft_mark"}, {"design"}, "a design file")
    d = c.mapping(data.get("design", {}), ("design",), "design") or {}
    c.keys(d, ("design",), DESIGN_KEYS, {"id", "title", "size", "grid"}, "design")
    did = c.text(d.get("id"), ("design", "id"), "design.id") or path.stem
    if did != path.stem:
        c.error(("design", "id"), f"the design id '{did}' does not match the file name '{path.name}'")
    title = c.text(d.get("title"), ("design", "title"), "design.title") if "title" in d else None
    width, height, paper = _paper(c, d) if "size" in d else (None, None, "")
    bleed = c.number(d.get("bleed"), ("design", "bleed"), "design.bleed", default=3.0, minimum=BLEED_MM[0],
                     maximum=BLEED_MM[1], unit=" mm")
    slug = c.number(d.get("slug"), ("design", "slug"), "design.slug", default=12.0, minimum=SLUG_MM[0],
                    maximum=SLUG_MM[1], unit=" mm")
    safe = c.number(d.get("safe"), ("design", "safe"), "design.safe", default=3.0, minimum=SAFE_MM[0],
                    maximum=SAFE_MM[1], unit=" mm")
    grid = c.mapping(d.get("grid", {}), ("design", "grid"), "design.grid")
    if grid is not None:
        c.keys(grid, ("design", "grid"), {"columns", "rows"}, {"columns", "rows"}, "design.grid")
    grid = grid or {}
    cols = c.number(grid.get("columns"), ("design", "grid", "columns"), "design.grid.columns",
                    minimum=GRID_CELLS[0], maximum=GRID_CELLS[1], whole=True) if "columns" in grid else None
    rows = c.number(grid.get("rows"), ("design", "grid", "rows"), "design.grid.rows",
                    minimum=GRID_CELLS[0], maximum=GRID_CELLS[1], whole=True) if "rows" in grid else None
    condition = _output_condition(c, d, root)
    tp = ("design", "type")
    type_ = c.mapping(d.get("type", {}), tp, "design.type") or {}
    c.keys(type_, tp, {"reading_distance", "base"}, set(), "design.type")
    scale = _TypeScale(
        base=c.number(type_.get("base"), tp + ("base",), "design.type.base (pt)", default=10.0, minimum=BASE_PT[0],
                      maximum=BASE_PT[1], unit=" pt"),
        distance=c.number(type_.get("reading_distance"), tp + ("reading_distance",),
                          "design.type.reading_distance (m)", default=NEAR_M, minimum=DISTANCE_M[0],
                          maximum=DISTANCE_M[1], unit=" m"),
        cap_height=shared.cap_height, screen_px=SCREEN[paper][0] if paper in SCREEN else None)
    editions = _editions(c, d, paper in SCREEN)
    colors: dict[str, Color] = dict(shared.colors)
    _colors(c, data, colors)
    below: dict = {}     # styles smaller than their role's floor: an error where a region uses one
    styles = _styles(c, data, colors, scale, shared, below)
    cell = (width / cols, height / rows) if width and height and cols and rows else None
    frame = _Frame(colors, styles, facts, (int(cols), int(rows)) if cols and rows else None, cell,
                   (width, height) if width and height else None, safe or 0.0, shared, root,
                   scale.distance or NEAR_M)
    if scale.screen_px:
        # on a screen the mark is read as body text is: at least the body floor (see formats.py)
        draft_low = screen_floor_pt("body", scale.screen_px, scale.cap_height)
        draft = _draft_mark(c, data, colors, ("draft_mark",), DraftMark(size=math.ceil(draft_low)),
                            (draft_low, 3 * draft_low))
    else:
        draft = _draft_mark(c, data, colors, ("draft_mark",), DraftMark())
    mark_sizes = (draft_low, 3 * draft_low) if scale.screen_px else (5.0, 12.0)
    regions: list[Region] = []
    pages: list[PageSpec] = []
    if "regions" in data and "pages" in data:
        c.error(("pages",), "a design has either regions (one page) or pages (each with its regions), not both",
                "move the regions under a page: pages: - name: front regions: ...")
    elif "pages" in data:
        plist = data["pages"]
        if not isinstance(plist, list) or not plist:
            c.error(("pages",), f"pages must be a list of pages, not {_kind(plist)}",
                    "write each page as '- name: front' with its regions under it")
            plist = []
        names: set[str] = set()
        for i, pv in enumerate(plist):
            pp = ("pages", i)
            pv = c.mapping(pv, pp, "a page")
            if pv is None:
                continue
            c.keys(pv, pp, PAGE_KEYS, {"name", "regions"}, "a page")
            name = _name(c, pv, "name", pp, "a page's name") or f"page-{i + 1}"
            if not _PAGE_NAME.match(name):
                c.error(pp + ("name",), f"page name '{name}' must be lower-case letters, digits or -",
                        "e.g. front, back")
            elif name in names:
                c.error(pp + ("name",), f"page name '{name}' is used twice")
            names.add(name)
            pages.append(PageSpec(name, _draft_mark(c, pv, colors, pp + ("draft_mark",), draft, mark_sizes),
                                  c.where(pp)))
            regions += _regions(c, pv.get("regions", []), pp + ("regions",), frame, i)
    elif "regions" in data:
        pages.append(PageSpec("front", draft, c.where(("regions",))))
        regions += _regions(c, data["regions"], ("regions",), frame, 0)
    else:
        c.error((), "missing key 'regions' in a design file", "add 'regions:' (one page) or 'pages:' (several)")
    for style in sorted({item.style for r in regions for item in r.text} & set(below)):
        checker, path, message, hint = below[style]
        used = next(r for r in regions if any(item.style == style for item in r.text))
        checker.error(path, f"{message}; region '{used.id}' of {did} sets text in it", hint)
    if len(diags.errors) or None in (width, height, cols, rows, bleed, slug, safe, scale.base, scale.distance):
        return None
    return Design(id=did, title=title or did, width=width, height=height, bleed=bleed, slug=slug, safe=safe,
                  columns=int(cols), rows=int(rows), colors=colors, styles=styles, regions=tuple(regions), path=path,
                  draft_mark=draft, pages=tuple(pages), reading_distance=scale.distance, base=scale.base,
                  paper=paper, output_condition=condition, editions=editions)


def _editions(c: _Checker, d: dict, screen: bool) -> tuple[str, ...]:
    """design.editions: what a build makes of the design.  A paper format's are the paper editions
    (print, online, png, html: all of them when not written); a screen format (a size in px) is built
    as social images only."""
    p = ("design", "editions")
    default = SCREEN_EDITIONS if screen else PAPER_EDITIONS
    if "editions" not in d:
        return default
    value = d.get("editions")
    if not isinstance(value, list) or not value:
        c.error(p, f"design.editions must be a list of editions, not {_kind(value)}",
                f"e.g. editions: [{', '.join(default)}]")
        return default
    out: list[str] = []
    for i, e in enumerate(value):
        if not isinstance(e, str) or e not in EDITIONS:
            close = _closest(str(e), set(EDITIONS)) if isinstance(e, str) else None
            c.error(p + (i,), f"design.editions: '{e}' is not an edition",
                    (f"did you mean '{close}'? " if close else "") + f"editions: {', '.join(EDITIONS)}")
        elif e in out:
            c.error(p + (i,), f"design.editions: '{e}' is listed twice", "name each edition once")
        elif screen and e not in SCREEN_EDITIONS:
            c.error(p + (i,), f"design.editions: a screen format (a size in px) is built as "
                              f"{', '.join(SCREEN_EDITIONS)} images only, not '{e}'",
                    "give the design a paper size for print, or list only: " + ", ".join(SCREEN_EDITIONS))
        elif not screen and e in SCREEN_EDITIONS:
            c.error(p + (i,), f"design.editions: '{e}' images need a screen format's size in px",
                    f"set design.size to one of {', '.join(SCREEN)}")
        else:
            out.append(e)
    return tuple(x for x in EDITIONS if x in out) or default


def _output_condition(c: _Checker, d: dict, root: Path | None) -> str | None:
    """design.output_condition: a condition of the project's icc/manifest.yaml (None when not written)."""
    if "output_condition" not in d:
        return None
    name = c.text(d.get("output_condition"), ("design", "output_condition"), "design.output_condition")
    if name is None:
        return None
    known = _known_conditions(root)
    if known is not None and name not in known:
        close = _closest(name, known) or next((k for k in known if k.lower() == name.strip().lower()), None)
        listed = f"output conditions in icc/manifest.yaml: {', '.join(sorted(known))}"
        c.error(("design", "output_condition"), f"design.output_condition '{name}' is not an output condition",
                (f"did you mean '{close}'? " if close else "") + listed)
        return None
    return name


def _known_conditions(root: Path | None) -> set[str] | None:
    """The names in ``root/icc/manifest.yaml`` (None when it cannot be read: the print build says why)."""
    if root is None:
        return None
    try:
        src = load_yaml(root / "icc" / "manifest.yaml")
    except (YamlError, OSError):
        return None
    rows = src.data.get("conditions") if isinstance(src.data, dict) else None
    if not isinstance(rows, list):
        return None
    return {r["condition"] for r in rows if isinstance(r, dict) and isinstance(r.get("condition"), str)}


def _styles(c: _Checker, data: dict, colors: dict, scale: _TypeScale, shared: Shared,
            below: dict | None = None) -> dict[str, Style]:
    """The shared type scale at this format's base size, with the design's own styles over it (a key a
    design writes replaces the shared one; size/step and min_size/min replace each other)."""
    own = c.mapping(data.get("styles", {}), ("styles",), "styles") or {}
    styles: dict[str, Style] = {}
    failed: set[str] = set()
    for name in list(shared.styles) + [n for n in own if n not in shared.styles]:
        sc, svalue = shared.styles.get(name, (None, None))
        if sc is not None:
            sc = _Checker(sc.src, c.diags)      # its findings are this design's (reported once for all)
        ovalue = own.get(name)
        if ovalue is not None and not isinstance(ovalue, dict):
            c.mapping(ovalue, ("styles", name), f"style '{name}'")
            styles[str(name)] = Style(str(name))
            failed.add(str(name))
            continue
        if svalue is not None and not isinstance(svalue, dict):
            sc.mapping(svalue, ("styles", name), f"style '{name}'")
            styles[str(name)] = Style(str(name))
            failed.add(str(name))
            continue
        if svalue is not None and ovalue is not None:
            merged = dict(svalue)
            for a, b in (("size", "step"), ("min_size", "min")):
                if a in ovalue or b in ovalue:
                    merged.pop(a, None)
                    merged.pop(b, None)
            merged.update(ovalue)
            checker: _Checker = _Routed(c, sc, set(ovalue))
        else:
            merged = ovalue if ovalue is not None else svalue
            checker = c if ovalue is not None else sc
        style = _style(checker, str(name), merged, colors, True, scale, below, shared.fonts)
        styles[str(name)] = style if style is not None else Style(str(name))
        if style is None:
            failed.add(str(name))
    for name, style in styles.items():
        if name in failed:
            continue
        sc, svalue = shared.styles.get(name, (None, None))
        ovalue = own.get(name)
        value = {**(svalue if isinstance(svalue, dict) else {}), **(ovalue if isinstance(ovalue, dict) else {})}
        other = value.get("at_least")
        if not isinstance(other, str):
            continue
        checker = c if isinstance(ovalue, dict) and "at_least" in ovalue else _Checker(sc.src, c.diags)
        p = ("styles", name, "at_least")
        if other not in styles:
            checker.error(p, f"style '{name}': at_least names the style '{other}', which this design does not have",
                          f"styles: {', '.join(styles)}")
        elif other not in failed and styles[other].size > style.size + 1e-9:
            c.error(("styles", name) if name in own else ("design", "type", "base"),
                    f"style '{name}' is {_num(round(style.size, 2))} pt, smaller than '{other}' "
                    f"({_num(round(styles[other].size, 2))} pt), which it must be at least",
                    f"set {name} to {_num(round(styles[other].size, 2))} pt or more, or {other} smaller, "
                    "in this design's styles")
    return styles


def _regions(c: _Checker, rlist: Any, p: tuple, frame: _Frame, page: int) -> list[Region]:
    """The regions of one page, components expanded, each checked against the trim and the safe area."""
    if not isinstance(rlist, list):
        c.error(p, f"regions must be a list, not {_kind(rlist)}", "write each region as '- id: ...'")
        return []
    out: list[Region] = []
    for i, r in enumerate(rlist):
        rp = p + (i,)
        if isinstance(r, dict) and "use" in r:
            out += _use(c, r, rp, frame, page)
            continue
        region = _region(c, r, rp, frame.colors, frame.styles, frame.facts, frame.grid, frame.cell)
        if region is not None:
            region = replace(region, page=page)
            if _placed(c, rp, region, frame):
                out.append(region)
    return out


def _unique(c: _Checker, rp: tuple, region: Region, frame: _Frame) -> bool:
    first = frame.seen.get(region.id)
    if first is not None:
        c.error(rp + ("id",), f"region id '{region.id}' is used twice" + (f" (first at line {first})" if first else ""),
                "give each region its own id (a component's ids come from its parameters)")
        return False
    frame.seen[region.id] = c.where(rp)
    return True


def _use(c: _Checker, r: dict, rp: tuple, frame: _Frame, page: int) -> list[Region]:
    """A component placed on the page: ``{use: name, with: {parameters}, at: [column, row, columns, rows]}``."""
    c.keys(r, rp, USE_KEYS, {"use", "at"}, "a component's use")
    name = _name(c, r, "use", rp, "use (a component's name)")
    if name is None:
        return []
    found = frame.shared.components.get(name)
    if found is None and frame.shared.broken:
        return []
    if found is None:
        close = _closest(name, set(frame.shared.components))
        c.error(rp + ("use",), f"unknown component '{name}'",
                f"did you mean '{close}'?" if close else
                f"components (content/designs/shared/components.yaml): {', '.join(sorted(frame.shared.components)) or 'none'}")
        return []
    cc, comp = found
    if comp is None:        # its definition has errors, reported in components.yaml
        return []
    at = _at(c, r.get("at"), rp, f"the use of '{name}'", frame.grid)
    given = c.mapping(r.get("with", {}), rp + ("with",), f"the parameters of '{name}'")
    if at is None or given is None:
        return []
    before = len(c.diags.errors)
    where = _UseChecker(cc, name, c, rp, {}, frame.root)._comp_where(("components", name, "required"))
    for k in given:
        if k not in comp["params"]:
            close = _closest(str(k), comp["params"])
            c.error(rp + ("with", k), f"component '{name}' has no parameter '{k}' (it is defined at {where})",
                    (f"did you mean '{close}'? " if close else "") +
                    f"its parameters: {', '.join(sorted(comp['params'])) or 'none'}")
        elif _param_problem(given[k]):
            c.error(rp + ("with", k), f"the parameter '{k}' of '{name}' {_param_problem(given[k])} (component "
                                      f"defined at {where})", "e.g. scenario: sns, radius: 3, padding: [3, 3, 3, 1]")
    for k in comp["required"]:
        if k not in given:
            c.error(rp + ("with",) if "with" in r else rp, f"the use of component '{name}' needs the parameter "
                                                           f"'{k}' (it is defined at {where})",
                    f"add with: {{{k}: ...}}; its parameters: {', '.join(sorted(comp['params']))}")
    if len(c.diags.errors) > before:
        return []
    params = {**comp["defaults"], **given}
    ccols, crows = comp["grid"]
    cell = (at[2] * frame.cell[0] / ccols, at[3] * frame.cell[1] / crows) if frame.cell else None
    out = []
    for j, part in enumerate(comp["regions"]):
        cp = ("components", name, "regions", j)
        used: dict = {}
        value = _substitute(part, params, cp, used)
        uc = _UseChecker(cc, name, c, rp, used, frame.root)
        wrong = used.pop("into text", [])
        for path in wrong:
            what = ", ".join(f"'{n}' ({_kind(params[n])})" for n in used[path])
            uc.error(path, f"component '{name}' writes the parameter {what} into a text, which takes a name or "
                           "a number", "give it a name or a number")
        if wrong:
            continue
        region = _region(uc, value, cp, frame.colors, frame.styles, frame.facts, (ccols, crows), cell)
        if region is None:
            continue
        a = region.at
        placed = (at[0] + a[0] * at[2] / ccols, at[1] + a[1] * at[3] / crows, a[2] * at[2] / ccols,
                  a[3] * at[3] / crows)
        region = replace(region, at=tuple(round(x, 9) for x in placed), page=page)
        if _placed(uc, cp, region, frame):
            out.append(region)
    return out


def _at(c: _Checker, at: Any, p: tuple, what: str, grid: tuple[int, int] | None) -> list[int] | None:
    if isinstance(at, list) and len(at) == 4:
        for i, x in enumerate(at):
            if not isinstance(x, int) or isinstance(x, bool):
                c.error(p + ("at", i), f"{what}: at must be [column, row, columns, rows] (whole numbers), and its "
                                       f"{('column', 'row', 'columns', 'rows')[i]} is {_kind(x)}",
                        "write whole numbers of grid cells")
                return None
    if not (isinstance(at, list) and len(at) == 4):
        c.error(p + ("at",), f"{what}: at must be [column, row, columns, rows] (whole numbers)")
        return None
    if at[2] < 1 or at[3] < 1 or at[0] < 0 or at[1] < 0:
        c.error(p + ("at",), f"{what}: at is [column, row, columns, rows]: column and row from 0, "
                             f"at least 1 column and 1 row, not {at}")
        return None
    if grid is not None and (at[0] + at[2] > grid[0] or at[1] + at[3] > grid[1]):
        c.error(p + ("at",), f"{what}: {at} does not lie on the {int(grid[0])} x {int(grid[1])} grid",
                f"columns {at[0]}+{at[2]} must be at most {int(grid[0])}, rows {at[1]}+{at[3]} at most {int(grid[1])}")
        return None
    return at


def _placed(c: _Checker, rp: tuple, region: Region, frame: _Frame) -> bool:
    """Checks of a region where it lies on the trim: text, pictograms and the QR code (with its quiet zone)
    inside the safe area; a fill that reaches the trim runs into the bleed there, and only there."""
    if not _unique(c, rp, region, frame):
        return False
    if frame.cell is None or frame.size is None:
        return True
    W, H = frame.size
    col, row = frame.cell
    x, y, w, h = region.at[0] * col, region.at[1] * row, region.at[2] * col, region.at[3] * row
    rid = region.id
    ok = True
    kinds = [k for k, on in (("text", region.text), ("pictogram", region.pictogram), ("QR code", region.qr)) if on]
    if kinds:
        pt, pr, pb, pl = region.padding
        inner = {"left": x + pl, "top": y + pt, "right": W - (x + w - pr), "bottom": H - (y + h - pb)}
        safe = frame.safe
        for side, dist in inner.items():
            if dist < safe - 0.005:
                what = kinds[0] + (" (and its quiet zone)" if kinds[0] == "QR code" else "")
                own = {"left": pl, "right": pr, "top": pt, "bottom": pb}[side]
                c.error(rp, f"region '{rid}': its {what} comes {_num(round(dist, 2))} mm from the {side} edge of "
                            f"the trim, inside the {_num(safe)} mm the design keeps clear (design.safe)",
                        f"give it {_num(round(safe - dist + own, 2))} mm of padding on the {side}, or move it "
                        "inward: text, pictograms and QR codes stay inside the safe area, where the cut cannot "
                        "reach them")
                ok = False
                break
        least = pictogram_floor_mm(frame.distance)
        side = min(w - pl - pr, h - pt - pb)
        if region.pictogram and side < least - 0.005:
            c.error(rp, f"region '{rid}': its pictogram is {_num(round(side, 1))} mm across, smaller than the "
                        f"{_num(least)} mm that reads from {_num(frame.distance)} m (1/60 of the reading distance)",
                    "make the region larger or its padding smaller")
            ok = False
    edges = {"left": x, "top": y, "right": W - x - w, "bottom": H - y - h}
    if region.fill:
        for side, dist in edges.items():
            bleeds = side in region.bleed
            if dist < TOUCH_MM - 1e-9 and not bleeds:
                c.error(rp + ("fill",), f"region '{rid}': its fill reaches {'the' if dist < 0.005 else 'within ' + _num(round(dist, 2)) + ' mm of the'} "
                                        f"{side} edge of the trim without bleed there: the cut leaves a hairline of "
                                        "paper or an uneven edge",
                        f"add {side} to its bleed (bleed: [{', '.join(list(region.bleed) + [side])}]) so the fill "
                        f"runs past the trim, or keep it at least {_num(TOUCH_MM)} mm from the edge")
                ok = False
            elif bleeds and dist > 0.005:
                c.error(rp + ("bleed",), f"region '{rid}': it bleeds on the {side}, but its fill ends "
                                         f"{_num(round(dist, 2))} mm inside the trim: the bleed would paint a "
                                         "stripe beside it",
                        f"extend the region to the {side} edge, or remove {side} from its bleed")
                ok = False
    elif region.bleed:
        c.error(rp + ("bleed",), f"region '{rid}': bleed extends a fill into the bleed, and it has no fill",
                "remove bleed, or give it a fill")
        ok = False
    if region.stroke and not region.fill:
        for side, dist in edges.items():
            if dist < TOUCH_MM - 1e-9:
                c.error(rp + ("stroke",), f"region '{rid}': its outline comes {_num(round(dist, 2))} mm from the "
                                          f"{side} edge of the trim, where the cut would take it",
                        f"keep outlines at least {_num(TOUCH_MM)} mm inside the trim")
                ok = False
                break
    return ok


def _draft_mark(c: _Checker, data: dict, colors: dict, p: tuple, default: DraftMark,
                sizes: tuple[float, float] = (5.0, 12.0)) -> DraftMark:
    """The optional draft_mark: {position, size, color} of a design (or of one of its pages); its size
    from ``sizes`` (pt; a screen format's are from its body floor)."""
    if "draft_mark" not in data:
        return default
    v = c.mapping(data["draft_mark"], p, "draft_mark")
    if v is None:
        return default
    c.keys(v, p, {"position", "size", "color"}, set(), "draft_mark")
    position = v.get("position", default.position)
    if position not in DRAFT_MARK_POSITIONS:
        c.error(p + ("position",), f"draft_mark.position '{position}' is not one of {', '.join(DRAFT_MARK_POSITIONS)}",
                "auto puts it in the first corner of the safe area where it covers nothing")
        position = "auto"
    lo, hi = sizes
    size = c.number(v.get("size"), p + ("size",), "draft_mark.size (pt)", default=default.size, minimum=5)
    if size is not None and size < lo - 1e-9:
        c.error(p + ("size",), f"draft_mark.size must be at least {_num(round(lo, 2))} (pt) on this format, "
                               f"not {size:g}", f"use {_num(math.ceil(lo))} to {_num(math.floor(hi))}: "
                                                f"the mark must be as legible as body text")
    elif size is not None and size > hi:
        c.error(p + ("size",), f"draft_mark.size must be at most {_num(round(hi, 2))} (pt), not {size:g}",
                f"it is a small mark: use {_num(math.ceil(lo))} to {_num(math.floor(hi))}")
    color = _name(c, v, "color", p, "draft_mark.color", default.color)
    if color is not None and color not in colors:
        c.error(p + ("color",), f"draft_mark: unknown colour '{color}'", f"colours of this design: {', '.join(colors)}")
        color = None
    return DraftMark(str(position), size, color, c.where(p))


def _padding(c: _Checker, v: dict, p: tuple, rid: str) -> tuple[float, float, float, float] | None:
    pad = v.get("padding", 0)
    what = f"region '{rid}': padding"
    if isinstance(pad, list) and len(pad) in (2, 4):
        values = [c.number(x, p + ("padding", i), f"{what} (value {i + 1})", minimum=PADDING_MM[0], maximum=PADDING_MM[1],
                           unit=" mm") for i, x in enumerate(pad)]
        if None in values:
            return None
        return (values[0], values[1], values[0], values[1]) if len(values) == 2 else tuple(values)
    if isinstance(pad, (list, dict)) or pad is None:
        c.error(p + ("padding",), f"{what} is a number, [vertical, horizontal] or [top, right, bottom, left] in mm, "
                                  f"not {_kind(pad)}" + (f" of {len(pad)}" if isinstance(pad, list) else ""))
        return None
    one = c.number(pad, p + ("padding",), what, minimum=PADDING_MM[0], maximum=PADDING_MM[1], unit=" mm")
    return None if one is None else (one,) * 4


def _qr(c: _Checker, v: dict, p: tuple, rid: str, facts: Facts | None) -> tuple[str | None, str]:
    """A region's QR code: the name of a link (error correction M), or {link: name, ec: L|M|Q|H}."""
    if "qr" not in v:
        return None, "M"
    value = v["qr"]
    level = "M"
    if isinstance(value, dict):
        c.keys(value, p + ("qr",), {"link", "ec"}, {"link"}, f"region '{rid}': qr")
        link = _name(c, value, "link", p + ("qr",), f"region '{rid}': qr.link")
        if "ec" in value:
            level = _choice(c, value, "ec", p + ("qr",), f"region '{rid}': qr.ec (error correction)", QR_LEVELS)
    else:
        link = _name(c, v, "qr", p, f"region '{rid}': qr (the name of a link, or {{link: name, ec: H}})")
    if link is not None and facts is not None and link not in facts.links:
        c.error(p + ("qr",), f"region '{rid}': qr names the link '{link}', which campaign.yaml does not have",
                f"links: {', '.join(facts.links)}")
    return link, level


def _region(c: _Checker, r: Any, p: tuple, colors: dict, styles: dict, facts: Facts | None,
            grid: tuple[float, float] | None, cell: tuple[float, float] | None = None) -> Region | None:
    v = c.mapping(r, p, "a region")
    if v is None:
        return None
    before = len(c.diags.errors)
    c.keys(v, p, REGION_KEYS, {"id", "at"}, "a region")
    rid = _name(c, v, "id", p, "a region's id", f"#{p[-1]}") or f"#{p[-1]}"
    at = _at(c, v.get("at"), p, f"region '{rid}'", grid) or [0, 0, 1, 1]
    refs = {}
    for key in ("fill", "stroke", "qr_color"):
        refs[key] = _name(c, v, key, p, f"region '{rid}': {key}")
        if refs[key] is not None and refs[key] not in colors:
            c.error(p + (key,), f"region '{rid}': unknown colour '{refs[key]}'", f"colours: {', '.join(colors)}")
    picto_colors: dict[str, str] = {}
    pc = v.get("pictogram_colors", {})
    if not isinstance(pc, dict):
        c.error(p + ("pictogram_colors",), f"region '{rid}': pictogram_colors must be a mapping of roles to colours, "
                                           f"not {_kind(pc)}", "e.g. pictogram_colors: {ink: navy, accent: red}")
        pc = {}
    for key in pc:
        val = _name(c, pc, key, p + ("pictogram_colors",), f"region '{rid}': pictogram_colors.{key}")
        if val is not None and val not in colors:
            c.error(p + ("pictogram_colors", key), f"region '{rid}': unknown colour '{val}'",
                    f"colours: {', '.join(colors)}")
        elif val is not None:
            picto_colors[str(key)] = val
    bleed = v.get("bleed", [])
    if not isinstance(bleed, list) or any(s not in ("top", "bottom", "left", "right") for s in bleed):
        c.error(p + ("bleed",), f"region '{rid}': bleed lists sides: top, bottom, left, right")
        bleed = []
    pad = _padding(c, v, p, rid) or (0.0, 0.0, 0.0, 0.0)
    if cell is not None and at[2] >= 1 and at[3] >= 1 and ("text" in v or "pictogram" in v or "qr" in v):
        box_w, box_h = at[2] * cell[0], at[3] * cell[1]
        if pad[1] + pad[3] >= box_w or pad[0] + pad[2] >= box_h:
            c.error(p + ("padding",), f"region '{rid}': the padding leaves no room inside the box "
                                      f"({_num(round(box_w, 1))} x {_num(round(box_h, 1))} mm)",
                    "make the padding smaller, or the region larger")
    stroke_width = c.number(v.get("stroke_width"), p + ("stroke_width",), f"region '{rid}': stroke_width",
                            default=0.0, minimum=STROKE_PT[0], maximum=STROKE_PT[1], unit=" pt")
    radius = c.number(v.get("radius"), p + ("radius",), f"region '{rid}': radius", default=0.0,
                      minimum=RADIUS_MM[0], maximum=RADIUS_MM[1], unit=" mm")
    valign = _choice(c, v, "valign", p, f"region '{rid}': valign", ("top", "middle", "bottom"))
    mirror = _flag(c, v, "mirror", p, f"region '{rid}': mirror", True)
    pictogram = _name(c, v, "pictogram", p, f"region '{rid}': pictogram")
    qr, qr_ec = _qr(c, v, p, rid, facts)
    fit = _name(c, v, "fit", p, f"region '{rid}': fit (the name of a fit group)")
    slot = _name(c, v, "slot", p, f"region '{rid}': slot")
    if slot is not None and slot not in SLOTS:
        c.error(p + ("slot",), f"region '{rid}': slot '{slot}' is not one of {', '.join(SLOTS)}",
                "local-contact: the official text until an organisation's own block replaces it")
    if slot is not None and "text" not in v:
        c.error(p + ("slot",), f"region '{rid}': a slot shows its text until it is filled, and it has none",
                "give it text: the official paragraphs it shows by default")
    alt = _name(c, v, "alt", p, f"region '{rid}': alt (the string key of its picture's text alternative)")
    if alt is not None and not pictogram and not qr:
        c.error(p + ("alt",), f"region '{rid}': alt is the text alternative of a pictogram or QR code, and the "
                              "region has neither", "remove alt, or give the region its pictogram or qr")
    items: list[TextItem] = []
    tlist = v.get("text", [])
    if not isinstance(tlist, list):
        c.error(p + ("text",), f"region '{rid}': text must be a list of paragraphs, not {_kind(tlist)}")
        tlist = []
    for j, t in enumerate(tlist):
        item = _item(c, t, p + ("text", j), rid, styles, facts)
        if item is not None:
            items.append(item)
    if fit is not None and not items:
        c.error(p + ("fit",), f"region '{rid}': fit groups boxes of text, and it has none", "remove fit")
    if len(c.diags.errors) > before:
        return None
    return Region(id=rid, at=tuple(at), fill=refs["fill"], stroke=refs["stroke"], stroke_width=stroke_width,
                  radius=radius, bleed=tuple(bleed), padding=tuple(float(x) for x in pad), text=tuple(items),
                  valign=valign, pictogram=pictogram, pictogram_colors=picto_colors, qr=qr,
                  qr_color=refs["qr_color"] or "black", qr_ec=qr_ec, mirror=mirror, line=c.where(p), fit=fit,
                  slot=slot, part=c.part(p), alt=alt)


def _item(c: _Checker, t: Any, tp: tuple, rid: str, styles: dict, facts: Facts | None) -> TextItem | None:
    tv = c.mapping(t, tp, "a paragraph")
    if tv is None:
        return None
    before = len(c.diags.errors)
    c.keys(tv, tp, ITEM_KEYS, {"style"}, f"a paragraph of region '{rid}'")
    kinds = [k for k in ("key", "fact", "agencies", "text") if k in tv]
    if len(kinds) != 1:
        c.error(tp, f"region '{rid}': a paragraph takes exactly one of key, fact, agencies or text")
        return None
    names = {k: _name(c, tv, k, tp, f"region '{rid}': {k}")
             for k in ("style", "key", "fact", "lang", "unless_lang", "link")}
    words = None
    if "text" in tv:
        # the design's own words, the same in every edition (a label such as 日本語): printed, so guarded
        words = c.text(tv["text"], tp + ("text",), f"region '{rid}': text")
        if words is not None and "lang" not in tv:
            c.error(tp + ("text",), f"region '{rid}': a paragraph of the design's own text needs the language "
                                    "it is written in", "add lang: <its language tag>, e.g. lang: ja")
        if words is not None:
            for f in FactsGuard.from_facts(facts).check(words) if facts is not None else \
                    FactsGuard((), ()).check(words):
                c.error(tp + ("text",), f"region '{rid}': text: {f.message}", f.hint)
    agencies = tv.get("agencies")
    if "agencies" in tv and not isinstance(agencies, str):
        c.error(tp + ("agencies",), f"region '{rid}': agencies is the text between the agencies' names, "
                                    f"not {_kind(agencies)}", "e.g. agencies: ' · '")
        agencies = None
    style = names["style"]
    if "style" in tv and style is not None and style not in styles:
        c.error(tp + ("style",), f"region '{rid}': unknown style '{style}'", f"styles: {', '.join(styles)}")
    fact = names["fact"]
    if fact is not None and facts is not None:
        try:
            facts.value(fact)
        except KeyError:
            c.error(tp + ("fact",), f"region '{rid}': unknown fact '{fact}'",
                    "facts: hotline.display, links.<name>.display, links.<name>.url")
    link = names["link"]
    if link is not None and facts is not None and link != "hotline" and link not in facts.links:
        c.error(tp + ("link",), f"region '{rid}': unknown link '{link}'", f"links: hotline, {', '.join(facts.links)}")
    gap = c.number(tv.get("gap_before"), tp + ("gap_before",), f"region '{rid}': gap_before", default=0.0,
                   minimum=GAP_MM[0], maximum=GAP_MM[1], unit=" mm")
    if len(c.diags.errors) > before:
        return None
    return TextItem(style=style, key=names["key"], fact=fact, agencies=agencies, lang=names["lang"],
                    unless_lang=names["unless_lang"], link=link, gap_before=gap, line=c.where(tp), part=c.part(tp),
                    text=words)


# SVG path data as the pictogram painter reads it: these commands, numbers
# written -1.5 or .5 or 1e-3, separated by spaces or commas.
_PATH_TOKEN = re.compile(r"[\s,]*(?:([MLHVCQZmlhvcqz])|(-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?))")
_PATH_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "Q": 4, "Z": 0}


def _path_problem(d: str) -> str | None:
    """Why ``d`` is not path data the pictogram painter draws, or None."""
    tokens: list[Any] = []
    pos = 0
    while True:
        m = _PATH_TOKEN.match(d, pos)
        if not m or m.end() == pos:
            break
        tokens.append(m.group(1) or float(m.group(2)))
        pos = m.end()
    rest = d[pos:]
    if rest.strip(" \t\r\n,"):
        bad = rest.lstrip(" \t\r\n,")[0]
        return (f"'{bad}' (character {len(d) - len(rest.lstrip(' ,')) + 1}) is not part of path data "
                "this painter draws: commands M L H V C Q Z (or lower case) and plain numbers")
    if not tokens:
        return "the path is empty"
    if not isinstance(tokens[0], str) or tokens[0] not in "Mm":
        return "a path starts with M (move to) and its x y"
    i, cmd = 0, None
    cx = cy = sx = sy = 0.0
    while i < len(tokens):
        if isinstance(tokens[i], str):
            cmd = tokens[i]
            i += 1
        if cmd is None:
            return "numbers after Z need a command letter before them"
        c = cmd.upper()
        if c == "Z":
            cx, cy, cmd = sx, sy, None
            continue
        need = _PATH_ARGS[c]
        args = tokens[i:i + need]
        if len(args) < need or any(isinstance(a, str) for a in args):
            return f"'{cmd}' takes {need} number{'s' if need > 1 else ''}"
        i += need
        ox, oy = (cx, cy) if cmd.islower() else (0.0, 0.0)
        if c == "H":
            points = [(args[0] + ox, cy)]
        elif c == "V":
            points = [(cx, args[0] + oy)]
        else:
            points = [(args[k] + ox, args[k + 1] + oy) for k in range(0, need, 2)]
        for x, y in points:
            if not all(PICTO_POINT[0] <= q <= PICTO_POINT[1] for q in (x, y)):
                return (f"the point ({_num(round(x, 2))}, {_num(round(y, 2))}) lies outside "
                        f"{_num(PICTO_POINT[0])}..{_num(PICTO_POINT[1])}: the canvas is 100 x 100")
        cx, cy = points[-1]
        if c == "M":
            sx, sy = cx, cy
            cmd = "l" if cmd.islower() else "L"
    return None


def _shape(c: _Checker, name: str, s: Any, sp: tuple) -> bool:
    """Check one shape of a pictogram; True when it can be drawn."""
    sv = c.mapping(s, sp, f"a shape of pictogram '{name}'")
    if sv is None:
        return False
    before = len(c.diags.errors)
    c.keys(sv, sp, SHAPE_KEYS, set(), f"a shape of pictogram '{name}'")
    kinds = [k for k in ("rect", "circle", "path") if k in sv]
    if len(kinds) != 1:
        c.error(sp, f"pictogram '{name}': each shape is one of rect, circle or path")
        return False
    kind = kinds[0]
    what = f"pictogram '{name}': {kind}"
    if kind in ("rect", "circle"):
        labels = ("x", "y", "width", "height") if kind == "rect" else ("cx", "cy", "r")
        value = sv[kind]
        if not isinstance(value, list) or len(value) != len(labels):
            c.error(sp + (kind,), f"{what} is [{', '.join(labels)}], not {_kind(value)}"
                                  + (f" of {len(value)}" if isinstance(value, list) else ""))
        else:
            for k, (label, x) in enumerate(zip(labels, value)):
                lo, hi = PICTO_POINT if label in ("x", "y", "cx", "cy") else PICTO_SIZE
                c.number(x, sp + (kind, k), f"{what} {label}", minimum=lo, maximum=hi)
    else:
        value = sv["path"]
        if not isinstance(value, str):
            c.error(sp + ("path",), f"{what} must be SVG path data written as text, not {_kind(value)}",
                    'e.g. path: "M10 10 L90 10 L50 80 Z"')
        else:
            problem = _path_problem(value)
            if problem:
                c.error(sp + ("path",), f"{what}: {problem}")
    if "r" in sv:
        c.number(sv["r"], sp + ("r",), f"pictogram '{name}': r (corner radius)", minimum=0, maximum=PICTO_SIZE[1])
    if "stroke" in sv:
        c.number(sv["stroke"], sp + ("stroke",), f"pictogram '{name}': stroke", minimum=PICTO_STROKE[0],
                 maximum=PICTO_STROKE[1])
    _name(c, sv, "color", sp, f"pictogram '{name}': color")
    _flag(c, sv, "evenodd", sp, f"pictogram '{name}': evenodd", False)
    # mirror: false keeps a shape that shows a direction (a play triangle, an arrow) as it is drawn in a
    # right-to-left edition; it still moves with the mirrored pictogram
    _flag(c, sv, "mirror", sp, f"pictogram '{name}': mirror", True)
    return len(c.diags.errors) == before


def load_pictograms(path: Path, diags: Diagnostics) -> dict[str, Pictogram]:
    if not path.exists():
        return {}
    opened = _open(path, diags, "the pictogram file")
    if opened is None:
        return {}
    c, data = opened
    c.keys(data, (), {"pictograms"}, set(), "the pictogram file")
    out = {}
    for name, shapes in (c.mapping(data.get("pictograms", {}), ("pictograms",), "pictograms") or {}).items():
        pp = ("pictograms", name)
        mirror = True
        if isinstance(shapes, dict):
            # {mirror: false, shapes: [...]}: a pictogram drawn as it is in right-to-left editions too
            c.keys(shapes, pp, {"mirror", "shapes"}, {"shapes"}, f"pictogram '{name}'")
            mirror = _flag(c, shapes, "mirror", pp, f"pictogram '{name}': mirror", True)
            shapes, pp = shapes.get("shapes", []), pp + ("shapes",)
        if not isinstance(shapes, list):
            c.error(pp, f"pictogram '{name}' must be a list of shapes, not {_kind(shapes)}",
                    "or {mirror: false, shapes: [...]}")
            continue
        ok = [_shape(c, str(name), s, pp + (j,)) for j, s in enumerate(shapes)]
        if all(ok):
            out[str(name)] = Pictogram(str(name), tuple(shapes), mirror)
    return out


# -------------------------------------------------------------------------- project

def load_project(root: Path | str, only_languages: list[str] | None = None,
                 only_designs: list[str] | None = None) -> tuple[Project | None, Diagnostics]:
    """Load and check everything under ``root/content``.

    Returns the project (None when it cannot be built at all) and every
    diagnostic found.  Missing translations are warnings: those strings fall
    back to English.

    ``only_languages``: load (and check) only these language files, with the
    source language and any language a design takes text from; the others are
    not read at all (a build of one language needs no other).  None: every
    language.

    ``only_designs``: load (and check) only these design files (with the
    shared parts in designs/shared/, which every design is made from); the
    others are not read, so a broken one does not stop the build of another
    (``leaflets check`` loads them all).  A name with no design file is left
    to the caller to report.  None: every design.
    """
    root = Path(root)
    content = root / "content"
    diags = Diagnostics()
    if not content.is_dir():
        diags.error(f"no content/ folder in {root}", hint="run leaflets in a project folder, or pass --project DIR")
        return None, diags
    facts = load_facts(content / "campaign.yaml", diags) if (content / "campaign.yaml").exists() else None
    if facts is None and not (content / "campaign.yaml").exists():
        diags.error("content/campaign.yaml is missing", content / "campaign.yaml",
                    hint="it holds the hotline, the report URL and the agencies")
    languages: dict[str, Language] = {}
    lang_dir = content / "languages"
    lang_paths = sorted(lang_dir.glob("*.yaml")) if lang_dir.is_dir() else []
    wanted = None if only_languages is None else {SOURCE_LANGUAGE, *only_languages}
    for path in lang_paths:
        if wanted is not None and path.stem not in wanted:
            continue
        lang = load_language(path, diags)
        if lang is not None:
            languages[lang.tag] = lang
    # the files left unread (only_languages): a design may still take text from one of them
    unread = {p.stem: p for p in lang_paths if wanted is not None and p.stem not in wanted}
    if SOURCE_LANGUAGE not in languages:
        if not any(d.file and d.file.name == f"{SOURCE_LANGUAGE}.yaml" for d in diags.errors):
            diags.error(f"the source language file content/languages/{SOURCE_LANGUAGE}.yaml is missing",
                        lang_dir / f"{SOURCE_LANGUAGE}.yaml")
        return None, diags
    source = languages[SOURCE_LANGUAGE]
    if facts is not None:
        for lang in languages.values():
            check_strings(lang, source, facts, diags)
        for aid in facts.agencies:
            if f"agency.{aid}" not in source.strings:
                diags.error(f"the agency '{aid}' has no name: strings.agency.{aid} is missing", source.path,
                            hint=f"add agency.{aid}: <name> under strings")
    pictograms = load_pictograms(content / "pictograms.yaml", diags)
    designs: dict[str, Design] = {}
    shared = load_shared(content / "designs" / "shared", diags, root / "fonts" / "manifest.yaml")
    for path in sorted((content / "designs").glob("*.yaml")) if (content / "designs").is_dir() else []:
        if only_designs is not None and path.stem not in only_designs:
            continue
        design = load_design(path, diags, facts, shared)
        if design is None:
            continue
        designs[design.id] = design
        for region in design.regions:
            part = f" (in {region.part})" if region.part else ""
            if region.pictogram and region.pictogram not in pictograms:
                close = _closest(region.pictogram, set(pictograms))
                diags.error(f"region '{region.id}' uses the pictogram '{region.pictogram}', which "
                            f"content/pictograms.yaml does not define{part}", path, region.line,
                            f"did you mean '{close}'?" if close else f"pictograms: {', '.join(sorted(pictograms))}")
            if region.alt and region.alt not in source.strings:
                close = _closest(region.alt, set(source.strings))
                diags.error(f"region '{region.id}': alt names the string '{region.alt}', which {SOURCE_LANGUAGE}.yaml "
                            f"does not have{part}", path, region.line,
                            (f"did you mean '{close}'? " if close else "") +
                            f"or add strings.{region.alt} to {SOURCE_LANGUAGE}.yaml")
            for item in region.text:
                part = f" (in {item.part})" if item.part else ""
                if item.key and item.key not in source.strings:
                    close = _closest(item.key, set(source.strings))
                    diags.error(f"region '{region.id}' uses the string '{item.key}', which {SOURCE_LANGUAGE}.yaml "
                                f"does not have{part}", path, item.line,
                                (f"did you mean '{close}'? " if close else "") +
                                f"or add strings.{item.key} to {SOURCE_LANGUAGE}.yaml")
                if item.lang and item.lang not in languages and item.lang not in unread:
                    diags.error(f"region '{region.id}' takes text from the language '{item.lang}', which has no "
                                f"file in content/languages/{part}", path, item.line)
    if not designs and only_designs is None and not any(d.file and "designs" in d.file.parts for d in diags.errors):
        diags.error("no design in content/designs/", content / "designs")
    needed = sorted({item.lang for design in designs.values() for region in design.regions
                     for item in region.text if item.lang in unread})
    for tag in needed:
        lang = load_language(unread[tag], diags)
        if lang is not None:
            languages[lang.tag] = lang
            if facts is not None:
                check_strings(lang, source, facts, diags)
    for lang in languages.values():
        if not lang.is_source:
            missing = [k for k in source.strings if k not in lang.strings or not lang.strings[k].text]
            if missing:
                diags.warning(f"{len(missing)} string(s) not translated, English is used instead: "
                              f"{', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}", lang.path,
                              hint="translate them, or run: leaflets check --strict to refuse fallbacks",
                              code="missing")
    from .report import load_reports      # content/reports/: the annual fact sheet (optional)
    reports = load_reports(content / "reports", diags, source)
    if facts is None or diags.errors:
        return (Project(root, facts, languages, designs, pictograms, reports) if facts is not None else None), diags
    return Project(root, facts, languages, designs, pictograms, reports), diags


def require_project(root: Path | str) -> tuple[Project, Diagnostics]:
    project, diags = load_project(root)
    if diags.errors or project is None:
        raise ContentError(diags.errors)
    return project, diags
