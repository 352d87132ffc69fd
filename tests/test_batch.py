"""Local batches: the sample spec built through the command line, its files read back with real tools."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from leaflets.cli import main
from helpers import decode_qr, raster

SAMPLE = Path("content/batches/sample/sample.yaml")
PHONE = "03-1234-5678"
E164 = "+81312345678"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def batch(root, tmp_path_factory, font_cache):
    out = tmp_path_factory.mktemp("batches")
    code, stdout, err = run("batch", str(root / SAMPLE), "--project", str(root), "--cache", str(font_cache),
                            "--out", str(out))
    assert code == 0, err
    return out / "sample", stdout, font_cache


def pdfs(folder: Path, edition: str | None = None) -> list[Path]:
    return sorted(p for p in folder.rglob("*.pdf") if p.parent.name != "sheets"
                  and (edition is None or p.name.endswith(f".{edition}.pdf")))


def texts(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext reads it (poppler), or PDFium."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        return [t for t in out.stdout.split("\f") if t.strip()]
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf.read_bytes())
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


# ------------------------------------------------------------------ the sample batch

def test_sample_batch_has_every_file_and_a_matching_manifest(batch):
    folder, stdout, _cache = batch
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    listed = {f["file"] for f in manifest["files"]}
    on_disk = {k for k in tree(folder) if k not in ("manifest.json", "manifest.csv", "summary.txt")}
    assert listed == on_disk
    expected = {f"{d}/{d}.{lang}.{e}.pdf" for d in ("a4-leaflet", "a5-flyer") for lang in ("en", "th")
                for e in ("print", "online")}
    assert expected <= listed
    for f in manifest["files"]:
        assert hashlib.sha256((folder / f["file"]).read_bytes()).hexdigest() == f["sha256"]
        with pikepdf.open(folder / f["file"]) as pdf:
            assert len(pdf.pages) == f["pages"]
    rows = list(csv.DictReader(io.StringIO((folder / "manifest.csv").read_text("utf-8"))))
    assert rows and list(rows[0]) == ["file", "organisation", "language", "format", "edition", "pages", "copies",
                                      "sha256"]
    assert [r["file"] for r in rows] == sorted(listed)
    assert {(r["file"], r["sha256"]) for r in rows} == {(f["file"], f["sha256"]) for f in manifest["files"]}
    # copies from the spec: 100 by default, 50 for the flyer
    assert {r["copies"] for r in rows if r["edition"] == "print" and r["format"] == "a4-leaflet"} == {"100"}
    assert {r["copies"] for r in rows if r["edition"] == "print" and r["format"] == "a5-flyer"} == {"50"}
    summary = (folder / "summary.txt").read_text("utf-8")
    assert "a5-flyer: 50 sheet(s) in all (a5-2up, 2 per sheet)" in summary      # 2 x ceil(50 / 2)
    assert "a4-leaflet: 200 sheet(s) in all" in summary
    assert summary in stdout


def test_every_leaflet_has_the_organisation_and_the_hotline_once(batch, root):
    folder, _out, _cache = batch
    from leaflets.model.load import load_facts
    from leaflets.errors import Diagnostics
    facts = load_facts(root / "content" / "campaign.yaml", Diagnostics())
    for pdf in pdfs(folder):
        for text in texts(pdf):
            flat = " ".join(text.split())
            assert PHONE in flat, pdf.name
            assert flat.count(facts.hotline_display) == 1, pdf.name
            assert "Sample Support Centre" in flat, pdf.name


def test_every_qr_code_decodes_to_the_campaign_address(batch, root):
    folder, _out, _cache = batch
    from leaflets.errors import Diagnostics
    from leaflets.model.load import load_facts
    report = load_facts(root / "content" / "campaign.yaml", Diagnostics()).links["report"].url
    for pdf in pdfs(folder):
        assert decode_qr(raster(pdf.read_bytes(), 150)) == [report], pdf.name
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["qr_target"] == report


def test_print_files_pass_preflight_and_hold_the_logo_in_cmyk(batch, root):
    folder, _out, _cache = batch
    from leaflets.errors import Diagnostics
    from leaflets.model.load import load_facts
    from leaflets.preflight import preflight
    facts = load_facts(root / "content" / "campaign.yaml", Diagnostics())
    for pdf in pdfs(folder, "print"):
        report = preflight(pdf.read_bytes(), "shop", facts=facts, qr="fast")
        assert report.ok, report.format()
        assert report.rules["image-resolution"] == "pass"
        with pikepdf.open(pdf) as doc:
            images = list(doc.pages[0].get_images().values())
            assert [str(im.ColorSpace) for im in images] == ["/DeviceCMYK"]
            assert "/SMask" not in images[0]
    for pdf in pdfs(folder, "online"):
        with pikepdf.open(pdf) as doc:
            assert [str(im.ColorSpace) for im in doc.pages[0].get_images().values()] == ["/DeviceRGB"]


def test_online_edition_links_the_organisation_phone_with_e164(batch):
    folder, _out, _cache = batch
    for pdf in pdfs(folder, "online"):
        with pikepdf.open(pdf) as doc:
            uris = [str(a.A.URI) for a in doc.pages[0].get("/Annots", []) if "/A" in a]
        assert "tel:" + E164 in uris
        assert "mailto:help@example.org" in uris


def test_office_sheets_are_imposed(batch):
    folder, _out, _cache = batch
    for lang in ("en", "th"):
        sheet = folder / "sheets" / f"a5-flyer.{lang}.a5-2up.pdf"
        with pikepdf.open(sheet) as pdf:
            assert len(pdf.pages) == 1
            box = [float(v) for v in pdf.pages[0].mediabox]
            assert round((box[2] - box[0]) / 72 * 25.4) == 210 and round((box[3] - box[1]) / 72 * 25.4) == 297
        # two flyers on the sheet: the organisation's number twice
        assert " ".join(texts(sheet)[0].split()).count(PHONE) == 2


def test_rebuild_and_two_processes_give_the_same_bytes(batch, root, tmp_path):
    folder, _out, cache = batch
    first = tree(folder)
    code, _o, err = run("batch", str(root / SAMPLE), "--project", str(root), "--cache", str(cache),
                        "--out", str(tmp_path), "--jobs", "2", "-q")
    assert code == 0, err
    assert tree(tmp_path / "sample") == first
    # built again where it was: the same files, nothing left over
    code, _o, err = run("batch", str(root / SAMPLE), "--project", str(root), "--cache", str(cache),
                        "--out", str(folder.parent), "-q")
    assert code == 0, err
    assert tree(folder) == first


# ------------------------------------------------------------------ the distribution tag

def test_tagged_qr_codes_hold_the_tag(project_copy, font_cache, tmp_path):
    campaign = project_copy / "content" / "campaign.yaml"
    text = campaign.read_text("utf-8")
    assert "qr_tag:\n  allowed: false\n" in text
    campaign.write_text(text.replace("qr_tag:\n  allowed: false\n", "qr_tag:\n  allowed: true\n"), "utf-8")
    spec = project_copy / "content" / "batches" / "sample" / "sample.yaml"
    text = spec.read_text("utf-8").replace("formats: [a4-leaflet, a5-flyer]", "formats: [a5-flyer]")
    text = text.replace("languages: [en, th]", "languages: [en]") + "qr_tag: shinjuku-station\n"
    spec.write_text(text, "utf-8")
    code, _o, err = run("batch", str(spec), "--project", str(project_copy), "--cache", str(font_cache),
                        "--out", str(tmp_path / "out"))
    assert code == 0, err
    from leaflets.batch.spec import qr_target
    from leaflets.errors import Diagnostics
    from leaflets.model.load import load_facts
    facts = load_facts(campaign, Diagnostics())
    target = qr_target(facts, "shinjuku-station")
    assert target == "https://www.tokumei24.jp/?src=shinjuku-station"
    for pdf in pdfs(tmp_path / "out" / "sample"):
        assert decode_qr(raster(pdf.read_bytes(), 150)) == [target], pdf.name
    assert json.loads((tmp_path / "out" / "sample" / "manifest.json").read_text("utf-8"))["qr_target"] == target


# ------------------------------------------------------------------ errors and init

def _spec(tmp_path: Path, root: Path, *changes: str) -> Path:
    """The sample spec with (old, new) texts replaced, beside a copy of its logo."""
    folder = tmp_path / "spec"
    folder.mkdir()
    shutil.copy(root / SAMPLE.parent / "logo.png", folder / "logo.png")
    text = (root / SAMPLE).read_text("utf-8")
    for old, new in zip(changes[::2], changes[1::2]):
        assert old in text
        text = text.replace(old, new)
    (folder / "bad.yaml").write_text(text, "utf-8")
    return folder / "bad.yaml"


@pytest.mark.parametrize("changes, words", [
    (('number: "03-1234-5678"', 'number: "03-1234"'), "phone"),
    (("formats: [a4-leaflet, a5-flyer]", "formats: [a4-leaflet, social-square]", "a5-flyer: 50", "social-square: 50"),
     "has no local-contact slot"),
    (("default: 1-2-3 Nishi-Shinjuku, Tokyo", "default: " + "1-2-3 Nishi-Shinjuku Chome " * 10 + "Tokyo"),
     "the contact block does not fit the local-contact slot of a5-flyer"),
])
def test_a_bad_spec_writes_nothing(root, tmp_path, font_cache, changes, words):
    spec = _spec(tmp_path, root, *changes)
    out = tmp_path / "out"
    code, _o, err = run("batch", str(spec), "--project", str(root), "--cache", str(font_cache), "--out", str(out))
    assert code == 1, err
    assert words in err
    assert re.search(r"bad\.yaml:\d+: error: ", err), err
    assert "nothing was written" in err
    assert not out.exists()


def test_one_bad_spec_stops_the_good_one_too(root, tmp_path, font_cache):
    bad = _spec(tmp_path, root, 'number: "03-1234-5678"', 'number: "0120-924-839"')
    out = tmp_path / "out"
    code, _o, err = run("batch", str(root / SAMPLE), str(bad), "--project", str(root), "--cache", str(font_cache),
                        "--out", str(out))
    assert code == 1, err
    assert not out.exists()


def test_jobs_must_be_at_least_one(root):
    code, _o, err = run("batch", str(root / SAMPLE), "--project", str(root), "--jobs", "0")
    assert code == 2
    assert "--jobs" in err


def test_init_writes_a_sample_that_builds_and_never_overwrites(root, tmp_path, font_cache):
    spec = tmp_path / "mine.yaml"
    code, out, err = run("batch", "init", str(spec))
    assert code == 0, err
    written = spec.read_bytes()
    code, _o, err = run("batch", str(spec), "--project", str(root), "--cache", str(font_cache),
                        "--out", str(tmp_path / "out"), "-q")
    assert code == 0, err
    built = json.loads(next((tmp_path / "out").glob("*/manifest.json")).read_text("utf-8"))
    assert built["files"] and all(f["format"] == "a4-leaflet" for f in built["files"])
    spec.write_text("# my own edits\n", "utf-8")
    code, _o, err = run("batch", "init", str(spec))
    assert code == 1
    assert "already exists" in err
    assert spec.read_text("utf-8") == "# my own edits\n"
    assert written != spec.read_bytes()


def _named_files(summary: str) -> list[str]:
    """The files a summary tells the printer to print."""
    return re.findall(r"sheet\(s\): (\S+)$", summary, re.M)


def test_the_summary_names_only_files_the_batch_made(batch, root, tmp_path, font_cache):
    folder, _stdout, _cache = batch
    named = _named_files((folder / "summary.txt").read_text("utf-8"))
    assert named and all((folder / f).is_file() for f in named), named
    # a batch without a print file has nothing to impose: the summary says so and names no file
    spec = _spec(tmp_path, root, "languages: [en, th]", "languages: [en]",
                 "editions: [print, online]", "editions: [png]")
    out = tmp_path / "out"
    code, stdout, err = run("batch", str(spec), "--project", str(root), "--cache", str(font_cache), "--out", str(out),
                            "--jobs", "1")
    assert code == 0, err
    summary = (out / "sample" / "summary.txt").read_text("utf-8")
    assert not _named_files(summary), summary
    assert summary.count("no sheets: this batch makes no print file") == 2, summary


def test_another_spec_with_the_same_id_never_replaces_a_batch(batch, root, tmp_path, font_cache):
    folder, _stdout, _cache = batch
    out = tmp_path / "out"
    shutil.copytree(folder, out / "sample")
    before = tree(out / "sample")
    other = _spec(tmp_path, root, "languages: [en, th]", "languages: [en]")     # id: sample, file bad.yaml
    code, _o, err = run("batch", str(other), "--project", str(root), "--cache", str(font_cache), "--out", str(out))
    assert code == 1, err
    assert "holds the batch 'sample' of another spec (sample.yaml)" in err, err
    assert re.search(r"bad\.yaml:\d+: error: ", err), err
    assert tree(out / "sample") == before
