"""Line breaking a native typesetter signs off.

The shipped content is checked for every language and design with the
typography inspector (the same that ``leaflets check`` reports from), and each
rule is checked on generated text at many widths, against oracles that do not
go through the code under test where one exists (icu4py, BudouX, pyphen).
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest
from icu4py.breakers import LineBreaker
from icu4py.locale import Locale

from helpers import page_text, squash
from leaflets.build import Job, Workspace, typography_findings
from leaflets.layout.frame import MM, TextBlock
from leaflets.text import linebreak
from leaflets.text.linebreak import JA_NO_START, phrase_boundaries, segment, url_spans
from leaflets.text.paragraph import Paragraph
from leaflets.text.typography import RULES, inspect

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
# every design file there is when the tests run, and the annual fact sheet (laid out from
# content/reports/factsheet.yaml, not from a design file)
DESIGNS = sorted(p.stem for p in (ROOT / "content" / "designs").glob("*.yaml"))
FACTSHEET = "factsheet"
LAID_OUT = DESIGNS + ([FACTSHEET] if (ROOT / "content" / "reports" / "factsheet.yaml").exists() else [])
WIDTHS = [3.5 + 0.75 * i for i in range(40)]          # em: from very narrow to wider than any box
POPPLER = shutil.which("pdftotext")


@pytest.fixture(scope="module")
def fonts(workspace):
    return workspace.fonts


def para(fonts, text: str, lang: str, script: str, weight: str = "regular") -> Paragraph:
    return Paragraph(text, lang, fonts.faces(script, weight), fonts)


def texts(p: Paragraph, lines) -> list[str]:
    return [p.text[a:b] for a, b in lines]


def soft_starts(p: Paragraph, lines) -> list[int]:
    """Where lines start after a break the line breaker chose (not after a line feed)."""
    return [a for a, _b in lines[1:] if p.text[a - 1] not in "\n"]


def ends(lines) -> list[int]:
    return [b for _a, b in lines[:-1]]


# ------------------------------------------------------------ shipped content
def _design_id(workspace, stem: str) -> str:
    if stem == FACTSHEET and not any(d.path and d.path.stem == stem for d in workspace.project.designs.values()):
        return FACTSHEET
    return next(d.id for d in workspace.project.designs.values() if d.path and d.path.stem == stem)


def test_every_design_file_is_checked(workspace):
    """The designs checked are those the project loads: none left out, whatever was added."""
    loaded = {d.path.stem for d in workspace.project.designs.values() if d.path}
    assert loaded == set(DESIGNS) and DESIGNS


def _url_too_wide(workspace, design, block) -> bool:
    """Whether the URL of ``block``, set whole at its style's smallest size, is wider than its box."""
    for region in design.regions:
        for item in region.text:
            if item.label != block.key:
                continue
            style = design.styles[item.style]
            col = design.width / design.columns
            inner = (region.at[2] * col - region.padding[1] - region.padding[3]) * MM
            language = workspace.project.languages[block.lang]
            p = para(workspace.fonts, block.text, block.lang, language.script, style.weight)
            return p.natural_width * style.min_size > inner
    return False


@pytest.mark.parametrize("stem", LAID_OUT)
@pytest.mark.parametrize("lang", LANGS)
def test_shipped_content_is_set_without_typographic_faults(workspace, stem, lang):
    design_id = _design_id(workspace, stem)
    design = workspace.project.designs.get(design_id)
    page, _problems, _diagnostics = workspace.examine(Job(design_id, lang, ()))
    sheets = page if isinstance(page, tuple) else page.pages
    blocks = [it for sheet in sheets for it in sheet.items if isinstance(it, TextBlock)]
    assert len(blocks) > 3
    bad = []
    for block, f in typography_findings(workspace.project, Job(design_id, lang, ()), page):
        if f.rule == "url-break" and design is not None and _url_too_wide(workspace, design, block):
            continue     # the last resort: a URL wider than its box at the smallest size breaks after a slash
        bad.append((block.lang, block.key, f.rule, f.line))
    assert not bad, bad


def _icu_ends(text: str, locale: Locale) -> set[int]:
    """ICU's break opportunities, from UTF-16 offsets to Python indices."""
    index, u = {}, 0
    for i, ch in enumerate(text):
        index[u] = i
        u += 2 if ord(ch) > 0xFFFF else 1
    index[u] = len(text)
    return {index[b] for _a, b in LineBreaker(text, locale).segments()}


@pytest.mark.parametrize("stem", LAID_OUT)
@pytest.mark.parametrize("lang", LANGS)
def test_shipped_lines_end_only_where_icu_allows_or_with_a_hyphen(workspace, stem, lang):
    """Independent of the inspector: every line of every paragraph ends at one of
    ICU's break opportunities (asked of icu4py here), or with a hyphen glyph."""
    page, _problems, _diagnostics = workspace.examine(Job(_design_id(workspace, stem), lang, ()))
    sheets = page if isinstance(page, tuple) else page.pages
    for block in (it for sheet in sheets for it in sheet.items if isinstance(it, TextBlock)):
        rows: dict[float, list] = {}
        for run in block.runs:
            rows.setdefault(run.y, []).append(run)
        base = block.lang.split("-")[0]
        icu = _icu_ends(block.text, Locale(base, "", None, {"lb": "strict"}) if base in ("ja", "zh") else Locale(base))
        for y in sorted(rows)[:-1]:
            runs = rows[y]
            end = max(r.start + sum(len(g[3]) for g in r.glyphs) for r in runs)
            while end < len(block.text) and block.text[end] in " \n":
                end += 1
            last = max(runs, key=lambda r: r.start).glyphs[-1]
            hyphens = {f.hb_font.get_nominal_glyph(ord(h)) for f in (r.face for r in runs) for h in "\u2010-"}
            assert end in icu or (last[3] == "" and last[0] in hyphens), (lang, block.key, block.text[:end][-20:])


# ---------------------------------------------------------- generated words
CYRILLIC_C = "бвгджзклмнпрстфхцчшщ"
CYRILLIC_V = "аеиоуыэюя"


def _word(rng: random.Random, syllables: int, consonants=CYRILLIC_C, vowels=CYRILLIC_V) -> str:
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))


@pytest.mark.parametrize("lang", ["ru", "uk"])
@pytest.mark.parametrize("seed", range(6))
def test_a_word_wider_than_the_line_takes_a_hyphen_from_the_dictionary(fonts, lang, seed):
    import pyphen

    rng = random.Random(seed)
    long_word = _word(rng, rng.randint(14, 22))
    text = f"{_word(rng, 2)} {long_word} {_word(rng, 3)}"
    p = para(fonts, text, lang, "Cyrl", "bold")
    a = text.index(long_word)
    b = a + len(long_word)
    width = p.width(a, b) * rng.uniform(0.3, 0.6)
    lines = p.break_nicely(width)
    dictionary = set(pyphen.Pyphen(lang=lang).positions(long_word))
    inside = [e for e in ends(lines) if a < e < b]
    assert inside, texts(p, lines)
    assert all(e - a in dictionary for e in inside), (texts(p, lines), sorted(dictionary))
    assert "".join(texts(p, lines)) == p.text
    hyphen_gids = {f.hb_font.get_nominal_glyph(ord(h)) for f in p.faces for h in "\u2010-"}
    for line in p.compose(lines):
        assert line.width <= width + 1e-3, (p.text[line.start:line.end], line.width)
        if line.end in inside:
            assert line.hyphen
            g = line.runs[-1].glyphs[-1]
            assert g.gid in hyphen_gids and g.cluster == line.end, "the hyphen glyph stands for no text"
        else:
            assert not line.hyphen


def test_a_word_that_fits_is_never_broken(fonts):
    rng = random.Random(7)
    words = [_word(rng, rng.randint(1, 5)) for _ in range(60)]
    p = para(fonts, " ".join(words), "ru", "Cyrl")
    widest = max(p.width(m.start(), m.end()) for m in re.finditer(r"\S+", p.text))
    for width in (w for w in WIDTHS if w >= widest):
        for balance in (False, True):
            lines = p.break_nicely(width, balance)
            assert all(p.text[e - 1] == " " for e in ends(lines)), texts(p, lines)


def test_without_a_dictionary_words_break_between_graphemes_never_before_a_mark(fonts):
    # Tagalog has no hyphenation dictionary; U+0332 and U+0323 compose with nothing here
    rng = random.Random(3)
    base = "".join(rng.choice("abdgklmnprst") + rng.choice(["a\u0332", "i\u0323\u0301", "o", "u\u0332"])
                   for _ in range(20))
    p = para(fonts, base + " " + base[:12], "tl", "Latn")
    graphemes = set(linebreak.grapheme_breaks(p.text))
    for width in (2.5, 3.5, 5.0, 7.0):
        lines = p.break_nicely(width)
        assert "".join(texts(p, lines)) == p.text
        for e in ends(lines):
            assert e in graphemes, "a cut inside a grapheme cluster"
            assert unicodedata.category(p.text[e])[0] != "M", f"a line starts with a mark at width {width}"
        assert not any(line.hyphen for line in p.compose(lines))


def _thai_words(workspace, lang="th") -> list[str]:
    words = []
    for key in workspace.project.languages[lang].strings:
        text = workspace.project.string(lang, key)[0]
        words += [text[a:b].strip() for a, b in LineBreaker(text, Locale(lang)).segments()]
    return [w for w in words if w and all(unicodedata.category(c)[0] in "LM" for c in w)]


@pytest.mark.parametrize("seed", range(4))
def test_a_repetition_mark_never_starts_a_line(fonts, workspace, seed):
    rng = random.Random(seed)
    words = _thai_words(workspace)
    parts = []
    for _ in range(40):
        parts.append(rng.choice(words))
        if rng.random() < 0.35:
            parts.append(rng.choice([" ๆ ", "ๆ ", " ๆ"]))
    p = para(fonts, "".join(parts), "th", "Thai")
    for width in WIDTHS[:20]:
        for balance in (False, True):
            lines = p.break_nicely(width, balance)
            for a in soft_starts(p, lines):
                assert p.text[a] != "ๆ", f"a line starts with ๆ at width {width}: {texts(p, lines)}"
                assert unicodedata.category(p.text[a])[0] != "M"
    # Lao and Khmer the same (no font needed to break)
    for text, lang, mark in (("ເດັກນ້ອຍ ໆ ຫຼາຍ ໆ ຄົນ ມາ ໂຮງຮຽນ ທຸກ ໆ ມື້", "lo", "ໆ"),
                             ("ក្មេង ៗ ជាច្រើន ៗ មកសាលារៀន រាល់ ៗ ថ្ងៃ", "km", "ៗ")):
        s = segment(text, lang)
        assert not [i for i in s.breaks if i < len(text) and text[i] == mark]


# ------------------------------------------------------------------ Korean
def _korean_words(rng: random.Random, n: int) -> list[str]:
    return ["".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(rng.randint(1, 5))) for _ in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_korean_breaks_only_at_spaces_unless_a_word_is_wider_than_the_line(fonts, seed):
    rng = random.Random(seed)
    words = _korean_words(rng, 40)
    words = [w + rng.choice(["", "", "", ".", ",", "!"]) for w in words]
    p = para(fonts, " ".join(words), "ko", "Kore", rng.choice(["regular", "bold"]))
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", p.text)]
    widest = max(p.width(a, b) for a, b in spans)
    for width in WIDTHS:
        for balance in (False, True):
            lines = p.break_nicely(width, balance)
            for e in ends(lines):
                if p.text[e - 1] == " ":
                    continue
                a, b = next(s for s in spans if s[0] < e < s[1])
                assert p.width(a, b) > width, f"{p.text[a:b]!r} fits {width} em but was broken"
            if width >= widest:
                assert all(p.text[e - 1] == " " for e in ends(lines))


def test_icu_alone_would_break_korean_inside_words():
    """The reason keep-all is done above ICU (if ICU changes, this tells)."""
    text = "발길질을 당하는 노동자들"
    icu = [b for _a, b in LineBreaker(text, Locale("ko", "", None, {"lw": "keepall"})).segments()]
    assert any(text[b - 1] != " " for b in icu[:-1])
    assert all(text[b - 1] == " " for b in segment(text, "ko").breaks[:-1])


# ------------------------------------------------------- phrases (display)
def _phrases(text: str, locale: Locale) -> list[str]:
    return [text[a:b] for a, b in LineBreaker(text, locale).segments()]


JA_PHRASE = Locale("ja", "", None, {"lb": "strict", "lw": "phrase"})


@pytest.mark.parametrize("seed", range(5))
def test_japanese_display_text_breaks_only_between_icu_phrases(fonts, workspace, seed):
    rng = random.Random(seed)
    pool = []
    for key in workspace.project.languages["ja"].strings:
        pool += [s for s in _phrases(workspace.project.string("ja", key)[0], JA_PHRASE) if s.strip()]
    title = "".join(rng.choice(pool).strip() for _ in range(rng.randint(4, 9)))
    p = para(fonts, title, "ja", "Jpan", "bold")
    oracle = set(__import__("itertools").accumulate(len(s) for s in _phrases(p.text, JA_PHRASE)))
    widest = max(p.width(a, b) for a, b in zip([0, *sorted(oracle)], sorted(oracle)))
    for width in (w for w in WIDTHS if w >= widest):
        lines = p.break_nicely(width, balance=True)
        assert set(ends(lines)) <= oracle, (width, texts(p, lines))
    # body text keeps strict kinsoku: no line starts with a small kana, a stop or ー
    for width in WIDTHS[:12]:
        for a in soft_starts(p, p.break_nicely(width)):
            assert p.text[a] not in JA_NO_START


@pytest.mark.parametrize("lang,model", [("zh-Hans", "simplified"), ("zh-Hant", "traditional")])
@pytest.mark.parametrize("seed", range(4))
def test_chinese_display_text_breaks_only_at_budoux_boundaries(fonts, workspace, lang, model, seed):
    import budoux

    parser = getattr(budoux, f"load_default_{model}_chinese_parser")()
    rng = random.Random(seed)
    pool = []
    for key in workspace.project.languages[lang].strings:
        pool += [c for c in parser.parse(workspace.project.string(lang, key)[0]) if c.strip()]
    title = "".join(rng.choice(pool).strip() for _ in range(rng.randint(4, 9)))
    p = para(fonts, title, lang, "Hans" if lang == "zh-Hans" else "Hant", "bold")
    chunks = parser.parse(p.text)
    oracle = set(__import__("itertools").accumulate(len(c) for c in chunks))
    widest = max(p.width(a, b) for a, b in zip([0, *sorted(oracle)], sorted(oracle)))
    for width in (w for w in WIDTHS if w >= widest):
        lines = p.break_nicely(width, balance=True)
        assert set(ends(lines)) <= oracle, (width, texts(p, lines))
        for a in soft_starts(p, lines):
            assert p.text[a] not in JA_NO_START | set("，。、！？；：）」』】〉》"), "BudouX boundaries within kinsoku"


def test_icu_phrase_option_does_nothing_for_chinese():
    """Why Chinese takes BudouX (if ICU learns phrases for Chinese, this tells)."""
    text = "想当模特的女性出现在了色情影片中"
    plain = _phrases(text, Locale("zh", "", None, {"lb": "strict"}))
    phrase = _phrases(text, Locale("zh", "", None, {"lb": "strict", "lw": "phrase"}))
    assert plain == phrase and len(plain) == len(text)
    assert len(phrase_boundaries(text, "zh-Hans")) < len(text)


# -------------------------------------------------------------- dashes, URLs
@pytest.mark.parametrize("lang,script", [("ru", "Cyrl"), ("uk", "Cyrl"), ("en", "Latn"), ("es", "Latn")])
def test_a_dash_never_starts_a_line(fonts, lang, script):
    rng = random.Random(lang)
    letters = CYRILLIC_C + CYRILLIC_V if script == "Cyrl" else "abcdefghijklmnopqrstuvwxyz"
    parts = []
    for _ in range(50):
        parts.append("".join(rng.choice(letters) for _ in range(rng.randint(1, 9))))
        if rng.random() < 0.25:
            parts.append(rng.choice(["—", "–", "―"]))
        elif rng.random() < 0.1:
            parts[-1] += "—" + "".join(rng.choice(letters) for _ in range(rng.randint(1, 9)))   # no spaces
    text = " ".join(parts)
    p = para(fonts, text, lang, script, "bold")
    # a word and the dash after it (with a space or not), which must share a line
    units = [(m.start(), m.end()) for m in re.finditer(r"\S+(?: [\u2010-\u2015])?", p.text)]
    widest = max(p.width(a, b) for a, b in units)
    for width in WIDTHS:
        for balance in (False, True):
            lines = p.break_nicely(width, balance)
            for a in soft_starts(p, lines):
                if unicodedata.category(p.text[a]) == "Pd":
                    # only where the word and its dash are wider than the whole line
                    unit = next((u, v) for u, v in units if u < a < v)
                    assert p.width(*unit) > width, f"width {width}: {texts(p, lines)}"
            if width >= widest:
                assert not [a for a in soft_starts(p, lines) if unicodedata.category(p.text[a]) == "Pd"]


URLS = ["www.gem.or.jp/en/wh/whindex00113.html", "https://example.org/a/long/path?q=1&r=2", "tokumei24.jp",
        "mail@example.com", "http://xn--80ak6aa92e.xn--p1ai/путь/дальше"]


@pytest.mark.parametrize("url", URLS)
def test_a_url_stays_whole_unless_it_is_wider_than_the_box(fonts, url):
    text = f"Подробнее на сайте {url} и по телефону 0120-924-839."
    p = para(fonts, text, "ru", "Cyrl")
    a = text.index(url)
    b = a + len(url)
    assert (a, b) in url_spans(p.text)
    whole = p.width(a, b)
    for width in WIDTHS:
        for balance in (False, True):
            lines = p.break_nicely(width, balance)
            inside = [e for e in ends(lines) if a < e < b]
            if whole <= width:
                assert not inside and not lines.unfit, (width, texts(p, lines))
            else:
                assert inside and lines.unfit, "break_nicely says the URL does not fit"
                # after a slash, never between the two of "//"
                slashes = [i + 1 for i, ch in enumerate(p.text) if ch == "/" and a < i + 1 < b and "/" not in (
                    p.text[i - 1], p.text[i + 1])]
                pieces = [p.width(x, y) for x, y in zip([a, *slashes], [*slashes, b])]
                if max(pieces) <= width and slashes:
                    assert set(inside) <= set(slashes), (width, texts(p, lines))


def test_url_spans_are_found_by_their_form():
    rng = random.Random(11)
    for _ in range(50):
        host = ".".join("".join(rng.choice("abcdefghijk0123-") for _ in range(rng.randint(2, 8))).strip("-") or "x"
                        for _ in range(rng.randint(1, 3)))
        host += "." + rng.choice(["jp", "com", "org", "info"])
        path = "/".join("".join(rng.choice("abcxyz09_") for _ in range(rng.randint(1, 6))) for _ in range(3))
        url = rng.choice(["", "https://", "www."]) + host + rng.choice(["", "/" + path])
        text = f"Visit {url}. Then call."
        assert (6, 6 + len(url)) in url_spans(text), (url, url_spans(text))
    for plain in ("e.g. this", "i.e. that", "3.14 and 2.0", "U.S.A. now", "end. Next"):
        assert url_spans(plain) == []


def test_auto_fit_sets_a_url_smaller_rather_than_breaking_it(project_copy, font_cache):
    """In Japanese, set in BIZ UDPGothic, the footer URL is wider than its box at 6.5 pt; where the design
    allows a size at which it fits, auto-fit uses it; where it does not, the URL
    breaks after a slash and the box keeps its size."""
    design = project_copy / "content" / "designs" / "a4-leaflet.yaml"
    text = design.read_text(encoding="utf-8")
    # a box 5 mm wider, where the URL fits a little below 6.5 pt (but not at it); type never goes below 6 pt
    text = text.replace("at: [2, 93, 10, 6]", "at: [2, 93, 11, 6]").replace("at: [12, 93, 28, 6]", "at: [13, 93, 27, 6]")
    assert "at: [2, 93, 11, 6]" in text and "at: [13, 93, 27, 6]" in text
    # the address in BIZ UDPGothic, whose Latin letters are wider (the shipped type scale sets it in Noto Sans)
    biz = "footer-url: {faces: {Jpan: [BIZ UDPGothic, Noto Sans]}"
    text = text.replace("\nregions:\n", "\nstyles:\n  " + biz + "}\nregions:\n")
    design.write_text(text, encoding="utf-8")

    def footer(ws):
        page, _ = ws.composer.compose("a4-leaflet", "ja")
        return {it.key: it for it in page.items if isinstance(it, TextBlock) and it.key.startswith(("fact:links.info",
                                                                                                      "info."))}

    small = footer(Workspace(project_copy, font_cache))
    assert small["fact:links.info.display"].lines == 1 and small["fact:links.info.display"].size < 6.5
    design.write_text(text.replace(biz + "}", biz + ", min_size: 6.5}"), encoding="utf-8")
    kept = footer(Workspace(project_copy, font_cache))
    assert kept["fact:links.info.display"].lines == 2 and kept["fact:links.info.display"].size == 6.5
    assert kept["info.title"].size == 8, "nothing else shrinks for a URL that cannot fit anyway"


# ------------------------------------------------------------ last lines
@pytest.mark.parametrize("lang,script", [("ja", "Jpan"), ("zh-Hans", "Hans"), ("zh-Hant", "Hant")])
@pytest.mark.parametrize("seed", range(4))
def test_no_east_asian_last_line_of_one_or_two_characters(fonts, workspace, lang, script, seed):
    rng = random.Random(seed)
    chars = sorted({c for key in workspace.project.languages[lang].strings
                    for c in workspace.project.string(lang, key)[0] if unicodedata.east_asian_width(c) == "W"
                    and unicodedata.category(c) == "Lo"})
    text = "".join(rng.choice(chars) for _ in range(rng.randint(20, 90))) + "。"
    p = para(fonts, text, lang, script, rng.choice(["regular", "bold"]))
    for width in WIDTHS:
        for balance in (False, True):
            lines = p.break_nicely(width, balance)
            if len(lines) > 1:
                a, b = lines[-1]
                if len(p.text[a:b].strip()) >= 3:
                    continue
                # display text keeps its phrases: a short last line only where even the one
                # phrase before it would not fit on the last line
                assert balance, (width, texts(p, lines))
                before = max(x for x in p.segmentation(True).breaks if x < a)
                assert p.width(before, b) > width, (width, texts(p, lines))


@pytest.mark.parametrize("seed", range(3))
def test_display_text_already_parted_inside_a_phrase_takes_no_short_last_line(fonts, workspace, seed):
    """Where the line before the last ends inside a phrase (one wider than the line), the phrase is parted
    anyway: the last line is filled from the body text's breaks rather than left one or two characters."""
    rng = random.Random(seed)
    strings = sorted(workspace.project.string("ja", key)[0] for key in workspace.project.languages["ja"].strings)
    sentences = [t for t in strings if 8 <= len(t) <= 60 and not any(c.isascii() for c in t)]
    cases = [para(fonts, "アダルトビデオへの出演を強要された", "ja", "Jpan", "bold")]
    cases += [para(fonts, "".join(rng.sample(sentences, 2)), "ja", "Jpan", "bold") for _ in range(4)]
    seen = 0
    for p in cases:
        phrases = set(p.segmentation(True).breaks)
        for width in [x / 4 for x in range(12, 64)]:
            lines = p.break_nicely(width, True)
            if len(lines) < 2 or lines[-2][1] in phrases:
                continue
            seen += 1
            a, b = lines[-1]
            assert len(p.text[a:b].strip()) >= 3, (width, texts(p, lines))
    assert seen, "no case parted a phrase before its last line"


@pytest.mark.parametrize("seed", range(6))
def test_a_heading_does_not_end_a_line_with_the_first_word_of_a_sentence(fonts, seed):
    rng = random.Random(seed)

    def words(n):
        return " ".join("".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(3, 8)))
                        for _ in range(n))

    first = words(rng.randint(5, 7)).capitalize() + "."
    second = "It " + words(rng.randint(2, 3)) + "."
    p = para(fonts, f"{first} {second}", "en", "Latn", "bold")
    it = p.text.index(" It ") + 1
    width = p.width(0, it + 2) + 0.05             # greedy filling leaves "It" at the end of the first line
    assert p.width(it, len(p.text)) <= width
    assert ends(p.break_lines(width, display=True)) == [it + 3]
    lines = p.break_nicely(width, balance=True)
    assert len(lines) == 2 and it + 3 not in ends(lines), texts(p, lines)
    assert not inspect(p.text, "en", lines, display=True)


@pytest.mark.parametrize("seed", range(8))
def test_balanced_lines_keep_the_greedy_count_and_are_no_wider(fonts, seed):
    rng = random.Random(seed)
    lang, script = rng.choice([("en", "Latn"), ("ru", "Cyrl"), ("ja", "Jpan"), ("ko", "Kore"), ("th", "Thai")])
    if lang == "ko":
        text = " ".join(_korean_words(rng, rng.randint(3, 14)))
    elif script in ("Latn", "Cyrl"):
        letters = CYRILLIC_C + CYRILLIC_V if script == "Cyrl" else "abcdefghijklmnopqrstuvwxyz"
        text = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(1, 9))) for _ in range(20))
    elif lang == "ja":
        text = "".join(rng.choice("人身取引は犯罪ですモデルアダルトビデオ、。") for _ in range(40))
    else:
        text = "การค้ามนุษย์เป็นอาชญากรรม ขณะนี้ก็กำลังเกิดขึ้นในประเทศญี่ปุ่น"
    p = para(fonts, text, lang, script, "bold")
    for width in WIDTHS:
        greedy = p.break_lines(width, display=True)
        balanced = p.break_nicely(width, balance=True)
        # a preference (a one-letter Russian word kept with the next) is dropped where it costs a line
        assert len(balanced) == min(len(greedy), len(p._twin().break_lines(width, display=True)))
        assert "".join(texts(p, balanced)) == p.text
        if all(e in p.segmentation(True).breaks for e in ends(greedy)):
            assert max(p.width(a, b) for a, b in balanced) <= width + 1e-9


# ---------------------------------------------------------------- inspector
@pytest.mark.parametrize("case", [
    ("dash-start", "ru", "Торговля людьми — это преступление", ["Торговля людьми ", "— это преступление"]),
    ("bad-start", "th", "ห้องเล็ก ๆ ถูกรถ", ["ห้องเล็ก ", "ๆ ถูกรถ"]),
    ("word-break", "ru", "Высокооплачиваемая работа", ["Высокооплачив", "аемая работа"]),
    ("korean-break", "ko", "매일 고함을 듣고 발길질을 당하는", ["매일 고함을 듣고 발길", "질을 당하는"]),
    ("url-break", "ja", "詳しくは www.gem.or.jp/en/wh/whindex00113.html へ",
     ["詳しくは www.gem.or.jp/en/wh/", "whindex00113.html へ"]),
    ("short-last", "zh-Hans", "请联系最近的警察署或地方出入国在留管理局。", ["请联系最近的警察署或地方出入国在留管理", "局。"]),
    ("phrase-break", "ja", "アダルトビデオへの出演を強要された", ["アダル", "トビデオへの出演を強要された"]),
    ("lone-word", "en", "Human dignity and rights. It is a serious crime.",
     ["Human dignity and rights. It ", "is a serious crime."]),
])
def test_the_inspector_names_each_fault(case):
    rule, lang, text, parts = case
    assert "".join(parts) == text
    lines, a = [], 0
    for part in parts:
        lines.append((a, a + len(part)))
        a += len(part)
    found = inspect(text, lang, lines, display=rule in ("phrase-break", "lone-word"))
    assert [f.rule for f in found] == [rule], found
    assert found[0].line in (parts[0].rstrip(), parts[1].rstrip()) and rule in RULES


def test_the_inspector_accepts_clean_lines_and_dictionary_hyphens():
    assert not inspect("Торговля людьми — это преступление", "ru", [(0, 18), (18, 34)])
    word = "Высокооплачиваемая"
    cut = next(i for i in segment(word + " работа", "ru").hyphens if i > 8)
    found = inspect(word + " работа", "ru", [(0, cut), (cut, len(word) + 7)])
    assert not found
    korean = "인신매매 피해자라면 가장 가까운 경찰서나"
    assert not inspect(korean, "ko", [(0, 11), (11, len(korean))])


def test_check_warns_about_typography_naming_language_key_and_line(project_copy, font_cache):
    from leaflets.cli import main

    rng = random.Random(5)
    # wider than the A4 leaflet's scenario title, short enough to fit every design's box in height
    word = "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(30))
    path = project_copy / "content" / "languages" / "ko.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(\n  scenario\.sns\.title:\n    text: )(.*)\n", text)
    assert m
    path.write_text(text[:m.start(2)] + word + text[m.end(2):], encoding="utf-8")
    line = text[:m.start(2)].count("\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--project", str(project_copy), "--cache", str(font_cache)], stdout=out, stderr=err)
    assert code == 0, out.getvalue() + err.getvalue()
    shown = out.getvalue() + err.getvalue()
    assert re.search(rf"ko\.yaml:{line}: warning: ko: 'scenario\.sns\.title' in a4-leaflet: a line breaks inside a "
                     rf"Korean word \(line 1: \u201c{word[:5]}", shown), shown


# ----------------------------------------------------------- hyphen in PDFs
def test_an_inserted_hyphen_is_drawn_but_never_extracted(project_copy, font_cache):
    from pdfminer.high_level import extract_text

    from leaflets.render import ONLINE, PRINT

    rng = random.Random(2)
    word = _word(rng, 16)
    title = f"{word.capitalize()} {_word(rng, 3)}"
    path = project_copy / "content" / "languages" / "ru.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(\n  scenario\.sns\.title:\n    text: )(.*)\n", text)
    path.write_text(text[:m.start(2)] + title + text[m.end(2):], encoding="utf-8")
    ws = Workspace(project_copy, font_cache)
    page, _ = ws.composer.compose("a4-leaflet", "ru")
    block = next(it for it in page.items if isinstance(it, TextBlock) and it.key == "scenario.sns.title")
    assert block.lines >= 2
    hyphens = [r.glyphs[-1] for r in block.runs if r.glyphs and r.glyphs[-1][3] == ""
               and r.glyphs[-1][0] in {r.face.hb_font.get_nominal_glyph(ord(h)) for h in "\u2010-"}]
    assert hyphens, "a hyphen glyph that stands for no text ends the cut line"
    for options in (ONLINE, PRINT):
        pdf = ws.renderer.render(page, options)
        got = {"pdfium": page_text(pdf), "pdfminer": extract_text(io.BytesIO(pdf))}
        if POPPLER:
            with tempfile.TemporaryDirectory() as tmp:
                f = Path(tmp) / "x.pdf"
                f.write_bytes(pdf)
                got["poppler"] = subprocess.run([POPPLER, "-enc", "UTF-8", str(f), "-"], capture_output=True,
                                                check=True).stdout.decode("utf-8")
        for name, extracted in got.items():
            flat = squash(extracted)
            assert squash(title) in flat, (name, extracted[:300])
            assert "\u2010" not in extracted and not re.search(r"\w-\s", extracted[:400]), name


# ---------------------------------------------------------------- caching
def test_segmentation_is_worked_out_once_per_paragraph_and_mode(fonts, workspace, monkeypatch):
    import leaflets.text.paragraph as module

    calls = []
    real = module.segment

    def counting(text, lang, display=False, *rest):
        calls.append((display, rest))
        return real(text, lang, display, *rest)

    monkeypatch.setattr(module, "segment", counting)
    p = para(fonts, workspace.project.string("ru", "scenario.debt.body")[0], "ru", "Cyrl")
    first = p.break_nicely(12.0)
    for width in WIDTHS:
        p.break_nicely(width)
        p.break_nicely(width, balance=True)
    # each mode once, for the paragraph and for its twin without the Russian one-letter preference
    assert sorted(calls) == [(False, ("", False, False)), (False, ("", False, True)),
                             (True, ("", False, False)), (True, ("", False, True))]
    first.append((0, 0))
    assert p.break_nicely(12.0) != first, "callers get their own list"


@pytest.mark.parametrize("lang", LANGS)
def test_the_agencies_names_stay_whole_wherever_that_costs_no_line(fonts, workspace, lang):
    """The footer's list of agencies (names joined by " / "): at every width, a line ends inside a name
    only when keeping the names whole would take more lines (then it breaks as any text does), or when a
    name alone is wider than the line; the number of lines, so the box's height, is never changed."""
    project = workspace.project
    language = project.languages[lang]
    names = [project.string(lang, f"agency.{a}")[0] for a in project.facts.agencies]
    joiner = " / "
    text = joiner.join(names)
    faces = fonts.faces(language.script, "regular")
    listed = Paragraph(text, lang, faces, fonts, language.rtl, joiner)
    plain = Paragraph(text, lang, faces, fonts, language.rtl)
    spans, pos = [], 0
    for name in names:
        spans.append((pos, pos + len(name)))
        pos += len(name) + len(joiner)
    for width in WIDTHS:
        lines = listed.break_nicely(width)
        assert len(lines) == len(plain.break_nicely(width)), width
        # a name and the joiner's mark after it (a line may not start with "/") fit the line
        inside = [b for _a, b in lines[:-1]
                  if any(s < b < e and listed.width(s, min(len(text), e + len(joiner.rstrip()))) <= width
                         for s, e in spans)]
        if len(listed._nicely(width, False, False)) <= len(lines):
            assert not inside, (width, texts(listed, lines))


@pytest.mark.parametrize("lang", ["my", "th", "km"])
def test_thai_khmer_and_myanmar_break_at_their_spaces_wherever_that_costs_no_line(fonts, workspace, lang):
    """Thai, Khmer and Burmese run their words together and part phrases with spaces: every string, at every
    width, takes as many lines as breaking anywhere ICU allows, and breaks at its spaces where that takes no
    more lines; body text breaks inside a phrase only where that phrase alone is wider than the line, display
    text (balanced) then breaks as breaking anywhere does (never at spaces and then inside one phrase)."""
    from leaflets.text.linebreak import phrased

    def inside_phrase(text: str, b: int) -> bool:
        return all(phrased(c) and unicodedata.category(c)[0] in "LNM" for c in (text[b - 1], text[b]))
    project = workspace.project
    script = project.languages[lang].script
    spaced = kept = 0
    for key in sorted(project.languages[lang].strings):
        text = project.string(lang, key)[0]
        if not any(map(phrased, text)):
            continue
        p = para(fonts, text, lang, script)
        anywhere = Paragraph(text, lang, fonts.faces(script, "regular"), fonts)
        anywhere.spaced = False
        for width in WIDTHS[::3]:
            for balance in (False, True):
                lines = p.break_nicely(width, balance)
                normal = anywhere.break_nicely(width, balance)
                assert len(lines) == len(normal), (key, width)
                inside = [b for _a, b in lines[:-1] if inside_phrase(text, b)]
                if inside and balance:
                    assert list(lines) == list(normal), (key, width, texts(p, lines), texts(p, normal))
                    continue
                if inside and len(p._nicely(width, False, False)) == len(lines):
                    spaces = [k for k, c in enumerate(text) if c == " " and
                              unicodedata.category(text[k + 1:k + 2] or "a") != "Lm"]
                    for b in inside:    # a space before a repetition mark (Thai ๆ) is inside the phrase
                        start = max((k + 1 for k in spaces if k < b), default=0)
                        end = min((k for k in spaces if k >= b), default=len(text))
                        assert p.width(start, end) > width, (key, width, texts(p, lines))
                if inside:
                    continue
                spaced += 1
                kept += any(inside_phrase(text, b) for _a, b in normal[:-1])
    assert spaced > 30 and kept > 5, (spaced, kept)


@pytest.mark.parametrize("lang", [lang for lang in LANGS if __import__("leaflets.text.linebreak", fromlist=["x"])
                                  .binds_one_letter(lang)])
def test_no_line_ends_with_a_one_letter_word_where_binding_costs_no_line(fonts, workspace, lang):
    """Russian and Ukrainian typesetters never end a line with в, к, с, у, о, и, а …: every string, at every
    width, keeps a one-letter word with the next unless that takes more lines (then it breaks as before)."""
    project = workspace.project
    script = project.languages[lang].script
    checked = bound = 0
    for key in sorted(project.languages[lang].strings):
        text = project.string(lang, key)[0]
        p = para(fonts, text, lang, script)
        free = Paragraph(text, lang, fonts.faces(script, "regular"), fonts)
        free.bind = False
        # a one-letter word and the word after it: wider than the line, they part as any word does
        pairs = [(m.start(1), m.end(2)) for m in re.finditer(r"(?<!\S)(\w) (?=(\S+))", text)]
        widest = max((p.width(a, b) for a, b in pairs), default=0.0)
        for width in WIDTHS[::2]:
            lines = p.break_nicely(width)
            assert len(lines) == len(free.break_nicely(width)), (key, width)
            if len(p._nicely(width, False, False)) > len(lines) or width < widest:
                continue
            checked += 1
            ends = [text[a:b].rstrip().rsplit(" ", 1)[-1] for a, b in lines[:-1]]
            assert not [e for e in ends if len(e) == 1 and e.isalpha()], (key, width, texts(p, lines))
            bound += any(len(e) == 1 and e.isalpha() for e in
                         (text[a:b].rstrip().rsplit(" ", 1)[-1] for a, b in free.break_nicely(width)[:-1]))
    assert checked > 100 and bound > 5, (checked, bound)
