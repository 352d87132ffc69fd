"""Batch logos: read only from inside the spec's folder, limited before
decoding, PNG flattened and converted, SVG without entities, scripts or outside
references, and the supported SVG subset turned into paths."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from leaflets.batch.logo import MAX_BYTES, load_logo, parse_path
from leaflets.errors import ContentError

SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 50">'


def refused(value: str, folder: Path, *words: str) -> str:
    with pytest.raises(ContentError) as info:
        load_logo(value, folder, 7)
    d = info.value.diagnostics[0]
    assert d.line == 7 and d.hint
    assert value in d.message or Path(value).name in d.message, d.message
    for w in words:
        assert w in d.message.lower(), d.message
    return d.message


def png_bytes(size=(4, 3), mode="RGBA", color=(0, 0, 0, 255)) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, "PNG")
    return buf.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def crafted_png(width: int, height: int, crc_ok: bool = True) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    head = chunk(b"IHDR", ihdr)
    if not crc_ok:
        head = head[:-4] + bytes(4)
    return b"\x89PNG\r\n\x1a\n" + head + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b"")


# ------------------------------------------------------------------- the path

@pytest.mark.parametrize("value,word", [("../logo.png", ".."), ("a/../../logo.png", ".."), ("/etc/passwd", "absolute"),
                                        ("C:/logo.png", "absolute"), ("c:logo.png", "absolute"),
                                        ("images\\logo.png", "backslash"), ("~/logo.png", "absolute"),
                                        ("", "empty"), ("missing.png", "no file"), ("a\x00b.png", "control")])
def test_paths_outside_or_odd(tmp_path, value, word):
    (tmp_path / "spec").mkdir()
    (tmp_path / "logo.png").write_bytes(png_bytes())
    with pytest.raises(ContentError) as info:
        load_logo(value, tmp_path / "spec", 3)
    assert word in info.value.diagnostics[0].message


def test_symlinks_are_refused(tmp_path):
    spec, outside = tmp_path / "spec", tmp_path / "outside"
    spec.mkdir()
    outside.mkdir()
    (outside / "logo.png").write_bytes(png_bytes())
    (spec / "real.png").write_bytes(png_bytes())
    os.symlink(outside / "logo.png", spec / "out.png")
    os.symlink(spec / "real.png", spec / "in.png")            # a link even to a file inside is refused
    os.symlink(outside, spec / "dir")
    for name in ("out.png", "in.png", "dir/logo.png"):
        refused(name, spec, "symbolic link")
    assert load_logo("real.png", spec, 1).kind == "png"


def test_not_a_regular_file_and_too_big(tmp_path):
    (tmp_path / "d.png").mkdir()
    refused("d.png", tmp_path, "regular")
    big = tmp_path / "big.png"
    with open(big, "wb") as f:
        f.write(png_bytes())
        f.truncate(MAX_BYTES + 1)
    refused("big.png", tmp_path, "bytes")


# ------------------------------------------------------------------------ PNG

@pytest.mark.parametrize("w,h", [(100_000, 100_000), (6000, 6000), (30_000, 1), (0, 10)])
def test_png_header_checked_before_decoding(tmp_path, w, h):
    (tmp_path / "bomb.png").write_bytes(crafted_png(w, h))
    msg = refused("bomb.png", tmp_path)
    assert str(w) in msg or "no pixels" in msg


def test_png_damaged_header(tmp_path):
    (tmp_path / "bad.png").write_bytes(crafted_png(10, 10, crc_ok=False))
    refused("bad.png", tmp_path, "checksum")
    (tmp_path / "cut.png").write_bytes(png_bytes((50, 50))[:60])
    refused("cut.png", tmp_path, "decoded")


@pytest.mark.parametrize("content", [b"GIF89a" + bytes(40), b"hello world", b"\xff\xd8\xff\xe0" + bytes(40),
                                     b"%PDF-1.7\n"])
def test_not_a_png_by_content(tmp_path, content):
    (tmp_path / "logo.png").write_bytes(content)
    refused("logo.png", tmp_path, "neither a png nor an svg")


def test_content_and_name_must_agree(tmp_path):
    (tmp_path / "logo.svg").write_bytes(png_bytes())
    refused("logo.svg", tmp_path, "png")
    (tmp_path / "logo.jpg").write_bytes(png_bytes())
    refused("logo.jpg", tmp_path, ".jpg")


def test_png_alpha_flattened_on_white_and_converted(tmp_path):
    im = Image.new("RGBA", (5, 3), (255, 0, 0, 0))          # fully transparent red
    im.putpixel((0, 0), (0, 0, 0, 255))                    # black
    im.putpixel((1, 0), (255, 0, 0, 255))                  # red
    im.putpixel((2, 0), (0, 0, 255, 128))                  # half-transparent blue
    im.save(tmp_path / "a.png")
    logo = load_logo("a.png", tmp_path, 1)
    assert (logo.kind, logo.width_px, logo.height_px, logo.aspect) == ("png", 5, 3, 5 / 3)
    assert len(logo.cmyk) == 5 * 3 * 4 and len(logo.rgb) == 5 * 3 * 3
    rgb = Image.frombytes("RGB", (5, 3), logo.rgb)
    cmyk = Image.frombytes("CMYK", (5, 3), logo.cmyk)
    assert rgb.getpixel((4, 2)) == (255, 255, 255)          # transparent became white
    assert cmyk.getpixel((4, 2)) == (0, 0, 0, 0)
    assert cmyk.getpixel((0, 0)) == (0, 0, 0, 255)          # black is K alone
    assert cmyk.getpixel((1, 0)) == (0, 255, 255, 0)
    r, g, b = rgb.getpixel((2, 0))
    assert b == 255 and 120 <= r == g <= 135                # blended half way to white
    assert logo.min_width_pt(300) == pytest.approx(5 / 300 * 72)
    assert logo.paths is None


@pytest.mark.parametrize("mode,color", [("P", 3), ("L", 0), ("LA", (0, 0)), ("RGB", (10, 20, 30)), ("I;16", 0)])
def test_png_modes(tmp_path, mode, color):
    (tmp_path / "m.png").write_bytes(png_bytes((7, 2), mode, color))
    logo = load_logo("m.png", tmp_path, 1)
    assert len(logo.cmyk) == 7 * 2 * 4 and len(logo.rgb) == 7 * 2 * 3


def test_png_conversion_is_deterministic(tmp_path):
    im = Image.new("RGB", (64, 64))
    im.putdata([((x * 4) % 256, (y * 4) % 256, (x * y) % 256) for y in range(64) for x in range(64)])
    im.save(tmp_path / "g.png")
    a, b = load_logo("g.png", tmp_path, 1), load_logo("g.png", tmp_path, 1)
    assert a.cmyk == b.cmyk and a.rgb == b.rgb
    # every pixel: one of C, M, Y is zero (grey goes to K) and no pixel exceeds 300 % ink
    px = Image.frombytes("CMYK", (64, 64), a.cmyk).get_flattened_data() \
        if hasattr(Image.Image, "get_flattened_data") else Image.frombytes("CMYK", (64, 64), a.cmyk).getdata()
    assert all(min(p[:3]) == 0 and sum(p) <= 3 * 255 for p in px)


# ------------------------------------------------------------------------ SVG

def svg(tmp_path: Path, body: str, head: str = SVG_HEAD, name: str = "logo.svg") -> str:
    (tmp_path / name).write_text(head + body + "</svg>", encoding="utf-8")
    return name


def test_svg_xxe_is_refused_and_reads_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    for decl in (f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file://{secret}">]>',
                 '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
                 '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
                 '<!doctype svg>'):
        (tmp_path / "x.svg").write_text(decl + SVG_HEAD + "<title>&x;</title><rect width='1' height='1'/></svg>")
        msg = refused("x.svg", tmp_path, "doctype")
        assert "TOP-SECRET" not in msg


@pytest.mark.parametrize("body,word", [
    ("<script>alert(1)</script>", "script"),
    ("<g><script xlink:href='http://evil/x.js'/></g>", "script"),
    ('<rect width="1" height="1" onclick="x()"/>', "onclick"),
    ('<rect width="1" height="1" ONLOAD="x()"/>', "onload"),
    ('<image xlink:href="http://evil/x.png" width="10" height="10"/>', "image"),
    ('<image href="data:image/png;base64,AAAA" width="10" height="10"/>', "image"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>', "foreignobject"),
    ('<use xlink:href="other.svg#a"/>', "refers"),
    ('<use href="http://evil/a.svg#x"/>', "refers"),
    ('<use href="file:///etc/passwd"/>', "refers"),
    ('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>', "refers"),
    ('<rect width="1" height="1" style="fill:url(http://evil/p)"/>', "url("),
    ('<rect width="1" height="1" fill="url(file:///etc/passwd)"/>', "url("),
    ("<style>@import url(http://evil/a.css);</style>", "@import"),
    ("<style>@imp\\6frt 'x.css';</style>", "@import"),
    ("<style>rect{fill:url(https://evil/x)}</style>", "url("),
    ("<set attributeName='fill' to='red'/>", "animation"),
    ("<text x='1' y='1'>ACME</text>", "<text>"),
    ("<linearGradient id='g'/><rect width='1' height='1' fill='url(#g)'/>", "lineargradient"),
    ("<rect width='1' height='1' fill='#f00' opacity='0.5'/>", "transparent"),
    ("<rect width='200' height='1'/>", "outside"),
    ("<path d='M 0 0 L 10 x'/>", "path"),
    ("<use href='#a'/><g id='a'><use href='#a'/></g>", "itself"),
])
def test_svg_refusals(tmp_path, body, word):
    name = svg(tmp_path, body)
    msg = refused(name, tmp_path)
    assert word in msg.lower(), msg


def test_svg_not_xml(tmp_path):
    (tmp_path / "a.svg").write_text("<svg><rect></svg>")
    refused("a.svg", tmp_path, "well-formed")
    (tmp_path / "b.svg").write_text("<html><body/></html>")
    refused("b.svg", tmp_path)


def _bbox(paths):
    xs = [v for p in paths for c in p.commands for v in c[1::2]]
    ys = [v for p in paths for c in p.commands for v in c[2::2]]
    return min(xs), min(ys), max(xs), max(ys)


def test_svg_subset_to_paths(tmp_path):
    body = """
<title>ACME</title><desc>a logo</desc><metadata><x/></metadata>
<style>.a { fill: #00ff00 } #e { stroke: red }</style>
<defs><circle id="dot" r="4" fill="navy"/></defs>
<g transform="translate(10,5) scale(0.5)">
  <path class="a" fill-rule="evenodd"
        d="M0 0 L20 0 h10 v10 H0 V0 z m5 5 c1 1 2 2 3 3 s4 4 5 5 q1 1 2 2 t3 3 a5 5 0 0 1 10 0 A5 5 0 1 0 40 40 Z"/>
</g>
<rect x="50" y="10" width="20" height="10" rx="3" style="fill: rgb(10%, 20%, 30%)"/>
<circle cx="80" cy="25" r="10" fill="#f00"/>
<ellipse id="e" cx="30" cy="40" rx="10" ry="5" stroke-width="2"/>
<line x1="0" y1="48" x2="100" y2="48" stroke="black"/>
<polyline points="0,0 10,10 20,0" fill="none" stroke="blue"/>
<polygon points="90,40 95,48 85,48" fill="yellow" transform="rotate(10 90 45)"/>
<g transform="matrix(1 0 0 1 0 0)"><use href="#dot" x="60" y="40"/></g>
<rect width="5" height="5" fill="none"/>
"""
    logo = load_logo(svg(tmp_path, body), tmp_path, 1)
    assert logo.kind == "svg" and logo.aspect == 2.0 and logo.cmyk is None and logo.min_width_pt() is None
    paths = logo.paths
    assert len(paths) == 8
    x0, y0, x1, y1 = _bbox(paths)
    assert 0 <= x0 and x1 <= 1 and 0 <= y0 and y1 <= 1
    for p in paths:
        assert {c[0] for c in p.commands} <= {"M", "L", "C", "Z"}          # arcs and quadratics became cubics
    fills = [p.fill.rgb if p.fill else None for p in paths]
    assert fills[0] == (0.0, 1.0, 0.0) and paths[0].even_odd
    assert fills[1] == pytest.approx((0.1, 0.2, 0.3), abs=0.003)
    assert paths[2].fill.cmyk == (0.0, 1.0, 1.0, 0.0)                       # red
    assert paths[3].fill.cmyk == (0.0, 0.0, 0.0, 1.0) and paths[3].stroke.rgb == (1.0, 0.0, 0.0)
    assert paths[3].stroke_width == pytest.approx(0.02)                     # 2 units of a 100-unit width
    assert paths[4].fill is None and paths[4].stroke.cmyk == (0.0, 0.0, 0.0, 1.0)
    assert paths[5].stroke.rgb == (0.0, 0.0, 1.0)
    assert paths[6].fill.rgb == (1.0, 1.0, 0.0)
    assert paths[7].fill.rgb == pytest.approx((0, 0, 0.502), abs=0.001)     # navy, through <use>
    # the circle reached through <use> is at (60, 40) +- 4 in a 100 x 50 box
    x0, y0, x1, y1 = _bbox([paths[7]])
    assert (x0, x1, y0, y1) == pytest.approx((0.56, 0.64, 0.72, 0.88), abs=1e-6)


def test_svg_editor_metadata_is_ignored(tmp_path):
    head = SVG_HEAD.replace("<svg ", '<svg xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" ')
    logo = load_logo(svg(tmp_path, '<inkscape:grid/><rect width="100" height="50" fill="white"/>', head),
                     tmp_path, 1)
    assert len(logo.paths) == 1 and logo.warnings


def test_svg_without_viewbox_uses_width_and_height(tmp_path):
    head = '<svg xmlns="http://www.w3.org/2000/svg" width="40mm" height="10mm">'
    logo = load_logo(svg(tmp_path, '<rect width="100%" height="1" fill="black"/>'.replace("100%", "10"), head),
                     tmp_path, 1)
    assert logo.aspect == pytest.approx(4.0)


def test_arc_becomes_cubics_on_the_circle():
    cmds = parse_path("M 10 0 A 10 10 0 1 1 -10 0 A 10 10 0 1 1 10 0 Z")
    assert [c[0] for c in cmds][:1] == ["M"] and cmds[-1] == ("Z",)
    for c in cmds[1:-1]:
        assert c[0] == "C"
        x, y = c[5], c[6]
        assert (x * x + y * y) ** 0.5 == pytest.approx(10, abs=1e-6)
    compact = parse_path("M0 0a5 5 0 1010 0")                 # flags written without separators
    assert compact[-1][5:] == pytest.approx((10, 0))


def test_a_logo_of_the_same_bytes_is_decoded_once_and_keeps_its_own_file(tmp_path):
    import dataclasses
    from leaflets.batch import logo as logo_mod
    data = png_bytes((40, 30), "RGBA", (10, 120, 200, 255))
    a, b = tmp_path / "north", tmp_path / "south"
    for folder in (a, b):
        folder.mkdir()
        (folder / "logo.png").write_bytes(data)
    first = load_logo("logo.png", a, 3)
    calls = []
    real = logo_mod._png
    logo_mod._png = lambda path, raw: calls.append(path) or real(path, raw)
    try:
        second = load_logo("logo.png", b, 3)
        assert calls == []                                   # the same bytes: not decoded again
        assert first.source == a / "logo.png" and second.source == b / "logo.png"
        assert dataclasses.replace(second, source=first.source) == first
        (b / "other.png").write_bytes(png_bytes((40, 30), "RGBA", (200, 0, 0, 255)))
        third = load_logo("other.png", b, 3)
        assert calls == [b / "other.png"] and third.cmyk != first.cmyk
    finally:
        logo_mod._png = real
