"""The print edition as PDF/X: OutputIntent, XMP, Info, version, profiles, the facts
fingerprint, determinism; read back with pikepdf and lxml."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from leaflets.build import Workspace
from leaflets.cli import main
from leaflets.errors import ContentError, UsageError
from leaflets.preflight import preflight
from leaflets.render import pdfx

Name = pikepdf.Name
NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "pdfxid": "http://www.npes.org/pdfx/ns/id/", "pdfx": "http://ns.adobe.com/pdfx/1.3/",
      "pdf": "http://ns.adobe.com/pdf/1.3/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "xmpMM": "http://ns.adobe.com/xap/1.0/mm/", "dc": "http://purl.org/dc/elements/1.1/",
      "leaflets": pdfx.LEAFLETS_NS}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], out, err)
    return code, out.getvalue(), err.getvalue()


def xmp(pdf: pikepdf.Pdf):
    data = pdf.Root.Metadata.read_bytes()
    assert pdf.Root.Metadata.get("/Filter") is None, "XMP must stay readable (uncompressed)"
    return etree.fromstring(data[data.index(b"<x:xmpmeta"):data.index(b"</x:xmpmeta>") + 12])


def one(tree, path: str) -> str:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0].text if hasattr(found[0], "text") else str(found[0])


@pytest.fixture(scope="module")
def x1a_workspace(root, font_cache):
    return Workspace(root, font_cache, pdfx=pdfx.PdfxSettings("x1a"))


def _print(ws, lang="en"):
    """The print PDF of ``lang``, rendered in memory (nothing is written)."""
    job = ws.jobs(["a4-leaflet"], [lang], ["print"])[0]
    plan = ws.plan([job])
    return next(o.data for o in ws.outputs(plan, Path("unused")))


# ------------------------------------------------------------------ PDF/X-4

def test_x4_output_intent_xmp_info_and_version(built, root, workspace):
    data = built[("en", "print")]
    assert data.startswith(b"%PDF-1.6")
    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf.pdf_version == "1.6"
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1
    oi = intents[0]
    assert oi.S == Name("/GTS_PDFX") and str(oi.OutputConditionIdentifier) == "JC11"
    assert str(oi.RegistryName) == "http://www.color.org"
    assert int(oi.DestOutputProfile.N) == 4
    assert oi.DestOutputProfile.read_bytes() == (root / "icc" / "JapanColor2011Coated.icc").read_bytes()
    tree = xmp(pdf)
    assert one(tree, "//pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    assert one(tree, "//pdf:Trapped") == "False"
    info = pdf.trailer.Info
    assert info.Trapped == Name("/False") and str(info.GTS_PDFXVersion) == "PDF/X-4"
    assert one(tree, "//dc:title/rdf:Alt/rdf:li") == str(info.Title)
    assert one(tree, "//dc:creator/rdf:Seq/rdf:li") == str(info.Author)
    assert one(tree, "//xmp:CreateDate") == "2026-01-01T00:00:00+00:00"      # the campaign edition's year
    assert str(info.CreationDate) == str(info.ModDate) == "D:20260101000000+00'00'"
    assert one(tree, "//xmpMM:DocumentID").startswith("uuid:")
    assert one(tree, "//xmpMM:InstanceID") != one(tree, "//xmpMM:DocumentID")
    fingerprint = pdfx.facts_fingerprint(workspace.project.facts)
    assert str(info[pdfx.INFO_FACTS]) == fingerprint == one(tree, "//leaflets:FactsSHA256")
    versions = str(info[pdfx.INFO_VERSIONS])
    import reportlab
    import uharfbuzz
    for expected in (f"reportlab {reportlab.Version}", f"uharfbuzz {uharfbuzz.__version__}", "ICU ", "icu4py ",
                     "leaflets "):
        assert expected in versions, versions
    assert one(tree, "//leaflets:Versions") == versions


def test_x4_keeps_boxes_and_embedded_fonts(built):
    pdf = pikepdf.open(io.BytesIO(built[("th", "print")]))
    page = pdf.pages[0]
    assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
    for _name, font in page.Resources.Font.items():
        assert "/FontFile2" in font.FontDescriptor or "/FontFile3" in font.FontDescriptor


@pytest.mark.parametrize("lang", ["en", "ja", "ar"])
def test_outputs_pass_qpdf_check(built, lang):
    for edition in ("print", "online"):
        pdf = pikepdf.open(io.BytesIO(built[(lang, edition)]))
        check = pdf.check_pdf_syntax() if hasattr(pdf, "check_pdf_syntax") else pdf.check()
        assert check == [] and pdf.get_warnings() == []
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                obj.read_bytes()


def _xref_offsets(data: bytes) -> dict[int, int]:
    """The classic cross-reference table of ``data``, read by hand: object number -> offset."""
    import re
    start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    assert data[start:start + 4] == b"xref"
    lines = data[start:].split(b"trailer")[0].splitlines()[1:]
    first, count = map(int, lines[0].split())
    entries = [line for line in lines[1:] if line.strip()]
    assert len(entries) == count
    return {first + i: int(e[:10]) for i, e in enumerate(entries) if e.split()[2] == b"n"}


@pytest.mark.parametrize("lang", ["en", "ja", "th", "ar"])
def test_the_profile_written_after_qpdf_leaves_a_sound_file(built, root, lang, tmp_path):
    """The ICC profile is spliced into the file qpdf wrote: every cross-reference entry must point at its
    object, and every reader must take the file without repairing it."""
    data = built[(lang, "print")]
    for num, offset in _xref_offsets(data).items():
        assert data[offset:].startswith(b"%d 0 obj" % num), (num, offset)
    pdf = pikepdf.open(io.BytesIO(data))
    profile = pdf.Root.OutputIntents[0].DestOutputProfile
    assert profile.read_bytes() == (root / "icc" / "JapanColor2011Coated.icc").read_bytes()
    assert int(profile.Length) == len(profile.read_raw_bytes())
    assert pdf.check_pdf_syntax() == [] and pdf.get_warnings() == []
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(data)
    assert len(doc) == 1 and doc[0].get_textpage().get_text_range()
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    mined = PDFDocument(PDFParser(io.BytesIO(data)))
    assert mined.xrefs and not getattr(mined.xrefs[0], "is_fallback", False)
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    if shutil.which("pdfinfo"):
        import subprocess
        done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
        assert done.returncode == 0 and "rror" not in done.stderr, done.stderr


def test_splice_stream_refuses_what_it_does_not_read(built):
    """A file with an incremental update or a cross-reference stream is not spliced (None): the caller
    writes the profile through qpdf instead."""
    data = built[("en", "print")]
    path = ("/Root", "/OutputIntents", 0, "/DestOutputProfile")
    pdf = pikepdf.open(io.BytesIO(data))
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert pdfx.splice_stream(out.getvalue(), path, b"<< /Length 1 >>", b"x") is None
    assert pdfx.splice_stream(data + b"\n% more\n", path, b"<< /Length 1 >>", b"x") is None   # after %%EOF
    update = data + b"1 0 obj\n<< >>\nendobj\nxref\n1 1\n%010d 00000 n \ntrailer\n<< /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(data), 0, len(data) + 22)
    assert pdfx.splice_stream(update, path, b"<< /Length 1 >>", b"x") is None
    assert pdfx.splice_stream(data, ("/Root", "/Pages"), b"<< /Length 1 >>", b"x") is None   # not a stream


def test_the_profile_goes_through_qpdf_when_it_cannot_be_spliced(monkeypatch, root, workspace):
    monkeypatch.setattr(pdfx, "splice_stream", lambda *a, **k: None)
    data = _print(workspace, "en")
    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes() == \
        (root / "icc" / "JapanColor2011Coated.icc").read_bytes()
    assert pdf.check_pdf_syntax() == []
    report = preflight(data)
    assert not report.errors, report.errors


def test_online_edition_is_not_pdfx(built):
    pdf = pikepdf.open(io.BytesIO(built[("en", "online")]))
    assert "/OutputIntents" not in pdf.Root and "/GTS_PDFXVersion" not in pdf.trailer.Info


# ------------------------------------------------------------------ PDF/X-1a

def test_x1a_version_info_registered_condition_no_profile(x1a_workspace):
    data = _print(x1a_workspace)
    assert data.startswith(b"%PDF-1.3")
    pdf = pikepdf.open(io.BytesIO(data))
    info = pdf.trailer.Info
    assert str(info.GTS_PDFXVersion) == "PDF/X-1:2001"
    assert str(info.GTS_PDFXConformance) == "PDF/X-1a:2001"
    assert info.Trapped == Name("/False")
    (oi,) = list(pdf.Root.OutputIntents)
    assert str(oi.OutputConditionIdentifier) == "JC200103" and str(oi.RegistryName) == "http://www.color.org"
    assert "Japan Color 2001 Coated" in str(oi.Info)
    assert "/DestOutputProfile" not in oi
    assert not any(isinstance(o, pikepdf.Stream) and o.get("/N") == 4 and len(o.read_raw_bytes()) > 100000
                   for o in pdf.objects), "no ICC profile embedded"
    # no transparency anywhere
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) or isinstance(obj, pikepdf.Stream):
            assert "/SMask" not in obj or str(obj.SMask) == "/None"
            for key in ("/CA", "/ca"):
                assert key not in obj or float(obj[key]) == 1
            assert str(obj.get("/BM", "/Normal")) in ("/Normal", "/Compatible")
            assert "/Group" not in obj
    report = preflight(data, "shop", qr="fast")
    assert report.pdfx.startswith("PDF/X-1:2001") and report.rules["transparency"] == "pass"
    assert report.rules["pdfx"] == "pass" and report.rules["colour"] == "pass"


def _streams(pdf: pikepdf.Pdf) -> bytes:
    """Every page's and form's content, decoded."""
    return b"\n".join(obj.read_bytes() for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                      and (obj.get("/Subtype") == Name.Form or obj.objgen in
                           {c.objgen for p in pdf.pages for c in ([p.Contents] if isinstance(p.Contents, pikepdf.Stream)
                                                                    else list(p.Contents))}))


@pytest.mark.parametrize("lang", ["ja", "th", "ar"])
def test_x1a_carries_no_post_1_3_keys_and_still_extracts(x1a_workspace, workspace, lang, tmp_path):
    """PDF 1.3 defines marked content (BDC/EMC) but not /Lang (1.4) nor /ActualText in it (1.5):
    an X-1a file has neither, in its catalog or any content stream; text extracts through ToUnicode."""
    import shutil
    import subprocess
    job = x1a_workspace.jobs(["hotline-card"], [lang], ["print"])[0]
    data = next(o.data for o in x1a_workspace.outputs(x1a_workspace.plan([job]), Path("unused")))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.pdf_version == "1.3" and "/Lang" not in pdf.Root
        content = _streams(pdf)
        assert b"BDC" in content or b"BMC" in content
        for key in (b"/ActualText", b"/Lang", b"/Alt"):
            assert key not in content, key
        tokens = [op for _operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
        assert tokens.count(pikepdf.Operator("BDC")) + tokens.count(pikepdf.Operator("BMC")) == \
            tokens.count(pikepdf.Operator("EMC"))
    # the X-4 file keeps them (PDF 1.6)
    job4 = workspace.jobs(["hotline-card"], [lang], ["print"])[0]
    data4 = next(o.data for o in workspace.outputs(workspace.plan([job4]), Path("unused")))
    with pikepdf.open(io.BytesIO(data4)) as pdf:
        assert str(pdf.Root.Lang) == lang and b"/Lang" in _streams(pdf)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    path = tmp_path / "x1a.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "0120-924-839" in text.replace(" ", "")
    squeezed = "".join(text.split())
    assert "人身取引の被害者かもしれません" in squeezed or "被害者かもしれません" in squeezed, text


def test_x4_cannot_name_a_condition_without_a_profile(root):
    conds = pdfx.OutputConditions(root / "icc")
    with pytest.raises(UsageError, match="PDF/X-4 embeds"):
        pdfx.PdfxSettings("x4", "japan-color-2001").resolve(conds)
    with pytest.raises(UsageError, match="unknown output condition 'swop'"):
        pdfx.PdfxSettings("x4", "swop").resolve(conds)
    with pytest.raises(UsageError, match="unknown PDF/X level"):
        pdfx.PdfxSettings("x3")


# ------------------------------------------------------------------ the command line

def test_build_flags_pdfx_and_output_condition(project_copy, font_cache, tmp_path, root):
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "print", "--out",
                        tmp_path / "f", "--output-condition", "fogra39", "--cache", font_cache, "-q")
    assert code == 0, err
    pdf = pikepdf.open(tmp_path / "f" / "a4-leaflet" / "a4-leaflet.en.print.pdf")
    oi = pdf.Root.OutputIntents[0]
    assert str(oi.OutputConditionIdentifier) == "FOGRA39"
    assert oi.DestOutputProfile.read_bytes() == (root / "icc" / "ISOcoated_v2_eci.icc").read_bytes()
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "print", "--out",
                        tmp_path / "a", "--pdfx", "x1a", "--cache", font_cache, "-q")
    assert code == 0, err
    assert (tmp_path / "a" / "a4-leaflet" / "a4-leaflet.en.print.pdf").read_bytes().startswith(b"%PDF-1.3")
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "print", "--out",
                        tmp_path / "b", "--output-condition", "japan-color-2001", "--cache", font_cache)
    assert code == 2 and "PDF/X-4 embeds" in err and not (tmp_path / "b").exists()
    code, _o, err = run("build", "--project", project_copy, "--edition", "print", "--pdfx", "x5")
    assert code == 2 and "invalid choice" in err


def _set_condition(project, design: str, value: str) -> Path:
    """Write ``output_condition: value`` under ``design:`` of a design file of the copy."""
    path = project / "content" / "designs" / f"{design}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("\ndesign:\n") == 1
    path.write_text(text.replace("\ndesign:\n", f"\ndesign:\n  output_condition: {value}\n"), encoding="utf-8")
    return path


def test_a_design_names_its_output_condition_and_the_command_line_overrides_it(project_copy, font_cache,
                                                                                tmp_path, root):
    _set_condition(project_copy, "a5-flyer", "fogra39")
    out = tmp_path / "o"
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--design", "a5-flyer,a4-leaflet",
                        "--edition", "print", "--out", out, "--cache", font_cache, "-q")
    assert code == 0, err

    def intent(path):
        with pikepdf.open(path) as pdf:
            oi = pdf.Root.OutputIntents[0]
            profile = oi.DestOutputProfile.read_bytes() if "/DestOutputProfile" in oi else None
            return str(oi.OutputConditionIdentifier), profile
    ident, profile = intent(out / "a5-flyer" / "a5-flyer.en.print.pdf")
    assert ident == "FOGRA39" and profile == (root / "icc" / "ISOcoated_v2_eci.icc").read_bytes()
    # the other design keeps the level's default
    assert intent(out / "a4-leaflet" / "a4-leaflet.en.print.pdf")[0] == "JC11"
    # the command line wins over the design
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--design", "a5-flyer", "--edition",
                        "print", "--out", tmp_path / "c", "--output-condition", "japan-color-2011", "--cache",
                        font_cache, "-q")
    assert code == 0, err
    assert intent(tmp_path / "c" / "a5-flyer" / "a5-flyer.en.print.pdf")[0] == "JC11"
    # X-1a names the design's condition, embedding no profile
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--design", "a5-flyer", "--edition",
                        "print", "--out", tmp_path / "x", "--pdfx", "x1a", "--cache", font_cache, "-q")
    assert code == 0, err
    assert intent(tmp_path / "x" / "a5-flyer" / "a5-flyer.en.print.pdf") == ("FOGRA39", None)


@pytest.mark.parametrize("value, words", [
    ("fogra-39", ["'fogra-39' is not an output condition", "did you mean 'fogra39'?"]),
    ("Japan-Color-2011", ["did you mean 'japan-color-2011'?"]),
    ("swop", ["'swop' is not an output condition", "japan-color-2001"]),
    ("39", ["must be text"]),
])
def test_a_wrong_output_condition_in_a_design_is_an_error_at_its_line(project_copy, font_cache, value, words):
    path = _set_condition(project_copy, "a5-flyer", value)
    line = path.read_text(encoding="utf-8").splitlines().index(f"  output_condition: {value}") + 1
    code, out, err = run("check", "--project", project_copy, "--cache", font_cache)
    text = out + err
    assert code == 1, text
    assert f"a5-flyer.yaml:{line}" in text, text
    for w in words:
        assert w in text, text


def test_a_design_condition_without_a_profile_builds_x1a_only(project_copy, font_cache, tmp_path):
    path = _set_condition(project_copy, "a5-flyer", "japan-color-2001")
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--design", "a5-flyer", "--edition",
                        "print", "--out", tmp_path / "b", "--cache", font_cache)
    assert code == 1 and "PDF/X-4 embeds" in err and "a5-flyer.yaml" in err and "--pdfx x1a" in err, err
    assert "Traceback" not in err and not (tmp_path / "b").exists()
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--design", "a5-flyer", "--edition",
                        "print", "--out", tmp_path / "a", "--pdfx", "x1a", "--cache", font_cache, "-q")
    assert code == 0, err
    with pikepdf.open(tmp_path / "a" / "a5-flyer" / "a5-flyer.en.print.pdf") as pdf:
        assert str(pdf.Root.OutputIntents[0].OutputConditionIdentifier) == "JC200103"
    assert path.is_file()


def test_an_unknown_output_condition_on_the_command_line_suggests_one(project_copy, font_cache, tmp_path):
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--design", "a5-flyer", "--edition",
                        "print", "--out", tmp_path / "b", "--output-condition", "fogra93", "--cache", font_cache)
    assert code == 2 and "did you mean 'fogra39'?" in err and not (tmp_path / "b").exists(), err


def test_rebuilds_are_byte_identical_and_source_date_epoch_is_honoured(project_copy, font_cache, tmp_path,
                                                                         monkeypatch):
    def build(name):
        code, _o, err = run("build", "--project", project_copy, "--design", "a4-leaflet,hotline-card", "--lang",
                            "en,th", "--edition", "print", "--out", tmp_path / name, "--cache", font_cache, "-q")
        assert code == 0, err
        return {p.name: p.read_bytes() for p in (tmp_path / name).rglob("*.pdf")}
    a, b = build("a"), build("b")
    assert a == b and len(a) == 4
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    c, d = build("d"), build("e")
    assert c == d and c != a
    pdf = pikepdf.open(io.BytesIO(c["a4-leaflet.en.print.pdf"]))
    assert str(pdf.trailer.Info.CreationDate) == "D:20260528202640+00'00'"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "print", "--out",
                        tmp_path / "f", "--cache", font_cache)
    assert code == 2 and "SOURCE_DATE_EPOCH" in err


# ------------------------------------------------------------------ facts, dates, profiles

def test_the_fingerprint_covers_the_facts_and_only_them(workspace):
    facts = workspace.project.facts
    base = pdfx.facts_fingerprint(facts)
    assert base.startswith("sha256:") and len(base) == 7 + 64
    assert pdfx.facts_fingerprint(dataclasses.replace(facts, title="Another title", edition="2030")) == base
    for change in ({"hotline_display": "0120-924-893"}, {"hotline_dial": "+81120924893"},
                   {"agencies": facts.agencies[::-1]}, {"agencies": facts.agencies[:-1]},
                   {"links": {**facts.links, "report": dataclasses.replace(facts.links["report"],
                                                                           url="https://www.tokumei24.jp/x")}},
                   {"other_numbers": {"police": ("110", "110")}}):
        assert pdfx.facts_fingerprint(dataclasses.replace(facts, **change)) != base, change
    canonical = pdfx.facts_canonical(facts)
    import json
    value = json.loads(canonical)
    assert value["hotline"] == {"display": facts.hotline_display, "dial": facts.hotline_dial}
    assert canonical == json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert base == "sha256:" + hashlib.sha256(canonical).hexdigest()


@pytest.mark.parametrize("edition,epoch,expected", [
    ("2026", None, datetime(2026, 1, 1, tzinfo=timezone.utc)),
    ("2026-04", None, datetime(2026, 4, 1, tzinfo=timezone.utc)),
    ("FY2026", None, pdfx.FALLBACK_DATE),
    ("", None, pdfx.FALLBACK_DATE),
    ("2026", "0", datetime(1970, 1, 1, tzinfo=timezone.utc)),
    ("2026", " 86400 ", datetime(1970, 1, 2, tzinfo=timezone.utc)),
])
def test_document_date(edition, epoch, expected):
    assert pdfx.document_date(edition, epoch) == expected


@pytest.mark.parametrize("epoch", ["-x", "1e9", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_a_usage_error(epoch):
    with pytest.raises(UsageError):
        pdfx.document_date("2026", epoch)


def test_the_committed_profiles_match_the_manifest_and_have_licences(root):
    conds = pdfx.OutputConditions(root / "icc")
    assert not conds.verify()
    for cond in conds.conditions.values():
        if cond.profile:
            data = (root / "icc" / cond.profile).read_bytes()
            assert hashlib.sha256(data).hexdigest() == cond.sha256
            assert data[12:20] == b"prtrCMYK"
            assert (root / "icc" / cond.license_file).read_text(encoding="utf-8").strip()


def test_a_changed_profile_is_refused(root, tmp_path):
    icc = tmp_path / "icc"
    shutil.copytree(root / "icc", icc)
    path = icc / "JapanColor2011Coated.icc"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    conds = pdfx.OutputConditions(icc)
    with pytest.raises(ContentError) as exc:
        conds.profile(conds.get("japan-color-2011"))
    assert "does not match its sha256" in str(exc.value) and "manifest.yaml" in str(exc.value)


def test_a_missing_or_broken_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(ContentError, match="icc/manifest.yaml is missing"):
        pdfx.OutputConditions(tmp_path / "icc")
    (tmp_path / "icc").mkdir()
    (tmp_path / "icc" / "manifest.yaml").write_text("conditions:\n  - condition: x\n    profile: ../../etc/passwd\n")
    with pytest.raises(ContentError) as exc:
        pdfx.OutputConditions(tmp_path / "icc")
    assert "manifest.yaml:" in str(exc.value) or "manifest.yaml" in str(exc.value)


def test_a_project_without_icc_builds_online_but_not_print(project_copy, font_cache, tmp_path):
    (project_copy / "icc").unlink()
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "online", "--out",
                        tmp_path / "o", "--cache", font_cache, "-q")
    assert code == 0, err
    code, _o, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "print", "--out",
                        tmp_path / "p", "--cache", font_cache)
    assert code == 1 and "icc/manifest.yaml is missing" in err and "Traceback" not in err
    assert not (tmp_path / "p").exists() or not any((tmp_path / "p").rglob("*.pdf"))


def test_pdfx_is_a_function_of_its_input(built, root):
    conds = pdfx.OutputConditions(root / "icc")
    src = _painter_bytes(built)
    date = pdfx.document_date("2026")
    a = pdfx.apply(src, "x4", conds.get("fogra39"), conds, date=date, fingerprint="sha256:" + "0" * 64)
    assert a == pdfx.apply(src, "x4", conds.get("fogra39"), conds, date=date, fingerprint="sha256:" + "0" * 64)
    assert a != pdfx.apply(src, "x4", conds.get("fogra39"), conds, date=date, fingerprint="sha256:" + "1" * 64)


def _painter_bytes(built) -> bytes:
    """A print PDF as the painter writes it (without the PDF/X additions)."""
    pdf = pikepdf.open(io.BytesIO(built[("en", "print")]))
    del pdf.Root.OutputIntents
    del pdf.Root.Metadata
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()



def test_the_compressed_profile_is_kept_in_the_cache_and_checked_when_read(tmp_path):
    import zlib
    root = Path(__file__).resolve().parent.parent
    first = pdfx.OutputConditions(root / "icc", tmp_path)
    cond = first.get("japan-color-2011")
    data = first.compressed(cond)
    assert zlib.decompress(data) == (root / "icc" / cond.profile).read_bytes()
    [kept] = (tmp_path / "icc").iterdir()
    assert kept.read_bytes()[32:] == data
    assert pdfx.OutputConditions(root / "icc", tmp_path).compressed(cond) == data
    # a damaged cache file is not used (and is written anew)
    kept.write_bytes(kept.read_bytes()[:-100] + bytes(100))
    assert pdfx.OutputConditions(root / "icc", tmp_path).compressed(cond) == data
    assert kept.read_bytes()[32:] == data
    # a cache folder that cannot be written only makes it slower
    blocked = tmp_path / "file"
    blocked.write_bytes(b"")
    assert pdfx.OutputConditions(root / "icc", blocked).compressed(cond) == data


def test_tool_versions_are_read_as_importlib_metadata_reads_them():
    """The distributions' versions a print file records, read from their dist-info folders, are those
    importlib.metadata gives (and "unknown" for one that is not installed)."""
    from importlib import metadata
    for name in ("icu4py", "fonttools", "fontTools", "pyphen", "budoux", "pikepdf", "PyYAML", "ruamel.yaml",
                 "ruamel_yaml", "confusable-homoglyphs", "leaflets", "pip"):
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = "unknown"
        assert pdfx.dist_version(name) == expected, name
    assert pdfx.dist_version("no-such-distribution-here") == "unknown"
