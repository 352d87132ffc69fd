"""Oracles shared by the tests: rasterise, decode, extract."""

from __future__ import annotations

import pypdfium2 as pdfium


def page_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].get_textpage().get_text_range()
    finally:
        doc.close()


def raster(pdf: bytes, dpi: float = 150):
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()


def decode_qr(image) -> list[str]:
    import zxingcpp
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def squash(text: str) -> str:
    """Text without any white space: line breaks differ between extractors."""
    return "".join(text.split())


def private_use(text: str) -> list[str]:
    return [c for c in text if 0xE000 <= ord(c) <= 0xF8FF or 0xF0000 <= ord(c)]
