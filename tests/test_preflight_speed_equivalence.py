"""Preflight's quick paths find what its plain ones find.

The walker reads operators and numbers from the text qpdf writes of each instruction (else from the
objects), keeps a form's parsed content for the next time it is drawn, the syntax check parses each page for
the walker (else pikepdf's own check_pdf_syntax runs), and the OutputIntent profile's data is taken from the
file's bytes (else read through qpdf).  Each plain path is switched on in turn and the whole report compared,
over print files and PDFs broken in the ways these paths read; and the findings those PDFs must give are
asserted where they are made."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

import leaflets.preflight as pf
from pdfmaker import MM, Dictionary, Name, Page, clean_page, edit, pdfx


def report(data: bytes, profile: str = "shop", **kw) -> dict:
    """The JSON report but its times, and qpdf's name for the in-memory file in its messages (its address)."""
    out = pf.preflight(data, profile, qr="off", **kw).to_json()
    out.pop("seconds")
    for f in out["findings"]:
        f["message"] = re.sub(r"object at 0x[0-9a-f]+", "object at 0x", f["message"])
    return out


def messages(data: bytes, rule: str | None = None) -> list[str]:
    return [f["message"] for f in report(data)["findings"] if rule is None or f["rule"] == rule]


def findings(data: bytes, rule: str) -> list[dict]:
    return [f for f in report(data)["findings"] if f["rule"] == rule]


def _page(*ops: str, fonts: bool = True) -> Page:
    p = clean_page()
    p.fonts = fonts
    return p.add(*ops)


def _with_content(data: bytes, content: bytes, page: int = 0) -> bytes:
    def change(pdf):
        pdf.pages[page].Contents = pdf.make_stream(content)
    return edit(data, change)


# ------------------------------------------------------------------ PDFs the quick paths read

def _texts() -> dict[str, bytes]:
    """One string (20 bytes, rich black 8 pt text) shown as hexadecimal, as literals with every kind of escape,
    and as TJ arrays with adjustments: qpdf writes each byte of a literal as itself, as \\n-like escapes or
    as three octal digits."""
    x, y = Page().pt(40, 170)
    shown = {
        "literal": "(Human \\(trafficking\\)\\n) Tj",
        "hex": "<48756d616e2028747261666669636b696e67290a> Tj",
        "octal": "(\\110uman \\050trafficking\\051\\012) Tj",
        "array": "[(Human ) -120 <28> 80 (trafficking\\)\\n)] TJ",
        "array of one byte strings": "[" + " ".join(f"<{b:02x}>" for b in b"Human (trafficking)\n") + "] TJ",
        "array with reals": "[(Human) -120.5 ( \\(traffic) +.5 (king\\)\\n) 0.] TJ",
        "latin-1 bytes": "(Hum\\341n \\(trafficking\\)\\n) Tj",
    }
    return {name: pdfx(_page(f"q 0.6 0.5 0.4 1 k BT /F1 8 Tf {x:.3f} {y:.3f} Td {s} ET Q").pdf())
            for name, s in shown.items()}


def _numbers() -> dict[str, bytes]:
    """A 400 % box written with integers, reals of every form, and operands that are no numbers."""
    forms = {
        "integers": "100 300 50 40 re",
        "reals": "100.0 300. +50 40.000 re",
        "short reals": "100.5 300 -.5 40. re",
        "a name for a number": "/X 300 50 40 re",
        "a string for a number": "(100) 300 50 40 re",
        "a number too long for 64 bits": "99999999999999999999 300 50 40 re",
        "too few operands": "300 50 40 re",
        "booleans": "100 300 50 true re",
    }
    return {name: pdfx(_page(f"q 1 1 1 1 k {s} f Q", fonts=False).pdf()) for name, s in forms.items()}


def _forms() -> dict[str, bytes]:
    def drawn(n: int) -> bytes:
        p = clean_page()
        p.forms["Fm1"] = ("1 1 1 1 k 0 0 20 20 re f 0.1 w 1 1 1 1 K 0 30 m 20 30 l S", (1, 0, 0, 1, 0, 0))
        for i in range(n):
            p.add(f"q 1 0 0 1 {100 + 30 * i} 300 cm /Fm1 Do Q")
        return pdfx(p.pdf())

    def own_states(pdf):
        """A form whose ExtGState /GSop (same name as the page's) leaves overprint off."""
        res = pdf.pages[0].Resources
        form = pdf.make_stream(b"/GSop gs 0 0 0 1 k BT /F1 8 Tf 0 0 Td (knocks out) Tj ET", Type=Name.XObject,
                               Subtype=Name.Form, BBox=[0, 0, 1000, 1000])
        form.Resources = Dictionary(Font=res.Font, ExtGState=Dictionary(GSop=Dictionary(OP=False, op=False)))
        res.XObject = Dictionary(Own=form)
        page = pdf.pages[0]
        page.Contents = pdf.make_stream(page.Contents.read_bytes() + b" q 1 0 0 1 100 300 cm /Own Do Q"
                                        b" q /GSop gs 0 0 0 1 k BT /F1 8 Tf 200 300 Td (overprints) Tj ET Q")
    return {"drawn once": drawn(1), "drawn 7 times": drawn(7),
            "ExtGStates of one name": edit(pdfx(clean_page().pdf()), own_states)}


def _cover(n: int, card: bool) -> bytes:
    """``n`` dark boxes (280 % ink), perhaps a paper-white card over them, and black text overprinting them."""
    p = clean_page()
    for i in range(n):
        p.fill_rect(10 + 4 * (i % 10), 140 + 4 * (i // 10), 3, 3, "1 1 0.8 0 k")
    if card:
        p.fill_rect(8, 138, 44, 4 * (n // 10 + 1) + 4, "0 0 0 0 k")
    return pdfx(p.black_text(12, 141).pdf())


def _hostile_content() -> dict[str, bytes]:
    """Content the syntax check and the walker must read as before: broken syntax, operands pikepdf will not
    make instructions of, an inline image (its data in the text qpdf writes), operators that are no UTF-8."""
    base = pdfx(clean_page().pdf())
    image = "q 40 0 0 40 200 300 cm BI /W 4 /H 4 /CS /RGB /BPC 8 ID " + "\x00" * 48 + " EI Q"
    contents = {
        "an unterminated string": b"q 1 0 0 rg (open 0 0 10 10 re f Q",
        "an unbalanced array": b"q [1 2 3 0 0 10 10 re f Q",
        "a bad hex string": b"q <zz> Tj 0 0 1 rg 0 0 10 10 re f Q",
        "stray delimiters": b"q ] >> ) 0 0 1 rg 0 0 10 10 re f Q",
        "an operator inside a TJ array": b"BT /F1 9 Tf 100 100 Td [(x) 1e3] TJ ET 1 0 0 rg 0 0 9 9 re f",
        "an inline image without data": b"q BI EI Q 1 0 0 rg 0 0 1 1 re f",
        "an inline image and small text": (image + " BT /F1 4 Tf 100 100 Td (tiny) Tj ET").encode("latin-1"),
        "operators that are no UTF-8": b"q 0 0 1 rg 0 0 10 10 re \xff\xfe f Q \xc3\xa9 1 0 0 rg 5 5 5 5 re f",
        "every operator without operands": b"Tz T* TL Tc Tw Ts Tr j M w gs Do sh cs CS sc scn SC SCN g G rg RG k K "
                                           b"cm re m l c v y Tm Td TD Tj ' \" Tf TJ",
        "numbers that overflow the CTM": b"q 1e308 0 0 1e308 0 0 cm 99999999999 0 0 9999999999 0 0 cm "
                                         b"1 1 1 1 k 0 0 1 1 re f BT /F1 8 Tf (x) Tj ET Q",
    }
    out = {name: _with_content(base, c) for name, c in contents.items()}

    def flate(mangle):
        def change(pdf):
            import zlib
            c = pdf.pages[0].Contents
            c.write(mangle(zlib.compress(c.read_bytes())), filter=Name.FlateDecode)
        return change

    def no_type(pdf):
        del pdf.pages[0].obj["/Type"]

    out["damaged Flate content"] = edit(base, flate(lambda raw: b"\x00\x01" + raw[2:]))
    out["truncated Flate content"] = edit(base, flate(lambda raw: raw[:len(raw) // 2]))
    out["a page without /Type"] = edit(base, no_type)
    return out


def _reportlab() -> bytes:
    """Another tool's file: literal strings, standard fonts, RGB, a form, an annotation, a clip."""
    from reportlab.lib.colors import CMYKColor
    from reportlab.pdfgen.canvas import Canvas
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(595.28, 841.89))
    c.setFillColorRGB(0.9, 0.2, 0.16)
    c.rect(0, 700, 595.28, 141.89, stroke=0, fill=1)
    c.setFillColor(CMYKColor(0.6, 0.5, 0.4, 1))
    c.setFont("Helvetica", 5)
    c.drawString(72, 600, "Report (human) trafficking \\ 0120-924-839")
    c.beginForm("frm")
    c.setFillColor(CMYKColor(0.9, 0.9, 0.9, 0.9))
    c.rect(0, 0, 50, 50, fill=1, stroke=0)
    c.endForm()
    for i in range(3):
        c.saveState()
        c.translate(100 + 60 * i, 100)
        c.doForm("frm")
        c.restoreState()
    c.saveState()
    path = c.beginPath()
    path.rect(400, 600, 50, 50)
    c.clipPath(path, stroke=0, fill=0)
    c.setFillColor(CMYKColor(1, 1, 1, 1))
    c.rect(0, 0, 595, 841, fill=1, stroke=0)
    c.restoreState()
    c.linkURL("https://example.org/", (72, 590, 200, 610), relative=0)
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def print_file(workspace, tmp_path_factory) -> tuple[bytes, tuple]:
    jobs = workspace.jobs(["a4-leaflet"], ["ar"], ["print"])
    plan = workspace.plan(jobs)
    data = next(o.data for o in workspace.outputs(plan, tmp_path_factory.mktemp("out")))
    return data, workspace._conditions.checked_streams()


def _corpus(print_file) -> dict[str, tuple[bytes, tuple]]:
    data, known = print_file
    out = {"print file": (data, known), "print file, no known profile": (data, ())}
    from leaflets.impose import impose
    out["imposed sheet"] = (impose([data], "fill-sra3").data, known)
    for group in (_texts(), _numbers(), _forms(), _hostile_content()):
        out.update({name: (pdf, ()) for name, pdf in group.items()})
    out["a card over 3 boxes"] = (_cover(3, True), ())
    out["a card over 30 boxes"] = (_cover(30, True), ())
    out["30 boxes"] = (_cover(30, False), ())
    out["reportlab"] = (_reportlab(), ())
    return out


# ------------------------------------------------------------------ each plain path gives the same report

def _objects_only(monkeypatch) -> list:
    """The walker reads every operand from pikepdf's objects (no text of the instructions)."""
    used = []

    def refuse(instructions):
        used.append(1)
        raise ValueError("no text")
    monkeypatch.setattr(pikepdf, "unparse_content_stream", refuse)
    return used


def _nothing_kept(monkeypatch) -> list:
    """Every content parsed where it is drawn (the syntax check keeps nothing for the walker either)."""
    used = []
    parse = pikepdf.parse_content_stream

    def counted(*args, **kw):
        used.append(1)
        return parse(*args, **kw)
    monkeypatch.setattr(pf, "MAX_KEPT_OPS", 0)
    monkeypatch.setattr(pikepdf, "parse_content_stream", counted)
    return used


def _pikepdf_check(monkeypatch) -> list:
    """pikepdf's check_pdf_syntax() itself, as for a pikepdf whose check is not the one followed."""
    used = []
    check = pikepdf.Pdf.check_pdf_syntax

    def counted(self, *args, **kw):
        used.append(1)
        return check(self, *args, **kw)
    monkeypatch.setattr(pf, "_check_is_mirrored", lambda check: False)
    monkeypatch.setattr(pikepdf.Pdf, "check_pdf_syntax", counted)
    return used


def _profile_read(monkeypatch) -> list:
    """The OutputIntent profile's data read through qpdf."""
    used = []

    def nothing(pdf, stream, data):
        used.append(1)
    monkeypatch.setattr(pf, "_stored_data", nothing)
    return used


@pytest.mark.parametrize("plain", [_objects_only, _nothing_kept, _pikepdf_check, _profile_read],
                         ids=lambda f: f.__name__.strip("_"))
def test_the_plain_path_gives_the_same_report(plain, print_file, monkeypatch):
    corpus = _corpus(print_file)
    quick = {(name, profile): report(data, profile, known_streams=known)
             for name, (data, known) in corpus.items() for profile in ("shop", "office")}
    with monkeypatch.context() as m:
        used = plain(m)
        for (name, profile), expected in quick.items():
            data, known = corpus[name]
            assert report(data, profile, known_streams=known) == expected, (name, profile)
    assert used, "the plain path was not taken"


def test_the_quick_paths_are_taken(print_file):
    """The print file's profile is taken from its bytes, its page parsed once, its instructions read as text."""
    data, known = print_file
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stream = pdf.Root.OutputIntents[0].DestOutputProfile
        assert pf._stored_data(pdf, stream, data) == bytes(stream.read_raw_bytes()) in known
        if not pf._check_is_mirrored(pdf.check_pdf_syntax):
            pytest.skip("this pikepdf's check_pdf_syntax is not the one _check_syntax follows: it runs itself")
        k = pf._Check(pf.PROFILES["shop"], "x")
        assert pf._syntax_problems(pdf, known, k, data) == []
        instructions, lines = k.parsed_content(pdf.pages[0])
        assert lines is not None and len(lines) == len(instructions) > 500
        assert k.parsed_content(pdf.pages[0]) is None          # a page's content is handed over once


# ------------------------------------------------------------------ what the broken PDFs must give

def test_one_string_however_it_is_written_is_judged_alike():
    reports = {name: report(data) for name, data in _texts().items()}
    first = reports.pop("literal")
    assert {f["rule"] for f in first["findings"]} >= {"rich-black"}, first
    for name, r in reports.items():
        if name != "latin-1 bytes":
            assert r["findings"] == first["findings"], name
    # the string reaches into the clip region 20 mm to its right by its length
    x, y = Page().pt(40, 170)
    clip = f"{Page().pt(60, 200)[0]:.3f} {Page().pt(0, 200)[1]:.3f} {80 * MM:.3f} {50 * MM:.3f} re W n"
    for shown, seen in ((r"(Human \(trafficking\)\n) Tj", True), (r"(H\(t\)) Tj", False), ("<48287429> Tj", False),
                        ("<48756d616e2028747261666669636b696e67290a> Tj", True),
                        (r"[(Human ) <28> (trafficking\051\n)] TJ", True), (r"[(H) <28> (t\051)] TJ", False),
                        ("[<48756d616e2028> <747261666669636b696e67290a>] TJ", True), ("[<4828> <7429>] TJ", False),
                        ("[<4828> -9000 <7429>] TJ", True), ("[<4828> 9000 <7429>] TJ", False),
                        # 11 bytes reach it, 10 do not (bytes below 32 are written in hexadecimal)
                        ("[<0102030405> <0607080e0f>] TJ", False), ("[<0102030405> <0607080e0f10>] TJ", True),
                        (r"[(Hu\155an) ( \(tra)] TJ", False), (r"[(Hu\155an) ( \(traf)] TJ", True)):
        data = pdfx(_page(f"q {clip} 0.6 0.5 0.4 1 k BT /F1 8 Tf {x:.3f} {y:.3f} Td {shown} ET Q").pdf())
        assert bool(findings(data, "rich-black")) == seen, shown


def test_numbers_are_read_alike_however_they_are_written():
    reports = {name: findings(data, "ink-limit") for name, data in _numbers().items()}
    assert len(reports["integers"]) == 1 and "400 %" in reports["integers"][0]["message"]
    assert reports["reals"] == reports["integers"]
    assert reports["short reals"] and reports["short reals"][0]["message"] == reports["integers"][0]["message"]
    # an operand that is no number is read as 0; a rectangle of three numbers cannot be read
    for name in ("a name for a number", "a string for a number", "a number too long for 64 bits", "booleans"):
        assert reports[name], name
    assert not reports["too few operands"]
    # and is an error of the file's structure, with the operands it takes
    assert any("'re' takes 4 operand(s)" in m for m in messages(_numbers()["too few operands"], "structure"))


def test_a_form_is_judged_each_time_it_is_drawn():
    forms = _forms()
    once, seven = findings(forms["drawn once"], "ink-limit"), findings(forms["drawn 7 times"], "ink-limit")
    assert [f["count"] for f in once] == [2] and [f["count"] for f in seven] == [14]     # its box and its line
    assert [f["count"] for f in findings(forms["drawn 7 times"], "line-width")] == [7]
    # each form's ExtGState of a name is its own: the form's text knocks out, the page's overprints
    black = messages(forms["ExtGStates of one name"], "black-overprint")
    assert len(black) == 1 and "overprint is off" in black[0], black


@pytest.mark.parametrize("n", [3, 30])
def test_a_card_hides_the_boxes_it_covers(n):
    assert not findings(_cover(n, True), "ink-limit")
    over = findings(_cover(n, False), "ink-limit")
    assert over and "overprinting a colour beneath it" in over[0]["message"]


def test_what_was_painted_stays_in_order_of_its_ink_as_cards_hide_some():
    """Black text overprinting a 290 % box is 390 % however many boxes of more ink a card hid before the box
    was painted (the boxes beneath are tried most ink first, and no further once they cannot pass 300 %)."""
    for hidden in (1, 2, 12):
        p = Page()
        p.fonts = True
        for i in range(hidden):
            p.fill_rect(10 + 3 * (i % 6), 20 + 3 * (i // 6), 2, 2, "1 1 0.95 0 k")      # 295 %
        p.fill_rect(100, 20, 20, 20, "0.5 0.5 0.5 0 k")                                  # 150 %, elsewhere
        p.fill_rect(8, 18, 22, 10, "0 0 0 0 k")                                          # the card
        p.fill_rect(60, 140, 30, 20, "1 1 0.9 0 k")                                      # 290 %
        over = findings(pdfx(p.black_text(62, 150).pdf()), "ink-limit")
        assert len(over) == 1 and "gives 390 %" in over[0]["message"], (hidden, over)


def test_broken_content_is_found_as_before():
    broken = _hostile_content()
    syntax = {name: " ".join(messages(data, "structure")) for name, data in broken.items()}
    assert "EOF while reading token" in syntax["an unterminated string"]
    assert "invalid character (z) in hexstring" in syntax["a bad hex string"]
    assert "cannot be parsed" in syntax["an operator inside a TJ array"]
    assert "cannot be parsed" in syntax["an inline image without data"]
    assert "no PDF operator" in syntax["operators that are no UTF-8"]
    assert "'Tz' takes 1 operand(s) (number), not 0" in syntax["every operator without operands"]
    assert "ERROR: page 1" in syntax["damaged Flate content"] and "cannot be parsed" in syntax["damaged Flate content"]
    assert "syntax: WARNING" in syntax["truncated Flate content"]
    assert "/Type key should be /Page" in syntax["a page without /Type"]      # qpdf mends it as it opens
    small = report(broken["an inline image and small text"])
    assert {"colour", "text-size"} <= {f["rule"] for f in small["findings"]}, small
    # the check gives what it gives with pikepdf's check_pdf_syntax, the page content kept for the walker or not
    address = re.compile(r"object at 0x[0-9a-f]+")
    for name, data in broken.items():
        with pikepdf.open(io.BytesIO(data)) as a, pikepdf.open(io.BytesIO(data)) as b:
            a.get_warnings()
            b.get_warnings()
            kept = pf._syntax_problems(a, (), pf._Check(pf.PROFILES["shop"], name), data)
            plain = pf._syntax_problems(b, (), None, data)
            assert [address.sub("", p) for p in kept] == [address.sub("", p) for p in plain], name
            assert bool(plain) == (name in ("an unterminated string", "an unbalanced array", "a bad hex string",
                                            "stray delimiters", "damaged Flate content",
                                            "truncated Flate content")), (name, plain)


def _profile_file(print_file, change) -> bytes:
    data, _known = print_file
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stream = pdf.Root.OutputIntents[0].DestOutputProfile
        n, g = stream.objgen
        raw = bytes(stream.read_raw_bytes())
    return change(data, raw, n, g)


def _update(data: bytes, raw: bytes, n: int, g: int) -> bytes:
    """An incremental update that writes the profile object again, its data changed: the file still holds
    the profile's bytes, in the object's first version."""
    damaged = raw[:1000] + bytes(b ^ 0x55 for b in raw[1000:1010]) + raw[1010:]
    obj = b"%d %d obj\n<< /Filter /FlateDecode /N 4 /Length %d >>\nstream\n" % (n, g, len(damaged)) + damaged + \
        b"\nendstream\nendobj\n"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        size, root = int(pdf.trailer.Size), pdf.Root.objgen
    at = data.rfind(b"startxref")
    prev = int(data[at + 9:].split()[0])
    xref = b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n" % (n, len(data), g)
    trailer = b"trailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root[0], root[1], prev, len(data) + len(obj))
    return data + obj + xref + trailer


def test_the_profile_is_taken_from_the_file_only_where_qpdf_reads_it_so(print_file):
    data, known = print_file
    cases = {
        "as built": (data, True),
        "junk before the header": (b"JUNK" * 8 + data, False),
        "its /Length one short": (_profile_file(print_file, lambda d, raw, n, g: d.replace(
            b"/Length %d" % len(raw), (b"/Length %d" % (len(raw) - 1)).ljust(len(b"/Length %d" % len(raw))), 1)),
            False),
        "written again in an update": (_profile_file(print_file, _update), True),
    }
    enc = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(enc, encryption=pikepdf.Encryption(owner="o", user="", R=4))
    cases["encrypted"] = (enc.getvalue(), False)
    for name, (pdf_bytes, taken) in cases.items():
        with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
            stream = pdf.Root.OutputIntents[0].DestOutputProfile
            found = pf._stored_data(pdf, stream, pdf_bytes)
            assert (found is not None) == taken, name
            assert found is None or found == bytes(stream.read_raw_bytes()), name
    # the profile written again damaged is found damaged, the build's word for its first version regardless
    updated = cases["written again in an update"][0]
    r = report(updated, known_streams=known)
    assert any("ICC profile" in f["message"] for f in r["findings"] if f["rule"] == "structure"), r["findings"]


def test_a_graphics_state_copy_carries_every_field():
    """_GState.copy names its fields one by one (a loop over __slots__ is slower): a field added to the class
    and not to copy() would be lost at every q."""
    g = pf._GState()
    for i, name in enumerate(pf._GState.__slots__):
        setattr(g, name, ("value", i))
    c = g.copy()
    assert [getattr(c, name) for name in pf._GState.__slots__] == \
        [("value", i) for i in range(len(pf._GState.__slots__))]
