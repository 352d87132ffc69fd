"""The editions are option sets over one painter."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PdfOptions:
    name: str
    color: str               # cmyk | rgb
    bleed: bool              # paint the bleed and set BleedBox/TrimBox
    marks: str | None        # japanese | western | None: printer's marks outside the bleed
    links: bool              # clickable links
    compress: bool = True
    tagged: bool = False     # a tagged PDF: structure tree, marked content, PDF/UA identification (tagged.py)


PRINT = PdfOptions("print", color="cmyk", bleed=True, marks="japanese", links=False)
ONLINE = PdfOptions("online", color="rgb", bleed=False, marks=None, links=True, tagged=True)
