"""Batch logos: a large PNG is reduced to what print can use, band by band, and drawn as the full
one would be."""

from __future__ import annotations

import dataclasses
import io
import random
from pathlib import Path

import pytest
from PIL import Image

import leaflets.batch.logo as logo_mod
from leaflets.batch.logo import MAX_DRAWN_HEIGHT_MM, PRINT_DPI, Logo, load_logo, print_rows
from leaflets.layout.page import Composer

MM = 72 / 25.4


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
