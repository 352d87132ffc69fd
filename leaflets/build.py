"""Build leaflets: every design x language x edition, or a selection.

A :class:`Workspace` is everything one run needs — the loaded project, its
fonts, the composer and the painter — created once and passed around, so that
nothing is global and a warm process renders fast.

:func:`examine` lays out one job and says everything wrong with it for every
edition it is built in; ``leaflets build``, ``check`` and ``preview`` all use
it, so they report the same problems the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .atomic import Staging
from .errors import ContentError, Diagnostic, Diagnostics, ERROR, UsageError, WARNING
from .layout.page import MARK_FREE, Composer, Problem
from .model.load import load_project
from .model.schema import EDITIONS, PAPER_EDITIONS, Project
from .render import ONLINE, PRINT, PdfRenderer
from .render.pdfx import OutputConditions, PdfxSettings
from .text.fonts import FontLibrary, default_cache_dir

# the editions (print, online, png, html; social) live with the designs, which list theirs


@dataclass(frozen=True)
class Job:
    design: str
    lang: str
    editions: tuple[str, ...]
    draft_mark: bool = True        # False only when asked for (--no-draft-mark)


@dataclass
class Output:
    job: Job
    edition: str
    path: Path
    data: bytes


@dataclass
class Plan:
    """Laid-out pages, and what was found wrong while laying them out."""

    pages: list[tuple[Job, object]] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def all_jobs(project: Project, draft_mark: bool = True) -> list[Job]:
    """Every design x language, each in every edition."""
    return [Job(d, lang, design_editions(project, d), draft_mark) for d in _designs(project)
            for lang in sorted(project.languages)]


def design_editions(project: Project, design: str) -> tuple[str, ...]:
    """The editions a design is built in (its design.editions; the fact sheet: the paper editions)."""
    d = project.designs.get(design)
    return d.editions if d is not None else PAPER_EDITIONS


def _designs(project: Project) -> list[str]:
    """The designs' ids, and the annual fact sheet's when the project has reports."""
    from .factsheet import DESIGN_ID, has_factsheet
    return sorted(project.designs) + ([DESIGN_ID] if has_factsheet(project) and DESIGN_ID not in project.designs
                                      else [])


def is_draft(project: Project, lang: str) -> bool:
    """Whether ``lang``'s leaflets are a translation nobody has reviewed (they carry the draft mark)."""
    return project.languages[lang].review_status not in MARK_FREE


def judge(project: Project, job: Job, problems: list[Problem], strict: bool = False) -> list[Diagnostic]:
    """Problems of a page as diagnostics, errors where they stop the build of any of the job's editions."""
    language = project.languages[job.lang]
    refuse_fallback = strict or (language.review_status == "reviewed" and "print" in job.editions)
    out = []
    for p in problems:
        d = p.diagnostic
        if p.kind == "fallback" and refuse_fallback and d.severity == WARNING:
            why = "--strict" if strict else "a reviewed language's print edition"
            d = Diagnostic(ERROR, d.message + f" (refused: {why})", d.file, d.line, d.hint, d.code)
        out.append(d)
    return out


def language_diagnostics(project: Project, lang: str, strict: bool = False) -> list[Diagnostic]:
    """What is wrong with a language whatever is built from it: stale strings (errors with --strict)."""
    language = project.languages[lang]
    out = []
    for key, old, new in project.stale(lang):
        t = language.strings[key]
        out.append(Diagnostic(ERROR if strict else WARNING,
                              f"{lang}: '{key}' is stale: it was translated from \"{old}\"; the English is now "
                              f"\"{new}\"" + (" (refused: --strict)" if strict else ""), language.path, t.line,
                              "update the translation, then set its source to the new English", code="stale"))
    return out


def job_diagnostics(project: Project, job: Job, problems: list[Problem], strict: bool = False) -> Iterator[Diagnostic]:
    """Every diagnostic of a laid-out job, for every edition it is built in."""
    yield from judge(project, job, problems, strict)
    yield from language_diagnostics(project, job.lang, strict)


def examine(project: Project, composer: Composer, job: Job, strict: bool = False):
    """Lay out ``job``: its page, its problems (to mark on proofs) and its diagnostics."""
    from .factsheet import DESIGN_ID
    if job.design == DESIGN_ID and job.design not in project.designs:
        from .layout.factsheet import FactsheetComposer
        pages, problems = FactsheetComposer(project, composer.fonts).compose(job.lang, draft_mark=job.draft_mark)
        return pages, problems, list(job_diagnostics(project, job, problems, strict)) + typography(project, job, pages)
    page, problems = composer.compose(job.design, job.lang, draft_mark=job.draft_mark)
    return page, problems, list(job_diagnostics(project, job, problems, strict)) + typography(project, job, page)


def typography(project: Project, job: Job, page) -> list[Diagnostic]:
    """What the line breaker could not set cleanly on a laid-out page, as warnings
    (code "typography"): the language, the text's key, the line as set."""
    out = []
    for block, f in typography_findings(project, job, page):
        key, _, lang = block.key.partition("@")
        language = project.languages.get(lang or block.lang) or project.languages.get(job.lang)
        if key.startswith("fact:"):
            path, line = project.facts.path, None
        elif key.startswith("text:") and job.design in project.designs:     # a design's own words
            path, line = project.designs[job.design].path, None
        else:
            t = language.strings.get(key.split(":", 1)[-1]) if language else None    # the fact sheet's count:…
            path, line = (language.path if language else None), (t.line if t else None)
        out.append(Diagnostic(WARNING, f"{block.lang}: '{key}' in {job.design}: {f.message} "
                                       f"(line {f.number}: \u201c{f.line}\u201d)", path, line, f.hint,
                              code="typography"))
    return out


def typography_findings(project: Project, job: Job, page) -> list[tuple]:
    """(text block, :class:`~leaflets.text.typography.Finding`) for every paragraph of the page."""
    from .layout.frame import TextBlock
    from .text.typography import inspect

    design = project.designs.get(job.design)
    display: dict[str, bool] = {}
    for region in design.regions if design is not None else ():
        for item in region.text:
            display[item.label] = display.get(item.label, False) or design.styles[item.style].balance
    out = []
    # the fact sheet (no design of content/designs/) is a tuple of pages; its titles and headings are display
    sheets = page if isinstance(page, (tuple, list)) else getattr(page, "pages", (page,))
    blocks = [block for sheet in sheets for block in sheet.items]
    for block in blocks:
        if not isinstance(block, TextBlock) or block.key in ("slug", "draft-mark"):
            continue
        if design is None:
            display[block.key] = block.key.endswith(("title", "heading"))
        elif block.key not in display:
            continue
        # the lines as set: the runs of one baseline, each run covering the text its glyphs stand for
        rows: dict[float, list[int]] = {}
        for run in block.runs:
            a = run.start
            b = a + sum(len(g[3]) for g in run.glyphs)
            row = rows.setdefault(run.y, [a, b])
            row[0], row[1] = min(row[0], a), max(row[1], b)
        lines, prev = [], 0
        for _y, (_a, b) in sorted(rows.items()):
            b += len(block.text[b:]) - len(block.text[b:].lstrip(" \n"))    # the spaces after the line
            lines.append((prev, b))
            prev = b
        out += [(block, f) for f in inspect(block.text, block.lang, lines, display[block.key])]
    return out


def output_name(design: str, lang: str, edition: str, page: str | None = None) -> str:
    """The file of an edition; a PNG previews one page: the first is ``design.lang.png``, a further one
    ``design.lang.<page name>.png`` (``hotline-card.th.back.png``).  PDFs hold every page."""
    if edition == "png":
        return f"{design}.{lang}.{page}.png" if page else f"{design}.{lang}.png"
    if edition == "html":
        return f"{design}.{lang}.html"
    if edition == "social":         # and beside it design.lang.webp
        return f"{design}.{lang}.png"
    return f"{design}.{lang}.{edition}.pdf"


class Workspace:
    """A loaded project with its fonts, ready to lay out and render."""

    def __init__(self, root: Path | str = ".", cache_dir: Path | None = None, fonts: FontLibrary | None = None,
                 renderer: PdfRenderer | None = None, pdfx: PdfxSettings | None = None,
                 languages: list[str] | None = None, designs: list[str] | None = None):
        self.root = Path(root)
        # ``languages``: only these are loaded (with the source and those designs take text from)
        self.only_languages = list(languages) if languages else None
        # ``designs``: only these design files are loaded (over designs/shared/)
        self.only_designs = list(designs) if designs else None
        project, diags = load_project(self.root, self.only_languages, self.only_designs)
        self.diagnostics = diags
        if project is None or diags.errors:
            raise ContentError(diags.errors or [Diagnostic(ERROR, "the project could not be loaded")])
        self.project: Project = project
        self.fonts = fonts or FontLibrary(self.root / "fonts",
                                          cache_dir if cache_dir is not None else default_cache_dir())
        self.composer = Composer(project, self.fonts)
        self.renderer = renderer or PdfRenderer()
        self.pdfx = pdfx or PdfxSettings()          # the print edition: PDF/X level and output condition
        self._conditions: OutputConditions | None = None

    def reload(self) -> "Workspace":
        """The same project read again from disk, keeping the loaded fonts."""
        return Workspace(self.root, self.fonts.cache_dir, self.fonts, self.renderer, self.pdfx, self.only_languages,
                         self.only_designs)

    # ------------------------------------------------------------ selection
    def jobs(self, designs: list[str] | None = None, langs: list[str] | None = None,
             editions: list[str] | None = None, draft_mark: bool = True) -> list[Job]:
        project = self.project
        diags = Diagnostics()
        designs = list(dict.fromkeys(designs)) if designs else designs     # each named once
        langs = list(dict.fromkeys(langs)) if langs else langs
        for d in designs or []:
            if d not in _designs(project):
                files = self._design_files()
                if self.only_designs is not None and d in files:
                    diags.error(f"the design '{d}' is not loaded: the project was opened for "
                                f"{', '.join(self.only_designs)} only", hint="open it with that design too")
                else:
                    diags.error(f"unknown design '{d}'",
                                hint=f"designs: {', '.join(sorted(set(_designs(project)) | set(files)))}")
        for lang in langs or []:
            if lang not in project.languages:
                diags.error(f"unknown language '{lang}'",
                            hint=f"languages: {', '.join(sorted(project.languages))}; "
                                 f"add one with: leaflets new-language {lang}")
        for e in editions or []:
            if e not in EDITIONS:
                diags.error(f"unknown edition '{e}'", hint=f"editions: {', '.join(EDITIONS)}")
        if diags.errors:
            raise UsageError("; ".join(f"{d.message} ({d.hint})" for d in diags.errors))
        eds = tuple(e for e in EDITIONS if not editions or e in editions)
        chosen = designs or [d for d in _designs(project) if self.only_designs is None or d in self.only_designs]
        if designs and editions:
            # a design named with editions it is never built in (a social image's print edition)
            for d in designs:
                if not set(eds) & set(design_editions(project, d)):
                    raise UsageError(f"{d} is built in the edition(s) {', '.join(design_editions(project, d))}, "
                                     f"not {', '.join(eds)} (its design.editions)")
        # each design in the editions asked for that it is built in; a design built in none of them is left out
        pairs = [(d, tuple(e for e in eds if e in design_editions(project, d))) for d in chosen]
        return [Job(d, lang, e, draft_mark) for d, e in pairs if e
                for lang in (langs or sorted(project.languages))]

    def _design_files(self) -> list[str]:
        """The designs the project has a file for (loaded or not)."""
        folder = self.root / "content" / "designs"
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    # ------------------------------------------------------------- layout
    def layout(self, job: Job):
        return self.composer.compose(job.design, job.lang, draft_mark=job.draft_mark)

    def judge(self, job: Job, problems: list[Problem], strict: bool = False) -> list[Diagnostic]:
        """Problems of a page as diagnostics, errors where they must stop the build."""
        return judge(self.project, job, problems, strict)

    def examine(self, job: Job, strict: bool = False):
        """The page of ``job``, its problems and its diagnostics (see :func:`examine`)."""
        return examine(self.project, self.composer, job, strict)

    def render(self, job: Job, page, out_dir: Path, dpi: float | None = None) -> list[Output]:
        if "html" in job.editions:      # the accessible web page (leaflets/render/html.py)
            rest = Job(job.design, job.lang, tuple(e for e in job.editions if e != "html"), job.draft_mark)
            return (self.render(rest, page, out_dir, dpi) if rest.editions else []) + [Output(
                job, "html", out_dir / job.design / output_name(job.design, job.lang, "html"), self.html(job, page))]
        from .render import png
        from . import factsheet
        outs = []
        online = None
        if job.design == factsheet.DESIGN_ID and isinstance(page, tuple):
            # the annual fact sheet: two pages in one PDF, a PNG of each
            for edition in job.editions:
                path = out_dir / job.design / output_name(job.design, job.lang, edition)
                if edition == "print":
                    data = self.print_pdf(job, factsheet.render(self.renderer, page, "print"))
                    outs.append(Output(job, edition, path, data))
                    continue
                online = online or factsheet.render(self.renderer, page, "online")
                if edition == "online":
                    outs.append(Output(job, edition, path, online))
                    continue
                for i, data in enumerate(factsheet.png_pages(online, dpi or png.DEFAULT_DPI)):
                    name = path if i == 0 else path.with_name(f"{job.design}.{job.lang}.p{i + 1}.png")
                    outs.append(Output(job, edition, name, data))
            return outs
        for edition in job.editions:
            path = out_dir / job.design / output_name(job.design, job.lang, edition)
            if edition == "print":
                data = self.print_pdf(job, self.renderer.render(page, self.print_options))
                if self.pdfx.sheets:
                    outs += self.sheets(job, data, out_dir)
            elif edition == "online":
                data = online = online or self.renderer.render(page, ONLINE)
            elif edition == "social":
                online = online or self.renderer.render(page, ONLINE)
                outs += self.social(job, online, path)
                continue
            else:
                online = online or self.renderer.render(page, ONLINE)
                for i, sheet in enumerate(getattr(page, "pages", (page,))):
                    name = output_name(job.design, job.lang, edition, sheet.name if i else None)
                    outs.append(Output(job, edition, path.with_name(name),
                                       png.png_bytes(png.rasterise(online, dpi or png.DEFAULT_DPI, page=i))))
                continue
            outs.append(Output(job, edition, path, data))
        return outs

    def social(self, job: Job, online: bytes, path: Path) -> list[Output]:
        """A screen design's social images, PNG and WebP at its size in px (leaflets/render/social.py)."""
        from .render import social
        design = self.project.designs[job.design]
        try:
            png_data, webp_data = social.images(online, design.pixels)
        except social.ImageTooLarge as e:
            raise ContentError([Diagnostic(ERROR, f"{job.lang}: {job.design}: {e}", design.path, None,
                                           "use fewer colours, gradients or pictograms in the design", "social")])
        return [Output(job, "social", path, png_data), Output(job, "social", path.with_suffix(".webp"), webp_data)]

    def sheets(self, job: Job, data: bytes, out_dir: Path) -> list[Output]:
        """The print file on its office and shop sheets (``--sheets``), each preflighted with its profile:
        ``<design>/sheets/<design>.<lang>.office.pdf`` and ``.shop.pdf``."""
        from .preflight import sheet_files
        outs = []
        name = output_name(job.design, job.lang, "print")
        for kind, _layout, sheet, warnings in sheet_files(data, self.project, job.design, job.lang, name):
            for d in warnings:
                self.diagnostics.add_once(d)
            path = out_dir / job.design / "sheets" / f"{job.design}.{job.lang}.{kind}.pdf"
            outs.append(Output(job, "sheets", path, sheet))
        return outs

    @property
    def print_options(self):
        """The painter's options for the print edition: PRINT with the trim marks asked for."""
        from dataclasses import replace
        return PRINT if self.pdfx.marks == PRINT.marks else replace(PRINT, marks=self.pdfx.marks)

    def html(self, job: Job, page) -> bytes:
        """The HTML edition of a laid-out job: its QR codes' targets from the campaign facts."""
        from .render.html import HtmlRenderer, QrCode
        if getattr(self, "_html", None) is None:
            self._html = HtmlRenderer(self.fonts.cache_dir)
        from . import factsheet
        if job.design == factsheet.DESIGN_ID and job.design not in self.project.designs:
            # the annual fact sheet: its charts as SVG and tables (leaflets/render/factsheet_html.py)
            from .render.factsheet_html import FactsheetHtmlRenderer
            return FactsheetHtmlRenderer(fonts=self._html.fonts).render(page)
        design, facts = self.project.designs.get(job.design), self.project.facts
        codes = [QrCode(facts.links[r.qr].url, facts.links[r.qr].display, r.qr_ec,
                        tuple(design.colors[r.qr_color].rgb) if r.qr_color in design.colors else (0, 0, 0))
                 for r in (design.regions if design else ()) if r.qr]
        return self._html.render(page, codes)

    def print_pdf(self, job: Job, data: bytes) -> bytes:
        """The painter's print PDF made PDF/X and preflighted (see :func:`leaflets.preflight.print_file`)."""
        from .preflight import print_file
        if self._conditions is None:
            self._conditions = OutputConditions(self.root / "icc", self.fonts.cache_dir)
        from . import factsheet
        if job.design == factsheet.DESIGN_ID and job.design not in self.project.designs:
            data, warnings = factsheet.print_file(data, self.project, job.lang, self.pdfx, self._conditions,
                                                  output_name(job.design, job.lang, "print"))
            for d in warnings:
                self.diagnostics.add_once(d)
            return data
        data, warnings = print_file(data, self.project, job.design, job.lang, self.pdfx, self._conditions,
                                    output_name(job.design, job.lang, "print"))
        for d in warnings:
            self.diagnostics.add_once(d)
        return data

    def plan(self, jobs: list[Job], strict: bool = False) -> Plan:
        """Lay out every job and judge what was found; nothing is rendered yet."""
        plan = Plan()
        for job in jobs:
            page, _problems, diagnostics = self.examine(job, strict)
            for d in diagnostics:
                plan.diagnostics.add_once(d)
            plan.pages.append((job, page))
        return plan

    def outputs(self, plan: Plan, out_dir: Path, dpi: float | None = None, progress=None) -> Iterator[Output]:
        """Render a plan that has no errors, one output at a time."""
        if plan.diagnostics.errors:
            raise ContentError(plan.diagnostics.errors)
        for job, page in plan.pages:
            yield from self.render(job, page, out_dir, dpi)
            if progress is not None:
                progress.advance(f"{job.design} {job.lang}")

    def build(self, jobs: list[Job], out_dir: Path, strict: bool = False, dpi: float | None = None,
              progress=None) -> tuple[Plan, list[Path]]:
        """Lay out every job; if nothing is wrong, render them all.

        The files are written into a staging folder inside ``out_dir`` and moved
        into place together at the end: a build that fails or is interrupted
        leaves the previous output as it was, never a mix of old and new."""
        plan = self.plan(jobs, strict)
        if plan.diagnostics.errors:
            return plan, []
        with Staging(out_dir) as stage:
            for out in self.outputs(plan, out_dir, dpi, progress):
                stage.write(out.path, out.data)
        return plan, list(stage.files)
