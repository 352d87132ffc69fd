"""The command line: leaflets build | check | fonts | preview | new-language | translations | proof | preflight.

``main(argv=None, stdout=None, stderr=None) -> int``: exit 0 on success, 1 for
content errors (each printed as file:line: what is wrong, and a hint), 2 for
usage errors.  No traceback is shown for a content error.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from pathlib import Path

from . import __version__
from .atomic import OutputError
from .errors import ContentError, Diagnostics, LeafletsError, UsageError, printable

DESCRIPTION = """\
Build multilingual anti-human-trafficking leaflets from YAML content.

A project folder holds content/ (campaign facts, one file per language,
designs), fonts/ (the fonts to embed, with their licences) and output/
(what is built). leaflets works on the current folder unless --project says
otherwise."""

EPILOG = """\
examples:
  leaflets build                           every design, language and edition
  leaflets build --lang th --edition online
  leaflets check                           list every problem in content/
  leaflets preview th                      a translator's view of one language
  leaflets new-language fr                 start a new translation
  leaflets preflight FILE.pdf              check any PDF against a print shop's needs

exit status: 0 success, 1 content errors, 2 usage errors."""


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = []
    for v in values:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out or None


def _dpi(low: float, high: float):
    """An argparse type: a resolution from ``low`` to ``high`` dots per inch."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range: use {low:g} to {high:g}")
        return value
    parse.__name__ = "dpi"
    return parse


# The largest PNG a build renders: A4 at 1200 dpi is 139 million pixels.
MAX_PIXELS = 150_000_000


def _check_pixels(project, jobs, dpi: float | None) -> None:
    """A usage error if a PNG of these jobs would be too large to render at ``dpi``."""
    from .render.png import DEFAULT_DPI
    dpi = dpi or DEFAULT_DPI
    for design in sorted({j.design for j in jobs if "png" in j.editions}):
        d = project.designs.get(design) or getattr(getattr(project, "reports", None), "sheet", None)
        w, h = d.width / 25.4 * dpi, d.height / 25.4 * dpi
        if w * h > MAX_PIXELS:
            most = int(math.sqrt(MAX_PIXELS / (d.width / 25.4 * d.height / 25.4)))
            raise _usage(f"--dpi {dpi:g}: the PNG of {design} would be {int(w)} x {int(h)} pixels, too large",
                         f"use --dpi {most} or less for this design")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="leaflets", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"leaflets {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp):
        sp.add_argument("--project", metavar="DIR", type=Path, default=None,
                        help="the project folder with content/ and fonts/ (default: the nearest folder with "
                             "content/campaign.yaml, from the current folder upward)")
        sp.add_argument("--cache", metavar="DIR", type=Path, default=None,
                        help="where converted font subsets are cached (default: ~/.cache/leaflets, "
                             "or $LEAFLETS_CACHE_DIR)")

    b = sub.add_parser("build", help="build leaflets into output/",
                       description="Lay out and render every design x language x edition (or those named), "
                                   "then write them to the output folder. Nothing is written if any leaflet "
                                   "has an error.")
    common(b)
    b.add_argument("--lang", action="append", metavar="TAG", help="only this language (repeat, or comma-separate)")
    b.add_argument("--design", action="append", metavar="ID", help="only this design (repeat, or comma-separate)")
    b.add_argument("--edition", action="append", metavar="NAME",
                   help="print (CMYK, bleed, marks), online (RGB, links), png (preview), html "
                        "(accessible web page) or social (PNG and WebP of the social images' designs, "
                        "at their size in px); default: all, each design in those it lists")
    b.add_argument("--out", metavar="DIR", type=Path, default=None, help="output folder (default: PROJECT/output)")
    b.add_argument("--strict", action="store_true", help="refuse strings that fall back to English, and stale ones")
    b.add_argument("--dpi", type=_dpi(10, 1200), default=None,
                   help="resolution of PNG previews, 10 to 1200 (default: 150)")
    b.add_argument("--no-draft-mark", action="store_true",
                   help="leave out the 'Draft translation — not reviewed' mark that leaflets of languages not yet "
                        "reviewed carry")
    b.add_argument("--pdfx", choices=("x4", "x1a"), default=None,
                   help="the print edition as PDF/X-4 (default: PDF 1.6, the output condition's ICC profile "
                        "embedded) or PDF/X-1a:2001 (PDF 1.3, no transparency, the registered condition named)")
    b.add_argument("--output-condition", metavar="NAME", default=None,
                   help="the print edition's output condition, from icc/manifest.yaml: japan-color-2011 (default "
                        "for X-4), fogra39, or japan-color-2001 (X-1a only, its default)")
    b.add_argument("--sheets", action="store_true",
                   help="also put each print file of the card and the A5 flyer on sheets for printing: "
                        "DESIGN/sheets/DESIGN.LANG.office.pdf (office printer, no bleed, cut marks) and "
                        ".shop.pdf (print shop, bleed, trim marks), fronts and backs paired for duplex")
    b.add_argument("--marks", choices=("japanese", "western"), default="japanese",
                   help="the print edition's trim marks: japanese (default: double marks at the trim and the "
                        "bleed, and centre marks) or western (single marks at the trim, and centre marks)")
    b.add_argument("-q", "--quiet", action="store_true", help="print only errors")

    pf = sub.add_parser("preflight", help="check PDF files against a print profile",
                        description="Check any PDF (built by leaflets or not) against a print profile: fonts "
                                    "embedded, TrimBox/BleedBox and 3 mm bleed, no RGB or Lab colour, transparency "
                                    "(PDF/X-1a), text of 6 pt or more, lines of 0.25 pt or more, small black text "
                                    "overprinting and not rich black, images of 300 dpi or more, total ink of 300 %% "
                                    "or less, PDF/X markers, QR codes (decoded; module size; quiet zone), and the "
                                    "campaign facts the file records against the project's. Every finding names "
                                    "the page, the rule, what was found and where, and how to fix it. Exit 1 if "
                                    "any file fails.")
    pf.add_argument("files", metavar="FILE", nargs="+", type=Path, help="the PDF files to check")
    pf.add_argument("--profile", choices=("shop", "office"), default="shop",
                    help="shop (default): a print shop's press, CMYK, PDF/X, 3 mm bleed; office: office printers, "
                         "no bleed or PDF/X required")
    pf.add_argument("--json", action="store_true", help="write the reports as JSON")
    pf.add_argument("--raster", action="store_true",
                    help="also render the separations with Ghostscript (gs, tiffsep) and measure their total ink")
    pf.add_argument("--no-qr", action="store_true", help="skip the QR check (it renders every page)")
    pf.add_argument("--project", dest="facts_project", metavar="DIR", type=Path, default=None,
                    help="compare with this project's campaign facts (default: the nearest folder with "
                         "content/campaign.yaml, if any)")
    pf.add_argument("--no-project", action="store_true", help="compare with no project's facts")

    c = sub.add_parser("check", help="validate all content and list every problem",
                       description="Load and check every content file, then lay out every leaflet in every "
                                   "edition: malformed YAML, unknown or missing keys, wrong types, invalid language "
                                   "tags, phone numbers or addresses that differ from the campaign facts, characters "
                                   "no font covers, text that does not fit, untranslated and stale strings, a draft "
                                   "mark with no free place. Whatever would stop a build is an error here.")
    common(c)
    c.add_argument("--strict", action="store_true",
                   help="treat untranslated and stale strings as errors, as build --strict does")

    f = sub.add_parser("fonts", help="list the fonts and check them against the manifest")
    common(f)

    pv = sub.add_parser("preview", help="render one language for its translator, with problems marked",
                        description="Render LANG's leaflets to PDF and PNG, and a proof PNG on which every box "
                                    "that overflows, falls back to English or has characters no font covers is "
                                    "outlined, with a legend beside the page naming each key. Every problem of "
                                    "the language is listed here too, with its file and line (stale strings as "
                                    "well). Exit 1 if any is an error (the files are written all the same).")
    common(pv)
    pv.add_argument("lang", metavar="LANG", help="the language tag, e.g. th")
    pv.add_argument("--design", action="append", metavar="ID", help="only this design")
    pv.add_argument("--out", type=Path, default=None, help="output folder (default: PROJECT/output/preview)")
    pv.add_argument("--dpi", type=_dpi(10, 1200), default=150, help="resolution of the PNGs, 10 to 1200 "
                                                                      "(default: 150)")
    pv.add_argument("--watch", action="store_true", help="render again each time a content file is saved")
    pv.add_argument("--no-draft-mark", action="store_true",
                    help="leave out the 'Draft translation — not reviewed' mark")
    pv.add_argument("--watch-limit", type=int, default=None, help=argparse.SUPPRESS)
    pv.add_argument("--watch-interval", type=float, default=0.3, help=argparse.SUPPRESS)

    nl = sub.add_parser("new-language", help="start a translation: a file with every key and its English",
                        description="Write content/languages/TAG.yaml with every string key, the English "
                                    "source beside each and review status 'untranslated'.")
    common(nl)
    nl.add_argument("tag", metavar="TAG", help="a BCP 47 language tag, e.g. fr, pt-BR, zh-Hant")
    nl.add_argument("--name", help="the language's name in English")
    nl.add_argument("--native-name", help="the language's name in itself")
    nl.add_argument("--script", help="ISO 15924 script code (guessed from the tag otherwise)")

    tr = sub.add_parser("translations", help="export and import translations (gettext PO, XLIFF 2.0)")
    trs = tr.add_subparsers(dest="action", metavar="ACTION")
    ex = trs.add_parser("export", help="write one language as PO or XLIFF 2.0",
                        description="Write LANG as a PO (msgctxt = key, msgid = English, notes for translators, "
                                    "capacity hints; stale strings are fuzzy with the previous English) or an "
                                    "XLIFF 2.0 file.")
    common(ex)
    ex.add_argument("lang", metavar="LANG")
    ex.add_argument("--format", choices=("po", "xliff"), default="po")
    ex.add_argument("-o", "--output", type=Path, default=None,
                    help="the file to write (default: PROJECT/output/translations/LANG.po|xlf; - for stdout)")
    im = trs.add_parser("import", help="merge a PO or XLIFF file into its language file",
                        description="Merge the finished translations of FILE (PO or XLIFF 2.0) into "
                                    "content/languages/<its language>.yaml: only entries with a translation that "
                                    "is not empty and not fuzzy (XLIFF: state translated, reviewed or final) "
                                    "change; everything else in the language file, comments included, stays. "
                                    "The file is checked first (PO as msgfmt --check does, XLIFF against the "
                                    "XLIFF 2.0 schema); an invalid file changes nothing. A changed string of a "
                                    "reviewed language makes it draft again.")
    common(im)
    im.add_argument("file", metavar="FILE", type=Path)
    im.add_argument("--lang", metavar="TAG", default=None,
                    help="the language to import into (default: the one the file names; it must agree)")
    im.add_argument("--dry-run", action="store_true",
                    help="show the change to the language file as a diff and write nothing")

    pr = sub.add_parser("proof", help="one contact sheet with every language's leaflet side by side",
                        description="Write one PNG per design with every language's leaflet side by side, "
                                    "labelled with the language and its review status; problems are marked.")
    common(pr)
    pr.add_argument("--design", action="append", metavar="ID")
    pr.add_argument("--lang", action="append", metavar="TAG")
    pr.add_argument("--out", type=Path, default=None, help="output folder (default: PROJECT/output/proof)")
    pr.add_argument("--dpi", type=_dpi(10, 200), default=36,
                    help="resolution of each leaflet, 10 to 200 (default: 36)")

    bt = sub.add_parser("batch", help="build an organisation's local batch: its contact block on the official "
                                      "leaflets, sheets for an office printer, a manifest",
                        description="Build every language x format x edition a batch spec asks for into "
                                    "output/batches/<id>/, with sheets imposed for an office printer, "
                                    "manifest.json, manifest.csv and summary.txt. Every spec is checked first; "
                                    "nothing is written if any has an error. 'leaflets batch init [PATH]' "
                                    "writes a commented sample spec.")
    common(bt)
    bt.add_argument("specs", metavar="SPEC", nargs="+", type=Path,
                    help="batch spec files (YAML); or: init [PATH]")
    bt.add_argument("--jobs", metavar="N", type=_jobs, default=None,
                    help="build in N processes (default: one per core this process may use)")
    bt.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                    help="run the tasks on the Dask cluster of this scheduler instead (needs dask.distributed: "
                         "pip install 'leaflets[dask]'); its workers must see the project and the specs at "
                         "the same paths")
    bt.add_argument("--out", metavar="DIR", type=Path, default=None,
                    help="where the batches' folders go (default: PROJECT/output/batches)")
    bt.add_argument("-q", "--quiet", action="store_true", help="print only errors")

    ip = sub.add_parser("impose", help="put finished PDF pages on sheets for printing (n-up, duplex)",
                        description="Place the pages of finished PDF files (built by leaflets or not; every page "
                                    "needs a TrimBox) on sheets as LAYOUT says, with cut or trim marks. Each page "
                                    "fills a sheet unless --copies says how often to place it. The first file's "
                                    "PDF/X markers and OutputIntent are kept. --list shows the layouts.")
    ip.add_argument("layout", metavar="LAYOUT", nargs="?", help="the layout (leaflets impose --list)")
    ip.add_argument("files", metavar="FILE", nargs="*", type=Path, help="the PDF files whose pages to place")
    ip.add_argument("-o", "--output", metavar="OUT.pdf", type=Path, default=None, help="the sheets to write")
    ip.add_argument("--backs", metavar="BACK", nargs="+", type=Path, default=None,
                    help="PDF files with the back of every front page, in order (or one back for all): each sheet "
                         "of fronts is followed by its sheet of backs")
    ip.add_argument("--duplex", action="store_true",
                    help="the files' pages alternate front, back, front, back (instead of --backs)")
    ip.add_argument("--flip", choices=("long", "short"), default="long",
                    help="how the printer turns the sheet for the backs: about its long edge (default) or short edge")
    ip.add_argument("--copies", metavar="N", type=_copies, default=None,
                    help="place every page N times, 1 to 1000 (default: each page fills a sheet)")
    ip.add_argument("--marks", choices=("japanese", "western", "none"), default=None,
                    help="the marks, instead of the layout's: japanese (double: trim and bleed), western (single) "
                         "or none")
    ip.add_argument("--list", action="store_true", help="list the layouts and exit")
    return p


def _jobs(text: str) -> int:
    """An argparse type: a number of processes, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is out of range: use 1 or more")
    return value


def _copies(text: str) -> int:
    """An argparse type: a number of copies, 1 to 1000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"{text} is out of range: use 1 to 1000")
    return value


class _Printable:
    """A stream for messages: control and format characters that a user's input
    carried (a language tag, a file name) are shown as ⟨U+XXXX⟩, never sent to
    the terminal as they are."""

    def __init__(self, stream):
        self._stream = stream
        self.unfiltered = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
    out = stdout or sys.stdout
    err = _Printable(stderr or sys.stderr)
    try:
        code = _main(argv, out, err)
        out.flush()
        return code
    except BrokenPipeError:
        # the reader went away (leaflets fonts | head -1): say so in one line, exit 1
        _quiet(out)
        try:
            err.write("leaflets: error: the output was closed before everything was written (broken pipe)\n"
                      "    hint: the program reading leaflets' output stopped early; files leaflets writes "
                      "are not affected\n")
            err.flush()
        except (OSError, ValueError):
            pass
        return 1


def _main(argv, out, err) -> int:
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args, extra = parser.parse_known_args(argv)
            # argparse takes a command's positionals in one run: impose LAYOUT -o OUT.pdf FILE… leaves the
            # files after the option over; they are impose's FILEs all the same
            if extra and getattr(args, "command", None) == "impose" and not any(e.startswith("-") for e in extra):
                args.files = list(args.files or []) + extra
            elif extra:
                parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if not args.command:
        parser.print_help(out)
        return 2
    command = args.command
    try:
        _prepare(args, err)
        return COMMANDS[command](args, out, err)
    except ContentError as exc:
        _print_diagnostics(exc.diagnostics, err, getattr(args, "project", None))
        n = len([d for d in exc.diagnostics if d.severity == "error"])
        err.write(f"leaflets: {n} error{'s' if n != 1 else ''}; nothing was written.\n")
        return 1
    except UsageError as exc:
        err.write(f"leaflets: {exc}\n")
        return 2
    except OutputError as exc:
        err.write(f"leaflets: error: {exc}\n")
        if command == "build":
            err.write("leaflets: nothing was written: the previous output is unchanged.\n")
        elif command == "batch":
            err.write("leaflets: no file is half-written; any file finished before the error is in place and "
                      "listed in its batch's manifest.json; run the batch again to complete it.\n")
        return 1
    except LeafletsError as exc:
        err.write(f"leaflets: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        err.write("leaflets: interrupted: the previous output is unchanged\n" if command == "build"
                  else "leaflets: interrupted (no file is left half-written; run the batch again to complete "
                       "it)\n" if command == "batch" else "leaflets: interrupted (no file is left half-written)\n")
        return 130
    except BrokenPipeError:
        raise
    except MemoryError:
        err.write("leaflets: error: out of memory\n    hint: build fewer leaflets at once, or use a lower --dpi\n")
        return 1
    except RecursionError:
        err.write("leaflets: error: the input is nested too deeply to process\n")
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        err.write(f"leaflets: error: {where}{exc.strerror or exc}\n")
        return 1
    except Exception as exc:  # a bug: say so in one line, not with a traceback
        if os.environ.get("LEAFLETS_DEBUG"):
            raise
        err.write(f"leaflets: internal error: {type(exc).__name__}: {exc}\n"
                  "    hint: this is a bug in leaflets; run again with LEAFLETS_DEBUG=1 to see where it happened\n")
        return 1


def _quiet(out) -> None:
    """Send what is left of stdout nowhere, so that exiting does not fail on the closed pipe."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:
        pass


def _out(args, *default: str) -> Path:
    """The output folder: ``--out``, else ``default`` under the project.  A folder inside what the project
    is made from (content/, fonts/, icc/) is refused: outputs would mix with the files they are made of."""
    if args.out is None:
        return args.project.joinpath("output", *default)
    out_dir = Path(args.out)
    resolved = out_dir.resolve()
    for name in ("content", "fonts", "icc"):
        source = (args.project / name).resolve()
        if resolved == source or source in resolved.parents:
            raise _usage(f"--out {out_dir} is inside the project's {name}/ folder: outputs would mix with "
                         f"the files they are made from", "write them elsewhere (the default is output/)")
    return out_dir


def _usage(message: str, hint: str | None = None) -> UsageError:
    return UsageError(message + (f"\n    hint: {hint}" if hint else ""))


def _find_project(given: Path | None) -> Path:
    """The project folder: ``--project``, or the nearest folder from here upward with content/campaign.yaml."""
    if given is not None:
        if not given.is_dir():
            what = "it is a file, not a folder" if given.exists() else "there is no such folder"
            raise _usage(f"no project in {given}: {what}", "pass --project DIR, a folder with content/")
        if not (given / "content").is_dir():
            raise _usage(f"no project in {given}: it has no content/ folder",
                         "pass --project DIR, a folder with content/campaign.yaml")
        return given
    try:
        here = Path.cwd()
    except OSError:
        raise _usage("no project found: the current folder no longer exists", "pass --project DIR") from None
    for folder in (here, *here.parents):
        if (folder / "content" / "campaign.yaml").is_file():
            rel = os.path.relpath(folder, here)
            return Path(rel) if len(rel) < len(str(folder)) else folder   # "." or "../..", when shorter
    raise _usage(f"no project found: no content/campaign.yaml in {here} or any folder above it",
                 "run leaflets inside a project folder, or pass --project DIR")


def _prepare(args, err) -> None:
    """Find the project, and read the language tags given on the command line as the project's."""
    if args.command == "batch" and args.specs and str(args.specs[0]) == "init" and args.project is None:
        return          # a sample spec needs no project
    cache = getattr(args, "cache", None)
    if isinstance(cache, Path) and cache.exists() and not cache.is_dir():
        raise LeafletsError(f"cannot use {cache} as the font cache: it is a file, not a folder\n"
                            "    hint: name a folder for --cache (it is made if it does not exist)")
    if hasattr(args, "project"):
        args.project = _find_project(args.project)
    else:
        return
    lang_dir = args.project / "content" / "languages"
    available = sorted(p.stem for p in lang_dir.glob("*.yaml")) if lang_dir.is_dir() else []
    if args.command == "new-language":
        args.tag = _new_tag(args.tag, available, err)
        return
    if not available:
        return   # loading the project says what is wrong
    if args.command in ("build", "preview", "proof") and getattr(args, "design", None) is not None \
            and not _split(args.design):
        # an empty --design names no design: it must not widen to every design
        designs = sorted(p.stem for p in (args.project / "content" / "designs").glob("*.yaml"))
        raise _usage("--design needs a design id", f"designs: {', '.join(designs)}")
    if args.command in ("build", "proof") and args.lang is not None:
        tags = _split(args.lang)
        if not tags:
            raise _usage("--lang needs a language tag", f"languages: {', '.join(available)}")
        args.lang = [_resolve(t, available, err) for t in tags]
    elif args.command == "preview" or (args.command == "translations" and getattr(args, "action", None) == "export"):
        args.lang = _resolve(args.lang, available, err)


def _resolve(requested: str, available: list[str], err) -> str:
    from .model.tags import TagError, canonical, resolve_tag, tag_problem
    try:
        tag, note = resolve_tag(requested.strip(), available)
    except TagError as exc:
        hint = exc.hint or f"languages: {', '.join(available)}"
        if exc.message.startswith("no language"):
            spelled = canonical(requested)
            if spelled and tag_problem(spelled) is None:
                hint += f"; to add it: leaflets new-language {spelled}"
            raise _usage(f"unknown language '{requested}'", hint) from None
        raise _usage(exc.message, hint) from None
    if note:
        err.write(f"leaflets: note: {note}\n")
    return tag


def _new_tag(requested: str, available: list[str], err) -> str:
    """The tag of a new language: a real language, in BCP 47's case; a warning when the project has it already
    under another spelling (th-TH when th exists)."""
    from .model.tags import TagError, canonical, resolve_tag, tag_problem
    tag = canonical(requested) if requested.strip() else requested
    problem = tag_problem(tag)
    if problem:
        raise _usage(problem, "a language tag is a language code (ISO 639), then optional -Script and -REGION, "
                              "e.g. fr, pt-BR, zh-Hant")
    if tag != requested:
        err.write(f"leaflets: note: '{requested}' is written '{tag}'\n")
    if tag not in available:
        try:
            same, _note = resolve_tag(tag, available)
        except TagError:
            same = None
        if same is not None:
            err.write(f"leaflets: warning: the project already has '{same}', which '{tag}' also names; "
                      f"translate content/languages/{same}.yaml instead unless '{tag}' really needs its own text\n")
    return tag


def _print_diagnostics(diags, stream, root: Path | None) -> None:
    for d in diags:
        stream.write(d.format(root) + "\n")


def _fonts(args):
    from .text.fonts import FontLibrary, default_cache_dir
    return FontLibrary(args.project / "fonts", args.cache or default_cache_dir())


# ---------------------------------------------------------------- commands

def cmd_build(args, out, err) -> int:
    from .api import open_project
    from .progress import Progress

    from .render.pdfx import PdfxSettings, document_date
    settings = PdfxSettings(args.pdfx or "x4", args.output_condition, os.environ.get("SOURCE_DATE_EPOCH"),
                            args.marks, args.sheets)
    document_date("", settings.source_date_epoch)     # a malformed SOURCE_DATE_EPOCH is a usage error, up front
    chosen = open_project(args.project, args.cache, pdfx=settings, languages=args.lang,
                          designs=_split(args.design)).select(
        _split(args.design), _split(args.lang), _split(args.edition), draft_mark=not args.no_draft_mark)
    jobs = chosen.jobs()
    if not any("print" in j.editions for j in jobs):
        # options of the print edition on a build that makes none would change nothing
        given = [o for o, on in (("--sheets", args.sheets), ("--pdfx", args.pdfx), ("--output-condition",
                                 args.output_condition), ("--marks western", args.marks == "western")) if on]
        if given:
            raise _usage(f"{', '.join(given)} {'is an option' if len(given) == 1 else 'are options'} of the print "
                         "edition, and this build makes no print file", "add --edition print, or leave "
                         + ("it" if len(given) == 1 else "them") + " out")
    _check_pixels(chosen.project, jobs, args.dpi)
    out_dir = _out(args)
    progress = Progress(len(jobs), "building", err, enabled=None if not args.quiet else False)
    try:
        built = chosen.build(out_dir, strict=args.strict, dpi=args.dpi, progress=progress)   # errors raise
    finally:
        progress.close()
    written, warnings = built.files, list(built.diagnostics)
    if not args.quiet:
        _print_diagnostics(warnings, err, args.project)
        langs = sorted({j.lang for j in jobs})
        designs = sorted({j.design for j in jobs})
        editions = list(dict.fromkeys(e for j in jobs for e in j.editions))    # social designs have their own
        out.write(f"Wrote {len(written)} files to {out_dir}/: {len(designs)} design(s) x {len(langs)} "
                  f"language(s) x {', '.join(editions)}\n")
        for d in designs:
            out.write(f"  {out_dir / d}/  ({', '.join(langs)})\n")
        if warnings:
            out.write(f"{len(warnings)} warning(s), listed above.\n")
        out.write(_draft_summary(chosen.project, langs, args.no_draft_mark))
    return 0


def _draft_summary(project, langs: list[str], no_mark: bool) -> str:
    """The last line of a build: which of the languages built are translations nobody has reviewed."""
    from .build import is_draft
    drafts = [lang for lang in langs if is_draft(project, lang)]
    if not drafts:
        return "no draft translations built: every language built is the source or reviewed.\n"
    if no_mark:
        return (f"draft translations built: {', '.join(drafts)}; built with --no-draft-mark, they carry no "
                "'Draft translation' mark.\n")
    return f"draft translations built: {', '.join(drafts)}; they carry a 'Draft translation' mark.\n"


def cmd_check(args, out, err) -> int:
    from .api import _check

    # loading, the fonts, and exactly what build judges for every design, language and edition
    found, project = _check(args.project, args.cache, args.strict)
    all_diags = Diagnostics(found)
    _print_diagnostics(all_diags, out, args.project)
    errors, warnings = len(all_diags.errors), len(all_diags.warnings)
    if errors:
        out.write(f"{errors} error(s), {warnings} warning(s).\n")
        return 1
    n = len(project.languages) if project else 0
    out.write(f"content is valid: {n} languages, {len(project.designs) if project else 0} design(s)"
              f"{f', {warnings} warning(s)' if warnings else ''}.\n")
    return 0


def cmd_fonts(args, out, err) -> int:

    fonts = _fonts(args)
    for (family, weight), e in sorted(fonts.entries.items()):
        out.write(f"{family:24} {weight:8} {e.version:8} {e.outlines:5} {e.file}\n")
    out.write("\nstacks:\n")
    for script, stack in sorted(fonts.stacks.items()):
        out.write(f"  {script}: {' > '.join(stack.families)}\n")
    diags = fonts.verify()
    _print_diagnostics(diags, err, args.project)
    if diags.errors:
        return 1
    out.write("every font file matches the manifest.\n")
    return 0


def _preview_once(ws, args, out, err) -> int:
    from .proof import preview
    designs = _split(args.design) or sorted(ws.project.designs)
    ws.jobs(designs, [args.lang], None)   # usage errors for unknown names
    out_dir = _out(args, "preview")
    result = preview(ws, args.lang, designs, out_dir, args.dpi, draft_mark=not args.no_draft_mark)
    for path in result.files:
        out.write(f"{path}\n")
    _print_diagnostics(result.diagnostics, out, args.project)
    errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
    if not result.diagnostics:
        out.write(f"{args.lang}: no problems.\n")
    else:
        out.write(f"{args.lang}: {errors} error(s), {warnings} warning(s).\n")
    return 1 if errors else 0


def _content_files(root: Path) -> dict[Path, float]:
    files = {}
    for p in list((root / "content").rglob("*.yaml")) + [root / "fonts" / "manifest.yaml"]:
        try:
            files[p] = p.stat().st_mtime_ns
        except OSError:
            pass
    return files


def cmd_preview(args, out, err) -> int:
    import time
    from .build import Workspace

    ws = Workspace(args.project, args.cache, languages=[args.lang], designs=_split(args.design))
    code = _preview_once(ws, args, out, err)
    if not args.watch:
        return code
    out.write("watching content/ for changes (Ctrl-C to stop)\n")
    out.flush()
    seen = _content_files(args.project)
    renders = 0
    while args.watch_limit is None or renders < args.watch_limit:
        time.sleep(args.watch_interval)
        now = _content_files(args.project)
        if now == seen:
            continue
        seen = now
        renders += 1
        out.write(f"\nchanged: re-rendering {args.lang}\n")
        try:
            ws = ws.reload()
            code = _preview_once(ws, args, out, err)
        except ContentError as exc:
            _print_diagnostics(exc.diagnostics, out, args.project)
            code = 1
        out.flush()
    return code


def cmd_new_language(args, out, err) -> int:
    from .model.load import load_project
    from .scaffold import new_language
    project, diags = load_project(args.project)
    if project is None:
        raise ContentError(diags.errors)
    path = new_language(project, args.tag, args.name, args.native_name, args.script)
    out.write(f"wrote {path}\n")
    out.write(f"translate each text (the English is beside it as source), then: leaflets preview {args.tag}\n")
    return 0


def cmd_translations(args, out, err) -> int:
    from .model.load import load_project
    from . import translations
    from .atomic import write_bytes
    if not getattr(args, "action", None):
        raise UsageError("translations needs an action: export or import")
    project, diags = load_project(args.project)
    if project is None or diags.errors:
        raise ContentError(diags.errors)
    if args.action == "export":
        from .model.tags import TagError, resolve_tag
        try:
            lang, note = resolve_tag(args.lang, project.languages)
        except TagError as exc:
            raise UsageError(f"unknown language '{args.lang}': {exc.message}"
                             + (f"; {exc.hint}" if exc.hint else "")) from None
        if note:
            err.write(f"note: {note}\n")
        fonts = _fonts(args)
        data = translations.export(project, fonts, lang, args.format)
        if args.output is not None and str(args.output) == "-":
            out.write(data.decode("utf-8"))
            return 0
        ext = "po" if args.format == "po" else "xlf"
        path = args.output or args.project / "output" / "translations" / f"{lang}.{ext}"
        write_bytes(path, data)
        out.write(f"wrote {path}\n")
        return 0
    result = translations.import_file(project, args.file, lang=args.lang, dry_run=args.dry_run)
    for line in result.report(args.project, dry_run=args.dry_run):
        out.write(line if line.endswith("\n") else line + "\n")
    return 0


def cmd_proof(args, out, err) -> int:
    from .build import Workspace
    from .atomic import write_bytes
    from .proof import contact_sheet
    from .render.png import png_bytes
    ws = Workspace(args.project, args.cache)
    # contact sheets are of the designs' leaflets (the fact sheet has none)
    jobs = [j for j in ws.jobs(_split(args.design), _split(args.lang), None) if j.design in ws.project.designs]
    from .progress import Progress
    out_dir = _out(args, "proof")
    for design in sorted({j.design for j in jobs}):
        langs = [j.lang for j in jobs if j.design == design]
        progress = Progress(len(langs), "proof", err)
        try:
            sheet = contact_sheet(ws, design, langs, args.dpi, progress=progress)
        finally:
            progress.close()
        path = out_dir / f"{design}.proof.png"
        write_bytes(path, png_bytes(sheet))
        out.write(f"wrote {path} ({len(langs)} languages)\n")
    return 0


def cmd_preflight(args, out, err) -> int:
    from .preflight import preflight, reports_json
    facts = None
    if not args.no_project:
        root = None
        if args.facts_project is not None:
            root = _find_project(args.facts_project)
        else:
            try:
                root = _find_project(None)
            except UsageError:
                root = None
        if root is not None:
            from .model.load import load_facts
            diags = Diagnostics()
            facts = load_facts(root / "content" / "campaign.yaml", diags)
            if facts is None:
                raise ContentError(diags.errors)
    reports = [preflight(f, args.profile, facts=facts, qr="off" if args.no_qr else "full",
                         separations=args.raster) for f in args.files]
    if args.json:
        out.write(reports_json(reports) + "\n")
    else:
        for r in reports:
            out.write(r.format() + "\n")
        failed = [r for r in reports if not r.ok]
        if len(reports) > 1:
            out.write(f"{len(reports) - len(failed)} of {len(reports)} file(s) passed the '{args.profile}' profile.\n")
    return 1 if any(not r.ok for r in reports) else 0


COMMANDS = {"build": cmd_build, "check": cmd_check, "fonts": cmd_fonts, "preview": cmd_preview,
            "new-language": cmd_new_language, "translations": cmd_translations, "proof": cmd_proof,
            "preflight": cmd_preflight}


def cmd_impose(args, out, err) -> int:
    from .atomic import write_bytes
    from .impose import describe_layouts, get_layout, impose
    if args.list:
        out.write(describe_layouts())
        return 0
    if not args.layout:
        raise _usage("impose needs a LAYOUT and the PDF files to place", "leaflets impose --list shows the layouts")
    layout = get_layout(args.layout)
    if not args.files:
        raise _usage(f"impose {layout.name} needs the PDF files whose pages to place",
                     f"leaflets impose {layout.name} FILE.pdf -o SHEETS.pdf")
    if args.output is None or str(args.output) in ("", "-"):
        raise _usage("impose needs the file to write: -o OUT.pdf")
    for f in list(args.files) + list(args.backs or []):
        try:
            same = args.output.exists() and f.exists() and os.path.samefile(args.output, f)
        except OSError:
            same = False
        if same:
            raise _usage(f"-o {args.output} is one of the files to impose: it would be overwritten",
                         "write the sheets to a new file")
    if args.duplex and args.backs:
        raise _usage("give the backs either with --backs or as every second page (--duplex), not both")
    result = impose(args.files, layout, backs=args.backs, duplex=args.duplex, copies=args.copies, flip=args.flip,
                    marks=args.marks)
    write_bytes(args.output, result.data)
    out.write(f"wrote {args.output}: {result.summary()}\n")
    return 0


COMMANDS["impose"] = cmd_impose


def cmd_batch(args, out, err) -> int:
    from .progress import Progress
    if args.specs and str(args.specs[0]) == "init" and not args.specs[0].is_file():
        if len(args.specs) > 2:
            raise _usage("batch init takes one PATH at most", "leaflets batch init my-batch.yaml")
        return _batch_init(args.specs[1] if len(args.specs) > 1 else Path("batch.yaml"), out)
    from .api import open_project
    from .batch.run import IncompleteBatch, run_batches
    ws = open_project(args.project, args.cache).workspace
    out_root = _out(args, "batches")
    # every spec is checked before anything is built; the bar counts the leaflets to build
    progress = Progress(0, "batch", err, enabled=None if not args.quiet else False)
    try:
        results, warnings = run_batches(ws, args.specs, out_root, jobs=args.jobs, progress=progress,
                                        cache_dir=args.cache, scheduler=args.scheduler)
    except IncompleteBatch as exc:
        progress.close()
        _print_diagnostics(exc.diagnostics, err, args.project)
        n = len([d for d in exc.diagnostics if d.severity == "error"])
        err.write(f"leaflets: {n} error{'s' if n != 1 else ''}; the files that passed their checks are in "
                  "place and listed in manifest.json; run the batch again to build the rest.\n")
        return 1
    finally:
        progress.close()
    if not args.quiet:
        _print_diagnostics(warnings, err, args.project)
        for r in results:
            removed = f", {len(r.removed)} removed (no longer asked for)" if r.removed else ""
            out.write(f"wrote {r.folder}/: {len(r.built)} built, {r.up_to_date} up to date{removed}\n")
            out.write(r.summary)
    return 0


def write_new(path: Path, data: bytes) -> None:
    """Write a new file whole, atomically, failing if ``path`` exists (even if it appears meanwhile)."""
    import tempfile
    from .atomic import output_error
    fd, tmp = None, None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.",
                                   suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.link(tmp, path)          # never replaces a file that is there
    except FileExistsError:
        raise LeafletsError(f"{path} already exists: it is left as it is\n"
                            "    hint: name a new file: leaflets batch init other.yaml") from None
    except OSError as exc:
        # a LeafletsError, not an OutputError: no batch ran, so there is no manifest to speak of
        import errno
        if exc.errno == errno.ENOENT and not path.parent.is_dir():
            raise LeafletsError(f"cannot write {path}: the folder {path.parent} does not exist\n"
                                "    hint: create it first, or name a file in a folder that exists") from None
        raise LeafletsError(str(output_error(OSError(exc.errno, exc.strerror, str(path)), path))) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _batch_init(path: Path, out) -> int:
    """Write the sample spec to ``path``; never over an existing file."""
    from .batch.spec import SAMPLE_SPEC
    if path.exists() or path.is_symlink():
        raise LeafletsError(f"{path} already exists: it is left as it is\n"
                            "    hint: name a new file: leaflets batch init other.yaml")
    write_new(path, SAMPLE_SPEC.encode("utf-8"))
    out.write(f"wrote {path}: edit it, then build it with: leaflets batch {path}\n")
    return 0


COMMANDS["batch"] = cmd_batch
