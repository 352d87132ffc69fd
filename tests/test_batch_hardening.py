"""Batch specs against careless and hostile input: counts are judged by the text written, not by
what YAML 1.1 makes of it; a batch id is a folder name on every system; free text restates no
campaign host and no recognisable part of a campaign number; a large PNG logo is reduced to what
print can use, band by band; two specs of one run never share a folder."""

from __future__ import annotations

import dataclasses
import io
import random
import re
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from PIL import Image

import leaflets.batch.logo as logo_mod
from leaflets.batch import load_spec
from leaflets.batch.logo import MAX_DRAWN_HEIGHT_MM, PRINT_DPI, Logo, load_logo, print_rows
from leaflets.batch.spec import (BATCH_ID, MAX_COPIES, _number_windows, campaign_digits_in, folder_name_problem,
                                 scalar_sources)
from leaflets.cli import main
from leaflets.errors import ContentError
from leaflets.layout.page import Composer
from leaflets.model.guard import digit_value
from leaflets.model.load import require_project
from leaflets.model.schema import Link

ROOT = Path(__file__).resolve().parents[1]
MM = 72 / 25.4


@pytest.fixture(scope="module")
def project():
    return require_project(ROOT)[0]


def write(folder: Path, text: str, name: str = "spec.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def spec(org: str = "name: Sample Support Centre", top: str = "", head: str = "id: test-batch\n") -> str:
    org_lines = "\n".join("  " + line for line in org.splitlines())
    return f"{head}organisation:\n{org_lines}\nlanguages: [ja, en]\nformats: [a4-leaflet]\n{top}"


def errors(folder: Path, project, text: str, name: str = "spec.yaml") -> list:
    path = write(folder, text, name)
    with pytest.raises(ContentError) as info:
        load_spec(path, project)
    diags = info.value.diagnostics
    assert diags
    for d in diags:
        assert d.file == path and d.line is not None and d.hint, d.format()
    return diags


def messages(diags) -> str:
    return "\n".join(d.format() for d in diags)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ------------------------------------------------------------- counts as written

def _yaml_int_forms(n: int) -> list[str]:
    """``n`` written in every YAML 1.1 form that is not plain decimal digits, each of which YAML reads as n."""
    forms = [hex(n), hex(n).upper().replace("0X", "0x"), "0" + format(n, "o"), bin(n), f"+{n}", f"{n}.0",
             f"{n / 10:.1f}e+1", f"{n // 60}:{n % 60:02d}" if n >= 60 else None]
    digits = str(n)
    if len(digits) > 1:
        forms.append(digits[0] + "_" + digits[1:])
    return [f for f in forms if f is not None]


COUNT_VALUES = [8, 10, 16, 80, 100, 1000, 4096]
COUNT_PLACES = [("copies: {}", "copies"), ("copies: {{default: {}}}", "default"),
                ("copies: {{formats: {{a4-leaflet: {}}}}}", "a4-leaflet"),
                ("copies: {{languages: {{ja: {}}}}}", "ja")]


def test_every_form_is_read_by_yaml_as_the_number():
    # the payloads below are what they claim: YAML 1.1 reads each as the number (so only the text tells)
    for n in COUNT_VALUES:
        for form in _yaml_int_forms(n):
            assert yaml.safe_load(f"v: {form}")["v"] == n, form


@pytest.mark.parametrize("n", COUNT_VALUES)
@pytest.mark.parametrize("place,key", COUNT_PLACES)
def test_counts_in_other_notations_are_refused_with_the_decimal(tmp_path, project, n, place, key):
    for i, form in enumerate(_yaml_int_forms(n)):
        text = spec(top=place.format(form))
        d = errors(tmp_path / str(i), project, text)
        assert len(d) == 1, messages(d)
        assert d[0].line == line_of(text, form), messages(d)
        assert form in d[0].message and "decimal" in d[0].message, messages(d)
        # the hint shows the number YAML read, or the digits read as decimal (010: 10, or 8)
        shown = {int(x) for x in re.findall(rf"\b{re.escape(key)}: (\d+)", d[0].hint)}
        assert n in shown, messages(d)


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "true", "False", "y", "n", "~", "null", ".inf", ".nan",
                                  "2.5", "1e3", "0o17", "1,000", "2024-01-01", "[1]"])
def test_counts_that_are_not_numbers(tmp_path, project, word):
    text = spec(top=f"copies: {word}")
    d = errors(tmp_path, project, text)
    assert len(d) == 1 and d[0].line == line_of(text, "copies:") and "copies" in d[0].message, messages(d)


@pytest.mark.parametrize("written,meant", [('"100"', 100), ("'100'", 100), ('"0x10"', 16), ("|\n  100", 100),
                                          (">\n  100", 100)])
def test_counts_in_quotes_are_refused_with_the_quotes_named(tmp_path, project, written, meant):
    d = errors(tmp_path, project, spec(top=f"copies: {written}"))
    assert len(d) == 1 and "not as a number" in d[0].message, messages(d)
    assert f"copies: {meant}" in d[0].hint, messages(d)


def _zeros() -> list[str]:
    """The zero of every decimal digit set Unicode has (Nd): each set is ten code points from zero."""
    return [chr(c) for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)) == "Nd" and unicodedata.decimal(chr(c)) == 0 and c > 0x7F]


def test_counts_in_other_digits_are_refused_with_the_ascii_number(tmp_path, project):
    zeros = _zeros()
    assert len(zeros) > 50
    for i, zero in enumerate(zeros):
        digits = "".join(chr(ord(zero) + int(c)) for c in "150")
        assert [digit_value(c) for c in digits] == [1, 5, 0]
        d = errors(tmp_path / str(i), project, spec(top=f"copies: {digits}"))
        assert len(d) == 1 and "copies: 150" in d[0].hint, messages(d)
    # full width, through NFKC
    d = errors(tmp_path / "fw", project, spec(top="copies: ２００"))
    assert "copies: 200" in d[0].hint, messages(d)


@pytest.mark.parametrize("n", [1, 7, 10, 100, 1234, MAX_COPIES])
def test_plain_decimal_counts_load(tmp_path, project, n):
    s = load_spec(write(tmp_path, spec(top=f"copies: {{default: {n}, formats: {{a4-leaflet: {n}}}, "
                                           f"languages: {{ja: {n}}}}}")), project)
    assert s.copies_default == n and s.copies_by_design == {"a4-leaflet": n} and s.copies_by_language == {"ja": n}


@pytest.mark.parametrize("written", ["0", "00", "-3", "-0x10", str(MAX_COPIES + 1), "9" * 40])
def test_counts_out_of_range_stay_refused(tmp_path, project, written):
    d = errors(tmp_path, project, spec(top=f"copies: {written}"))
    assert len(d) == 1 and "copies" in d[0].message, messages(d)


def test_scalar_sources_pair_every_value_with_its_text():
    text = ("a: 0x10\nb: [1, '2', \"x\", {c: 010, d: [yes, ~]}]\ne: {}\nf: []\ng:\n  - h: 1_000\n    i: |\n"
            "      block\n  - 1:20\nj:\nk: +5\n")
    data = yaml.safe_load(text)
    sources = scalar_sources(text, data)
    assert sources[("a",)] == ("0x10", None)
    assert sources[("b", 1)] == ("2", "'") and sources[("b", 2)] == ("x", '"')
    assert sources[("b", 3, "c")] == ("010", None) and sources[("b", 3, "d", 0)] == ("yes", None)
    assert sources[("g", 0, "h")] == ("1_000", None) and sources[("g", 0, "i")] == ("block\n", "|")
    assert sources[("g", 1)] == ("1:20", None) and sources[("j",)] == ("", None) and sources[("k",)] == ("+5", None)
    # every plain scalar's own text, read alone, is the value the document holds
    leaves = 0
    for path, (written, style) in sources.items():
        value = data
        for k in path:
            value = value[k]
        if style is None:
            assert yaml.safe_load(f"v: {written}")["v"] == value, path
        leaves += 1
    assert leaves == 12          # e: {} and f: [] hold no scalar


# ------------------------------------------------------------------- batch ids

_DEVICES = ["con", "prn", "aux", "nul"] + [f"{p}{d}" for p in ("com", "lpt") for d in "0123456789¹²³"]


def _case_variants(name: str) -> set[str]:
    rnd = random.Random(name)
    return {name, name.upper(), name.capitalize()} | {"".join(c.upper() if rnd.random() < 0.5 else c for c in name)
                                                        for _ in range(3)}


@pytest.mark.parametrize("device", _DEVICES)
def test_windows_device_names_are_no_folder_names(device):
    for name in _case_variants(device):
        for suffix in ("", ".txt", ".tar.gz", " .pdf", "  "):
            assert folder_name_problem(name + suffix), name + suffix
    assert folder_name_problem(device + "-office") is None and folder_name_problem("my-" + device) is None


def test_the_id_pattern_lets_only_ascii_through():
    # superscript digits (COM¹) and other look-alikes cannot reach the folder: the pattern is ASCII
    allowed = {chr(c) for c in range(0x110000) if BATCH_ID.fullmatch("a" + chr(c))}
    assert allowed == set("abcdefghijklmnopqrstuvwxyz0123456789-")


@pytest.mark.parametrize("device", [d for d in _DEVICES if BATCH_ID.fullmatch(d)])
def test_device_ids_and_file_names_are_refused(tmp_path, project, device):
    d = errors(tmp_path / "a", project, spec(head=f"id: {device}\n"))
    assert len(d) == 1 and d[0].line == 1 and device.upper() in d[0].message and "Windows" in d[0].message, \
        messages(d)
    # the id from the file name: the same rule
    d = errors(tmp_path / "b", project, spec(head=""), name=f"{device}.yaml")
    assert len(d) == 1 and "file name" in d[0].message and device.upper() in d[0].message, messages(d)


@pytest.mark.parametrize("name", ["conx", "com10", "lpt", "con-office", "nul1", "auxiliary", "prn-2026", "com"])
def test_names_near_devices_are_ids(tmp_path, project, name):
    assert load_spec(write(tmp_path, spec(head=f"id: {name}\n")), project).id == name
    assert load_spec(write(tmp_path, spec(head=""), f"{name}.yaml"), project).id == name


# ------------------------------------------------------------------- free text

FIELDS = ["name", "address", "hours", "label"]


def _org(field: str, text: str) -> str:
    esc = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    if field == "name":
        return f'name: "{esc}"'
    if field == "label":
        return f'name: A\nphones: [{{number: "03-1234-5678", label: "{esc}"}}]'
    return f'name: A\n{field}: "{esc}"'


def _where(field: str) -> str:
    return "a phone's label" if field == "label" else f"organisation.{field}"


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def _host_mentions(display: str, url: str) -> list[str]:
    host = display.split("/")[0]
    bare = host[4:] if host.startswith("www.") else host
    core, _, ending = bare.partition(".")
    out = [display, url, host, host.upper(), bare, _fullwidth(bare), f"Report: {display} (24h)",
           f"{core} {ending.replace('.', ' ')}", " . ".join(bare.split(".")), f"{core}\u3002{ending}",
           bare.replace("o", "\u043e")]                                     # Cyrillic o
    if not core.isalpha():
        out += [core, core.capitalize(), re.sub(r"(\D)(\d)", r"\1 \2", core, count=1), "-".join(core)]
    return out


def test_campaign_hosts_in_free_text_are_refused(tmp_path, project):
    i = 0
    for name, link in project.facts.links.items():
        for text in _host_mentions(link.display, link.url):
            for field in FIELDS:
                i += 1
                d = errors(tmp_path / str(i), project, spec(org=_org(field, text)))
                assert any(_where(field) in x.message and link.display in x.message for x in d), \
                    (name, text, field, messages(d))


def test_hosts_come_from_the_campaign_facts(tmp_path, project):
    # another campaign: its host is refused, and nothing is hard-coded about tokumei24
    links = dict(project.facts.links, report=Link("https://www.report-k9.example/", "www.report-k9.example"))
    other = dataclasses.replace(project, facts=dataclasses.replace(project.facts, links=links))
    for text in ("www.report-k9.example", "report-k9 example", "Report K9 office"):
        d = errors(tmp_path, other, spec(org=_org("address", text)))
        assert any("www.report-k9.example" in x.message for x in d), (text, messages(d))
    assert load_spec(write(tmp_path, spec(org=_org("name", "Tokumei 24 Centre"))), other).id == "test-batch"


def _digit_forms(digits: str) -> list[str]:
    """``digits`` written as people write numbers: separators, spaces, other scripts' digits."""
    zeros = ["0", "\uff10", "\u0660", "\u0966", "\u0e50", "\U0001d7ce"]
    out = []
    for z in zeros:
        d = "".join(chr(ord(z) + int(c)) for c in digits)
        out += [d, d[:3] + "-" + d[3:], " ".join(d), d[:2] + "\u2212" + d[2:4] + "." + d[4:],
                "(" + d[:3] + ") " + d[3:], d[:3] + "," + d[3:], d[:4] + "\uff0f" + d[4:], d[:2] + "\u30fb" + d[2:],
                d[:3] + "\u200b" + d[3:]]
    return out


def test_the_window_is_the_hotlines_subscriber_number(project):
    (name, display, window, windows, forms), = _number_windows(tuple(project.facts.numbers().items()))
    assert (name, display, window) == ("hotline", "0120-924-839", 6)
    assert forms == ("0120924839", "81120924839")
    assert "924839" in windows and "012092" in windows and "811209" in windows and "92483" not in windows


def test_runs_of_hotline_digits_are_refused(tmp_path, project):
    (_n, display, window, _w, forms), = _number_windows(tuple(project.facts.numbers().items()))
    i = 0
    for form in forms:
        for length in range(window, len(form)):       # every part of it, as long as the window or longer
            for start in range(0, len(form) - length + 1, 2):
                for text in _digit_forms(form[start:start + length]):
                    i += 1
                    field = FIELDS[i % len(FIELDS)]
                    d = errors(tmp_path / str(i), project, spec(org=_org(field, f"Open {text}")))
                    assert any(_where(field) in x.message and display in x.message for x in d), \
                        (text, field, messages(d))


def test_shorter_runs_of_hotline_digits_are_not_the_hotline(project):
    (_n, _d, window, _w, forms), = _number_windows(tuple(project.facts.numbers().items()))
    for form in forms:
        for start in range(len(form) - window + 2):
            part = form[start:start + window - 1]
            assert not campaign_digits_in(project.facts, f"{part[:2]}-{part[2:]}"), part


ORDINARY = {"hours": ["Mon–Fri 10:00–18:00", "月〜金 10:00〜17:00", "Mon-Fri 9:00-12:00 / 13:00-17:00",
                      "24 hours, 365 days", "Sat 10:00–14:00 (closed 29 Dec – 3 Jan)", "2024–2026"],
            "address": ["1-2-3 Nishi-Shinjuku, Shinjuku-ku, Tokyo", "東京都新宿区西新宿2-8-1 〒163-8001",
                        "Room 1203, 4-12-8 Higashi, Shibuya", "Since 2012", "Gem Building 3F",
                        "Room 1209, 24F, 3-9 Kita"],
            "name": ["Tokumei Support Centre", "Gem Centre", "Centre 2026", "Shelter 24"],
            "label": ["Office", "Office, Mon–Fri 10:00–18:00", "24h line", "Shelter (since 1998)"]}


@pytest.mark.parametrize("field", sorted(ORDINARY))
def test_ordinary_text_passes(tmp_path, project, field):
    for text in ORDINARY[field]:
        s = load_spec(write(tmp_path, spec(org=_org(field, text))), project)
        assert s.organisation.phones or field != "label"


@pytest.mark.parametrize("start", range(1900, 2101, 7))
def test_years_and_times_pass(tmp_path, project, start):
    hours = f"since {start}, {start}–{start + 3}, {start % 24:02d}:{start % 60:02d}–{(start + 5) % 24:02d}:00"
    assert load_spec(write(tmp_path, spec(org=_org("hours", hours))), project).organisation.hours_for("en") == hours


def test_own_phone_with_a_label(tmp_path, project):
    org = 'name: A\nphones: [{number: "03-1234-5678", label: "Office 10:00–18:00"}]'
    s = load_spec(write(tmp_path, spec(org=org)), project)
    assert s.organisation.phones[0].number == "03-1234-5678" and s.organisation.phones[0].label


def test_number_windows_come_from_the_campaign_facts(tmp_path, project):
    other = dataclasses.replace(project, facts=dataclasses.replace(project.facts, hotline_display="0120-357-246"))
    d = errors(tmp_path, other, spec(org=_org("hours", "Open 357-246")))
    assert any("0120-357-246" in x.message for x in d), messages(d)
    assert load_spec(write(tmp_path, spec(org=_org("hours", "Open 924-839"))), other)


def test_url_paths_and_user_names_carry_no_part_of_the_hotline(tmp_path, project):
    for org in ('website: "https://www.example.org/924-839"', 'email: "info924839@example.org"',
                'line_id: "@ngo924839"'):
        d = errors(tmp_path, project, spec(org="name: A\n" + org))
        assert any("hotline" in x.message for x in d), messages(d)


# ----------------------------------------------------------------------- logos

def _noise_png(size: tuple[int, int], block: int = 8, seed: int = 1, mode: str = "RGBA") -> bytes:
    rnd = random.Random(seed)
    bands = len(mode)
    small = (-(-size[0] // block), -(-size[1] // block))
    im = Image.frombytes(mode, small, rnd.randbytes(small[0] * small[1] * bands)).resize(
        (small[0] * block, small[1] * block), Image.NEAREST).crop((0, 0) + size)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _reference(data: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    """The whole image at once: flattened on white, reduced by the whole factor, converted."""
    with Image.open(io.BytesIO(data)) as im:
        rgba = im.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    factor = max(1, flat.height // print_rows())
    if factor > 1:
        flat = flat.reduce(factor)
    return flat.tobytes(), logo_mod._pixels_cmyk(flat).tobytes(), flat.size


@pytest.mark.parametrize("size", [(1601, 1203), (300, 2500), (2500, 301), (997, 593)])
def test_large_logos_are_reduced_to_what_print_uses(tmp_path, size):
    data = _noise_png(size)
    (tmp_path / "logo.png").write_bytes(data)
    logo = load_logo("logo.png", tmp_path, 3)
    rows = print_rows()
    assert rows == round(MAX_DRAWN_HEIGHT_MM / 25.4 * PRINT_DPI + 0.5)
    assert rows <= logo.height_px < 2 * rows or size[1] < 2 * rows
    assert logo.height_px <= size[1] and logo.width_px <= size[0]          # never enlarged
    assert logo.aspect == size[0] / size[1]
    rgb, cmyk, (w, h) = _reference(data)
    assert (logo.width_px, logo.height_px) == (w, h)
    assert logo.rgb == rgb and logo.cmyk == cmyk
    again = load_logo("logo.png", tmp_path, 3)
    assert (again.rgb, again.cmyk) == (logo.rgb, logo.cmyk)


@pytest.mark.parametrize("mode", ["RGBA", "RGB", "L", "LA"])
def test_small_logos_keep_every_pixel(tmp_path, mode):
    size = (400, print_rows() * 2 - 1)                  # just under two reductions' worth: kept whole
    data = _noise_png(size, block=3, mode=mode)
    (tmp_path / "logo.png").write_bytes(data)
    logo = load_logo("logo.png", tmp_path, 3)
    assert (logo.width_px, logo.height_px) == size
    assert (logo.rgb, logo.cmyk) == _reference(data)[:2]


def test_banding_changes_no_byte(tmp_path, monkeypatch):
    data = _noise_png((1203, 1777), block=5, seed=4)
    (tmp_path / "logo.png").write_bytes(data)
    whole = load_logo("logo.png", tmp_path, 3)
    for band in (1, 4000, 50_000):
        monkeypatch.setattr(logo_mod, "BAND_PIXELS", band)
        banded = load_logo("logo.png", tmp_path, 3)
        assert (banded.rgb, banded.cmyk, banded.width_px, banded.height_px) == \
            (whole.rgb, whole.cmyk, whole.width_px, whole.height_px)


def test_no_full_size_copy_is_made_while_converting(tmp_path, monkeypatch):
    size = (2000, 1500)
    (tmp_path / "logo.png").write_bytes(_noise_png(size))
    largest = []
    for name in ("alpha_composite", "merge", "new"):
        real = getattr(Image, name)

        def spy(*args, _real=real, **kwargs):
            out = _real(*args, **kwargs)
            largest.append(out.width * out.height)
            return out
        monkeypatch.setattr(Image, name, spy)
    load_logo("logo.png", tmp_path, 3)
    factor = size[1] // print_rows()
    band = max(logo_mod.BAND_PIXELS, size[0] * factor)
    assert largest and max(largest) <= band + size[0] * factor, (max(largest), size[0] * size[1])


@pytest.mark.parametrize("aspect", [0.2, 1.0, 2.0, 6.0])
@pytest.mark.parametrize("box_mm", [(60, 20), (90, 30), (400, 120)])
def test_the_reduced_logo_is_drawn_as_the_full_one_would_be_at_300_dpi(tmp_path, aspect, box_mm):
    h = 3000
    w = int(h * aspect)
    full = Logo(Path("x.png"), "png", w, h, b"", b"", None, w / h)
    rows = print_rows()
    factor = h // rows
    reduced = dataclasses.replace(full, width_px=-(-w // factor), height_px=-(-h // factor))
    box = (0.0, 0.0, box_mm[0] * MM, box_mm[1] * MM)
    a = [it for it in Composer._logo(full, box, False, None)[0] if hasattr(it, "px_w")][0]
    b = [it for it in Composer._logo(reduced, box, False, None)[0] if hasattr(it, "px_w")][0]
    assert (a.x, a.y, a.w, a.h) == (b.x, b.y, b.w, b.h)
    assert b.h <= MAX_DRAWN_HEIGHT_MM * MM
    assert b.px_h / (b.h / 72) >= PRINT_DPI and b.px_w / (b.w / 72) >= PRINT_DPI * 0.99


# -------------------------------------------------------- one folder per spec

def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("second", ["id: same\n", ""])
def test_two_specs_of_one_run_never_share_a_folder(tmp_path, root, font_cache, second):
    a = write(tmp_path / "north", spec(head="id: same\n"), "a.yaml")
    b = write(tmp_path / "south", spec(head=second), "same.yaml" if not second else "a.yaml")
    out = tmp_path / "out"
    code, _o, err = run("batch", str(a), str(b), "--project", str(root), "--cache", str(font_cache),
                        "--out", str(out), "--jobs", "1")
    assert code == 1, err
    assert str(a) in err and str(b) in err and "'same'" in err, err
    assert "Traceback" not in err and not out.exists()


def test_a_spec_of_the_same_name_in_another_folder_does_not_replace_a_batch(tmp_path, root, font_cache):
    one = spec(head="id: same\n").replace("languages: [ja, en]", "languages: [en]")
    a = write(tmp_path / "north", one, "ngo.yaml")
    b = write(tmp_path / "south", one, "ngo.yaml")
    out = tmp_path / "out"
    common = ("--project", str(root), "--cache", str(font_cache), "--out", str(out), "--jobs", "1", "-q")
    code, _o, err = run("batch", str(a), *common)
    assert code == 0, err
    before = {p: p.read_bytes() for p in (out / "same").rglob("*") if p.is_file()}
    code, _o, err = run("batch", str(b), *common)
    assert code == 1, err
    assert "another folder" in err and "Traceback" not in err, err
    assert {p: p.read_bytes() for p in (out / "same").rglob("*") if p.is_file()} == before
    # the spec that made it still builds there (nothing to do)
    assert run("batch", str(a), *common)[0] == 0


def test_a_spec_given_twice_is_named_once(tmp_path, root, font_cache):
    a = write(tmp_path, spec(head="id: twice\n"), "a.yaml")
    out = tmp_path / "out"
    code, _o, err = run("batch", str(a), str(tmp_path / "." / "a.yaml"), "--project", str(root), "--cache",
                        str(font_cache), "--out", str(out), "--jobs", "1")
    assert code == 1 and "given twice" in err and "Traceback" not in err, err
    assert not out.exists()


@pytest.mark.parametrize("site", ["https://[broken/", "https://[::1/x", "https://exa]mple.org/"])
def test_a_website_the_url_parser_refuses_is_an_error_at_its_line(tmp_path, project, site):
    text = spec(org=f"name: Sample Support Centre\nwebsite: \"{site}\"")
    found = errors(tmp_path, project, text)
    assert any("website" in d.message for d in found), messages(found)
    assert all(d.line == line_of(text, "website") for d in found if "website" in d.message)
