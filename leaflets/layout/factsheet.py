"""Lay out the annual fact sheet: two pages showing one year's report.

Page 1 has the title, the key figures, the charts (victims and suspects by
gender, nationality and age group, prosecution outcomes) and the year-on-year
changes; page 2 the areas of measures, the hotline and the report address.
Charts are frames (Rect, Path, TextBlock), never images.  Text is shaped with
the project's text engine; right-to-left languages get the layout mirrored,
while numbers stay left to right.  Numbers are written for the language's
locale (see :func:`format_count`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from ..errors import Diagnostic, ERROR
from ..model.guard import FactsGuard
from ..model.report import CHANGE_FIGURES, Report, SheetSpec
from ..model.schema import Color, Project
from ..text.fonts import FontLibrary
from ..text.paragraph import Paragraph, normalise
from .frame import MM, Link, Page, Path, Rect, TextBlock
from .page import DRAFT_MARK_TEXT, MARK_FREE, Problem, _place

DESIGN_ID = "factsheet"

# Digits: each language uses the digits of its locale's default numbering
# system in CLDR (Babel's Locale.default_numbering_system).  That gives
# Burmese digits for my (၄၇) and Devanagari digits for ne (४७), as Burmese and
# Nepali print counts; Latin digits for ar (CLDR's default for Arabic without
# a region, and the digits of the hotline and address printed beside them) and
# for every other language.  Babel chooses the symbols (group separator, plus
# and minus signs) but writes Latin digits, so the digits are mapped here by
# their Unicode digit value.
_DIGIT_ZERO = {"mymr": "MYANMAR", "deva": "DEVANAGARI", "arab": "ARABIC-INDIC", "arabext": "EXTENDED ARABIC-INDIC",
               "beng": "BENGALI", "thai": "THAI", "khmr": "KHMER", "laoo": "LAO", "tibt": "TIBETAN",
               "mong": "MONGOLIAN", "fullwide": "FULLWIDTH"}


def babel_locale(tag: str):
    """The Babel locale of a language tag (BCP 47: zh-Hans -> zh_Hans, pt-BR -> pt_BR)."""
    from babel import Locale
    try:
        return Locale.parse(tag, sep="-")
    except Exception:
        return Locale.parse(tag.split("-")[0])


def numbering_system(tag: str) -> str:
    return babel_locale(tag).default_numbering_system or "latn"


def _native(text: str, system: str) -> str:
    name = _DIGIT_ZERO.get(system)
    if name is None:
        return text
    try:
        zero = ord(unicodedata.lookup(f"{name} DIGIT ZERO"))
    except KeyError:
        return text
    return "".join(chr(zero + int(ch)) if "0" <= ch <= "9" else ch for ch in text)


def format_count(n: int, tag: str, signed: bool = False, grouping: bool = True) -> str:
    """``n`` written for the language ``tag``: its separators and signs (Babel), its digits."""
    from babel.numbers import format_decimal
    loc = babel_locale(tag)
    system = loc.default_numbering_system or "latn"
    pattern = None if grouping else "0"
    if signed:
        pattern = "+#,##0;-#,##0" if grouping else "+0;-0"
    try:
        text = format_decimal(n, format=pattern, locale=loc, numbering_system="default")
    except Exception:
        text = format_decimal(n, format=pattern, locale=loc)
    if signed and n == 0:
        text = text.replace("+", "±")
    return _native(text, system)


def chart_alt(tag: str, title: str, parts: list[str]) -> str:
    """A chart's text alternative in the language ``tag``: its title and each category with its count,
    listed as the locale lists things ("By gender: Female 47 and Male 0": CLDR's standard list; its unit
    lists repeat items in some locales)."""
    from babel.lists import format_list
    loc = babel_locale(tag)
    try:
        listed = format_list(parts, style="standard", locale=loc)
    except Exception:
        listed = ", ".join(parts)
    colon = "\uff1a" if loc.language in ("ja", "zh") else ": "
    return f"{title}{colon}{listed}" if title else listed


@dataclass
class _Ctx:
    project: Project
    fonts: FontLibrary
    sheet: SheetSpec
    report: Report
    lang: str
    rtl: bool
    script: str
    faces: dict
    problems: list
    guard: FactsGuard
    W: float
    H: float


class FactsheetComposer:
    """Lays out the fact sheet for a project; holds the fonts it was given."""

    def __init__(self, project: Project, fonts: FontLibrary):
        self.project = project
        self.fonts = fonts

    # ------------------------------------------------------------ text
    def _string(self, c: _Ctx, key: str) -> tuple[str, str, str, bool]:
        """text, lang, script, rtl of a string (English when it falls back, with a warning)."""
        project = self.project
        text, fell_back = project.string(c.lang, key)
        if fell_back:
            lang = project.languages[c.lang]
            t = lang.strings.get(key)
            c.problems.append(Problem("fallback", Diagnostic(
                "warning", f"{c.lang}: '{key}' is not translated; the English text is used", lang.path,
                t.line if t else None, f"add strings.{key} to {lang.path.name if lang.path else c.lang}",
                code="fallback"), key, "factsheet", (0, 0, 0, 0)))
            src = project.source
            return text, src.tag, src.script, src.rtl
        return text, c.lang, c.script, c.rtl

    def _para(self, c: _Ctx, text: str, lang: str, script: str, rtl: bool, weight: str, key: str) -> Paragraph:
        text = normalise(text)
        missing = self.fonts.missing(text, script, weight)
        if missing:
            chars = ", ".join(f"'{ch}' U+{ord(ch):04X}" for ch in missing[:5])
            language = self.project.languages.get(lang)
            t = language.strings.get(key) if language else None
            c.problems.append(Problem("missing-glyph", Diagnostic(
                ERROR, f"{lang}: '{key}' on the fact sheet has characters no font covers: {chars}",
                language.path if language else None, t.line if t else None,
                "use the intended character, or add a font that covers it", code="missing-glyph"),
                key, "factsheet", (0, 0, 0, 0)))
            text = "".join("?" if ch in missing else ch for ch in text)
        faces = c.faces.get((script, weight))
        if faces is None:
            faces = c.faces[(script, weight)] = [self.fonts.embeddable(f, c.charset) for f in
                                                 self.fonts.faces(script, weight)]
        return Paragraph(text, lang, faces, self.fonts, rtl)

    def _set(self, c: _Ctx, key: str, text: str, style: str, box, align: str = "start", valign: str = "top",
             lang=None, script=None, rtl=None, number: bool = False, color: Color | None = None,
             lines_max: int | None = None) -> tuple[list, float]:
        """Set ``text`` in ``box`` (x, y, w, h in points, before mirroring) at the
        largest size of its style that fits; the blocks and the height used."""
        st = c.sheet.styles[style]
        lang = lang or c.lang
        script = script or c.script
        rtl = c.rtl if rtl is None else rtl
        if number:
            rtl = False
            for f in c.guard.check(text, rtl=c.rtl):
                c.problems.append(Problem("facts", Diagnostic(
                    ERROR, f"{c.lang}: the number '{text}' on the fact sheet: {f.message}", c.report.path, None,
                    f.hint, code="facts"), key, "factsheet", (0, 0, 0, 0)))
        p = self._para(c, text, lang, script, rtl, st.weight, key)
        x, y, w, h = box
        lh_factor = self.fonts.stack(script).line_height
        size = st.size
        while True:
            lines = p.break_nicely(w / size, False)
            lh = size * st.leading * lh_factor
            total = lh * len(lines)
            if (total <= h + 0.01 and (lines_max is None or len(lines) <= lines_max)) or size <= st.min_size:
                break
            size = max(st.min_size, size * 0.94)
        if total > h + 0.5 or (lines_max is not None and len(lines) > lines_max):
            language = self.project.languages.get(lang)
            t = language.strings.get(key) if language else None
            c.problems.append(Problem("overflow", Diagnostic(
                ERROR, f"{c.lang}: the text '{key}' does not fit on the fact sheet: {(total - h) / MM:.1f} mm too "
                       f"tall at {st.min_size:g} pt", language.path if language and t else c.sheet.path,
                t.line if t else None, f"shorten strings.{key}", code="overflow"), key, "factsheet", box))
        x = self._mx(c, x, w)
        if rtl or c.rtl:
            align = {"start": "end", "end": "start"}.get(align, align)
        composed = p.compose(lines)
        face0 = p.runs[0][2] if p.runs else None
        asc = face0.ascender if face0 else 0.9
        desc = face0.descender if face0 else 0.25
        cy = y
        if valign == "middle":
            cy = y + max(0.0, (h - total) / 2)
        elif valign == "bottom":
            cy = y + max(0.0, h - total)
        top = cy
        ink = color or c.sheet.colors[st.color]
        runs = []
        widest = 0.0
        for line in composed:
            lw = line.width * size
            widest = max(widest, lw)
            lx = x + (w - lw) / 2 if align == "center" else (x + w - lw if align == "end" else x)
            baseline = cy + (lh - (asc + desc) * size) / 2 + asc * size
            runs += [_place(run, size, lx, baseline, ink) for run in line.runs]
            cy += lh
        bx = x + (w - widest) / 2 if align == "center" else (x + w - widest if align == "end" else x)
        block = TextBlock(p.text, lang, tuple(runs), key, (bx, top, widest, cy - top), len(composed), size, rtl)
        return [block], cy - y

    def _width(self, c: _Ctx, text: str, style: str, number: bool = False) -> float:
        st = c.sheet.styles[style]
        p = self._para(c, text, c.lang, c.script, False if number else c.rtl, st.weight, "measure")
        return p.natural_width() * st.size

    @staticmethod
    def _mx(c: _Ctx, x: float, w: float) -> float:
        """x of a box of width w, mirrored for right-to-left languages."""
        return c.W - x - w if c.rtl else x

    def _rect(self, c: _Ctx, x, y, w, h, fill, radius: float = 0.0, bleed: tuple = ()) -> Rect:
        x = self._mx(c, x, w)
        b = c.sheet.bleed * MM
        if "top" in bleed:
            y, h = y - b, h + b
        if "bottom" in bleed:
            h += b
        if "sides" in bleed:
            x, w = x - b, w + 2 * b
        return Rect(x, y, w, h, c.sheet.colors[fill] if isinstance(fill, str) else fill, None, 0.0, radius)

    # ---------------------------------------------------------- compose
    def compose(self, lang: str, draft_mark: bool = True) -> tuple[tuple[Page, Page], list[Problem]]:
        project = self.project
        reports = project.reports
        sheet, report = reports.sheet, reports.current()
        language = project.languages[lang]
        c = _Ctx(project, self.fonts, sheet, report, lang, language.rtl, language.script, {}, [],
                 FactsGuard.from_facts(project.facts), sheet.width * MM, sheet.height * MM)
        c.charset = self._charset(c)
        c.links = []          # page 2's clickable hotline and address (online edition)
        pages = (self._page1(c), self._page2(c))
        out = []
        for i, items in enumerate(pages):
            if draft_mark and language.review_status not in MARK_FREE:
                items = items + self._draft_mark(c, items, i)
            out.append(self._page(c, items, i))
        return tuple(out), c.problems

    def _charset(self, c: _Ctx) -> frozenset:
        """Every character the sheet may set in this language (for font subsets)."""
        from ..model.report import required_keys
        chars = set(DRAFT_MARK_TEXT)
        for key in required_keys(c.report):
            chars.update(normalise(self.project.string(c.lang, key)[0]))
        values = list(c.report.figures.values()) + [c.report.year]
        for v in values:
            chars.update(format_count(v, c.lang))
            chars.update(format_count(v, c.lang, grouping=False))
        for v in c.report.changes.values():
            chars.update(format_count(v, c.lang, signed=True))
        facts = self.project.facts
        chars.update(facts.hotline_display + facts.links["report"].display + " ")
        return frozenset(map(ord, chars))

    def _page(self, c: _Ctx, items: list, index: int) -> Page:
        project = self.project
        language = project.languages[c.lang]
        facts = project.facts
        title = project.string(c.lang, "report.title")[0]
        status = {"source": "source text", "reviewed": "reviewed by a native speaker"}.get(
            language.review_status, "DRAFT translation, not reviewed by a native speaker")
        return Page(width=c.W, height=c.H, bleed=c.sheet.bleed * MM, slug=c.sheet.slug * MM, items=tuple(items),
                    links=tuple(c.links) if index == 1 else (),
                    title=f"{title} {c.report.year} ({language.name})", author=facts.author,
                    subject=f"Annual fact sheet {c.report.year}. {language.name}: {status}.", lang=c.lang,
                    design=DESIGN_ID, slug_items=self._slug(c, index, status), rtl=c.rtl)

    def _slug(self, c: _Ctx, index: int, status: str) -> tuple:
        language = self.project.languages[c.lang]
        text = f"{DESIGN_ID} {c.report.year} · page {index + 1} of 2 · {language.tag} · {language.name} · {status}"
        p = Paragraph(text, "en", self.fonts.faces("Latn", "regular"), self.fonts)
        size = 6.5
        (line,) = p.compose([(0, len(p.text))])
        x, y = 20 * MM, c.H + c.sheet.bleed * MM + 7 * MM
        black = Color("registration", (0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
        runs = [_place(run, size, x, y, black) for run in line.runs]
        return (TextBlock(p.text, "en", tuple(runs), "slug", (x, y - size, line.width * size, size), 1, size),)

    # ------------------------------------------------------------ page 1
    def _page1(self, c: _Ctx) -> list:
        sheet, report = c.sheet, c.report
        m = sheet.margin * MM
        W = c.W
        cw = W - 2 * m
        items: list = []
        # header band
        band = 42 * MM
        items.append(self._rect(c, 0, 0, W, band, "brand", bleed=("top", "sides")))
        year_w = 40 * MM
        year = format_count(report.year, c.lang, grouping=False)
        b, _ = self._set(c, "report.year", year, "year", (W - m - year_w, 10 * MM, year_w, band - 20 * MM),
                         align="end", valign="middle", number=True)
        items += b
        text, lang, script, rtl = self._string(c, "report.subtitle")
        b, h1 = self._set(c, "report.subtitle", text, "subtitle", (m, 10 * MM, cw - year_w - 4 * MM, 10 * MM),
                          lang=lang, script=script, rtl=rtl)
        items += b
        text, lang, script, rtl = self._string(c, "report.title")
        b, _ = self._set(c, "report.title", text, "title", (m, 10 * MM + h1 + 2 * MM, cw - year_w - 4 * MM,
                                                           band - 18 * MM - h1), lang=lang, script=script, rtl=rtl)
        items += b
        # key figures
        y = band + 7 * MM
        items += self._heading(c, "report.figures.heading", m, y, cw)
        y += 8 * MM
        tiles = ["victims.total", "victims.minors", "suspects.total", "suspects.cases", "suspects.prosecuted"]
        gap = 3 * MM
        tw = (cw - gap * (len(tiles) - 1)) / len(tiles)
        th = 40 * MM
        for i, fig in enumerate(tiles):
            tx = m + i * (tw + gap)
            items.append(self._rect(c, tx, y, tw, th, "panel", radius=2 * MM))
            pad = 2.5 * MM
            b, fh = self._set(c, fig, format_count(report.figures[fig], c.lang), "figure",
                              (tx + pad, y + pad, tw - 2 * pad, 12 * MM), number=True)
            items += b
            key = CHANGE_FIGURES[fig]
            text, lang, script, rtl = self._string(c, key)
            b, _ = self._set(c, key, text, "figure_label", (tx + pad, y + pad + 12 * MM, tw - 2 * pad, 15 * MM),
                             lang=lang, script=script, rtl=rtl)
            items += b
            if fig in report.changes:
                items += self._change(c, fig, report.changes[fig], tx + pad, y + th - pad - 5 * MM, tw - 2 * pad)
        y += th + 7 * MM
        # charts: victims on the start side, suspects on the end side
        colw = (cw - 8 * MM) / 2
        charts = [
            ("report.victims.heading", [
                ("report.chart.victims_gender", [("female", report.figures["victims.by_gender.female"]),
                                                 ("male", report.figures["victims.by_gender.male"])]),
                ("report.chart.victims_nationality", [("japanese", report.figures["victims.by_nationality.japanese"]),
                                                      ("foreign", report.figures["victims.by_nationality.foreign"])]),
                ("report.chart.victims_age", [("minors", report.figures["victims.minors"]),
                                              ("adults", report.figures["victims.adults"])]),
            ]),
            ("report.suspects.heading", [
                ("report.chart.suspects_gender", [("male", report.figures["suspects.by_gender.male"]),
                                                  ("female", report.figures["suspects.by_gender.female"])]),
                ("report.chart.suspects_nationality", [("japanese", report.figures["suspects.by_nationality.japanese"]),
                                                       ("foreign", report.figures["suspects.by_nationality.foreign"])]),
                ("report.chart.outcomes", [("guilty", report.figures["suspects.outcomes.guilty"]),
                                           ("pending", report.figures["suspects.outcomes.pending"])]),
            ]),
        ]
        # the year-on-year panel takes what its rows need; the charts share the rest
        rows_yoy = sum(1 for k in CHANGE_FIGURES if k in report.changes)
        panel_h = (17 * MM + rows_yoy * 7 * MM) if rows_yoy else 15 * MM
        room = c.H - m - 6 * MM - panel_h - (y + 8 * MM + 3 * MM)
        chart_h = max(27 * MM, min(38 * MM, room / 3))
        for col, (heading, rows) in enumerate(charts):
            cx = m + col * (colw + 8 * MM)
            head = self._heading(c, heading, cx, y, colw)
            items += head
            cy = y + 8 * MM
            context = next((it.text.strip() for it in head if isinstance(it, TextBlock)), "")
            for title, parts in rows:
                items += self._bar_chart(c, title, parts, cx, cy, colw, chart_h - 3 * MM, context)
                cy += chart_h
        y += 8 * MM + 3 * chart_h + 3 * MM
        # year on year
        items += self._changes_panel(c, m, y, cw, panel_h)
        items += self._source(c)
        return items

    def _source(self, c: _Ctx) -> list:
        """The source of the figures at the foot of the page, leaving the end of the line to the draft mark."""
        m = c.sheet.margin * MM
        text, lang, script, rtl = self._string(c, "report.source")
        b, _ = self._set(c, "report.source", text, "source", (m, c.H - m - 1 * MM, c.W - 2 * m - 60 * MM, 8 * MM),
                         lang=lang, script=script, rtl=rtl)
        return b

    def _heading(self, c: _Ctx, key: str, x: float, y: float, w: float) -> list:
        text, lang, script, rtl = self._string(c, key)
        b, h = self._set(c, key, text, "heading", (x, y, w, 7 * MM), lang=lang, script=script, rtl=rtl, lines_max=1)
        rule = self._rect(c, x, y + 6.6 * MM, w, 0.6, "brand")
        return b + [rule]

    def _change(self, c: _Ctx, fig: str, change: int, x: float, y: float, w: float) -> list:
        """An arrow and a signed number: the change of ``fig`` from the previous year."""
        out = []
        color = c.sheet.colors["up" if change > 0 else "down" if change < 0 else "rule"]
        s = 2.6 * MM
        ax = self._mx(c, x, s)
        ay = y + 0.6 * MM
        if change > 0:
            cmds = (("M", ax + s / 2, ay), ("L", ax + s, ay + s), ("L", ax, ay + s), ("Z",))
        elif change < 0:
            cmds = (("M", ax, ay), ("L", ax + s, ay), ("L", ax + s / 2, ay + s), ("Z",))
        else:
            cmds = (("R", ax, ay + s / 2 - 0.6, s, 1.2),)
        out.append(Path(cmds, color))
        text = format_count(change, c.lang, signed=True)
        b, _ = self._set(c, f"change:{fig}", text, "change", (x + s + 1.2 * MM, y, w - s - 1.2 * MM, 5 * MM),
                         number=True)
        # a signed number is read left to right: in a right-to-left layout it still sits after the arrow
        return out + b

    def _bar_chart(self, c: _Ctx, title_key: str, parts: list, x: float, y: float, w: float, h: float,
                   context: str = "") -> list:
        """A titled 100 % bar of ``parts`` (category, count) with a legend of labels and counts: one figure,
        whose text alternative names ``context`` (the heading above it), the title and every count."""
        out = []
        text, lang, script, rtl = self._string(c, title_key)
        b, th = self._set(c, title_key, text, "chart_title", (x, y, w, 5 * MM), lang=lang, script=script, rtl=rtl,
                          lines_max=1)
        out += b
        by = y + 5.5 * MM
        bh = 6 * MM
        total = sum(v for _k, v in parts)
        series = [c.sheet.colors[s] for s in c.sheet.series]
        out.append(self._rect(c, x, by, w, bh, "panel"))
        cursor = x
        for i, (_cat, v) in enumerate(parts):
            if total <= 0 or v <= 0:
                continue
            sw = w * v / total
            out.append(self._rect(c, cursor, by, sw, bh, series[i % len(series)]))
            cursor += sw
        # the legend: a swatch, the label, the count at the end of the line
        ly = by + bh + 1.5 * MM
        row = 5 * MM
        said = []
        for i, (cat, v) in enumerate(parts):
            out.append(self._rect(c, x, ly + 1.1 * MM, 2.8 * MM, 2.8 * MM, series[i % len(series)]))
            key = f"report.label.{cat}"
            text, lang, script, rtl = self._string(c, key)
            num = format_count(v, c.lang)
            nw = 14 * MM
            b, _ = self._set(c, key, text, "label", (x + 4.5 * MM, ly, w - 4.5 * MM - nw, row), lang=lang,
                             script=script, rtl=rtl, lines_max=1)
            out += b
            b, _ = self._set(c, f"count:{title_key}.{cat}", num, "value", (x + w - nw, ly, nw, row), align="end",
                             number=True)
            out += b
            said.append(f"{normalise(text).strip()} {num}")
            ly += row
        # the bar and its legend are one figure; its text alternative states the figures in words
        title = next((it.text.strip() for it in out if isinstance(it, TextBlock) and it.key == title_key), "")
        alt = chart_alt(c.lang, f"{context} \u2014 {title}" if context else title, said)
        return [it if isinstance(it, TextBlock) and it.key == title_key else
                replace(it, figure=title_key) if isinstance(it, TextBlock) else replace(it, figure=title_key, alt=alt)
                for it in out]

    def _changes_panel(self, c: _Ctx, x: float, y: float, w: float, h: float) -> list:
        """The year-on-year changes: a label, a bar from a centre line, the signed change."""
        report = c.report
        out = [self._rect(c, x, y, w, h, "panel", radius=2 * MM)]
        pad = 4 * MM
        text, lang, script, rtl = self._string(c, "report.change.heading")
        b, hh = self._set(c, "report.change.heading", text, "heading", (x + pad, y + pad, w / 2 - pad, 7 * MM),
                          lang=lang, script=script, rtl=rtl, lines_max=1)
        out += b
        text, lang, script, rtl = self._string(c, "report.change.note")
        b, _ = self._set(c, "report.change.note", text, "label", (x + w / 2, y + pad + 1 * MM, w / 2 - pad, 6 * MM),
                         align="end", lang=lang, script=script, rtl=rtl, lines_max=1)
        out += b
        changes = [(k, report.changes[k]) for k in CHANGE_FIGURES if k in report.changes]
        if not changes:
            return out
        top = y + pad + 9 * MM
        row = min(7 * MM, (y + h - pad - top) / len(changes))
        label_w = w * 0.36
        num_w = 16 * MM
        bar_x = x + pad + label_w + 2 * MM
        bar_w = w - 2 * pad - label_w - num_w - 4 * MM
        centre = bar_x + bar_w / 2
        most = max(abs(v) for _k, v in changes) or 1
        out.append(self._rect(c, centre - 0.3, top, 0.6, row * len(changes), "rule"))
        for i, (fig, v) in enumerate(changes):
            ry = top + i * row
            key = CHANGE_FIGURES[fig]
            text, lang, script, rtl = self._string(c, key)
            b, _ = self._set(c, key, text, "label", (x + pad, ry, label_w, row), valign="middle", lang=lang,
                             script=script, rtl=rtl, lines_max=1)
            out += b
            length = (bar_w / 2 - 1 * MM) * abs(v) / most
            colour = "up" if v > 0 else "down"
            bx = centre if v >= 0 else centre - length
            if v:
                out.append(self._rect(c, bx, ry + row * 0.25, length, row * 0.5, colour))
            out += self._change(c, fig, v, x + w - pad - num_w, ry + (row - 5 * MM) / 2 + 0.5 * MM, num_w)
        return out

    # ------------------------------------------------------------ page 2
    def _page2(self, c: _Ctx) -> list:
        sheet, report = c.sheet, c.report
        m = sheet.margin * MM
        W, H = c.W, c.H
        cw = W - 2 * m
        items: list = []
        band = 30 * MM
        items.append(self._rect(c, 0, 0, W, band, "brand", bleed=("top", "sides")))
        year_w = 30 * MM
        b, _ = self._set(c, "report.year", format_count(report.year, c.lang, grouping=False), "year",
                         (W - m - year_w, 8 * MM, year_w, 16 * MM), align="end", number=True)
        items += b
        text, lang, script, rtl = self._string(c, "report.measures.heading")
        b, _ = self._set(c, "report.measures.heading", text, "title", (m, 8 * MM, cw - year_w - 4 * MM, 18 * MM),
                         valign="middle", lang=lang, script=script, rtl=rtl)
        items += b
        # the areas: two columns
        areas = report.measures
        cols = 2
        rows = (len(areas) + 1) // cols
        gap = 6 * MM
        top = band + 8 * MM
        contact_h = 36 * MM
        bottom = H - m - contact_h - 8 * MM
        aw = (cw - gap) / cols
        ah = (bottom - top - gap * (rows - 1)) / rows
        series = c.sheet.series
        for i, area in enumerate(areas):
            ax = m + (i % cols) * (aw + gap)
            ay = top + (i // cols) * (ah + gap)
            items.append(self._rect(c, ax, ay, aw, ah, "panel", radius=2 * MM))
            ay, ah_in = ay + 5 * MM, ah - 10 * MM
            inner = ax + 8 * MM
            iw = aw - 13 * MM
            ax += 4 * MM
            key = f"report.area.{area}.heading"
            text, lang, script, rtl = self._string(c, key)
            b, hh = self._set(c, key, text, "area_heading", (inner, ay, iw, 14 * MM), lang=lang, script=script,
                              rtl=rtl)
            items += b
            key = f"report.area.{area}.text"
            text, lang, script, rtl = self._string(c, key)
            b, th = self._set(c, key, text, "area_text", (inner, ay + hh + 2 * MM, iw, ah_in - hh - 2 * MM), lang=lang,
                              script=script, rtl=rtl)
            items += b
            # a bar in the area's colour along the start side of its text
            items.append(self._rect(c, ax, ay, 1.6 * MM, min(ah_in, hh + 2 * MM + th), series[i % len(series)]))
        # the hotline and the report address (the campaign's facts, as they are)
        cy = H - m - contact_h - 2 * MM
        items.append(self._rect(c, m, cy, cw, contact_h, "brand", radius=2.5 * MM))
        pad = 6 * MM
        text, lang, script, rtl = self._string(c, "report.contact.heading")
        b, hh = self._set(c, "report.contact.heading", text, "contact_heading", (m + pad, cy + pad, cw / 2, 8 * MM),
                          lang=lang, script=script, rtl=rtl)
        items += b
        facts = self.project.facts
        b, _ = self._set(c, "fact:hotline.display", facts.hotline_display, "hotline",
                         (m + pad, cy + pad + hh + 2 * MM, cw / 2, 14 * MM), number=True, lang="en", script="Latn",
                         rtl=False)
        items += b
        c.links.append(Link(*b[0].box, facts.link_target("hotline")))
        text, lang, script, rtl = self._string(c, "report.contact.online")
        b, h2 = self._set(c, "report.contact.online", text, "contact_heading",
                          (m + cw / 2 + pad, cy + pad, cw / 2 - 2 * pad, 8 * MM), lang=lang, script=script, rtl=rtl)
        items += b
        b, _ = self._set(c, "fact:links.report.display", facts.links["report"].display, "url",
                         (m + cw / 2 + pad, cy + pad + h2 + 4 * MM, cw / 2 - 2 * pad, 10 * MM), lang="en",
                         script="Latn", rtl=False)
        items += b
        c.links.append(Link(*b[0].box, facts.link_target("report")))
        items += self._source(c)
        return items

    # ---------------------------------------------------------- draft mark
    def _draft_mark(self, c: _Ctx, items: list, index: int) -> list:
        """The draft mark, as the leaflets carry it: a small labelled box in the
        bottom end corner of the safe area (start and end swap for right-to-left
        languages), where the layout keeps room for it."""
        size = c.sheet.mark_size
        p = Paragraph(DRAFT_MARK_TEXT, "en", self.fonts.faces("Latn", "bold"), self.fonts)
        (line,) = p.compose([(0, len(p.text))])
        above, below = 0.8 * size, 0.24 * size
        pad_x, pad_y = 0.35 * size, 0.18 * size
        tw, th = line.width * size, above + below
        bw, bh = tw + 2 * pad_x, th + 2 * pad_y
        safe = max(c.sheet.safe, 0) * MM
        x = safe if c.rtl else c.W - safe - bw
        y = c.H - safe - bh
        mark = (x, y, bw, bh)
        for it in items:
            if isinstance(it, TextBlock) and _overlaps(mark, it.box):
                c.problems.append(Problem("draft-mark", Diagnostic(
                    ERROR, f"{c.lang}: the draft mark would cover the text '{it.key}' on page {index + 1} of the "
                           "fact sheet", c.sheet.path, None, "make room in the bottom corner of the safe area",
                    code="draft-mark"), "draft-mark", "", mark))
                break
        ink = c.sheet.colors["ink"]
        paper = c.sheet.colors["paper"]
        runs = tuple(_place(run, size, x + pad_x, y + pad_y + above, ink) for run in line.runs)
        return [Rect(x, y, bw, bh, paper, ink, 0.5, 0.25 * size),
                TextBlock(p.text, "en", runs, "draft-mark", (x + pad_x, y + pad_y, tw, th), 1, size)]


def _overlaps(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
