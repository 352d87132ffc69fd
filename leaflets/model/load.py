"""Load a project folder (content/) into the model, checking everything.

Every problem becomes a diagnostic with the file, the line and a hint; loading
goes on past an error so that one run reports them all.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from ..errors import ContentError, Diagnostics
from .schema import (REVIEW_STATUSES, SOURCE_LANGUAGE, Color, Design, Facts, Language, Link, Pictogram,
                     Project, Region, Style, Text, TextItem)
from .tags import tag_problem
from .yamlsrc import Source, YamlError, load_yaml

_SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")
_COLOR_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")

# A phone number: digits (any width) with separators, at least 6 digits long.
_PHONE = re.compile(r"[+＋]?[(（]?[0-9０-９](?:[0-9０-９]|[-‐‑–—－ー ()（）.]){4,}[0-9０-９]")
# A web address: a scheme, www., or a dotted host name with a common ending.
_URL = re.compile(r"(?:https?://|www\.)[^\s]+|\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:jp|com|org|net|go\.jp|or\.jp)\b[^\s]*",
                  re.IGNORECASE)

LANGUAGE_KEYS = {"tag", "name", "native_name", "script", "direction", "review"}
REVIEW_KEYS = {"status", "note", "reviewer", "date"}
TEXT_KEYS = {"text", "source", "note"}


def language_tag_problem(tag: Any) -> str | None:
    """Why ``tag`` is not a usable BCP 47 tag naming a real language, or None."""
    return tag_problem(tag)


def _digits(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", s) if ch.isdigit())


def _norm_url(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).strip().rstrip(".,;:!?)）」』。、").lower()
    for prefix in ("https://", "http://"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    if s.startswith("www."):
        s = s[4:]
    return s.rstrip("/")


class _Checker:
    """Type checks on one source file that report into shared diagnostics."""

    def __init__(self, src: Source, diags: Diagnostics):
        self.src = src
        self.diags = diags

    def error(self, path: tuple, message: str, hint: str | None = None) -> None:
        self.diags.error(message, self.src.path, self.src.line(*path), hint)

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
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(path, f"{what} must be text, not {_kind(value)}",
                       "write the text after the colon; put it in double quotes if it starts with [ { or contains ': '")
            return None
        s = str(value)
        if required and not s.strip():
            self.error(path, f"{what} is empty", "write the text after the colon")
            return None
        return s

    def number(self, value: Any, path: tuple, what: str, default: float | None = None,
               minimum: float | None = None) -> float | None:
        if value is None:
            if default is None:
                self.error(path, f"{what} is missing")
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(path, f"{what} must be a number, not {_kind(value)}", "write a plain number such as 12 or 3.5")
            return default
        if minimum is not None and value < minimum:
            self.error(path, f"{what} must be at least {minimum}, not {value}", f"use {minimum} or more")
            return default
        return float(value)


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

def load_facts(path: Path, diags: Diagnostics) -> Facts | None:
    opened = _open(path, diags, "the campaign file")
    if opened is None:
        return None
    c, data = opened
    before = len(diags.errors)
    c.keys(data, (), {"campaign", "hotline", "links", "agencies"}, {"campaign", "hotline", "links", "agencies"},
           "the campaign file")
    camp = c.mapping(data.get("campaign", {}), ("campaign",), "campaign") or {}
    c.keys(camp, ("campaign",), {"id", "title", "author", "subject", "edition"}, {"id", "title"}, "campaign")
    hot = c.mapping(data.get("hotline", {}), ("hotline",), "hotline") or {}
    c.keys(hot, ("hotline",), {"display", "dial", "free_call"}, {"display", "dial"}, "hotline")
    display = c.text(hot.get("display"), ("hotline", "display"), "hotline.display") or ""
    dial = c.text(hot.get("dial"), ("hotline", "dial"), "hotline.dial") or ""
    if display and dial:
        if not re.fullmatch(r"\+?[0-9]+", dial):
            c.error(("hotline", "dial"), f"hotline.dial '{dial}' must be digits, optionally after +",
                    "write the number as dialled, e.g. +81120924839")
        elif not (_digits(dial) == _digits(display) or
                  (dial.startswith("+81") and _digits(dial)[2:] == _digits(display).lstrip("0"))):
            c.error(("hotline", "dial"), f"hotline.dial '{dial}' is not the same number as hotline.display '{display}'",
                    "the dial form is the display number in international form (+81, without the leading 0)")
    links: dict[str, Link] = {}
    ldata = c.mapping(data.get("links", {}), ("links",), "links") or {}
    for name, value in ldata.items():
        lv = c.mapping(value, ("links", name), f"links.{name}")
        if lv is None:
            continue
        c.keys(lv, ("links", name), {"url", "display"}, {"url", "display"}, f"links.{name}")
        url = c.text(lv.get("url"), ("links", name, "url"), f"links.{name}.url")
        disp = c.text(lv.get("display"), ("links", name, "display"), f"links.{name}.display")
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
    if len(diags.errors) > before:
        return None
    return Facts(campaign_id=str(camp.get("id")), title=str(camp.get("title")), author=str(camp.get("author", "")),
                 subject=str(camp.get("subject", "")), edition=str(camp.get("edition", "")),
                 hotline_display=display, hotline_dial=dial, links=links, agencies=tuple(agencies), path=path)


# ------------------------------------------------------------------------ languages

def load_language(path: Path, diags: Diagnostics, text: str | None = None) -> Language | None:
    opened = _open(path, diags, "a language file", text)
    if opened is None:
        return None
    c, data = opened
    before = len(diags.errors)
    c.keys(data, (), {"language", "strings"}, {"language", "strings"}, "a language file")
    meta = c.mapping(data.get("language", {}), ("language",), "language") or {}
    c.keys(meta, ("language",), LANGUAGE_KEYS, LANGUAGE_KEYS, "language")
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
    script = meta.get("script")
    if "script" in meta and (not isinstance(script, str) or not _SCRIPT.match(script)):
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


def check_strings(language: Language, source: Language, facts: Facts, diags: Diagnostics) -> None:
    """Checks of one language against the source language and the campaign facts."""
    hotline_digits = {_digits(facts.hotline_display), _digits(facts.hotline_dial)}
    urls = {_norm_url(u) for link in facts.links.values() for u in (link.url, link.display)}
    for key, text in language.strings.items():
        if key not in source.strings and language is not source:
            close = _closest(key, set(source.strings))
            diags.error(f"unknown string key '{key}' (not in {source.tag}.yaml)", language.path, text.line,
                        f"did you mean '{close}'?" if close else "remove it, or add it to the source language first")
            continue
        for m in _PHONE.finditer(text.text):
            digits = _digits(m.group())
            if len(digits) >= 6 and digits not in hotline_digits:
                diags.error(f"strings.{key} contains the phone number '{m.group().strip()}', "
                            f"which is not the campaign hotline {facts.hotline_display}",
                            language.path, text.line,
                            "do not write phone numbers in translations: the design prints the hotline "
                            "from content/campaign.yaml")
        for m in _URL.finditer(text.text):
            if _norm_url(m.group()) not in urls:
                diags.error(f"strings.{key} contains the web address '{m.group()}', which is not one of the "
                            f"campaign's ({', '.join(sorted(link.display for link in facts.links.values()))})",
                            language.path, text.line,
                            "do not write web addresses in translations: the design prints them from "
                            "content/campaign.yaml")


# -------------------------------------------------------------------------- designs

def _color(c: _Checker, name: str, value: Any, path: tuple) -> Color | None:
    v = c.mapping(value, path, f"colour '{name}'")
    if v is None:
        return None
    c.keys(v, path, {"cmyk", "rgb"}, {"cmyk", "rgb"}, f"colour '{name}'")
    cmyk = v.get("cmyk")
    rgb = v.get("rgb")
    ok = True
    if not (isinstance(cmyk, list) and len(cmyk) == 4 and
            all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 100 for x in cmyk)):
        c.error(path + ("cmyk",), f"colour '{name}': cmyk must be four percentages [C, M, Y, K] from 0 to 100")
        ok = False
    elif sum(cmyk) > 300:
        c.error(path + ("cmyk",), f"colour '{name}': total ink {sum(cmyk)}% is over 300%",
                "print shops limit total area coverage to 300% (some to 250%)")
        ok = False
    if not (isinstance(rgb, str) and _COLOR_HEX.match(rgb)):
        c.error(path + ("rgb",), f"colour '{name}': rgb must be written #RRGGBB")
        ok = False
    if not ok:
        return None
    return Color(name, tuple(x / 100 for x in cmyk), tuple(int(rgb[i:i + 2], 16) / 255 for i in (1, 3, 5)))


STYLE_KEYS = {"weight", "size", "min_size", "leading", "color", "align", "balance"}
REGION_KEYS = {"id", "at", "fill", "stroke", "stroke_width", "radius", "bleed", "padding", "text", "valign",
               "pictogram", "pictogram_colors", "qr", "qr_color", "mirror"}
ITEM_KEYS = {"key", "fact", "agencies", "style", "lang", "unless_lang", "link", "gap_before"}


def load_design(path: Path, diags: Diagnostics, facts: Facts | None) -> Design | None:
    opened = _open(path, diags, "a design file")
    if opened is None:
        return None
    c, data = opened
    before = len(diags.errors)
    c.keys(data, (), {"design", "colors", "styles", "regions"}, {"design", "colors", "styles", "regions"},
           "a design file")
    d = c.mapping(data.get("design", {}), ("design",), "design") or {}
    c.keys(d, ("design",), {"id", "title", "size", "bleed", "slug", "safe", "grid"},
           {"id", "title", "size", "grid"}, "design")
    did = c.text(d.get("id"), ("design", "id"), "design.id") or path.stem
    if did != path.stem:
        c.error(("design", "id"), f"the design id '{did}' does not match the file name '{path.name}'")
    size = d.get("size", {})
    size = c.mapping(size, ("design", "size"), "design.size") or {}
    width = c.number(size.get("width"), ("design", "size", "width"), "design.size.width (mm)", minimum=10)
    height = c.number(size.get("height"), ("design", "size", "height"), "design.size.height (mm)", minimum=10)
    grid = c.mapping(d.get("grid", {}), ("design", "grid"), "design.grid") or {}
    c.keys(grid, ("design", "grid"), {"columns", "rows"}, {"columns", "rows"}, "design.grid")
    cols = c.number(grid.get("columns"), ("design", "grid", "columns"), "design.grid.columns", minimum=1)
    rows = c.number(grid.get("rows"), ("design", "grid", "rows"), "design.grid.rows", minimum=1)
    colors: dict[str, Color] = {}
    for name, value in (c.mapping(data.get("colors", {}), ("colors",), "colors") or {}).items():
        col = _color(c, str(name), value, ("colors", name))
        if col:
            colors[str(name)] = col
    styles: dict[str, Style] = {}
    for name, value in (c.mapping(data.get("styles", {}), ("styles",), "styles") or {}).items():
        p = ("styles", name)
        v = c.mapping(value, p, f"style '{name}'")
        if v is None:
            continue
        c.keys(v, p, STYLE_KEYS, {"size"}, f"style '{name}'")
        sz = c.number(v.get("size"), p + ("size",), f"style '{name}' size", minimum=4) or 10
        mn = c.number(v.get("min_size"), p + ("min_size",), f"style '{name}' min_size", default=min(6.0, sz),
                      minimum=5)
        if mn > sz:
            c.error(p + ("min_size",), f"style '{name}': min_size {mn} is larger than size {sz}")
        if v.get("weight", "regular") not in ("regular", "bold"):
            c.error(p + ("weight",), f"style '{name}': weight must be regular or bold")
        if v.get("align", "start") not in ("start", "center", "end"):
            c.error(p + ("align",), f"style '{name}': align must be start, center or end")
        color = v.get("color", "black")
        if color not in colors and "colors" in data:
            c.error(p + ("color",), f"style '{name}': unknown colour '{color}'",
                    f"colours of this design: {', '.join(colors)}")
        styles[str(name)] = Style(str(name), v.get("weight", "regular"), sz, mn,
                                  c.number(v.get("leading"), p + ("leading",), "leading", default=1.25, minimum=0.8),
                                  color, v.get("align", "start"), bool(v.get("balance", False)))
    regions: list[Region] = []
    rlist = data.get("regions", [])
    if not isinstance(rlist, list):
        c.error(("regions",), "regions must be a list")
        rlist = []
    seen: set[str] = set()
    for i, r in enumerate(rlist):
        region = _region(c, r, ("regions", i), colors, styles, facts, (cols or 1, rows or 1))
        if region is None:
            continue
        if region.id in seen:
            c.error(("regions", i, "id"), f"region id '{region.id}' is used twice")
        seen.add(region.id)
        regions.append(region)
    if len(diags.errors) > before:
        return None
    return Design(id=did, title=str(d.get("title")), width=width, height=height,
                  bleed=c.number(d.get("bleed"), ("design", "bleed"), "bleed", default=3.0, minimum=0),
                  slug=c.number(d.get("slug"), ("design", "slug"), "slug", default=12.0, minimum=0),
                  safe=c.number(d.get("safe"), ("design", "safe"), "safe", default=3.0, minimum=0),
                  columns=int(cols), rows=int(rows), colors=colors, styles=styles, regions=tuple(regions), path=path)


def _region(c: _Checker, r: Any, p: tuple, colors: dict, styles: dict, facts: Facts | None,
            grid: tuple[float, float]) -> Region | None:
    v = c.mapping(r, p, "a region")
    if v is None:
        return None
    c.keys(v, p, REGION_KEYS, {"id", "at"}, "a region")
    rid = str(v.get("id", f"#{p[-1]}"))
    at = v.get("at")
    if not (isinstance(at, list) and len(at) == 4 and all(isinstance(x, int) and not isinstance(x, bool) for x in at)):
        c.error(p + ("at",), f"region '{rid}': at must be [column, row, columns, rows] (whole numbers)")
        at = [0, 0, 1, 1]
    elif at[2] < 1 or at[3] < 1 or at[0] < 0 or at[1] < 0 or at[0] + at[2] > grid[0] or at[1] + at[3] > grid[1]:
        c.error(p + ("at",), f"region '{rid}': {at} does not lie on the {int(grid[0])} x {int(grid[1])} grid")
    for key in ("fill", "stroke", "qr_color"):
        if key in v and v[key] not in colors:
            c.error(p + (key,), f"region '{rid}': unknown colour '{v[key]}'", f"colours: {', '.join(colors)}")
    for key, val in (v.get("pictogram_colors") or {}).items():
        if val not in colors:
            c.error(p + ("pictogram_colors", key), f"region '{rid}': unknown colour '{val}'")
    bleed = v.get("bleed", [])
    if not isinstance(bleed, list) or any(s not in ("top", "bottom", "left", "right") for s in bleed):
        c.error(p + ("bleed",), f"region '{rid}': bleed lists sides: top, bottom, left, right")
        bleed = []
    pad = v.get("padding", 0)
    if isinstance(pad, (int, float)) and not isinstance(pad, bool):
        pad = (pad,) * 4
    elif isinstance(pad, list) and len(pad) == 2:
        pad = (pad[0], pad[1], pad[0], pad[1])
    elif isinstance(pad, list) and len(pad) == 4:
        pad = tuple(pad)
    else:
        c.error(p + ("padding",), f"region '{rid}': padding is a number, [vertical, horizontal] or "
                                   "[top, right, bottom, left] in mm")
        pad = (0, 0, 0, 0)
    if v.get("valign", "top") not in ("top", "middle", "bottom"):
        c.error(p + ("valign",), f"region '{rid}': valign must be top, middle or bottom")
    if "qr" in v and facts is not None and v["qr"] not in facts.links:
        c.error(p + ("qr",), f"region '{rid}': qr names the link '{v['qr']}', which campaign.yaml does not have",
                f"links: {', '.join(facts.links)}")
    items: list[TextItem] = []
    tlist = v.get("text", [])
    if not isinstance(tlist, list):
        c.error(p + ("text",), f"region '{rid}': text must be a list of paragraphs")
        tlist = []
    for j, t in enumerate(tlist):
        tp = p + ("text", j)
        tv = c.mapping(t, tp, "a paragraph")
        if tv is None:
            continue
        c.keys(tv, tp, ITEM_KEYS, {"style"}, f"a paragraph of region '{rid}'")
        kinds = [k for k in ("key", "fact", "agencies") if k in tv]
        if len(kinds) != 1:
            c.error(tp, f"region '{rid}': a paragraph takes exactly one of key, fact or agencies")
            continue
        if tv.get("style") not in styles:
            c.error(tp + ("style",), f"region '{rid}': unknown style '{tv.get('style')}'",
                    f"styles: {', '.join(styles)}")
        if "fact" in tv and facts is not None:
            try:
                facts.value(tv["fact"])
            except KeyError:
                c.error(tp + ("fact",), f"region '{rid}': unknown fact '{tv['fact']}'",
                        "facts: hotline.display, links.<name>.display, links.<name>.url")
        if "link" in tv and facts is not None and tv["link"] != "hotline" and tv["link"] not in facts.links:
            c.error(tp + ("link",), f"region '{rid}': unknown link '{tv['link']}'",
                    f"links: hotline, {', '.join(facts.links)}")
        items.append(TextItem(style=str(tv.get("style")), key=tv.get("key"), fact=tv.get("fact"),
                              agencies=tv.get("agencies"), lang=tv.get("lang"), unless_lang=tv.get("unless_lang"),
                              link=tv.get("link"), gap_before=float(tv.get("gap_before", 0)),
                              line=c.src.line(*tp)))
    return Region(id=rid, at=tuple(at), fill=v.get("fill"), stroke=v.get("stroke"),
                  stroke_width=float(v.get("stroke_width", 0.0)), radius=float(v.get("radius", 0.0)),
                  bleed=tuple(bleed), padding=tuple(float(x) for x in pad), text=tuple(items),
                  valign=v.get("valign", "top"), pictogram=v.get("pictogram"),
                  pictogram_colors=dict(v.get("pictogram_colors") or {}), qr=v.get("qr"),
                  qr_color=v.get("qr_color", "black"), mirror=bool(v.get("mirror", True)), line=c.src.line(*p))


def load_pictograms(path: Path, diags: Diagnostics) -> dict[str, Pictogram]:
    if not path.exists():
        return {}
    opened = _open(path, diags, "the pictogram file")
    if opened is None:
        return {}
    c, data = opened
    out = {}
    for name, shapes in (c.mapping(data.get("pictograms", {}), ("pictograms",), "pictograms") or {}).items():
        if not isinstance(shapes, list) or not all(isinstance(s, dict) for s in shapes):
            c.error(("pictograms", name), f"pictogram '{name}' must be a list of shapes")
            continue
        for j, s in enumerate(shapes):
            kinds = [k for k in ("rect", "circle", "path") if k in s]
            if len(kinds) != 1:
                c.error(("pictograms", name, j), f"pictogram '{name}': each shape is one of rect, circle or path")
        out[str(name)] = Pictogram(str(name), tuple(shapes))
    return out


# -------------------------------------------------------------------------- project

def load_project(root: Path | str, only_languages: list[str] | None = None) -> tuple[Project | None, Diagnostics]:
    """Load and check everything under ``root/content``.

    Returns the project (None when it cannot be built at all) and every
    diagnostic found.  Missing translations are warnings: those strings fall
    back to English.
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
    for path in sorted(lang_dir.glob("*.yaml")) if lang_dir.is_dir() else []:
        lang = load_language(path, diags)
        if lang is not None:
            languages[lang.tag] = lang
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
    for path in sorted((content / "designs").glob("*.yaml")) if (content / "designs").is_dir() else []:
        design = load_design(path, diags, facts)
        if design is None:
            continue
        designs[design.id] = design
        for region in design.regions:
            if region.pictogram and region.pictogram not in pictograms:
                diags.error(f"region '{region.id}' uses the pictogram '{region.pictogram}', which "
                            "content/pictograms.yaml does not define", path, region.line)
            for item in region.text:
                if item.key and item.key not in source.strings:
                    diags.error(f"region '{region.id}' uses the string '{item.key}', which {SOURCE_LANGUAGE}.yaml "
                                "does not have", path, item.line, f"add strings.{item.key} to {SOURCE_LANGUAGE}.yaml")
                if item.lang and item.lang not in languages:
                    diags.error(f"region '{region.id}' takes text from the language '{item.lang}', which has no "
                                "file in content/languages/", path, item.line)
    if not designs and not any(d.file and "designs" in d.file.parts for d in diags.errors):
        diags.error("no design in content/designs/", content / "designs")
    for lang in languages.values():
        if not lang.is_source:
            missing = [k for k in source.strings if k not in lang.strings or not lang.strings[k].text]
            if missing:
                diags.warning(f"{len(missing)} string(s) not translated, English is used instead: "
                              f"{', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}", lang.path,
                              hint="translate them, or run: leaflets check --strict to refuse fallbacks",
                              code="missing")
    if facts is None or diags.errors:
        return (Project(root, facts, languages, designs, pictograms) if facts is not None else None), diags
    return Project(root, facts, languages, designs, pictograms), diags


def require_project(root: Path | str) -> tuple[Project, Diagnostics]:
    project, diags = load_project(root)
    if diags.errors or project is None:
        raise ContentError(diags.errors)
    return project, diags
