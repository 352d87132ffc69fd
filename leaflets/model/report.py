"""Load the annual reports (content/reports/<year>.yaml) and the fact sheet's
layout (content/reports/factsheet.yaml), checking every figure.

A report holds one year's figures: the victims put under protection and the
suspects arrested, each with a total and breakdowns that must add up to it, and
the areas of measures the fact sheet describes.  Year-on-year changes are
worked out from the previous year's file when there is one; only a year without
one stores them (``change_from_previous:``).  Every problem is a diagnostic
with the file and the line, as everywhere else in content/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Diagnostics
from .schema import Color

# A count is a whole number from 0 up.  Seven digits at most: the facts guard
# treats a run of eight or more digits as a phone number, and no yearly count
# of this report comes near a million.
MAX_COUNT = 9_999_999

# The groups of a report: each has a total, other counts, and breakdowns whose
# categories add up to one of its counts.  (The fact sheet has a label for
# every category: report.label.<category>.)
GROUPS: dict[str, dict] = {
    "victims": {
        "counts": ("total", "minors"),
        "parts": {"minors": "total"},                  # a count that is part of another
        "breakdowns": {"by_gender": (("female", "male"), "total"),
                       "by_nationality": (("japanese", "foreign"), "total")},
    },
    "suspects": {
        "counts": ("total", "cases", "prosecuted"),
        "parts": {"prosecuted": "total"},
        "breakdowns": {"by_gender": (("male", "female"), "total"),
                       "by_nationality": (("japanese", "foreign"), "total"),
                       "outcomes": (("guilty", "pending"), "prosecuted")},
    },
}

# The figures whose change from the previous year the fact sheet shows, and their labels.
CHANGE_FIGURES = {
    "victims.total": "report.victims",
    "victims.minors": "report.minors",
    "suspects.total": "report.suspects",
    "suspects.cases": "report.cases",
    "suspects.prosecuted": "report.prosecuted",
}

REPORT_KEYS = {"year", "victims", "suspects", "change_from_previous", "measures"}
_YEAR_FILE = re.compile(r"^[0-9]{4}$")
_AREA = re.compile(r"^[a-z][a-z0-9_]*$")
SHEET_FILE = "factsheet.yaml"

# factsheet.yaml: ranges like a design's
PAGE_MM = (50.0, 1200.0)
SIZE_PT = (4.0, 400.0)
LEADING = (0.8, 3.0)
INK_LIMIT = 300.0
WEIGHTS = ("regular", "bold")
SHEET_STYLES = ("title", "subtitle", "year", "heading", "figure", "figure_label", "change", "chart_title",
                "label", "value", "area_heading", "area_text", "contact_heading", "hotline", "url", "source")
SHEET_COLORS = ("ink", "paper", "brand", "accent", "panel", "rule", "up", "down")


@dataclass(frozen=True)
class Report:
    """One year's figures.  ``figures`` by dotted name (``victims.total``,
    ``victims.by_gender.female``, ``victims.adults``…), ``lines`` where each is
    written, ``changes`` the signed change of the CHANGE_FIGURES known."""

    year: int
    path: Path
    figures: dict[str, int]
    lines: dict[str, int | None]
    changes: dict[str, int]
    changes_computed: bool          # from the previous year's file (else stored in this one)
    measures: tuple[str, ...]
    measure_lines: tuple[int | None, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class SheetStyle:
    name: str
    weight: str
    size: float
    min_size: float
    leading: float
    color: str


@dataclass(frozen=True)
class SheetSpec:
    """The fact sheet's page (mm), palette and type styles."""

    path: Path
    width: float
    height: float
    bleed: float
    slug: float
    margin: float
    safe: float
    colors: dict[str, Color]
    series: tuple[str, ...]          # colours of a chart's segments, in order
    styles: dict[str, SheetStyle]
    year: int | None = None          # the year the sheet shows (default: the latest report)
    mark_size: float = 6.5


@dataclass
class Reports:
    reports: dict[int, Report] = field(default_factory=dict)
    sheet: SheetSpec | None = None
    folder: Path | None = None

    def current(self) -> Report | None:
        """The report the fact sheet shows: factsheet.yaml's ``year``, else the latest."""
        if not self.reports:
            return None
        if self.sheet is not None and self.sheet.year is not None:
            return self.reports.get(self.sheet.year)
        return self.reports[max(self.reports)]


def required_keys(report: Report | None) -> list[str]:
    """Every string of the source language the fact sheet of ``report`` uses."""
    keys = ["report.title", "report.subtitle", "report.figures.heading", "report.victims", "report.minors",
            "report.suspects", "report.cases", "report.prosecuted", "report.victims.heading",
            "report.suspects.heading", "report.chart.victims_gender", "report.chart.victims_nationality",
            "report.chart.victims_age", "report.chart.suspects_gender", "report.chart.suspects_nationality",
            "report.chart.outcomes", "report.label.adults", "report.label.minors", "report.change.heading",
            "report.change.note", "report.measures.heading", "report.contact.heading", "report.contact.online",
            "report.source"]
    cats = sorted({c for g in GROUPS.values() for cs, _of in g["breakdowns"].values() for c in cs})
    keys += [f"report.label.{c}" for c in cats]
    for area in (report.measures if report else ()):
        keys += [f"report.area.{area}.heading", f"report.area.{area}.text"]
    return keys


# --------------------------------------------------------------------------- loading

def _count(c, value: Any, path: tuple, what: str) -> int | None:
    if isinstance(value, float) and not isinstance(value, bool):
        c.error(path, f"{what} must be a whole number of people or cases, not {value!r}",
                "write it without a decimal point, e.g. 47")
        return None
    got = c.number(value, path, what, minimum=0, maximum=MAX_COUNT, whole=True)
    return None if got is None else int(got)


def _signed(c, value: Any, path: tuple, what: str) -> int | None:
    if isinstance(value, float) and not isinstance(value, bool):
        c.error(path, f"{what} must be a whole number (a change from the previous year), not {value!r}",
                "write it as +20 or -3")
        return None
    got = c.number(value, path, what, minimum=-MAX_COUNT, maximum=MAX_COUNT, whole=True)
    return None if got is None else int(got)


def load_report(path: Path, diags: Diagnostics, text: str | None = None) -> Report | None:
    """One year's report, every figure checked; None when it has an error."""
    from .load import _closest, _open
    opened = _open(path, diags, "a report file", text)
    if opened is None:
        return None
    c, data = opened
    before = len(diags.errors)
    c.keys(data, (), REPORT_KEYS, REPORT_KEYS - {"change_from_previous"}, "a report file")
    year = _count(c, data.get("year"), ("year",), "year") if "year" in data else None
    if year is not None and str(year) != path.stem:
        c.error(("year",), f"the year {year} does not match the file name '{path.name}'",
                f"rename the file to {year}.yaml, or set year: {path.stem}")
    figures: dict[str, int] = {}
    lines: dict[str, int | None] = {}
    for group, spec in GROUPS.items():
        g = c.mapping(data.get(group, {}), (group,), group) if group in data else None
        if g is None:
            continue
        allowed = set(spec["counts"]) | set(spec["breakdowns"])
        c.keys(g, (group,), allowed, allowed, group)
        for name in spec["counts"]:
            if name in g:
                v = _count(c, g[name], (group, name), f"{group}.{name}")
                if v is not None:
                    figures[f"{group}.{name}"] = v
                    lines[f"{group}.{name}"] = c.where((group, name))
        for part, whole in spec["parts"].items():
            p, w = figures.get(f"{group}.{part}"), figures.get(f"{group}.{whole}")
            if p is not None and w is not None and p > w:
                c.error((group, part), f"{group}.{part} is {p}, more than {group}.{whole} ({w})",
                        f"{group}.{part} counts some of the {group}.{whole}: correct one of them")
        for bname, (cats, of) in spec["breakdowns"].items():
            if bname not in g:
                continue
            b = c.mapping(g[bname], (group, bname), f"{group}.{bname}")
            if b is None:
                continue
            for key in b:
                if key not in cats:
                    close = _closest(str(key), set(cats))
                    c.error((group, bname, key), f"unknown category '{key}' in {group}.{bname}",
                            f"did you mean '{close}'?" if close else f"categories: {', '.join(cats)}")
            values = {}
            for cat in cats:
                if cat in b:
                    v = _count(c, b[cat], (group, bname, cat), f"{group}.{bname}.{cat}")
                    if v is None:
                        values = None
                        break
                    values[cat] = v
                    lines[f"{group}.{bname}.{cat}"] = c.where((group, bname, cat))
                else:
                    values[cat] = 0       # a category left out counts none
                    lines[f"{group}.{bname}.{cat}"] = c.where((group, bname))
            if values is None:
                continue
            for cat, v in values.items():
                figures[f"{group}.{bname}.{cat}"] = v
            total = figures.get(f"{group}.{of}")
            if total is not None and sum(values.values()) != total:
                sums = " + ".join(f"{cat} {v}" for cat, v in values.items())
                c.error((group, bname), f"{group}.{bname} adds up to {sum(values.values())} ({sums}), but "
                                        f"{group}.{of} is {total}",
                        f"correct the counts so that {group}.{bname} adds up to {group}.{of}")
    if "victims.total" in figures and "victims.minors" in figures:
        figures["victims.adults"] = figures["victims.total"] - figures["victims.minors"]
        lines["victims.adults"] = lines.get("victims.minors")
    changes: dict[str, int] = {}
    if "change_from_previous" in data:
        ch = c.mapping(data["change_from_previous"], ("change_from_previous",), "change_from_previous") or {}
        for key, value in ch.items():
            if key not in CHANGE_FIGURES:
                close = _closest(str(key), set(CHANGE_FIGURES))
                c.error(("change_from_previous", key), f"change_from_previous: '{key}' is not a figure the "
                                                       "fact sheet compares",
                        f"did you mean '{close}'?" if close else f"figures: {', '.join(CHANGE_FIGURES)}")
                continue
            v = _signed(c, value, ("change_from_previous", key), f"change_from_previous.{key}")
            if v is not None:
                changes[str(key)] = v
                lines[f"change:{key}"] = c.where(("change_from_previous", key))
                now = figures.get(str(key))
                if now is not None and now - v < 0:
                    c.error(("change_from_previous", key),
                            f"change_from_previous.{key} is {v:+d}: the previous year would have had {now - v}",
                            f"a change of {v:+d} needs at least {v} this year; check the figure")
    measures: list[str] = []
    measure_lines: list[int | None] = []
    mlist = data.get("measures", [])
    if not isinstance(mlist, list) or not mlist:
        c.error(("measures",), "measures must be a list of the areas of measures, e.g. [prevention, protection]",
                "write one area id per line: '- prevention'")
        mlist = []
    if len(mlist) > 8:
        c.error(("measures",), f"measures lists {len(mlist)} areas; the fact sheet has room for 8 at most",
                "keep the main areas")
    for i, area in enumerate(mlist):
        if not isinstance(area, str) or not _AREA.match(area):
            c.error(("measures", i), f"measures: {area!r} is not an area id (lower-case letters, digits, _)",
                    "e.g. - prevention")
        elif area in measures:
            c.error(("measures", i), f"measures: '{area}' is listed twice")
        else:
            measures.append(area)
            measure_lines.append(c.where(("measures", i)))
    if len(diags.errors) > before or year is None:
        return None
    return Report(year=year, path=path, figures=figures, lines=lines, changes=changes, changes_computed=False,
                  measures=tuple(measures), measure_lines=tuple(measure_lines), line=c.where(("year",)))


def with_previous(report: Report, previous: Report | None, diags: Diagnostics) -> Report:
    """``report`` with its year-on-year changes worked out from ``previous`` (the
    year before), when there is one; stored changes must then agree with it."""
    from dataclasses import replace
    if previous is None:
        return report
    computed = {k: report.figures[k] - previous.figures[k] for k in CHANGE_FIGURES
                if k in report.figures and k in previous.figures}
    for key, stored in report.changes.items():
        if computed.get(key) != stored:
            diags.error(f"change_from_previous.{key} is {stored:+d}, but {previous.path.name} gives "
                        f"{computed.get(key, 0):+d} ({report.figures.get(key)} - {previous.figures.get(key)})",
                        report.path, report.lines.get(f"change:{key}"),
                        f"remove change_from_previous: with {previous.path.name} beside it the changes are worked "
                        "out from the two files")
    return replace(report, changes=computed, changes_computed=True)


def _hex(c, value: Any, path: tuple, what: str) -> tuple[float, float, float] | None:
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        c.error(path, f"{what} must be a colour written #RRGGBB, not {value!r}", 'e.g. rgb: "#1b4f8f" (in quotes)')
        return None
    return tuple(int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))


def load_sheet(path: Path, diags: Diagnostics, text: str | None = None) -> SheetSpec | None:
    """factsheet.yaml: the page, the palette and the styles of the fact sheet."""
    opened = _open_sheet(path, diags, text)
    if opened is None:
        return None
    c, data = opened
    before = len(diags.errors)
    c.keys(data, (), {"page", "colors", "series", "styles", "year", "draft_mark_size"},
           {"page", "colors", "series", "styles"}, "the fact sheet file")
    page = c.mapping(data.get("page", {}), ("page",), "page") or {}
    c.keys(page, ("page",), {"width", "height", "bleed", "slug", "margin", "safe"},
           {"width", "height", "bleed", "margin"}, "page")
    width = c.number(page.get("width"), ("page", "width"), "page.width", 210.0, *PAGE_MM, unit=" mm")
    height = c.number(page.get("height"), ("page", "height"), "page.height", 297.0, *PAGE_MM, unit=" mm")
    bleed = c.number(page.get("bleed"), ("page", "bleed"), "page.bleed", 3.0, 0, 20, unit=" mm")
    slug = c.number(page.get("slug"), ("page", "slug"), "page.slug", 12.0, 0, 50, unit=" mm")
    margin = c.number(page.get("margin"), ("page", "margin"), "page.margin", 14.0, 3, 50, unit=" mm")
    safe = c.number(page.get("safe"), ("page", "safe"), "page.safe", 5.0, 0, 50, unit=" mm")
    colors: dict[str, Color] = {}
    cdata = c.mapping(data.get("colors", {}), ("colors",), "colors") or {}
    for name, value in cdata.items():
        p = ("colors", name)
        v = c.mapping(value, p, f"colour '{name}'")
        if v is None:
            continue
        c.keys(v, p, {"cmyk", "rgb"}, {"cmyk", "rgb"}, f"colour '{name}'")
        cmyk = v.get("cmyk")
        if not isinstance(cmyk, list) or len(cmyk) != 4:
            c.error(p + ("cmyk",), f"colour '{name}': cmyk is four numbers 0-100, e.g. [100, 70, 0, 20]")
            continue
        inks = [c.number(x, p + ("cmyk", i), f"colour '{name}': cmyk", 0.0, 0, 100) for i, x in enumerate(cmyk)]
        if sum(inks) > INK_LIMIT:
            c.error(p + ("cmyk",), f"colour '{name}' puts {sum(inks):g} % ink on paper, over the print limit of "
                                   f"{INK_LIMIT:g} %", "lower some of its inks")
        rgb = _hex(c, v.get("rgb"), p + ("rgb",), f"colour '{name}': rgb")
        if rgb is not None:
            colors[str(name)] = Color(str(name), tuple(x / 100 for x in inks), rgb)
    for name in SHEET_COLORS:
        if name not in cdata:
            c.error(("colors",), f"missing colour '{name}' in colors", f"the fact sheet uses: {', '.join(SHEET_COLORS)}")
    ink = colors.get("ink")
    if ink is not None and ink.cmyk != (0.0, 0.0, 0.0, 1.0):
        c.error(("colors", "ink"), "colour 'ink' must be cmyk [0, 0, 0, 100]: small text prints in black ink only",
                "write cmyk: [0, 0, 0, 100]")
    series = data.get("series", [])
    if not isinstance(series, list) or len(series) < 2:
        c.error(("series",), "series lists two or more colours for the parts of a chart", "e.g. [brand, accent]")
        series = []
    for i, s in enumerate(series):
        if s not in cdata:
            c.error(("series", i), f"series: unknown colour '{s}'", f"colours: {', '.join(map(str, cdata))}")
    styles: dict[str, SheetStyle] = {}
    sdata = c.mapping(data.get("styles", {}), ("styles",), "styles") or {}
    for name, value in sdata.items():
        p = ("styles", name)
        if name not in SHEET_STYLES:
            c.error(p, f"unknown style '{name}'", f"styles: {', '.join(SHEET_STYLES)}")
            continue
        v = c.mapping(value, p, f"style '{name}'")
        if v is None:
            continue
        c.keys(v, p, {"weight", "size", "min_size", "leading", "color"}, {"size", "color"}, f"style '{name}'")
        weight = v.get("weight", "regular")
        if weight not in WEIGHTS:
            c.error(p + ("weight",), f"style '{name}': weight must be regular or bold, not {weight!r}")
        size = c.number(v.get("size"), p + ("size",), f"style '{name}': size", 10.0, *SIZE_PT, unit=" pt")
        min_size = c.number(v.get("min_size"), p + ("min_size",), f"style '{name}': min_size", min(size, 6.0) if
                            "min_size" not in v else None, 6.0, 400.0, unit=" pt")
        if min_size is not None and min_size > size:
            c.error(p + ("min_size",), f"style '{name}': min_size {min_size:g} is larger than its size {size:g}")
        leading = c.number(v.get("leading"), p + ("leading",), f"style '{name}': leading", 1.2, *LEADING)
        color = v.get("color")
        if color not in cdata:
            c.error(p + ("color",), f"style '{name}': unknown colour {color!r}", f"colours: {', '.join(map(str, cdata))}")
        elif (size < 12 and color not in ("ink", "paper")) and name not in ("figure", "year", "hotline"):
            c.error(p + ("color",), f"style '{name}' is {size:g} pt in '{color}': text under 12 pt prints in "
                                    "black ink (ink) or is reversed out (paper)", "use color: ink")
        styles[str(name)] = SheetStyle(str(name), weight if weight in WEIGHTS else "regular", size,
                                       min_size or 6.0, leading, str(color))
    for name in SHEET_STYLES:
        if name not in sdata:
            c.error(("styles",), f"missing style '{name}' in styles", f"the fact sheet uses: {', '.join(SHEET_STYLES)}")
    year = _count(c, data.get("year"), ("year",), "year") if "year" in data else None
    mark = c.number(data.get("draft_mark_size"), ("draft_mark_size",), "draft_mark_size", 6.5, 6.0, 14.0,
                    unit=" pt")
    if len(diags.errors) > before:
        return None
    return SheetSpec(path=path, width=width, height=height, bleed=bleed, slug=slug, margin=margin, safe=safe,
                     colors=colors, series=tuple(str(s) for s in series), styles=styles, year=year, mark_size=mark)


def _open_sheet(path: Path, diags: Diagnostics, text: str | None):
    from .load import _open
    return _open(path, diags, "the fact sheet file", text)


def load_reports(folder: Path, diags: Diagnostics, source=None) -> Reports:
    """Every report in ``folder`` (content/reports/, optional) and the sheet's layout.

    ``source``: the source language, whose strings the sheet must find."""
    out = Reports(folder=folder)
    if not folder.is_dir():
        return out
    loaded: dict[int, Report] = {}
    sheet_path = None
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.name.startswith("."):
            continue
        if path.suffix != ".yaml":
            if path.suffix in (".yml", ".json"):
                diags.error(f"{path.name}: report files end in .yaml", path, hint=f"rename it to {path.stem}.yaml")
            continue
        if path.name == SHEET_FILE:
            sheet_path = path
            continue
        if not _YEAR_FILE.match(path.stem):
            diags.error(f"{path.name} is neither a year's report (named by its year, e.g. 2019.yaml) nor "
                        f"{SHEET_FILE}", path, hint="rename it to the year it reports, e.g. 2020.yaml")
            continue
        report = load_report(path, diags)
        if report is not None:
            loaded[report.year] = report
    for year in sorted(loaded):
        loaded[year] = with_previous(loaded[year], _raw(loaded, year - 1), diags)
    out.reports = loaded
    if not loaded and sheet_path is None:
        return out
    if sheet_path is None:
        diags.error(f"content/reports/ has reports but no {SHEET_FILE}", folder / SHEET_FILE,
                    hint="it sets the fact sheet's page, colours and styles")
    else:
        out.sheet = load_sheet(sheet_path, diags)
        if out.sheet is not None and out.sheet.year is not None and out.sheet.year not in loaded:
            diags.error(f"{SHEET_FILE} shows the year {out.sheet.year}, which has no report file", sheet_path,
                        hint=f"add {out.sheet.year}.yaml, or remove year: to show the latest report")
    if source is not None and out.current() is not None:
        report = out.current()
        for key in required_keys(report):
            if key not in source.strings:
                line = None
                if key.startswith("report.area."):
                    area = key.split(".")[2]
                    line = report.measure_lines[report.measures.index(area)] if area in report.measures else None
                    where, path = f"the area '{area}' of {report.path.name}", report.path
                else:
                    where, path = "the fact sheet", source.path
                diags.error(f"{where} uses the string '{key}', which {source.path.name if source.path else 'en.yaml'} "
                            "does not have", path, line, f"add strings.{key} to the source language file")
    return out


def _raw(loaded: dict[int, Report], year: int) -> Report | None:
    return loaded.get(year)
