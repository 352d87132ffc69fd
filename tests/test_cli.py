"""The command line: exit codes, messages that name file and line, nothing half-written."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leaflets.cli import main


def run(*argv, cache=None):
    out, err = io.StringIO(), io.StringIO()
    args = list(argv)
    if cache is not None and args and args[0] in ("build", "check", "preview", "proof"):
        args += ["--cache", str(cache)]
    code = main(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_help_explains_and_exits_zero():
    code, out, _ = run("--help")
    assert code == 0 and "build" in out and "check" in out and "exit status" in out


def test_usage_errors_exit_two():
    assert run("build", "--no-such-option")[0] == 2
    assert run()[0] == 2


def test_build_narrowed_writes_files_and_summary(project_copy, font_cache):
    code, out, err = run("build", "--project", str(project_copy), "--lang", "th", "--edition", "online",
                         cache=font_cache)
    assert code == 0, err
    files = sorted(p.name for p in (project_copy / "output").rglob("*") if p.is_file())
    # every design, and the annual fact sheet (the project has content/reports/)
    designs = sorted(p.stem for p in (project_copy / "content" / "designs").glob("*.yaml"))
    assert len(designs) >= 7
    # the social images' designs (a size in px) are built in the social edition only
    paper = [d for d in designs if "editions: [social]" not in
             (project_copy / "content" / "designs" / f"{d}.yaml").read_text(encoding="utf-8")]
    assert len(paper) >= 7 and len(designs) - len(paper) >= 3
    assert files == sorted([f"{d}.th.online.pdf" for d in paper] + ["factsheet.th.online.pdf"])
    assert f"Wrote {len(files)} files" in out


def test_unknown_language_is_a_usage_error(project_copy, font_cache):
    code, _out, err = run("build", "--project", str(project_copy), "--lang", "xx", cache=font_cache)
    assert code == 2 and "unknown language 'xx'" in err


def test_two_builds_are_byte_identical(project_copy, font_cache, tmp_path):
    for name in ("a", "b"):
        code, _o, err = run("build", "--project", str(project_copy), "--design", "a4-leaflet,hotline-card",
                            "--lang", "en,ja,th", "--out", str(tmp_path / name), cache=font_cache)
        assert code == 0, err
    a = sorted((tmp_path / "a").rglob("*.*"))
    names = {f.name for f in a}
    for lang in ("en", "ja", "th"):
        assert {f"a4-leaflet.{lang}.print.pdf", f"a4-leaflet.{lang}.png", f"hotline-card.{lang}.print.pdf",
                f"hotline-card.{lang}.png", f"hotline-card.{lang}.back.png"} <= names, names
    assert len(a) == len(list((tmp_path / "b").rglob("*.*")))
    for f in a:
        assert f.read_bytes() == (tmp_path / "b" / f.relative_to(tmp_path / "a")).read_bytes(), f.name


def test_check_passes_on_the_official_content(root, font_cache):
    code, out, _ = run("check", "--project", str(root), cache=font_cache)
    assert code == 0, out
    assert "content is valid" in out


BAD = {
    "malformed YAML": ("languages/th.yaml", "  headline:\n", "  headline: [unclosed\n", "headline: [unclosed",
                       "malformed YAML"),
    "missing key": ("languages/th.yaml", "  direction: ltr\n", "", "  tag: th", "missing key 'direction'"),
    "unknown key": ("languages/th.yaml", "  direction: ltr\n", "  direction: ltr\n  dirction: ltr\n",
                    "dirction", "unknown key 'dirction'"),
    "invalid tag": ("languages/th.yaml", "  tag: th\n", "  tag: thai_TH\n", "tag: thai_TH",
                    "not a valid BCP 47"),
    "hotline changed": ("languages/th.yaml", None, None, "0120-924-893", "not one of the campaign's numbers"),
    "url changed": ("languages/ja.yaml", None, None, "www.tokumei42.jp", "is not one of the campaign's links"),
    "wrong type": ("languages/th.yaml", "  native_name: ไทย\n", "  native_name: [1, 2]\n", "native_name: [1, 2]",
                   "must be text"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_content_exits_one_names_file_and_line_and_writes_nothing(case, project_copy, font_cache):
    rel, old, new, needle, message = BAD[case]
    path = project_copy / "content" / rel
    if old is None:
        # put the wrong number (or address) into a translated sentence
        text = path.read_text(encoding="utf-8")
        m = re.search(r"(\n  anonymous\.note:\n    text: )(.*)\n", text)
        path.write_text(text[:m.start(2)] + m.group(2) + " " + needle + text[m.end(2):], encoding="utf-8")
    else:
        edit(path, old, new)
    line = line_of(path, needle) if case != "missing key" else None
    code, _out, err = run("build", "--project", str(project_copy), cache=font_cache)
    assert code == 1, err
    assert "Traceback" not in err
    assert message in err
    m = re.search(rf"content/{re.escape(rel)}:(\d+): error", err)
    assert m, err
    if line is not None:
        assert abs(int(m.group(1)) - line) <= 1, err
    assert "hint:" in err
    assert not (project_copy / "output").exists() or not any((project_copy / "output").rglob("*.*"))
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 1 and message in out


def test_an_oversized_file_is_refused(project_copy, font_cache):
    path = project_copy / "content" / "languages" / "th.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "#" * (1 << 20), encoding="utf-8")
    code, _out, err = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 1


def test_overflow_is_reported_by_check(project_copy, font_cache):
    path = project_copy / "content" / "languages" / "th.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(\n  scenario\.sns\.body:\n    text: )(.*)\n", text)
    path.write_text(text[:m.start(2)] + " ".join([m.group(2)] * 8) + text[m.end(2):], encoding="utf-8")
    code, out, _ = run("check", "--project", str(project_copy), cache=font_cache)
    assert code == 1
    assert re.search(r"th\.yaml:\d+: error: th: the text of box 'text-sns'.*mm too tall", out)


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from leaflets import atomic

    target = tmp_path / "x.pdf"
    target.write_bytes(b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_python_dash_m_works(root):
    r = subprocess.run([sys.executable, "-m", "leaflets", "--version"], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0 and "leaflets" in r.stdout


@pytest.mark.parametrize("options, named", [
    (["--sheets"], "--sheets is an option"),
    (["--pdfx", "x1a"], "--pdfx is an option"),
    (["--output-condition", "fogra39"], "--output-condition is an option"),
    (["--marks", "western", "--pdfx", "x4"], "--pdfx, --marks western are options"),
])
def test_print_options_on_a_build_without_print_files_are_a_usage_error(root, tmp_path, options, named):
    out = tmp_path / "out"
    code, _out, err = run("build", "--project", str(root), "--edition", "online", "--design", "a4-leaflet",
                          "--lang", "en", "--out", str(out), *options)
    assert code == 2, err
    assert named in err and "add --edition print" in err, err
    assert not out.exists()


@pytest.mark.parametrize("command", [["build", "--lang", "en", "--design", "a4-leaflet", "--edition", "print"],
                                     ["proof", "--lang", "en", "--design", "a4-leaflet"],
                                     ["preview", "en", "--design", "a4-leaflet"]])
@pytest.mark.parametrize("inside", ["content", "content/languages/out", "fonts", "icc/x"])
def test_an_output_folder_inside_the_projects_sources_is_a_usage_error(project_copy, font_cache, command, inside):
    before = sorted(p.relative_to(project_copy) for p in (project_copy / "content").rglob("*"))
    code, out, err = run(*command, "--out", str(project_copy / inside), "--project", str(project_copy),
                         cache=font_cache)
    assert code == 2, (out, err)
    assert f"inside the project's {inside.split('/')[0]}/ folder" in err
    assert sorted(p.relative_to(project_copy) for p in (project_copy / "content").rglob("*")) == before


@pytest.mark.parametrize("tag", ["../../etc", "a b", "!!", "12"])
def test_a_language_option_that_is_no_tag_is_named_as_such(tag):
    code, _out, err = run("build", "--lang", tag, "--design", "a4-leaflet")
    assert code == 2
    assert "is not a BCP 47 language tag" in err or "unknown language" in err, err
    assert "is empty" not in err
