"""Auto-fit and the problems layout reports."""

from __future__ import annotations

import dataclasses

from leaflets.layout.page import Composer
from leaflets.model.schema import Text


def _with_string(project, lang, key, text):
    language = project.languages[lang]
    strings = dict(language.strings)
    old = strings[key]
    strings[key] = Text(key, text, old.source, old.note, old.line)
    new = dataclasses.replace(language, strings=strings)
    p = dataclasses.replace(project, languages={**project.languages, lang: new})
    return p


def _block(page, key):
    from leaflets.layout.frame import TextBlock
    return next(i for i in page.items if isinstance(i, TextBlock) and i.key == key)


def test_a_long_translation_is_shrunk_to_fit(workspace):
    project = workspace.project
    base, _ = Composer(project, workspace.fonts).compose("a4-leaflet", "th")
    longer = " ".join([project.string("th", "scenario.sns.body")[0]] * 3)
    page, problems = Composer(_with_string(project, "th", "scenario.sns.body", longer),
                              workspace.fonts).compose("a4-leaflet", "th")
    assert not [p for p in problems if p.kind == "overflow"]
    assert _block(page, "scenario.sns.body").size < _block(base, "scenario.sns.body").size
    assert _block(page, "scenario.sns.body").size >= 6


def test_past_the_floor_it_is_an_overflow_naming_language_key_and_box(workspace):
    project = workspace.project
    huge = project.string("th", "scenario.sns.body")[0] * 8
    _page, problems = Composer(_with_string(project, "th", "scenario.sns.body", huge),
                               workspace.fonts).compose("a4-leaflet", "th")
    (over,) = [p for p in problems if p.kind == "overflow"]
    msg = over.diagnostic.message
    assert "th" in msg and "scenario.sns.body" in msg and "text-sns" in msg and "mm" in msg
    assert over.diagnostic.file.name == "th.yaml" and over.diagnostic.line


def test_a_character_no_font_covers_is_named(workspace):
    project = workspace.project
    _page, problems = Composer(_with_string(project, "th", "headline", "การค้ามนุษย์ ☃"),
                               workspace.fonts).compose("a4-leaflet", "th")
    (miss,) = [p for p in problems if p.kind == "missing-glyph"]
    msg = miss.diagnostic.message
    assert "U+2603" in msg and "headline" in msg and miss.diagnostic.file.name == "th.yaml"


def test_a_missing_string_falls_back_to_english_with_a_warning(workspace):
    project = workspace.project
    language = project.languages["th"]
    strings = {k: v for k, v in language.strings.items() if k != "statement"}
    p = dataclasses.replace(project, languages={**project.languages,
                                                "th": dataclasses.replace(language, strings=strings)})
    page, problems = Composer(p, workspace.fonts).compose("a4-leaflet", "th")
    (fb,) = [x for x in problems if x.kind == "fallback"]
    assert fb.key == "statement" and fb.diagnostic.severity == "warning"
    assert _block(page, "statement").text == project.string("en", "statement")[0]
    assert _block(page, "statement").lang == "en"


def test_rtl_design_is_mirrored(workspace):
    page, _ = workspace.composer.compose("a4-leaflet", "ar")
    ltr, _ = workspace.composer.compose("a4-leaflet", "en")
    from leaflets.layout.frame import Path
    # the QR code sits on the left for Arabic, on the right otherwise
    qr_ar = max((i for i in page.items if isinstance(i, Path)), key=lambda p: len(p.commands))
    qr_en = max((i for i in ltr.items if isinstance(i, Path)), key=lambda p: len(p.commands))
    assert qr_ar.commands[0][1] < page.width / 2 < qr_en.commands[0][1]


def test_japanese_and_chinese_body_text_fills_its_measure(workspace):
    """Every line of a Japanese or Chinese body paragraph but its last reaches the box's far edge, the room
    shared between characters, each gap taking at most JUSTIFY_MAX_EM; a line short by more stays solid, as
    do headings (balanced) and the last line."""
    from leaflets.layout.frame import TextBlock
    from leaflets.layout.page import JUSTIFIED_SCRIPTS, JUSTIFY_MAX_EM
    project = workspace.project
    langs = [t for t, lang in project.languages.items() if lang.script in JUSTIFIED_SCRIPTS]
    assert {"ja", "zh-Hans", "zh-Hant"} <= set(langs)
    checked = justified = 0
    for lang in langs:
        for design in ("a4-leaflet", "hotline-card"):
            page, _problems = Composer(project, workspace.fonts).compose(design, lang)
            for sheet in page.pages:
                for block in (i for i in sheet.items if isinstance(i, TextBlock) and i.key.endswith(".body")):
                    lines: dict[float, list] = {}
                    for run in block.runs:
                        lines.setdefault(run.y, []).append(run)
                    ys = sorted(lines)
                    right = block.box[0] + block.box[2]
                    for y in ys[:-1]:
                        runs = sorted(lines[y], key=lambda r: r.x)
                        glyphs = [(r.x + x, a) for r in runs for (_g, x, _y, _t), a in zip(r.glyphs, r.advances)]
                        edge = glyphs[-1][0] + glyphs[-1][1]
                        gaps = [b[0] - (a[0] + a[1]) for a, b in zip(glyphs, glyphs[1:])]
                        assert max(gaps) <= JUSTIFY_MAX_EM * block.size + 0.01, (lang, block.key, max(gaps))
                        if abs(edge - right) < 0.05:
                            justified += 1
                        else:       # too short to fill: solid
                            assert max(gaps) < 0.01, (lang, design, block.key, y, edge, right)
                        checked += 1
                    last = sorted(lines[ys[-1]], key=lambda r: r.x)
                    pen = [(r.x + x, a) for r in last for (_g, x, _y, _t), a in zip(r.glyphs, r.advances)]
                    assert all(abs(b[0] - (a[0] + a[1])) < 0.01 for a, b in zip(pen, pen[1:])), (lang, block.key)
    assert checked >= 20 and justified >= checked * 0.6, (checked, justified)


def test_japanese_display_text_closes_up_its_punctuation(workspace):
    """Japanese headlines, titles and captions (balanced styles) are set with proportional widths (OpenType
    palt): a full-width 、 or ！ there takes about half an em, as in the font's own palt, not a whole one;
    body text keeps its font's default widths."""
    from leaflets.layout.frame import TextBlock
    from leaflets.layout.page import PROPORTIONAL_SCRIPTS
    from leaflets.text.shape import shape
    project = workspace.project
    assert project.languages["ja"].script in PROPORTIONAL_SCRIPTS
    page, _problems = Composer(project, workspace.fonts).compose("a4-leaflet", "ja")
    blocks = {b.key: b for b in page.items if isinstance(b, TextBlock)}
    closed = 0
    for key in ("subheadline", "greeting"):
        block = blocks.get(key)
        if block is None:
            continue
        for run in block.runs:
            for (gid, _x, _y, text), advance in zip(run.glyphs, run.advances):
                if text in ("、", "！"):
                    full = shape(text, 0, 1, run.face, "ja")[0].advance / run.face.upem * run.size
                    palt = shape(text, 0, 1, run.face, "ja", features=("palt",))[0].advance / run.face.upem * run.size
                    assert palt < full * 0.75, (key, text, palt, full)
                    assert abs(advance - palt) < 0.01, (key, text, advance, palt, full)
                    closed += 1
    assert closed >= 2, [b.key for b in blocks.values()]
