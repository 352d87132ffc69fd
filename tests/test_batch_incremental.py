"""Local batches, the run model: incremental rebuilds, files published one by one with a manifest that is
always true, an interrupted batch completed by the next run, --jobs, and the same jobs on a Dask cluster."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import re

import pikepdf
import pytest

from leaflets.batch import run as batch_run
from leaflets.cli import main

SAMPLE = Path("content/batches/sample")
OWN = ("manifest.json", "manifest.csv", "summary.txt")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def assert_manifest_true(folder: Path) -> dict:
    """Every file the manifest lists is there with the sha256 it records."""
    doc = manifest(folder)
    for row in doc["files"]:
        path = folder / row["file"]
        assert path.is_file(), row["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"], row["file"]
    return doc


def spec_copy(tmp_path: Path, root: Path, *changes: str, name: str = "spec", **lines: str) -> Path:
    """The sample spec and its logo in a folder of their own, with (old, new) texts replaced and top-level
    lines set (``languages="[en]"``).  By default: the A5 flyer only, in English and Thai (a quick batch)."""
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(root / SAMPLE / "logo.png", folder / "logo.png")
    text = (root / SAMPLE / "sample.yaml").read_text("utf-8")
    for old, new in zip(changes[::2], changes[1::2]):
        assert old in text, old
        text = text.replace(old, new)
    for key, value in {"formats": "[a5-flyer]", "languages": "[en, th]", **lines}.items():
        text, n = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.M)
        assert n == 1, key
    (folder / "sample.yaml").write_text(text, "utf-8")
    return folder / "sample.yaml"


def build(project: Path, specs: list[Path], out: Path, cache: Path, **kw):
    from leaflets.build import Workspace
    ws = Workspace(project, cache)
    results, _warnings = batch_run.run_batches(ws, specs, out, jobs=kw.pop("jobs", 1), cache_dir=cache, **kw)
    return results


@pytest.fixture(scope="module")
def reference(root, font_cache, tmp_path_factory):
    """The sample batch built once, uninterrupted, with the default --jobs."""
    out = tmp_path_factory.mktemp("reference")
    code, _o, err = cli("batch", str(root / SAMPLE / "sample.yaml"), "--project", str(root), "--cache",
                        str(font_cache), "--out", str(out), "-q")
    assert code == 0, err
    return out / "sample"


# ------------------------------------------------------------------ incremental

def test_a_second_run_rebuilds_nothing(root, font_cache, tmp_path):
    spec = spec_copy(tmp_path, root)
    out = tmp_path / "out"
    first = build(root, [spec], out, font_cache)[0]
    folder = out / "sample"
    leaflets = {f"a5-flyer/a5-flyer.{lang}.{e}.pdf" for lang in ("en", "th") for e in ("print", "online")}
    sheets = {f"sheets/a5-flyer.{lang}.a5-2up.pdf" for lang in ("en", "th")}
    assert set(first.built) == leaflets | sheets and first.up_to_date == 0 and first.complete
    doc = assert_manifest_true(folder)
    assert doc["complete"] is True
    assert {r["file"] for r in doc["files"]} == leaflets | sheets
    assert all(len(r["inputs"]) == 64 for r in doc["files"])
    assert len({r["inputs"] for r in doc["files"]}) == len(doc["files"])       # each file its own key
    before, files = stats(folder), tree(folder)
    # a temporary file a killed run left is removed; nothing else changes
    (folder / "a5-flyer" / f"{batch_run.PART_PREFIX}99999-x.tmp").write_bytes(b"%PDF-1.7 half")
    again = build(root, [spec], out, font_cache)[0]
    assert again.built == [] and again.up_to_date == 6 and again.removed == []
    assert stats(folder) == before and tree(folder) == files
    code, stdout, err = cli("batch", str(spec), "--project", str(root), "--cache", str(font_cache),
                            "--out", str(out), "--jobs", "2")
    assert code == 0, err
    assert f"wrote {folder}/: 0 built, 6 up to date" in stdout
    assert stats(folder) == before


def test_a_rerun_says_again_what_was_said_of_the_files_it_keeps(root, font_cache, tmp_path):
    spec = spec_copy(tmp_path, root, "  formats: {a5-flyer: 50}\n", "", formats="[hotline-card]", languages="[en]")
    out = tmp_path / "out"
    args = ("batch", str(spec), "--project", str(root), "--cache", str(font_cache), "--out", str(out), "--jobs", "1")
    code, _o, first = cli(*args)
    assert code == 0, first
    said = sorted(line for line in first.splitlines() if "warning:" in line)
    assert any("too small for the whole contact block" in line for line in said), first
    rows = manifest(out / "sample")["files"]
    kept = [r for r in rows if r.get("warnings")]
    assert kept and all(w["file"] == "sample.yaml" for r in kept for w in r["warnings"])   # no place on this machine
    code, stdout, again = cli(*args)
    assert code == 0 and "0 built" in stdout, again
    assert sorted(line for line in again.splitlines() if "warning:" in line) == said
    # a hand-edited manifest: what is no warning is passed over, the run still ends well
    path = out / "sample" / "manifest.json"
    doc = json.loads(path.read_text("utf-8"))
    for row in doc["files"]:
        if row.get("warnings"):
            row["warnings"] += ["text", None, {"message": 5}, {"hint": "no message"}]
        else:
            row["warnings"] = 7
    path.write_text(json.dumps(doc), "utf-8")
    code, stdout, edited = cli(*args)
    assert code == 0 and "internal error" not in edited and "Traceback" not in edited, edited
    assert sorted(line for line in edited.splitlines() if "warning:" in line) == said
    rows = manifest(out / "sample")["files"]
    assert all(isinstance(w, dict) and isinstance(w["message"], str) for r in rows for w in r.get("warnings", []))


def test_a_changed_language_file_rebuilds_only_that_language(project_copy, font_cache, tmp_path):
    spec = spec_copy(tmp_path, project_copy)
    out = tmp_path / "out"
    build(project_copy, [spec], out, font_cache)
    folder = out / "sample"
    before, files, keys = stats(folder), tree(folder), {r["file"]: r["inputs"] for r in manifest(folder)["files"]}
    th = project_copy / "content" / "languages" / "th.yaml"
    th.write_text(th.read_text("utf-8") + "\n# a note for translators\n", "utf-8")
    result = build(project_copy, [spec], out, font_cache)[0]
    assert set(result.built) == {f"a5-flyer/a5-flyer.th.{e}.pdf" for e in ("print", "online")}
    now = stats(folder)
    for rel, st in before.items():
        if ".th." not in rel and rel not in OWN:
            assert now[rel] == st, rel          # the English files were not touched
    # a comment changes no byte of the files: the sheet of the Thai flyer stays as it was
    assert {k: v for k, v in tree(folder).items() if k != "manifest.json"} == \
        {k: v for k, v in files.items() if k != "manifest.json"}
    assert now["sheets/a5-flyer.th.a5-2up.pdf"] == before["sheets/a5-flyer.th.a5-2up.pdf"]
    changed = {r["file"] for r in assert_manifest_true(folder)["files"] if r["inputs"] != keys[r["file"]]}
    assert changed == set(result.built)


def test_a_changed_logo_rebuilds_every_file_of_its_spec_and_copies_none(root, font_cache, tmp_path):
    from PIL import Image
    spec = spec_copy(tmp_path, root)
    other = spec_copy(tmp_path, root, "id: sample", "id: other", name="other")
    out = tmp_path / "out"
    build(root, [spec, other], out, font_cache)
    others = stats(out / "other")
    logo = spec.parent / "logo.png"
    with Image.open(logo) as im:
        im.load()
        pixels = im.tobytes()
        im.save(logo, compress_level=0)                         # other bytes, the same pixels
    with Image.open(logo) as im:
        assert im.tobytes() == pixels
    assert logo.read_bytes() != (root / SAMPLE / "logo.png").read_bytes()
    results = build(root, [spec, other], out, font_cache)
    assert {r.spec.id: len(r.built) for r in results}["other"] == 0
    mine = next(r for r in results if r.spec.id == "sample")
    assert {f"a5-flyer/a5-flyer.{lang}.{e}.pdf" for lang in ("en", "th") for e in ("print", "online")} \
        <= set(mine.built)
    assert stats(out / "other") == others
    # the copies say how many sheets to print, not what is on them: nothing is rebuilt, the records change
    text = spec.read_text("utf-8")
    spec.write_text(text.replace("formats: {a5-flyer: 50}", "formats: {a5-flyer: 70}"), "utf-8")
    before = stats(out / "sample")
    mine = next(r for r in build(root, [spec], out, font_cache) if r.spec.id == "sample")
    assert mine.built == []
    now = stats(out / "sample")
    assert all(now[k] == v for k, v in before.items() if k not in OWN)
    assert "en: 70 copies -> 35 sheet(s)" in (out / "sample" / "summary.txt").read_text("utf-8")
    assert {r["copies"] for r in assert_manifest_true(out / "sample")["files"]} == {70, 35}


def test_missing_or_changed_files_are_built_again_and_others_left_alone(root, font_cache, tmp_path):
    spec = spec_copy(tmp_path, root)
    out = tmp_path / "out"
    build(root, [spec], out, font_cache)
    folder = out / "sample"
    files = tree(folder)
    (folder / "a5-flyer" / "a5-flyer.en.online.pdf").unlink()
    (folder / "a5-flyer" / "a5-flyer.th.print.pdf").write_bytes(b"%PDF-1.7 not what the batch wrote")
    (folder / "notes.txt").write_text("the office's own notes", "utf-8")
    result = build(root, [spec], out, font_cache)[0]
    assert set(result.built) == {"a5-flyer/a5-flyer.en.online.pdf", "a5-flyer/a5-flyer.th.print.pdf"}
    assert {k: v for k, v in tree(folder).items() if k != "notes.txt"} == files
    assert (folder / "notes.txt").read_text("utf-8") == "the office's own notes"
    assert_manifest_true(folder)


def test_files_no_longer_asked_for_are_removed_if_the_batch_made_them(root, font_cache, tmp_path):
    spec = spec_copy(tmp_path, root)
    out = tmp_path / "out"
    build(root, [spec], out, font_cache)
    folder = out / "sample"
    # a file the batch made and someone changed since is not the batch's any more: it stays
    changed = folder / "a5-flyer" / "a5-flyer.th.online.pdf"
    changed.write_bytes(changed.read_bytes() + b"\n% annotated by hand\n")
    spec.write_text(re.sub(r"^languages: .*$", "languages: [en]", spec.read_text("utf-8"), flags=re.M), "utf-8")
    result = build(root, [spec], out, font_cache)[0]
    assert result.built == []
    assert set(result.removed) == {"a5-flyer/a5-flyer.th.print.pdf", "sheets/a5-flyer.th.a5-2up.pdf"}
    assert not (folder / "a5-flyer" / "a5-flyer.th.print.pdf").exists()
    assert changed.exists()
    doc = assert_manifest_true(folder)
    assert {r["language"] for r in doc["files"]} == {"en"} and doc["complete"] is True


def test_a_bad_spec_leaves_a_built_batch_as_it_was(root, font_cache, tmp_path):
    spec = spec_copy(tmp_path, root)
    out = tmp_path / "out"
    build(root, [spec], out, font_cache)
    before = stats(out / "sample")
    spec.write_text(spec.read_text("utf-8").replace('number: "03-1234-5678"', 'number: "03-1234"'), "utf-8")
    code, _o, err = cli("batch", str(spec), "--project", str(root), "--cache", str(font_cache), "--out", str(out))
    assert code == 1 and "nothing was written" in err
    assert stats(out / "sample") == before


def test_one_run_at_a_time_in_a_folder(root, font_cache, tmp_path):
    import fcntl
    spec = spec_copy(tmp_path, root)
    folder = tmp_path / "out" / "sample"
    folder.mkdir(parents=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        code, _o, err = cli("batch", str(spec), "--project", str(root), "--cache", str(font_cache),
                            "--out", str(folder.parent), "--jobs", "1")
    finally:
        os.close(fd)
    assert code == 1 and "another batch is writing" in err
    assert list(folder.iterdir()) == []


# ------------------------------------------------------------------ interrupted

def test_a_killed_batch_leaves_no_partial_file_and_the_next_run_completes_it(root, font_cache, tmp_path,
                                                                             reference):
    out = tmp_path / "out"
    folder = out / "sample"
    argv = [sys.executable, "-m", "leaflets", "batch", str(root / SAMPLE / "sample.yaml"), "--project", str(root),
            "--cache", str(font_cache), "--out", str(out), "--jobs", "1", "-q"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    listed = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                listed = [r["file"] for r in manifest(folder)["files"]]
            except (OSError, ValueError):
                listed = []
            if listed:
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    proc.stderr.close()
    assert listed, "the batch was killed before it published a file"
    doc = assert_manifest_true(folder)            # the manifest never lists a file that is not there
    assert doc["complete"] is False
    assert len(doc["files"]) < len(manifest(reference)["files"])
    for pdf in folder.rglob("*.pdf"):             # every file under an output's name is whole
        with pikepdf.open(pdf) as opened:
            assert len(opened.pages) >= 1
    for p in folder.rglob("*"):
        assert p.name.startswith(batch_run.PART_PREFIX) or not p.name.startswith("."), p
    code, stdout, err = cli("batch", str(root / SAMPLE / "sample.yaml"), "--project", str(root), "--cache",
                            str(font_cache), "--out", str(out), "--jobs", "1")
    assert code == 0, err
    assert tree(folder) == tree(reference)        # the same bytes as a batch never interrupted
    assert not [p for p in folder.rglob("*") if p.name.startswith(".")]
    assert f"{len(doc['files'])} up to date" in stdout


# ------------------------------------------------------------------ where the tasks run

def test_jobs_default_to_the_cores(root, font_cache, tmp_path, monkeypatch):
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert batch_run.default_jobs() == expected
    seen = []

    class Recording(batch_run.Runner):
        def __init__(self, ws, inputs, jobs=1, *a, **kw):
            seen.append(jobs)
            super().__init__(ws, inputs, jobs, *a, **kw)

    monkeypatch.setattr(batch_run, "Runner", Recording)
    monkeypatch.setattr(batch_run, "default_jobs", lambda: 3)
    spec = spec_copy(tmp_path, root, languages="[en]")
    code, _o, err = cli("batch", str(spec), "--project", str(root), "--cache", str(font_cache),
                        "--out", str(tmp_path / "out"), "-q")
    assert code == 0, err
    assert seen == [3]


def test_scheduler_without_distributed_is_a_usage_error(root, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)       # import distributed fails
    code, _o, err = cli("batch", str(root / SAMPLE / "sample.yaml"), "--project", str(root),
                        "--scheduler", "tcp://127.0.0.1:8786")
    assert code == 2
    assert "dask.distributed" in err and "pip install" in err


def test_a_dask_cluster_builds_the_same_batch(root, font_cache, tmp_path, reference):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'leaflets[dask]')")
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        code, _o, err = cli("batch", str(root / SAMPLE / "sample.yaml"), "--project", str(root), "--cache",
                            str(font_cache), "--out", str(tmp_path / "out"), "--scheduler",
                            cluster.scheduler_address, "-q")
    assert code == 0, err
    folder = tmp_path / "out" / "sample"
    assert (folder / "manifest.json").read_bytes() == (reference / "manifest.json").read_bytes()
    assert tree(folder) == tree(reference)
    code, _o, err = cli("batch", str(root / SAMPLE / "sample.yaml"), "--project", str(root),
                        "--scheduler", "localhost:8786")
    assert code == 2 and "tcp://HOST:PORT" in err
