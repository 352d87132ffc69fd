"""Build local batches: an organisation's contact block on the official designs.

``run_batches(workspace, spec_paths, out_root)`` reads every spec first
(:func:`~leaflets.batch.spec.load_spec`) and lays out each of its leaflets
with the organisation's block in the design's local-contact slot; any error
in any spec stops everything before a file is written.  Then it renders each
language x design in every edition the spec asks for (in ``jobs`` processes),
checks what it rendered, imposes a sheet for office printers per design and
language, and writes all of it, with ``manifest.json``, ``manifest.csv`` and
``summary.txt``, into ``out_root/<batch id>/`` at once (:class:`~leaflets.atomic.Staging`):
a batch that fails or is interrupted leaves the previous output as it was.

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
import hashlib
import io
import json
import math
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..atomic import Staging
from ..build import Job, judge, language_diagnostics, output_name
from ..errors import ContentError, Diagnostic, Diagnostics, ERROR, UsageError
from ..layout.frame import Link, TextBlock
from .block import ARRANGEMENTS, Block, contact_block, slot_regions

# Editions a batch may ask for, in the order they are written.
EDITIONS = ("print", "online", "png", "html")
SHEETS = "sheets"            # the folder of a batch that holds the office printer's sheets
MANIFEST_FIELDS = ("file", "organisation", "language", "format", "edition", "pages", "copies", "sha256")
QR_DPI = 150                 # the raster every online PDF's QR codes are read back from


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

    def row(self) -> dict:
        return {k: getattr(self, k if k != "file" else "path") for k in MANIFEST_FIELDS}


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
            lengths = sorted(((len(para.text), para.name) for para in block.paragraphs), reverse=True)
            fields = [f for _n, name in lengths for f in block.fields.get(name, ())]
            out.append(Diagnostic(
                ERROR, f"{lang}: the contact block does not fit the local-contact slot of {design.id}: "
                       f"{_mm_short(p.diagnostic.message)} at the smallest sizes the design allows",
                spec.source, s.line("organisation"),
                f"shorten what the {lang} leaflet shows (longest first: {', '.join(fields)}): a shorter "
                f"organisation.name or address for {lang}, fewer phone numbers, or leave out a field",
                code="overflow"))
        elif p.kind == "missing-glyph" and (p.key in names or p.key == "language.script"):
            fields = block.fields.get(p.key, ())
            out.append(Diagnostic(
                ERROR, f"{lang}: {p.diagnostic.message.split(': ', 1)[-1]} (in the contact block: "
                       f"{', '.join(fields) or 'its labels'})", spec.source, s.line("organisation"),
                f"write these fields for {lang} in characters its fonts cover (e.g. the address in Latin "
                f"letters), or add a font that covers them", code="missing-glyph"))
    return out


def _layout(ws, s: _Spec, design_id: str, lang: str):
    """The page of one batch leaflet and its diagnostics (errors stop the batch)."""
    project = ws.project
    design = project.designs[design_id]
    org = s.spec.organisation
    slots = {r.id for r in slot_regions(design)}
    for arrangement in ARRANGEMENTS:       # the most readable arrangement of the block that fits
        block = contact_block(project, org, lang, design, ws.fonts, arrangement)
        page, problems = ws.composer.compose(design_id, lang, local_contact=list(block.paragraphs),
                                             logo=getattr(org, "logo", None), qr_urls={"report": s.target})
        if not any(p.kind == "overflow" and p.region in slots for p in problems):
            break
    names = {p.name for p in block.paragraphs}
    own = [p for p in problems
           if (p.kind == "overflow" and p.region in slots) or (p.kind == "missing-glyph" and p.key in names)]
    job = Job(design_id, lang, tuple(e for e in s.spec.editions))
    diags = list(block.errors) + _slot_diagnostics(s, design, lang, block, own)
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
        pieces = list(run.glyphs)
        advances = list(run.advances) or [0.0] * len(pieces)
        order = range(len(pieces) - 1, -1, -1) if run.rtl else range(len(pieces))
        at = run.start
        for i in order:
            _gid, gx, _gy, text = pieces[i]
            if text:
                start, at = at, at + len(text)
            else:
                start = at - 1
            if a <= start < b:
                x0 = run.x + gx
                box = lines.setdefault(run.y, [x0, x0 + advances[i], run.size])
                box[0], box[1] = min(box[0], x0), max(box[1], x0 + advances[i])
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


def _print_file(ws, s: _Spec, design_id: str, lang: str, data: bytes, name: str) -> tuple[bytes, list]:
    """The print PDF made PDF/X and preflighted as ``leaflets build`` does, expecting the batch's QR target."""
    from .. import preflight as pf
    from ..render import pdfx
    from ..render.pdfx import OutputConditions
    project = ws.project
    facts = project.facts
    design = project.designs[design_id]
    if ws._conditions is None:
        ws._conditions = OutputConditions(ws.root / "icc")
    cond = ws.pdfx.resolve(ws._conditions, getattr(design, "output_condition", None))
    fingerprint = pdfx.facts_fingerprint(facts)
    out = pdfx.apply(data, ws.pdfx.level, cond, ws._conditions,
                     date=pdfx.document_date(facts.edition, ws.pdfx.source_date_epoch), fingerprint=fingerprint,
                     document_key=f"{facts.campaign_id}/{facts.edition}/{design_id}/{lang}/batch/{s.spec.id}")
    expect = [s.target] if any(r.qr for r in design.regions) else None
    # the facts are compared here, not in preflight: its list of the campaign's links has no tagged address
    report = pf.preflight(out, pf.BUILD_PROFILE, facts=None, qr=pf.BUILD_QR, expect_qr=expect, name=name)
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


def render_leaflet(ws, s: _Spec, design_id: str, lang: str) -> tuple[list[tuple[str, str, bytes, int]], list]:
    """Every edition of one batch leaflet: [(path in the batch, edition, bytes, pages)] and its warnings.
    Raises ContentError when a check fails."""
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
    for edition in [e for e in EDITIONS if e in s.spec.editions]:
        rel = f"{design_id}/{output_name(design_id, lang, edition)}"
        if edition == "print":
            data, found = _print_file(ws, s, design_id, lang, ws.renderer.render(page, PRINT),
                                      output_name(design_id, lang, "print"))
            warnings += found
            out.append((rel, edition, data, n))
        elif edition == "online":
            online = online or ws.renderer.render(page, ONLINE)
            errors = []
            for i in range(n):
                found = _decode(png.rasterise(online, QR_DPI, page=i))
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


# ------------------------------------------------------------------ worker processes

# Each process of the pool keeps its own workspace and specs (loaded once, on its first task).
_WORKER: dict = {}


def _worker_init(root: str, cache_dir: str | None, pdfx) -> None:
    from ..build import Workspace
    _WORKER["ws"] = Workspace(Path(root), Path(cache_dir) if cache_dir else None, pdfx=pdfx)
    _WORKER["specs"] = {}


def _worker_task(spec_path: str, design_id: str, lang: str):
    from .spec import load_spec
    ws = _WORKER["ws"]
    s = _WORKER["specs"].get(spec_path)
    if s is None:
        s = _WORKER["specs"][spec_path] = _Spec(load_spec(Path(spec_path), ws.project), ws.project)
    try:
        return "ok", render_leaflet(ws, s, design_id, lang)
    except ContentError as exc:
        return "error", exc.diagnostics


# ------------------------------------------------------------------ the run

def validate(ws, spec_paths: list[Path]) -> tuple[list[_Spec], Diagnostics]:
    """Read every spec and lay out every leaflet it asks for; all that is wrong, in every spec."""
    from .spec import load_spec
    diags = Diagnostics()
    loaded: list[_Spec] = []
    seen: dict[str, Path] = {}
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
            diags.error(f"batch id '{spec.id}' is also the id of {seen[spec.id]}: both would write "
                        f"output/batches/{spec.id}/", spec.source, s.line("id"),
                        "give each spec its own id")
            continue
        seen[spec.id] = spec.source
        bad = [e for e in spec.editions if e not in EDITIONS]
        for e in bad:
            diags.error(f"edition '{e}' cannot be built in a batch", spec.source, s.line("editions"),
                        f"editions: {', '.join(EDITIONS)}")
        for design_id in spec.designs:
            design = ws.project.designs.get(design_id)
            if design is None:
                diags.error(f"unknown design '{design_id}'", spec.source, s.line("designs"),
                            f"designs: {', '.join(sorted(ws.project.designs))}")
                continue
            if not slot_regions(design):
                with_slot = sorted(d for d, x in ws.project.designs.items() if slot_regions(x))
                diags.error(f"design '{design_id}' has no local-contact slot: the organisation's block has no "
                            "place on it", spec.source, s.line("designs"),
                            f"choose designs that have one ({', '.join(with_slot)}), or leave '{design_id}' "
                            "out; its official edition is built by leaflets build")
                continue
            for lang in spec.languages:
                _page, found = _layout(ws, s, design_id, lang)
                for d in found:
                    diags.add_once(d)
        loaded.append(s)
    return loaded, diags


def _tasks(loaded: list[_Spec]) -> list[tuple[int, str, str]]:
    return [(i, d, lang) for i, s in enumerate(loaded) for d in s.spec.designs for lang in s.spec.languages]


def run_batches(ws, spec_paths: list[Path], out_root: Path, jobs: int = 1, progress=None,
                cache_dir: Path | None = None) -> tuple[list[BatchResult], Diagnostics]:
    """Validate every spec, then build them all into ``out_root/<batch id>/`` (see the module's text).

    Returns the results and the warnings; raises ContentError (nothing written) on any error."""
    _check_jobs(jobs)
    loaded, diags = validate(ws, spec_paths)
    if diags.errors:
        raise ContentError(diags.errors)
    return build_batches(ws, loaded, out_root, jobs, progress, cache_dir, diags)


def _check_jobs(jobs) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"--jobs must be a whole number of at least 1, not {jobs!r}")


def build_batches(ws, loaded: list[_Spec], out_root: Path, jobs: int = 1, progress=None,
                  cache_dir: Path | None = None, diagnostics: Diagnostics | None = None
                  ) -> tuple[list[BatchResult], Diagnostics]:
    """Build specs :func:`validate` found nothing wrong with (see :func:`run_batches`)."""
    _check_jobs(jobs)
    diags = diagnostics if diagnostics is not None else Diagnostics()
    tasks = _tasks(loaded)
    rendered: dict[tuple[int, str, str], list] = {}
    errors: list[Diagnostic] = []

    def collect(task, status, value):
        if status == "ok":
            outs, warnings = value
            rendered[task] = outs
            for d in warnings:
                diags.add_once(d)
        else:
            errors.extend(value)
        if progress is not None:
            progress.advance(f"{loaded[task[0]].spec.id} {task[1]} {task[2]}")

    if jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            i, d, lang = task
            try:
                collect(task, "ok", render_leaflet(ws, loaded[i], d, lang))
            except ContentError as exc:
                collect(task, "error", exc.diagnostics)
    else:
        cache = cache_dir if cache_dir is not None else ws.fonts.cache_dir
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), initializer=_worker_init,
                                 initargs=(str(ws.root), str(cache) if cache else None, ws.pdfx)) as pool:
            futures = [(task, pool.submit(_worker_task, str(loaded[task[0]].spec.source), task[1], task[2]))
                       for task in tasks]
            for task, future in futures:
                collect(task, *future.result())
    if errors:
        raise ContentError(errors)
    results = [_assemble(ws, i, s, rendered, Path(out_root)) for i, s in enumerate(loaded)]
    with Staging(out_root) as stage:
        for result, files in results:
            for rel, data in files:
                stage.write(result.folder / rel, data)
    return [r for r, _files in results], diags


def _assemble(ws, i: int, s: _Spec, rendered: dict, out_root: Path) -> tuple[BatchResult, list[tuple[str, bytes]]]:
    """A batch's files, its office sheets, manifest and summary, in a deterministic order."""
    from ..impose import impose
    spec = s.spec
    org = spec.organisation
    project = ws.project
    result = BatchResult(spec, out_root / spec.id, qr_target=s.target,
                         designs={d: project.designs[d] for d in spec.designs})
    files: list[tuple[str, bytes]] = []
    for design_id in spec.designs:
        design = project.designs[design_id]
        layout, per_sheet = office_layout(design)
        duplex = len(design.pages) > 1
        for lang in spec.languages:
            copies = spec.copies(design_id, lang)
            outs = rendered[(i, design_id, lang)]
            for rel, edition, data, pages in outs:
                files.append((rel, data))
                result.files.append(BatchFile(rel, org.name_for(lang), lang, design_id, edition, pages, copies,
                                              hashlib.sha256(data).hexdigest()))
            print_pdf = next((data for _rel, edition, data, _p in outs if edition == "print"), None)
            if print_pdf is None:       # nothing to impose: every copy is a file printed as it is
                layout, per_sheet = None, 1
            sheets = math.ceil(copies / per_sheet)
            sheet_file = None
            if layout and print_pdf is not None:
                imposed = impose([print_pdf], layout, duplex=duplex, copies=per_sheet)
                sheet_file = f"{SHEETS}/{design_id}.{lang}.{layout}.pdf"
                files.append((sheet_file, imposed.data))
                result.files.append(BatchFile(sheet_file, org.name_for(lang), lang, design_id, f"sheet:{layout}",
                                              imposed.sheets, math.ceil(copies / per_sheet),
                                              hashlib.sha256(imposed.data).hexdigest()))
            result.sheets.append(SheetPlan(design_id, lang, layout, per_sheet,
                                           duplex, copies, sheets, sheet_file))
    result.files.sort(key=lambda f: f.path)
    files.sort(key=lambda f: f[0])
    result.summary = summary(result)
    files += [("manifest.json", manifest_json(result)), ("manifest.csv", manifest_csv(result)),
              ("summary.txt", result.summary.encode("utf-8"))]
    return result, files


# ------------------------------------------------------------------ manifest and summary

def manifest_json(result: BatchResult) -> bytes:
    spec = result.spec
    doc = {
        "batch": spec.id,
        "spec": spec.source.name,
        "organisation": spec.organisation.name_for(""),
        "qr_target": result.qr_target,
        "files": [f.row() for f in result.files],
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
