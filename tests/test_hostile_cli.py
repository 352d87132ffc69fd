"""Hostile input through the newer commands (batch, preflight, impose, translations, build's selectors):
each payload is made here, and each must end in a clear error (exit 1, or 2 for usage) with no traceback,
never hang, and write nothing half-made — nor replace what is not a regular file."""

from __future__ import annotations

import io
import os
import re
import stat
import zlib
from pathlib import Path

import pytest

from leaflets.batch import load_spec
from leaflets.batch.logo import load_logo
from leaflets.cli import main
from leaflets.errors import ContentError
from leaflets.model.load import require_project

ROOT = Path(__file__).resolve().parents[1]

_PY_EXCEPTION = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception|Interrupt):")


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    for text in (out.getvalue(), err.getvalue()):
        assert "Traceback" not in text and not _PY_EXCEPTION.search(text), text
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def project():
    return require_project(ROOT)[0]


def refused(tmp_path, project, org: str) -> str:
    """The messages refusing a spec with this organisation block (each with file, line and hint)."""
    lines = "\n".join("  " + line for line in org.splitlines())
    path = tmp_path / "spec.yaml"
    path.write_text(f"id: hostile\norganisation:\n  name: Test Org\n{lines}\nlanguages: [en]\n"
                    "formats: [a4-leaflet]\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_spec(path, project)
    for d in info.value.diagnostics:
        assert d.file == path and d.line is not None and d.hint, d.format()
    return "\n".join(d.message for d in info.value.diagnostics)


def accepted(tmp_path, project, org: str):
    lines = "\n".join("  " + line for line in org.splitlines())
    path = tmp_path / "spec.yaml"
    path.write_text(f"id: hostile\norganisation:\n  name: Test Org\n{lines}\nlanguages: [en]\n"
                    "formats: [a4-leaflet]\n", encoding="utf-8")
    return load_spec(path, project)


# ------------------------------------------------- the campaign's facts inside the organisation's addresses

HOTLINE_DIGITS = "0120924839"


@pytest.mark.parametrize("website", [
    "https://example.org/?q=0120-924-839",                     # the hotline in the query
    "https://example.org/0120924839",                          # in the path
    "https://example.org/%30120%2D924%2D839",                  # percent-escaped
    "https://example.org/call/\uff10\uff11\uff12\uff10\uff19\uff12\uff14\uff18\uff13\uff19",  # full width
    "https://example.org/www.tokumei24.jp.evil.example",       # an imitation of the report host in the path
    "https://example.org/r?u=https://www.tokumei24.jp/",       # the report host as bait
    "https://example.org/t\u043ekumei24.jp",                   # Cyrillic o
    "https://example.org/%E2%80%8Bx",                          # an escaped zero-width space
])
def test_a_website_path_cannot_name_the_campaigns_number_or_host(tmp_path, project, website):
    msg = refused(tmp_path, project, f'website: "{website}"')
    assert "website" in msg


@pytest.mark.parametrize("host", ["tokumei-24.jp", "tokumei42.jp", "tokumei2.jp", "okumei24.jp",
                                  "to-ku-mei24.jp", "tokumeii24.jp"])
def test_a_host_one_edit_or_hyphens_away_from_the_report_host_is_refused(tmp_path, project, host):
    assert "imitates" in refused(tmp_path, project, f'website: "https://{host}/"')


@pytest.mark.parametrize("email", [f"{HOTLINE_DIGITS}@example.org", "tokumei24@example.org",
                                   "tokumei24.jp@example.org", "0120-924-839@example.org"])
def test_an_email_user_name_cannot_name_the_campaign(tmp_path, project, email):
    assert "user name" in refused(tmp_path, project, f'email: "{email}"')


@pytest.mark.parametrize("line_id", ["@tokumei24", "@tokumei24.jp", "tokumei-24"])
def test_a_line_id_cannot_name_the_campaign(tmp_path, project, line_id):
    assert "LINE" in refused(tmp_path, project, f'line_id: "{line_id}"') or "line_id" in refused(
        tmp_path, project, f'line_id: "{line_id}"')


def test_ordinary_addresses_still_pass(tmp_path, project):
    s = accepted(tmp_path, project, 'website: "https://www.example.org/2026/contact?id=12&lang=ja"\n'
                                    'email: "info.2026@example.org"\nline_id: "@example-ngo"')
    assert s.organisation.website.startswith("https://www.example.org/2026/contact")
    assert s.organisation.email == "info.2026@example.org"
    assert s.organisation.line_id == "@example-ngo"


# ------------------------------------------------------------------------------------ logos

_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50">{}</svg>'


@pytest.mark.parametrize("body", [
    '<path d="M0 0 A 1e308 1e308 0 1 1 1e-308 1e-308"/>',     # overflows in the arc's radius correction
    '<path d="M0 0 A 1e-320 1e-320 45 1 0 10 10"/>',          # a denormal radius
    '<path d="M1e308 0 A 5 5 0 1 0 -1e308 10"/>',             # NaN centre
    '<path d="M0 0 A 1e308 1e-308 0 1 1 10 10"/>',
])
def test_svg_arithmetic_at_the_ends_of_the_float_range_is_an_error(tmp_path, body):
    (tmp_path / "logo.svg").write_text(_SVG.format(body), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_logo("logo.svg", tmp_path, 7, spec_file=tmp_path / "spec.yaml")
    d = info.value.diagnostics[0]
    assert d.file == tmp_path / "spec.yaml" and d.line == 7 and d.hint
    assert "too large or too small" in d.message or "outside the SVG's viewBox" in d.message, d.message


# ------------------------------------------------------------------------- files that are not files

@pytest.fixture
def fifo(tmp_path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    path = tmp_path / "pipe.pdf"
    os.mkfifo(path)
    return path


def test_preflight_of_a_pipe_is_an_error_not_a_wait(fifo):
    code, out, err = run("preflight", "--no-project", fifo)
    assert code == 1
    assert "not a regular file" in out + err


def test_preflight_of_a_folder_says_so(tmp_path):
    code, out, err = run("preflight", "--no-project", tmp_path)
    assert code == 1 and "folder" in out + err


def test_impose_of_a_pipe_is_an_error_not_a_wait(fifo, tmp_path):
    code, out, err = run("impose", "-o", tmp_path / "sheets.pdf", "fill-a4", fifo)
    assert code == 1 and "not a regular file" in err
    assert not (tmp_path / "sheets.pdf").exists()


def test_translations_import_of_a_pipe_is_an_error_not_a_wait(fifo):
    code, out, err = run("translations", "import", "--project", ROOT, fifo)
    assert code == 1 and "not a regular file" in err


def _card_pdf(path: Path) -> Path:
    import pikepdf
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page(page_size=(260, 173))
    pdf.pages[0].TrimBox = pikepdf.Array([8.5, 8.5, 251.5, 164.5])
    pdf.pages[0].BleedBox = pikepdf.Array([0, 0, 260, 173])
    pdf.save(path)
    return path


def test_impose_never_replaces_a_pipe_or_a_device_with_its_sheets(fifo, tmp_path):
    card = _card_pdf(tmp_path / "card.pdf")
    code, out, err = run("impose", "-o", fifo, "fill-a4", card)
    assert code == 1 and "not a file" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)          # still the pipe
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_impose_error_names_no_in_memory_stream(tmp_path):
    import pikepdf
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page()
    root = pdf.Root.Pages
    kid = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Pages, Kids=pikepdf.Array([]), Count=1,
                                               Parent=root))
    kid.Kids.append(kid)                                    # a loop in the page tree
    root.Kids.append(kid)
    root.Count = 2
    pdf.save(tmp_path / "loop.pdf")
    code, out, err = run("impose", "-o", tmp_path / "sheets.pdf", "fill-a4", tmp_path / "loop.pdf")
    assert code == 1 and "damaged" in err
    assert "BytesIO" not in err and "0x" not in err


# ---------------------------------------------------------------------------------- preflight

def test_preflight_of_a_content_stream_bomb_is_bounded(tmp_path):
    """200 MB of drawing operators in a 0.4 MB file: neither qpdf's syntax check, the walker, the QR
    raster nor the text read may parse it (each would take minutes and gigabytes)."""
    import pikepdf
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.Contents = pdf.make_stream(b"")
    page.Contents.write(zlib.compress(b"0 0 1 1 re f\n" * 16_000_000, 6), filter=pikepdf.Name.FlateDecode)
    pdf.save(tmp_path / "bomb.pdf")
    code, out, err = run("preflight", "--json", "--project", ROOT, tmp_path / "bomb.pdf")
    assert code == 1
    import json
    report = json.loads(out)["files"][0]
    messages = " ".join(f["message"] for f in report["findings"])
    assert "too complex to analyse" in messages
    assert "not rendered to look for QR codes" in messages


def test_preflight_of_operators_that_are_not_utf8_is_a_finding(tmp_path):
    import pikepdf
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(b"q \xbd\xfe\xff Q 0 0 1 1 re f")
    pdf.save(tmp_path / "odd.pdf")
    code, out, err = run("preflight", "--no-project", "--no-qr", tmp_path / "odd.pdf")
    assert code == 1
    assert "no PDF operator" in out


# ----------------------------------------------------------------------------- command line

@pytest.mark.parametrize("command", [["build"], ["preview", "en"], ["proof"]])
@pytest.mark.parametrize("empty", ["", ",,,"])
def test_an_empty_design_selector_is_a_usage_error_not_every_design(command, empty, tmp_path):
    code, out, err = run(*command, "--project", ROOT, "--design", empty, "--out", tmp_path / "out")
    assert code == 2 and "--design needs a design id" in err
    assert not (tmp_path / "out").exists()


def test_batch_init_in_a_missing_folder_names_the_folder_and_no_manifest(tmp_path):
    target = tmp_path / "no-such-folder" / "batch.yaml"
    code, out, err = run("batch", "init", target)
    assert code == 1
    assert f"the folder {target.parent} does not exist" in err
    assert "manifest" not in err and ".tmp" not in err


def test_impose_takes_files_after_the_output_option(tmp_path):
    card = _card_pdf(tmp_path / "card.pdf")
    code, out, err = run("impose", "fill-a4", "-o", tmp_path / "sheets.pdf", card)
    assert code == 0, err
    import pikepdf
    with pikepdf.open(tmp_path / "sheets.pdf") as sheets:
        assert len(sheets.pages) == 1
    code, out, err = run("impose", "fill-a4", "-o", tmp_path / "other.pdf", card, "--no-such-option")
    assert code == 2 and "unrecognized arguments" in err
    assert not (tmp_path / "other.pdf").exists()


@pytest.mark.parametrize("command", [["build"], ["preview", "en"], ["proof"], ["batch", "spec.yaml"]])
def test_a_file_given_as_the_cache_folder_is_a_clear_error(command, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_bytes(b"keep me")
    code, out, err = run(*command, "--project", ROOT, "--cache", a_file, *(["--out", tmp_path / "out"]
                                                                       if command[0] != "batch" else []))
    assert code == 1 and f"cannot use {a_file} as the font cache: it is a file, not a folder" in err
    assert "hint:" in err
    assert a_file.read_bytes() == b"keep me"


def test_the_facts_guard_reads_a_long_string_without_spaces_in_one_pass(project):
    """200,000 Thai letters (no spaces, so no word end for the address search): the search for a user name
    before '@' is bounded, so this is one pass and not 200,000 of them; an address after it is still found."""
    from leaflets.model.guard import FactsGuard
    guard = FactsGuard.from_facts(project.facts)
    long_text = "\u0e01" * 200_000
    assert guard._addresses(long_text) == []
    found = guard._addresses(long_text + "@tokumei24.jp.evil.example \u0e01")
    assert found and "imitates" in found[0].message


def test_preflight_text_report_sends_no_control_character_from_the_file_to_the_terminal(tmp_path):
    import pikepdf
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name("/Evil\x1b[2JFont"))))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 72 Td (hi) Tj ET")
    name = tmp_path / "report\x1b[31m\nfake: PASSED.pdf"
    pdf.save(name)
    code, out, err = run("preflight", "--no-project", "--no-qr", name)
    assert code == 1
    assert "\x1b" not in out + err
    assert "Evil" in out and "fake: PASSED.pdf: FAILED" in out
    assert not any(line.startswith("fake: PASSED") for line in out.splitlines())
