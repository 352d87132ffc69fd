"""Build the annual fact sheet (design id ``factsheet``): two pages, each painted
by the PdfRenderer, joined into one PDF with pikepdf (each page keeps its
TrimBox and BleedBox), then made PDF/X and preflighted for print.

``leaflets build`` builds it for every language with the designs when the
project has content/reports/; ``--design factsheet`` selects it.
"""

from __future__ import annotations

import io

from .errors import ContentError
from .layout.factsheet import DESIGN_ID, FactsheetComposer
from .render import ONLINE, PRINT

__all__ = ["DESIGN_ID", "has_factsheet", "join_pages", "print_file", "render", "png_pages"]


def has_factsheet(project) -> bool:
    reports = getattr(project, "reports", None)
    return bool(reports is not None and reports.sheet is not None and reports.current() is not None)


def join_pages(pdfs: list[bytes]) -> bytes:
    """One PDF of the first page of each of ``pdfs``, in order; the first one's
    document information and catalogue entries (language, viewer preferences)
    are kept.  Deterministic: the same input gives the same bytes."""
    import pikepdf

    from .render.pdfx import has_unfiltered_streams
    first = pikepdf.open(io.BytesIO(pdfs[0]))
    with first:
        others = [pikepdf.open(io.BytesIO(d)) for d in pdfs[1:]]
        try:
            for other in others:
                first.pages.append(other.pages[0])
            out = io.BytesIO()
            first.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                       compress_streams=has_unfiltered_streams(first))
        finally:
            for o in others:
                o.close()
    return out.getvalue()


def print_file(data: bytes, project, lang: str, settings, conditions, name: str) -> tuple[bytes, list]:
    """The joined print PDF made PDF/X and preflighted against the shop profile
    (as :func:`leaflets.preflight.print_file` does for a design's leaflet)."""
    from .preflight import BUILD_PROFILE, BUILD_QR, build_diagnostics, preflight
    from .render import pdfx
    facts = project.facts
    cond = settings.resolve(conditions, None)
    out = pdfx.apply(data, settings.level, cond, conditions,
                     date=pdfx.document_date(facts.edition, settings.source_date_epoch),
                     fingerprint=pdfx.facts_fingerprint(facts),
                     document_key=f"{facts.campaign_id}/{facts.edition}/{DESIGN_ID}/{lang}")
    report = preflight(out, BUILD_PROFILE, facts=facts, qr=BUILD_QR, expect_qr=[], name=name)
    errors, warnings = build_diagnostics(report)
    if errors:
        raise ContentError(errors)
    return out, warnings


def render(renderer, pages, edition: str) -> bytes:
    """Both pages in one PDF for ``edition`` (print or online), before PDF/X.  The online
    edition is painted as one document (the second page following the first), so that it is
    tagged as one: one structure tree in reading order across both pages."""
    if edition != "print":
        from dataclasses import replace
        return renderer.render(replace(pages[0], following=tuple(pages[1:])), ONLINE)
    return join_pages([renderer.render(page, PRINT) for page in pages])


def png_pages(pdf: bytes, dpi: float) -> list[bytes]:
    """Each page of an online PDF as a PNG of its trimmed page."""
    import pypdfium2 as pdfium
    from .render.png import png_bytes
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            ml, mb, mr, mt = page.get_mediabox()
            tl, tb, tr, tt = page.get_trimbox()
            bitmap = page.render(scale=dpi / 72.0, crop=(tl - ml, tb - mb, mr - tr, mt - tt), may_draw_forms=False)
            out.append(png_bytes(bitmap.to_pil().convert("RGB")))
    finally:
        doc.close()
    return out


def composer(workspace) -> FactsheetComposer:
    c = getattr(workspace, "_factsheet", None)
    if c is None or c.project is not workspace.project:
        c = workspace._factsheet = FactsheetComposer(workspace.project, workspace.fonts)
    return c
