"""PNG previews: the PDF rasterised with PDFium, so there is one painter to trust."""

from __future__ import annotations

import io

import pypdfium2 as pdfium

DEFAULT_DPI = 150


def rasterise(pdf: bytes, dpi: float = DEFAULT_DPI, crop_to_trim: bool = True, page: int = 0):
    """A page of ``pdf`` (the first by default) as a PIL image (RGB), cropped to its TrimBox."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[page]
        crop = (0, 0, 0, 0)
        if crop_to_trim:
            ml, mb, mr, mt = page.get_mediabox()
            tl, tb, tr, tt = page.get_trimbox()
            crop = (tl - ml, tb - mb, mr - tr, mt - tt)
        bitmap = page.render(scale=dpi / 72.0, crop=crop, may_draw_forms=False)
        return bitmap.to_pil().convert("RGB")
    finally:
        doc.close()


def pages(pdf: bytes) -> int:
    """How many pages ``pdf`` has."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def png_bytes(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()
