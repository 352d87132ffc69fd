"""The painter and the PDF/X step keep what they work out once (a paragraph's plan, a subset's
formatted widths and ToUnicode map, the ICC profile's stream) for the documents that follow.  None of
it may show in the output: a page gives the same bytes whatever was painted before it, in this
process or in a fresh one, and its text still extracts."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

from helpers import page_text, squash

ROOT = Path(__file__).resolve().parent.parent
POPPLER = shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(POPPLER is None, reason="pdftotext (poppler-utils) is not installed")


def _pages(workspace):
    """Pages that differ in every way the painter cares about: scripts and directions, fonts with one
    subset or several, one page or two (the card's back), a bleed or none."""
    return {key: workspace.composer.compose(*key)[0]
            for key in (("a4-leaflet", "en"), ("a4-leaflet", "ar"), ("a4-leaflet", "my"), ("hotline-card", "ja"))}


def _editions():
    from leaflets.render import ONLINE, PRINT
    return {"print": PRINT, "online": ONLINE}


def _copy(page):
    """An equal page made of other objects (the painter's plans are found by value, not identity)."""
    from leaflets.layout.frame import GlyphRun, TextBlock

    def block(b):
        if not isinstance(b, TextBlock):
            return b
        runs = tuple(GlyphRun(r.face, r.size, r.x, r.y, tuple(tuple(g) for g in r.glyphs), r.color, r.width, r.rtl,
                              r.start, tuple(r.advances)) for r in b.runs)
        return dataclasses.replace(b, runs=runs)
    return dataclasses.replace(page, items=tuple(map(block, page.items)), slug_items=tuple(map(block, page.slug_items)),
                               following=tuple(map(_copy, page.following)))


def test_a_page_gives_the_same_bytes_whatever_was_painted_before(workspace):
    from leaflets.layout.frame import TextBlock
    from leaflets.render import PdfRenderer
    pages, editions = _pages(workspace), _editions()
    first = {}
    for key, page in pages.items():
        fresh = PdfRenderer()        # nothing painted before
        for name, options in editions.items():
            first[key, name] = fresh.render(page, options)
    shared = PdfRenderer()
    orders = [(key, name) for key in pages for name in editions]
    for seed in range(3):
        random.Random(seed).shuffle(orders)
        for key, name in orders + orders[::-1]:
            assert shared.render(pages[key], editions[name]) == first[key, name], (seed, key, name)
    # an equal page of other objects, after everything else
    for key, page in pages.items():
        twin = _copy(page)
        assert twin == page
        assert not {id(i) for i in twin.items if isinstance(i, TextBlock)} & {id(i) for i in page.items}
        for name, options in editions.items():
            assert shared.render(twin, options) == first[key, name], (key, name)


def test_the_print_and_the_online_edition_in_either_order(workspace):
    """The online edition reuses what the print edition worked out for the same paragraphs; the other
    way round gives the same two files."""
    from leaflets.render import ONLINE, PRINT, PdfRenderer
    page = workspace.composer.compose("a4-leaflet", "th")[0]
    a, b = PdfRenderer(), PdfRenderer()
    print_first = (a.render(page, PRINT), a.render(page, ONLINE))
    online_first = b.render(page, ONLINE)
    assert (b.render(page, PRINT), online_first) == print_first
    assert print_first[0] != print_first[1]


def _fresh_process_hashes(cache: Path) -> dict[str, str]:
    """sha256 of the en leaflet's print file (painter and PDF/X) and online file, from a new interpreter."""
    script = f"""
import hashlib, json
from pathlib import Path
from leaflets.build import Workspace
from leaflets.render import ONLINE, PRINT, pdfx
from leaflets.render.pdfx import OutputConditions
ws = Workspace(Path({str(ROOT)!r}), Path({str(cache)!r}))
page = ws.composer.compose("a4-leaflet", "en")[0]
conds = OutputConditions(Path({str(ROOT)!r}) / "icc")
data = ws.renderer.render(page, PRINT)
out = {{"print": hashlib.sha256(data).hexdigest(),
       "online": hashlib.sha256(ws.renderer.render(page, ONLINE)).hexdigest()}}
for level in pdfx.LEVELS:
    cond = pdfx.PdfxSettings(level).resolve(conds)
    x = pdfx.apply(data, level, cond, conds, date=pdfx.FALLBACK_DATE, document_key="k")
    out[level] = hashlib.sha256(x).hexdigest()
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fresh_process_gives_the_same_bytes_as_a_busy_one(workspace, font_cache):
    from leaflets.render import ONLINE, PRINT, pdfx
    from leaflets.render.pdfx import OutputConditions
    pages = _pages(workspace)
    conds = OutputConditions(ROOT / "icc")
    for page in pages.values():          # this process has painted and made PDF/X of other files first
        for level in pdfx.LEVELS:
            data = workspace.renderer.render(page, PRINT)
            pdfx.apply(data, level, pdfx.PdfxSettings(level).resolve(conds), conds, date=pdfx.FALLBACK_DATE)
        workspace.renderer.render(page, ONLINE)
    page = workspace.composer.compose("a4-leaflet", "en")[0]
    data = workspace.renderer.render(page, PRINT)
    here = {"print": hashlib.sha256(data).hexdigest(),
            "online": hashlib.sha256(workspace.renderer.render(page, ONLINE)).hexdigest()}
    for level in pdfx.LEVELS:
        x = pdfx.apply(data, level, pdfx.PdfxSettings(level).resolve(conds), conds, date=pdfx.FALLBACK_DATE,
                       document_key="k")
        here[level] = hashlib.sha256(x).hexdigest()
    assert _fresh_process_hashes(font_cache) == here


def test_pdfx_gives_the_same_bytes_with_conditions_used_before_or_new(workspace):
    from leaflets.render import PRINT, pdfx
    from leaflets.render.pdfx import OutputConditions
    pages = list(_pages(workspace).values())
    datas = [workspace.renderer.render(p, PRINT) for p in pages]
    for level in pdfx.LEVELS:
        for key in sorted(OutputConditions(ROOT / "icc").conditions):
            fresh = OutputConditions(ROOT / "icc")
            if level == "x4" and fresh.get(key).profile is None:
                continue
            settings = pdfx.PdfxSettings(level, key)
            alone = [pdfx.apply(d, level, settings.resolve(fresh), fresh, date=pdfx.FALLBACK_DATE)
                     for d in datas]
            again = OutputConditions(ROOT / "icc")
            for d in reversed(datas):
                pdfx.apply(d, level, settings.resolve(again), again, date=pdfx.FALLBACK_DATE)
            assert [pdfx.apply(d, level, settings.resolve(again), again, date=pdfx.FALLBACK_DATE)
                    for d in datas] == alone, (level, key)
            if level == "x4":
                # the profile copied in is the committed one, compressed, once per file
                import pikepdf
                pdf = pikepdf.open(io.BytesIO(alone[0]))
                (intent,) = pdf.Root.OutputIntents
                profile = intent.DestOutputProfile
                assert hashlib.sha256(zlib.decompress(profile.read_raw_bytes())).hexdigest() == fresh.get(key).sha256
                assert int(profile.N) == 4


# ------------------------------------------------------------ hostile text
def _block(workspace, text: str, script: str, rtl: bool, y: float, size: float, spacing: float = 0.0,
           rise: float = 0.0, lang: str | None = None):
    """A paragraph set by the project's own text engine; ``spacing`` points more between glyphs, every
    other stretch of 40 glyphs raised by ``rise``."""
    from leaflets.layout.frame import GlyphRun, TextBlock
    from leaflets.layout.page import _place
    from leaflets.model.schema import Color
    from leaflets.text.paragraph import Paragraph
    lang = lang or {"Arab": "ar", "Jpan": "ja", "Thai": "th", "Mymr": "my"}[script]
    black = Color("black", (0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
    p = Paragraph(text, lang, workspace.fonts.faces(script, "regular"), workspace.fonts, rtl)
    composed = p.compose(p.break_lines(500.0 / size))
    runs = []
    for n, line in enumerate(composed):
        x = 40.0 + 500.0 - line.width * size if rtl else 40.0
        for r in line.runs:
            r = _place(r, size, x, y + n * size * 1.5, black)
            glyphs = tuple((gid, gx + i * spacing, rise if (i // 40) % 2 else 0.0, t)
                           for i, (gid, gx, _gy, t) in enumerate(r.glyphs))
            runs.append(GlyphRun(r.face, r.size, r.x, r.y, glyphs, r.color, r.width, r.rtl, r.start, r.advances))
    return TextBlock(p.text, lang, tuple(runs), "t", (40.0, y - size, 500.0, size * 1.5 * len(composed)),
                     len(composed), size, rtl)


def _hostile_page(workspace, seed: int):
    """Hundreds of distinct ideographs (several subsets of one font, a subset ending inside a text
    object), letter-spaced and raised, beside Arabic and Myanmar text with marks."""
    from leaflets.layout.frame import Page
    rng = random.Random(seed)
    ideographs = "".join(chr(c) for c in rng.sample(range(0x4E00, 0x9FA0), 700))
    blocks = [_block(workspace, ideographs, "Jpan", False, 60.0, 7.0, spacing=rng.choice([0.13, 0.4]),
                      rise=rng.choice([1.5, -2.0])),
              _block(workspace, "الاتجار بالبشر جريمة لأ " + str(rng.randint(0, 9999)), "Arab", True, 600.0, 11.0,
                     spacing=-0.05),
              _block(workspace, "လူကုန်ကူးမှု ဆက်သွယ်ပါ ကျွန်ုပ်", "Mymr", False, 700.0, 12.0)]
    return Page(width=595, height=842, bleed=0, slug=0, items=tuple(blocks), lang="ja", rtl=False)


def _fonts_and_rises(pdf: bytes) -> tuple[int, int]:
    """How many fonts (subsets) the page uses and how many text rises it sets."""
    import pikepdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        content = page.Contents.read_bytes()
        return len(page.Resources.Font), len(re.findall(rb"[-\d.]+ Ts", content))


@pytest.mark.parametrize("seed", [1, 2])
def test_many_subsets_and_rises_give_the_same_bytes_and_the_text_back(workspace, seed):
    from leaflets.render import ONLINE, PRINT, PdfRenderer
    page = _hostile_page(workspace, seed)
    alone = PdfRenderer().render(page, ONLINE)
    busy = PdfRenderer()
    busy.render(_hostile_page(workspace, seed + 10), ONLINE)
    busy.render(page, PRINT)
    assert busy.render(page, ONLINE) == alone
    fonts, rises = _fonts_and_rises(alone)
    assert fonts >= 4 and rises >= 2          # the paths this test is about were taken
    text = squash(page_text(alone))
    for block in page.items:
        assert squash(block.text) in text


@needs_poppler
@pytest.mark.parametrize("seed", [3])
def test_many_subsets_extract_with_poppler(workspace, seed):
    from leaflets.render import ONLINE, PdfRenderer
    page = _hostile_page(workspace, seed)
    pdf = PdfRenderer().render(page, ONLINE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.pdf"
        path.write_bytes(pdf)
        out = subprocess.run([POPPLER, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                             timeout=120).stdout.decode("utf-8")
    assert squash(page.items[0].text) in squash(out)


def test_every_subset_maps_its_codes_to_the_text(workspace):
    """Each subset's ToUnicode map, read with pdfminer.six (glyph codes only, no replacement text),
    gives the ideographs back in order: codes were given in the order the glyphs are painted."""
    from pdfminer.high_level import extract_text

    from leaflets.render import PRINT, PdfRenderer
    page = _hostile_page(workspace, 5)
    pdf = PdfRenderer().render(page, PRINT)
    out = squash(extract_text(io.BytesIO(pdf)))
    assert squash(page.items[0].text) in out


def test_a_glyph_that_stood_for_other_text_in_the_document_before(workspace):
    """The same glyph standing for other text gets the same private code in the next document, in a
    subset of the same glyphs: its ToUnicode map is that document's, not the one made before."""
    from pdfminer.high_level import extract_text

    from leaflets.layout.frame import GlyphRun, Page, TextBlock
    from leaflets.render import PRINT, PdfRenderer
    base = _block(workspace, "لا", "Arab", True, 100.0, 20.0)

    def page(text: str):
        runs = tuple(GlyphRun(r.face, r.size, r.x, r.y, tuple((g, x, y, text if t else t) for g, x, y, t in r.glyphs),
                              r.color, r.width, r.rtl, r.start, r.advances) for r in base.runs)
        return Page(width=300, height=200, bleed=0, slug=0, lang="en",
                    items=(dataclasses.replace(base, text=text, lang="en", rtl=False, runs=runs),))
    renderer = PdfRenderer()
    renderer.render(page("Q1"), PRINT)
    after = renderer.render(page("Z9"), PRINT)
    assert after == PdfRenderer().render(page("Z9"), PRINT)
    out = extract_text(io.BytesIO(after))
    assert "Z9" in out and "Q1" not in out
