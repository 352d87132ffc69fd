"""The colour of the page: every language's display type as heavy as the others', measured on the
PNG edition; the Japanese sentence for the person shown the leaflet as heavy as the sentence above
it, under its label, starting where Japanese starts.

The ink of a text is measured on the PNG inside the box the layout gives its block (the frames):
a pixel is inked when its luminance is more than half-way from the box's ground (the fill painted
under it, from the frames) to the text's colour, so anti-aliasing counts as it looks. Three
measures, all on the same pixels:

* ink area: inked pixels (the hotline: the same digits in every language, so the same ink);
* coverage: the share of the block's box that is inked (the hotline box's colour);
* stroke: the mean stroke thickness, 2 x area / outline length (inked pixels with a non-inked
  neighbour), as a share of the type size: the weight of a face, whatever its text. The headline
  and HELP are compared by stroke (their texts differ between languages, so their areas do).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

from leaflets.build import Job, Workspace
from leaflets.layout.frame import MM, Rect, TextBlock

TOLERANCE = 0.15
HOTLINE = "fact:hotline.display"
LABEL = "text:日本語@ja"
# the designs whose hotline is measured (the A4 leaflet, a poster, the card's front)
DESIGNS = ("a4-leaflet", "a3-poster", "hotline-card")


def _dpi(design: str, workspace: Workspace) -> float:
    """A resolution at which the hotline is about 130 px tall, whatever the format."""
    size = workspace.project.designs[design].styles["hotline"].size
    return max(60.0, min(400.0, 72 * 130 / size))


def _png(workspace: Workspace, design: str, lang: str, tmp: Path, page: int = 0):
    """The laid-out page (its frames) and the PNG edition of it, as build writes it."""
    job = Job(design, lang, ("png",))
    laid, problems = workspace.composer.compose(design, lang)
    assert not [p for p in problems if p.diagnostic.severity == "error"], [p.diagnostic.message for p in problems]
    dpi = _dpi(design, workspace)
    outs = workspace.render(job, laid, tmp, dpi)
    sheets = (laid,) + tuple(laid.following)
    return sheets[page], Image.open(io.BytesIO(outs[page].data)).convert("RGB"), dpi


def _lum(rgb) -> float:
    """Luminance 0..255 as PIL's L mode computes it."""
    r, g, b = (v * 255 for v in rgb)
    return 0.299 * r + 0.587 * g + 0.114 * b


def _ground(sheet, block: TextBlock) -> tuple:
    """The fill of the last shape painted before ``block`` under its centre (paper when none)."""
    items = list(sheet.items)
    x, y, w, h = block.box
    cx, cy = x + w / 2, y + h / 2
    for it in reversed(items[:items.index(block)]):
        if isinstance(it, Rect) and it.fill is not None and it.x <= cx <= it.x + it.w and it.y <= cy <= it.y + it.h:
            return tuple(it.fill.rgb)
    return (1.0, 1.0, 1.0)


def ink(sheet, image, dpi: float, block: TextBlock) -> dict:
    k = dpi / 72
    x, y, w, h = block.box
    crop = image.crop((round(x * k), round(y * k), round((x + w) * k), round((y + h) * k))).convert("L")
    ground, text = _lum(_ground(sheet, block)), _lum(block.runs[0].color.rgb)
    assert abs(ground - text) > 60, f"{block.key}: its colour is too close to its ground to measure"
    half = abs(ground - text) / 2
    mask = crop.point(lambda v: 255 if abs(v - ground) > half else 0)
    area = mask.histogram()[255]
    inner = mask.filter(ImageFilter.MinFilter(3)).histogram()[255]
    outline = max(1, area - inner)
    return {"area": area, "coverage": area / (crop.width * crop.height),
            "stroke": 2 * area / outline / k / block.size}


def _block(sheet, key: str) -> TextBlock:
    found = [b for b in sheet.items if isinstance(b, TextBlock) and b.key == key]
    assert len(found) == 1, f"{key}: {len(found)} blocks"
    return found[0]


def _within(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * b


@pytest.fixture(scope="module")
def measured(workspace, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("colour")
    out = {}
    for design in DESIGNS:
        for lang in ("en", "ja"):
            sheet, image, dpi = _png(workspace, design, lang, tmp)
            keys = [HOTLINE, "headline", "help.title"]
            out[design, lang] = {key: ink(sheet, image, dpi, _block(sheet, key)) for key in keys
                                 if any(isinstance(b, TextBlock) and b.key == key for b in sheet.items)}
    return out


@pytest.mark.parametrize("design", DESIGNS)
def test_the_japanese_hotline_has_the_ink_of_the_english_one(measured, design):
    en, ja = measured[design, "en"][HOTLINE], measured[design, "ja"][HOTLINE]
    for measure in ("area", "coverage", "stroke"):
        assert _within(ja[measure], en[measure]), (design, measure, ja[measure], en[measure])


@pytest.mark.parametrize("design,key", [("a4-leaflet", "headline"), ("a4-leaflet", "help.title"),
                                        ("a3-poster", "headline"), ("a3-poster", "help.title"),
                                        ("hotline-card", "headline")])
def test_japanese_display_type_is_as_heavy_as_english(measured, design, key):
    en, ja = measured[design, "en"][key], measured[design, "ja"][key]
    assert _within(ja["stroke"], en["stroke"]), (design, key, ja["stroke"], en["stroke"])


def _variant(project_copy: Path, font_cache, old: str, new: str) -> Workspace:
    path = project_copy / "content" / "designs" / "shared" / "type.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return Workspace(project_copy, font_cache)


def test_the_measures_tell_a_lighter_face(project_copy, font_cache, measured, tmp_path):
    """The measures fail where they should: a Japanese hotline set in Noto Sans Regular (chosen by the
    ``weight`` of its faces) is outside the tolerance in every measure; one set in BIZ UDPGothic Bold
    (the Japanese stack's first face) is lighter in coverage and stroke, and a headline set in it is
    outside the tolerance in stroke."""
    hotline = "faces: {Jpan: [Noto Sans, BIZ UDPGothic]"
    en = measured["a4-leaflet", "en"]
    ws = _variant(project_copy, font_cache, hotline, "faces: {Jpan: {families: [Noto Sans], weight: regular}")
    sheet, image, dpi = _png(ws, "a4-leaflet", "ja", tmp_path)
    block = _block(sheet, HOTLINE)
    assert {r.face.weight for r in block.runs} == {"regular"}
    light = ink(sheet, image, dpi, block)
    for measure in ("area", "coverage", "stroke"):
        assert not _within(light[measure], en[HOTLINE][measure]), (measure, light, en[HOTLINE])
    ws = _variant(project_copy, font_cache, "faces: {Jpan: {families: [Noto Sans], weight: regular}",
                  "faces: {Jpan: [BIZ UDPGothic]")
    sheet, image, dpi = _png(ws, "a4-leaflet", "ja", tmp_path)
    light = ink(sheet, image, dpi, _block(sheet, HOTLINE))
    assert light["coverage"] < en[HOTLINE]["coverage"] * 0.9 and light["stroke"] < en[HOTLINE]["stroke"] * 0.95
    ws = _variant(project_copy, font_cache, "faces: {Jpan: [Noto Sans CJK JP, Noto Sans]}",
                  "faces: {Jpan: [BIZ UDPGothic]}")
    sheet, image, dpi = _png(ws, "a4-leaflet", "ja", tmp_path)
    light = ink(sheet, image, dpi, _block(sheet, "headline"))
    assert not _within(light["stroke"], en["headline"]["stroke"]), (light, en["headline"])


def test_the_display_styles_choose_their_japanese_face(workspace):
    """Through the design, not a global stack: the type scale's own choice reaches the frames."""
    page, _ = workspace.composer.compose("a4-leaflet", "ja")
    faces = {key: {r.face.entry.family for r in _block(page, key).runs} for key in ("headline", HOTLINE, "help.title")}
    assert faces["headline"] == {"Noto Sans CJK JP"}
    assert faces[HOTLINE] == {"Noto Sans"} and faces["help.title"] == {"Noto Sans CJK JP"}
    # body text keeps the Japanese stack's first face
    assert {r.face.entry.family for r in _block(page, "scenario.sns.body").runs} == {"BIZ UDPGothic"}


# ----------------------------------------------------------- the sentence shown to a helper, in Japanese

# (design, page, the sentence's key)
SHOWN = [("a4-leaflet", 0, "shown_to"), ("a5-flyer", 0, "shown_to"), ("hotline-card", 1, "card.shown_to")]


def _region_of(design, key: str):
    return next(r for r in design.regions if any(i.label == key for i in r.text))


def _inner(design, region, rtl: bool) -> tuple[float, float, float, float]:
    """The region's box inside its padding, in points, mirrored as a right-to-left page mirrors it."""
    x, y, w, h = (v * MM for v in region.box(design))
    pt, pr, pb, pl = (v * MM for v in region.padding)
    if rtl and region.mirror:
        x = design.width * MM - x - w
        pl, pr = pr, pl
    return (x + pl, y + pt, w - pl - pr, h - pt - pb)


def _line_starts(block: TextBlock) -> dict[float, tuple[float, float]]:
    """Each line's (left, right) in points, by baseline."""
    rows: dict[float, list[float]] = {}
    for run in block.runs:
        row = rows.setdefault(round(run.y, 3), [run.x, run.x + run.width])
        row[0], row[1] = min(row[0], run.x), max(row[1], run.x + run.width)
    return {y: (a, b) for y, (a, b) in sorted(rows.items())}


@pytest.mark.parametrize("design_id,page_index,key", SHOWN)
@pytest.mark.parametrize("lang", ["ar", "th", "en"])
def test_the_japanese_sentence_is_labelled_and_starts_at_the_left(workspace, design_id, page_index, key, lang):
    design = workspace.project.designs[design_id]
    first, problems = workspace.composer.compose(design_id, lang)
    sheet = ((first,) + tuple(first.following))[page_index]
    own, ja, label = _block(sheet, key), _block(sheet, f"{key}@ja"), _block(sheet, LABEL)
    rtl = workspace.project.languages[lang].rtl
    x, _y, w, _h = _inner(design, _region_of(design, key), rtl)
    # the label: its own paragraph, in Japanese, above the Japanese sentence
    assert label.text == "日本語" and label.lang == "ja" and not label.rtl
    assert label.box[1] + label.box[3] <= ja.box[1] + 0.01 and own.box[1] + own.box[3] <= label.box[1] + 0.01
    assert label.size < ja.size
    # Japanese starts at the left of the box, on a right-to-left page too; the page's own sentence
    # starts at its own side
    for block in (label, ja):
        for left, _right in _line_starts(block).values():
            assert abs(left - x) < 0.01, (block.key, left, x)
    for left, right in _line_starts(own).values():
        assert abs((x + w - right) if rtl else (left - x)) < 0.01, (own.key, left, right, x, w)
    # as heavy as the sentence above it: the same weight, the same size
    assert {r.face.weight for r in own.runs} == {r.face.weight for r in ja.runs} == {"bold"}
    assert ja.size == own.size
    assert design.styles["shown-ja"].weight == design.styles["shown"].weight


def test_no_label_on_the_japanese_leaflet(workspace):
    for design_id, page_index, key in SHOWN:
        first, _ = workspace.composer.compose(design_id, "ja")
        sheet = ((first,) + tuple(first.following))[page_index]
        keys = [b.key for b in sheet.items if isinstance(b, TextBlock)]
        assert LABEL not in keys and f"{key}@ja" not in keys and key in keys


def test_the_label_is_text_every_extractor_finds(workspace, tmp_path):
    """In the Arabic A4 leaflet's PDF the label is a line of its own, in pdfium's and poppler's text;
    the HTML edition has it as its own element marked lang="ja"."""
    from lxml import html as lxml_html

    from helpers import page_text
    page, _ = workspace.composer.compose("a4-leaflet", "ar")
    outs = workspace.render(Job("a4-leaflet", "ar", ("online",)), page, tmp_path)
    pdf = outs[0].data
    lines = [line.strip() for line in page_text(pdf).splitlines()]
    assert "日本語" in lines
    sentence = re.sub(r"\s+", "", workspace.project.string("ja", "shown_to")[0])
    if shutil.which("pdftotext"):
        path = tmp_path / "ar.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                              text=True).stdout
        # poppler embeds each line of a right-to-left page in bidi controls, and moves a line's final
        # full stop to its start
        text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)
        assert "日本語" in [line.strip() for line in text.splitlines()]
        assert sentence.rstrip("。") in re.sub(r"\s+", "", text)
    doc = lxml_html.fromstring(workspace.html(Job("a4-leaflet", "ar", ("html",)), page))
    labels = [e for e in doc.iter() if (e.text or "").strip() == "日本語"]
    assert len(labels) == 1 and labels[0].get("lang") == "ja"
    assert any(e.get("lang") == "ja" and re.sub(r"\s+", "", e.text_content()) == sentence for e in doc.iter())


# ----------------------------------------------------------------- choosing faces, checked

def _errors(project_copy: Path, path: str, old: str, new: str) -> list:
    from leaflets.model.load import load_project
    file = project_copy / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    _project, diags = load_project(project_copy)
    return [(d, line) for d in diags.errors]


TYPE = "content/designs/shared/type.yaml"
FACES = "faces: {Jpan: [Noto Sans CJK JP, Noto Sans]}}\n  subheadline"


@pytest.mark.parametrize("new,words,hint", [
    ("faces: {Jpan: [noto sans cjk jp, Noto Sans]}}\n  subheadline", "no font of the family 'noto sans cjk jp'",
     "did you mean 'Noto Sans CJK JP'?"),
    ("faces: {Jpan: [Noto Sans CJK J, Noto Sans]}}\n  subheadline", "no font of the family 'Noto Sans CJK J'",
     "did you mean 'Noto Sans CJK JP'?"),
    ("faces: {Jpn: [Noto Sans CJK JP, Noto Sans]}}\n  subheadline", "the script 'Jpn', which has no stack",
     "did you mean 'Jpan'?"),
    ("faces: {Jpan: {families: [Noto Sans CJK JP], weight: black}}}\n  subheadline",
     "weight must be regular or bold, not 'black'", None),
    ("faces: {Jpan: {famlies: [Noto Sans CJK JP]}}}\n  subheadline", "unknown key 'famlies'",
     "did you mean 'families'?"),
    ("faces: {Jpan: []}}\n  subheadline", "must be a font family or a list of families", None),
    ("faces: {Jpan: [Noto Sans, Noto Sans]}}\n  subheadline", "lists the family 'Noto Sans' twice", None),
    ("faces: [Noto Sans]}\n  subheadline", "faces must be a mapping", None),
])
def test_a_wrong_face_is_an_error_at_its_line(project_copy, new, words, hint):
    found = _errors(project_copy, TYPE, FACES, new)
    match = [(d, line) for d, line in found if words in d.message]
    assert match, [d.format() for d, _ in found]
    d, line = match[0]
    assert d.file.name == "type.yaml" and d.line == line and "style 'headline'" in d.message
    if hint:
        assert hint in (d.hint or "")


def test_a_family_without_the_weight_is_an_error(project_copy):
    manifest = project_copy / "fonts"
    manifest.unlink()                      # the copy links fonts/: give it a manifest of its own
    manifest.mkdir()
    for p in (ROOT_FONTS).iterdir():
        (manifest / p.name).symlink_to(p, target_is_directory=p.is_dir())
    (manifest / "manifest.yaml").unlink()
    text = (ROOT_FONTS / "manifest.yaml").read_text(encoding="utf-8")
    # Noto Sans CJK JP in regular only
    start = text.index("  - family: Noto Sans CJK JP\n    weight: bold")
    end = text.index("  - family:", start + 10)
    (manifest / "manifest.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    found = _errors(project_copy, TYPE, FACES, FACES)
    assert any("the family 'Noto Sans CJK JP' has no bold face" in d.message and "(it has regular)" in d.message
               for d, _ in found), [d.format() for d, _ in found]


ROOT_FONTS = Path(__file__).resolve().parent.parent / "fonts"
A4 = "content/designs/a4-leaflet.yaml"
LABEL_LINE = "{text: 日本語, lang: ja, unless_lang: ja,"


@pytest.mark.parametrize("new,words", [
    ("{text: 日本語, unless_lang: ja,", "needs the language it is written in"),
    ("{text: 日本語 0120-924-830, lang: ja, unless_lang: ja,", "text: '0120-924-830' looks like the campaign's hotline number"),
    ("{text: \"日本語\\u202e\", lang: ja, unless_lang: ja,", "text: the bidi control U+202E"),
    ("{text: www.example.com, lang: ja, unless_lang: ja,", "text: the address 'www.example.com' is not one"),
    ("{text: 日本語, key: shown_to, lang: ja, unless_lang: ja,", "exactly one of key, fact, agencies or text"),
    ("{text: [日本語], lang: ja, unless_lang: ja,", "must be text"),
])
def test_a_designs_own_text_is_checked(project_copy, new, words):
    found = _errors(project_copy, A4, LABEL_LINE, new)
    match = [(d, line) for d, line in found if words in d.message]
    assert match, [d.format() for d, _ in found]
    d, line = match[0]
    assert d.file.name == "a4-leaflet.yaml" and d.line == line
