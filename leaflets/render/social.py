"""Social images: a screen format's page as PNG and WebP at exactly its size in pixels.

A screen design is laid out at a nominal 72 dpi (1 pt = 1 px, see
:mod:`leaflets.model.formats`), painted once by the PDF painter (the online
edition) and rasterised with PDFium at the scale that gives its size in px,
so there is one painter to trust.  Each file must stay within
:data:`MAX_BYTES`, what the networks take without recompressing:

- PNG: zlib at its highest level; when that is larger than
  the budget, the image is reduced to a palette of at most 256 colours
  (median cut, no dithering: flat colours stay flat and text keeps its
  antialiasing in the colours between ink and paper);
- WebP: lossless (method 4 at effort 80: within a few per cent of the
  slowest setting's size at a thirtieth of its time); when that is larger
  than the budget, lossy at a quality high enough for text (90).

Every step is deterministic (no clock, no randomness, one thread): the same
page gives the same bytes.
"""

from __future__ import annotations

import io

MAX_BYTES = 300 * 1024          # each file at most 300 KB (307,200 bytes)


class ImageTooLarge(ValueError):
    """A social image that stays larger than :data:`MAX_BYTES` however it is compressed."""

    def __init__(self, kind: str, size: int):
        super().__init__(f"the {kind} is {size:,} bytes, over the {MAX_BYTES:,} bytes (300 KB) a social image may be")
        self.kind, self.size = kind, size


def rasterise(pdf: bytes, pixels: tuple[int, int]):
    """The first page of ``pdf`` as an RGB image of exactly ``pixels`` (width, height)."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        width_pt, height_pt = page.get_size()
        scale = pixels[0] / width_pt
        bitmap = page.render(scale=scale, may_draw_forms=False)
        image = bitmap.to_pil().convert("RGB")
    finally:
        doc.close()
    if image.size != tuple(pixels):
        # a page of 1080 px laid out in mm may come out one pixel off after rounding: never resample the
        # art, pad or cut the last row or column
        from PIL import Image
        exact = Image.new("RGB", tuple(pixels), image.getpixel((image.width - 1, image.height - 1)))
        exact.paste(image.crop((0, 0, min(image.width, pixels[0]), min(image.height, pixels[1]))), (0, 0))
        image = exact
    return image


def png_bytes(image) -> bytes:
    """``image`` as a PNG within :data:`MAX_BYTES` (see the module's notes)."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=9)
    data = buf.getvalue()
    if len(data) <= MAX_BYTES:
        return data
    from PIL import Image
    quantised = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    quantised.save(buf, format="PNG", compress_level=9)
    data = buf.getvalue()
    if len(data) > MAX_BYTES:
        raise ImageTooLarge("PNG", len(data))
    return data


def webp_bytes(image) -> bytes:
    """``image`` as a WebP within :data:`MAX_BYTES` (see the module's notes)."""
    buf = io.BytesIO()
    image.save(buf, format="WEBP", lossless=True, quality=80, method=4, exact=True)
    data = buf.getvalue()
    if len(data) <= MAX_BYTES:
        return data
    buf = io.BytesIO()
    image.save(buf, format="WEBP", lossless=False, quality=90, method=4)
    data = buf.getvalue()
    if len(data) > MAX_BYTES:
        raise ImageTooLarge("WebP", len(data))
    return data


def images(pdf: bytes, pixels: tuple[int, int]) -> tuple[bytes, bytes]:
    """The PNG and the WebP of a screen format's online PDF."""
    image = rasterise(pdf, pixels)
    return png_bytes(image), webp_bytes(image)
