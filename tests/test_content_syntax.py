"""Content-stream syntax (ISO 32000-1 Annex A, figure 9) as preflight judges it: every operator of the
standard's table with its operands, where it stands, what must balance, the resources it names; the quick
path over qpdf's text gives what reading the objects gives; a file with such content fails preflight."""

from __future__ import annotations

import io
import random

import pikepdf
import pytest

import leaflets.preflight as pf
from leaflets import content_syntax as cs
from leaflets.cli import main
from pdfmaker import clean_page, edit, pdfx

# operands of each kind, written as a content stream writes them
SAMPLE = {cs.NUM: "1.5", cs.INT: "1", cs.NAME: "/R1", cs.STR: "(a)", cs.ARR: "[(a) 2 (b)]",
          cs.PROP: "<< /MCID 0 >>"}
WRONG = {cs.NUM: "/R1", cs.INT: "(a)", cs.NAME: "2", cs.STR: "/R1", cs.ARR: "(a)", cs.PROP: "3"}


def resources() -> pikepdf.Dictionary:
    """Resources with one entry, /R1, of every category."""
    d = pikepdf.Dictionary(R1=pikepdf.Dictionary())
    return pikepdf.Dictionary({"/Font": d, "/XObject": d, "/ExtGState": d, "/Shading": d, "/ColorSpace": d,
                               "/Pattern": d, "/Properties": d})


def parse(text: str):
    pdf = pikepdf.new()
    return pikepdf.parse_content_stream(pdf.make_stream(text.encode("latin-1")))


def problems(text: str, glyph: bool = False, res=None, lines: bool = True) -> list[cs.Problem]:
    ins = parse(text)
    written = None
    if lines:
        written = pikepdf.unparse_content_stream(ins).split(b"\n")
        if len(written) != len(ins):
            written = None
    return cs.check(ins, resources() if res is None else res, glyph=glyph, lines=written)


def in_context(op: str, instruction: str) -> tuple[str, bool]:
    """``instruction`` where ``op`` may stand: (content, whether it is a Type 3 glyph's)."""
    if op in ("d0", "d1"):
        return instruction, True
    if op in cs.TEXT_SHOW | cs.TEXT_POSITION:
        return f"BT {instruction} ET", False
    if op in ("l", "c", "v", "y", "h"):
        return f"0 0 m {instruction} S", False
    if op in cs.PAINT:
        return f"0 0 m 1 1 l {instruction}", False
    if op in cs.CLIP:
        return f"0 0 1 1 re {instruction} n", False
    if op == "m" or op == "re":
        return f"{instruction} n", False
    if op == "ET":
        return f"BT {instruction}", False
    if op == "BT":
        return f"{instruction} ET", False
    if op == "Q":
        return f"q {instruction}", False
    if op == "q":
        return f"{instruction} Q", False
    if op == "EMC":
        return f"/Span BMC {instruction}", False
    if op in ("BMC", "BDC"):
        return f"{instruction} EMC", False
    if op == "EX":
        return f"BX {instruction}", False
    if op == "BX":
        return f"{instruction} EX", False
    return instruction, False


FIXED = sorted(op for op, sig in cs.SIGNATURES.items() if isinstance(sig, tuple))


@pytest.mark.parametrize("op", FIXED)
def test_every_operator_of_the_table_passes_as_the_standard_writes_it(op):
    sig = cs.SIGNATURES[op]
    operands = ["[3 1]", "0"] if op == "d" else [SAMPLE[k] for k in sig]     # a dash array holds numbers
    text, glyph = in_context(op, " ".join(operands + [op]))
    assert problems(text, glyph) == [], text


@pytest.mark.parametrize("op", [op for op in FIXED if cs.SIGNATURES[op]])
def test_every_operator_with_an_operand_too_few_too_many_or_of_another_kind_is_an_error(op):
    sig = cs.SIGNATURES[op]
    variants = {"too few": [SAMPLE[k] for k in sig[:-1]],
                "too many": [SAMPLE[k] for k in sig] + ["1"],
                "another kind": [WRONG[sig[0]]] + [SAMPLE[k] for k in sig[1:]]}
    for how, operands in variants.items():
        text, glyph = in_context(op, " ".join(operands + [op]))
        for lines in (True, False):
            found = [p for p in problems(text, glyph, lines=lines) if p.kind == "operands"]
            assert found and found[0].op == op and found[0].error, (how, text, found)
            assert f"'{op}' takes" in found[0].message


@pytest.mark.parametrize("op", [op for op in FIXED if not cs.SIGNATURES[op]])
def test_an_operator_that_takes_nothing_given_something_is_an_error(op):
    text, glyph = in_context(op, f"1 {op}")
    assert any(p.kind == "operands" and p.op == op for p in problems(text, glyph)), text


@pytest.mark.parametrize("op", ["sc", "SC", "scn", "SCN"])
def test_colour_operands_are_numbers_and_a_pattern_name_only_where_one_may_be(op):
    assert problems(f"0.1 0.2 0.3 {op}") == []
    assert bool(problems(f"/R1 0.1 {op}")) is True
    assert bool(problems(f"0.1 /R1 {op}")) is (op in ("sc", "SC"))
    assert bool(problems(f"{op}")) is (op in ("sc", "SC"))


@pytest.mark.parametrize("text,want", [("3 J", "from 0 to 2"), ("1.5 j", "an integer"), ("8 Tr", "from 0 to 7"),
                                       ("-1 w", "0 or more"), ("[(a)] 0 d", "array of numbers"),
                                       ("BT [(a) /N (b)] TJ ET", "strings and numbers"),
                                       ("BT [(a) [1] (b)] TJ ET", "strings and numbers"),
                                       ("true 1 m 0 0 l S", "boolean or null")])
def test_values_an_operand_may_not_take_are_errors(text, want):
    found = problems(text)
    assert found and want in found[0].message, (text, found)


def test_operators_the_standard_does_not_define_are_errors_outside_bx_ex():
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ*'\""
    names = set()
    while len(names) < 200:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 4)))
        if word not in cs.SIGNATURES and word not in ("true", "false", "null", "BI", "ID", "EI"):
            names.add(word)
    for word in sorted(names):
        found = problems(f"1 2 {word}")
        assert [p.kind for p in found] == ["unknown"] and found[0].error and word in found[0].message, word
        assert problems(f"BX 1 2 {word} EX") == [], word


@pytest.mark.parametrize("text,kind,op,error", [
    ("Q", "balance", "Q", True),
    ("q q Q", "unclosed", "q", False),
    ("EMC", "balance", "EMC", False),
    ("/Span BMC", "unclosed", "BDC", False),
    ("EX", "balance", "EX", False),
    ("BX", "unclosed", "BX", False),
    ("BT BT ET ET", "place", "BT", True),
    ("BT", "unclosed", "BT", False),
    ("ET", "place", "ET", True),
    ("(a) Tj", "place", "Tj", True),
    ("1 2 Td", "place", "Td", True),
    ("1 2 l S", "place", "l", True),
    ("h", "place", "h", True),
    ("0 0 m", "unclosed", "m", False),
    ("W n", "place", "W", False),
    ("f", "place", "f", False),
    ("BT q ET", "place", "q", False),
    ("BT 0 0 m ET", "place", "m", False),
    ("BT /R1 Do ET", "place", "Do", False),
    ("0 0 m 0 0 0 1 k 1 1 l S", "place", "k", False),
    ("0 0 m W 1 1 l n", "place", "l", False),
    ("1 0 0 1 0 0 d1", "place", "d1", True),
    ("BT ET 0 0 d0", "place", "d0", True),
])
def test_where_an_operator_stands_and_what_must_balance(text, kind, op, error):
    found = problems(text, glyph="d0" in text)
    assert any(p.kind == kind and p.op == op and p.error is error for p in found), (text, found)


def test_a_q_that_stands_misplaced_still_counts_for_the_balance():
    found = problems("BT q ET Q")
    assert [(p.kind, p.op, p.error) for p in found] == [("place", "q", False)], found


def test_a_glyph_starts_with_d0_or_d1():
    assert problems("1000 0 d0 0 0 m 1 1 l S", glyph=True) == []
    assert problems("1000 0 0 0 750 750 d1 0 0 750 750 re f", glyph=True) == []


@pytest.mark.parametrize("text", ["/R9 12 Tf", "/R9 Do", "/R9 gs", "/R9 sh", "/R9 cs", "/R9 CS", "0.5 /R9 scn",
                                  "/R9 SCN"])
def test_a_resource_the_stream_does_not_have_is_an_error(text):
    text = f"BT {text} ET" if "Tf" in text else text
    found = problems(text)
    assert [p.kind for p in found] == ["resource"] and "/R9" in found[0].message and found[0].error, found
    assert problems(text.replace("/R9", "/R1")) == []


def test_device_colour_spaces_are_no_resources():
    for space in ("/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern"):
        assert problems(f"{space} cs {space} CS", res=pikepdf.Dictionary()) == []


def test_the_quick_path_over_qpdfs_text_gives_what_the_objects_give():
    """Random streams of operators (right and wrong) and operands: the problems found with qpdf's text of
    each instruction are those found from the objects alone."""
    rng = random.Random(11)
    ops = list(cs.SIGNATURES) + ["xx", "Tjj", "k1"]
    operands = ["0", "-1.5", ".5", "1.", "+3", "/R1", "/R9", "(a b)", "(a\\)b)", "<0a0B>", "[(a) 1 <00>]",
                "[1 2]", "<< /MCID 3 >>", "true", "null", "12345678901234567890"]
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 40)):
            parts += rng.sample(operands, rng.randint(0, 3)) + [rng.choice(ops)]
        text = " ".join(parts)
        try:
            ins = parse(text)
        except pikepdf.PdfError:
            continue
        lines = pikepdf.unparse_content_stream(ins).split(b"\n")
        assert len(lines) == len(ins)
        assert cs.check(ins, resources(), lines=lines) == cs.check(ins, resources()), text


# ------------------------------------------------------------------ through preflight

def _with_content(data: bytes, content: bytes) -> bytes:
    def change(pdf):
        pdf.pages[0].Contents = pdf.make_stream(content)
    return edit(data, change)


def _clean() -> bytes:
    return pdfx(clean_page().pdf())


def test_a_clean_file_has_no_syntax_finding():
    report = pf.preflight(_clean(), "shop", qr="off")
    assert report.ok and not [f for f in report.findings if "the content of" in f.message], report.format()


@pytest.mark.parametrize("extra,words", [
    (b"foo bar 1 2 baz", "'foo' is not a PDF operator"),
    (b"1 2 3 re f", "'re' takes 4 operand(s)"),
    (b"Q", "'Q' restores a graphics state that no q saved"),
    (b"(text) Tj", "'Tj' stands outside any path or text object"),
    (b"BT /F9 12 Tf (a) Tj ET", "the font /F9, which its resources do not have"),
])
def test_a_file_whose_content_breaks_the_syntax_fails_preflight(extra, words, tmp_path):
    data = _clean()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = pdf.pages[0].Contents.read_bytes()
    broken = _with_content(data, content + b"\n" + extra + b"\n")
    report = pf.preflight(broken, "shop", qr="off")
    assert not report.ok
    found = [f for f in report.findings if f.rule == "structure" and words in f.message]
    assert found and found[0].severity == "error" and "instruction" in found[0].message, report.format()
    path = tmp_path / "broken.pdf"
    path.write_bytes(broken)
    out, err = io.StringIO(), io.StringIO()
    assert main(["preflight", str(path), "--no-qr"], out, err) == 1
    assert words in out.getvalue() + err.getvalue()


def test_a_form_drawn_many_times_is_judged_once(tmp_path):
    def change(pdf):
        form = pdf.make_stream(b"0 0 1 1 re f Q", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                               BBox=pikepdf.Array([0, 0, 10, 10]))
        page = pdf.pages[0]
        page.Resources.XObject = pikepdf.Dictionary(Fx=form)
        page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\n" + b"q /Fx Do Q\n" * 5)
    report = pf.preflight(edit(_clean(), change), "shop", qr="off")
    found = [f for f in report.findings if "'Q' restores" in f.message]
    assert len(found) == 1 and "a form" in found[0].message, report.format()
