"""The text engine: itemisation, shaping, line breaking, bidi, auto-fit."""

from __future__ import annotations

import pytest

from leaflets.text.linebreak import JA_NO_START, grapheme_breaks, line_breaks
from leaflets.text.paragraph import Paragraph


@pytest.fixture(scope="module")
def fonts(workspace):
    return workspace.fonts


def para(fonts, text, lang, script, weight="regular", rtl=False):
    return Paragraph(text, lang, fonts.faces(script, weight), fonts, rtl)


def test_icu_offsets_are_python_indices_beyond_the_bmp():
    text = "a😀 b ก้ำ"
    # "a" may break before the emoji; "😀 " is two code points but one UTF-16 pair more
    assert [b for b, _ in line_breaks(text, "en")] == [1, 3, 5, len(text)]
    assert grapheme_breaks("a😀ก้ำ")[-1] == len("a😀ก้ำ")


def test_thai_lines_break_only_at_icu_boundaries(fonts, workspace):
    text = workspace.project.string("th", "scenario.debt.body")[0]
    p = para(fonts, text, "th", "Thai")
    allowed = {b for b, _ in line_breaks(p.text, "th")}
    for width in (6, 9, 14, 20):
        lines = p.break_lines(width)
        assert len(lines) > 1
        for start, end in lines[:-1]:
            assert end in allowed, f"a Thai line ends inside a word: {p.text[start:end]!r}"
        assert "".join(p.text[a:b] for a, b in lines) == p.text


def test_thai_digits_and_latin_take_the_fallback_font(fonts):
    p = para(fonts, "โทร 0120-924-839 ฟรี", "th", "Thai")
    families = [(p.text[s:e], face.family) for s, e, face, _lv, _g in p.runs]
    assert ("0120-924-839 ", "Noto Sans") in families or any(
        t.strip() == "0120-924-839" and f == "Noto Sans" for t, f in families)
    assert all(g.gid != 0 for *_x, glyphs in p.runs for g in glyphs), "no .notdef (tofu) glyph"


@pytest.mark.parametrize("key", ["call_to_report", "scenario.debt.body", "shown_to", "help.body", "statement"])
def test_no_japanese_line_starts_with_a_forbidden_character(fonts, workspace, key):
    p = para(fonts, workspace.project.string("ja", key)[0], "ja", "Jpan")
    for width in (4, 5.5, 7, 9, 12, 15):
        for start, end in p.break_lines(width)[1:]:
            assert p.text[start] not in JA_NO_START, f"line starts with {p.text[start]!r} at width {width}"


def test_grapheme_fallback_for_a_segment_wider_than_the_box(fonts):
    p = para(fonts, "Supercalifragilisticexpialidocious", "en", "Latn")
    lines = p.break_lines(4)
    assert len(lines) > 2
    assert all(p.width(a, b) <= 4 + 1e-6 for a, b in lines)
    assert "".join(p.text[a:b] for a, b in lines) == p.text


def test_headlines_do_not_leave_one_character_alone(fonts):
    p = para(fonts, "人身取引は犯罪です！", "ja", "Jpan", "bold")
    width = p.width(0, len(p.text)) - 0.5   # one character too narrow
    lines = p.break_nicely(width, balance=True)
    assert len(lines) == 2
    assert all(len(p.text[a:b].strip()) > 1 for a, b in lines)


def test_balanced_lines_are_even(fonts):
    p = para(fonts, "Human trafficking is a crime! It is also happening in Japan, now!", "en", "Latn", "bold")
    greedy = p.break_lines(20)
    balanced = p.break_balanced(20)
    assert len(balanced) == len(greedy)
    widths = [p.width(a, b) for a, b in balanced]
    assert max(widths) - min(widths) <= max(p.width(a, b) for a, b in greedy) - min(p.width(a, b) for a, b in greedy)


def test_language_reaches_harfbuzz(fonts):
    """Han unification: the same character takes another form in a Chinese face."""
    text = "直"
    sc = para(fonts, text, "zh-Hans", "Hans")
    jp = para(fonts, text, "ja", "Jpan")
    assert sc.runs[0][2].family == "Noto Sans CJK SC"
    assert jp.runs[0][2].family == "BIZ UDPGothic"


def test_arabic_is_laid_out_right_to_left_with_digits_in_order(fonts):
    text = "اتصل على 0120-924-839 الآن"
    p = para(fonts, text, "ar", "Arab", rtl=True)
    (line,) = p.compose(p.break_lines(100))
    # visual order, left to right: the last word first, the number in the middle reading left to right
    texts = [run.text for run in line.runs]
    number = next(t for t in texts if "0120" in t)
    assert number.strip() == "0120-924-839"
    assert texts.index(number) not in (0, len(texts) - 1)
    assert "الآن" in texts[0]
    digits_run = next(r for r in line.runs if "0120" in r.text)
    assert not digits_run.rtl


def test_shaping_is_size_independent_so_autofit_is_cheap(fonts, workspace):
    p = para(fonts, workspace.project.string("en", "statement")[0], "en", "Latn")
    assert len(p.break_lines(10)) > len(p.break_lines(40))


def test_cff_fonts_are_subset_converted_renamed_and_cached(workspace, tmp_path):
    import io
    from fontTools.ttLib import TTFont
    from leaflets.text.fonts import FontLibrary

    fonts = FontLibrary(workspace.fonts.fonts_dir, tmp_path)
    face = fonts.face("Noto Sans CJK SC")
    assert face.entry.outlines == "cff"
    a = fonts.embeddable(face, frozenset(map(ord, "人口贩卖是犯罪")))
    b = fonts.embeddable(face, frozenset(map(ord, "人口贩卖")))
    assert a is not face and a.derived
    assert a.name != b.name and a.name.startswith("NotoSansCJKsc-Regular-")
    # layout shapes with the CFF face itself: nothing is converted until the subset is embedded
    assert not list(tmp_path.glob("*.ttf"))
    b.data
    font = TTFont(io.BytesIO(a.data))
    assert "glyf" in font and "CFF " not in font
    assert font["name"].getDebugName(6) == a.name
    assert all(ord(c) in a.unicodes for c in "人口贩卖是犯罪")
    cached = sorted(tmp_path.glob("*.ttf"))
    assert len(cached) == 2
    # a fresh library finds the conversion on disk
    before = [p.stat().st_mtime_ns for p in cached]
    again = FontLibrary(workspace.fonts.fonts_dir, tmp_path).embeddable(face, frozenset(map(ord, "人口贩卖是犯罪")))
    assert again.data == a.data
    assert [p.stat().st_mtime_ns for p in cached] == before


def test_cff_subset_shapes_as_its_conversion_with_glyph_ids_mapped(workspace, tmp_path):
    """Text shaped with a CFF face's subset (the full face) gives the glyphs, advances and positions
    that shaping the converted subset gives, once the glyph ids are mapped."""
    import hashlib
    from leaflets.text.fonts import FontLibrary
    from leaflets.text.shape import shape

    fonts = FontLibrary(workspace.fonts.fonts_dir, tmp_path)
    text = "日本語のテキスト、「人身取引」は犯罪です。（電話）0120-123-456 ABCfi ﬁ 한국어 人口贩卖"
    for family, lang in (("Noto Sans CJK JP", "ja"), ("Noto Sans CJK SC", "zh"), ("Noto Sans CJK JP", "ko")):
        face = fonts.face(family, "bold")
        sub = fonts.embeddable(face, frozenset(map(ord, text)))
        shaped = shape(text, 0, len(text), sub, lang)
        assert [g.gid for g in shaped] == [g.gid for g in shape(text, 0, len(text), face, lang)]
        embedded = sub.embedded
        assert embedded.unicodes == sub.unicodes and embedded.upem == sub.upem
        assert (embedded.ascender, embedded.descender) == (sub.ascender, sub.descender)
        mapped = [(sub.gid_map[g.gid], g.cluster, g.advance, g.x_offset, g.y_offset) for g in shaped]
        assert mapped == [tuple(g) for g in shape(text, 0, len(text), embedded, lang)]
        assert any(g.gid != sub.gid_map[g.gid] for g in shaped)      # the subset does renumber
    # a cached subset whose glyph list is lost or damaged is made again, the same
    ttf = sorted(tmp_path.glob("*.ttf"))[0]
    gids = ttf.with_suffix(".gids")
    good, digest = gids.read_bytes(), hashlib.sha256(ttf.read_bytes()).hexdigest()
    for damage in (None, good[:-4], good[:-1]):
        if damage is None:
            gids.unlink()
        else:
            gids.write_bytes(damage)
        fresh = FontLibrary(workspace.fonts.fonts_dir, tmp_path)
        for family in ("Noto Sans CJK JP", "Noto Sans CJK SC"):
            fresh.embeddable(fresh.face(family, "bold"), frozenset(map(ord, text))).data
        assert gids.read_bytes() == good
        assert hashlib.sha256(ttf.read_bytes()).hexdigest() == digest


CLOSURE_TEXT = ("日本語のテキスト、「人身取引」は犯罪です。（電話）0120-123-456 ABCfi ﬁ 한국어 人口贩卖 "
                "ー〜…‥「」『』（）ｱｲｳ①②")


@pytest.mark.parametrize("family", ["Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK KR"])
def test_a_cff_subset_holds_every_glyph_the_full_layout_closure_reaches(workspace, family):
    """HarfBuzz's subset of a CFF face keeps every layout feature of every script and language system:
    its glyphs are those fontTools' subsetter keeps with every feature (locl, vert, aalt, width forms),
    so no glyph that shaping with the full face can give is left out."""
    import io
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from leaflets.text import cff

    face = workspace.fonts.face(family, "bold")
    text = CLOSURE_TEXT + "".join(workspace.project.languages[lang].strings["help.body"].text
                                  for lang in ("ja", "zh-Hans", "ko"))
    chars = frozenset(c for c in map(ord, text) if c in face.unicodes)
    _otf, gids = cff.cff_subset(face.hb_face, chars)
    font = TTFont(io.BytesIO(face.data), fontNumber=face.index, lazy=True)
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars))
    subsetter._closure_glyphs(font)
    retained = {font.getGlyphID(n) for n in subsetter.glyphs_retained}
    assert set(gids) == retained
    assert list(gids) == sorted(gids) and gids[0] == 0


def test_converting_a_subset_reuses_glyphs_and_writes_what_fonttools_recalculates(workspace):
    """A subset converted with glyphs another subset converted before is the same file as one converted
    from nothing; the bounds and maxima read from the glyphs' headers are those fontTools recalculates."""
    import io
    from fontTools.ttLib import TTFont
    from leaflets.text import cff

    face = workspace.fonts.face("Noto Sans CJK JP", "bold")
    chars = frozenset(c for c in map(ord, CLOSURE_TEXT) if c in face.unicodes)
    converted: dict[int, bytes] = {}
    cff.subset_to_truetype(face.hb_face, frozenset(list(chars)[::2]), "Other", converted)
    before = len(converted)
    warm, gids = cff.subset_to_truetype(face.hb_face, chars, "Name", converted)
    assert 0 < before < len(converted) <= before + len(gids)
    fresh, fresh_gids = cff.subset_to_truetype(face.hb_face, chars, "Name")
    assert (warm, gids) == (fresh, fresh_gids)
    font = TTFont(io.BytesIO(warm))
    font["glyf"].ensureDecompiled()
    for name in font.getGlyphOrder():
        font["glyf"][name]                  # every glyph expanded: its bounds are recalculated
    out = io.BytesIO()
    font.save(out)
    again = TTFont(io.BytesIO(out.getvalue()))
    mine = TTFont(io.BytesIO(warm))
    for tag in ("maxp", "hhea", "vhea", "glyf", "loca"):
        assert again.reader[tag] == mine.reader[tag], tag
    for attr in ("xMin", "yMin", "xMax", "yMax", "flags"):
        assert getattr(again["head"], attr) == getattr(mine["head"], attr), attr


def test_a_glyph_the_converted_subset_lacks_is_an_error_not_an_empty_box(workspace, font_cache, monkeypatch):
    """Text shaped with a CFF face is painted with the converted subset's glyph ids: a glyph missing from
    it would print as .notdef.  The render stops with an error naming the font instead."""
    from leaflets.build import Workspace
    from leaflets.errors import ContentError
    from leaflets.render import PRINT
    from leaflets.text import fonts as fontmod

    ws = Workspace(workspace.root, font_cache)
    page = ws.composer.compose("a4-leaflet", "zh-Hans")[0]
    made = fontmod.SubsetFace.embedded.fget

    def lacking(self):
        face = made(self)
        gone = self.base.hb_font.get_nominal_glyph(ord("人"))          # a character every zh leaflet shows
        self.gid_map = {g: n for g, n in self.gid_map.items() if g != gone}
        return face
    monkeypatch.setattr(fontmod.SubsetFace, "embedded", property(lacking))
    with pytest.raises(ContentError) as caught:
        ws.renderer.render(page, PRINT)
    message = str(caught.value.diagnostics[0].message)
    assert "lacks glyph" in message and "empty box" in message


def test_chinese_pdf_embeds_the_converted_subset(built):
    import io
    import pikepdf
    with pikepdf.open(io.BytesIO(built[("zh-Hans", "print")])) as pdf:
        names = {str(o.BaseFont) for o in pdf.objects
                 if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"}
    assert any("NotoSansCJKsc-Bold-" in n for n in names) and any("NotoSansCJKsc-Regular-" in n for n in names)
