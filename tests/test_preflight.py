"""leaflets preflight: every rule catches a PDF broken for it, passes a clean one,
and judges our own print files; the command reports and exits as documented."""

from __future__ import annotations

import io
import json
import shutil

import pikepdf
import pytest

from leaflets.cli import main
from leaflets.preflight import NOT_ENFORCED_IN_BUILD, RULES, preflight
from pdfmaker import MM, URL, Array, Dictionary, Name, Page, clean_page, edit, pdfx


def check(data: bytes, profile: str = "shop", qr: str = "off", **kw):
    return preflight(data, profile, qr=qr, **kw)


def failed(report) -> set[str]:
    return {f.rule for f in report.errors}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], out, err)
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ the clean page

def test_a_clean_pdfx_page_passes_every_rule():
    report = check(pdfx(clean_page().pdf()), qr="full", expect_qr=[URL])
    assert report.ok, report.format()
    assert not report.warnings, report.format()
    for rule in ("fonts-embedded", "font-subsets", "page-boxes", "bleed", "colour", "text-size", "line-width",
                 "black-overprint", "rich-black", "image-resolution", "ink-limit", "pdfx", "qr"):
        assert report.rules[rule] == "pass", (rule, report.rules[rule])
    assert [q.text for q in report.qr] == [URL]
    assert report.qr[0].module_mm == pytest.approx(0.5, abs=0.02)
    assert report.pdfx == "PDF/X-4"


def test_a_clean_pdfx1a_page_passes():
    report = check(pdfx(clean_page().pdf(version="1.3"), "x1a"))
    assert report.ok, report.format()
    assert report.rules["transparency"] == "pass"


# ------------------------------------------------------------------ one rule each

def _band(p: Page, colour: str) -> Page:
    return p.fill_rect(10, 140, 20, 20, colour)


def _sep(name: str, alt) -> Array:
    return Array([Name.Separation, Name("/" + name), alt,
                  Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 1, 1], C1=[0, 1, 1], N=1)])


def _icc(n: int):
    def make(pdf):
        s = pikepdf.Stream(pdf, b"\0" * 128)
        s.N = n
        return Array([Name.ICCBased, s])
    return make


def _coloured(cs_name: str, space, values: str) -> Page:
    p = clean_page()
    p.colorspaces[cs_name] = space
    p.add(f"q /{cs_name} cs {values} scn")
    p.fill_rect(10, 140, 20, 20, "")
    return p.add("Q")


BROKEN = {
    # name: (page maker, rule that must fail, words in the message)
    "RGB fill": (lambda: _band(clean_page(), "0.2 0.3 0.4 rg"), "colour", "RGB"),
    "RGB stroke": (lambda: clean_page().line(10, 150, 60, 150, 1, "1 0 0 RG", gs=None), "colour", "RGB"),
    "RGB text": (lambda: clean_page().text(10, 150, 10, "1 0 0 rg"), "colour", "text in RGB"),
    "RGB image": (lambda: clean_page().image(10, 140, 20, 20, 300, 300, "/DeviceRGB", 3, "Im2"), "colour",
                  "image /Im2"),
    "indexed RGB image": (lambda: clean_page().image(
        10, 140, 20, 20, 300, 300, Array([Name.Indexed, Name.DeviceRGB, 0, b"\xff\x00\x00"]), 1, "Im2"),
        "colour", "RGB"),
    "ICC RGB colour": (lambda: _coloured("I", _icc(3), "1 0 0"), "colour", "ICCBased (N=3)"),
    "Lab colour": (lambda: _coloured("L", Array([Name.Lab, Dictionary(WhitePoint=[0.9505, 1, 1.089])]), "50 0 0"),
                   "colour", "Lab"),
    "CalRGB colour": (lambda: _coloured("C", Array([Name.CalRGB, Dictionary(WhitePoint=[0.9505, 1, 1.089])]),
                                        "1 0 0"), "colour", "RGB"),
    "process colour through an RGB alternate": (lambda: _coloured("S", _sep("Black", Name.DeviceRGB), "1"), "colour",
                                                "process colour Black"),
    "RGB shading": (lambda: _shading("/DeviceRGB", [1, 0, 0], [0, 0, 1]), "colour", "shading"),
    "RGB inline image": (lambda: clean_page().add("q 40 0 0 40 200 300 cm BI /W 4 /H 4 /CS /RGB /BPC 8 ID "
                                                  + "\x00" * 48 + " EI Q"), "colour", "inline image"),
    "RGB inside a form": (lambda: _form("0 0 1 rg 0 0 100 100 re f", (1, 0, 0, 1, 100, 300)), "colour", "RGB"),
    "72 dpi image": (lambda: clean_page().image(10, 140, 35, 35, 100, 100, name="Im2"), "image-resolution",
                     "73 dpi"),
    "4 pt text": (lambda: clean_page().text(10, 150, 4), "text-size", "4.0 pt"),
    "text scaled down by a form": (lambda: _form("BT /F1 10 Tf 0 0 Td (small) Tj ET", (0.25, 0, 0, 0.25, 100, 300)),
                                   "text-size", "2.5 pt"),
    "text squashed by the CTM": (lambda: clean_page().text(10, 150, 20, "0 0 0 0 k", before="1 0 0 0.2 0 400 cm"),
                                 "text-size", "4.0 pt"),
    "0.1 pt line": (lambda: clean_page().line(10, 150, 60, 150, 0.1), "line-width", "0.100 pt"),
    "hairline": (lambda: clean_page().line(10, 150, 60, 150, 0), "line-width", "hairline"),
    "line scaled thin": (lambda: clean_page().add("q /GSop gs 0 0 0 1 K 2 w 0.05 0 0 0.05 200 300 cm 0 0 m 900 0 l S Q"),
                         "line-width", "0.100 pt"),
    "320 % ink": (lambda: _band(clean_page(), "0.8 0.8 0.8 0.8 k"), "ink-limit", "320 %"),
    "350 % ink in a shading": (lambda: _shading("/DeviceCMYK", [0, 0, 0, 0], [1, 1, 1, 0.5]), "ink-limit", "350 %"),
    "black text that knocks out": (lambda: clean_page().text(10, 150, 8, "0 0 0 1 k"), "black-overprint",
                                   "does not overprint"),
    "black text with overprint mode 0": (lambda: _opm0(), "black-overprint", "OPM 1"),
    "a thin black line that knocks out": (lambda: clean_page().line(10, 150, 60, 150, 0.5, gs=None),
                                          "black-overprint", "thin black line"),
    "black text overprinting a 280 % fill": (lambda: _band(clean_page(), "1 1 0.8 0 k").black_text(12, 150),
                                             "ink-limit", "overprinting a colour beneath it gives 380 %"),
    "a black line overprinting a 260 % fill": (lambda: _band(clean_page(), "0.9 0.9 0.8 0 k").line(12, 150, 28, 150),
                                               "ink-limit", "360 %"),
    "rich black small text": (lambda: clean_page().text(10, 150, 8, "0.6 0.5 0.4 1 k"), "rich-black", "rich black"),
    "grey text in 3-colour black": (lambda: clean_page().text(10, 150, 8, "0.8 0.8 0.8 0 k"), "rich-black",
                                    "rich black"),
}


def _shading(space: str, c0, c1) -> Page:
    p = clean_page()
    p.shadings["Sh"] = Dictionary(ShadingType=2, ColorSpace=Name(space), Coords=[0, 0, 100, 0],
                                  Function=Dictionary(FunctionType=2, Domain=[0, 1], C0=c0, C1=c1, N=1))
    return p.add("q 1 0 0 1 100 300 cm /Sh sh Q")


def _form(content: str, matrix) -> Page:
    p = clean_page()
    p.fonts = True
    p.forms["Fm1"] = (content, matrix)
    return p.add("/Fm1 Do")


def _opm0() -> Page:
    p = clean_page()
    p.extg["OPM0"] = {"/OP": True}      # /op follows /OP; /OPM stays 0
    return p.text(10, 150, 8, "0 0 0 1 k", gs="OPM0")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_rule_catches_its_broken_pdf(case):
    make, rule, words = BROKEN[case]
    report = check(pdfx(make().pdf()))
    assert rule in failed(report), report.format()
    finding = next(f for f in report.errors if f.rule == rule)
    assert words in finding.message, finding.message
    assert finding.page == 1 and finding.fix
    # the clean page's other rules still pass: one break, one rule (shading/forms may add their own kind)
    assert failed(report) <= {rule, "colour", "image-resolution", "line-width", "black-overprint"}, report.format()


@pytest.mark.parametrize("make, ok", [
    # K100 overprinting navy (C100 M80 K30): C100 M80 K100, 280 %
    (lambda: _band(clean_page(), "1 0.8 0 0.3 k").black_text(12, 150), True),
    # the same black knocking out (large text may): only its own 100 %
    (lambda: _band(clean_page(), "1 1 0.8 0 k").text(12, 150, 14, "0 0 0 1 k"), True),
    # overprinting black beside the dark fill, not on it
    (lambda: _band(clean_page(), "1 1 0.8 0 k").black_text(40, 150), True),
    # a paper-white card laid over the dark fill, the black text on the card
    (lambda: _band(clean_page(), "1 1 0.8 0 k").fill_rect(8, 138, 24, 24, "0 0 0 0 k").black_text(12, 150), True),
    # an overprinting CMYK colour keeps the inks it leaves at 0 (OPM 1): Y 100 over C100 M100 K100 is 400 %
    (lambda: _band(clean_page(), "1 1 0 1 k").fill_rect(12, 145, 10, 10, "/GSop gs 0 0 1 0 k"), False),
    (lambda: _band(clean_page(), "1 1 0 1 k").fill_rect(60, 145, 10, 10, "/GSop gs 0 0 1 0 k"), True),
])
def test_overprint_adds_the_ink_beneath(make, ok):
    page = make()
    page.extg.setdefault("GSop", {"/OP": True, "/op": True, "/OPM": 1})
    report = check(pdfx(page.pdf()))
    assert ("ink-limit" not in failed(report)) == ok, report.format()


def test_a_finding_says_where_in_mm_from_the_trim():
    report = check(pdfx(clean_page().text(25, 150, 4).pdf()))
    f = next(f for f in report.errors if f.rule == "text-size")
    assert f.x_mm == pytest.approx(25, abs=0.01) and f.y_mm == pytest.approx(150, abs=0.01)
    assert "x=25.0, y=150.0 mm" in report.format()


def test_a_spot_colour_with_an_rgb_alternate_is_a_warning_in_x4_and_an_error_in_x1a():
    make = lambda: _coloured("S", _sep("PANTONE 185 C", Name.DeviceRGB), "1")   # noqa: E731
    x4 = check(pdfx(make().pdf()))
    assert x4.ok and any(f.rule == "colour" for f in x4.warnings)
    x1a = check(pdfx(make().pdf(version="1.3"), "x1a"))
    assert "colour" in failed(x1a)


def test_x1a_refuses_device_independent_colour_that_x4_allows():
    make = lambda: _coloured("I", _icc(4), "0 0 0 1")   # noqa: E731
    assert check(pdfx(make().pdf())).ok
    report = check(pdfx(make().pdf(version="1.3"), "x1a"))
    assert "colour" in failed(report) and "device-independent" in report.format()


@pytest.mark.parametrize("kind", ["opacity", "blend mode", "soft mask image", "transparency group"])
def test_transparency_is_an_error_in_x1a_only(kind):
    p = clean_page()
    if kind == "opacity":
        p.extg["T"] = {"/ca": 0.5}
        p.add("q /T gs").fill_rect(10, 140, 20, 20).add("Q")
    elif kind == "blend mode":
        p.extg["T"] = {"/BM": Name.Multiply}
        p.add("q /T gs").fill_rect(10, 140, 20, 20).add("Q")
    elif kind == "soft mask image":
        def smask(pdf):
            s = pikepdf.Stream(pdf, b"\x80" * 64)
            s.Type, s.Subtype, s.Width, s.Height = Name.XObject, Name.Image, 8, 8
            s.ColorSpace, s.BitsPerComponent = Name.DeviceGray, 8
            return s
        p.image(10, 140, 20, 20, 300, 300, name="Im2", extra={"/SMask": smask})
    else:
        p.forms["Fm1"] = ("0 0 0 0.5 k 0 0 100 100 re f", (1, 0, 0, 1, 100, 300))
        p.add("/Fm1 Do")
    data = p.pdf(version="1.3")
    if kind == "transparency group":
        def group(pdf):
            pdf.pages[0].Resources.XObject.Fm1.Group = Dictionary(S=Name.Transparency)
        data = edit(data, group)
    x1a = check(pdfx(data, "x1a"))
    assert "transparency" in failed(x1a), x1a.format()
    assert "PDF/X-1:2001 does not allow" in x1a.format()
    x4 = check(pdfx(data, "x4"))
    assert "transparency" not in failed(x4) and x4.rules["transparency"].startswith("not checked")


def test_missing_bleed_and_boxes():
    no_bleed = check(pdfx(clean_page(bleed=None).pdf()))
    assert {"page-boxes", "bleed"} <= failed(no_bleed)
    short = check(pdfx(clean_page(bleed=1).pdf()))
    assert failed(short) == {"bleed"} and "1.00 mm" in short.format()
    no_trim = check(pdfx(clean_page(trim=False).pdf()))
    assert {"page-boxes", "bleed"} <= failed(no_trim) and "TrimBox" in no_trim.format()


def test_a_bleed_box_clipped_by_the_media_box_is_measured_as_printed():
    def clip(pdf):
        page = pdf.pages[0]
        t = [float(v) for v in page.TrimBox]
        page.MediaBox = [t[0] - 1 * 72 / 25.4, t[1] - 10, t[2] + 10, t[3] + 10]
    report = check(pdfx(edit(clean_page().pdf(), clip)))
    assert "bleed" in failed(report) and "left 1.00 mm" in report.format()


def test_fonts_not_embedded():
    def helvetica(pdf):
        pdf.pages[0].Resources.Font.F1 = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    report = check(edit(pdfx(clean_page().pdf()), helvetica))
    assert "fonts-embedded" in failed(report)
    assert "Helvetica" in report.format()


def test_a_font_only_selected_and_never_shown_need_not_be_embedded():
    def unused(pdf):
        pdf.pages[0].Resources.Font.F9 = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    p = clean_page().add("BT /F9 12 Tf ET")
    assert check(edit(pdfx(p.pdf()), unused)).ok


def test_two_subsets_with_one_tag():
    def retag(pdf):
        res = pdf.pages[0].Resources.Font
        one = res.F1
        one.BaseFont = one.FontDescriptor.FontName = Name("/AAAAAA+NotoSans-Regular")
        other = pikepdf.Dictionary(dict(one.items()))
        desc = pikepdf.Dictionary(dict(one.FontDescriptor.items()))
        desc.FontFile2 = pikepdf.Stream(pdf, b"a different program")
        desc.FontName = Name("/AAAAAA+NotoSans-Bold")
        other.FontDescriptor = pdf.make_indirect(desc)
        other.BaseFont = Name("/AAAAAA+NotoSans-Bold")
        res.F2 = pdf.make_indirect(other)
        pdf.pages[0].Contents = pdf.make_stream(pdf.pages[0].Contents.read_bytes() + b" BT /F2 10 Tf 100 300 Td (x) Tj ET")
    report = check(edit(pdfx(clean_page().pdf()), retag))
    assert "font-subsets" in failed(report)
    assert "AAAAAA is used by 2 different font subsets" in report.format()


# ------------------------------------------------------------------ PDF/X markers

def _drop(*keys):
    def change(pdf):
        for k in keys:
            where, key = k.split(":")
            d = pdf.Root if where == "root" else pdf.trailer.Info
            if key in d:
                del d[key]
    return change


@pytest.mark.parametrize("name,change,words", [
    ("no OutputIntent", _drop("root:/OutputIntents"), "no OutputIntent"),
    ("no XMP for X-4", _drop("root:/Metadata"), "requires XMP"),
    ("no Trapped", _drop("info:/Trapped"), "/Trapped"),
    ("Info and XMP disagree", lambda pdf: setattr(pdf.trailer.Info, "GTS_PDFXVersion", "PDF/X-3:2002"),
     "Info says PDF/X-3:2002"),
    ("an RGB output profile", lambda pdf: _profile(pdf, 3, b"RGB "), "not CMYK"),
    ("no profile in X-4", lambda pdf: _del(pdf.Root.OutputIntents[0], "/DestOutputProfile"), "embed its ICC profile"),
    ("two intents", lambda pdf: pdf.Root.OutputIntents.append(pdf.Root.OutputIntents[0]), "exactly one"),
])
def test_pdfx_markers_must_be_consistent(name, change, words):
    report = check(edit(pdfx(clean_page().pdf()), change))
    assert "pdfx" in failed(report), report.format()
    assert words in report.format()


def _profile(pdf, n, space):
    s = pdf.Root.OutputIntents[0].DestOutputProfile
    data = bytearray(s.read_bytes())
    data[16:20] = space
    s.write(bytes(data))
    s.N = n


def _del(d, key):
    del d[key]


def test_an_x1a_file_must_be_pdf_1_3_with_its_conformance_key():
    x1a = pdfx(clean_page().pdf(version="1.3"), "x1a")
    later = edit(x1a, lambda pdf: None)
    pdf = pikepdf.open(io.BytesIO(x1a))
    out = io.BytesIO()
    pdf.save(out, force_version="1.6", fix_metadata_version=False)
    report = check(out.getvalue())
    assert "pdfx" in failed(report) and "based on PDF 1.3" in report.format()
    assert check(later).ok
    report = check(edit(x1a, _drop("info:/GTS_PDFXConformance")))
    assert "pdfx" in failed(report) and "GTS_PDFXConformance" in report.format()


def test_no_pdfx_is_fine_for_the_office_profile_and_so_is_no_bleed():
    data = clean_page(trim=False).pdf()
    assert check(data, "office").ok
    assert not check(data, "shop").ok


def test_office_profile_only_warns_about_rgb():
    report = check(_band(clean_page(trim=False), "0.2 0.3 0.4 rg").pdf(), "office")
    assert report.ok and any(f.rule == "colour" for f in report.warnings)


# ------------------------------------------------------------------ QR codes

def test_a_qr_code_too_small():
    p = clean_page().qr(20, 150, module_mm=0.2, url="https://www.tokumei24.jp/?src=leaflet")
    report = check(pdfx(p.pdf()), qr="full")
    small = [q for q in report.qr if "src=leaflet" in q.text]
    assert small and small[0].module_mm == pytest.approx(0.2, abs=0.02)
    assert "qr" in failed(report) and "smaller than 0.33 mm" in report.format()


@pytest.mark.parametrize("quiet,ok", [(1, False), (3, False), (4, True), (6, True)])
def test_the_quiet_zone_is_measured_on_the_raster(quiet, ok):
    p = clean_page().qr(20, 150, module_mm=0.5, url="https://example.org/q", quiet=quiet, frame=True)
    report = check(pdfx(p.pdf()), qr="full")
    code = next(q for q in report.qr if q.text == "https://example.org/q")
    assert code.quiet_modules == pytest.approx(quiet, abs=0.2)
    assert ("qr" not in failed(report)) == ok, report.format()


def test_a_poster_needs_one_millimetre_modules():
    p = Page(297, 420)
    p.qr(20, 20, module_mm=0.5)
    report = check(pdfx(p.pdf()), qr="full")
    assert "qr" in failed(report) and "poster" in report.format()
    p = Page(297, 420)
    p.qr(20, 20, module_mm=1.2)
    assert "qr" not in failed(check(pdfx(p.pdf()), qr="full"))


def test_an_expected_qr_code_that_is_missing():
    report = check(pdfx(clean_page().pdf()), qr="fast", expect_qr=["https://www.tokumei24.jp/other"])
    assert "qr" in failed(report) and "could not be found" in report.format()


# ------------------------------------------------------------------ peers, damage, our files

def test_a_peer_style_rgb_pdf_without_bleed_fails():
    from reportlab.pdfgen.canvas import Canvas
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(595.28, 841.89))
    c.setFillColorRGB(0.9, 0.2, 0.16)
    c.rect(0, 700, 595.28, 141.89, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", 9)
    c.drawString(72, 600, "Report human trafficking: 0120-924-839")
    c.save()
    report = check(buf.getvalue())
    assert {"colour", "fonts-embedded", "page-boxes", "bleed", "pdfx"} <= failed(report), report.format()


@pytest.mark.parametrize("payload", [b"", b"hello, not a PDF", b"%PDF-1.7\n" + b"\x00" * 400,
                                     b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer <<>>"])
def test_a_damaged_or_non_pdf_file_is_a_clear_error(payload, tmp_path):
    f = tmp_path / "bad.pdf"
    f.write_bytes(payload)
    code, out, err = run("preflight", f, "--no-project")
    assert code == 1 and "Traceback" not in out + err
    assert "[file]" in out or "[structure]" in out, out


def test_a_truncated_and_an_encrypted_file(tmp_path):
    good = pdfx(clean_page().pdf())
    truncated = check(good[: len(good) // 3])
    assert not truncated.ok and failed(truncated) & {"file", "structure"}
    pdf = pikepdf.open(io.BytesIO(good))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    enc = check(out.getvalue())
    assert failed(enc) == {"file"} and "encrypted" in enc.format()


def test_a_form_that_draws_itself_is_not_followed_forever():
    p = _form("/Fm1 Do", (1, 0, 0, 1, 0, 0))
    report = check(pdfx(p.pdf()))
    assert "structure" in failed(report) and "draws itself" in report.format()


def test_our_print_files_pass_every_rule_build_enforces(built):
    langs = sorted({lang for lang, edition in built if edition == "print"})
    assert len(langs) >= 18
    for lang in langs:
        report = preflight(built[(lang, "print")], "shop", qr="full", expect_qr=["https://www.tokumei24.jp/"])
        assert not report.errors, report.format()
        assert report.pdfx == "PDF/X-4" and report.pdf_version == "1.6"
        codes = [q for q in report.qr if q.text == "https://www.tokumei24.jp/"]
        assert codes and codes[0].module_mm >= 0.33 and codes[0].quiet_modules >= 3.75, report.format()
        assert not report.warnings, report.format()


def test_the_build_s_icc_profile_is_not_decoded_again_but_a_damaged_one_is_caught(workspace, built):
    """The build tells the preflight which compressed profile it embedded (inflated once and checked against
    the committed profile's sha256): that stream is left out of the syntax check's decoding, and the report
    is the same; a profile stream with any of its bytes changed is decoded and found damaged."""
    data = built[("en", "print")]
    known = workspace._conditions.checked_streams()
    assert known and all(isinstance(k, bytes) and len(k) > 100_000 for k in known)
    plain, quick = check(data, known_streams=known).to_json(), check(data).to_json()
    for r in (plain, quick):
        r.pop("seconds", None)
    assert plain == quick and not plain["findings"]
    profile = next(k for k in known if data.find(k) > 0)
    at = data.find(profile)
    with pikepdf.open(io.BytesIO(data)) as pdf:         # the stream's data is put back after the check
        from leaflets.preflight import _syntax_problems
        stream = pdf.Root.OutputIntents[0].DestOutputProfile
        assert _syntax_problems(pdf, known) == []
        assert bytes(stream.read_raw_bytes()) == profile and stream.Filter == Name.FlateDecode
    for where in (len(profile) // 2, len(profile) - 3, 40):
        damaged = bytearray(data)
        damaged[at + where:at + where + 2] = bytes(b ^ 0x5A for b in damaged[at + where:at + where + 2])
        report = check(bytes(damaged), known_streams=known)
        assert "structure" in failed(report), (where, report.format())
        assert "ICC profile" in report.format() or "error decoding stream" in report.format()
        # without the build's word for it, the same
        assert failed(check(bytes(damaged))) == failed(report)


@pytest.mark.parametrize("change, ok", [
    (lambda icc: icc, True),
    (lambda icc: icc[:5000] + bytes([icc[5000] ^ 1]) + icc[5001:], False),        # against its profile ID
    (lambda icc: icc[:-16], False),                                                # shorter than its header says
])
def test_an_output_intent_profile_is_checked_whole(root, built, change, ok):
    """A profile stream that inflates soundly (its checksum right) must still be the profile its header
    and profile ID describe."""
    import zlib
    icc = (root / "icc" / "ISOcoated_v2_eci.icc").read_bytes()
    assert any(icc[84:100])                     # this profile carries its MD5 profile ID
    with pikepdf.open(io.BytesIO(built[("en", "print")])) as pdf:
        stream = pdf.Root.OutputIntents[0].DestOutputProfile
        stream.write(zlib.compress(change(icc)), filter=Name.FlateDecode)
        out = io.BytesIO()
        pdf.save(out)
    report = check(out.getvalue())
    assert ("structure" not in failed(report)) == ok, report.format()
    if not ok:
        assert "ICC profile" in report.format()


def test_the_online_edition_is_not_a_print_file(built):
    report = preflight(built[("en", "online")], "shop", qr="off")
    assert {"colour", "page-boxes", "pdfx"} <= failed(report)


def test_build_enforces_every_rule():
    assert NOT_ENFORCED_IN_BUILD == {}


def test_black_overprints_and_subsets_have_their_own_tags(built):
    import pikepdf
    tags = {}
    for lang in ("en", "ja", "th", "ar", "my"):
        pdf = pikepdf.open(io.BytesIO(built[(lang, "print")]))
        page = pdf.pages[0]
        states = {str(k): dict(v) for k, v in page.Resources.ExtGState.items()}
        assert {"/OP": True} in states.values() and {"/op": True} in states.values() and \
            {"/OPM": 1} in states.values()
        for font in page.Resources.Font.values():
            tag, name = str(font.BaseFont)[1:].split("+", 1)
            assert len(tag) == 6 and tag.isupper() and tag != "AAAAAA"
            assert str(font.FontDescriptor.FontName) == str(font.BaseFont)
            tags.setdefault(tag, set()).add((lang, name))
    # one tag per distinct subset: the same tag in two languages would mean the same glyphs
    assert all(len({name for _l, name in v}) == 1 for v in tags.values())
    assert len(tags) >= 10


# ------------------------------------------------------------------ the command

def test_preflight_command_text_and_json(built, tmp_path, root):
    good = tmp_path / "a4-leaflet.en.print.pdf"
    good.write_bytes(built[("en", "print")])
    peer = tmp_path / "peer.pdf"
    peer.write_bytes(built[("en", "online")])
    code, out, err = run("preflight", good, peer, "--project", root, "--no-qr")
    assert code == 1, out + err
    assert "peer.pdf: FAILED" in out and "[colour]" in out and "fix:" in out
    assert "campaign facts: sha256:" in out and "matches this project's" in out
    code, out, _ = run("preflight", good, peer, "--json", "--project", root, "--no-qr")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and len(data["files"]) == 2
    first = data["files"][0]
    assert first["pdfx"] == "PDF/X-4" and first["facts"]["match"] is True
    assert all({"rule", "severity", "page", "message", "fix"} <= set(f) for f in first["findings"])
    office = tmp_path / "office.pdf"
    office.write_bytes(clean_page(trim=False).pdf())
    code, out, _ = run("preflight", office, "--profile", "office", "--no-project")
    assert code == 0 and "PASSED" in out, out


def test_preflight_usage_errors(tmp_path):
    code, _out, err = run("preflight")
    assert code == 2
    code, _out, err = run("preflight", tmp_path / "x.pdf", "--profile", "poster")
    assert code == 2 and "invalid choice" in err


def test_a_file_built_from_other_facts_is_caught(project_copy, font_cache, root, tmp_path):
    campaign = project_copy / "content" / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    text = text.replace("display: 0120-924-839", "display: 0120-924-893").replace('"+81120924839"', '"+81120924893"')
    campaign.write_text(text, encoding="utf-8")
    code, _out, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "print", "--out",
                          tmp_path / "o", "--cache", font_cache, "-q")
    assert code == 0, err
    pdf = tmp_path / "o" / "a4-leaflet" / "a4-leaflet.en.print.pdf"
    code, out, _ = run("preflight", pdf, "--project", root, "--no-qr")
    assert code == 1 and "[facts]" in out and "DIFFERS" in out, out
    code, out, _ = run("preflight", pdf, "--project", project_copy, "--no-qr")
    assert "[facts]" not in out and "matches this project's" in out


def _peer(text: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(595.28, 841.89))
    c.setFont("Helvetica", 12)
    c.drawString(72, 600, text)
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("text,severity", [
    ("Call the hotline 0120-924-893 now", "error"),          # two digits swapped
    ("Call the hotline 0120-924-83 now", "error"),           # one digit missing
    ("Our office: 03-3581-0141", "warning"),
    ("Call the hotline 0120-924-839 now", None),
    ("In 2019, 47 cases were reported (〒100-8914)", None),
])
def test_phone_numbers_in_the_text_of_a_file_without_fingerprint(root, text, severity):
    from leaflets.model.load import load_facts
    from leaflets.errors import Diagnostics
    facts = load_facts(root / "content" / "campaign.yaml", Diagnostics())
    report = check(_peer(text), "office", facts=facts)
    found = [f for f in report.findings if f.rule == "facts" and "has the phone number" in f.message]
    if severity is None:
        assert not found, report.format()
    else:
        assert found and found[0].severity == severity, report.format()
        if severity == "error":
            assert "looks like the campaign's hotline number 0120-924-839" in found[0].message


def test_a_qr_code_that_points_elsewhere_is_caught_inside_a_project(root):
    from leaflets.model.load import load_facts
    from leaflets.errors import Diagnostics
    facts = load_facts(root / "content" / "campaign.yaml", Diagnostics())
    p = clean_page().qr(20, 150, url="https://www.tokumei24.example/")
    report = check(pdfx(p.pdf()), qr="full", facts=facts)
    assert "facts" in failed(report) and "tokumei24.example" in report.format()


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (gs) is not installed")
def test_raster_separations_measure_ink():
    report = preflight(pdfx(_band(clean_page(), "0.8 0.8 0.8 0.8 k").pdf()), "shop", qr="off", separations=True)
    assert "separations" in failed(report)
    assert "reach 320 % total ink" in report.format()
    clean = preflight(pdfx(clean_page().pdf()), "shop", qr="off", separations=True)
    assert clean.rules["separations"] == "pass", clean.format()


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (gs) is not installed")
def test_raster_separations_of_our_print_file_leave_the_marks_out(built):
    report = preflight(built[("en", "print")], "shop", qr="off", separations=True)
    assert report.rules["separations"] == "pass", report.format()


def test_raster_without_ghostscript_says_so(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    report = preflight(pdfx(clean_page().pdf()), "shop", qr="off", separations=True)
    assert report.rules["separations"] == "not checked (Ghostscript, gs, is not installed)"


# ------------------------------------------------------------------ the build's hook

def test_build_refuses_a_print_file_that_fails_preflight_and_writes_nothing(project_copy, font_cache):
    # styles never go below 6 pt (the loader's floors), but the draft mark may be set at 5 pt
    design = project_copy / "content" / "designs" / "a4-leaflet.yaml"
    text = design.read_text(encoding="utf-8")
    old = "draft_mark: {position: top-end}"
    assert old in text
    design.write_text(text.replace(old, "draft_mark: {position: top-end, size: 5}"), encoding="utf-8")
    out = project_copy / "output"
    code, _out, err = run("build", "--project", project_copy, "--design", "a4-leaflet", "--lang", "th", "--cache",
                          font_cache)
    assert code == 1, err
    assert "a4-leaflet.th.print.pdf: preflight [text-size] page 1: text at 5.0 pt" in err
    assert "hint: set the text at 6 pt or more" in err and "nothing was written" in err
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
    # the online edition has no such rule
    code, _out, err = run("build", "--project", project_copy, "--design", "a4-leaflet", "--lang", "th", "--edition",
                          "online", "--cache", font_cache, "-q")
    assert code == 0, err


def test_built_print_files_pass_preflight_without_warnings(project_copy, font_cache, tmp_path):
    code, _out, err = run("build", "--project", project_copy, "--lang", "en", "--edition", "print", "--out",
                          tmp_path / "o", "--cache", font_cache)
    assert code == 0, err
    assert "preflight" not in err
    report = preflight(tmp_path / "o" / "a4-leaflet" / "a4-leaflet.en.print.pdf", "shop", qr="off")
    assert not failed(report), report.format()


@pytest.mark.parametrize("size,ok", [(5.978, True), (6, True), (5.9, False), (5.5, False)])
def test_text_size_at_the_limit(size, ok):
    report = check(pdfx(clean_page().text(10, 150, size).pdf()))
    assert ("text-size" not in failed(report)) == ok, report.format()
    if not ok:
        assert f"text at {size:.1f} pt" in report.format()


def test_a_long_report_is_shortened_and_json_keeps_everything():
    p = Page()
    for i in range(30):
        p.fill_rect(10, 10 + i * 5, 5, 2, f"0.{i % 9 + 1} 0.2 0.3 rg")
    report = check(p.pdf())
    text = report.format()
    assert "more on other pages" not in text          # one page: merged by kind, not cut
    many = Page()
    data = many.pdf()
    pdf = pikepdf.open(io.BytesIO(data))
    for _ in range(11):
        pdf.pages.append(pdf.pages[0])
    for page in pdf.pages:
        page.Contents = pdf.make_stream(b"1 0 0 rg 100 100 50 50 re f")
    out = io.BytesIO()
    pdf.save(out)
    report = check(out.getvalue(), "office")
    text = report.format()
    assert text.count("[colour] a filled shape") == 8 and "and 4 more on other pages" in text
    assert len([f for f in report.to_json()["findings"] if f["rule"] == "colour"]) == 12


# ------------------------------------------------------------------ clipping

MARK_RULES = {"rich-black", "ink-limit"}


def _rect(p: Page, x, y, w, h) -> str:
    """A rectangle path, x, y, w, h in mm from the trim's top left."""
    px, py = p.pt(x, y + h)
    return f"{px:.3f} {py:.3f} {w * MM:.3f} {h * MM:.3f} re"


def _marks(p: Page) -> Page:
    """Registration-colour marks (C M Y K 100) inside the BleedBox, in 100..140 x 160..190 mm: a thin line,
    small text, a filled box and a 400 % image."""
    p.line(100, 165, 140, 165, 0.25, "1 1 1 1 K", gs=None)
    p.text(100, 175, 8, "1 1 1 1 k", "Mark")
    p.fill_rect(100, 180, 20, 8, "1 1 1 1 k")
    return p.image(125, 180, 10, 10, 150, 150, "/DeviceCMYK", 4, "Im9", fill=255)


def _clipped(clip) -> bytes:
    p = clean_page()
    p.add("q", clip(p))
    _marks(p)
    return pdfx(p.add("Q").pdf())


def _found(report) -> set[str]:
    return {f.rule for f in report.findings} & MARK_RULES


def _count(report, rule: str) -> int:
    return sum(f.count for f in report.findings if f.rule == rule)


def test_marks_drawn_unclipped_are_judged():
    p = _marks(clean_page())
    report = check(pdfx(p.pdf()))
    assert _found(report) == MARK_RULES, report.format()
    # every mark is judged: the line, the text, the box and the image for ink; the line and the text for black
    assert _count(report, "ink-limit") == 4 and _count(report, "rich-black") == 2, report.format()
    messages = " ".join(f.message for f in report.errors)
    for words in ("thin line", "text at 8.0 pt", "image /Im9"):
        assert words in messages, report.format()


MM_90 = 90 * MM
HIDING = {
    # the marks lie outside the clip region, which is inside the page (10..60 x 150..200 mm)
    "rectangle, W n": lambda p: f"{_rect(p, 10, 150, 50, 50)} W n",
    "rectangle, W* n": lambda p: f"{_rect(p, 10, 150, 50, 50)} W* n",
    "triangle": lambda p: "{0} {1} m {2} {1} l {0} {3} l h W n".format(*p.pt(10, 200), p.pt(60, 200)[0],
                                                                    p.pt(10, 150)[1]),
    # the path is placed by the CTM in force at W: 90 mm to the left of where its numbers say
    "rectangle under a CTM": lambda p: f"1 0 0 1 {-MM_90:.3f} 0 cm {_rect(p, 100, 150, 50, 50)} W n "
                                       f"1 0 0 1 {MM_90:.3f} 0 cm",
    # two clips that each show part of the marks, and their intersection none
    "two clips intersected": lambda p: f"{_rect(p, 0, 150, 115, 50)} W n {_rect(p, 118, 150, 40, 50)} W n",
    "an empty clip path": lambda p: "W n",
}


@pytest.mark.parametrize("case", sorted(HIDING))
def test_marks_outside_the_clip_region_are_not_judged(case):
    report = check(_clipped(HIDING[case]))
    assert not _found(report), report.format()
    assert report.ok, report.format()
    assert any("clipped away" in n for n in report.notes)


SHOWING = {
    "a clip that contains them": lambda p: f"{_rect(p, 90, 150, 55, 50)} W n",
    "a clip set and released by q/Q": lambda p: f"q {_rect(p, 10, 150, 50, 50)} W n Q",
    "a clip path that is only painted, never W": lambda p: f"{_rect(p, 10, 150, 50, 50)} n",
    # text clip modes do not tighten the clip region (it is not known)
    "a text clip (Tr 7)": lambda p: "BT /F1 12 Tf 7 Tr 40 40 Td (clip) Tj 0 Tr ET",
}


@pytest.mark.parametrize("case", sorted(SHOWING))
def test_marks_inside_the_clip_region_are_judged(case):
    report = check(_clipped(SHOWING[case]))
    assert _count(report, "ink-limit") == 4 and _count(report, "rich-black") == 2, report.format()


def test_a_clip_takes_effect_after_the_path_that_sets_it_is_painted():
    """`m l W S`: the line is stroked with the clip before it (ISO 32000 8.5.4); it then clips to its own
    inside, which is empty, so that nothing after it shows."""
    p = clean_page()
    (a, b), c = p.pt(10, 150), p.pt(40, 150)[0]
    p.add(f"q 1 1 1 1 K 0.25 w {a:.3f} {b:.3f} m {c:.3f} {b:.3f} l W S")
    _marks(p).add("Q")
    report = check(pdfx(p.pdf()))
    for rule in MARK_RULES:
        found = [f for f in report.errors if f.rule == rule]
        assert len(found) == 1 and found[0].count == 1, report.format()
        assert (found[0].x_mm, found[0].y_mm) == (pytest.approx(10, abs=0.01), pytest.approx(150, abs=0.01))


def test_a_clip_set_in_a_form_stays_in_the_form():
    p = _form(f"{_rect(Page(), 10, 150, 50, 50)} W n 0 0 0 0 k 0 0 1 1 re f", (1, 0, 0, 1, 0, 0))
    report = check(pdfx(_marks(p).pdf()))
    assert _found(report) == MARK_RULES, report.format()


def test_an_object_reaching_into_the_clip_region_is_judged():
    """Judged by its extent, not its points or its first glyph: a thick line beside the clip whose stroke
    reaches in, text that starts outside and runs in (also after other text shown in the same line)."""
    def page(*ops):
        p = clean_page()
        p.fonts = True
        return check(pdfx(p.add("q", f"{_rect(p, 60, 150, 80, 50)} W n", *ops, "Q").pdf()))

    a, b = clean_page().pt(70, 150 - 0.5 / MM)        # 0.5 pt above the clip region
    c = clean_page().pt(110, 0)[0]
    for width, seen in ((3, True), (0.25, False)):
        report = page(f"1 1 1 1 K {width} w {a:.3f} {b:.3f} m {c:.3f} {b:.3f} l S")
        assert ("ink-limit" in failed(report)) == seen, (width, report.format())
    x, y = clean_page().pt(40, 170)
    for words, seen in (("Human trafficking is a crime", True), ("Hi", False)):
        report = page(f"1 1 1 1 k BT /F1 8 Tf {x:.3f} {y:.3f} Td ({words}) Tj ET")
        assert (_found(report) == MARK_RULES) == seen, (words, report.format())
    # the first string (invisible, Tr 3) moves the second into the clip region
    report = page(f"1 1 1 1 k BT /F1 8 Tf {x:.3f} {y:.3f} Td 3 Tr (Human trafficking is a crime) Tj 0 Tr (X) Tj ET")
    assert _found(report) == MARK_RULES, report.format()
    report = page(f"1 1 1 1 k BT /F1 8 Tf {x:.3f} {y:.3f} Td 3 Tr (H) Tj 0 Tr (X) Tj ET")
    assert not _found(report), report.format()


def _marks_form(bbox, matrix=(0.5, 0, 0, 0.5, 200, 250)) -> bytes:
    """A form drawing a 400 % box and a thin rich-black line at 10..40 x 10..50 in its own space."""
    p = _form("1 1 1 1 k 10 10 30 30 re f 1 1 1 1 K 0.25 w 10 50 m 40 50 l S", matrix)

    def set_bbox(pdf):
        pdf.pages[0].Resources.XObject.Fm1.BBox = Array(bbox)
    return edit(pdfx(p.pdf()), set_bbox)


@pytest.mark.parametrize("bbox,seen", [
    ([0, 0, 1000, 1000], True),
    ([0, 0, 50, 60], True),            # in form space; in page space it would exclude the marks
    ([60, 60, 100, 100], False),
    ([0, 0, 50, 5], False),
    ([200, 250, 240, 300], False),     # where the marks are on the page, but in form space it excludes them
])
def test_a_forms_bbox_clips_what_it_draws(bbox, seen):
    report = check(_marks_form(bbox))
    assert (_found(report) == MARK_RULES) == seen, report.format()
    if not seen:
        assert not _found(report), report.format()


def test_a_form_inside_a_clip_outside_its_bbox_and_a_nested_form():
    """The page's clip and the form's BBox are intersected; a form drawn by a form is clipped by both."""
    p = clean_page()
    p.forms["Fm1"] = ("1 1 1 1 k 10 10 30 30 re f 1 1 1 1 K 0.25 w 10 50 m 40 50 l S", (0.5, 0, 0, 0.5, 200, 250))
    p.add(f"q {_rect(p, 10, 150, 50, 50)} W n /Fm1 Do Q")
    assert not _found(check(pdfx(p.pdf())))

    def nest(pdf):
        res = pdf.pages[0].Resources
        inner = res.XObject.Fm1
        outer = pdf.make_stream(b"/Fm1 Do", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 100, 100],
                                Resources=res)
        res.XObject.Fm2 = outer
        pdf.pages[0].Contents = pdf.make_stream(b"/Fm2 Do")
        inner.BBox = Array([0, 0, 1000, 1000])
    p = clean_page()
    p.forms["Fm1"] = ("1 1 1 1 k 10 10 30 30 re f", (1, 0, 0, 1, 300, 300))
    data = pdfx(p.add("/Fm1 Do").pdf())
    assert "ink-limit" not in failed(check(edit(data, nest)))
    assert "ink-limit" in failed(check(data))


def test_a_shading_paints_the_clip_region_and_no_more_than_its_bbox():
    def shaded(before: str, bbox=None) -> set[str]:
        p = clean_page()
        sh = Dictionary(ShadingType=2, ColorSpace=Name.DeviceCMYK, Coords=[0, 0, 100, 0],
                        Function=Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1))
        if bbox is not None:
            sh.BBox = bbox
        p.shadings["Sh"] = sh
        p.add(f"q {before} 1 0 0 1 100 300 cm /Sh sh Q")
        return failed(check(pdfx(p.pdf())))
    clip = f"{_rect(clean_page(), 10, 150, 50, 50)} W n"     # 62..204 x 62..204 pt on the page
    assert "ink-limit" in shaded("")
    assert "ink-limit" in shaded(clip)
    assert "ink-limit" in shaded("", [0, 0, 50, 50])
    assert "ink-limit" not in shaded(clip, [0, 0, 50, 50])      # 100..150 x 300..350 pt: outside the clip
    assert "ink-limit" not in shaded("W n")


def test_an_imposed_sheet_of_our_print_file_passes_with_its_marks_clipped_away(built):
    """leaflets impose places each page as a form clipped to its bleed (or trim): the source's crop marks
    and slug, in registration colour, are clipped away and are not judged; what is printed still is."""
    from leaflets.impose import impose
    source = built[("en", "print")]
    for marks in (None, "none"):
        sheet = impose([source], "fill-sra3", marks=marks).data
        for profile in ("shop", "office"):
            report = check(sheet, profile)
            assert report.ok, report.format()
            assert not _found(report), report.format()
        # the same sheet with its clipping paths taken out: the marks are judged, and fail
        pdf = pikepdf.open(io.BytesIO(sheet))
        page = pdf.pages[0]
        content = b"".join(bytes(c.read_bytes()) for c in ([page.Contents] if isinstance(page.Contents,
                                                                                         pikepdf.Stream)
                                                           else page.Contents))
        assert b" re W n" in content
        page.Contents = pdf.make_stream(content.replace(b" re W n", b" re n"))
        for xobj in page.Resources.XObject.values():
            if xobj.get("/Subtype") == Name.Form:
                xobj.BBox = Array([-10000, -10000, 10000, 10000])
        out = io.BytesIO()
        pdf.save(out)
        assert _found(check(out.getvalue())) == MARK_RULES


def test_an_imposed_sheet_still_judges_what_is_printed():
    from leaflets.impose import impose
    p = clean_page()
    p.text(10, 150, 8, "0.6 0.5 0.4 1 k")                           # rich black small text, inside the trim
    p.add("q 1 1 1 1 K 0.25 w", " ".join(f"{a:.3f} {b:.3f} m {c:.3f} {b:.3f} l S" for a, b, c in (
        (*p.pt(-4, 0), p.pt(-11, 0)[0]), (*p.pt(152, 0), p.pt(159, 0)[0]))), "Q")       # marks in the slug
    sheet = impose([pdfx(p.pdf())], "fill-sra3").data
    report = check(sheet)
    rich = [f for f in report.errors if f.rule == "rich-black"]
    assert rich and all("text at 8.0 pt" in f.message for f in rich), report.format()
    assert "ink-limit" not in failed(report), report.format()


def test_a_damaged_file_gives_the_same_words_every_time(built):
    """qpdf names the in-memory stream it reads by its memory address; a report never shows it."""
    import re
    raw = built[("en", "print")]
    for offset in (1000, 20000, len(raw) // 2):
        damaged = raw[:offset] + bytes(b ^ 0x55 for b in raw[offset:offset + 10]) + raw[offset + 10:]
        reports = [preflight(damaged, "shop", qr="off") for _ in range(2)]
        texts = [[f.to_json() for f in r.findings] for r in reports]
        assert texts[0] == texts[1]
        assert not any(re.search(r"object at 0x|0x[0-9a-f]{6,}", f["message"]) for f in texts[0]), texts[0]


def test_the_qr_search_renders_a_bounded_number_of_pages_and_says_so(monkeypatch, tmp_path):
    """A file of thousands of pages is not rendered page after page for QR codes: past MAX_QR_PAGES the
    search stops, with a warning naming the pages it left out."""
    import pikepdf
    from leaflets import preflight as pf
    monkeypatch.setattr(pf, "MAX_QR_PAGES", 3)
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    for _ in range(6):
        pdf.pages.append(pdf.pages[0])
    path = tmp_path / "many.pdf"
    pdf.save(path)
    report = pf.preflight(path, "office", qr="fast")
    found = [f for f in report.findings if f.rule == "qr" and "not rendered" in f.message]
    assert len(found) == 1 and "pages 4 to 7" in found[0].message, [f.message for f in report.findings]
