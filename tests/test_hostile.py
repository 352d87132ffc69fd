"""Hostile input: every ordinary problem is a clear error, never a traceback.

Each case builds its payload here (nothing big is committed), runs the command
line in-process (a few as a real process: a closed pipe, an interrupt), and
checks the exit status, that the message names the file and line, that no
"Traceback" is printed and that the output folder is exactly as it was.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import io
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from leaflets.cli import main
from leaflets.errors import Diagnostics
from leaflets.model import load
from leaflets.model.yamlsrc import load_yaml

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------- helpers

def run(*argv, cache=None, cwd=None):
    out, err = io.StringIO(), io.StringIO()
    args = [str(a) for a in argv]
    if cache is not None and args and args[0] in ("build", "check", "preview", "proof", "fonts"):
        args += ["--cache", str(cache)]
    code = main(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (hidden ones too) and a digest of each file."""
    if not folder.exists():
        return {}
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


_PY_EXCEPTION = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception|Interrupt):")


def no_traceback(*texts: str) -> None:
    for t in texts:
        assert "Traceback" not in t, t
        assert not _PY_EXCEPTION.search(t), t      # nor a bare Python exception name


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project whose content and font manifest a test may break,
    with a previous build's output (sentinel files) in output/."""
    dest = tmp_path / "project"
    shutil.copytree(ROOT / "content", dest / "content")
    fonts = dest / "fonts"
    fonts.mkdir()
    for p in (ROOT / "fonts").iterdir():
        if p.name == "manifest.yaml":
            shutil.copy(p, fonts / p.name)
        else:
            (fonts / p.name).symlink_to(p, target_is_directory=p.is_dir())
    (dest / "icc").symlink_to(ROOT / "icc", target_is_directory=True)
    prev = dest / "output" / "a4-leaflet"
    prev.mkdir(parents=True)
    (prev / "a4-leaflet.th.online.pdf").write_bytes(b"previous th")
    (prev / "a4-leaflet.ja.online.pdf").write_bytes(b"previous ja")
    return dest


# ------------------------------------------------------------ YAML payloads
#
# Each returns (bytes of the whole file, the line the error must name, words the
# message must contain).  "Appended" payloads add a top-level key to the real
# file, so everything before them is valid.

def _billion_laughs() -> str:
    lines = ['zz_a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"zz_{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


APPENDED = {
    # name: (text appended, line of the error within it (1 = its first line), words)
    "alias bomb": (_billion_laughs(), 1, "anchors"),
    "alias to nothing": ("zz: *nothing\n", 1, "aliases"),
    "anchor on a scalar": ("zz: &x 12\n", 1, "anchors"),
    "merge key at top level": ("<<: {a: 1}\n", 1, "merge keys"),
    "merge key nested": ("zz:\n  inner:\n    <<: {a: 1}\n", 3, "merge keys"),
    "merge key in a list": ("zz:\n  - one\n  - <<: {a: 1}\n", 3, "merge keys"),
    "merge key with alias": ("zz: &b {a: 1}\nyy:\n  <<: *b\n", 1, "anchors"),
    "deep flow list": ("zz: " + "[" * 10000 + "]" * 10000 + "\n", 1, "nest"),
    "deep flow mapping": ("zz: " + "{a: " * 10000 + "1" + "}" * 10000 + "\n", 1, "nest"),
    "deep block mapping": ("".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "end: 1\n", 65,
                           "nested more than"),
    "deep block list": ("zz:\n" + "- " * 300 + "x\n", 2, "nested more than"),
    "python object tag": ("zz: !!python/object/apply:os.system ['echo pwned']\n", 1, "tag"),
    "python name tag": ("zz: !!python/name:os.system\n", 1, "tag"),
    "binary tag": ("zz: !!binary aGVsbG8=\n", 1, "tag"),
    "set tag": ("zz: !!set {a, b}\n", 1, "tag"),
    "local tag": ("zz: !secret value\n", 1, "tag"),
    "second document": ("---\nzz: 1\n", 1, "more than one YAML document"),
    "bell character": ("zz: ding\x07dong\n", 1, "U+0007"),
    "escape sequence": ("zz: \x1b[31mred\n", 1, "U+001B"),
    "non-character": ("zz: \ufffe\n", 1, "U+FFFE"),
    "huge integer": ("zz: " + "9" * 5000 + "\n", 1, "whole number"),
    "impossible date": ("zz: 2025-02-30\n", 1, "date"),
    "complex key": ("? [a, b]\n: 1\n", 1, "key must be plain text"),
    "unclosed quote": ('zz: "open\n', 1, "malformed YAML"),
}


def _whole(name: str, original: str) -> tuple[bytes, int, str]:
    n = original.count("\n")
    return {
        "top level is a list": (b"- a\n- b\n", 1, "mapping"),
        "top level is text": (b"just some words\n", 1, "mapping"),
        "top level is a number": (b"42\n", 1, "mapping"),
        "top level is null": (b"~\n", 1, "mapping"),
        "UTF-16 with BOM": (original.encode("utf-16"), 1, "UTF-16"),
        "UTF-16 without BOM": (original.encode("utf-16-le"), 1, "NUL"),
        "UTF-32": (original.encode("utf-32"), 1, "UTF-32"),
        "NUL byte": ("\n".join(original.split("\n")[:2]).encode() + b"\nzz: a\x00b\n", 3, "NUL"),
        "Latin-1 byte": (original.encode("utf-8") + "zz: café\n".encode("latin-1"), n + 1, "not UTF-8"),
        "binary garbage": (bytes(range(1, 256)) * 4, 2, "not UTF-8"),   # 0x0a comes before 0x80
        "a PNG image": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), 3, "NUL"),
    }[name]


WHOLE = ["top level is a list", "top level is text", "top level is a number", "top level is null",
         "UTF-16 with BOM", "UTF-16 without BOM", "UTF-32", "NUL byte", "Latin-1 byte", "binary garbage",
         "a PNG image"]

TARGETS = ["content/languages/th.yaml", "content/campaign.yaml", "content/designs/a4-leaflet.yaml",
           "content/pictograms.yaml", "fonts/manifest.yaml"]

PAYLOADS = sorted(APPENDED) + WHOLE


def payload(name: str, original: str) -> tuple[bytes, int, str]:
    if name in APPENDED:
        text, line, words = APPENDED[name]
        base = original if original.endswith("\n") else original + "\n"
        return (base + text).encode("utf-8"), base.count("\n") + line, words
    return _whole(name, original)


@pytest.mark.parametrize("name", PAYLOADS)
def test_every_payload_in_every_file_is_refused_by_the_reader(name, tmp_path):
    """The one reader of content (and of the font manifest) refuses each payload with its line."""
    from leaflets.model.yamlsrc import YamlError, load_mapping
    for target in TARGETS:
        data, line, words = payload(name, (ROOT / target).read_text(encoding="utf-8"))
        path = tmp_path / Path(target).name
        path.write_bytes(data)
        with pytest.raises(YamlError) as exc:
            load_mapping(path)
        d = exc.value.diagnostic
        assert (d.file, d.line) == (path, line), (target, d.format())
        assert words in d.message, (target, d.format())
        assert d.hint or "mapping" in d.message


@pytest.mark.parametrize("name", PAYLOADS)
def test_hostile_yaml_through_the_command_line(name, project, font_cache):
    i = PAYLOADS.index(name)
    target = TARGETS[i % len(TARGETS)]           # each payload in one of the files, in turn
    command = ("build", "check")[i // len(TARGETS) % 2]
    path = project / target
    data, line, words = payload(name, path.read_text(encoding="utf-8"))
    path.write_bytes(data)
    before = snapshot(project / "output")
    code, out, err = run(command, "--project", project, cache=font_cache)
    text = out + err
    assert code == 1, (command, text)
    no_traceback(out, err)
    assert f"{target}:{line}:" in text, (command, text)
    assert words in text, (command, text)
    assert snapshot(project / "output") == before


def test_an_alias_bomb_expands_nothing(tmp_path):
    """The refusal comes at the first anchor, before anything is built."""
    path = tmp_path / "bomb.yaml"
    path.write_text(_billion_laughs(), encoding="utf-8")
    assert len(path.read_bytes()) < 1200
    from leaflets.model.yamlsrc import YamlError
    with pytest.raises(YamlError) as exc:
        load_yaml(path)
    assert exc.value.diagnostic.line == 1 and "anchors" in exc.value.diagnostic.message


def test_plain_yaml_still_reads_as_before(tmp_path):
    src = load_yaml(tmp_path / "x.yaml", textwrap.dedent("""\
        a: 1
        b: [1.5, "two", true, ~]
        c: {d: 2024-05-06, "<<": quoted}
        no: 3
        e: !!str 12
        """))
    import datetime
    assert src.data == {"a": 1, "b": [1.5, "two", True, None], "c": {"d": datetime.date(2024, 5, 6), "<<": "quoted"},
                        "no": 3, "e": "12"}
    assert src.line("c", "d") == 3 and src.line("no") == 4


def test_a_non_mapping_manifest_is_an_error(project, font_cache):
    (project / "fonts" / "manifest.yaml").write_text("- family: Noto Sans\n", encoding="utf-8")
    code, out, err = run("fonts", "--project", project, cache=font_cache)
    assert code == 1 and "fonts/manifest.yaml:1:" in err and "mapping" in err
    no_traceback(out, err)


@pytest.mark.parametrize("entry,words", [
    ("  - 12\n", "must be a mapping"),
    ("  - {family: X}\n", "incomplete"),
    ("  - {family: [X], weight: regular, file: a.ttf, postscript_name: X, version: 1, outlines: glyf,"
     " scripts: [Latn], source: s, license: l, license_file: l.txt, sha256: x}\n", "family must be text"),
    ("  - {family: X, weight: regular, file: ../../etc/passwd, postscript_name: X, version: 1, outlines: glyf,"
     " scripts: [Latn], source: s, license: l, license_file: l.txt, sha256: x}\n", "inside fonts/"),
    ("  - {family: X, weight: regular, file: a.ttf, postscript_name: X, version: 1, outlines: glyf,"
     " scripts: Latn, source: s, license: l, license_file: l.txt, sha256: x, index: 2.5}\n", "index"),
])
def test_wrong_types_in_the_font_manifest(entry, words, project, font_cache):
    path = project / "fonts" / "manifest.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("fonts:\n", "fonts:\n" + entry, 1), encoding="utf-8")
    line = text[:text.index("fonts:\n")].count("\n") + 2
    code, out, err = run("build", "--project", project, cache=font_cache)
    assert code == 1, err
    assert f"fonts/manifest.yaml:{line}:" in err and words in err, err
    no_traceback(out, err)


# -------------------------------------------------------------- design fuzz

def _leaves(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _leaves(v, path + (i,))


_FIXED_LISTS = {"at", "cmyk", "rect", "circle", "padding"}


def _patterns(data) -> dict[tuple, tuple]:
    """One path of each kind: regions, paragraphs, colours, styles and shapes stand for their siblings."""
    out = {}
    for path, _value in _leaves(data):
        if not path:
            continue
        key = []
        for i, k in enumerate(path):
            parent = path[i - 1] if i else None
            if isinstance(k, int) and parent not in _FIXED_LISTS:
                key.append("#")
            elif parent in ("colors", "styles", "pictograms", "components") and i == 1:
                key.append("*")
            else:
                key.append(k)
        out.setdefault(tuple(key), path)
    return out


def _kind(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "text", list: "list", dict: "mapping"}[type(v)]


REPLACEMENTS = [[1, "a"], {"a": 1}, "x", math.nan, -math.inf, 10 ** 30, True, None]


def _must_fail(original, new) -> bool:
    """Whether putting ``new`` where ``original`` was is certainly a mistake."""
    a, b = _kind(original), _kind(new)
    if b == "null":
        return False                        # an optional value left empty takes its default
    if a == "text":
        return b in ("list", "mapping")     # a number written where text goes is taken as text
    if b == "number" and (not math.isfinite(new) or abs(new) >= 10 ** 30):
        return True                         # no design number is infinite or that large
    return a != b


def _set(data, path, value):
    d = data
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value


FUZZ_FILES = {"content/designs/a4-leaflet.yaml": "design", "content/designs/shared/type.yaml": "shared",
              "content/designs/shared/colors.yaml": "shared", "content/designs/shared/components.yaml": "shared",
              "content/pictograms.yaml": "pictograms"}
SHARED = ROOT / "content" / "designs" / "shared"


def _fuzz_data(rel: str):
    """The file's data, with the optional settings it leaves out added, so that they are fuzzed too."""
    data = load_yaml(ROOT / rel).data
    if FUZZ_FILES[rel] == "design":
        data.setdefault("draft_mark", {"position": "auto", "size": 6.5, "color": "black"})
        data["regions"][0].setdefault("mirror", True)
    elif FUZZ_FILES[rel] == "pictograms":
        next(iter(data["pictograms"].values()))[0].setdefault("evenodd", False)
    return data


def _fuzz_cases():
    for rel in FUZZ_FILES:
        for key, path in _patterns(_fuzz_data(rel)).items():
            yield pytest.param(rel, path, id=f"{Path(rel).stem}:{'.'.join(map(str, key))}")


@pytest.fixture(scope="module")
def facts():
    diags = Diagnostics()
    f = load.load_facts(ROOT / "content" / "campaign.yaml", diags)
    assert f is not None, [d.format() for d in diags]
    return f


@pytest.mark.parametrize("rel,path", list(_fuzz_cases()))
def test_every_design_value_of_another_type_is_an_error_not_a_traceback(rel, path, facts, tmp_path):
    original = _fuzz_data(rel)
    kind = FUZZ_FILES[rel]
    # a design beside its shared parts (designs/shared/), as in a project
    folder = tmp_path / "designs"
    (folder / "shared").mkdir(parents=True)
    for f in SHARED.glob("*.yaml"):
        shutil.copy(f, folder / "shared" / f.name)
    shutil.copy(ROOT / "content" / "designs" / "a4-leaflet.yaml", folder / "a4-leaflet.yaml")
    target = {"design": folder, "shared": folder / "shared"}.get(kind, tmp_path) / Path(rel).name
    # the lines of the value and its ancestors: a key is dumped before its value, so they do not move
    target.write_text(_dump(original), encoding="utf-8")
    src = load_yaml(target)
    lines = {src.line(*path[:k]) for k in range(len(path) + 1)}
    for new in REPLACEMENTS:
        data = copy.deepcopy(original)
        old = _value(data, path)
        _set(data, path, new)
        target.write_text(_dump(data), encoding="utf-8")
        # and the lines of the new value itself (the items of a list written one to a line)
        within = lines | {n for q, n in load_yaml(target).lines.items() if q[:len(path)] == path}
        diags = Diagnostics()
        if kind in ("design", "shared"):
            # the shared parts judged against the project's font manifest (a style's faces name its families)
            shared = load.load_shared(folder / "shared", diags, fonts=ROOT / "fonts" / "manifest.yaml")
            load.load_design(folder / "a4-leaflet.yaml", diags, facts, shared)
        else:
            load.load_pictograms(target, diags)
        # a component's part is reported where the design uses it, naming the part's line in the shared file;
        # a design may also report what it uses from a shared file that the change broke
        found = []
        for d in diags:
            assert d.file is not None and d.line is not None, d.format()
            m = re.search(rf"{re.escape(target.name)}:(\d+)\)", d.message)
            if d.file == target or m:
                found.append((d.line if d.file == target else int(m.group(1)), d))
            else:
                assert kind == "shared", d.format()
        if _must_fail(old, new):
            assert any(line in within for line, d in found if d.severity == "error"), \
                (path, new, [d.format() for d in diags])


def _dump(data) -> str:
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                     sort_keys=False, default_flow_style=False)


def _value(data, path):
    for k in path:
        data = data[k]
    return data


FUZZ_CLI = [
    ("content/designs/shared/type.yaml", "leading: 1.12,", "leading: .nan,", "finite"),
    ("content/designs/shared/type.yaml", "step: 4, min: 2,", "step: .inf, min: 2,", "finite"),
    ("content/designs/a4-leaflet.yaml", "padding: [7, 10, 4, 10]", 'padding: [1, "a"]', "a list of numbers"),
    ("content/designs/a4-leaflet.yaml", "padding: [7, 10, 4, 10], gap: 2}", "padding: [7, 10, 4, 10], gap: x}",
     "gap_before"),
    ("content/designs/a4-leaflet.yaml", "with: {ec: M}", "with: {ec: 3}", "qr.ec"),
    ("content/designs/a4-leaflet.yaml", "size: A4", "size: [210, 297]", "mapping"),
    ("content/designs/a4-leaflet.yaml", "size: A4", "size: {width: 1000000000000, height: 297}",
     "from 10 to 1500 mm"),
    ("content/designs/a4-leaflet.yaml", "grid: {columns: 42, rows: 99}", "grid: {columns: 42.5, rows: 99}",
     "whole number"),
    ("content/designs/shared/colors.yaml", "{cmyk: [0, 90, 80, 0]", "{cmyk: [0, 190, 80, -1]", "from 0 to 100"),
    ("content/designs/a4-leaflet.yaml", "bleed: 3\n", "bleed: [3]\n", "must be a number"),
    ("content/designs/shared/components.yaml", "fill: red\n", "fill: [red]\n", "name"),
    ("content/designs/a4-leaflet.yaml", "    radius: 2\n", "    radius: -2\n", "radius"),
    ("content/pictograms.yaml", "{rect: [26, 6, 44, 86], r: 8", "{rect: [26, 6, .nan, 86], r: 8", "finite"),
    ("content/pictograms.yaml", "{circle: [48, 85, 3.2]", "{circle: 3", "circle"),
    ("content/pictograms.yaml", '{path: "M52 22 H92', '{path: "M52 22 A92', "not part of path data"),
    ("content/pictograms.yaml", '{path: "M52 22 H92', '{path: "M52 22 H1e9', "outside"),
    ("content/pictograms.yaml", '{path: "M52 22 H92', '{path: "M52 22 L92', "takes 2 numbers"),
    ("content/pictograms.yaml", "stroke: 3, color: accent}", "stroke: [3], color: accent}", "stroke"),
]


@pytest.mark.parametrize("rel,old,new,words", FUZZ_CLI, ids=[f"{c[2].strip()}" for c in FUZZ_CLI])
def test_wrong_design_values_through_the_command_line(rel, old, new, words, project, font_cache):
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    before = snapshot(project / "output")
    command = ("check", "build")[FUZZ_CLI.index((rel, old, new, words)) % 2]
    code, out, err = run(command, "--project", project, cache=font_cache)
    assert code == 1, out + err
    no_traceback(out, err)
    assert f"{rel}:{line}:" in out + err and words in out + err, out + err
    assert snapshot(project / "output") == before


@pytest.mark.parametrize("old,new", [
    ("\nregions:\n", "\nstyles:\n  headline: {size: 400, min_size: 400}\nregions:\n"),
    ("size: A4", "size: {width: 10, height: 10}"),
    ("with: {scenario: sns, pictogram: social-media-lure}",
     "with: {scenario: sns, pictogram: social-media-lure, radius: 500}"),
    ("bleed: 3\n", "bleed: 20\n"),
])
def test_extreme_but_valid_design_numbers_never_traceback(old, new, project, font_cache, tmp_path):
    path = project / "content" / "designs" / "a4-leaflet.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = run("build", "--project", project, "--lang", "en,ar", "--dpi", "20", "--out", tmp_path / "o",
                         cache=font_cache)
    assert code in (0, 1), out + err
    no_traceback(out, err)
    if code == 1:
        assert "a4-leaflet.yaml:" in err or "languages/" in err


# ------------------------------------------------------------ command line

def test_language_tags_are_matched_whatever_their_spelling(project, font_cache, tmp_path):
    spellings = {"TH": "th", "pt_BR": "pt-BR", "pt-br": "pt-BR", "th-th": "th"}
    code, out, err = run("build", "--project", project, "--lang", ",".join(spellings), "--edition", "online",
                         "--out", tmp_path / "o", cache=font_cache)
    assert code == 0, err
    for spelling, tag in spellings.items():
        assert f"'{spelling}' is taken as '{tag}'" in err
    built = sorted(p.name for p in (tmp_path / "o" / "a4-leaflet").iterdir())
    assert built == [f"a4-leaflet.{t}.online.pdf" for t in ("pt-BR", "th")]


def test_preview_and_export_match_tags_too(project, font_cache, tmp_path):
    code, out, err = run("preview", "th-th", "--project", project, "--out", tmp_path / "p", "--dpi", "20",
                         cache=font_cache)
    assert code in (0, 1) and "'th-th' is taken as 'th'" in err, out + err
    assert (tmp_path / "p" / "a4-leaflet.th.pdf").is_file()
    code, out, err = run("translations", "export", "PT_br", "--project", project, "-o", tmp_path / "pt.po")
    assert code == 0, err
    assert "'PT_br' is taken as 'pt-BR'" in err
    import polib
    assert polib.pofile(str(tmp_path / "pt.po")).metadata.get("Language") in ("pt-BR", "pt_BR", "pt-br")


@pytest.mark.parametrize("argv,words", [
    (("build", "--lang", "xx"), "unknown language 'xx'"),
    (("build", "--lang", "thh"), "did you mean 'th'"),
    (("build", "--lang", "en,fr"), "new-language fr"),
    (("build", "--lang", ","), "--lang needs a language tag"),
    (("preview", "klingon"), "unknown language 'klingon'"),
    (("translations", "export", "jp"), "unknown language 'jp'"),
    (("proof", "--lang", "zz-ZZ"), "unknown language"),
    (("build", "--design", "a5-leaflet"), "a4-leaflet, a5-flyer"),
    (("build", "--edition", "poster"), "editions: print, online, png"),
    (("preview", "th", "--design", "nope"), "a4-leaflet, a5-flyer"),
    (("new-language", "xx-Qaaa"), "not a language code"),
    (("new-language", "en_US_POSIX_x"), "not a valid"),
    (("build", "--dpi", "100000"), "out of range"),
    (("build", "--dpi", "0"), "out of range"),
    (("build", "--dpi", "nan"), "out of range"),
    (("build", "--dpi", "inf"), "out of range"),
    (("build", "--dpi", "ten"), "not a number"),
    (("preview", "th", "--dpi", "5000"), "out of range"),
    (("proof", "--dpi", "1200"), "out of range"),
])
def test_usage_errors_exit_two_and_write_nothing(argv, words, project, font_cache):
    before = snapshot(project / "content"), snapshot(project / "output")
    code, out, err = run(*argv, "--project", project, cache=font_cache)
    assert code == 2, out + err
    assert words in err, err
    no_traceback(out, err)
    assert (snapshot(project / "content"), snapshot(project / "output")) == before


def test_a_png_too_large_to_render_is_a_usage_error(project, font_cache):
    path = project / "content" / "designs" / "a4-leaflet.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("size: A4", "size: {width: 1200, height: 1200}"),
                    encoding="utf-8")
    before = snapshot(project / "output")
    code, out, err = run("build", "--project", project, "--dpi", "1200", "--edition", "png", cache=font_cache)
    assert code == 2, err
    assert "too large" in err and "use --dpi" in err
    no_traceback(out, err)
    assert snapshot(project / "output") == before


def test_new_language_warns_when_the_project_has_it_under_another_tag(project, font_cache):
    code, out, err = run("new-language", "th-TH", "--project", project)
    assert code == 0, err
    assert "already has 'th'" in err
    assert (project / "content" / "languages" / "th-TH.yaml").is_file()
    code, out, err = run("new-language", "FR_fr", "--project", project)
    assert code == 0 and "'FR_fr' is written 'fr-FR'" in err, err
    assert (project / "content" / "languages" / "fr-FR.yaml").is_file()


def test_the_project_is_found_from_a_subfolder(project, font_cache, monkeypatch):
    monkeypatch.chdir(project / "content" / "languages")
    code, out, err = run("fonts", cache=font_cache)
    assert code == 0, err
    assert "every font file matches the manifest" in out


def test_no_project_found_is_a_usage_error(tmp_path, monkeypatch, font_cache):
    where = tmp_path / "a" / "b"
    where.mkdir(parents=True)
    monkeypatch.chdir(where)
    code, out, err = run("check", cache=font_cache)
    assert code == 2
    assert "no project found" in err and str(where) in err and "--project" in err
    code, out, err = run("build", "--project", tmp_path / "nowhere", cache=font_cache)
    assert code == 2 and "no project in" in err and "no such folder" in err
    (tmp_path / "file").write_text("x")
    code, out, err = run("build", "--project", tmp_path / "file", cache=font_cache)
    assert code == 2 and "it is a file" in err
    code, out, err = run("build", "--project", tmp_path / "a", cache=font_cache)
    assert code == 2 and "no content/ folder" in err
    no_traceback(out, err)


# ------------------------------------------------------------------ output

def _build_th(project, cache, out_dir, *extra):
    return run("build", "--project", project, "--design", "a4-leaflet", "--lang", "th,ja", "--edition", "online",
               "--out", out_dir, *extra, cache=cache)


def test_a_build_replaces_the_previous_output_at_once(project, font_cache):
    before = snapshot(project / "output")
    code, out, err = _build_th(project, font_cache, project / "output")
    assert code == 0, err
    after = snapshot(project / "output")
    assert set(after) == set(before) and after != before
    assert not [p for p in after if ".leaflets-staging" in p]
    assert (project / "output" / "a4-leaflet" / "a4-leaflet.th.online.pdf").read_bytes().startswith(b"%PDF")


def test_out_is_a_file(project, font_cache, tmp_path):
    f = tmp_path / "a-file"
    f.write_bytes(b"keep")
    for out_dir in (f, f / "sub"):
        code, out, err = _build_th(project, font_cache, out_dir)
        assert code == 1, err
        assert f"{f}: it is a file, not a folder" in err and "hint:" in err
        no_traceback(out, err)
    assert f.read_bytes() == b"keep"
    code, out, err = run("proof", "--project", project, "--lang", "en", "--out", f, "--dpi", "10", cache=font_cache)
    assert code == 1 and "it is a file, not a folder" in err, err
    code, out, err = run("translations", "export", "th", "--project", project, "-o", f / "th.po")
    assert code == 1 and "it is a file, not a folder" in err, err
    code, out, err = run("translations", "export", "th", "--project", project, "-o", tmp_path)
    assert code == 1 and "it is a folder, not a file" in err, err
    assert f.read_bytes() == b"keep"


def _read_only(monkeypatch, folder: Path):
    """Make temporary files and folders in ``folder`` fail as on a read-only file system."""
    from leaflets import atomic
    real = {name: getattr(atomic.tempfile, name) for name in ("mkdtemp", "mkstemp")}

    def refusing(name):
        def make(*a, **k):
            where = Path(k.get("dir") or ".").resolve()
            if where == folder.resolve() or folder.resolve() in where.parents:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(where))
            return real[name](*a, **k)
        return make

    for name in real:
        monkeypatch.setattr(atomic.tempfile, name, refusing(name))


def test_read_only_out(project, font_cache, monkeypatch):
    out_dir = project / "output"
    before = snapshot(out_dir)
    _read_only(monkeypatch, out_dir)
    code, out, err = _build_th(project, font_cache, out_dir)
    assert code == 1, err
    assert "read-only" in err and "hint:" in err and "previous output is unchanged" in err
    no_traceback(out, err)
    assert snapshot(out_dir) == before
    code, out, err = run("translations", "export", "th", "--project", project, "-o", out_dir / "th.po")
    assert code == 1 and "read-only" in err
    assert snapshot(out_dir) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind root")
def test_a_folder_without_write_permission(project, font_cache, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, out, err = _build_th(project, font_cache, locked / "out")
        assert code == 1 and "permission denied" in err, err
        no_traceback(out, err)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_a_full_disk_leaves_the_previous_output(project, font_cache, monkeypatch):
    from leaflets import atomic
    out_dir = project / "output"
    before = snapshot(out_dir)
    calls = []

    def full(f, data):
        calls.append(1)
        if len(calls) == 2:           # the second file: half of it fits
            f.write(data[:len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        f.write(data)

    monkeypatch.setattr(atomic, "_write_all", full)
    code, out, err = _build_th(project, font_cache, out_dir)
    assert code == 1, err
    assert "the disk is full" in err and "hint:" in err and "previous output is unchanged" in err
    no_traceback(out, err)
    assert snapshot(out_dir) == before


def test_a_full_tmpfs(project, font_cache, tmp_path):
    """A real file system that fills up (when this machine lets us mount one)."""
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    try:
        (mnt / "out" / "a4-leaflet").mkdir(parents=True)
        (mnt / "out" / "a4-leaflet" / "a4-leaflet.th.online.pdf").write_bytes(b"previous")
        before = snapshot(mnt / "out")
        code, out, err = run("build", "--project", project, "--lang", "th,ja,ar", "--out", mnt / "out",
                             cache=font_cache)
        assert code == 1, out + err
        assert "the disk is full" in err
        no_traceback(out, err)
        assert snapshot(mnt / "out") == before
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_a_failure_while_moving_files_into_place_puts_the_previous_ones_back(project, font_cache, monkeypatch):
    from leaflets import atomic
    out_dir = project / "output"
    before = snapshot(out_dir)
    real = os.replace
    calls = []

    def flaky(a, b):
        if out_dir.resolve() not in Path(b).resolve().parents:
            return real(a, b)             # not one of the build's files (a font cache, say)
        calls.append((a, b))
        if len(calls) == 3:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(b))
        return real(a, b)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    code, out, err = _build_th(project, font_cache, out_dir)
    assert code == 1 and "previous output is unchanged" in err, err
    no_traceback(out, err)
    assert len(calls) >= 3
    assert snapshot(out_dir) == before


def test_an_interrupted_build_leaves_the_previous_output(project, font_cache, monkeypatch):
    from leaflets.build import Workspace
    out_dir = project / "output"
    before = snapshot(out_dir)
    real = Workspace.render
    calls = []

    def render(self, *a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(Workspace, "render", render)
    code, out, err = _build_th(project, font_cache, out_dir)
    assert code == 130
    assert "interrupted: the previous output is unchanged" in err
    no_traceback(out, err)
    assert snapshot(out_dir) == before


def test_staging_leftovers_of_a_killed_build_are_swept(project, font_cache):
    out_dir = project / "output"
    # a process id that is not running: the largest the kernel could hand out, plus one
    dead = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1 if Path("/proc/sys/kernel/pid_max").exists() \
        else 2 ** 22 + 1
    left = out_dir / f".leaflets-staging-{dead}-abc"
    (left / "a4-leaflet").mkdir(parents=True)
    (left / "a4-leaflet" / "a4-leaflet.th.online.pdf").write_bytes(b"half")
    code, out, err = _build_th(project, font_cache, out_dir)
    assert code == 0, err
    assert not left.exists()


# ---------------------------------------------------------- real processes

def _env():
    env = dict(os.environ)
    env.pop("LEAFLETS_DEBUG", None)
    return env


def test_a_closed_pipe_ends_quietly(font_cache):
    r, w = os.pipe()
    os.close(r)                       # the reader is gone before anything is written
    try:
        p = subprocess.run([sys.executable, "-m", "leaflets", "fonts", "--project", str(ROOT),
                            "--cache", str(font_cache)], stdout=w, stderr=subprocess.PIPE, env=_env(), timeout=120)
    finally:
        os.close(w)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 1, err
    assert "broken pipe" in err and "Traceback" not in err, err


def test_fonts_piped_into_head(font_cache):
    if not shutil.which("head") or not shutil.which("sh"):
        pytest.skip("needs sh and head")
    cmd = f'"{sys.executable}" -m leaflets fonts --project "{ROOT}" --cache "{font_cache}" | head -1'
    p = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, env=_env(), timeout=120)
    assert p.returncode == 0
    assert len(p.stdout.splitlines()) == 1
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr


_INTERRUPT = """
import os, signal, sys
# Ctrl-C as at a terminal, also where this test was started with SIGINT ignored (a background job)
signal.signal(signal.SIGINT, signal.default_int_handler)
from leaflets.build import Workspace
real = Workspace.render
calls = []
def render(self, *a, **k):
    calls.append(1)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGINT)     # Ctrl-C, half-way through
    return real(self, *a, **k)
Workspace.render = render
from leaflets.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_during_a_build(project, font_cache):
    out_dir = project / "output"
    before = snapshot(out_dir)
    p = subprocess.run([sys.executable, "-c", _INTERRUPT, "build", "--project", str(project), "--lang", "th,ja",
                        "--edition", "online", "--cache", str(font_cache)], capture_output=True, text=True,
                       env=_env(), timeout=300)
    assert p.returncode == 130, p.stderr
    assert "interrupted: the previous output is unchanged" in p.stderr
    no_traceback(p.stdout, p.stderr)
    assert snapshot(out_dir) == before


def test_python_exceptions_never_reach_the_user(project, font_cache, monkeypatch):
    """Even a bug is one line and a hint, not a traceback."""
    from leaflets.build import Workspace

    def broken(self, *a, **k):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(Workspace, "plan", broken)
    monkeypatch.delenv("LEAFLETS_DEBUG", raising=False)
    code, out, err = _build_th(project, font_cache, project / "output")
    assert code == 1
    assert "internal error" in err and "LEAFLETS_DEBUG" in err
    assert "Traceback" not in err
