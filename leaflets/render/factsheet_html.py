"""The annual fact sheet's HTML edition: one self-contained, accessible page per language.

Read from the laid-out pages of the fact sheet (:mod:`leaflets.layout.factsheet`),
as the leaflets' HTML edition (:mod:`leaflets.render.html`) is read from theirs:
every text is a text block of the pages, exactly as the PDF sets it — the
numbers too, written for the locale as the PDF writes them — and what each is
comes from its key:

- ``report.title`` the ``<h1>``, the subtitle and the year in the page header;
  the section headings ``<h2>``, the charts' titles and the areas ``<h3>``;
- the key figures a list, each number with its label and its change from the
  previous year;
- each chart an inline SVG bar (``role="img"`` with a text alternative: the
  chart's own, as the tagged PDF gives it, else its title and figures) AND a
  real ``<table>`` of its figures, one row a category (a ``<th>`` with the
  colour swatch of the bar) and its count; the year-on-year changes the same,
  bars from a centre line;
- the areas of measures a list; the hotline a ``tel:`` link and the report
  address an ``https:`` link (the page's own links);
- the draft notice at the top for a draft translation, the source at the foot.

``lang`` and ``dir`` are set on the page (and on a text in another language:
a string that fell back to English); numbers, the hotline and the address are
isolated left to right inside right-to-left text.  Colours are the sheet's RGB;
a text whose contrast on its background is under WCAG AA has its colour moved
towards black or white until it passes (:func:`leaflets.render.html.readable`).
Fonts: every face the blocks were set in, subset to what the page shows and
embedded as WOFF2 (:class:`leaflets.render.html.WebFonts`).  No fixed widths:
readable at 320 CSS px and at 200 % zoom.  Same input, same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape

from ..layout.frame import Path, Rect, TextBlock
from ..model.report import CHANGE_FIGURES
from .html import (INK, PAPER, WebFonts, _attrs, _background, _quantise, contrast, document, hex_rgb, is_large,
                   readable)

_CHART = re.compile(r"report\.chart\.([a-z_]+)")
_COUNT = re.compile(r"count:report\.chart\.([a-z_]+)\.([a-z_]+)")
_LABEL = re.compile(r"report\.label\.([a-z_]+)")
_AREA = re.compile(r"report\.area\.([a-z0-9_]+)\.(heading|text)")
_GROUP_HEADINGS = ("report.victims.heading", "report.suspects.heading")
_LABELS = set(CHANGE_FIGURES.values())      # a key figure's label (report.victims …)


def number_value(text: str) -> int:
    """The whole number a count as set stands for, in any script's digits: each digit by its Unicode
    digit value; negative when it carries a minus sign (hyphen-minus or U+2212)."""
    digits = "".join(str(unicodedata.digit(ch)) for ch in text if unicodedata.category(ch) == "Nd")
    value = int(digits) if digits else 0
    return -value if any(ch in "-\u2212" for ch in text) else value


@dataclass
class _Block:
    block: TextBlock
    fg: tuple
    bg: tuple
    href: str | None = None


@dataclass
class _Chart:
    title: _Block
    alt: str = ""
    rows: list = field(default_factory=list)     # (label block, count block, swatch rgb)


@dataclass
class _Tile:
    number: _Block
    label: _Block | None = None
    change: _Block | None = None
    arrow: tuple | None = None


class FactsheetHtmlRenderer:
    """Writes the fact sheet's HTML edition from its laid-out pages."""

    def __init__(self, cache_dir=None, fonts: WebFonts | None = None):
        self.fonts = fonts or WebFonts(cache_dir)

    # ------------------------------------------------------------ reading the frames
    @staticmethod
    def _read(pages) -> dict:
        """What the pages show, by key and in paint order: the header, tiles, charts, changes, areas,
        contact, source and draft mark."""
        found: dict = {"first": {}, "tiles": [], "groups": [], "changes": [], "areas": {}, "area_order": []}
        first = found["first"]
        mode = None
        for page in pages:
            items = list(page.items)
            links = {(round(l.x, 3), round(l.y, 3), round(l.w, 3), round(l.h, 3)): l.uri for l in page.links}
            last_square = None      # the swatch painted before a legend's label
            last_path = None        # the arrow painted before a change
            pending_label = None
            chart = None
            for i, it in enumerate(items):
                if isinstance(it, Rect):
                    if it.fill is not None and abs(it.w - it.h) < 0.01 and it.w < 12:
                        last_square = tuple(it.fill.rgb)
                    if chart is not None and it.alt and not chart.alt:
                        chart.alt = it.alt
                    continue
                if isinstance(it, Path):
                    last_path = tuple(it.fill.rgb) if it.fill is not None else None
                    continue
                if not isinstance(it, TextBlock) or not it.text.strip() or it.key == "slug":
                    continue
                fg = tuple(it.runs[0].color.rgb) if it.runs else INK
                b = _Block(it, fg, _background(items, i, it.box),
                           links.get(tuple(round(v, 3) for v in it.box)))
                key = it.key
                first.setdefault(key, b)
                if key == "report.figures.heading":
                    mode = "figures"
                elif key in _GROUP_HEADINGS:
                    mode = "charts"
                    found["groups"].append((b, []))
                elif key == "report.change.heading":
                    mode = "changes"
                elif key == "report.measures.heading":
                    mode = "measures"
                elif mode == "figures" and key in CHANGE_FIGURES:
                    found["tiles"].append(_Tile(b))
                elif mode == "figures" and key in _LABELS and found["tiles"]:
                    found["tiles"][-1].label = b
                elif mode == "figures" and key.startswith("change:") and found["tiles"]:
                    found["tiles"][-1].change, found["tiles"][-1].arrow = b, last_path
                elif mode == "charts" and _CHART.fullmatch(key) and found["groups"]:
                    chart = _Chart(b)
                    found["groups"][-1][1].append(chart)
                elif mode == "charts" and _LABEL.fullmatch(key):
                    pending_label = (b, last_square)
                elif mode == "charts" and _COUNT.fullmatch(key) and chart is not None and pending_label:
                    chart.rows.append((pending_label[0], b, pending_label[1]))
                    pending_label = None
                elif mode == "changes" and key in _LABELS:
                    found["changes"].append([b, None, None])
                elif mode == "changes" and key.startswith("change:") and found["changes"]:
                    found["changes"][-1][1], found["changes"][-1][2] = b, last_path
                elif _AREA.fullmatch(key):
                    area, part = _AREA.fullmatch(key).groups()
                    if area not in found["areas"]:
                        found["area_order"].append(area)
                    found["areas"].setdefault(area, {})[part] = b
        return found

    # ------------------------------------------------------------ writing
    def render(self, pages) -> bytes:
        pages = list(pages)
        first_page = pages[0]
        lang, rtl = first_page.lang, first_page.rtl
        found = self._read(pages)
        first = found["first"]
        families: dict = {}
        chars: dict = {}

        def font_css(block: TextBlock) -> str:
            faces = list(dict.fromkeys(r.face for r in block.runs))
            for f in faces:
                families.setdefault(f, f"lf{len(families) + 1}")
                chars.setdefault(f, set()).update(ord(c) for c in block.text if ord(c) in f.unicodes)
            return ",".join(f'"{families[f]}"' for f in faces) + ",sans-serif"

        def line_height(block: TextBlock, heading: bool) -> float:
            faces = list(dict.fromkeys(r.face for r in block.runs))
            tall = max((f.ascender + f.descender for f in faces), default=1.0)
            return round(max(1.3 if heading else 1.6, tall * 1.15), 2)

        def style(b: _Block, size: float, bg, heading: bool = False, color: bool = True) -> str:
            bold = any(r.face.weight == "bold" for r in b.block.runs[:1])
            need = 3.0 if is_large(size, bold) else 4.5
            fg = readable(b.fg, bg, need)
            parts = [f"font-family:{font_css(b.block)}", f"font-weight:{700 if bold else 400}",
                     f"font-size:{size:g}rem", f"line-height:{line_height(b.block, heading):g}"]
            if color:
                parts.append(f"color:{hex_rgb(fg)}")
            return ";".join(parts)

        def other_lang(b: _Block) -> dict:
            """lang and dir of a string in another language (one that fell back to English)."""
            blk = b.block
            if blk.lang == lang or not blk.key.startswith(("report.", "draft-mark")):
                return {}
            return {"lang": blk.lang, "dir": "rtl" if blk.rtl else "ltr"}

        def text(b: _Block) -> str:
            """The block's text; a number, the hotline or an address inside right-to-left text isolated
            left to right."""
            t = escape(" ".join(b.block.text.split()), quote=False)
            if rtl and not b.block.rtl:
                t = f'<span dir="ltr">{t}</span>'
            if b.href:
                t = f'<a href="{escape(b.href, quote=True)}">{t}</a>'
            return t

        heading_ids: dict[str, str] = {}

        def heading(tag: str, b: _Block, size: float, bg, like: _Block | None = None) -> str:
            """A heading; ``like``: a heading whose colour it takes (a title the PDF reverses out of its
            band sits on the page's white here)."""
            hid = heading_ids.setdefault(b.block.key, f"h{len(heading_ids) + 1}")
            if like is not None:
                b = _Block(b.block, like.fg, b.bg, b.href)
            return (f"<{tag}{_attrs(id=hid, style=style(b, size, bg, heading=True), **other_lang(b))}>"
                    f"{text(b)}</{tag}>")

        def para(b: _Block | None, size: float, bg, cls: str = "", tag: str = "p") -> str:
            if b is None:
                return ""
            return f"<{tag}{_attrs(class_=cls, style=style(b, size, bg), **other_lang(b))}>{text(b)}</{tag}>"

        def bar_svg(parts: list[tuple[int, tuple]], label: str) -> str:
            """A 100 % bar of (count, colour) parts, start to end (end to start right to left)."""
            total = sum(v for v, _c in parts)
            w, h = 200.0, 14.0
            rects = [f'<rect width="{w:g}" height="{h:g}" fill="{hex_rgb(panel)}"/>']
            cursor = 0.0
            for v, colour in parts:
                if total <= 0 or v <= 0:
                    continue
                sw = w * v / total
                x = w - cursor - sw if rtl else cursor
                rects.append(f'<rect x="{x:.3f}" width="{sw:.3f}" height="{h:g}" fill="{hex_rgb(colour)}"/>')
                cursor += sw
            return (f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" viewBox="0 0 {w:g} {h:g}" '
                    f'preserveAspectRatio="none" role="img" aria-label="{escape(label, quote=True)}">'
                    f"<title>{escape(label, quote=False)}</title>{''.join(rects)}</svg>")

        def swatch(colour) -> str:
            return f'<span class="swatch" aria-hidden="true" style="background:{hex_rgb(colour)}"></span>' \
                if colour is not None else ""

        panel = next((tuple(it.fill.rgb) for p in pages for it in p.items
                      if isinstance(it, Rect) and it.fill is not None and it.w > 20 and
                      _quantise(tuple(it.fill.rgb)) != _quantise(PAPER) and contrast(tuple(it.fill.rgb), PAPER) < 1.3),
                     (0.92, 0.94, 0.97))
        title_b = first.get("report.title")
        brand = title_b.bg if title_b is not None else (0.11, 0.29, 0.55)

        # ---- header
        head = []
        mark = first.get("draft-mark")
        if mark is not None:
            head.append(f'<div class="notice"><p role="note"'
                        f'{_attrs(class_="draft", style=style(mark, 1.0, brand, color=False), **other_lang(mark))}>'
                        f'{text(mark)}</p></div>')
        head.append(para(first.get("report.subtitle"), 1.0, brand, "kicker"))
        if title_b is not None:
            year = first.get("report.year")
            year_html = f' <span class="year">{text(year)}</span>' if year is not None else ""
            head.append(f"<h1{_attrs(style=style(title_b, 2.0, brand, heading=True), **other_lang(title_b))}>"
                        f"{text(title_b)}{year_html}</h1>")
        header = f'<header class="part band" style="background:{hex_rgb(brand)}"><div class="wrap">' \
                 f'{"".join(head)}</div></header>'

        main: list[str] = []
        # ---- key figures
        fh = first.get("report.figures.heading")
        if fh is not None and found["tiles"]:
            lis = []
            for t in found["tiles"]:
                inner = f'<span class="figure"{_attrs(style=style(t.number, 2.25, panel))}>{text(t.number)}</span>'
                if t.label is not None:
                    inner += f'<span class="label"{_attrs(style=style(t.label, 1.0, panel), **other_lang(t.label))}>' \
                             f"{text(t.label)}</span>"
                if t.change is not None:
                    # the arrow the PDF draws: up, down or level, in its colour (the number says it in words)
                    v = number_value(t.change.block.text)
                    shape = "M5 1L9 9H1Z" if v > 0 else "M1 1H9L5 9Z" if v < 0 else "M1 4H9V6H1Z"
                    colour = hex_rgb(readable(t.arrow or t.change.fg, panel, 3.0))
                    inner += (f'<span class="change"{_attrs(style=style(t.change, 1.0, panel))}>'
                              f'<svg xmlns="http://www.w3.org/2000/svg" class="arrow" viewBox="0 0 10 10" '
                              f'aria-hidden="true" focusable="false"><path fill="{colour}" d="{shape}"/></svg> '
                              f"{text(t.change)}</span>")
                lis.append(f'<li style="background:{hex_rgb(panel)}">{inner}</li>')
            h2 = heading("h2", fh, 1.5, PAPER)
            main.append(f'<section class="part" aria-labelledby="{heading_ids[fh.block.key]}">{h2}'
                        f'<ul class="figures">{"".join(lis)}</ul></section>')

        # ---- charts, a group per heading
        for group, charts in found["groups"]:
            blocks = []
            for ch in charts:
                hid_html = heading("h3", ch.title, 1.125, PAPER)
                hid = heading_ids[ch.title.block.key]
                said = ", ".join(f"{' '.join(lb.block.text.split())} {cb.block.text.strip()}" for lb, cb, _c in ch.rows)
                alt = ch.alt or f"{' '.join(ch.title.block.text.split())}: {said}"
                svg = bar_svg([(number_value(cb.block.text), colour or INK) for _lb, cb, colour in ch.rows], alt)
                rows = "".join(
                    f'<tr><th scope="row"{_attrs(style=style(lb, 1.0, PAPER), **other_lang(lb))}>{swatch(colour)}'
                    f'{text(lb)}</th><td{_attrs(style=style(cb, 1.0, PAPER))}>{text(cb)}</td></tr>'
                    for lb, cb, colour in ch.rows)
                blocks.append(f'<div class="chart">{hid_html}{svg}'
                              f'<table aria-labelledby="{hid}"><tbody>{rows}</tbody></table></div>')
            h2 = heading("h2", group, 1.5, PAPER)
            main.append(f'<section class="part" aria-labelledby="{heading_ids[group.block.key]}">{h2}'
                        f'<div class="charts">{"".join(blocks)}</div></section>')

        # ---- year on year
        ch_head = first.get("report.change.heading")
        if ch_head is not None:
            note = first.get("report.change.note")
            body = heading("h2", ch_head, 1.5, panel) + para(note, 1.0, panel)
            rows = [r for r in found["changes"] if r[1] is not None]
            if rows:
                values = [number_value(c.block.text) for _l, c, _a in rows]
                most = max((abs(v) for v in values), default=0) or 1
                w, row_h = 200.0, 12.0
                bars = [f'<rect x="{w / 2 - 0.5:g}" width="1" height="{row_h * len(rows):g}" fill="#767676"/>']
                for i, ((_l, c, arrow), v) in enumerate(zip(rows, values)):
                    length = (w / 2 - 4) * abs(v) / most
                    grows_right = (v >= 0) != rtl
                    x = w / 2 if grows_right else w / 2 - length
                    if v:
                        bars.append(f'<rect x="{x:.3f}" y="{i * row_h + 3:g}" width="{length:.3f}" height="6" '
                                    f'fill="{hex_rgb(arrow or c.fg)}"/>')
                said = ", ".join(f"{' '.join(l.block.text.split())} {c.block.text.strip()}" for l, c, _a in rows)
                label = f"{' '.join(ch_head.block.text.split())}: {said}"
                body += (f'<svg xmlns="http://www.w3.org/2000/svg" class="changes" viewBox="0 0 {w:g} '
                         f'{row_h * len(rows):g}" preserveAspectRatio="none" role="img" '
                         f'aria-label="{escape(label, quote=True)}"><title>{escape(label, quote=False)}</title>'
                         f"{''.join(bars)}</svg>")
                trs = "".join(
                    f'<tr><th scope="row"{_attrs(style=style(l, 1.0, panel), **other_lang(l))}>{text(l)}</th>'
                    f'<td{_attrs(style=style(c, 1.0, panel))}>{text(c)}</td></tr>' for l, c, _a in rows)
                body += f'<table aria-labelledby="{heading_ids[ch_head.block.key]}"><tbody>{trs}</tbody></table>'
            main.append(f'<section class="part" aria-labelledby="{heading_ids[ch_head.block.key]}">'
                        f'<div class="panel" style="background:{hex_rgb(panel)}">{body}</div></section>')

        # ---- the areas of measures
        mh = first.get("report.measures.heading")
        if mh is not None:
            lis = []
            for area in found["area_order"]:
                parts = found["areas"][area]
                h = heading("h3", parts["heading"], 1.125, panel) if "heading" in parts else ""
                lis.append(f'<li style="background:{hex_rgb(panel)}">{h}{para(parts.get("text"), 1.0, panel)}</li>')
            h2 = heading("h2", mh, 1.5, PAPER, like=fh if fh is not None and mh.bg != PAPER else None)
            main.append(f'<section class="part" aria-labelledby="{heading_ids[mh.block.key]}">{h2}'
                        f'<ul class="areas">{"".join(lis)}</ul></section>')

        # ---- the hotline and the report address
        contact = []
        for head_key, fact_key, size in (("report.contact.heading", "fact:hotline.display", 2.25),
                                          ("report.contact.online", "fact:links.report.display", 1.375)):
            hb, fb = first.get(head_key), first.get(fact_key)
            if hb is None and fb is None:
                continue
            inner = (heading("h2", hb, 1.25, brand) if hb is not None else "") + \
                para(fb, size, brand, "hotline" if fact_key.startswith("fact:hotline") else "address")
            labelled = f' aria-labelledby="{heading_ids[hb.block.key]}"' if hb is not None else ""
            contact.append(f"<section{labelled}>{inner}</section>")
        if contact:
            main.append(f'<div class="part band" style="background:{hex_rgb(brand)}"><div class="contact">'
                        f'{"".join(contact)}</div></div>')

        footer = ""
        src = first.get("report.source")
        if src is not None:
            footer = f'<footer class="part"><div class="wrap">{para(src, 0.875, PAPER)}</div></footer>'

        body = header + "<main>" + "".join(main) + "</main>" + footer

        faces_css = self.fonts.font_faces(families, chars)
        title = first_page.title or (title_b.block.text if title_b is not None else "")
        return document(lang, rtl, title, first_page.author, first_page.subject, faces_css, CSS, body)


CSS = """\
*,*::before,*::after{box-sizing:border-box}
html{font-synthesis:none;-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#FFFFFF;color:#1A1A1A;font-family:sans-serif;overflow-wrap:break-word}
header,main,footer,section{display:block}
.part{padding:1rem clamp(.75rem,4vw,2rem)}
.part>*,.wrap{max-width:60rem;margin-left:auto;margin-right:auto}
h1,h2,h3,p{margin:0 0 .5rem}
h1,h2,h3{text-wrap:balance}
:lang(ko){word-break:keep-all}
:lang(ja),:lang(zh){line-break:strict}
:lang(ja) h1,:lang(ja) h2,:lang(ja) h3{word-break:auto-phrase}
.band{color:#FFFFFF}
.kicker{opacity:1}
.year{display:inline-block;white-space:nowrap}
.notice{margin-bottom:.75rem}
.draft{display:inline-block;background:#FFFFFF;color:#1A1A1A;border:2px solid #1A1A1A;padding:.125rem .5rem}
ul.figures,ul.areas{list-style:none;padding:0;display:grid;gap:.75rem}
ul.figures{grid-template-columns:repeat(auto-fit,minmax(min(100%,10rem),1fr))}
ul.areas{grid-template-columns:repeat(auto-fit,minmax(min(100%,20rem),1fr))}
ul.figures li,ul.areas li{padding:.75rem 1rem;border-radius:.25rem}
ul.figures li{display:flex;flex-direction:column;gap:.25rem}
.figure{font-variant-numeric:tabular-nums}
svg.arrow{display:inline-block;width:.7em;height:.7em;vertical-align:baseline}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,18rem),1fr));gap:1rem 2rem}
.chart h3{margin-bottom:.375rem}
svg.bar{display:block;width:100%;height:1.25rem;margin:0 0 .375rem}
svg.changes{display:block;width:100%;height:auto;max-height:8rem;margin:.5rem 0}
.panel{padding:1rem;border-radius:.25rem}
table{border-collapse:collapse;width:100%}
th,td{padding:.25rem 0;border-bottom:1px solid #767676;text-align:start;vertical-align:top;font-weight:inherit}
td{text-align:end;white-space:nowrap;font-variant-numeric:tabular-nums;padding-inline-start:1rem}
.swatch{display:inline-block;width:.8em;height:.8em;margin-inline-end:.5em;vertical-align:-.05em;border-radius:2px}
.contact{display:flex;flex-wrap:wrap;gap:1rem 3rem}
.contact>section{flex:1 1 16rem;min-width:0}
.hotline{letter-spacing:.02em}
a{color:inherit;text-decoration:underline;text-underline-offset:.15em;overflow-wrap:anywhere}
a:focus-visible{outline:3px solid currentColor;outline-offset:2px}
"""
