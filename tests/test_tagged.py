"""The online PDF is a tagged PDF; the print edition is not.

Everything is read back from the files with real parsers: pikepdf for the
objects, pikepdf.parse_content_stream for the marked content, the fonts' own
ToUnicode maps for the text each marked-content sequence paints, lxml for
the XMP packet, poppler's ``pdfinfo -struct-text`` for the tree as a reader
sees it, and the ``pdfua`` package (a subset of the PDF/UA-1 machine checks)
as a first pass.  What is expected comes from the laid-out frames, never
from the tagger: the text blocks in the order the layout painted them (the
draft notice first), the figures the layout marked.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import unicodedata

import pytest

pikepdf = pytest.importorskip("pikepdf")

from leaflets.layout.frame import Link, Page, Path, TextBlock  # noqa: E402

LANGS = ["en", "ja", "ar", "th", "my"]
DESIGNS = ["a4-leaflet", "hotline-card", "factsheet"]
PDFINFO = shutil.which("pdfinfo")


# ------------------------------------------------------------------ building
@pytest.fixture(scope="module")
def editions(workspace, tmp_path_factory):
    """(design, lang, edition) -> (pages as laid out, PDF bytes), for the designs and languages above."""
    jobs = workspace.jobs(DESIGNS, LANGS, ["online", "print"])
    plan = workspace.plan(jobs)
    assert not plan.diagnostics.errors, [d.format() for d in plan.diagnostics.errors]
    laid = {(job.design, job.lang): page for job, page in plan.pages}
    out = {}
    for o in workspace.outputs(plan, tmp_path_factory.mktemp("tagged")):
        page = laid[(o.job.design, o.job.lang)]
        pages = list(page) if isinstance(page, (tuple, list)) else list(page.pages)
        out[(o.job.design, o.job.lang, o.edition)] = (pages, o.data)
    return out


def online(editions, design, lang):
    return editions[(design, lang, "online")]


CASES = [(d, lang) for d in DESIGNS for lang in LANGS]


# ------------------------------------------------------------------ reading the file back
def _to_unicode(font) -> dict[int, str]:
    """A simple font's ToUnicode map: code -> text."""
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return {}
    data = cmap.read_bytes().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return out


def marked_text(page) -> tuple[dict[int, str], list[int]]:
    """Each MCID of a page's content with the text its sequence paints (through the fonts'
    ToUnicode maps), and the MCIDs in the order they occur (a repeated MCID occurs twice)."""
    fonts = {}
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    for name, font in resources.get("/Font", pikepdf.Dictionary()).items():
        fonts[name] = _to_unicode(font)
    texts: dict[int, list[str]] = {}
    order: list[int] = []
    stack: list[int | None] = []
    current: dict[int, str] = {}
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BDC", "BMC"):
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
                order.append(mcid)
                texts.setdefault(mcid, [])
            stack.append(mcid)
        elif op == "EMC":
            stack.pop()
        elif op == "Tf":
            current = fonts.get(str(operands[0]), {})
        elif op in ("TJ", "Tj"):
            inner = next((m for m in reversed(stack) if m is not None), None)
            parts = operands[0] if op == "TJ" else [operands[0]]
            chars = "".join(current.get(b, "\ufffd") for s in parts if isinstance(s, pikepdf.String)
                            for b in bytes(s))
            if inner is not None:
                texts[inner].append(chars)
            else:
                texts.setdefault(-1, []).append(chars)      # text outside any MCID: a failure
    assert not stack, "marked content left open at the end of the page"
    return {k: "".join(v) for k, v in texts.items()}, order


def _kids(elem) -> list:
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def walk(pdf):
    """The structure elements in tree order: (element, depth, [(page index, MCID)], [annotations])."""
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    out = []

    def visit(elem, depth):
        page = pages.get(elem.Pg.objgen) if "/Pg" in elem else None
        mcids, annots, children = [], [], []
        for kid in _kids(elem):
            if isinstance(kid, int):
                mcids.append((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcids.append((pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                annots.append(kid.Obj)
            else:
                children.append(kid)
        out.append((elem, depth, mcids, annots))
        for child in children:
            visit(child, depth + 1)

    for top in _kids(pdf.Root.StructTreeRoot):
        visit(top, 0)
    return out


def lang_of(elem) -> str | None:
    """The language of a structure element: its own /Lang, or the nearest ancestor's."""
    while elem is not None and elem.get("/Type") != "/StructTreeRoot":
        if "/Lang" in elem:
            return str(elem.Lang)
        elem = elem.get("/P")
    return None


def letters(text: str) -> str:
    """Text without white space and hyphens (a line break may add or drop them)."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-\u00ad\u2010")


def expected_order(pages: list[Page]) -> list[tuple[int, str, str]]:
    """What the layout painted, as it is read: each page's draft notice first, then its text blocks
    in the order painted (those inside a figure are read through the figure's text alternative)."""
    out = []
    for i, page in enumerate(pages):
        blocks = [b for b in page.items if isinstance(b, TextBlock) and b.text.strip() and not b.figure]
        notes = [b for b in blocks if b.key == "draft-mark"]
        out += [(i, b.key, letters(b.text)) for b in notes + [b for b in blocks if b.key != "draft-mark"]]
    return out


# ------------------------------------------------------------------ the structure
@pytest.mark.parametrize("design,lang", CASES)
def test_every_painted_text_is_in_exactly_one_structure_element(editions, design, lang):
    pages, data = online(editions, design, lang)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = {}
        for i, page in enumerate(pdf.pages):
            texts, order = marked_text(page)
            assert -1 not in texts, f"page {i + 1}: text painted outside any marked-content sequence with an MCID"
            assert len(order) == len(set(order)), f"page {i + 1}: an MCID is used twice"
            content.update({(i, m): t for m, t in texts.items()})
        elements = walk(pdf)
        referenced = [m for _e, _d, mcids, _a in elements for m in mcids]
        assert len(referenced) == len(set(referenced)), "an MCID is referenced by two structure elements"
        assert set(referenced) == set(content), (
            f"painted but not in the tree: {sorted(set(content) - set(referenced))[:5]}; "
            f"in the tree but not painted: {sorted(set(referenced) - set(content))[:5]}")
        # the ParentTree leads from each MCID back to the element that holds it
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        owner = {m: e.objgen for e, _d, mcids, _a in elements for m in mcids}
        for i, page in enumerate(pdf.pages):
            parents = tree[int(page.obj.StructParents)]
            for (p, mcid), elem in owner.items():
                if p == i:
                    assert parents[mcid].objgen == elem, f"page {i + 1}: ParentTree[{mcid}] is not its element"
            assert len(parents) == sum(1 for p, _m in owner if p == i)


@pytest.mark.parametrize("design,lang", CASES)
def test_structure_is_in_the_reading_order_of_the_design(editions, design, lang):
    pages, data = online(editions, design, lang)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = {}
        for i, page in enumerate(pdf.pages):
            texts, _order = marked_text(page)
            content.update({(i, m): t for m, t in texts.items()})
        got = []
        figure_depth = None
        for elem, depth, mcids, _a in walk(pdf):
            if figure_depth is not None and depth > figure_depth:
                continue
            figure_depth = depth if elem.S == "/Figure" else None
            if elem.S == "/Figure" or not mcids:
                continue
            got.append((mcids[0][0], letters("".join(content[m] for m in mcids))))
    want = expected_order(pages)
    assert [(p, t) for p, t in got] == [(p, t) for p, _k, t in want], \
        f"{design} {lang}: first difference at " + next(
            (f"#{n}: {want[n][1] if n < len(want) else '-'}" for n in range(max(len(got), len(want)))
             if n >= len(got) or n >= len(want) or got[n] != (want[n][0], want[n][2])), "?")


@pytest.mark.parametrize("design,lang", CASES)
def test_figures_have_a_text_alternative_and_hold_the_marked_shapes(editions, design, lang):
    pages, data = online(editions, design, lang)
    laid = [{it.figure for it in page.items if getattr(it, "figure", "")} for page in pages]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        figures = [(e, mcids) for e, _d, mcids, _a in walk(pdf) if e.S == "/Figure"]
        assert len(figures) == sum(len(f) for f in laid), "one Figure for each figure the layout marked"
        for elem, mcids in figures:
            assert str(elem.get("/Alt", "")).strip(), "a Figure without /Alt"
            assert mcids, "a Figure that holds nothing painted"
        alts = [str(e.Alt) for e, _m in figures]
    if design != "factsheet":
        facts_url = "www.tokumei24.jp"
        assert any(facts_url in a for a in alts), "the QR code's text alternative gives its address"
    assert len(set(alts)) == len(alts), "two figures with one text alternative"


def test_a_charts_text_alternative_states_its_figures_in_words(editions, workspace):
    report = workspace.project.reports.current()
    f = report.figures
    pages, data = online(editions, "factsheet", "en")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        alts = [str(e.Alt) for e, _d, _m, _a in walk(pdf) if e.S == "/Figure"]
    assert len(alts) == 6
    gender = next(a for a in alts if a.startswith("Victims") and "gender" in a)
    assert f"Female {f['victims.by_gender.female']}" in gender and f"Male {f['victims.by_gender.male']}" in gender
    outcomes = next(a for a in alts if "prosecution" in a)
    assert f"Found guilty {f['suspects.outcomes.guilty']}" in outcomes
    assert f"Still pending {f['suspects.outcomes.pending']}" in outcomes
    # in the page's language, with its digits
    _pages, data = online(editions, "factsheet", "my")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        alts = [str(e.Alt) for e, _d, _m, _a in walk(pdf) if e.S == "/Figure"]
    assert all(any(unicodedata.name(ch, "").startswith("MYANMAR DIGIT") for ch in a) for a in alts)
    assert not any(ch.isascii() and ch.isalpha() for a in alts for ch in a), alts


def test_the_scenarios_are_a_list_with_their_pictograms(editions):
    _pages, data = online(editions, "a4-leaflet", "en")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (lst,) = [e for e, _d, _m, _a in walk(pdf) if e.S == "/L"]
        items = _kids(lst)
        assert len(items) == 4 and all(i.S == "/LI" for i in items)
        for li in items:
            (body,) = _kids(li)
            assert body.S == "/LBody"
            assert [str(k.S) for k in _kids(body)] == ["/Figure", "/H3", "/P"]


@pytest.mark.parametrize("design,lang", CASES)
def test_headings_start_at_one_and_never_skip_a_level(editions, design, lang):
    _pages, data = online(editions, design, lang)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        levels = [int(str(e.S)[2]) for e, _d, _m, _a in walk(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]
    assert levels and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


@pytest.mark.parametrize("design,lang", CASES)
def test_languages(editions, design, lang):
    pages, data = online(editions, design, lang)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == lang
        langs = {}
        content = {}
        for i, page in enumerate(pdf.pages):
            texts, _order = marked_text(page)
            content.update({(i, m): t for m, t in texts.items()})
        for elem, _d, mcids, _a in walk(pdf):
            if mcids and elem.S != "/Figure":
                langs[letters("".join(content[m] for m in mcids))] = lang_of(elem)
    for page in pages:
        for b in page.items:
            if isinstance(b, TextBlock) and b.text.strip() and not b.figure:
                assert langs[letters(b.text)] == b.lang, f"{b.key}: /Lang {langs[letters(b.text)]}, not {b.lang}"
    japanese = [b for p in pages for b in p.items if isinstance(b, TextBlock) and b.key.endswith("@ja")]
    if design != "factsheet" and lang != "ja":
        assert japanese and all(langs[letters(b.text)] == "ja" for b in japanese)


@pytest.mark.parametrize("design,lang", CASES)
def test_document_entries(editions, design, lang):
    from lxml import etree
    pages, data = online(editions, design, lang)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        if pages[0].rtl:
            assert root.ViewerPreferences.Direction == "/R2L"
        title = str(pdf.docinfo.Title)
        assert title == pages[0].title and title.strip()
        for page in pdf.pages:
            assert page.obj.Tabs == "/S"
            assert "/StructParents" in page.obj
        xmp = etree.fromstring(root.Metadata.read_bytes())
    ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
          "pdfuaid": "http://www.aiim.org/pdfua/ns/id/"}
    assert xmp.xpath("string(//pdfuaid:part)", namespaces=ns) == "1"
    assert xmp.xpath("string(//dc:title/rdf:Alt/rdf:li)", namespaces=ns) == title
    assert xmp.xpath("string(//dc:language/rdf:Bag/rdf:li)", namespaces=ns) == lang


@pytest.mark.parametrize("design,lang", CASES)
def test_links_are_tagged_with_their_text_and_annotation(editions, design, lang):
    pages, data = online(editions, design, lang)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = {}
        for i, page in enumerate(pdf.pages):
            texts, _order = marked_text(page)
            content.update({(i, m): t for m, t in texts.items()})
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        links = {e.objgen: (e, mcids, annots) for e, _d, mcids, annots in walk(pdf) if e.S == "/Link"}
        count = 0
        for i, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                if annot.Subtype != "/Link":
                    continue
                count += 1
                assert str(annot.get("/Contents", "")).strip(), "a link annotation without /Contents"
                elem = tree[int(annot.StructParent)]
                assert elem.S == "/Link"
                _e, mcids, annots = links[elem.objgen]
                assert [a.objgen for a in annots] == [annot.objgen], "the Link's OBJR is not its annotation"
                text = letters("".join(content[m] for m in mcids))
                uri = str(annot.A.URI)
                if uri.startswith("tel:"):
                    assert text == letters("0120-924-839")
                    assert "0120-924-839" in str(annot.Contents)
                else:
                    assert text and text in letters(uri), (text, uri)
                    assert str(annot.Contents) == uri
        assert count == sum(len(p.links) for p in pages) > 0
        assert len(links) == count


# ------------------------------------------------------------------ checkers
@pytest.mark.parametrize("lang", LANGS)
def test_pdfua_finds_nothing_in_the_online_leaflet(editions, lang, tmp_path):
    pdfua = pytest.importorskip("pdfua", reason="the pdfua checker (pip install pdfua) is not installed")
    for design in DESIGNS:
        path = tmp_path / f"{design}.{lang}.pdf"
        path.write_bytes(online(editions, design, lang)[1])
        report = pdfua.validate(str(path))
        assert not report.findings, [(f.rule_id, f.message) for f in report.findings]


def test_pdfua_does_find_an_untagged_file(editions, workspace, tmp_path):
    """The checker is not vacuous: the same leaflet painted without tags fails it."""
    pdfua = pytest.importorskip("pdfua", reason="the pdfua checker (pip install pdfua) is not installed")
    from leaflets.render import ONLINE
    pages, _data = online(editions, "a4-leaflet", "en")
    path = tmp_path / "untagged.pdf"
    path.write_bytes(workspace.renderer.render(pages[0], dataclasses.replace(ONLINE, tagged=False)))
    assert pdfua.validate(str(path)).findings


@pytest.mark.skipif(PDFINFO is None, reason="pdfinfo (poppler-utils) is not installed")
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_poppler_reads_the_structure_tree_with_its_text(editions, lang, tmp_path):
    pages, data = online(editions, "a4-leaflet", lang)
    path = tmp_path / "leaflet.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFINFO, "-struct-text", str(path)], capture_output=True, text=True, check=True).stdout
    tags = [line.strip().split(" ")[0] for line in out.splitlines() if not line.strip().startswith('"')]
    assert tags[0] == "Document"
    for needed in ("H1", "H2", "H3", "P", "L", "LI", "LBody", "Figure", "Link"):
        assert needed in tags, f"pdfinfo shows no {needed}"
    # the text of each element, as poppler takes it from the marked content
    text = letters("".join(re.findall(r'"(.*)"', out)))
    for b in pages[0].items:
        if isinstance(b, TextBlock) and b.text.strip():
            assert letters(b.text) in text, f"{b.key} is not in poppler's structure text"


# ------------------------------------------------------------------ print edition, determinism, edge cases
@pytest.mark.parametrize("design", DESIGNS)
def test_the_print_edition_is_not_tagged(editions, design):
    for lang in LANGS:
        _pages, data = editions[(design, lang, "print")]
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root
            for page in pdf.pages:
                assert "/StructParents" not in page.obj
                for operands, op in pikepdf.parse_content_stream(page):
                    if str(op) == "BDC":
                        assert "/MCID" not in operands[1], "an MCID in the print edition"
            meta = pdf.Root.get("/Metadata")
            assert meta is None or b"pdfuaid" not in meta.read_bytes()


def test_rebuilds_are_byte_identical(workspace, editions):
    from leaflets.render import ONLINE
    for design in ("a4-leaflet", "hotline-card"):
        pages, data = online(editions, design, "ar")
        first = dataclasses.replace(pages[0], following=tuple(pages[1:]))
        assert workspace.renderer.render(first, ONLINE) == data


def test_a_page_of_odd_parts_is_still_tagged_completely(workspace, editions):
    """Figures split across the page, a link over no text, an unknown key, empty text, a
    figure without a text alternative: every painted text is still in one element."""
    from leaflets.render import ONLINE
    pages, _data = online(editions, "a4-leaflet", "en")
    blocks = [b for b in pages[0].items if isinstance(b, TextBlock)]
    color = next(b.runs[0].color for b in blocks)
    square = (("R", 0, 0, 10, 10),)
    odd = dataclasses.replace(blocks[3], key="no.such.role")
    empty = dataclasses.replace(blocks[4], text="", runs=())
    items = (Path(square, color, figure="a", alt="first"), blocks[0], Path(square, color, figure="a"),
             Path(square, color, figure="b"), odd, empty, blocks[1],
             dataclasses.replace(blocks[2], figure="a"))
    page = dataclasses.replace(pages[0], items=items, following=(),
                               links=(Link(1, 1, 5, 5, "https://example.org/x"),))
    data = workspace.renderer.render(page, ONLINE)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        texts, order = marked_text(pdf.pages[0])
        elements = walk(pdf)
        referenced = sorted(m for _e, _d, mcids, _a in elements for _p, m in mcids)
        assert referenced == sorted(order) == sorted(texts)
        figures = [e for e, _d, _m, _a in elements if e.S == "/Figure"]
        assert len(figures) == 2 and all(str(f.Alt).strip() for f in figures)
        links = [(e, a) for e, _d, _m, a in elements if e.S == "/Link"]
        assert len(links) == 1 and len(links[0][1]) == 1
        assert str(pdf.pages[0].obj.Annots[0].Contents) == "https://example.org/x"


# ------------------------------------------------------------------ the design's alt
def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("value,message", [
    ("scenario.no_such.title", "alt names the string 'scenario.no_such.title'"),
    ("[1, 2]", "alt"),
])
def test_an_alt_that_names_no_string_is_an_error_at_its_line(project_copy, value, message):
    from leaflets.model.load import load_project
    path = project_copy / "content" / "designs" / "hotline-card.yaml"
    text = path.read_text(encoding="utf-8")
    assert "        alt: qr.caption\n" in text
    path.write_text(text.replace("        alt: qr.caption\n", f"        alt: {value}\n"), encoding="utf-8")
    project, diags = load_project(project_copy)
    errors = [d for d in diags.errors if message in d.message]
    assert errors, [d.format() for d in diags.errors]
    assert errors[0].file == path and errors[0].line
    assert abs(errors[0].line - _line_of(text, "alt: qr.caption")) <= 4


def test_an_alt_on_a_region_without_a_picture_is_an_error(project_copy):
    from leaflets.model.load import load_project
    path = project_copy / "content" / "designs" / "a4-leaflet.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "  - id: statement\n"
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + "    alt: statement\n"), encoding="utf-8")
    _project, diags = load_project(project_copy)
    (error,) = [d for d in diags.errors if "alt" in d.message]
    assert "neither" in error.message and error.file == path and error.line == _line_of(text, anchor.strip()) + 1
