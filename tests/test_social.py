"""Social images: the screen formats (a size in px) built as PNG and WebP.

Every social design in the sample languages (the story, the largest, in every
language) at exactly its size in px, each file within 300 KB, the QR code
decoded with zxing-cpp (at full size and at the size a phone shows the
image), the hotline and the address set and legible at phone size, the draft
mark clear of them, byte-identical rebuilds, and the errors: an overflow, a
style below the screen floor, editions a design cannot have."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from helpers import decode_qr, page_text, squash
from leaflets.build import Workspace
from leaflets.cli import main
from leaflets.errors import UsageError
from leaflets.layout.frame import Path as PathItem, TextBlock
from leaflets.model.formats import CAP_HEIGHT, PHONE_WIDTH_PX, QR_MODULE_SHOWN_PX, SCREEN_CAP_PX, SCREEN
from leaflets.render import ONLINE
from leaflets.render.social import MAX_BYTES

ROOT = Path(__file__).resolve().parent.parent
LANGS = sorted(p.stem for p in (ROOT / "content" / "languages").glob("*.yaml"))
SAMPLE = ["en", "ja", "th", "ar", "my"]
# the designs and their sizes, as the formats are asked for
SIZES = {"social-square": (1080, 1080), "social-link": (1200, 630), "social-story": (1080, 1920)}
EVERY_LANGUAGE = "social-story"     # the largest image: its size limit is checked in every language


def run(*argv, cache=None):
    out, err = io.StringIO(), io.StringIO()
    args = list(argv) + (["--cache", str(cache)] if cache is not None else [])
    code = main(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def cases():
    return [(d, lang) for d in SIZES for lang in (LANGS if d == EVERY_LANGUAGE else SAMPLE)]


@pytest.fixture(scope="module")
def built(workspace, tmp_path_factory):
    """(design, lang) -> {".png": bytes, ".webp": bytes}, and the laid-out pages."""
    jobs = [j for d in SIZES for j in workspace.jobs([d], LANGS if d == EVERY_LANGUAGE else SAMPLE, ["social"])]
    plan = workspace.plan(jobs)
    assert not plan.diagnostics.errors, [d.format() for d in plan.diagnostics.errors]
    files: dict = {}
    for out in workspace.outputs(plan, tmp_path_factory.mktemp("social")):
        assert out.edition == "social"
        files.setdefault((out.job.design, out.job.lang), {})[out.path.suffix] = (out.path.name, out.data)
    pages = {(job.design, job.lang): page for job, page in plan.pages}
    return files, pages


def test_the_social_designs_are_screen_formats_built_in_the_social_edition_only(workspace):
    project = workspace.project
    screens = {d.id: d for d in project.designs.values() if d.pixels}
    assert set(screens) == set(SIZES)
    for name, d in screens.items():
        assert d.pixels == SIZES[name] == SCREEN[d.paper]
        assert d.editions == ("social",)
        # laid out at 72 dpi: 1 pt = 1 px
        assert abs(d.width * 72 / 25.4 - d.pixels[0]) < 1e-6 and abs(d.height * 72 / 25.4 - d.pixels[1]) < 1e-6
    for d in project.designs.values():
        if not d.pixels:
            assert "social" not in d.editions and "print" in d.editions
    # a plain build makes them; the paper editions never do
    every = workspace.jobs(None, ["en"], None)
    assert {(j.design, j.editions) for j in every if j.design in SIZES} == {(d, ("social",)) for d in SIZES}
    assert all(j.design not in SIZES for j in workspace.jobs(None, ["en"], ["print", "online", "png", "html"]))
    assert {j.design for j in workspace.jobs(None, ["en"], ["social"])} == set(SIZES)
    with pytest.raises(UsageError, match="social-square is built in the edition"):
        workspace.jobs(["social-square"], ["en"], ["print"])


def test_every_image_has_the_exact_size_and_stays_within_300_kb(built):
    files, _pages = built
    assert set(files) == set(cases())
    for (design, lang), got in files.items():
        assert set(got) == {".png", ".webp"}, (design, lang)
        assert got[".png"][0] == f"{design}.{lang}.png" and got[".webp"][0] == f"{design}.{lang}.webp"
        for ext, fmt in ((".png", "PNG"), (".webp", "WEBP")):
            data = got[ext][1]
            assert len(data) <= MAX_BYTES == 300 * 1024, (design, lang, ext, len(data))
            image = Image.open(io.BytesIO(data))
            assert image.format == fmt and image.size == SIZES[design], (design, lang, ext, image.size)
            image.load()


def test_png_and_webp_show_the_same_picture(built):
    files, _pages = built
    for (design, lang) in [("social-square", "th"), ("social-link", "ar"), ("social-story", "ja")]:
        png = Image.open(io.BytesIO(files[(design, lang)][".png"][1])).convert("RGB")
        webp = Image.open(io.BytesIO(files[(design, lang)][".webp"][1])).convert("RGB")
        # lossless WebP of the painted page; the PNG may be a palette of it: colours within a few levels
        diff = ImageStat.Stat(ImageChops.difference(png, webp))
        assert png.size == webp.size and max(diff.mean) < 2.0, (design, lang, diff.mean)


def _qr_regions(design):
    return [r for r in design.regions if r.qr]


def test_the_qr_code_decodes_to_the_report_address_at_full_and_at_phone_size(built, workspace):
    files, _pages = built
    url = workspace.project.facts.links["report"].url
    for (design, lang), got in files.items():
        if lang not in SAMPLE:
            continue
        d = workspace.project.designs[design]
        for ext in (".png", ".webp"):
            image = Image.open(io.BytesIO(got[ext][1])).convert("RGB")
            phone = image.resize((PHONE_WIDTH_PX, round(image.height * PHONE_WIDTH_PX / image.width)),
                                 Image.Resampling.BILINEAR)
            if _qr_regions(d):
                assert decode_qr(image) == [url], (design, lang, ext)
                assert decode_qr(phone) == [url], (design, lang, ext, "at phone size")
            else:
                assert decode_qr(image) == [], (design, lang, ext)


def test_qr_modules_are_whole_pixels_and_large_enough_at_phone_size(built, workspace):
    _files, pages = built
    carries = set()
    for (design, lang), page in pages.items():
        d = workspace.project.designs[design]
        paths = [it for it in page.items if isinstance(it, PathItem) and it.commands
                 and all(c[0] == "R" for c in it.commands)]
        assert len(paths) == len(_qr_regions(d)), (design, lang)
        for p in paths:
            carries.add(design)
            module = min(min(c[3], c[4]) for c in p.commands)
            assert abs(module - round(module)) < 1e-6, (design, lang, module)      # crisp edges in the PNG
            assert module * PHONE_WIDTH_PX / d.pixels[0] >= QR_MODULE_SHOWN_PX - 1e-9, (design, lang, module)
            for c in p.commands:
                assert abs(c[1] - round(c[1])) < 1e-6 and abs(c[2] - round(c[2])) < 1e-6, (design, lang, c)
    # the square and the story carry one; the link preview does not (its modules would not fit: see its file)
    assert carries == {"social-square", "social-story"}


def test_hotline_and_address_are_set_from_the_campaign_facts_and_legible_at_phone_size(built, workspace):
    _files, pages = built
    facts = workspace.project.facts
    hotline, address = facts.hotline_display, facts.links["report"].display
    for (design, lang), page in pages.items():
        d = workspace.project.designs[design]
        width = d.pixels[0]
        blocks = [it for it in page.items if isinstance(it, TextBlock)]
        by_key = {b.key: b for b in blocks}
        assert by_key["fact:hotline.display"].text == hotline, (design, lang)
        assert by_key["fact:links.report.display"].text == address, (design, lang)
        for b in blocks:
            cap_shown = b.size * CAP_HEIGHT * PHONE_WIDTH_PX / width
            want = SCREEN_CAP_PX["hotline"] if b.key.startswith(("fact:hotline", "fact:links.report")) \
                else SCREEN_CAP_PX["body"]
            assert cap_shown >= want - 1e-6, (design, lang, b.key, b.size, cap_shown)
        if lang in SAMPLE:
            # and in the painted image, as text that extracts: from the PDF the PNG is rasterised from
            text = squash(page_text(workspace.renderer.render(page, ONLINE)))
            assert squash(hotline) in text and squash(address) in text, (design, lang)


def test_the_draft_mark_is_on_draft_languages_and_covers_no_text_or_qr_code(built, workspace):
    _files, pages = built

    def overlaps(a, b):
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]

    for (design, lang), page in pages.items():
        d = workspace.project.designs[design]
        marks = [it for it in page.items if isinstance(it, TextBlock) and it.key == "draft-mark"]
        draft = workspace.project.languages[lang].review_status not in ("source", "reviewed")
        assert len(marks) == (1 if draft else 0), (design, lang)
        if not marks:
            continue
        mark = marks[0].box
        assert marks[0].size * CAP_HEIGHT * PHONE_WIDTH_PX / d.pixels[0] >= SCREEN_CAP_PX["body"] - 1e-6
        # inside the safe area
        safe = d.safe * 72 / 25.4
        assert mark[0] >= safe - 1 and mark[1] >= safe - 1 and mark[0] + mark[2] <= page.width - safe + 1 \
            and mark[1] + mark[3] <= page.height - safe + 1, (design, lang, mark)
        for it in page.items:
            if isinstance(it, TextBlock) and it.key not in ("draft-mark", "slug"):
                assert not overlaps(mark, it.box), (design, lang, it.key)
            if isinstance(it, PathItem) and it.commands and all(c[0] == "R" for c in it.commands):
                x0 = min(c[1] for c in it.commands)
                y0 = min(c[2] for c in it.commands)
                x1 = max(c[1] + c[3] for c in it.commands)
                y1 = max(c[2] + c[4] for c in it.commands)
                assert not overlaps(mark, (x0, y0, x1 - x0, y1 - y0)), (design, lang, "QR")


def test_rebuilds_are_byte_identical(built, font_cache, tmp_path):
    files, _pages = built
    again = Workspace(ROOT, font_cache)          # a new painter, fonts loaded anew
    jobs = again.jobs(list(SIZES), ["en", "ar"], ["social"])
    for out in again.outputs(again.plan(jobs), tmp_path):
        assert out.data == files[(out.job.design, out.job.lang)][out.path.suffix][1], out.path.name


def test_build_writes_the_social_images_and_counts_them(project_copy, font_cache):
    code, out, err = run("build", "--project", str(project_copy), "--lang", "en", "--edition", "social",
                         cache=font_cache)
    assert code == 0, err
    written = sorted(p.relative_to(project_copy / "output").as_posix()
                     for p in (project_copy / "output").rglob("*") if p.is_file())
    assert written == sorted(f"{d}/{d}.en.{ext}" for d in SIZES for ext in ("png", "webp"))
    assert f"Wrote {len(written)} files" in out and "x social" in out
    code, _out, err = run("build", "--project", str(project_copy), "--design", "social-link", "--edition", "print",
                          cache=font_cache)
    assert code == 2 and "social-link is built in the edition(s) social" in err


def _long(text: str) -> str:
    return " ".join([text] * 12)


def test_an_overflow_in_a_social_design_is_an_error(project_copy, font_cache):
    path = project_copy / "content" / "languages" / "th.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(\n  headline:\n    text: )(.*)\n", text)
    path.write_text(text[:m.start(2)] + _long(m.group(2)) + text[m.end(2):], encoding="utf-8")
    line = text[:m.start(2)].count("\n") + 1
    code, _out, err = run("build", "--project", str(project_copy), "--design", "social-square", "--lang", "th",
                          cache=font_cache)
    assert code == 1 and "Traceback" not in err
    found = re.search(r"content/languages/th\.yaml:(\d+): error: th: the text of box 'headline' \(headline, "
                      r"subheadline\) does not fit in social-square", err)
    assert found, err
    assert abs(int(found.group(1)) - line) <= 1
    assert not (project_copy / "output").exists() or not any((project_copy / "output").rglob("*.*"))
    code, out, _err = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 1 and "does not fit in social-square" in out and "does not fit in social-story" in out


BAD = {
    # a style below what a phone shows legibly: the hotline's floor is 10 px capitals shown, 42.02 px here
    "hotline too small": ("social-square.yaml", "  hotline: {size: 76}\n", "  hotline: {size: 40}\n",
                          "hotline: {size: 40}", "capitals 10 px tall when a phone shows the 1080 px wide image"),
    "body too small": ("social-story.yaml", "  note: {size: 36, min_size: 29.5, align: center}\n",
                       "  note: {size: 20, min_size: 20, align: center}\n", "note: {size: 20",
                       "capitals 7 px tall when a phone shows the 1080 px wide image"),
    "print edition": ("social-link.yaml", "  editions: [social]\n", "  editions: [social, print]\n",
                      "editions: [social, print]", "is built as social images only, not 'print'"),
    "unknown edition": ("social-link.yaml", "  editions: [social]\n", "  editions: [socail]\n",
                        "editions: [socail]", "did you mean 'social'?"),
    "social on paper": ("a5-flyer.yaml", "  size: A5\n", "  size: A5\n  editions: [print, social]\n",
                        "editions: [print, social]", "'social' images need a screen format's size in px"),
    "draft mark too small": ("social-square.yaml", "draft_mark: {position: bottom-end, size: 30}\n",
                             "draft_mark: {position: bottom-end, size: 12}\n", "draft_mark: {position",
                             "draft_mark.size must be at least 29.42"),
    "orientation": ("social-story.yaml", "  size: social-story\n", "  size: social-story\n  orientation: landscape\n",
                    "orientation: landscape", "it has no orientation"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_design_errors_name_the_file_and_line(case, project_copy, font_cache):
    name, old, new, needle, message = BAD[case]
    path = project_copy / "content" / "designs" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in ln)
    code, out, _err = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 1 and "Traceback" not in out
    # the message, or the hint under it, says what is wrong and how to fix it
    found = next((m for m in re.finditer(rf"content/designs/{re.escape(name)}:(\d+): error: [^\n]*"
                                         rf"(\n +hint: [^\n]*)?", out) if message in m.group(0)), None)
    assert found, out
    assert abs(int(found.group(1)) - line) <= 1, (found.group(0), line)
