"""Translators and designers see every problem, the same way everywhere: check
reports what build refuses, preview lists every problem with its file and line,
uncovered characters are placeholders (never empty boxes), overflows say how
much to cut, proof labels stay off the page, and drafts are marked."""

from __future__ import annotations

import random
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from helpers import decode_qr, page_text, raster
from test_cli import edit, line_of, run

from leaflets.build import EDITIONS, Job, Workspace
from leaflets.errors import Diagnostics
from leaflets.layout.frame import MM, Rect, TextBlock
from leaflets.layout.page import DRAFT_MARK_TEXT
from leaflets.model.load import load_language
from leaflets.render import ONLINE

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
DESIGN = "a4-leaflet"


def lang_file(project: Path, lang: str) -> Path:
    return project / "content" / "languages" / f"{lang}.yaml"


def drop_string(path: Path, key: str) -> None:
    text = path.read_text(encoding="utf-8")
    new = re.sub(rf"\n  {re.escape(key)}:( .*)?\n(    .*\n)*", "\n", text, count=1)
    assert new != text, key
    path.write_text(new, encoding="utf-8")


def set_text(path: Path, key: str, make) -> None:
    """Replace the text of ``key`` in a language file by ``make(old text)``."""
    text = path.read_text(encoding="utf-8")
    m = re.search(rf"(\n  {re.escape(key)}:\n    text: )(.*)\n", text)
    assert m, key
    path.write_text(text[:m.start(2)] + make(m.group(2)) + text[m.end(2):], encoding="utf-8")


def review(path: Path, extra: str = "\n    reviewer: A. Reviewer\n    date: 2025-03-14") -> None:
    edit(path, "    status: draft", "    status: reviewed" + extra)


def errors_of(text: str) -> set[str]:
    return {line for line in text.splitlines() if ": error: " in line}


def uncovered(workspace, script: str, n: int, seed: int) -> list[str]:
    """``n`` assigned, visible characters from blocks of scripts this project has no font for."""
    rng = random.Random(seed)
    ranges = [(0x13A0, 0x13F5), (0x16A0, 0x16EA), (0x1F600, 0x1F64F), (0x10900, 0x10915), (0x0F40, 0x0F6C),
              (0x1200, 0x1248), (0xA500, 0xA60B)]
    pool = [chr(c) for a, b in ranges for c in range(a, b)
            if unicodedata.category(chr(c))[0] in "LS" and workspace.fonts.missing(chr(c), script)]
    return rng.sample(pool, n)


def text_boxes(page, but=()):
    return [i for i in page.items if isinstance(i, TextBlock) and i.key not in but]


def overlaps(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


# ---------------------------------------------------------------------- the draft mark

@pytest.mark.parametrize("edition", ["print", "online"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_output_of_a_draft_says_so_in_extractable_text(built, workspace, lang, edition):
    text = page_text(built[(lang, edition)])
    if workspace.project.languages[lang].review_status in ("source", "reviewed"):
        assert DRAFT_MARK_TEXT not in text
    else:
        assert text.count(DRAFT_MARK_TEXT) == 1


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("lang", ["en", "ja", "th", "ar", "my"])
def test_the_mark_extracts_with_poppler_too(built, lang, tmp_path):
    import subprocess
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(built[(lang, "print")])
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert (DRAFT_MARK_TEXT in text) == (lang != "en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_mark_is_inside_the_trim_and_covers_no_text_picture_or_qr(workspace, lang):
    project = workspace.project
    design = project.designs[DESIGN]
    page, problems = workspace.composer.compose(DESIGN, lang)
    assert not [p for p in problems if p.kind == "draft-mark"]
    marks = [i for i in page.items if isinstance(i, TextBlock) and i.key == "draft-mark"]
    if lang == "en":
        assert not marks
        return
    (mark,) = marks
    # its label box: the rectangle painted right before it
    label = page.items[page.items.index(mark) - 1]
    assert isinstance(label, Rect)
    safe = design.safe * MM
    x, y, w, h = label.x, label.y, label.w, label.h
    assert safe - 0.01 <= x and x + w <= page.width - safe + 0.01
    assert safe - 0.01 <= y and y + h <= page.height - safe + 0.01
    for block in text_boxes(page, but=("draft-mark",)):
        assert not overlaps((x, y, w, h), block.box), block.key
    # nor a pictogram or the QR code (their regions)
    for region in design.regions:
        if region.qr or region.pictogram:
            box = workspace.composer._region_box(region, design, project.languages[lang].rtl)
            assert not overlaps((x, y, w, h), box), region.id


@pytest.mark.parametrize("lang", ["ja", "th", "ar", "my"])
def test_the_mark_is_visible_and_the_qr_still_decodes(workspace, lang):
    page, _ = workspace.composer.compose(DESIGN, lang)
    pdf = workspace.renderer.render(page, ONLINE)
    image = raster(pdf, 150)
    assert decode_qr(image) == [workspace.project.facts.links["report"].url]
    (mark,) = [i for i in page.items if isinstance(i, TextBlock) and i.key == "draft-mark"]
    k = 150 / 72
    x, y, w, h = mark.box
    crop = image.crop((int(x * k), int(y * k), int((x + w) * k), int((y + h) * k))).convert("L")
    assert crop.getextrema()[0] < 100, "the mark's letters are dark on its light label"


def test_no_draft_mark_leaves_it_out_on_purpose_and_the_build_names_the_drafts(project_copy, font_cache):
    out_dir = project_copy / "out"
    code, out, err = run("build", "--project", str(project_copy), "--lang", "en,th,vi", "--edition", "online",
                         "--out", str(out_dir), cache=font_cache)
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    assert last == "draft translations built: th, vi; they carry a 'Draft translation' mark."
    assert DRAFT_MARK_TEXT in page_text((out_dir / DESIGN / f"{DESIGN}.th.online.pdf").read_bytes())
    assert DRAFT_MARK_TEXT not in page_text((out_dir / DESIGN / f"{DESIGN}.en.online.pdf").read_bytes())
    code, out, err = run("build", "--project", str(project_copy), "--lang", "th", "--edition", "online",
                         "--out", str(out_dir), "--no-draft-mark", cache=font_cache)
    assert code == 0, err
    assert "--no-draft-mark" in out.strip().splitlines()[-1]
    assert DRAFT_MARK_TEXT not in page_text((out_dir / DESIGN / f"{DESIGN}.th.online.pdf").read_bytes())
    code, out, _ = run("build", "--project", str(project_copy), "--lang", "en", "--edition", "online",
                       "--out", str(out_dir), cache=font_cache)
    assert code == 0 and out.strip().splitlines()[-1].startswith("no draft translations built")


def test_preview_and_proof_carry_the_mark(project_copy, font_cache):
    from PIL import Image
    code, _out, _ = run("preview", "th", "--project", str(project_copy), "--dpi", "40", cache=font_cache)
    assert code == 0
    folder = project_copy / "output" / "preview"
    assert DRAFT_MARK_TEXT in page_text((folder / f"{DESIGN}.th.pdf").read_bytes())
    code, _out, _ = run("preview", "th", "--no-draft-mark", "--project", str(project_copy), "--dpi", "40",
                        cache=font_cache)
    assert code == 0
    assert DRAFT_MARK_TEXT not in page_text((folder / f"{DESIGN}.th.pdf").read_bytes())
    code, _out, _ = run("preview", "en", "--project", str(project_copy), "--dpi", "40", cache=font_cache)
    assert DRAFT_MARK_TEXT not in page_text((folder / f"{DESIGN}.en.pdf").read_bytes())
    code, _out, err = run("proof", "--project", str(project_copy), "--lang", "en,th", "--dpi", "72",
                          cache=font_cache)
    assert code == 0, err
    assert Image.open(project_copy / "output" / "proof" / f"{DESIGN}.proof.png").size[0] > 0


def test_a_design_says_where_the_mark_goes(project_copy, font_cache):
    design = project_copy / "content" / "designs" / f"{DESIGN}.yaml"
    base = re.sub(r"(?m)^draft_mark:.*\n", "", design.read_text(encoding="utf-8"))    # the design's own
    design.write_text(base + "\ndraft_mark:\n  position: top-start\n  size: 6\n", encoding="utf-8")
    ws = Workspace(project_copy, font_cache)
    page, problems = ws.composer.compose(DESIGN, "th")
    assert not [p for p in problems if p.kind == "draft-mark"]
    (mark,) = [i for i in page.items if isinstance(i, TextBlock) and i.key == "draft-mark"]
    assert mark.size == 6 and mark.box[0] < page.width / 2 and mark.box[1] < page.height / 4
    # start is on the right for a right-to-left language
    page, _ = ws.composer.compose(DESIGN, "ar")
    (mark,) = [i for i in page.items if isinstance(i, TextBlock) and i.key == "draft-mark"]
    assert mark.box[0] > page.width / 2
    for bad, message in [("  position: middle\n", "draft_mark.position 'middle' is not one of"),
                         ("  size: 40\n", "draft_mark.size must be at most 12"),
                         ("  color: purple\n", "unknown colour 'purple'"),
                         ("  where: top\n", "unknown key 'where' in draft_mark")]:
        design.write_text(base + "\ndraft_mark:\n" + bad, encoding="utf-8")
        code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
        assert code == 1
        assert re.search(rf"a4-leaflet\.yaml:\d+: error: .*{re.escape(message)}", out), out


# ------------------------------------------------------------------ check agrees with build

def _reviewed_missing(p):
    review(lang_file(p, "th"))
    drop_string(lang_file(p, "th"), "statement")


def _reviewed_agency(p):
    review(lang_file(p, "th"))
    drop_string(lang_file(p, "th"), "agency.npa")


def _overflow(p):
    set_text(lang_file(p, "vi"), "scenario.sns.body", lambda t: " ".join([t] * 8))


def _uncovered(p):
    set_text(lang_file(p, "ja"), "headline", lambda t: t + "\U0001F600\u13A0")


def _mark_nowhere(p):
    # a mark as wide as the page fits nowhere
    design = p / "content" / "designs" / f"{DESIGN}.yaml"
    base = re.sub(r"(?m)^draft_mark:.*\n", "", design.read_text(encoding="utf-8"))    # the design's own
    design.write_text(base + "\ndraft_mark:\n  size: 12\n", encoding="utf-8")
    set_text(lang_file(p, "th"), "info.title", lambda t: " ".join([t] * 5))


HOSTILE = {"reviewed language, missing string": _reviewed_missing,
           "reviewed language, missing agency": _reviewed_agency,
           "overflow": _overflow, "uncovered characters": _uncovered, "draft mark without a place": _mark_nowhere}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_check_reports_every_error_that_stops_a_build(case, project_copy, font_cache):
    HOSTILE[case](project_copy)
    code_b, _out, err = run("build", "--project", str(project_copy), "--out", str(project_copy / "out"),
                            cache=font_cache)
    code_c, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code_b == 1 and code_c == 1
    assert not (project_copy / "out").exists()
    build_errors = errors_of(err)
    assert build_errors
    assert build_errors <= errors_of(out), build_errors - errors_of(out)
    for line in build_errors:
        assert re.match(r"content/\S+\.yaml(:\d+)?: error: ", line), line


def test_strict_means_the_same_for_check_and_build(project_copy, font_cache):
    edit(lang_file(project_copy, "en"), "  subheadline: It is also happening in Japan, now!",
         "  subheadline: It happens in Japan too, now!")
    drop_string(lang_file(project_copy, "th"), "statement")
    code_b, _o, err = run("build", "--strict", "--project", str(project_copy), "--lang", "th",
                          "--out", str(project_copy / "out"), cache=font_cache)
    code_c, out, _ = run("check", "--strict", "--project", str(project_copy), cache=font_cache)
    assert code_b == 1 and code_c == 1
    assert errors_of(err) <= errors_of(out)
    assert any("'subheadline' is stale" in e for e in errors_of(err))
    assert any("'statement' is not translated" in e for e in errors_of(err))


def test_one_function_judges_for_build_check_and_preview(project_copy, font_cache):
    _reviewed_missing(project_copy)
    ws = Workspace(project_copy, font_cache)
    job = Job(DESIGN, "th", EDITIONS)
    _page, problems, diagnostics = ws.examine(job)
    assert [d for d in diagnostics if d.severity == "error" and "refused" in d.message]
    plan = ws.plan([job])
    assert plan.diagnostics.items == Diagnostics(list(dict.fromkeys(diagnostics))).items


# --------------------------------------------------------------- a reviewed language says who and when

REVIEW_CASES = {
    "no reviewer": ("\n    date: 2025-03-14", "needs language.review.reviewer"),
    "no date": ("\n    reviewer: A. Reviewer", "needs language.review.date"),
    "empty reviewer": ("\n    reviewer: \"\"\n    date: 2025-03-14", "needs language.review.reviewer"),
    "date in words": ("\n    reviewer: A. Reviewer\n    date: last spring", "is not a real date"),
    "impossible date as text": ("\n    reviewer: A. Reviewer\n    date: \"2025-02-30\"", "is not a real date"),
    "impossible date": ("\n    reviewer: A. Reviewer\n    date: 2025-02-30", "is not a valid date"),
    "number": ("\n    reviewer: A. Reviewer\n    date: 20250314", "must be a date written YYYY-MM-DD"),
    "date and time": ("\n    reviewer: A. Reviewer\n    date: 2025-03-14 10:00:00", "must be a date written"),
    "reviewer a list": ("\n    reviewer: [A, B]\n    date: 2025-03-14", "reviewer must be text"),
}


@pytest.mark.parametrize("case", sorted(REVIEW_CASES))
def test_a_reviewed_language_names_its_reviewer_and_a_real_date(case, project_copy, font_cache):
    extra, message = REVIEW_CASES[case]
    th = lang_file(project_copy, "th")
    review(th, extra)
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 1
    m = re.search(rf"content/languages/th\.yaml:(\d+): error: .*{re.escape(message)}", out)
    assert m, out
    assert 9 <= int(m.group(1)) <= line_of(th, "status: reviewed") + 3
    assert "Traceback" not in out


@pytest.mark.parametrize("date", ["2025-03-14", "\"2024-02-29\"", "2000-01-01"])
def test_a_complete_review_loads(date, tmp_path):
    text = (ROOT / "content" / "languages" / "th.yaml").read_text(encoding="utf-8").replace(
        "    status: draft", f"    status: reviewed\n    reviewer: Somchai P.\n    date: {date}")
    diags = Diagnostics()
    language = load_language(tmp_path / "th.yaml", diags, text)
    assert not diags.errors, [d.format() for d in diags.errors]
    assert language.review_status == "reviewed"


# ------------------------------------------------------------------- preview lists every problem

def test_preview_lists_every_problem_with_file_and_line(project_copy, font_cache):
    th = lang_file(project_copy, "th")
    en = lang_file(project_copy, "en")
    edit(en, "  subheadline: It is also happening in Japan, now!", "  subheadline: It happens in Japan too, now!")
    drop_string(th, "statement")
    drop_string(th, "agency.npa")
    set_text(th, "scenario.sns.body", lambda t: " ".join([t] * 8))
    set_text(th, "headline", lambda t: t + "\U0001F600")
    code, out, _ = run("preview", "th", "--project", str(project_copy), "--dpi", "40", cache=font_cache)
    assert code == 1
    listed = [line for line in out.splitlines() if ": error: " in line or ": warning: " in line]
    expect = {"'statement' is not translated": None, "'agency.npa' is not translated": None,
              "'subheadline' is stale": line_of(th, "  subheadline:"),
              "the text of box 'text-sns'": line_of(th, "  scenario.sns.body:"),
              "'headline' has characters no font covers": line_of(th, "  headline:")}
    for needle, line in expect.items():
        found = [x for x in listed if needle in x]
        assert found, (needle, out)
        m = re.match(r"content/languages/th\.yaml:(\d+): ", found[0])
        assert m, found[0]
        if line is not None:
            assert int(m.group(1)) == line, found[0]
    # the agency name is English on the page, and the missing key's line points where it belongs
    assert "National Police Agency" in page_text((project_copy / "output" / "preview" / f"{DESIGN}.th.pdf")
                                                 .read_bytes())
    assert re.search(r"th\.yaml:\d+: warning: th: 'agency\.npa' is not translated.*\n"
                     r"    hint: add strings\.agency\.npa to th\.yaml, (above|after) 'agency\.", out)
    # check lists the same problems
    code, checked, _ = run("check", "--project", str(project_copy), cache=font_cache)
    for line in listed:
        assert line in checked.splitlines(), line


# ------------------------------------------------------------- uncovered characters are placeholders

def _glyphs(page):
    for item in page.items:
        if isinstance(item, TextBlock):
            for run_ in item.runs:
                yield from ((run_, g) for g in run_.glyphs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_character_is_ever_set_as_an_empty_box(project_copy, font_cache, workspace, seed):
    chars = uncovered(workspace, "Thai", 4, seed)
    set_text(lang_file(project_copy, "th"), "headline", lambda t: chars[0] + t[:4] + "".join(chars[1:3]) + t[4:])
    set_text(lang_file(project_copy, "th"), "help.body", lambda t: t + " " + chars[3])
    ws = Workspace(project_copy, font_cache)
    page, problems = ws.composer.compose(DESIGN, "th")
    assert all(g[0] != 0 for _run, g in _glyphs(page)), "a .notdef glyph (an empty box) is on the page"
    missing = [p for p in problems if p.kind == "missing-glyph"]
    assert {p.key for p in missing} == {"headline", "help.body"}
    assert sum(len(p.spots) for p in missing) == 4
    for p in missing:
        assert p.diagnostic.severity == "error" and p.diagnostic.line
        for c in chars:
            if c in p.diagnostic.message:
                assert f"U+{ord(c):04X}" in p.diagnostic.message
    # the placeholder stands where the character was, in the page's own text
    headline = next(b for b in text_boxes(page) if b.key == "headline")
    assert "\ufffd" in headline.text and not any(c in headline.text for c in chars)


def test_a_script_without_any_font_is_set_as_placeholders_and_named(project_copy, font_cache):
    run("new-language", "chr", "--name", "Cherokee", "--script", "Cher", "--project", str(project_copy))
    path = lang_file(project_copy, "chr")
    edit(path, '  headline:\n    text: ""', '  headline:\n    text: "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ!"')
    ws = Workspace(project_copy, font_cache)
    page, problems = ws.composer.compose(DESIGN, "chr")
    assert all(g[0] != 0 for _run, g in _glyphs(page))
    (p,) = [p for p in problems if p.kind == "missing-glyph"]
    assert "no font covers the script Cher" in p.diagnostic.message
    assert p.diagnostic.file.name == "chr.yaml" and p.diagnostic.line == line_of(path, "  headline:")
    assert len(p.spots) == len("ᏣᎳᎩᎦᏬᏂᎯᏍᏗ")


def test_the_proof_marks_each_placeholder(project_copy, font_cache, workspace):
    from PIL import Image
    chars = uncovered(workspace, "Thai", 2, 7)
    set_text(lang_file(project_copy, "th"), "statement", lambda t: t[:6] + "".join(chars) + t[6:])
    code, out, _ = run("preview", "th", "--project", str(project_copy), "--dpi", "72", cache=font_cache)
    assert code == 1 and "'statement' has characters no font covers" in out
    ws = Workspace(project_copy, font_cache)
    _page, problems = ws.composer.compose(DESIGN, "th")
    (p,) = [p for p in problems if p.kind == "missing-glyph"]
    proof = Image.open(project_copy / "output" / "preview" / f"{DESIGN}.th.proof.png").convert("RGB")
    assert len(p.spots) == 2
    k = 72 / 72
    for x, y, w, h in ((v * k for v in spot) for spot in p.spots):
        # a magenta frame around the placeholder
        ring = [proof.getpixel((int(x) + i, int(y) - 1)) for i in range(int(w))]
        assert any(r > 150 and g_ < 80 and b > 150 for r, g_, b in ring), ring


# ------------------------------------------------------------------ overflows say how much to cut

def test_an_overflow_says_how_many_characters_to_cut_and_that_is_about_right(project_copy, font_cache):
    th = lang_file(project_copy, "th")
    set_text(th, "scenario.sns.body", lambda t: " ".join([t] * 8))
    ws = Workspace(project_copy, font_cache)
    _page, problems = ws.composer.compose(DESIGN, "th")
    (p,) = [p for p in problems if p.kind == "overflow"]
    m = re.search(r"(\d+\.\d) mm too tall.*cut about (\d+) characters from 'scenario\.sns\.body' \(it has (\d+)",
                  p.diagnostic.message)
    assert m, p.diagnostic.message
    cut, has = int(m.group(2)), int(m.group(3))
    assert p.cut == cut and 0 < cut < has
    assert p.diagnostic.line == line_of(th, "  scenario.sns.body:")
    text = ws.project.languages["th"].strings["scenario.sns.body"].text
    # cutting what it says leaves at most a little to cut
    set_text(th, "scenario.sns.body", lambda t: text[:len(text) - cut])
    _page, problems = Workspace(project_copy, font_cache).composer.compose(DESIGN, "th")
    left = [q.cut for q in problems if q.kind == "overflow"]
    assert not left or left[0] <= max(5, cut // 10), left
    # and cutting half of it is not enough
    set_text(th, "scenario.sns.body", lambda t: text[:len(text) - cut // 2])
    _page, problems = Workspace(project_copy, font_cache).composer.compose(DESIGN, "th")
    assert [q for q in problems if q.kind == "overflow"]


def test_capacity_hints_and_overflows_use_one_estimate():
    from leaflets import translations
    from leaflets.layout import capacity
    assert translations.capacity_hints is capacity.capacity_hints
    assert capacity.chars_that_fit(30, 100, 10, 12, 0.5) == 2 * 20
    assert capacity.chars_that_fit(5, 100, 10, 12, 0.5) == 20
    assert capacity.chars_that_fit(5, 100, 10, 12, 0.5, min_lines=0) == 0


# ------------------------------------------------------------------ proof labels stay off the page

def test_proof_labels_never_cover_the_page(project_copy, font_cache):
    from PIL import Image, ImageChops, ImageDraw
    th = lang_file(project_copy, "th")
    set_text(th, "scenario.sns.body", lambda t: " ".join([t] * 8))
    drop_string(th, "statement")
    drop_string(th, "agency.cas")
    set_text(th, "help.title", lambda t: t + "\u13A0")
    dpi = 60
    code, _out, _ = run("preview", "th", "--project", str(project_copy), "--dpi", str(dpi), cache=font_cache)
    assert code == 1
    folder = project_copy / "output" / "preview"
    png = Image.open(folder / f"{DESIGN}.th.png").convert("RGB")
    proof = Image.open(folder / f"{DESIGN}.th.proof.png").convert("RGB")
    assert proof.width > png.width, "a legend beside the page"
    ws = Workspace(project_copy, font_cache)
    _page, problems = ws.composer.compose(DESIGN, "th")
    # where marks may be drawn on the page: along the outline of each box, around each placeholder
    k, band = dpi / 72, max(2, int(dpi / 40)) + 2
    allowed = Image.new("L", png.size, 0)
    draw = ImageDraw.Draw(allowed)
    for p in problems:
        boxes = ([p.box] if p.box != (0, 0, 0, 0) else []) + list(p.spots)
        for x, y, w, h in boxes:
            draw.rectangle([x * k - band, y * k - band, (x + w) * k + band, (y + h) * k + band], outline=255,
                           width=2 * band + 1)
    changed = ImageChops.difference(png, proof.crop((0, 0, png.width, png.height))).convert("L").point(
        lambda v: 255 if v > 0 else 0)
    outside = ImageChops.subtract(changed, allowed)
    assert outside.getbbox() is None, f"the proof draws on the page away from the outlines: {outside.getbbox()}"
    # every problem has its entry in the legend: the legend is not blank
    legend = proof.crop((png.width, 0, proof.width, proof.height)).convert("L")
    assert legend.getextrema()[0] < 100


def test_a_reviewed_language_carries_no_draft_mark(project_copy, font_cache):
    review(lang_file(project_copy, "th"))
    ws = Workspace(project_copy, font_cache)
    page, problems = ws.composer.compose(DESIGN, "th")
    assert not problems
    assert not [i for i in page.items if isinstance(i, TextBlock) and i.key == "draft-mark"]
    assert DRAFT_MARK_TEXT not in page_text(ws.renderer.render(page, ONLINE))
    code, out, err = run("build", "--project", str(project_copy), "--lang", "th,en", "--edition", "online",
                         cache=font_cache)
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith("no draft translations built")
