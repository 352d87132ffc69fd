"""The accessible HTML edition: structure, text, links, fonts, colours and QR code read back with real
parsers (lxml, fontTools, zxing-cpp), and every page loaded in headless Chromium (Playwright) for
screenshots, overflow at 320 px and axe-core."""

from __future__ import annotations

import base64
import io
import os
import random
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from PIL import Image, ImageDraw, ImageStat

from leaflets.render.html import HtmlRenderer, QrCode, contrast, is_large, parse_hex, readable, role_of

DESIGN = "a4-leaflet"
CHROMIUM = os.environ.get("LEAFLETS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
AXE_JS = os.environ.get("LEAFLETS_AXE_JS")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def pages(workspace, tmp_path_factory):
    """Every design x language in the HTML edition: {(design, lang): (html bytes, laid-out page)}."""
    jobs = workspace.jobs(None, None, ["html"])
    plan = workspace.plan(jobs)
    assert not plan.diagnostics.errors, [d.format() for d in plan.diagnostics.errors]
    out = {}
    laid = {(job.design, job.lang): page for job, page in plan.pages}
    for o in workspace.outputs(plan, tmp_path_factory.mktemp("html")):
        assert o.path.name == f"{o.job.design}.{o.job.lang}.html"
        out[(o.job.design, o.job.lang)] = (o.data, laid[(o.job.design, o.job.lang)])
    return out


@pytest.fixture(scope="module")
def files(pages, tmp_path_factory):
    d = tmp_path_factory.mktemp("html-files")
    out = {}
    for (design, lang), (data, _page) in pages.items():
        p = d / f"{design}.{lang}.html"
        p.write_bytes(data)
        out[(design, lang)] = p
    return out


def _doc(data: bytes):
    return lxml.html.document_fromstring(data.decode("utf-8"))


def _blocks(page):
    from leaflets.layout.frame import TextBlock
    sheets = page if isinstance(page, tuple) else page.pages
    return [it for s in sheets for it in s.items if isinstance(it, TextBlock)]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _style(el) -> dict[str, str]:
    out = {}
    for part in (el.get("style") or "").split(";"):
        if ":" in part:
            k, v = part.split(":", 1)
            out[k.strip()] = v.strip()
    return out


# ------------------------------------------------------------------ structure

def test_lang_dir_headings_lists_and_links(workspace, pages):
    project = workspace.project
    facts = project.facts
    for lang, language in project.languages.items():
        doc = _doc(pages[(DESIGN, lang)][0])
        assert doc.get("lang") == lang
        assert doc.get("dir") == ("rtl" if language.rtl else "ltr")
        (h1,) = doc.findall(".//h1")
        assert _norm(h1.text_content()) == _norm(project.string(lang, "headline")[0])
        assert len(doc.findall(".//main")) == 1 and len(doc.findall(".//header")) == 1
        h2 = [_norm(h.text_content()) for h in doc.findall(".//h2")]
        assert _norm(project.string(lang, "scenarios.heading")[0]) in h2
        (ul,) = doc.findall(".//ul")
        items = ul.findall("li")
        assert len(items) == 4 and all(len(li.findall("h3")) == 1 and li.findall("p") for li in items)
        titles = [_norm(li.find("h3").text_content()) for li in items]
        assert titles == [_norm(project.string(lang, f"scenario.{s}.title")[0]) for s in ("sns", "model", "labour",
                                                                                           "debt")]
        # every section is named by its heading
        for sec in doc.findall(".//section"):
            target = doc.get_element_by_id(sec.get("aria-labelledby"))
            assert target.tag == "h2" and target in sec.iter()
        links = {(a.get("href"), _norm(a.text_content())) for a in doc.iter("a")}
        assert ("tel:" + facts.hotline_dial, facts.hotline_display) in links
        for link in facts.links.values():
            assert (link.url, link.display) in links
        assert all(href.startswith(("tel:", "https://")) for href, _ in links)
        # text in another language or direction says so: the Japanese sentence for helpers, the facts
        if lang != "ja":
            ja = [el for el in doc.iter() if el.get("lang") == "ja"]
            assert ja and all(el.get("dir") == "ltr" for el in ja)
            assert _norm(project.string("ja", "shown_to")[0]) in {_norm(el.text_content()) for el in ja}
        if language.rtl:     # the number and the addresses are isolated left to right
            for a in doc.iter("a"):
                assert a.get("dir") == "ltr", (lang, a.get("href"))


def test_draft_notice_only_on_draft_languages(workspace, pages):
    from leaflets.build import is_draft
    for lang in workspace.project.languages:
        doc = _doc(pages[(DESIGN, lang)][0])
        notes = [el for el in doc.iter() if el.get("role") == "note"]
        if is_draft(workspace.project, lang):
            (note,) = notes
            assert _norm(note.text_content()) == "Draft translation — not reviewed"
            assert note.get("lang") == "en" or lang == "en"
            # it comes first: before the headline
            order = list(doc.iter())
            assert order.index(note) < order.index(doc.find(".//h1"))
        else:
            assert notes == []


def test_every_shown_string_is_in_the_text(workspace, pages):
    """Each paragraph of the laid-out page (the source strings and facts), whole, in the page's text."""
    for (design, lang), (data, page) in pages.items():
        doc = _doc(data)
        for bad in doc.xpath("//style|//script|//title"):
            bad.drop_tree()
        text = _norm(doc.find("body").text_content())
        for block in _blocks(page):
            if role_of(block.key)[0] is None:
                continue
            assert _norm(block.text) in text, (design, lang, block.key)
    # and the source strings themselves
    project = workspace.project
    for lang in project.languages:
        text = _norm(_doc(pages[(DESIGN, lang)][0]).find("body").text_content())
        for key in ("headline", "subheadline", "statement", "help.body", "scenario.debt.body", "anonymous.note"):
            assert _norm(project.string(lang, key)[0]) in text, (lang, key)


def test_hostile_text_is_escaped(workspace):
    """Markup in a string is text in the page, never markup."""
    from leaflets.api import open_project
    payload = '<script>alert(1)</script> & <b onmouseover="x">"\'</b>'
    handle = open_project(workspace.root, workspace.fonts.cache_dir).with_strings({"en": {"statement": payload}})
    data = handle.render(DESIGN, "en", "html").data
    doc = _doc(data)
    assert doc.findall(".//script") == [] and doc.findall(".//b") == []
    assert payload in doc.find("body").text_content()


def test_cli_builds_the_html_edition(project_copy, font_cache, pages):
    from leaflets.cli import main
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "--project", str(project_copy), "--lang", "ar", "--edition", "html", "--cache",
                 str(font_cache)], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    files = sorted(p.relative_to(project_copy / "output") for p in (project_copy / "output").rglob("*")
                   if p.is_file())
    assert Path(DESIGN) / f"{DESIGN}.ar.html" in files
    assert all(p.name == f"{p.parent.name}.ar.html" for p in files), files
    assert (project_copy / "output" / DESIGN / f"{DESIGN}.ar.html").read_bytes() == pages[(DESIGN, "ar")][0]
    assert "html" in out.getvalue()


def test_deterministic(workspace, pages, tmp_path):
    """A fresh renderer with an empty cache writes the same bytes as the build did."""
    for lang in ("en", "ja", "ar"):
        job = workspace.jobs([DESIGN], [lang], ["html"])[0]
        page = workspace.examine(job)[0]
        again = workspace.html(job, page)
        assert again == pages[(DESIGN, lang)][0]
        fresh = HtmlRenderer(tmp_path / lang)
        codes = [QrCode(workspace.project.facts.links["report"].url, "www.tokumei24.jp", "M")]
        assert fresh.render(page, codes) == HtmlRenderer(tmp_path / lang).render(page, codes)


# ------------------------------------------------------------------ fonts

_FACE = re.compile(r'@font-face\{font-family:"([^"]+)";src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)')


def _shape_gids(ttf: bytes, text: str) -> list[int]:
    import uharfbuzz as hb
    font = hb.Font(hb.Face(hb.Blob(ttf)))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf)
    return [g.codepoint for g in buf.glyph_infos]


def test_fonts_are_woff2_and_cover_the_text(pages):
    """Every face is WOFF2; every character of each element is in one of its faces, and shaping the
    element's text with the embedded subsets (HarfBuzz, as browsers do) never needs a missing glyph
    (a shaper sets some characters by their parts: Thai SARA AM)."""
    from fontTools.ttLib import TTFont
    for (design, lang), (data, _page) in pages.items():
        html = data.decode("utf-8")
        faces, ttfs = {}, {}
        for fam, b64 in _FACE.findall(html):
            raw = base64.b64decode(b64)
            assert raw[:4] == b"wOF2", (lang, fam)
            font = TTFont(io.BytesIO(raw))
            assert font.flavor == "woff2"
            faces[fam] = set(font.getBestCmap())
            font.flavor = None
            out = io.BytesIO()
            font.save(out)
            ttfs[fam] = out.getvalue()
        assert faces, lang
        doc = _doc(data)
        for el in doc.iter():
            fams = re.findall(r'"([^"]+)"', _style(el).get("font-family", ""))
            if not fams:
                continue
            own = (el.text or "") + "".join(
                (c.text_content() if c.tag == "a" else "") + (c.tail or "") for c in el if c.tag in ("a", "br"))
            runs: list[list] = []
            for ch in own:
                if ch.isspace() and runs:
                    runs[-1][1] += ch
                    continue
                fam = next((f for f in fams if ord(ch) in faces[f]), None)
                assert fam is not None or ch.isspace(), (design, lang, ch, f"U+{ord(ch):04X}", fams)
                if runs and runs[-1][0] == fam:
                    runs[-1][1] += ch
                else:
                    runs.append([fam, ch])
            for fam, text in runs:
                if fam is not None:
                    assert 0 not in _shape_gids(ttfs[fam], text), (design, lang, fam, text)


# ------------------------------------------------------------------ colour

def test_contrast_of_every_text_and_background(pages):
    """WCAG AA for every element with text: 4.5:1, 3:1 for large text (24 px, or 18.66 px bold)."""
    for (design, lang), (data, _page) in pages.items():
        doc = _doc(data)
        checked = 0
        for el in doc.iter():
            st = _style(el)
            if "color" not in st:
                continue
            bg = None
            node = el
            while node is not None and bg is None:
                bg = _style(node).get("background")
                node = node.getparent()
            bg = parse_hex(bg or "#FFFFFF")
            size = float(st["font-size"].removesuffix("rem"))
            need = 3.0 if is_large(size, st.get("font-weight") == "700") else 4.5
            ratio = contrast(parse_hex(st["color"]), bg)
            assert ratio >= need, (design, lang, el.tag, _norm(el.text_content())[:40], st["color"], ratio)
            checked += 1
        assert checked >= 10, (design, lang)


def test_readable_always_reaches_the_ratio():
    rng = random.Random(8341)
    for _ in range(2000):
        fg = tuple(rng.randrange(256) / 255 for _ in range(3))
        bg = tuple(rng.randrange(256) / 255 for _ in range(3))
        need = rng.choice((3.0, 4.5))     # AA: black or white always reaches 4.58:1
        out = readable(fg, bg, need)
        assert contrast(out, bg) >= need
        if contrast(fg, bg) >= need + 0.05:
            assert max(abs(a - b) for a, b in zip(out, fg)) < 1 / 255 + 1e-9     # a good pair is kept


def test_contrast_formula():
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21)
    assert contrast(parse_hex("#777777"), (1, 1, 1)) == pytest.approx(4.48, abs=0.01)


# ------------------------------------------------------------------ QR code

def _qr_raster(svg, scale: int = 8) -> Image.Image:
    n = int(svg.get("viewbox", svg.get("viewBox")).split()[2])
    img = Image.new("L", (n * scale, n * scale), 255)
    draw = ImageDraw.Draw(img)
    (path,) = [p for p in svg.iter() if p.tag.endswith("path")]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d")):
        x, y, w = int(x), int(y), int(w)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + 1) * scale - 1], fill=0)
    return img


def test_qr_svg_decodes_to_the_campaign_link(workspace, pages):
    import zxingcpp
    url = workspace.project.facts.links["report"].url
    for lang in workspace.project.languages:
        doc = _doc(pages[(DESIGN, lang)][0])
        (svg,) = [el for el in doc.iter() if el.tag == "svg"]
        assert svg.get("role") == "img" and svg.get("aria-label")
        assert "www.tokumei24.jp" in svg.get("aria-label")
        assert [t for t in svg.iter() if t.tag == "title"][0].text == svg.get("aria-label")
        decoded = [r.text for r in zxingcpp.read_barcodes(_qr_raster(svg))]
        assert decoded == [url], lang
        # the address as a visible link beside it
        figure = svg.getparent()
        assert figure.tag == "figure"
        assert [a.get("href") for a in figure.iter("a")] == [url]


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


def test_screenshots_and_no_horizontal_scroll(browser, files, tmp_path):
    """Every page at 320 CSS px (a phone, or a 640 px window at 200 % zoom) has no horizontal scroll;
    screenshots at 360 and 1280 px show something (every A4 leaflet; the other designs in en, ja, ar)."""
    for (design, lang), path in sorted(files.items()):
        page = _open(browser, path, 320)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, (design, lang)
        if design == DESIGN or lang in ("en", "ja", "ar"):
            for width in (360, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                shot = tmp_path / f"{design}.{lang}.{width}.jpg"
                page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=60)
                img = Image.open(shot).convert("L")
                assert img.width == width and img.height > 600, (design, lang, width, img.size)
                assert ImageStat.Stat(img).stddev[0] > 20, (design, lang, width)     # not blank
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (design, lang)
        page.close()


def test_fonts_load_in_the_browser(browser, files):
    """Every embedded face is decoded by the browser (a broken WOFF2 would be an error status)."""
    for lang in ("en", "ja", "th", "ar", "my"):
        page = _open(browser, files[(DESIGN, lang)], 360)
        statuses = page.evaluate("Array.from(document.fonts).map(f => f.status)")
        page.close()
        assert statuses and set(statuses) == {"loaded"}, (lang, statuses)


def test_qr_decodes_from_the_browser(browser, files, workspace, tmp_path):
    import zxingcpp
    url = workspace.project.facts.links["report"].url
    for lang in ("en", "ar"):
        page = _open(browser, files[(DESIGN, lang)], 360)
        shot = tmp_path / f"qr.{lang}.png"
        page.locator("svg.qr").screenshot(path=str(shot))
        page.close()
        assert [r.text for r in zxingcpp.read_barcodes(Image.open(shot))] == [url], lang


def test_axe_finds_no_serious_violation(browser, files):
    if not AXE_JS or not Path(AXE_JS).is_file():
        pytest.skip("axe-core not found: npm install axe-core, then set LEAFLETS_AXE_JS to its axe.min.js")
    script = Path(AXE_JS).read_text(encoding="utf-8")
    for (design, lang), path in sorted(files.items()):
        page = _open(browser, path, 360)
        page.add_script_tag(content=script)
        violations = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                                           nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160))}));
        }""")
        page.close()
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], (design, lang, bad)
