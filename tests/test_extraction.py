"""The text that PDFium, poppler and pdfminer.six extract is the source text.

What is compared, precisely: a string "appears" in extracted text when the
text holds it character for character, where a space of the source may be
any run of white space there, and where white space may also stand at the
places the layout broke the paragraph into lines (and nowhere else: a space
inside a word is a failure).  poppler marks right-to-left runs with
embedding controls (U+202A...U+202C) for display; those are removed first.

Measured with pypdfium2 5.15 (PDFium 8149), poppler 22.12 and pdfminer.six
20260107.  Where an extractor's own rules make the source impossible to get
back, a small PDF below shows the rule, and the leaflet tests allow exactly
that and nothing more.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest

from helpers import page_text

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
EDITIONS = ["print", "online"]
POPPLER = shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(POPPLER is None, reason="pdftotext (poppler-utils) is not installed")


# ------------------------------------------------------------------ extractors
def pdfium(pdf: bytes) -> str:
    return page_text(pdf)


def poppler(pdf: bytes, raw: bool = False) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.pdf"
        path.write_bytes(pdf)
        out = subprocess.run([POPPLER, "-enc", "UTF-8", *(["-raw"] if raw else []), str(path), "-"],
                             capture_output=True, check=True).stdout.decode("utf-8")
    # embedding and isolate controls poppler wraps right-to-left runs in
    return "".join(ch for ch in out if unicodedata.bidirectional(ch) not in _EMBEDDING)


_EMBEDDING = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def pdfminer(pdf: bytes) -> str:
    from pdfminer.high_level import extract_text
    return extract_text(io.BytesIO(pdf))


# ------------------------------------------------------------------ comparing
def pattern(source: str, breaks=frozenset()) -> re.Pattern:
    """``source`` as a pattern: its spaces any white space, white space allowed at ``breaks``."""
    parts: list[str] = []
    for i, ch in enumerate(source):
        if ch.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
            continue
        if i in breaks and parts and parts[-1] != r"\s+":
            parts.append(r"\s*")
        parts.append(re.escape(ch))
    return re.compile("".join(parts))


def lines(block) -> list[tuple[int, int, float]]:
    """(start, end, baseline) of each line of a laid-out paragraph, in order."""
    out: dict[float, list[int]] = {}
    for run in block.runs:
        length = sum(len(t) for *_g, t in run.glyphs)
        span = out.setdefault(run.y, [len(block.text), 0])
        span[0] = min(span[0], run.start)
        span[1] = max(span[1], run.start + length)
    return [(a, b, y) for y, (a, b) in out.items()]


def breaks(block) -> frozenset[int]:
    return frozenset(a for a, _b, _y in lines(block)[1:])


def appears(block, text: str, source: str | None = None) -> bool:
    return pattern(block.text if source is None else source, breaks(block)).search(text) is not None


def shown(workspace, lang: str, edition: str):
    """The page as built, and every paragraph it shows in this edition."""
    from leaflets.layout.frame import TextBlock
    (job,) = workspace.jobs(["a4-leaflet"], [lang], [edition])
    page, _problems = workspace.layout(job)
    blocks = [i for i in page.items if isinstance(i, TextBlock)]
    if edition == "print":
        blocks += [i for i in page.slug_items if isinstance(i, TextBlock)]
    return page, blocks


def _strong(text: str) -> set[str]:
    return {unicodedata.bidirectional(ch) for ch in text} & {"L", "R", "AL"}


def _mixes(text: str) -> bool:
    """Right-to-left letters and left-to-right letters or digits on one line."""
    classes = {unicodedata.bidirectional(ch) for ch in text}
    return bool(classes & {"R", "AL"}) and bool(classes & {"L", "EN", "AN"})


# ------------------------------------------------------------- the leaflets
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_pdfium_returns_every_string_once(built, workspace, lang, edition):
    page, blocks = shown(workspace, lang, edition)
    text = pdfium(built[(lang, edition)])
    for block in blocks:
        assert appears(block, text), f"{lang} {edition}: {block.key} does not extract as {block.text!r}"
        others = [b.text for b in blocks if b is not block]
        if len(block.text) >= 8 and not any(block.text in o for o in others):
            found = pattern(block.text, breaks(block)).findall(text)
            assert len(found) == 1, f"{block.key} extracts {len(found)} times"
    for digits in ("0120-924-839", "www.tokumei24.jp", "www.gem.or.jp/en/wh/whindex00113.html"):
        assert digits in text


# poppler's TextOutputDev: the farthest two baselines of one block may be apart, in type sizes
POPPLER_LINE_SPACING = 1.5


def _poppler_blocks(block) -> list[tuple[int, int]]:
    """The parts of a paragraph that poppler keeps together when it reads the glyphs.

    Lines whose baselines are more than 1.5 type sizes apart are blocks of their
    own for poppler, which it then puts in an order of its own (its column rules
    can interleave two paragraphs side by side): the paragraph whole, or its lines.
    """
    spans = lines(block)
    if any(abs(b[2] - a[2]) > POPPLER_LINE_SPACING * block.size for a, b in zip(spans, spans[1:])):
        return [(a, b) for a, b, _y in spans]
    return [(0, len(block.text))]


# what poppler counts as a letter or a number when it orders a line (its own table, close to these)
_POPPLER_KEEPS = {"L", "EN", "AN", "ES", "CS", "ET"}


def _poppler_order(block, page) -> str:
    """The source as poppler gives it back.

    On a page that is mostly right to left, poppler writes a line from its
    right end: what ends left-to-right text without being a letter or a
    number for poppler (a bracket, a full stop of Japanese) comes first, in
    reverse (see test_poppler_moves_what_ends_left_to_right_text_on_a_right_to_left_page).
    """
    text = block.text
    if not page.rtl or _strong(text) & {"R", "AL"}:
        return text
    end = len(text)
    while end and unicodedata.bidirectional(text[end - 1]) not in _POPPLER_KEEPS:
        end -= 1
    return text[end:][::-1] + text[:end]


@needs_poppler
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_poppler_returns_every_string(built, workspace, lang, edition):
    """Right-to-left text: every character, in order; a space beside what poppler takes
    for left to right may move to its other side (see
    test_poppler_moves_a_space_to_the_far_side_of_digits_and_separators)."""
    page, blocks = shown(workspace, lang, edition)
    text = poppler(built[(lang, edition)])
    flat = "".join(text.split())
    for block in blocks:
        if _strong(block.text) & {"R", "AL"}:
            for a, b in _poppler_blocks(block):
                assert "".join(block.text[a:b].split()) in flat, f"{lang} {edition}: {block.key} does not extract"
            continue
        expected = _poppler_order(block, page)
        assert pattern(expected, breaks(block) if expected == block.text else frozenset()).search(text), \
            f"{lang} {edition}: {block.key} does not extract as {expected!r}"


def _descents(pdf: bytes) -> dict[str, float]:
    """Each embedded font's /Descent (in em), by its PostScript name."""
    import pikepdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return {str(f.BaseFont).split("+", 1)[1]: float(f.FontDescriptor.Descent) / 1000
                for f in doc.pages[0].Resources.Font.values()}


def _pdfminer_apart(block, descents: dict[str, float]) -> bool:
    """Whether pdfminer.six puts the lines of ``block`` in boxes of their own.

    Its character boxes are as tall as the type size and start at the font's
    descent below the baseline (raised by any text rise); it groups two lines
    into one box when the gap between them is at most LAParams.line_margin of
    a line's height.
    """
    from pdfminer.layout import LAParams
    boxes = []
    for a, b, y in lines(block):
        lo = hi = None
        for run in block.runs:
            if run.y != y:
                continue
            d = descents[run.face.name] * run.size
            for _gid, _x, rise, _t in run.glyphs:
                c0 = -y + d + rise
                lo = c0 if lo is None else min(lo, c0)
                hi = c0 + run.size if hi is None else max(hi, c0 + run.size)
        boxes.append((lo, hi))
    margin = LAParams().line_margin
    for (lo1, hi1), (lo2, hi2) in zip(boxes, boxes[1:]):
        h = max(hi1 - lo1, hi2 - lo2)
        if lo1 - hi2 > margin * h or abs((hi1 - lo1) - (hi2 - lo2)) > margin * h:
            return True
    return False


def _pdfminer_pieces(block, descents: dict[str, float]) -> list[tuple[str, frozenset[int]]]:
    """What pdfminer.six keeps in one piece of a paragraph, with the line breaks inside each.

    pdfminer has no bidi: each line's runs of one direction come out whole,
    but in an order of its own; and lines it puts in boxes of their own it
    orders by its own rules too (see the tests below).  So: the paragraph
    whole, its lines when they stand apart, its runs of one direction when a
    line mixes directions.
    """
    from leaflets.text.bidi import levels
    spans = lines(block)
    apart = _pdfminer_apart(block, descents)
    mixed = any(_mixes(block.text[a:b]) for a, b, _y in spans)
    if not apart and not mixed:
        return [(block.text, breaks(block))]
    pieces = []
    lv = levels(block.text, block.rtl)
    for a, b, _y in spans:
        if not mixed:
            pieces.append((block.text[a:b].strip(), frozenset()))
            continue
        s = a
        for i in range(a + 1, b + 1):
            if i == b or (lv[i] % 2) != (lv[s] % 2):
                if block.text[s:i].strip():
                    pieces.append((block.text[s:i].strip(), frozenset()))
                s = i
    return pieces


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_pdfminer_returns_every_string(built, workspace, lang, edition):
    page, blocks = shown(workspace, lang, edition)
    pdf = built[(lang, edition)]
    text, descents = pdfminer(pdf), _descents(pdf)
    for block in blocks:
        for piece, inner in _pdfminer_pieces(block, descents):
            assert pattern(piece, inner).search(text), f"{lang} {edition}: {block.key} loses {piece!r}"


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "ja", "th", "my", "vi"])
def test_poppler_raw_mode_reads_left_to_right_leaflets_exactly(built, workspace, lang):
    _page, blocks = shown(workspace, lang, "online")
    text = poppler(built[(lang, "online")], raw=True)
    for block in blocks:
        assert appears(block, text), block.key


@needs_poppler
def test_poppler_raw_mode_keeps_right_to_left_letters_in_order_but_not_words_whole(built, workspace):
    """-raw keeps content-stream order and starts a new line whenever the next glyph
    is painted left of the one before: text painted from the right comes out one
    cluster per line, in reading order."""
    _page, blocks = shown(workspace, "ar", "online")
    text = poppler(built[("ar", "online")], raw=True)
    flat = "".join(text.split())
    headline = next(b for b in blocks if b.key == "headline")
    assert "".join(headline.text.split()) in flat
    assert headline.text.split()[0] not in text
    assert "0120-924-839" in text and "www.tokumei24.jp" in text


# ------------------------------------------------------------ small pages
def _block(workspace, text: str, script: str, rtl: bool, x: float = 40.0, y: float = 100.0,
           width: float = 500.0, size: float = 12.0, leading: float = 1.4, lang: str | None = None):
    """One paragraph set by the project's own text engine, as the composer places it."""
    from leaflets.layout.frame import TextBlock
    from leaflets.layout.page import _place
    from leaflets.model.schema import Color
    from leaflets.text.paragraph import Paragraph
    lang = lang or {"Arab": "ar", "Latn": "en", "Deva": "ne", "Thai": "th", "Jpan": "ja"}[script]
    black = Color("black", (0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
    p = Paragraph(text, lang, workspace.fonts.faces(script, "regular"), workspace.fonts, rtl)
    runs = []
    composed = p.compose(p.break_lines(width / size))
    for n, line in enumerate(composed):
        lx = x + width - line.width * size if rtl else x
        runs += [_place(r, size, lx, y + n * size * leading, black) for r in line.runs]
    return TextBlock(p.text, lang, tuple(runs), "t", (x, y - size, width, size * leading * len(composed)),
                     len(composed), size, rtl)


def _pdf(workspace, *blocks, rtl: bool = False) -> bytes:
    from leaflets.layout.frame import Page
    from leaflets.render import ONLINE
    page = Page(width=595, height=842, bleed=0, slug=0, items=blocks, lang=blocks[0].lang, rtl=rtl)
    return workspace.renderer.render(page, ONLINE)


def _one_line(text: str) -> str:
    return " ".join(text.split())


MIXED = "اتصل على 0120-924-839 أو زوروا www.tokumei24.jp الآن!"


@needs_poppler
def test_a_right_to_left_sentence_with_the_hotline_and_the_address(workspace):
    block = _block(workspace, MIXED, "Arab", True)
    pdf = _pdf(workspace, block, rtl=True)
    assert _one_line(pdfium(pdf)) == MIXED
    # poppler: every character in order; a space beside a change of direction may move
    # to the other side of the left-to-right run (it writes that run as one section)
    out = poppler(pdf)
    assert "".join(out.split()) == "".join(MIXED.split())
    assert "0120-924-839" in out and "www.tokumei24.jp" in out
    # pdfminer.six: each run of one direction whole and in order, the runs in an order of
    # its own (it has no bidi and splits a line where the painting jumps)
    out = pdfminer(pdf)
    for run in ("اتصل على", "0120-924-839", "أو زوروا", "www.tokumei24.jp", "الآن!"):
        assert run in out
    assert _one_line(out) != MIXED


def _random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    words = ["الاتجار", "بالبشر", "جريمة", "مرحبًا", "لا", "الآن", "أيضًا", "مرخّصة", "على", "انسانی", "ہے",
             "www.tokumei24.jp", "0120-924-839", "HELP", "Call", "2024", "3.5", "gem.or.jp/en"]
    marks = ["!", ".", "،", "(", ")", "«", "»", "/", ":", "؟", "?"]
    out = []
    for _ in range(n):
        parts = []
        for _w in range(rng.randint(1, 6)):
            w = rng.choice(words)
            if rng.random() < 0.2:
                w = rng.choice(marks) + w
            if rng.random() < 0.2:
                w += rng.choice(marks)
            parts.append(w)
        out.append(" ".join(parts))
    return out


@pytest.mark.parametrize("rtl_page", [True, False])
def test_pdfium_gives_back_any_mix_of_directions_digits_and_brackets(workspace, rtl_page):
    """The replacement text undoes what PDFium does to a line (see _pdfium_text), whatever
    the paragraph mixes; each paragraph is on lines of its own."""
    texts = _random_texts(7 if rtl_page else 8, 24)
    for i in range(0, len(texts), 3):
        blocks = [_block(workspace, t, "Arab", rtl_page, y=100 + 80 * k) for k, t in enumerate(texts[i:i + 3])]
        out = _one_line(pdfium(_pdf(workspace, *blocks, rtl=rtl_page)))
        for b in blocks:
            assert b.text in out, (b.text, out)


def test_pdfium_joins_a_paragraph_that_ends_in_a_hyphenated_word_to_the_next_line(workspace):
    """PDFium takes a letter and a hyphen at the end of a line, followed by a letter on the
    next, for a hyphenated word: it drops the line break and writes U+FFFE for the hyphen."""
    a = _block(workspace, "Call a tele-", "Latn", False)
    b = _block(workspace, "phone now", "Latn", False, y=130)
    out = pdfium(_pdf(workspace, a, b))
    assert out.replace("\r\n", " ").split() == ["Call", "a", "tele\ufffephone", "now"]
    # a hyphen after a digit (or after nothing but space) is kept
    c = _block(workspace, "Call 0120-", "Latn", False)
    assert "0120-" in pdfium(_pdf(workspace, c, b))


def test_pdfium_lines_two_paragraphs_up_when_they_share_a_baseline(workspace):
    """Side by side on one baseline, two paragraphs are one line for PDFium, read with one
    bidi pass: each comes back whole, the right-to-left one (on a right-to-left page) first."""
    a = _block(workspace, "الاتجار بالبشر جريمة", "Arab", True, x=300, width=250)
    b = _block(workspace, "www.tokumei24.jp", "Arab", True, x=40, width=200)
    out = pdfium(_pdf(workspace, a, b, rtl=True))
    assert _one_line(out) == "الاتجار بالبشر جريمة www.tokumei24.jp"
    # a neutral character at an edge where they meet can end up on the far side of the
    # space between them: the pass is over the line, not over each paragraph
    c = _block(workspace, "(Call the police)", "Latn", False, x=40, width=200)
    out = _one_line(pdfium(_pdf(workspace, a, c, rtl=True)))
    assert out == "الاتجار بالبشر جريمة( Call the police)"
    assert "(Call the police)" in _one_line(pdfium(_pdf(workspace, a, _block(workspace, "(Call the police)", "Latn",
                                                                             False, y=140), rtl=True)))


@needs_poppler
def test_poppler_moves_what_ends_left_to_right_text_on_a_right_to_left_page(workspace):
    """poppler writes a line of a right-to-left page from the right: what ends a
    left-to-right line without being a letter or a number for poppler is written first."""
    arabic = _block(workspace, "الاتجار بالبشر جريمة يعاقب عليها القانون في اليابان وخارجها", "Arab", True)
    cases = {"(Call the police)": ")(Call the police", "Call the police.": "Call the police.",
             "警察に通報してください。": "。警察に通報してください"}
    for source, out in cases.items():
        other = _block(workspace, source, "Latn" if source.isascii() else "Jpan", False, y=140)
        got = poppler(_pdf(workspace, arabic, other, rtl=True))
        assert out in got and (out == source or source not in got)
        assert source in poppler(_pdf(workspace, other))


@needs_poppler
def test_poppler_moves_a_space_to_the_far_side_of_digits_and_separators(workspace):
    """poppler writes right-to-left text from the right, and what it takes for left to right
    (digits, and common separators such as the Arabic comma U+060C or a colon) as a
    section of its own, which takes the space before it along."""
    cases = {"كهذه، فأبلغ": "كهذه ،فأبلغ", "نعم: لا": "نعم :لا", "العدد ٣٤ شخصًا": "العدد  ٣٤شخصًا",
             "مكتب؛ شرطة": "مكتب؛ شرطة"}
    for source, out in cases.items():
        pdf = _pdf(workspace, _block(workspace, source, "Arab", True), rtl=True)
        assert poppler(pdf).strip() == out


def test_pdfminer_takes_lines_set_far_apart_for_boxes_of_their_own(workspace):
    """More than half a line of space between two lines, and pdfminer.six puts each in a
    box of its own, which it then orders by itself; every line stays whole."""
    from pdfminer.layout import LAParams
    text = "Human trafficking is a crime. It is also happening in Japan, now. Report it to the police."
    close = _block(workspace, text, "Latn", False, width=150, leading=1.3)
    assert pattern(text, breaks(close)).search(pdfminer(_pdf(workspace, close)))
    apart = _block(workspace, text, "Latn", False, width=150, leading=1.0 + 2 * LAParams().line_margin)
    out = pdfminer(_pdf(workspace, apart))
    assert not pattern(text, breaks(apart)).search(out.replace("\n\n", "\0"))
    for a, b, _y in lines(apart):
        assert text[a:b].strip() + "\n\n" in out


def _to_unicode(pdf: bytes) -> dict[str, list[str]]:
    """Every font's ToUnicode map: font name -> the texts of its codes."""
    import pikepdf
    out: dict[str, list[str]] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for font in doc.pages[0].Resources.Font.values():
            data = font.ToUnicode.read_bytes().decode("latin-1")
            out[str(font.BaseFont)] = [bytes.fromhex(dst).decode("utf-16-be")
                                       for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S)
                                       for dst in re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]*)>", block)]
    return out


@needs_poppler
def test_ligatures_extract_as_their_letters_without_a_gap(workspace):
    text = "The office of trafficking affairs fluffily"
    block = _block(workspace, text, "Latn", False)
    pdf = _pdf(workspace, block)
    texts = [t for ts in _to_unicode(pdf).values() for t in ts]
    assert {"ffi", "fi"} & set(texts), "a ligature glyph is mapped to all its letters"
    for extract in (pdfium, poppler, pdfminer):
        assert _one_line(extract(pdf)) == text, extract.__name__


@needs_poppler
def test_a_prebase_vowel_is_read_after_its_consonant(workspace):
    """कि: the vowel sign is drawn before (left of) its consonant.  The glyph drawn first
    stands for the whole cluster, so a reader going glyph by glyph gets it in logical
    order; the cluster cannot be split: its consonant's glyph stands for nothing."""
    text = "किताब पढ़िए"
    block = _block(workspace, text, "Deva", False)
    pdf = _pdf(workspace, block)
    first = block.runs[0].glyphs
    assert first[0][3] == "कि" and first[1][3] == ""
    assert "कि" in [t for ts in _to_unicode(pdf).values() for t in ts]
    for extract in (pdfium, poppler, pdfminer):
        assert _one_line(extract(pdf)) == text, extract.__name__


@needs_poppler
def test_right_to_left_clusters_get_a_code_per_character(workspace):
    """لا is one glyph for two letters, ضً a letter and its mark: each character gets a code
    of its own, so that readers that reverse right-to-left text character by character
    (poppler) keep every cluster in order, and readers that do not (pdfminer.six) too."""
    text = "لا إله إلا أيضًا"
    pdf = _pdf(workspace, _block(workspace, text, "Arab", True), rtl=True)
    arabic = [t for name, ts in _to_unicode(pdf).items() if "Arabic" in name for t in ts]
    assert arabic and all(len(t) <= 1 for t in arabic)
    for extract in (pdfium, poppler, pdfminer):
        assert _one_line(extract(pdf)) == text, extract.__name__


URDU_AGENCIES = {"cas": "کابینہ سیکرٹریٹ", "cao": "کابینہ آفس", "npa": "نیشنل پولیس ایجنسی", "moj": "وزارت انصاف",
                 "mofa": "وزارت خارجہ", "mext": "وزارت تعلیم، ثقافت، کھیل، سائنس اور ٹیکنالوجی",
                 "mhlw": "وزارت صحت، محنت اور بہبود", "maff": "وزارت زراعت، جنگلات اور ماہی گیری",
                 "meti": "وزارت معیشت، تجارت اور صنعت", "mlit": "وزارت زمین، بنیادی ڈھانچہ، ٹرانسپورٹ اور سیاحت",
                 "jcg": "جاپان کوسٹ گارڈ"}


def test_translations_with_digits_addresses_and_urdu_names_extract_from_the_leaflet(workspace):
    """The composer's own layout: a right-to-left string with the hotline and an address in
    it, and agency names in Urdu (letters Arabic has not: ہ ے گ ٹ ں)."""
    from leaflets.layout.frame import TextBlock
    from leaflets.layout.page import Composer
    from leaflets.model.schema import Text
    from leaflets.render import ONLINE
    project = workspace.project
    language = project.languages["ar"]
    new = {"call_to_report": MIXED, **{f"agency.{k}": v for k, v in URDU_AGENCIES.items()}}
    strings = dict(language.strings)
    for key, text in new.items():
        old = strings[key]
        strings[key] = Text(key, text, old.source, old.note, old.line)
    changed = dataclasses.replace(project, languages={**project.languages,
                                                      "ar": dataclasses.replace(language, strings=strings)})
    page, _problems = Composer(changed, workspace.fonts).compose("a4-leaflet", "ar")
    pdf = workspace.renderer.render(page, ONLINE)
    text, mined, descents = pdfium(pdf), pdfminer(pdf), _descents(pdf)
    popped = "".join(poppler(pdf).split()) if POPPLER else None
    for key in ("call_to_report", "agencies"):
        block = next(i for i in page.items if isinstance(i, TextBlock) and i.key == key)
        assert appears(block, text), key
        for piece, inner in _pdfminer_pieces(block, descents):
            assert pattern(piece, inner).search(mined), piece
        if popped is not None:
            assert "".join(block.text.split()) in popped, key
    for name in URDU_AGENCIES.values():
        assert name in text


@needs_poppler
def test_the_placeholder_extracts_though_pdfium_drops_it_from_replacement_text(workspace):
    """PDFium skips characters from U+FFFD up in replacement text (U+FFFD is the placeholder
    set for a character no font covers) but reads them from glyphs: left-to-right text with
    one is left to its glyphs.  Right-to-left text keeps its replacement text, and loses the
    placeholder in PDFium only."""
    latin = _pdf(workspace, _block(workspace, "Stop \ufffd now", "Latn", False))
    for extract in (pdfium, poppler, pdfminer):
        assert _one_line(extract(latin)) == "Stop \ufffd now", extract.__name__
    arabic = _pdf(workspace, _block(workspace, "مرحبا \ufffd الآن", "Arab", True), rtl=True)
    assert _one_line(pdfium(arabic)) == "مرحبا الآن"
    for extract in (poppler, pdfminer):
        assert _one_line(extract(arabic)) == "مرحبا \ufffd الآن", extract.__name__
