"""An organisation's contact block on every format that has the local-contact slot: it fits in every
language, the postal code and the separators break where they should, right-to-left lines keep the fields
in reading order, the HTML edition links and shows the logo, and errors point at the field's line."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import lxml.html
import pytest

from leaflets.batch.block import (ARRANGEMENTS, POSTAL_MARK, SEPARATOR, contact_block, place,
                                  slot_regions)
from leaflets.batch.spec import load_spec
from leaflets.layout.frame import TextBlock
from leaflets.text.linebreak import segment

SAMPLE = Path("content/batches/sample/sample.yaml")
# formats that show every field of the sample; the others (the card, the posters read from afar) may show
# the most compact arrangement
EVERY_FIELD = ("a4-leaflet", "a5-flyer")


@pytest.fixture(scope="module")
def sample(workspace, root):
    return load_spec(root / SAMPLE, workspace.project)


@pytest.fixture(scope="module")
def placed(workspace, sample):
    """(design, lang) -> (block, page, problems) for every design with the slot in every language."""
    project = workspace.project
    out = {}
    for d, design in sorted(project.designs.items()):
        if not slot_regions(design):
            continue
        for lang in sorted(project.languages):
            out[(d, lang)] = place(workspace.composer, project, sample.organisation, lang, design, workspace.fonts)
    return out


def test_the_sample_is_a_realistic_organisation(sample):
    org = sample.organisation
    assert len(org.phones) == 2 and org.website and org.email and org.line_id and org.postal_code
    assert org.address_for("ja") and org.hours_for("en") and len(org.languages_spoken) == 3
    assert org.logo is not None


def test_the_card_and_the_flyers_have_the_slot(workspace):
    designs = workspace.project.designs
    for d in ("a4-leaflet", "a5-flyer", "hotline-card"):
        assert slot_regions(designs[d]), d
    # the card's slot shows the official call to report until a batch fills it
    region = slot_regions(designs["hotline-card"])[0]
    assert [t.key for t in region.text] == ["call_to_report"]


def test_the_sample_block_fits_every_format_in_every_language(placed, workspace):
    designs = {d for d, _l in placed}
    assert {"a4-leaflet", "a5-flyer", "hotline-card"} <= designs
    for (d, lang), (block, _page, problems) in placed.items():
        slots = {r.id for r in slot_regions(workspace.project.designs[d])}
        bad = [p.diagnostic.message for p in problems if p.region in slots and p.kind in ("overflow",
                                                                                           "missing-glyph")]
        assert not bad, (d, lang, bad)
        # the name and a phone number are always there
        assert "organisation.name" in block.parts and "organisation.phones" in block.parts, (d, lang)
        if d in EVERY_FIELD:
            assert block.omitted == (), (d, lang, block.omitted)
            assert block.arrangement.complete


def test_the_block_is_on_the_page_as_extractable_text(placed):
    for (d, lang), (block, page, _p) in placed.items():
        texts = [it.text for sheet in page.pages for it in sheet.items
                 if isinstance(it, TextBlock) and it.key.startswith("organisation.")]
        assert texts == [p.text for p in block.paragraphs], (d, lang)
        joined = " ".join(texts)
        assert "03-1234-5678" in joined, (d, lang)


def test_the_card_keeps_its_official_text_without_a_batch(workspace):
    for lang in sorted(workspace.project.languages):
        page, problems = workspace.composer.compose("hotline-card", lang)
        assert not [p for p in problems if p.kind == "overflow"], lang
        assert [it for it in page.items if isinstance(it, TextBlock) and it.key == "call_to_report"], lang


# ------------------------------------------------------------------ line breaks

def _no_break_between(text: str, lang: str, a: int, b: int) -> bool:
    return not any(a < i < b for i in segment(text, lang).breaks)


@pytest.mark.parametrize("lang", ["ja", "en", "th", "ar", "my", "zh-Hans"])
def test_the_postal_code_is_never_parted_from_its_mark(workspace, sample, lang):
    project = workspace.project
    for how in ARRANGEMENTS:
        block = contact_block(project, sample.organisation, lang, project.designs["a5-flyer"], workspace.fonts, how)
        for p in block.paragraphs:
            i = p.text.find(POSTAL_MARK)
            if i < 0:
                continue
            j = i + 1
            while j < len(p.text) and not p.text[j].isdigit():
                j += 1
            end = j + len("160-0023")
            assert p.text[j:end] == "160-0023"
            assert _no_break_between(p.text, lang, i, end), (lang, p.text[i:end])


@pytest.mark.parametrize("lang", ["en", "ja", "th", "ar", "my", "tl"])
def test_no_line_starts_with_a_separator(workspace, sample, lang):
    project = workspace.project
    marks = {ch for ch in SEPARATOR.strip() + "/"}
    for how in ARRANGEMENTS:
        block = contact_block(project, sample.organisation, lang, project.designs["a4-leaflet"], workspace.fonts, how)
        for p in block.paragraphs:
            for i in segment(p.text, lang).breaks:
                rest = p.text[i:].lstrip()
                assert not rest[:1] in marks, (lang, p.text[max(0, i - 10):i + 10])


def test_right_to_left_lines_keep_the_fields_in_reading_order(placed):
    """On an Arabic leaflet every field reads right to left: each starts right of the next one on its line,
    and a phone number's digits run left to right inside it."""
    from leaflets.batch.run import _span_boxes
    for d in ("a4-leaflet", "a5-flyer", "hotline-card"):
        block, page, _p = placed[(d, "ar")]
        boxes = []
        for it in page.items:
            if isinstance(it, TextBlock) and block.links.get(it.key):
                for a, b, uri in block.links[it.key]:
                    boxes += [(y, x, uri) for x, y, _w, _h in _span_boxes(it, a, b)]
        uris = [u for _y, _x, u in boxes]
        assert "tel:+81312345678" in uris, d
        for (y1, x1, u1), (y2, x2, u2) in zip(boxes, boxes[1:]):
            if abs(y1 - y2) < 1:
                assert x1 > x2, (d, u1, u2)
        # the number's glyphs, left to right on the page, spell it in its own order
        seen = ""
        for it in page.items:
            if isinstance(it, TextBlock) and it.key.startswith("organisation."):
                for run in it.runs:
                    ordered = sorted(run.glyphs, key=lambda g: g[1])
                    seen += "|" + "".join(t for _g, _x, _y, t in ordered)
        assert "03-1234-5678" in seen and "8765-4321-30" not in seen, (d, seen)


# ------------------------------------------------------------------ the HTML edition

@pytest.mark.parametrize("lang", ["en", "ar", "ja"])
def test_the_html_edition_links_the_block_and_shows_the_logo(workspace, sample, lang):
    from leaflets.batch.run import _with_links
    from leaflets.render.html import HtmlRenderer
    org = sample.organisation
    block, page, _p = place(workspace.composer, workspace.project, org, lang,
                            workspace.project.designs["a5-flyer"], workspace.fonts)
    assert block.logo
    doc = lxml.html.fromstring(HtmlRenderer(workspace.fonts.cache_dir).render(_with_links(page, block)))
    imgs = [i for i in doc.iter("img") if "logo" in (i.get("class") or "")]
    assert len(imgs) == 1 and imgs[0].get("alt") == org.name_for(lang)
    assert imgs[0].get("src").startswith("data:image/png;base64,")
    links = {a.get("href"): a.text_content() for a in doc.iter("a")}
    for phone in org.phones:
        assert links.get("tel:" + phone.e164) == phone.number, links
        assert phone.e164.startswith("+81") and phone.e164[1:].isdigit()
    assert links.get(org.website) == org.website_display
    assert links.get("mailto:" + org.email) == org.email
    # a link's text is what is printed: no direction marks inside it
    for text in links.values():
        assert not any(unicodedata.category(c) == "Cf" for c in text), repr(text)
    # the national hotline is still linked as it is
    hotline = workspace.project.facts.link_target("hotline")
    assert hotline.startswith("tel:") and hotline in links


# ------------------------------------------------------------------ errors at the field's line

def _spec(tmp_path: Path, root: Path, name: str, extra: str = "") -> Path:
    (tmp_path / "logo.png").write_bytes((root / "content/batches/sample/logo.png").read_bytes())
    text = f"""id: long
organisation:
  name:
    default: Short Name
    en: {name}
  phones:
    - number: "03-1234-5678"
  website: https://www.example.org/
{extra}
languages: [en]
formats: [hotline-card]
editions: [print]
"""
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_overflow_is_an_error_at_the_fields_line(workspace, root, tmp_path):
    from leaflets.batch.run import validate
    long_name = " ".join(f"Organisation{i:02d}" for i in range(18))
    path = _spec(tmp_path, root, long_name)
    _loaded, diags = validate(workspace, [path])
    errors = [d for d in diags.errors if d.code == "overflow"]
    assert errors, [d.format() for d in diags]
    line = path.read_text("utf-8").splitlines().index(f"    en: {long_name}") + 1
    assert errors[0].file == path and errors[0].line == line, errors[0].format()
    assert "organisation.name" in errors[0].hint


def test_the_organisation_knows_the_line_of_each_field(workspace, root, tmp_path):
    path = _spec(tmp_path, root, "Name", extra="  postal_code: \"160-0023\"\n  hours: Mon–Fri 10:00–17:00")
    org = load_spec(path, workspace.project).organisation
    lines = path.read_text("utf-8").splitlines()
    assert org.line("organisation.postal_code") == next(i for i, t in enumerate(lines, 1) if "postal_code" in t)
    assert org.line("organisation.phones", 0) == next(i for i, t in enumerate(lines, 1) if "number:" in t)
    assert org.line("organisation.name", "en") == next(i for i, t in enumerate(lines, 1) if "en: Name" in t)
    assert org.line("organisation.nothing") is None
