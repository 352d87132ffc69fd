"""The annual fact sheet: its figures come back out of the PDFs, its charts are
vectors, every language builds, bad reports are refused with file and line,
and a previous year's file gives the year-on-year changes."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata

import pytest

from leaflets.errors import Diagnostics
from leaflets.model.report import CHANGE_FIGURES, load_reports

LANGS_LOOKED_AT = ("en", "ja", "th", "ar", "my")


@pytest.fixture(scope="module")
def sheets(workspace, tmp_path_factory):
    """Every language's fact sheet, print and online, rendered in memory."""
    jobs = workspace.jobs(["factsheet"], None, ["print", "online", "png"])
    plan = workspace.plan(jobs)
    assert not plan.diagnostics.errors, [d.format() for d in plan.diagnostics.errors]
    out = {}
    for o in workspace.outputs(plan, tmp_path_factory.mktemp("out")):
        out[(o.job.lang, o.edition, o.path.name)] = o.data
    return out


def _pdf(sheets, lang, edition):
    return sheets[(lang, edition, f"factsheet.{lang}.{edition}.pdf")]


def _text(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


# a number as a locale writes it: digits of any script, group separators between them, a sign before
_NUMBER = re.compile(r"([+\-\u2212±]?)\s?((?:\d[\d,.\u066c\u00a0\u202f'’]*\d)|\d)")


def _numbers(text: str, lang: str) -> list[tuple[str, int]]:
    """Every number in ``text``: (sign, value), native digits read by their Unicode digit value and
    the locale's group separators removed (with Babel's own parser)."""
    from babel.numbers import parse_decimal
    from leaflets.layout.factsheet import babel_locale
    # Babel writes left-to-right and other marks around signs; they are not part of the value
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    out = []
    for m in _NUMBER.finditer(text):
        sign, digits = m.group(1), m.group(2)
        ascii_digits = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in digits)
        try:
            value = int(parse_decimal(ascii_digits, locale=babel_locale(lang), strict=False))
        except Exception:
            value = int(re.sub(r"\D", "", ascii_digits))
        out.append((sign, value))
    return out


def test_every_number_in_every_language_is_the_report(workspace, sheets):
    project = workspace.project
    report = project.reports.current()
    facts = project.facts
    expected = set(report.figures.values()) | {report.year}
    changes = set(report.changes.values())
    assert changes, "the 2019 report stores its changes"
    for lang in project.languages:
        pages = _text(_pdf(sheets, lang, "online"))
        assert len(pages) == 2
        text = "\n".join(pages)
        # the campaign's own facts are printed as they are, not as figures
        assert facts.hotline_display in text
        assert facts.links["report"].display in text
        text = text.replace(facts.hotline_display, " ").replace(facts.links["report"].display, " ")
        found = _numbers(text, lang)
        signed = {(-v if s in "-\u2212" else v) for s, v in found if s}
        unsigned = {v for s, v in found if not s}
        assert signed == changes, (lang, signed)
        assert unsigned == expected, (lang, unsigned ^ expected)
        # every figure of the report is printed, the year on both pages
        for page in pages:
            assert report.year in {v for _s, v in _numbers(page, lang)}, lang


def test_native_digits_where_the_locale_has_them(sheets):
    from leaflets.layout.factsheet import format_count
    assert format_count(47, "my") == "\u1044\u1047"          # Burmese digits
    assert format_count(47, "ne") == "\u096a\u096d"          # Devanagari digits
    assert format_count(47, "ar") == "47"                    # CLDR's default for Arabic: Latin digits
    assert format_count(20, "en", signed=True) == "+20"
    my = "\n".join(_text(_pdf(sheets, "my", "online")))
    assert "\u1044\u1047" in my and "2019" not in my.replace("0120-924-839", "")


def test_charts_are_vectors(sheets, workspace):
    import pikepdf
    for lang in workspace.project.languages:
        for edition in ("print", "online"):
            with pikepdf.open(io.BytesIO(_pdf(sheets, lang, edition))) as pdf:
                assert len(pdf.pages) == 2
                for index, page in enumerate(pdf.pages):
                    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
                    for name in xobjects.keys():
                        assert xobjects[name].get("/Subtype") != "/Image", (lang, edition, name)
                    # the charts are filled paths: page 1's bars, tiles and legend swatches are rectangles
                    ops = [str(op) for _operands, op in pikepdf.parse_content_stream(page)]
                    assert ops.count("re") >= (25 if index == 0 else 5), (lang, edition, index)
                    assert ops.count("f") >= (25 if index == 0 else 5)


def test_print_files_pass_preflight_and_keep_their_boxes(sheets, workspace):
    import pikepdf
    from leaflets.preflight import preflight
    project = workspace.project
    for lang in project.languages:
        data = _pdf(sheets, lang, "print")
        report = preflight(data, "shop", facts=project.facts, qr="fast", expect_qr=[], name=lang)
        assert not report.errors, (lang, [f.message for f in report.errors])
        assert report.pages == 2
        for rule in ("text-size", "ink-limit", "black-overprint", "rich-black", "colour", "bleed", "pdfx"):
            assert report.rules.get(rule) == "pass", (lang, rule, report.rules.get(rule))
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert str(pdf.docinfo.get("/GTS_PDFXVersion")).startswith("PDF/X")
            for page in pdf.pages:
                trim = [float(v) for v in page.obj.TrimBox]
                bleed = [float(v) for v in page.obj.BleedBox]
                assert abs((trim[0] - bleed[0]) - 3 * 72 / 25.4) < 0.01


def test_every_language_has_pngs_of_both_pages_and_the_draft_mark(sheets, workspace):
    from leaflets.build import is_draft
    for lang in workspace.project.languages:
        assert sheets[(lang, "png", f"factsheet.{lang}.png")][:8] == b"\x89PNG\r\n\x1a\n"
        assert sheets[(lang, "png", f"factsheet.{lang}.p2.png")][:8] == b"\x89PNG\r\n\x1a\n"
        pages = _text(_pdf(sheets, lang, "print"))
        for page in pages:
            assert ("Draft translation — not reviewed" in page) == is_draft(workspace.project, lang), lang


def test_build_is_byte_identical(workspace):
    jobs = workspace.jobs(["factsheet"], ["ar"], ["print", "online"])
    plan = workspace.plan(jobs)
    first = [o.data for o in workspace.outputs(plan, workspace.root / "output")]
    plan = workspace.plan(jobs)
    second = [o.data for o in workspace.outputs(plan, workspace.root / "output")]
    assert first == second


# ---------------------------------------------------------------- the reports

def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_totals_that_do_not_add_up_are_errors_with_file_and_line(project_copy):
    path = project_copy / "content" / "reports" / "2019.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    foreign: 13", "    foreign: 12")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.strip() == "by_nationality:")
    diags = Diagnostics()
    reports = load_reports(path.parent, diags)
    errors = [d for d in diags.errors if "adds up to 46" in d.message]
    assert errors and errors[0].file == path and errors[0].line == line, [d.format() for d in diags.errors]
    assert "victims.total is 47" in errors[0].message
    assert 2019 not in reports.reports


@pytest.mark.parametrize("old,new,needle", [
    ("  total: 39", "  total: 40", "adds up to 39"),            # suspects by gender and nationality
    ("    pending: 9", "    pending: 8", "adds up to 31"),      # outcomes against prosecuted
    ("  minors: 19", "  minors: 48", "more than victims.total"),
    ("  minors: 19", "  minors: -1", "from 0 to"),
    ("  minors: 19", "  minors: 19.5", "whole number"),
    ("  minors: 19", '  minors: "19"', "whole number"),
    ("  minors: 19", "  minors: true", "whole number"),
    ("    female: 47", "    femal: 47", "did you mean 'female'"),
    ("  victims.minors: +14", "  victims.minor: +14", "did you mean 'victims.minors'"),
    ("year: 2019", "year: 2020", "does not match the file name"),
])
def test_bad_reports_are_errors_with_file_and_line(project_copy, old, new, needle):
    path = project_copy / "content" / "reports" / "2019.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    diags = Diagnostics()
    load_reports(path.parent, diags)
    hits = [d for d in diags.errors if needle in d.message + " " + (d.hint or "")]
    assert hits, (needle, [d.format() for d in diags.errors])
    assert hits[0].file == path and hits[0].line is not None


def test_check_reports_a_bad_report_and_exits_1(project_copy):
    path = project_copy / "content" / "reports" / "2019.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    guilty: 23", "    guilty: 22"), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "leaflets", "check", "--project", str(project_copy)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "2019.yaml:" in r.stdout + r.stderr and "suspects.outcomes adds up to 31" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_previous_year_file_gives_the_changes(project_copy, workspace):
    folder = project_copy / "content" / "reports"
    current = (folder / "2019.yaml").read_text(encoding="utf-8")
    # the 2019 file without its stored changes, and a 2018 file beside it
    current = re.sub(r"change_from_previous:\n(  .*\n)+", "", current)
    (folder / "2019.yaml").write_text(current, encoding="utf-8")
    _write(folder, "2018.yaml", """year: 2018
victims:
  total: 27
  minors: 5
  by_gender: {female: 25, male: 2}
  by_nationality: {japanese: 20, foreign: 7}
suspects:
  total: 50
  cases: 60
  by_gender: {male: 40, female: 10}
  by_nationality: {japanese: 45, foreign: 5}
  prosecuted: 33
  outcomes: {guilty: 30, pending: 3}
measures: [prevention]
""")
    diags = Diagnostics()
    reports = load_reports(folder, diags)
    assert not diags.errors, [d.format() for d in diags.errors]
    r = reports.current()
    assert r.year == 2019 and r.changes_computed
    assert r.changes == {"victims.total": 20, "victims.minors": 14, "suspects.total": -11, "suspects.cases": -3,
                         "suspects.prosecuted": -1}
    # and the sheet prints them, signed
    from leaflets.build import Workspace
    ws = Workspace(project_copy, workspace.fonts.cache_dir, workspace.fonts, workspace.renderer)
    plan = ws.plan(ws.jobs(["factsheet"], ["en"], ["online"]))
    assert not plan.diagnostics.errors
    (pdf,) = [o.data for o in ws.outputs(plan, project_copy / "output")]
    found = _numbers("\n".join(_text(pdf)).replace("0120-924-839", ""), "en")
    assert {(-v if s == "-" else v) for s, v in found if s} == set(r.changes.values())


def test_stored_changes_must_agree_with_the_previous_file(project_copy):
    folder = project_copy / "content" / "reports"
    text = (folder / "2019.yaml").read_text(encoding="utf-8")
    prev = text.replace("year: 2019", "year: 2018").replace("  total: 47", "  total: 30").replace(
        "    female: 47", "    female: 30").replace("    japanese: 34", "    japanese: 17")
    prev = re.sub(r"change_from_previous:\n(  .*\n)+", "", prev)
    _write(folder, "2018.yaml", prev)
    diags = Diagnostics()
    load_reports(folder, diags)
    hits = [d for d in diags.errors if "change_from_previous.victims.total is +20" in d.message]
    assert hits and hits[0].file == folder / "2019.yaml" and hits[0].line


def test_a_big_count_never_reads_as_a_phone_number(project_copy, workspace):
    """Counts are at most seven digits, so no count is a phone-like run for the facts guard."""
    folder = project_copy / "content" / "reports"
    path = folder / "2019.yaml"
    text = path.read_text(encoding="utf-8").replace("  cases: 57", "  cases: 12345678")
    path.write_text(text, encoding="utf-8")
    diags = Diagnostics()
    load_reports(folder, diags)
    assert any("suspects.cases must be from 0 to 9999999" in d.message for d in diags.errors)


def test_other_files_in_reports_are_named(project_copy):
    folder = project_copy / "content" / "reports"
    _write(folder, "notes.yaml", "a: 1\n")
    diags = Diagnostics()
    load_reports(folder, diags)
    assert any(d.file == folder / "notes.yaml" and "neither a year's report" in d.message for d in diags.errors)


def test_no_reports_folder_no_factsheet(project_copy):
    import shutil
    from leaflets.model.load import load_project
    shutil.rmtree(project_copy / "content" / "reports")
    project, diags = load_project(project_copy)
    assert not diags.errors
    from leaflets.build import all_jobs
    assert all(j.design != "factsheet" for j in all_jobs(project))


def test_every_language_has_every_fact_sheet_string(workspace):
    from leaflets.model.report import required_keys
    project = workspace.project
    keys = required_keys(project.reports.current())
    for lang, language in project.languages.items():
        missing = [k for k in keys if k not in language.strings or not language.strings[k].text]
        assert not missing, (lang, missing)
        if not language.is_source:
            for k in keys:
                assert language.strings[k].source == project.source.strings[k].text, (lang, k)
    assert set(CHANGE_FIGURES.values()) <= set(keys)


def test_online_edition_links_the_hotline_and_the_address(sheets, workspace):
    import pikepdf
    facts = workspace.project.facts
    with pikepdf.open(io.BytesIO(_pdf(sheets, "th", "online"))) as pdf:
        uris = [str(a.A.URI) for page in pdf.pages for a in page.obj.get("/Annots", []) if "/A" in a]
    assert uris == [facts.link_target("hotline"), facts.link_target("report")]
    with pikepdf.open(io.BytesIO(_pdf(sheets, "th", "print"))) as pdf:
        assert not any("/Annots" in page.obj for page in pdf.pages)
