"""The library: open a project, choose what to work on, set strings in memory,
render leaflets to bytes or build them into a folder, and list the problems.

    import leaflets

    project = leaflets.open_project("path/to/project")
    th = project.with_strings({"th": {"headline": "…"}})    # checked like th.yaml; no file changes
    pdf = th.render("a4-leaflet", "th", "print").data           # PDF/X, preflighted, as build makes it
    for d in project.problems():                                # what `leaflets check` reports
        print(d.format())

A :class:`ProjectHandle` wraps a :class:`~leaflets.build.Workspace`: the
loaded project, its fonts, the composer and the painter.  Keep one and call it
again: fonts, the painter and the print edition's output conditions stay
loaded, and :meth:`ProjectHandle.with_strings` makes a new handle that shares
them.  Handles are values: ``select`` and ``with_strings`` return new handles
and never change the one they are called on, nor any file.  A handle is not
meant to be used from several threads at once.

Content problems raise :class:`~leaflets.errors.ContentError` (its
``diagnostics`` say file, line, what is wrong and how to fix it); asking for a
design, language or edition the project does not have raises
:class:`~leaflets.errors.UsageError`.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .build import EDITIONS, Job, Workspace
from .errors import ERROR, WARNING, ContentError, Diagnostic, Diagnostics, UsageError
from .layout.page import Composer
from .model.guard import FactsGuard
from .model.load import check_strings, load_project
from .model.schema import Language, Project, Text
from .model.yamlsrc import MAX_BYTES
from .render.pdfx import OutputConditions, PdfxSettings
from .text.fonts import FontLibrary, default_cache_dir

__all__ = ["Built", "ProjectHandle", "Rendered", "check", "open_project"]

PathLike = str | os.PathLike[str]

_SURROGATE = re.compile("[\ud800-\udfff]")

# The largest PNG rendered: A4 at 1200 dpi is 139 million pixels.
MAX_PIXELS = 150_000_000
DPI_RANGE = (10.0, 1200.0)


class Progress(Protocol):
    """Told of each leaflet a build has rendered (e.g. :class:`leaflets.progress.Progress`)."""

    def advance(self, item: str = "") -> None: ...


@dataclass(frozen=True)
class Rendered:
    """One leaflet in one edition, in memory."""

    data: bytes                  # the PDF or PNG file
    name: str                    # its file name as build writes it: a4-leaflet.th.print.pdf
    design: str
    lang: str
    edition: str                 # print, online, png… (leaflets.build.EDITIONS)
    diagnostics: tuple[Diagnostic, ...] = ()    # its warnings (an error raises ContentError instead)
    pages: int = 1               # PNG: how many pages there are, one PNG each (a PDF holds them all: 1)


@dataclass(frozen=True)
class Built:
    """What :meth:`ProjectHandle.build` wrote."""

    out_dir: Path
    files: tuple[Path, ...]
    diagnostics: tuple[Diagnostic, ...] = ()    # the warnings, as `leaflets build` prints them


def open_project(path: PathLike = ".", cache_dir: PathLike | None = None, *,
                 pdfx: PdfxSettings | None = None, languages: Sequence[str] | None = None,
                 designs: Sequence[str] | None = None) -> "ProjectHandle":
    """Load the project in ``path`` (a folder with content/, fonts/ and icc/).

    ``cache_dir`` is where converted font subsets are kept (default:
    ``$LEAFLETS_CACHE_DIR`` or ``~/.cache/leaflets``); ``pdfx`` says how the
    print edition is made (default: PDF/X-4 for the design's output condition).
    ``languages``: read and check only these language files (with the source
    language and any a design takes text from) — quicker when only they are
    built; the handle then knows no other language.  ``designs``: likewise,
    read and check only these design files (over content/designs/shared/):
    a design file that does not load then stops only a build that asks for
    it (:func:`check` still reports it).  Raises :class:`ContentError` with
    every error when the content cannot be loaded."""
    return ProjectHandle(Workspace(Path(path), Path(cache_dir) if cache_dir is not None else None, pdfx=pdfx,
                                   languages=list(languages) if languages else None,
                                   designs=list(designs) if designs else None))


def check(path: PathLike = ".", cache_dir: PathLike | None = None, *, strict: bool = False) -> list[Diagnostic]:
    """Every problem of the project in ``path``, as ``leaflets check`` lists
    them: loading, fonts, and every design x language laid out for every
    edition.  Unlike :func:`open_project`, content that does not load is
    reported, not raised."""
    return _check(Path(path), Path(cache_dir) if cache_dir is not None else None, strict)[0]


def _check(root: Path, cache_dir: Path | None, strict: bool) -> tuple[list[Diagnostic], Project | None]:
    """The problems of the project in ``root``, and the project when it loads."""
    try:
        handle = ProjectHandle(Workspace(root, cache_dir))
    except ContentError:
        # it does not load: every loading problem, and those of the fonts
        project, diags = load_project(root)
        found = Diagnostics()
        found.extend(diags)
        try:
            found.extend(FontLibrary(root / "fonts", cache_dir or default_cache_dir()).verify())
        except ContentError as exc:
            found.extend(exc.diagnostics)
        return found.items, (project if not found.errors else None)
    return handle.problems(strict=strict), handle.project


@dataclass(frozen=True)
class _Selection:
    designs: tuple[str, ...] | None = None      # None: every one of the project's
    languages: tuple[str, ...] | None = None
    editions: tuple[str, ...] | None = None
    draft_mark: bool = True


class ProjectHandle:
    """A loaded project, ready to render (see the module's documentation).

    Make one with :func:`open_project`, or wrap a
    :class:`~leaflets.build.Workspace` you have: ``ProjectHandle(workspace)``."""

    def __init__(self, workspace: Workspace, *, _loaded: Sequence[Diagnostic] | None = None,
                 _selection: _Selection | None = None, _guard: FactsGuard | None = None):
        self._ws = workspace
        # what loading said (warnings): preflight adds to the workspace's own list as files are made
        self._loaded = tuple(_loaded if _loaded is not None else workspace.diagnostics.items)
        self._selection = _selection or _Selection()
        self._guard = _guard

    def __repr__(self) -> str:
        return f"<ProjectHandle {self.root} designs={self.designs} languages={self.languages}>"

    # ------------------------------------------------------------ what is there
    @property
    def root(self) -> Path:
        """The project folder."""
        return self._ws.root

    @property
    def project(self) -> Project:
        """The content model, with any strings set by :meth:`with_strings`."""
        return self._ws.project

    @property
    def workspace(self) -> Workspace:
        """The :class:`~leaflets.build.Workspace` underneath (fonts, composer, painter)."""
        return self._ws

    @property
    def designs(self) -> list[str]:
        """The designs this handle works on: every design of the project unless :meth:`select` chose some."""
        return list(self._selection.designs or dict.fromkeys(j.design for j in self._ws.jobs(None, None, None)))

    @property
    def languages(self) -> list[str]:
        """The language tags this handle works on (every language unless :meth:`select` chose some)."""
        return list(self._selection.languages or sorted(self.project.languages))

    @property
    def editions(self) -> list[str]:
        """The editions this handle works on: every one (:data:`leaflets.build.EDITIONS`) unless
        :meth:`select` chose some."""
        return list(self._selection.editions or EDITIONS)

    def strings(self, lang: str) -> dict[str, str]:
        """The texts of ``lang`` by key, as this handle renders them (keys it does not translate
        fall back to English and are not listed)."""
        self._ws.jobs(None, [lang], None)      # a usage error for a language the project does not have
        return {key: t.text for key, t in self.project.languages[lang].strings.items()}

    def jobs(self) -> list[Job]:
        """Every design x language chosen, each in the editions chosen."""
        s = self._selection
        return self._ws.jobs(list(s.designs) if s.designs else None, list(s.languages) if s.languages else None,
                             list(s.editions) if s.editions else None, draft_mark=s.draft_mark)

    # ------------------------------------------------------------ new handles
    def select(self, designs: Sequence[str] | None = None, languages: Sequence[str] | None = None,
               editions: Sequence[str] | None = None, *, draft_mark: bool | None = None) -> "ProjectHandle":
        """A handle that builds and checks only these designs, languages and
        editions (``None``: keep the current choice; an empty list: all of
        them again).  ``draft_mark=False``
        leaves out the mark that unreviewed translations carry, as
        ``--no-draft-mark`` does.  Raises :class:`UsageError` for a name the
        project does not have."""
        s = self._selection
        for name, value in (("designs", designs), ("languages", languages), ("editions", editions)):
            if isinstance(value, str):
                raise UsageError(f"select: {name} is a list of names, not the text '{value}'")
        new = _Selection(tuple(dict.fromkeys(designs)) if designs is not None else s.designs,
                         tuple(dict.fromkeys(languages)) if languages is not None else s.languages,
                         tuple(dict.fromkeys(editions)) if editions is not None else s.editions,
                         s.draft_mark if draft_mark is None else bool(draft_mark))
        handle = ProjectHandle(self._ws, _loaded=self._loaded, _selection=new, _guard=self._guard)
        handle.jobs()        # a usage error now, for a name the project does not have
        return handle

    def with_strings(self, overrides: Mapping[str, Mapping[str, str]]) -> "ProjectHandle":
        """A handle whose languages have these texts instead of their files'
        (``{"th": {"headline": "…"}}``); no file is read or written and the
        fonts stay loaded.

        Each text is checked exactly as a string of a language file is: it
        must be text (a str without lone surrogates), its key one of the source
        language's, and it goes through the facts guard (numbers, addresses,
        hidden and control characters).  Raises :class:`ContentError` naming
        the language and key of every text refused, :class:`UsageError` for a
        language the project does not have."""
        project = self.project
        if not isinstance(overrides, Mapping):
            raise UsageError(f"with_strings takes a mapping of language tags to {{key: text}}, "
                             f"not {type(overrides).__name__}")
        unknown = [str(lang) for lang in overrides if lang not in project.languages]
        if unknown:
            raise UsageError(f"with_strings: unknown language '{unknown[0]}' (languages: "
                             f"{', '.join(sorted(project.languages))})")
        guard = self._guard or FactsGuard.from_facts(project.facts)
        refused = Diagnostics()
        languages = dict(project.languages)
        for lang, strings in overrides.items():
            language = project.languages[lang]
            if not isinstance(strings, Mapping):
                refused.error(f"{lang}: with_strings takes {{key: text}} for each language, not "
                              f"{type(strings).__name__}", code="override")
                continue
            texts = _texts(lang, language, strings, refused)
            # the checks of a language file's strings, on these texts alone
            found = Diagnostics()
            check_strings(dataclasses.replace(language, strings=texts), project.source, project.facts, found, guard)
            for d in found:
                refused.items.append(Diagnostic(d.severity, f"{lang}: {d.message} (text given to with_strings)",
                                                None, None, d.hint, d.code))
            languages[lang] = dataclasses.replace(language, strings={**language.strings, **texts})
        if refused.errors:
            raise ContentError(refused.errors)
        changed = dataclasses.replace(project, languages=languages)
        loaded = _missing_warnings(self._loaded, changed, [lang for lang in overrides])
        return ProjectHandle(_derive(self._ws, changed, Diagnostics(list(loaded))), _loaded=loaded,
                             _selection=self._selection, _guard=guard)

    # ------------------------------------------------------------ making files
    def render(self, design: str, lang: str, edition: str, *, strict: bool = False,
               dpi: float | None = None, page: int = 0) -> Rendered:
        """One leaflet in one edition, in memory, made as ``leaflets build``
        makes it: laid out and judged for that edition; the print edition is
        PDF/X and preflighted; ``png`` is rendered at ``dpi`` (default 150).
        A PDF holds every page of the design; a PNG shows one, ``page``
        (from 0; :attr:`Rendered.pages` says how many there are).
        ``strict`` refuses strings that fall back to English, and stale ones.
        Raises :class:`ContentError` if anything would stop the build of it."""
        ws = self._ws
        (job,) = ws.jobs([design], [lang], [edition], draft_mark=self._selection.draft_mark)
        _check_dpi(self.project, [job], dpi)
        laid_out, _problems, diagnostics = ws.examine(job, strict)
        errors = [d for d in diagnostics if d.severity == ERROR]
        if errors:
            raise ContentError(errors + [d for d in diagnostics if d.severity != ERROR])
        with _Collect(ws, ()) as made:
            outs = ws.render(job, laid_out, Path(design), dpi)
        if isinstance(page, bool) or not isinstance(page, int) or not 0 <= page < len(outs):
            raise UsageError(f"page {page!r}: {design} in the {edition} edition has "
                             + (f"pages 0 to {len(outs) - 1}" if len(outs) > 1 else "one file, page 0"))
        found = Diagnostics()
        for d in list(diagnostics) + made.items:
            found.add_once(d)
        out = outs[page]
        return Rendered(out.data, out.path.name, design, lang, edition, tuple(found), len(outs))

    def build(self, out_dir: PathLike | None = None, *, strict: bool = False, dpi: float | None = None,
              progress: Progress | None = None) -> Built:
        """Lay out every leaflet chosen and, if none has an error, write them
        all into ``out_dir/<design>/`` (default: the project's output/).

        The files are staged inside ``out_dir`` and moved into place together,
        as ``leaflets build`` does: a build that fails leaves the previous
        output as it was.  Raises :class:`ContentError` (errors first, then
        warnings) and writes nothing if any leaflet has an error."""
        ws = self._ws
        jobs = self.jobs()
        _check_dpi(self.project, jobs, dpi)
        out = Path(out_dir) if out_dir is not None else self.root / "output"
        with _Collect(ws, self._loaded) as made:
            plan, written = ws.build(jobs, out, strict=strict, dpi=dpi, progress=progress)
        if plan.diagnostics.errors:
            raise ContentError(plan.diagnostics.errors + plan.diagnostics.warnings)
        return Built(out, tuple(written), tuple(made.warnings + plan.diagnostics.warnings))

    # ------------------------------------------------------------ problems
    def problems(self, *, strict: bool = False) -> list[Diagnostic]:
        """Every problem, as ``leaflets check`` (``--strict``) lists them: what
        loading found, the fonts against their manifest, and every leaflet
        chosen laid out and judged for every edition it is built in."""
        ws = self._ws
        found = Diagnostics()
        found.extend(list(self._loaded))
        found.extend(ws.fonts.verify())
        if not found.errors:
            for job in self.jobs():
                for d in ws.examine(job, strict)[2]:
                    found.add_once(d)
        return list(found.items)


# ------------------------------------------------------------------ helpers

def _texts(lang: str, language: Language, strings: Mapping[str, str], refused: Diagnostics) -> dict[str, Text]:
    """The texts given for ``language`` as :class:`Text`, as a language file's loader reads them:
    text only, no lone surrogates, white space around stripped."""
    texts: dict[str, Text] = {}
    size = 0
    for key, value in strings.items():
        if not isinstance(key, str) or not key:
            refused.error(f"{lang}: a string key must be a name written as text, not {key!r}", code="override")
            continue
        if not isinstance(value, str):
            refused.error(f"{lang}: strings.{key} must be text, not {type(value).__name__}",
                          hint="pass the text as a str", code="override")
            continue
        bad = _SURROGATE.search(value)
        if bad:
            # the one kind of character no content file can hold, not even as an escape; the facts guard
            # judges every other character
            refused.error(f"{lang}: strings.{key}: U+{ord(bad.group()):04X} (character {bad.start() + 1}) is a lone "
                          "surrogate, not a character (text given to with_strings)",
                          hint="delete it; pass text as Unicode characters", code="guard")
            continue
        size += len(value.encode("utf-8"))
        if size > MAX_BYTES:
            refused.error(f"{lang}: the texts given to with_strings are larger than {MAX_BYTES} bytes, the "
                          "limit of a language file", code="override")
            break
        old = language.strings.get(key)
        # the English it was translated from and the note stay the file's
        texts[key] = Text(key, value.strip(), old.source if old else None, old.note if old else None, None)
    return texts


def _missing_warnings(loaded: Sequence[Diagnostic], project: Project, langs: list[str]) -> tuple[Diagnostic, ...]:
    """``loaded`` with the untranslated-strings warning of each of ``langs`` made again for ``project``
    (a text given in memory may translate a string its file leaves out, or leave out one it has)."""
    paths = {project.languages[lang].path: lang for lang in langs}
    out: list[Diagnostic] = []
    done = set()
    for d in loaded:
        lang = paths.get(d.file) if d.code == "missing" else None
        if lang is None:
            out.append(d)
            continue
        done.add(lang)
        out += _missing_warning(project, lang)
    for lang in langs:
        if lang not in done:
            out += _missing_warning(project, lang)
    return tuple(out)


def _missing_warning(project: Project, lang: str) -> list[Diagnostic]:
    """The warning loading gives a language that leaves strings untranslated (see load_project)."""
    language = project.languages[lang]
    missing = project.missing(lang)
    if language.is_source or not missing:
        return []
    return [Diagnostic(WARNING, f"{len(missing)} string(s) not translated, English is used instead: "
                                f"{', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}", language.path, None,
                       "translate them, or run: leaflets check --strict to refuse fallbacks", code="missing")]


def _derive(ws: Workspace, project: Project, diagnostics: Diagnostics) -> Workspace:
    """A workspace for ``project`` that shares ``ws``'s fonts, painter, print
    settings and output conditions (nothing is loaded again)."""
    if getattr(ws, "_conditions", True) is None:
        # load the print edition's output conditions once, for every handle made from this one
        try:
            ws._conditions = OutputConditions(ws.root / "icc", ws.fonts.cache_dir)
        except ContentError:
            pass            # reported when a print file is made, as build reports it
    new = copy.copy(ws)
    new.project = project
    new.composer = Composer(project, ws.fonts)
    new.diagnostics = diagnostics
    return new


class _Collect:
    """While it is open, the warnings a workspace adds as it makes files (preflight) go to a list of
    their own, which starts as ``seed``."""

    def __init__(self, ws: Workspace, seed: Sequence[Diagnostic]):
        self.ws = ws
        self.found = Diagnostics(list(seed))

    def __enter__(self) -> Diagnostics:
        self.saved = self.ws.diagnostics
        self.ws.diagnostics = self.found
        return self.found

    def __exit__(self, *exc: object) -> None:
        self.ws.diagnostics = self.saved
        for d in self.found:
            self.saved.add_once(d)


def _check_dpi(project: Project, jobs: list[Job], dpi: float | None) -> None:
    """A usage error for a resolution out of range, or a PNG too large to render."""
    from .render.png import DEFAULT_DPI
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not math.isfinite(dpi)
                            or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]):
        raise UsageError(f"dpi {dpi!r} is out of range: use {DPI_RANGE[0]:g} to {DPI_RANGE[1]:g}")
    dpi = dpi or DEFAULT_DPI
    for design in sorted({j.design for j in jobs if "png" in j.editions}):
        # the annual fact sheet's page is set in content/reports/factsheet.yaml
        d = project.designs.get(design) or getattr(getattr(project, "reports", None), "sheet", None)
        w, h = d.width / 25.4 * dpi, d.height / 25.4 * dpi
        if w * h > MAX_PIXELS:
            most = int(math.sqrt(MAX_PIXELS / (d.width / 25.4 * d.height / 25.4)))
            raise UsageError(f"dpi {dpi:g}: the PNG of {design} would be {int(w)} x {int(h)} pixels, too large "
                             f"(use {most} or less for this design)")
