"""The annual fact sheet's HTML edition: structure, figures, charts as SVG and
tables, links, fonts, and — in headless Chromium — screenshots, no horizontal
scroll at 320 px and axe-core with no serious or critical violation."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from PIL import Image, ImageStat

from leaflets.layout.factsheet import format_count
from leaflets.model.report import CHANGE_FIGURES
from leaflets.render.factsheet_html import number_value

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
IN_BROWSER = ("en", "ja", "ar", "my")
CHROMIUM = os.environ.get("LEAFLETS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# each chart's categories and the report figures they show
CHARTS = {
    "victims_gender": [("female", "victims.by_gender.female"), ("male", "victims.by_gender.male")],
    "victims_nationality": [("japanese", "victims.by_nationality.japanese"),
                            ("foreign", "victims.by_nationality.foreign")],
    "victims_age": [("minors", "victims.minors"), ("adults", "victims.adults")],
    "suspects_gender": [("male", "suspects.by_gender.male"), ("female", "suspects.by_gender.female")],
    "suspects_nationality": [("japanese", "suspects.by_nationality.japanese"),
                             ("foreign", "suspects.by_nationality.foreign")],
    "outcomes": [("guilty", "suspects.outcomes.guilty"), ("pending", "suspects.outcomes.pending")],
}


def _axe_js() -> Path | None:
    """axe-core's script: $LEAFLETS_AXE_JS, or the npm package (in the project, or installed globally)."""
    candidates = [os.environ.get("LEAFLETS_AXE_JS"), ROOT / "node_modules" / "axe-core" / "axe.min.js"]
    if shutil.which("npm"):
        try:
            npm_root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30).stdout
            candidates.append(Path(npm_root.strip()) / "axe-core" / "axe.min.js")
        except (OSError, subprocess.SubprocessError):
            pass
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="module")
def sheets(workspace, tmp_path_factory):
    """lang -> (html bytes, laid-out pages) for every language."""
    plan = workspace.plan(workspace.jobs(["factsheet"], None, ["html"]))
    assert not plan.diagnostics.errors, [d.format() for d in plan.diagnostics.errors]
    laid = {job.lang: page for job, page in plan.pages}
    out = {}
    for o in workspace.outputs(plan, tmp_path_factory.mktemp("fs-html")):
        assert o.edition == "html" and o.path.name == f"factsheet.{o.job.lang}.html"
        out[o.job.lang] = (o.data, laid[o.job.lang])
    return out


@pytest.fixture(scope="module")
def files(sheets, tmp_path_factory):
    d = tmp_path_factory.mktemp("fs-html-files")
    out = {}
    for lang, (data, _pages) in sheets.items():
        p = d / f"factsheet.{lang}.html"
        p.write_bytes(data)
        out[lang] = p
    return out


def _doc(data: bytes):
    return lxml.html.document_fromstring(data.decode("utf-8"))


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _string(workspace, lang: str, key: str) -> str:
    return " ".join(workspace.project.string(lang, key)[0].split())


def test_every_language_has_lang_dir_title_and_real_headings(sheets, workspace):
    report = workspace.project.reports.current()
    for lang, (data, _pages) in sheets.items():
        doc = _doc(data)
        language = workspace.project.languages[lang]
        assert doc.get("lang") == lang and doc.get("dir") == ("rtl" if language.rtl else "ltr"), lang
        (h1,) = doc.findall(".//h1")
        assert _text(h1) == f"{_string(workspace, lang, 'report.title')} {format_count(report.year, lang, grouping=False)}"
        assert doc.find(".//header") is not None and doc.find(".//main") is not None \
            and doc.find(".//footer") is not None
        h2 = [_text(h) for h in doc.findall(".//h2")]
        for key in ("report.figures.heading", "report.victims.heading", "report.suspects.heading",
                    "report.change.heading", "report.measures.heading", "report.contact.heading"):
            assert _string(workspace, lang, key) in h2, (lang, key, h2)
        h3 = [_text(h) for h in doc.findall(".//h3")]
        for area in report.measures:
            assert _string(workspace, lang, f"report.area.{area}.heading") in h3, (lang, area)
        # every section is named by its heading
        for section in doc.iter("section"):
            target = section.get("aria-labelledby")
            if target:
                assert doc.get_element_by_id(target).tag in ("h2", "h3"), (lang, target)
        # the areas are a list, each with its heading and its text
        areas = doc.find_class("areas")[0].findall("li")
        assert len(areas) == len(report.measures)
        for li, area in zip(areas, report.measures):
            assert _text(li.find("h3")) == _string(workspace, lang, f"report.area.{area}.heading")
            assert _text(li.find("p")) == _string(workspace, lang, f"report.area.{area}.text")


def test_each_chart_is_an_svg_with_a_text_alternative_and_a_table_of_the_report_figures(sheets, workspace):
    report = workspace.project.reports.current()
    for lang, (data, _pages) in sheets.items():
        doc = _doc(data)
        tables = {}
        for table in doc.iter("table"):
            head = doc.get_element_by_id(table.get("aria-labelledby"))
            tables[_text(head)] = table
        for chart, parts in CHARTS.items():
            title = _string(workspace, lang, f"report.chart.{chart}")
            # two charts may share a title ("By gender"): find this one's by its heading's section
            heads = [h for h in doc.findall(".//h3") if _text(h) == title]
            assert heads, (lang, chart)
            wanted = [(_string(workspace, lang, f"report.label.{cat}"), format_count(report.figures[fig], lang))
                      for cat, fig in parts]
            found = []
            for h in heads:
                box = h.getparent()
                svg = box.find("svg")
                rows = [(_text(tr.find("th")), _text(tr.find("td"))) for tr in box.find("table").iter("tr")]
                found.append((rows, svg))
            rows, svg = next(((r, s) for r, s in found if r == wanted), (None, None))
            assert rows == wanted, (lang, chart, [r for r, _s in found], wanted)
            # the figures as the PDF writes them for the locale, and standing for the report's numbers
            assert [number_value(v) for _l, v in rows] == [report.figures[fig] for _c, fig in parts]
            assert svg.get("role") == "img" and svg.find("title") is not None
            label = svg.get("aria-label")
            assert label and label == _text(svg.find("title")), (lang, chart)
            assert all(v in label for _l, v in rows), (lang, chart, label)
            assert svg.find(".//image") is None and len(svg.findall("rect")) >= 2
            for th in box.find("table").iter("th"):
                assert th.get("scope") == "row"
        # the key figures, and the year-on-year changes (list and table)
        items = doc.find_class("figures")[0].findall("li")
        tiles = [fig for fig in CHANGE_FIGURES]
        assert [_text(li.find_class("figure")[0]) for li in items] == \
            [format_count(report.figures[f], lang) for f in tiles], lang
        assert [_text(li.find_class("label")[0]) for li in items] == \
            [_string(workspace, lang, CHANGE_FIGURES[f]) for f in tiles], lang
        changes = tables[_string(workspace, lang, "report.change.heading")]
        rows = [(_text(tr.find("th")), _text(tr.find("td"))) for tr in changes.iter("tr")]
        assert rows == [(_string(workspace, lang, CHANGE_FIGURES[f]), format_count(v, lang, signed=True))
                        for f, v in report.changes.items() if f in CHANGE_FIGURES], (lang, rows)
        assert [number_value(v) for _l, v in rows] == [v for f, v in report.changes.items()]
        svg = changes.getparent().find("svg")
        assert svg.get("role") == "img" and all(v in svg.get("aria-label") for _l, v in rows)


def test_numbers_are_isolated_in_right_to_left_text(sheets):
    doc = _doc(sheets["ar"][0])
    for td in doc.iter("td"):
        span = td.find("span")
        assert span is not None and span.get("dir") == "ltr", lxml.html.tostring(td)


def test_links_are_the_campaign_facts(sheets, workspace):
    facts = workspace.project.facts
    for lang, (data, _pages) in sheets.items():
        doc = _doc(data)
        links = {a.get("href"): _text(a) for a in doc.iter("a")}
        assert links == {facts.link_target("hotline"): facts.hotline_display,
                         facts.links["report"].url: facts.links["report"].display}, (lang, links)
        assert facts.link_target("hotline") == "tel:" + facts.hotline_dial


def test_draft_notice_and_the_source_once(sheets, workspace):
    for lang, (data, _pages) in sheets.items():
        doc = _doc(data)
        notes = doc.xpath("//*[@role='note']")
        draft = workspace.project.languages[lang].review_status not in ("source", "reviewed")
        assert len(notes) == (1 if draft else 0), lang
        if notes:
            assert "Draft translation" in _text(notes[0]) and notes[0].getparent().getparent().getparent().tag \
                == "header"
        footer = doc.find(".//footer")
        assert _text(footer) == _string(workspace, lang, "report.source")


def test_fonts_are_embedded_woff2_covering_the_text(sheets):
    import base64
    from fontTools.ttLib import TTFont
    for lang in ("en", "ja", "th", "ar", "my", "ne", "km"):
        data = sheets[lang][0].decode("utf-8")
        fonts = re.findall(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", data)
        assert fonts, lang
        covered = set()
        for b64 in fonts:
            font = TTFont(io.BytesIO(base64.b64decode(b64)))
            assert font.flavor == "woff2"
            covered |= set(font.getBestCmap())
        body_el = _doc(sheets[lang][0]).find(".//body")
        for svg in list(body_el.iter("svg")):      # text alternatives are read out, not drawn
            svg.drop_tree()
        body = _text(body_el)
        missing = {c for c in body if not c.isspace() and ord(c) not in covered}
        assert not missing, (lang, sorted(missing)[:10])


def test_same_input_same_bytes(sheets, workspace, tmp_path):
    plan = workspace.plan(workspace.jobs(["factsheet"], ["ar", "my"], ["html"]))
    for o in workspace.outputs(plan, tmp_path):
        assert o.data == sheets[o.job.lang][0], o.job.lang


# ------------------------------------------------------------------ in a browser

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("no Chromium (apt-get install chromium, or set LEAFLETS_CHROMIUM)")
    sync = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(path.as_uri())
    page.evaluate("document.fonts.ready")
    return page


def test_screenshots_at_360_and_1280_and_no_horizontal_scroll_at_320(browser, files, tmp_path):
    for lang in IN_BROWSER:
        page = _open(browser, files[lang], 320)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, lang
        assert set(page.evaluate("Array.from(document.fonts).map(f => f.status)")) == {"loaded"}, lang
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            shot = tmp_path / f"factsheet.{lang}.{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            img = Image.open(shot).convert("L")
            assert img.width == width and img.height > 1200, (lang, width, img.size)
            assert ImageStat.Stat(img).stddev[0] > 20, (lang, width)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (lang, width)
            # every chart's bar is drawn as wide as its table
            widths = page.evaluate("Array.from(document.querySelectorAll('svg.bar')).map(s => "
                                   "[s.getBoundingClientRect().width, s.nextElementSibling.getBoundingClientRect().width])")
            assert len(widths) == len(CHARTS) and all(abs(a - b) < 1 and a > 100 for a, b in widths), (lang, widths)
        page.close()


def test_axe_finds_no_serious_violation(browser, files):
    axe = _axe_js()
    if axe is None:
        pytest.skip("axe-core not found: npm install axe-core, or set LEAFLETS_AXE_JS to its axe.min.js")
    script = axe.read_text(encoding="utf-8")
    for lang in IN_BROWSER:
        for width in (360, 1280):
            page = _open(browser, files[lang], width)
            page.add_script_tag(content=script)
            violations = page.evaluate("""async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
                return r.violations.map(v => ({id: v.id, impact: v.impact,
                                               nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160))}));
            }""")
            page.close()
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert bad == [], (lang, width, bad)
