"""Renderers: laid-out pages to PDF (print and online editions) and PNG."""

from .options import ONLINE, PRINT, PdfOptions
from .pdf import PdfRenderer

__all__ = ["ONLINE", "PRINT", "PdfOptions", "PdfRenderer"]
