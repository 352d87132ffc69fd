"""Build local batches: an organisation's contact block on the official designs.

``run_batches(workspace, spec_paths, out_root)`` reads every spec first
(:func:`~leaflets.batch.spec.load_spec`) and lays out each of its leaflets
with the organisation's block in the design's local-contact slot; any error
in any spec stops everything before a file is written.  Then it renders each
language x design in every edition the spec asks for (in ``jobs`` processes),
checks what it rendered, imposes a sheet for office printers per design and
language, and writes it, with ``manifest.json``, ``manifest.csv`` and
``summary.txt``, into ``out_root/<batch id>/``.

Unlike ``leaflets build``, a batch publishes each file as soon as it is
finished and checked (a temporary file in the same folder, fsync, one rename)
and records it in ``manifest.json`` as it goes: the manifest only ever lists
files that are there with the sha256 it records (``"complete": false`` until
the run ends).  An interrupted batch leaves no partial file, and the next run
completes it.  It is incremental: each file's manifest row holds the key of
its inputs (:class:`Inputs`); a file whose key has not changed is neither laid
out nor built again.  Tasks run in this process, in a pool of processes
(``jobs``, by default the cores) or on a Dask cluster (``scheduler``): workers
return the files' bytes and this process publishes them.

What is checked on every file, besides what the composer checks (the block
fits its slot, every character has a glyph):

- print files are made PDF/X and preflighted like ``leaflets build``'s (shop
  profile; module size and quiet zone of every QR code at the URL it holds);
  the campaign-facts fingerprint they record is the project's;
- every QR code of every PDF and PNG is decoded back from a raster
  (pypdfium2, zxing-cpp) and must be the batch's target,
  :func:`~leaflets.batch.spec.qr_target`: the campaign's report address, with
  the spec's distribution tag where the campaign allows one;
- the online edition links each phone number (``tel:`` and its E.164 form),
  the website and the e-mail address.

The same specs give byte-identical files and manifests, whatever ``jobs`` is.
"""

from __future__ import annotations

import csv
import dataclasses
import fcntl
import hashlib
import io
import json
import math
import os
import queue
import re
import stat
import sys
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..atomic import OutputError, _mkdirs, output_error, publish_bytes, sync_folder, write_bytes
from ..build import Job, judge, language_diagnostics, output_name
from ..errors import ContentError, Diagnostic, Diagnostics, ERROR, LeafletsError, UsageError, WARNING
from ..layout.frame import Link, TextBlock
from .block import Block, field_line, fields_with, left_out, place, slot_regions

# Editions a batch may ask for, in the order they are written.
EDITIONS = ("print", "online", "png", "html")
SHEETS = "sheets"            # the folder of a batch that holds the office printer's sheets
MANIFEST_FIELDS = ("file", "organisation", "language", "format", "edition", "pages", "copies", "sha256")
QR_DPI = 150                 # the raster every online PDF's QR codes are read back from
PART_PREFIX = ".leaflets-part-"     # a file being written (outputs never start with a dot); removed by the next run


# ------------------------------------------------------------------ results

@dataclass(frozen=True)
class BatchFile:
    """One file a batch wrote (``path`` relative to the batch's folder)."""

    path: str
    organisation: str
    language: str
    format: str
    edition: str
    pages: int
    copies: int
    sha256: str
    inputs: str = ""             # the key of what went into it (Inputs)
    warnings: tuple = ()         # what was said of it when it was built (warning_record), said again while it is kept

    def row(self) -> dict:
        return {k: getattr(self, k if k != "file" else "path") for k in MANIFEST_FIELDS}

    def record(self) -> dict:
        """Its row of manifest.json: the row of manifest.csv, its inputs' key and its warnings, if any."""
        out = {**self.row(), "inputs": self.inputs}
        if self.warnings:
            out["warnings"] = [dict(w) for w in self.warnings]
        return out

    @classmethod
    def from_record(cls, r: dict) -> "BatchFile":
        return cls(r["file"], r["organisation"], r["language"], r["format"], r["edition"], r["pages"],
                   r["copies"], r["sha256"], r.get("inputs", ""), _kept_warnings(r))


def warning_record(d: Diagnostic, base: Path) -> dict:
    """A warning as a manifest row keeps it: its message, hint and code, its line and its file, relative to
    ``base`` (the spec's folder: the manifest names no place on the machine that built it)."""
    out: dict = {"message": d.message}
    if d.file is not None:
        try:
            out["file"] = Path(os.path.relpath(Path(d.file).resolve(), Path(base).resolve())).as_posix()
        except ValueError:       # on another drive than the spec's folder (Windows): its name alone
            out["file"] = Path(d.file).name
    if d.line is not None:
        out["line"] = d.line
    if d.hint:
        out["hint"] = d.hint
    if d.code != "content":
        out["code"] = d.code
    return out


def _kept_warnings(row: dict) -> tuple[dict, ...]:
    """The warnings a manifest row keeps, as :func:`warning_record` writes them (a mapping with a message);
    anything else a hand-edited manifest holds is passed over."""
    kept = row.get("warnings")
    if not isinstance(kept, list):
        return ()
    return tuple(w for w in kept if isinstance(w, dict) and isinstance(w.get("message"), str))


def warnings_of(rows: list[dict], base: Path) -> list[Diagnostic]:
    """The warnings manifest rows keep (:func:`_kept_warnings`), files relative to ``base``."""
    out: list[Diagnostic] = []
    for row in rows:
        for w in _kept_warnings(row):
            line = w.get("line")
            out.append(Diagnostic(WARNING, w["message"],
                                  Path(base) / w["file"] if isinstance(w.get("file"), str) else None,
                                  line if isinstance(line, int) and not isinstance(line, bool) else None,
                                  w.get("hint") if isinstance(w.get("hint"), str) else None,
                                  w.get("code") if isinstance(w.get("code"), str) else "content"))
    return out


@dataclass(frozen=True)
class SheetPlan:
    """How one design x language prints on an office printer."""

    format: str
    language: str
    layout: str | None           # an imposition layout, or None: the file's pages are the sheets
    per_sheet: int               # leaflets on one sheet
    duplex: bool
    copies: int
    sheets: int                  # sheets to print (both sides of one sheet count once)
    file: str | None             # the imposed sheet, relative to the batch's folder


@dataclass
class BatchResult:
    spec: object
    folder: Path
    files: list[BatchFile] = field(default_factory=list)
    sheets: list[SheetPlan] = field(default_factory=list)
    qr_target: str = ""
    summary: str = ""
    designs: dict = field(default_factory=dict)      # id -> Design, for the summary's sheet sizes
    complete: bool = False                           # every file the spec asks for is there
    built: list[str] = field(default_factory=list)   # the files this run wrote
    up_to_date: int = 0                              # the files it found up to date
    removed: list[str] = field(default_factory=list)  # the files the spec no longer asks for, removed


# ------------------------------------------------------------------ office sheets

def office_layout(design) -> tuple[str | None, int]:
    """The office printer's imposition of ``design`` and how many leaflets one sheet holds.

    An office layout whose cell is the design's trim (the hotline card: cards-10up; the A5 flyer:
    a5-2up); otherwise fill-a4 when at least two fit on A4; otherwise none (A4 prints as it is,
    posters are for a print shop): (None, 1)."""
    from ..impose import LAYOUTS, ImpositionError
    trim = (round(design.width, 2), round(design.height, 2))
    for layout in LAYOUTS.values():
        if layout.kind == "office" and layout.cell is not None and \
                sorted(layout.cell) == sorted(trim):
            return layout.name, len(layout.plan(trim).cells)
    fill = LAYOUTS.get("fill-a4")
    if fill is not None:
        try:
            n = len(fill.plan(trim).cells)
        except ImpositionError:
            n = 0
        if n >= 2:
            return fill.name, n
    return None, 1


# ------------------------------------------------------------------ one leaflet

class _Spec:
    """A loaded spec and what is derived from it once: the QR target and the lines of its fields."""

    def __init__(self, spec, project):
        from .spec import qr_target
        self.spec = spec
        self.target = qr_target(project.facts, spec.qr_tag)
        self._lines = None
        self.outputs: list | None = None     # the files it asks for, with their keys (Output)
        self.hashes = None                   # the sha256s of its folder's files, once read (_Hashes)

    def line(self, *path) -> int | None:
        if self._lines is None:
            from ..model.yamlsrc import YamlError, load_yaml
            try:
                self._lines = load_yaml(self.spec.source)
            except (YamlError, OSError):
                self._lines = False
        return self._lines.line(*path) if self._lines else None


def _mm_short(message: str) -> str:
    m = re.search(r"([\d.]+) mm too tall", message)
    return f"{m.group(1)} mm too tall" if m else "too tall"


def _slot_diagnostics(s: _Spec, design, lang: str, block: Block, problems) -> list[Diagnostic]:
    """The composer's problems with the organisation's paragraphs, as errors of the spec."""
    spec = s.spec
    names = {p.name for p in block.paragraphs}
    slots = {r.id for r in slot_regions(design)}
    out = []
    for p in problems:
        if p.kind == "overflow" and p.region in slots:
            fields = sorted(block.parts, key=lambda f: -len(block.parts[f]))      # longest first
            out.append(Diagnostic(
                ERROR, f"{lang}: the contact block does not fit the local-contact slot of {design.id}: "
                       f"{_mm_short(p.diagnostic.message)} at the smallest sizes the design allows, in its most "
                       f"compact arrangement",
                spec.source, field_line(spec.organisation, fields[0], lang) if fields else s.line("organisation"),
                f"shorten what the {lang} leaflet shows (longest first: {', '.join(fields)}): a shorter "
                f"organisation.name or address for {lang}, fewer phone numbers, or leave out a field",
                code="overflow"))
        elif p.kind == "missing-glyph" and (p.key in names or p.key == "language.script"):
            fields = fields_with(block, p.diagnostic.message) or list(block.fields.get(p.key, ()))
            out.append(Diagnostic(
                ERROR, f"{lang}: {p.diagnostic.message.split(': ', 1)[-1]} (in the contact block: "
                       f"{', '.join(fields) or 'its labels'})", spec.source,
                field_line(spec.organisation, fields[0], lang) if fields else s.line("organisation"),
                f"write these fields for {lang} in characters its fonts cover (e.g. the address in Latin "
                f"letters), or add a font that covers them", code="missing-glyph"))
    return out


def _layout(ws, s: _Spec, design_id: str, lang: str):
    """The page of one batch leaflet and its diagnostics (errors stop the batch)."""
    project = ws.project
    design = project.designs[design_id]
    org = s.spec.organisation
    slots = {r.id for r in slot_regions(design)}
    # the most readable arrangement of the block that fits (block.place)
    block, page, problems = place(ws.composer, project, org, lang, design, ws.fonts, {"report": s.target})
    names = {p.name for p in block.paragraphs}
    own = [p for p in problems
           if (p.kind == "overflow" and p.region in slots) or (p.kind == "missing-glyph" and p.key in names)]
    job = Job(design_id, lang, tuple(e for e in s.spec.editions))
    diags = list(block.errors) + _slot_diagnostics(s, design, lang, block, own)
    if not own:
        diags += left_out(s.spec.source, org, design, lang, block)
    diags += judge(project, job, [p for p in problems if p not in own] + list(block.problems))
    diags += language_diagnostics(project, lang)
    return _with_links(page, block), diags


def _with_links(page, block: Block):
    """``page`` (and its further pages) with links on the spans of the block that link somewhere."""
    def spans(sheet):
        out = []
        for item in sheet.items:
            if isinstance(item, TextBlock) and block.links.get(item.key):
                for a, b, uri in block.links[item.key]:
                    out += [Link(x, y, w, h, uri) for x, y, w, h in _span_boxes(item, a, b)]
        return tuple(out)
    following = tuple(replace(p, links=p.links + spans(p)) for p in page.following)
    return replace(page, links=page.links + spans(page), following=following)


def _span_boxes(block: TextBlock, a: int, b: int) -> list[tuple[float, float, float, float]]:
    """The boxes (one per line) of the glyphs that stand for the text ``a:b`` of a paragraph."""
    lines: dict[float, list[float]] = {}
    for run in block.runs:
        for start, _text, x0, advance in run.in_text_order():
            if a <= start < b:
                box = lines.setdefault(run.y, [x0, x0 + advance, run.size])
                box[0], box[1] = min(box[0], x0), max(box[1], x0 + advance)
    return [(x0, y - 0.95 * size, x1 - x0, 1.25 * size) for y, (x0, x1, size) in sorted(lines.items())]


# ------------------------------------------------------------------ rendering

def _decode(image) -> list[str]:
    import zxingcpp
    return [c.text for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) if c.valid]


def _expected_codes(design, index: int) -> int:
    return sum(1 for r in design.page_regions(index) if r.qr)


def _check_codes(found: list[str], expected: int, target: str, name: str, page: int) -> list[Diagnostic]:
    wrong = [t for t in found if t != target]
    if wrong:
        return [Diagnostic(ERROR, f"{name}: page {page}: a QR code reads {wrong[0]!r}, not the batch's {target!r}",
                           hint="this is a bug in leaflets: a batch's QR codes hold only the campaign's address",
                           code="qr")]
    if len(found) < expected:
        return [Diagnostic(ERROR, f"{name}: page {page}: {expected - len(found)} of {expected} QR code(s) could "
                                  f"not be read back from the rendered page", code="qr",
                           hint="the QR code's box is too small for its address: use a shorter distribution tag")]
    return []


class _QrChecks:
    """What a process has searched for QR codes: the (design, language, edition) whose pages it has searched
    whole, and the memo of its zones (:class:`leaflets.preflight.QrZones`).

    The first file of a design in a language and edition is searched whole, as ``leaflets build`` searches
    its own; after it, only the zones that a batch can change or that hold codes are: the design's QR
    regions and its local-contact slot (the organisation's block and logo).  The rest of the page is the
    official design, the same for every organisation; a code anywhere in the slot, a logo's among them,
    is found there.  A zone drawn pixel for pixel as one already searched is not decoded or measured again:
    one decode per distinct code, module size and surroundings."""

    def __init__(self):
        self.searched: set[tuple[str, str, str]] = set()
        self.memo: dict = {}

    def zones(self, design, page, options, edition: str, lang: str):
        """The zones of ``page`` (a laid-out page and its following pages) as painted with ``options``,
        page number -> PDF boxes; None for the first file of its kind, to be searched whole."""
        key = (design.id, lang, edition)
        if key not in self.searched:
            self.searched.add(key)
            return None
        return _zones(design, page, options)


def _zones(design, page, options) -> dict[int, list[tuple[float, float, float, float]]]:
    """The QR codes (each with a margin of 30 % of its side, beyond the six modules a quiet zone is measured
    over) and the local-contact slots (1 mm more, both ways round: a right-to-left page mirrors) of each
    page of ``page`` (laid out in ``design``), in the PDF's user space as the painter places the page with
    ``options``."""
    from ..layout.frame import MM as PT
    from ..layout.frame import Path as Shape
    from ..layout.frame import Rect
    margin = page.bleed + page.slug if options.marks else (page.bleed if options.bleed else 0.0)
    W, H = design.width, design.height

    def pdf_box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return margin + x0, margin + page.height - y1, margin + x1, margin + page.height - y0

    out: dict[int, list[tuple[float, float, float, float]]] = {}
    for index, sheet in enumerate(page.pages):
        boxes = []
        for r in design.page_regions(index):
            if r.qr:
                xs, ys = [], []
                for item in sheet.items:
                    if getattr(item, "figure", "") != r.id:
                        continue
                    if isinstance(item, Rect):
                        xs += [item.x, item.x + item.w]
                        ys += [item.y, item.y + item.h]
                    elif isinstance(item, Shape):
                        for cmd in item.commands:
                            if cmd[0] == "R":
                                xs += [cmd[1], cmd[1] + cmd[3]]
                                ys += [cmd[2], cmd[2] + cmd[4]]
                            else:
                                xs += list(cmd[1::2])
                                ys += list(cmd[2::2])
                if xs:
                    grow = 0.3 * max(max(xs) - min(xs), max(ys) - min(ys))
                    boxes.append(pdf_box(min(xs) - grow, min(ys) - grow, max(xs) + grow, max(ys) + grow))
            elif r.slot == "local-contact":
                x, y, w, h = r.box(design)
                x0, x1 = min(x, W - x - w) - 1.0, max(x + w, W - x) + 1.0
                boxes.append(pdf_box(x0 * PT, (y - 1.0) * PT, x1 * PT, (y + h + 1.0) * PT))
        if boxes:
            out[index + 1] = boxes
    return out


def _qr_checks(ws) -> _QrChecks:
    checks = getattr(ws, "_batch_qr", None)
    if checks is None:
        checks = ws._batch_qr = _QrChecks()
    return checks


def _print_file(ws, s: _Spec, design_id: str, lang: str, data: bytes, name: str, page=None
                ) -> tuple[bytes, list]:
    """The print PDF made PDF/X and preflighted as ``leaflets build`` does, expecting the batch's QR target."""
    from .. import preflight as pf
    from ..render import pdfx
    from ..render.pdfx import OutputConditions
    project = ws.project
    facts = project.facts
    design = project.designs[design_id]
    if ws._conditions is None:
        ws._conditions = OutputConditions(ws.root / "icc", ws.fonts.cache_dir)
    cond = ws.pdfx.resolve(ws._conditions, getattr(design, "output_condition", None), getattr(design, "path", None))
    fingerprint = pdfx.facts_fingerprint(facts)
    out = pdfx.apply(data, ws.pdfx.level, cond, ws._conditions,
                     date=pdfx.document_date(facts.edition, ws.pdfx.source_date_epoch), fingerprint=fingerprint,
                     document_key=f"{facts.campaign_id}/{facts.edition}/{design_id}/{lang}/batch/{s.spec.id}")
    expect = [s.target] if any(r.qr for r in design.regions) else None
    # the facts are compared here, not in preflight: its list of the campaign's links has no tagged address
    from ..render import PRINT
    boxes = _qr_checks(ws).zones(design, page, PRINT, "print", lang) if page is not None else None
    zones = pf.QrZones(boxes, _qr_checks(ws).memo) if boxes is not None else None
    report = pf.preflight(out, pf.BUILD_PROFILE, facts=None, qr=pf.BUILD_QR, expect_qr=expect, name=name,
                          known_streams=ws._conditions.checked_streams(), qr_zones=zones)
    errors, warnings = pf.build_diagnostics(report)
    if report.facts_recorded != fingerprint:
        errors.append(Diagnostic(ERROR, f"{name}: the campaign-facts fingerprint it records "
                                        f"({report.facts_recorded}) is not the project's ({fingerprint})",
                                 code="preflight"))
    for pageno in range(1, len(design.pages) + 1):
        found = [q.text for q in report.qr if q.page == pageno]
        errors += _check_codes(found, _expected_codes(design, pageno - 1), s.target, name, pageno)
    if errors:
        raise ContentError(errors)
    return out, warnings


def render_leaflet(ws, s: _Spec, design_id: str, lang: str, editions=None
                   ) -> tuple[list[tuple[str, str, bytes, int]], list]:
    """Every edition of one batch leaflet (or those of ``editions``): [(path in the batch, edition, bytes,
    pages)] and its warnings.  Raises ContentError when a check fails."""
    from .. import preflight as pf
    from ..render import ONLINE, PRINT, png
    page, diags = _layout(ws, s, design_id, lang)
    errors = [d for d in diags if d.severity == ERROR]
    if errors:
        raise ContentError(errors)
    warnings = [d for d in diags if d.severity != ERROR]
    design = ws.project.designs[design_id]
    n = len(page.pages)
    out = []
    online = None
    for edition in [e for e in EDITIONS if e in (s.spec.editions if editions is None else editions)]:
        rel = f"{design_id}/{output_name(design_id, lang, edition)}"
        if edition == "print":
            data, found = _print_file(ws, s, design_id, lang, ws.renderer.render(page, PRINT),
                                      output_name(design_id, lang, "print"), page)
            warnings += found
            out.append((rel, edition, data, n))
        elif edition == "online":
            online = online or ws.renderer.render(page, ONLINE)
            errors = []
            checks = _qr_checks(ws)
            boxes = checks.zones(design, page, ONLINE, "online", lang)
            zoned = pf.zone_codes(online, boxes, QR_DPI, checks.memo) if boxes is not None else None
            for i in range(n):
                found = zoned.get(i + 1, []) if zoned is not None else _decode(png.rasterise(online, QR_DPI, page=i))
                errors += _check_codes(found, _expected_codes(design, i), s.target,
                                       output_name(design_id, lang, edition), i + 1)
            if errors:
                raise ContentError(errors)
            out.append((rel, edition, online, n))
        elif edition == "png":
            online = online or ws.renderer.render(page, ONLINE)
            errors = []
            for i, sheet in enumerate(page.pages):
                image = png.rasterise(online, png.DEFAULT_DPI, page=i)
                name = output_name(design_id, lang, edition, sheet.name if i else None)
                errors += _check_codes(_decode(image), _expected_codes(design, i), s.target, name, i + 1)
                out.append((f"{design_id}/{name}", edition, png.png_bytes(image), 1))
            if errors:
                raise ContentError(errors)
        elif edition == "html":
            out.append((rel, edition, _html(ws, s, design, page), n))
    return out, warnings


def _html(ws, s: _Spec, design, page) -> bytes:
    from ..render.html import HtmlRenderer, QrCode
    if getattr(ws, "_html", None) is None:
        ws._html = HtmlRenderer(ws.fonts.cache_dir)
    facts = ws.project.facts
    codes = [QrCode(s.target if r.qr == "report" else facts.links[r.qr].url, facts.links[r.qr].display, r.qr_ec,
                    tuple(design.colors[r.qr_color].rgb) if r.qr_color in design.colors else (0, 0, 0))
             for r in design.regions if r.qr]
    return ws._html.render(page, codes)


# ------------------------------------------------------------------ what goes into a file

def default_jobs() -> int:
    """The processes a batch runs in by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _canon(value):
    """``value`` (parsed content: dataclasses, mappings, sequences, scalars) as canonical JSON data.

    Floats keep every bit (``repr``); bytes stand as their sha256; a type it does not know is a
    TypeError, so that a new kind of field is a decision, never a silent ``repr`` with an address."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, Path):
        return {"path": value.as_posix()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"@": type(value).__qualname__,
                **{f.name: _canon(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, Mapping):
        pairs = [[_canon(k), _canon(v)] for k, v in value.items()]
        return {"map": sorted(pairs, key=lambda kv: json.dumps(kv[0], sort_keys=True))}
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted((_canon(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))}
    raise TypeError(f"a batch cannot key a {type(value).__name__} ({value!r:.60})")


def _digest(doc) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


# The fields of a spec that say which files to make and how many to print, not what is in them: they
# are left out of every file's key (changing the copies rebuilds nothing).  Every other field, present
# or future, is in it.
SPEC_NOT_IN_FILES = frozenset({"source", "languages", "designs", "editions", "copies_default",
                               "copies_by_design", "copies_by_language", "warnings"})


def tool_versions_for_key() -> list:
    """The versions that shape a batch's bytes: those a print file records, every library leaflets
    depends on, and Python's."""
    from importlib import metadata
    from ..render.pdfx import tool_versions
    out = {name: v for name, v in tool_versions()}
    try:
        requires = metadata.requires("leaflets") or []
    except metadata.PackageNotFoundError:
        requires = []
    for req in requires:
        if "extra ==" in req or "extra==" in req:
            continue
        m = re.match(r"[A-Za-z0-9._-]+", req)
        if m and m.group(0) not in out:
            try:
                out[m.group(0)] = metadata.version(m.group(0))
            except metadata.PackageNotFoundError:
                out[m.group(0)] = "missing"
    out["Python"] = sys.version
    return sorted(out.items())


class Inputs:
    """The key of each file a batch makes: a sha256 over everything that goes into it.

    - the code: every file of the leaflets package and the versions of :func:`tool_versions_for_key`;
    - the content the leaflet reads: campaign.yaml, pictograms.yaml, the design's file and the shared
      design files, the language's file, the source language's (fallbacks) and those of the languages
      the design takes text from; the font files (bytes) and their manifest;
    - the spec as parsed (not its comments or layout), without the fields of :data:`SPEC_NOT_IN_FILES`,
      with the logo's bytes;
    - the file's design, language and edition, and the edition's settings (the print edition's PDF/X
      settings and ICC profiles; the resolutions pages are read back at).

    An office sheet's key is the print file's sha256 with the imposition's settings and the code."""

    def __init__(self, ws):
        self.ws = ws
        self._files: dict[str, str] = {}
        self._trees: dict[str, str] = {}
        self._parts: dict = {}
        self._code = None

    def file(self, path: Path) -> str:
        k = str(path)
        if k not in self._files:
            try:
                self._files[k] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self._files[k] = "missing"
        return self._files[k]

    def tree(self, folder: Path) -> str:
        k = str(folder)
        if k not in self._trees:
            h = hashlib.sha256()
            files = sorted(p for p in Path(folder).rglob("*")
                           if "__pycache__" not in p.parts and p.suffix != ".pyc" and p.is_file())
            for p in files:
                h.update(p.relative_to(folder).as_posix().encode("utf-8") + b"\0" + self.file(p).encode() + b"\n")
            self._trees[k] = h.hexdigest()
        return self._trees[k]

    def _rel(self, path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            return Path(path).resolve().relative_to(self.ws.root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()

    @property
    def code(self) -> dict:
        if self._code is None:
            package = Path(__file__).resolve().parent.parent
            self._code = {"leaflets": self.tree(package), "versions": tool_versions_for_key()}
        return self._code

    def _project(self, design_id: str, lang: str) -> dict:
        k = ("project", design_id, lang)
        if k not in self._parts:
            from ..model.schema import SOURCE_LANGUAGE
            ws, project = self.ws, self.ws.project
            design = project.designs[design_id]
            content = ws.root / "content"
            tags = {lang, SOURCE_LANGUAGE} | {item.lang for r in design.regions for item in r.text if item.lang}
            self._parts[k] = {
                "campaign": self.file(project.facts.path or content / "campaign.yaml"),
                "pictograms": self.file(content / "pictograms.yaml"),
                "design": [self._rel(design.path), self.file(design.path)],
                "shared": self.tree(content / "designs" / "shared"),
                "languages": {t: [self._rel(project.languages[t].path), self.file(project.languages[t].path)]
                              for t in sorted(tags) if t in project.languages},
                "fonts": self.tree(ws.root / "fonts"),
            }
        return self._parts[k]

    def spec(self, spec) -> dict:
        k = ("spec", id(spec))
        if k not in self._parts:
            specs = [key for key in self._parts if key[0] == "spec"]
            for old in specs[:-SPECS_KEPT]:          # a worker sees many specs: keep the last few
                del self._parts[old]
            out = {}
            for f in dataclasses.fields(spec):
                if f.name in SPEC_NOT_IN_FILES:
                    continue
                value = getattr(spec, f.name)
                if f.name == "organisation":
                    org = {}
                    for g in dataclasses.fields(value):
                        v = getattr(value, g.name)
                        if g.name == "lines":       # where the fields are written, not what they say
                            continue
                        if g.name == "logo":
                            org["logo"] = None if v is None else {"kind": v.kind, "sha256": self.file(v.source)}
                        else:
                            org[g.name] = _canon(v)
                    out[f.name] = org
                else:
                    out[f.name] = _canon(value)
            self._parts[k] = (spec, out)        # the spec is kept so that its id is never reused
        return self._parts[k][1]

    def _edition(self, edition: str) -> dict:
        from ..render import png
        part = {"edition": edition}
        if edition == "print":
            part.update(pdfx=_canon(self.ws.pdfx), icc=self.tree(self.ws.root / "icc"))
        if edition in ("online", "png"):
            part["qr_dpi"] = QR_DPI
        if edition == "png":
            part["dpi"] = png.DEFAULT_DPI
        return part

    def key(self, spec, design_id: str, lang: str, edition: str) -> str:
        return _digest({"v": KEY_VERSION, "code": self.code, "project": self._project(design_id, lang),
                        "spec": self.spec(spec), "design": design_id, "language": lang,
                        "edition": self._edition(edition)})

    def sheet_key(self, print_sha256: str, layout: str, duplex: bool, per_sheet: int) -> str:
        return _digest({"v": KEY_VERSION, "code": self.code, "print": print_sha256, "layout": layout,
                        "duplex": duplex, "per_sheet": per_sheet})


KEY_VERSION = 1          # raised when what a key covers changes: every file is built again


# ------------------------------------------------------------------ what a spec asks for

@dataclass(frozen=True)
class Output:
    """One group of files that are made together: a design x language x edition (a PNG per page)."""

    design: str
    lang: str
    edition: str
    paths: tuple[str, ...]       # relative to the batch's folder
    key: str


def _outputs(ws, inputs: Inputs, spec) -> list[Output]:
    out = []
    for design_id in spec.designs:
        design = ws.project.designs[design_id]
        for lang in spec.languages:
            for edition in [e for e in EDITIONS if e in spec.editions]:
                if edition == "png":
                    paths = tuple(f"{design_id}/{output_name(design_id, lang, 'png', p.name if i else None)}"
                                  for i, p in enumerate(design.pages))
                else:
                    paths = (f"{design_id}/{output_name(design_id, lang, edition)}",)
                out.append(Output(design_id, lang, edition, paths, inputs.key(spec, design_id, lang, edition)))
    return out


def _sheet_plans(ws, spec) -> dict[tuple[str, str], SheetPlan]:
    plans = {}
    for design_id in spec.designs:
        design = ws.project.designs[design_id]
        layout, per_sheet = office_layout(design)
        if "print" not in spec.editions:        # nothing to impose: every copy is a file printed as it is
            layout, per_sheet = None, 1
        for lang in spec.languages:
            copies = spec.copies(design_id, lang)
            plans[(design_id, lang)] = SheetPlan(
                design_id, lang, layout, per_sheet, len(design.pages) > 1, copies, math.ceil(copies / per_sheet),
                f"{SHEETS}/{design_id}.{lang}.{layout}.pdf" if layout else None)
    return plans


def spec_origin(path: Path) -> str:
    """Which spec file a batch comes from, as its manifest records it: a digest of the file's resolved path
    (two specs of one name in two folders differ; the manifest does not show where the spec lives)."""
    return hashlib.sha256(str(Path(path).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _manifest_spec(folder: Path) -> tuple[str | None, str | None]:
    """The name of the spec file a batch's folder was built from and its origin (:func:`spec_origin`; None
    in a manifest from before it was recorded), as its manifest says; (None, None) when there is no
    readable manifest."""
    try:
        doc = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None, None
    spec = doc.get("spec") if isinstance(doc, dict) else None
    origin = doc.get("spec_origin") if isinstance(doc, dict) else None
    return (spec if isinstance(spec, str) else None), (origin if isinstance(origin, str) else None)


def _read_manifest(folder: Path) -> dict[str, dict]:
    """The files a batch's manifest lists (path -> row); nothing when there is none or it cannot be read."""
    try:
        doc = json.loads((folder / "manifest.json").read_text("utf-8"))
        rows = {f["file"]: f for f in doc["files"] if isinstance(f, dict) and isinstance(f.get("file"), str)}
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return {}
    # only paths inside the folder, as a batch writes them
    return {p: r for p, r in rows.items()
            if p and not p.startswith(("/", ".")) and ".." not in Path(p).parts and "\\" not in p}


class _Hashes:
    """The sha256 of files a batch wrote, remembered with their size, times and inode (in the cache
    folder), so that a rerun need not read every file again; a file whose stat differs is read."""

    def __init__(self, cache_dir: Path | None, folder: Path):
        self.path = None
        self.memo: dict[str, list] = {}
        if cache_dir is not None:
            name = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:24]
            self.path = Path(cache_dir) / "batches" / f"{name}.json"
            try:
                self.memo = json.loads(self.path.read_text("utf-8"))
                if not isinstance(self.memo, dict):
                    self.memo = {}
            except (OSError, ValueError, UnicodeDecodeError):
                self.memo = {}

    @staticmethod
    def _stat(path: Path):
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]

    def sha256(self, path: Path) -> str | None:
        try:
            st = self._stat(path)
        except OSError:
            return None
        if st is None:
            return None
        known = self.memo.get(str(path))
        if known and known[:-1] == st:
            return known[-1]
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None
        self.memo[str(path)] = st + [digest]
        return digest

    def wrote(self, path: Path, digest: str) -> None:
        try:
            st = self._stat(path)
        except OSError:
            return
        if st is not None:
            self.memo[str(path)] = st + [digest]

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps({k: v for k, v in sorted(self.memo.items()) if Path(k).exists()}).encode()
            write_bytes(self.path, data)
        except OSError:
            pass        # a cache: the next run reads the files again


def _fresh(rows: dict[str, dict], output: Output) -> bool:
    return all(rows.get(p, {}).get("inputs") == output.key for p in output.paths)


def _verified(folder: Path, rows: dict[str, dict], hashes: _Hashes) -> tuple[dict[str, dict], list[str]]:
    """The rows whose file is there with the sha256 the manifest records; the paths of the others."""
    good, bad = {}, []
    for path, row in rows.items():
        if hashes.sha256(folder / path) == row.get("sha256"):
            good[path] = row
        else:
            bad.append(path)
    return good, bad


# ------------------------------------------------------------------ worker processes

# Each process keeps its own workspace, inputs and specs (loaded on its first task).  On a Dask worker
# several threads may run tasks: each thread has its own workspace and one task runs at a time in a
# process (the PDF rasteriser is not thread-safe).
_WORKER: dict = {}
SPECS_KEPT = 16         # the specs (and their keys) a worker keeps loaded
_LOCAL = threading.local()
_TASK_LOCK = threading.Lock()


# A batch sets the same official pages around every organisation's block, in each of its languages: its
# workspace keeps what it laid out and painted of more languages than a build's does.
BATCH_LANGUAGES_KEPT = 8
BATCH_PLANS_KEPT = 512


def for_batches(ws):
    """``ws`` keeping, as a batch's workers do, what it set and painted of the last few languages."""
    ws.composer.languages_kept = max(ws.composer.languages_kept, BATCH_LANGUAGES_KEPT)
    ws.renderer.plans_kept = max(ws.renderer.plans_kept, BATCH_PLANS_KEPT)
    return ws


def _worker_init(root: str, cache_dir: str | None, pdfx) -> None:
    from ..build import Workspace
    ws = for_batches(Workspace(Path(root), Path(cache_dir) if cache_dir else None, pdfx=pdfx))
    _WORKER.update(ws=ws, inputs=Inputs(ws), specs={})


def _worker_task(call):
    return _run_call(_WORKER["ws"], _WORKER["inputs"], _WORKER["specs"], call)


def _dask_task(root: str, cache_dir: str | None, pdfx, call):
    state = getattr(_LOCAL, "state", None)
    if state is None or state[0] != (root, cache_dir, pdfx):
        from ..build import Workspace
        ws = for_batches(Workspace(Path(root), Path(cache_dir) if cache_dir else None, pdfx=pdfx))
        state = _LOCAL.state = ((root, cache_dir, pdfx), ws, Inputs(ws), {})
    with _TASK_LOCK:
        return _run_call(state[1], state[2], state[3], call)


def _run_call(ws, inputs: Inputs, specs: dict, call):
    """One task: ("layout", spec, design, lang, ()) -> its diagnostics; ("render", spec, design, lang,
    editions) -> ((path, edition, bytes, pages, key) for every file, warnings).  ("error", diagnostics) when
    a check fails."""
    from .spec import load_spec
    kind, spec_path, design_id, lang, editions = call
    s = specs.get(spec_path)
    if s is None:
        for old in list(specs)[:-SPECS_KEPT]:         # a worker sees many specs: keep the last few
            del specs[old]
        try:
            s = specs[spec_path] = _Spec(load_spec(Path(spec_path), ws.project), ws.project)
        except ContentError as exc:
            return "error", exc.diagnostics
    try:
        if kind == "layout":
            return "ok", _layout(ws, s, design_id, lang)[1]
        outs, warnings = render_leaflet(ws, s, design_id, lang, editions)
        return "ok", ([(rel, e, data, n, inputs.key(s.spec, design_id, lang, e)) for rel, e, data, n in outs],
                      warnings)
    except ContentError as exc:
        return "error", exc.diagnostics


class Runner:
    """Where a batch's tasks run: in this process (``jobs`` 1), in a pool of ``jobs`` processes, or on
    the Dask cluster whose scheduler is at ``scheduler`` (tcp://HOST:PORT); its workers read the project
    and the specs at the same paths as this process and return the files' bytes, which this process
    publishes."""

    def __init__(self, ws, inputs: Inputs, jobs: int = 1, scheduler: str | None = None,
                 cache_dir: Path | None = None):
        self.ws, self.inputs, self.jobs, self.scheduler = ws, inputs, jobs, scheduler
        if jobs == 1 and scheduler is None:
            for_batches(ws)              # its tasks run here
        cache = cache_dir if cache_dir is not None else ws.fonts.cache_dir
        self.cache = str(cache) if cache else None
        self.specs: dict = {}
        self._pool = None
        self._client = None
        if scheduler is not None:
            self._client = dask_client(scheduler)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def run(self, calls: list[tuple]):
        """Yield (call, status, value) for every call, as they finish."""
        if not calls:
            return
        if self._client is not None:
            from distributed import as_completed as dask_completed
            futures = {self._client.submit(_dask_task, str(self.ws.root), self.cache, self.ws.pdfx, call,
                                           pure=False, key=f"leaflets-batch-{i}-{uuid.uuid4().hex}"): call
                       for i, call in enumerate(calls)}
            try:
                for future in dask_completed(list(futures), loop=self._client.loop):
                    call = futures.pop(future)
                    result = future.result()
                    future.release()            # the worker may forget it: this process holds the bytes
                    del future
                    yield (call, *result)
            finally:
                for future in futures:
                    future.cancel()
            return
        if self.jobs == 1 or len(calls) == 1:
            for call in calls:
                yield (call, *_run_call(self.ws, self.inputs, self.specs, call))
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_init,
                                             initargs=(str(self.ws.root), self.cache, self.ws.pdfx))
        # a few tasks per process in flight; a finished task's bytes are let go of once published
        done: queue.SimpleQueue = queue.SimpleQueue()
        waiting = iter(calls)
        running: dict = {}

        def submit() -> None:
            call = next(waiting, None)
            if call is not None:
                future = self._pool.submit(_worker_task, call)
                running[future] = call
                future.add_done_callback(done.put)
        for _ in range(4 * self.jobs):
            submit()
        try:
            while running:
                future = done.get()
                call = running.pop(future)
                result = future.result()
                del future
                submit()
                yield (call, *result)
                del result
        finally:
            for future in running:
                future.cancel()


def dask_client(scheduler: str):
    """A client of the Dask scheduler at ``scheduler``; a usage error when dask.distributed is missing."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs dask.distributed, which is not installed: "
                         "pip install 'leaflets[dask]' (or: pip install distributed)") from None
    if not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://\S+", scheduler):
        raise UsageError(f"--scheduler takes the scheduler's address, tcp://HOST:PORT, not {scheduler!r}")
    try:
        return Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise LeafletsError(f"cannot reach the Dask scheduler at {scheduler}: {exc}\n"
                            "    hint: start it (dask scheduler), or check the address and port") from None


# ------------------------------------------------------------------ the run

def validate(ws, spec_paths: list[Path], out_root: Path | None = None, runner: Runner | None = None,
             inputs: Inputs | None = None) -> tuple[list[_Spec], Diagnostics]:
    """Read every spec and lay out every leaflet it asks for; all that is wrong, in every spec.

    With ``out_root``, a leaflet whose every file is already in its batch's folder with the inputs it has
    now is not laid out again (it was, with these inputs, when it was built).  Layouts run on ``runner``."""
    from .spec import load_spec
    diags = Diagnostics()
    loaded: list[_Spec] = []
    seen: dict[str, Path] = {}
    inputs = inputs or (runner.inputs if runner is not None else Inputs(ws))
    calls = []
    for path in spec_paths:
        try:
            spec = load_spec(Path(path), ws.project)
        except ContentError as exc:
            diags.extend(exc.diagnostics)
            continue
        s = _Spec(spec, ws.project)
        for d in getattr(spec, "warnings", ()):
            diags.add_once(d)
        if spec.id in seen:
            where = Path(out_root) / spec.id if out_root is not None else Path("output") / "batches" / spec.id
            if Path(seen[spec.id]).resolve() == Path(spec.source).resolve():
                diags.error(f"the spec {spec.source} is given twice", spec.source, None,
                            "name each spec once")
            else:
                diags.error(f"batch id '{spec.id}' is also the id of {seen[spec.id]}: both would write "
                            f"{where}/", spec.source, s.line("id"), "give each spec its own id")
            continue
        seen[spec.id] = spec.source
        bad = [e for e in spec.editions if e not in EDITIONS]
        for e in bad:
            diags.error(f"edition '{e}' cannot be built in a batch", spec.source, s.line("editions"),
                        f"editions: {', '.join(EDITIONS)}")
        ok = not bad
        for design_id in spec.designs:
            design = ws.project.designs.get(design_id)
            if design is None:
                ok = False
                diags.error(f"unknown design '{design_id}'", spec.source, s.line("designs"),
                            f"designs: {', '.join(sorted(ws.project.designs))}")
                continue
            if not slot_regions(design):
                ok = False
                with_slot = sorted(d for d, x in ws.project.designs.items() if slot_regions(x))
                diags.error(f"design '{design_id}' has no local-contact slot: the organisation's block has no "
                            "place on it", spec.source, s.line("designs"),
                            f"choose designs that have one ({', '.join(with_slot)}), or leave '{design_id}' "
                            "out; its official edition is built by leaflets build")
                continue
        if ok:
            s.outputs = _outputs(ws, inputs, spec)
            rows = {}
            if out_root is not None:
                folder = Path(out_root) / spec.id
                other, origin = _manifest_spec(folder)
                if (other is not None and other != spec.source.name) or \
                        (origin is not None and origin != spec_origin(spec.source)):
                    whose = other if other != spec.source.name else f"{other} in another folder"
                    diags.error(f"{folder} holds the batch '{spec.id}' of another spec ({whose}): this spec would "
                                "replace its files", spec.source, s.line("id"),
                                "give this spec its own id, or write it elsewhere with --out (a spec moved to "
                                "another folder counts as another spec: build it elsewhere, or delete the old "
                                "batch folder)")
                    continue
                s.hashes = _Hashes(_cache_of(ws, runner), folder)
                rows, _bad = _verified(folder, _read_manifest(folder), s.hashes)
            stale = {(o.design, o.lang) for o in s.outputs if not _fresh(rows, o)}
            calls += [("layout", str(spec.source), d, lang, ()) for d in spec.designs for lang in spec.languages
                      if (d, lang) in stale]
            # what was said of the files that are kept is said again
            for d in warnings_of([rows[p] for o in s.outputs if (o.design, o.lang) not in stale
                                  for p in o.paths if p in rows], spec.source.parent):
                diags.add_once(d)
        loaded.append(s)
    runner = runner or Runner(ws, inputs)
    found: dict[tuple, list] = {}
    for call, _status, value in runner.run(calls):
        found[call] = value
    for call in calls:                 # in the specs' order, whatever order the layouts finished in
        for d in found[call]:
            diags.add_once(d)
    return loaded, diags


def _cache_of(ws, runner: Runner | None) -> Path | None:
    if runner is not None and runner.cache:
        return Path(runner.cache)
    return ws.fonts.cache_dir


def run_batches(ws, spec_paths: list[Path], out_root: Path, jobs: int | None = None, progress=None,
                cache_dir: Path | None = None, scheduler: str | None = None
                ) -> tuple[list[BatchResult], Diagnostics]:
    """Validate every spec, then build them all into ``out_root/<batch id>/`` (see the module's text).

    ``jobs``: processes (default: :func:`default_jobs`); ``scheduler``: a Dask scheduler's address
    instead.  Returns the results and the warnings; raises ContentError (nothing written) when a spec
    has an error, :class:`IncompleteBatch` when a file fails its checks while the batch is built."""
    jobs = default_jobs() if jobs is None else jobs
    _check_jobs(jobs)
    inputs = Inputs(ws)
    with Runner(ws, inputs, jobs, scheduler, cache_dir) as runner:
        loaded, diags = validate(ws, spec_paths, out_root, runner, inputs)
        if diags.errors:
            raise ContentError(diags.errors)
        return build_batches(ws, loaded, out_root, jobs, progress, cache_dir, diags, runner=runner)


def _check_jobs(jobs) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"--jobs must be a whole number of at least 1, not {jobs!r}")


class IncompleteBatch(ContentError):
    """Files failed their checks while a batch was built; those that passed are published and listed in
    their manifests (``"complete": false``); a rerun builds what is missing."""


def build_batches(ws, loaded: list[_Spec], out_root: Path, jobs: int | None = None, progress=None,
                  cache_dir: Path | None = None, diagnostics: Diagnostics | None = None,
                  runner: Runner | None = None, scheduler: str | None = None
                  ) -> tuple[list[BatchResult], Diagnostics]:
    """Build specs :func:`validate` found nothing wrong with (see :func:`run_batches`)."""
    jobs = default_jobs() if jobs is None else jobs
    _check_jobs(jobs)
    if runner is None:
        with Runner(ws, Inputs(ws), jobs, scheduler, cache_dir) as runner:
            return build_batches(ws, loaded, out_root, jobs, progress, cache_dir, diagnostics, runner)
    diags = diagnostics if diagnostics is not None else Diagnostics()
    inputs = runner.inputs
    out_root = Path(out_root)
    folders: list[_Folder] = []
    try:
        for s in loaded:
            if s.outputs is None:
                s.outputs = _outputs(ws, inputs, s.spec)
            folders.append(_Folder(ws, inputs, s, out_root / s.spec.id, _cache_of(ws, runner)))
        calls, owner = [], {}
        for i, f in enumerate(folders):
            for (design_id, lang), editions in f.stale().items():
                call = ("render", str(f.s.spec.source), design_id, lang, editions)
                calls.append(call)
                owner[call] = i
            f.sheets(None)             # office sheets of print files that are up to date
        if progress is not None:
            progress.total = max(len(calls), 1)
        errors: dict[tuple, list] = {}
        warnings: dict[tuple, list] = {}
        for call, status, value in runner.run(calls):
            f = folders[owner[call]]
            if status == "ok":
                outs, found = value
                warnings[call] = found
                f.publish_rendered(call[2], call[3], outs, found)
            else:
                errors[call] = list(value)
            if progress is not None:
                progress.advance(f"{f.s.spec.id} {call[2]} {call[3]}")
        for call in calls:
            for d in warnings.get(call, ()):
                diags.add_once(d)
        failed = {owner[c] for c in errors}
        results = []
        for i, f in enumerate(folders):
            if i not in failed:
                f.finish()
            results.append(f.result())
    finally:
        for f in folders:
            f.close()
    if errors:
        raise IncompleteBatch([d for call in calls for d in errors.get(call, ())])
    return results, diags


class _Folder:
    """One batch's folder while a run writes it.

    The run holds a lock on the folder.  Files are published one task at a time (a temporary file in the
    same folder, fsync, rename); the manifest is rewritten the same way around them, so that at every
    moment it lists only files that are there with the sha256 it records: a row leaves the manifest
    before its file is replaced and comes back after.  Files the spec no longer asks for, which the
    manifest lists as the batch's and which are as the batch wrote them, are removed at the end; other
    files in the folder are left alone."""

    def __init__(self, ws, inputs: Inputs, s: _Spec, folder: Path, cache_dir: Path | None):
        self.ws, self.inputs, self.s, self.folder = ws, inputs, s, folder
        self.plans = _sheet_plans(ws, s.spec)
        self.built: list[str] = []
        self.removed: list[str] = []
        self.complete = False
        self._fd = None
        try:
            _mkdirs(folder)
            self._fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as exc:
            raise output_error(exc, folder, "write to") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise OutputError(f"another batch is writing {folder} now",
                              "wait until it has finished, or write elsewhere with --out") from None
        for p in sorted(folder.rglob(PART_PREFIX + "*")):       # what a run that was killed left
            try:
                p.unlink()
            except OSError:
                pass
        self.hashes = s.hashes if s.hashes is not None else _Hashes(cache_dir, folder)
        previous = _read_manifest(folder)
        self.rows, bad = _verified(folder, previous, self.hashes)
        if bad:                 # a listed file is missing or not as the batch wrote it: out of the manifest
            self._write_manifest()
        self._refresh()

    def _refresh(self) -> None:
        """The rows' records that come from the spec and not from the file (the copies to print), as the
        spec says now."""
        spec = self.s.spec
        sheets = {p.file: p for p in self.plans.values() if p.file}
        for rel, row in self.rows.items():
            design_id, lang = row.get("format"), row.get("language")
            if rel in sheets:
                row["copies"] = sheets[rel].sheets
            elif design_id in spec.designs and lang in spec.languages:
                row["copies"] = spec.copies(design_id, lang)

    def close(self) -> None:
        if self._fd is not None:
            self.hashes.save()
            os.close(self._fd)          # and the lock with it
            self._fd = None

    # ------------------------------------------------------------ what is to do
    def stale(self) -> dict[tuple[str, str], tuple[str, ...]]:
        todo: dict[tuple[str, str], list[str]] = {}
        for o in self.s.outputs:
            if not _fresh(self.rows, o):
                todo.setdefault((o.design, o.lang), []).append(o.edition)
        return {k: tuple(v) for k, v in todo.items()}

    # ------------------------------------------------------------ publishing
    def _publish(self, files: list[tuple[str, bytes, dict]]) -> None:
        """Put ``files`` (path, bytes, manifest row) in place and in the manifest."""
        if any(rel in self.rows for rel, _d, _r in files):
            for rel, _d, _r in files:
                self.rows.pop(rel, None)
            self._write_manifest()
        parents = set()
        for rel, data, row in files:
            target = self.folder / rel
            try:
                _mkdirs(target.parent)
            except OSError as exc:
                raise output_error(exc, target) from None
            publish_bytes(target, data, PART_PREFIX + f"{os.getpid()}-")
            self.hashes.wrote(target, row["sha256"])
            parents.add(target.parent)
        for p in sorted(parents):
            sync_folder(p)
        for rel, _d, row in files:
            self.rows[rel] = row
            if rel not in self.built:
                self.built.append(rel)
        self._write_manifest()

    def _row(self, rel: str, lang: str, design_id: str, edition: str, pages: int, copies: int, data: bytes,
             key: str, warnings=()) -> dict:
        org = self.s.spec.organisation
        base = self.s.spec.source.parent
        kept = tuple(dict.fromkeys(tuple(sorted(warning_record(d, base).items())) for d in warnings))
        return BatchFile(rel, org.name_for(lang), lang, design_id, edition, pages, copies,
                         hashlib.sha256(data).hexdigest(), key, tuple(dict(w) for w in kept)).record()

    def publish_rendered(self, design_id: str, lang: str, outs, warnings=()) -> None:
        spec = self.s.spec
        copies = spec.copies(design_id, lang)
        expected = {o.edition: o for o in self.s.outputs if o.design == design_id and o.lang == lang}
        files = []
        for rel, edition, data, pages, key in outs:
            if key != expected[edition].key:
                raise LeafletsError(f"{rel}: the worker that built it saw other inputs than this run "
                                    "(another version of leaflets, of its libraries, of the project or of the spec)\n"
                                    "    hint: give every worker the same installation and the same project "
                                    "files at the same path")
            files.append((rel, data, self._row(rel, lang, design_id, edition, pages, copies, data, key, warnings)))
        self._publish(files)
        print_pdf = next((data for _rel, edition, data, _p, _k in outs if edition == "print"), None)
        if print_pdf is not None:
            self.sheets((design_id, lang), print_pdf)

    def sheets(self, only: tuple[str, str] | None, print_pdf: bytes | None = None) -> None:
        """Impose the office sheets whose print file is up to date and whose sheet is not (all of them,
        or ``only`` that design x language with its print file's bytes)."""
        from ..impose import impose
        for (design_id, lang), plan in self.plans.items():
            if plan.file is None or (only is not None and (design_id, lang) != only):
                continue
            rel = f"{design_id}/{output_name(design_id, lang, 'print')}"
            out = next(o for o in self.s.outputs if o.paths == (rel,))
            row = self.rows.get(rel)
            if row is None or row.get("inputs") != out.key:
                continue              # the print file is still to be built
            key = self.inputs.sheet_key(row["sha256"], plan.layout, plan.duplex, plan.per_sheet)
            if self.rows.get(plan.file, {}).get("inputs") == key:
                continue
            data = print_pdf if print_pdf is not None else (self.folder / rel).read_bytes()
            if hashlib.sha256(data).hexdigest() != row["sha256"]:
                continue              # changed under us: built again next time
            imposed = impose([data], plan.layout, duplex=plan.duplex, copies=plan.per_sheet)
            self._publish([(plan.file, imposed.data,
                            self._row(plan.file, lang, design_id, f"sheet:{plan.layout}", imposed.sheets,
                                      plan.sheets, imposed.data, key))])

    # ------------------------------------------------------------ the end
    def wanted(self) -> set[str]:
        return {p for o in self.s.outputs for p in o.paths} | {p.file for p in self.plans.values() if p.file}

    def finish(self) -> None:
        """Remove what the spec no longer asks for, then write the summary, manifest.csv and the complete
        manifest.json (each only when it changes)."""
        gone = sorted(set(self.rows) - self.wanted())
        if gone:
            for rel in gone:
                del self.rows[rel]
            self._write_manifest()
            for rel in gone:
                try:
                    (self.folder / rel).unlink()
                    self.removed.append(rel)
                except OSError:
                    pass
                parent = (self.folder / rel).parent
                while parent != self.folder:
                    try:
                        parent.rmdir()
                    except OSError:
                        break
                    parent = parent.parent
        self.complete = set(self.rows) == self.wanted()
        result = self.result()
        self._write_if_changed("summary.txt", result.summary.encode("utf-8"))
        self._write_if_changed("manifest.csv", manifest_csv(result))
        self._write_manifest()

    def result(self) -> BatchResult:
        spec = self.s.spec
        result = BatchResult(spec, self.folder, qr_target=self.s.target,
                             designs={d: self.ws.project.designs[d] for d in spec.designs})
        result.files = [BatchFile.from_record(r) for _p, r in sorted(self.rows.items())]
        result.sheets = [self.plans[(d, lang)] for d in spec.designs for lang in spec.languages]
        result.summary = summary(result)
        result.complete = self.complete
        result.built = sorted(self.built)
        result.up_to_date = sum(1 for p in self.rows if p not in self.built and p in self.wanted())
        result.removed = self.removed
        return result

    def _write_if_changed(self, name: str, data: bytes) -> None:
        path = self.folder / name
        try:
            if path.read_bytes() == data:
                return
        except OSError:
            pass
        publish_bytes(path, data, PART_PREFIX + f"{os.getpid()}-")

    def _write_manifest(self) -> None:
        result = self.result()
        self._write_if_changed("manifest.json", manifest_json(result))
        sync_folder(self.folder)


# ------------------------------------------------------------------ manifest and summary

def manifest_json(result: BatchResult) -> bytes:
    spec = result.spec
    doc = {
        "batch": spec.id,
        "spec": spec.source.name,
        "spec_origin": spec_origin(spec.source),
        "organisation": spec.organisation.name_for(""),
        "qr_target": result.qr_target,
        "complete": result.complete,
        "files": [f.record() for f in result.files],
        "sheets": [{"format": p.format, "language": p.language, "layout": p.layout, "per_sheet": p.per_sheet,
                    "duplex": p.duplex, "copies": p.copies, "sheets": p.sheets, "file": p.file}
                   for p in result.sheets],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def manifest_csv(result: BatchResult) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(MANIFEST_FIELDS), lineterminator="\n")
    w.writeheader()
    for f in result.files:
        w.writerow(f.row())
    return buf.getvalue().encode("utf-8")


def summary(result: BatchResult) -> str:
    """A short text for the person who prints: what was made and how many sheets to print."""
    spec = result.spec
    leaflets = [f for f in result.files if not f.edition.startswith("sheet:")]
    lines = [f"Batch {spec.id} ({spec.source.name}): {spec.organisation.name_for('')}",
             f"{len(leaflets)} file(s): {len(spec.languages)} language(s) ({', '.join(spec.languages)}) x "
             f"{len(spec.designs)} design(s) ({', '.join(spec.designs)}) x {', '.join(spec.editions)}",
             f"QR codes hold {result.qr_target} (each read back from the rendered pages)",
             "Sheets to print on an office printer (A4):"]
    for design_id in spec.designs:
        plans = [p for p in result.sheets if p.format == design_id]
        total = sum(p.sheets for p in plans)
        first = plans[0]
        design = result.designs.get(design_id)
        a4 = design is not None and sorted((design.width, design.height)) <= [210.5, 297.5] and \
            design.width <= 210.5 and design.height <= 297.5
        online = "online" in spec.editions
        if "print" not in spec.editions and not (a4 and online and not first.layout):
            # sheets are imposed from the print files, and only an A4 online file prints as it is
            lines.append(f"  {design_id}: no sheets: this batch makes no print file of it "
                         f"(add print to editions for sheets to print)")
            continue
        if first.layout:
            how = f"{first.layout}, {first.per_sheet} per sheet{', both sides' if first.duplex else ''}"
        elif a4 and online:
            how = "one per sheet: print the online edition at 100 %"
        else:
            how = "one per sheet: larger than A4, the print file is for a print shop" if not a4 else \
                "one per sheet: the print file, fitted to the page"
        lines.append(f"  {design_id}: {total} sheet(s) in all ({how})")
        for p in plans:
            edition = "online" if not p.layout and a4 and online else "print"
            where = p.file or f"{design_id}/{output_name(design_id, p.language, edition)}"
            lines.append(f"    {p.language}: {p.copies} copies -> {p.sheets} sheet(s): {where}")
    return "\n".join(lines) + "\n"
