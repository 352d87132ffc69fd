"""Preflight: check any PDF against a print profile.

``preflight(source, profile)`` opens the file with pikepdf and walks every
page's content the way a RIP would: content streams are parsed with
``pikepdf.parse_content_stream`` and interpreted with a graphics-state stack
(CTM, colour spaces and colours for fill and stroke, line width, ExtGState
overprint/alpha/blend/soft mask, text matrix and font size), through form
XObjects, tiling patterns, Type 3 glyphs and printed annotation appearances.
Every object painted is judged where it is painted:

- fonts embedded, subset tags unique;
- TrimBox/BleedBox present, bleed at least 3 mm on every side;
- no RGB or Lab colour (content, images, shadings, process colours through an
  RGB/Lab alternate) and, for PDF/X-1a, no device-independent colour and no
  transparency;
- text at least 6 pt effective size, stroked lines at least 0.25 pt effective
  width; small 100 % K text overprints; no rich black in small text;
- images at least 300 dpi effective, total ink at most 300 %;
- PDF/X markers consistent with the file;
- QR codes (rasterised with pypdfium2, decoded with zxing-cpp): decodable,
  module size, quiet zone;
- the campaign-facts fingerprint a print file records, against the project's.

Objects that lie wholly outside the BleedBox (printer's marks and the slug,
cut away after printing) are not judged for ink, size or overprint.  The
clip region is tracked as a conservative bounding box in page space (every
clipping path, W / W*, intersected through q/Q and in force after the next
path-painting operator; every form's /BBox through its /Matrix and the CTM;
a shading's /BBox; text clip modes do not tighten it): an object painted
wholly outside it is never printed and not judged at all, and an object is
inside the BleedBox by its part inside the clip region.

Every finding names the page, the rule, what was found and where (mm from the
top left corner of the TrimBox), and how to fix it.  A file that is not a PDF,
is damaged or is encrypted is a finding too, never an exception.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import math
import re
import shutil
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from . import content_syntax

MM = 72 / 25.4
MAX_SHOWN = 8            # findings of one rule listed in the text report
ERROR, WARNING, INFO = "error", "warning", "info"
OFF = "off"

# ---------------------------------------------------------------- the rules

RULES: dict[str, str] = {
    "file": "the file opens as a PDF",
    "structure": "the PDF's syntax and content streams are sound",
    "fonts-embedded": "every font is embedded",
    "font-subsets": "every font subset has its own tag",
    "page-boxes": "TrimBox and BleedBox are set, inside the MediaBox",
    "bleed": "the bleed is at least 3 mm on every side",
    "colour": "no RGB or Lab colour in content, images, shadings or process colours",
    "transparency": "no transparency (PDF/X-1a and X-3)",
    "text-size": "text is at least 6 pt",
    "line-width": "stroked lines are at least 0.25 pt",
    "black-overprint": "small black (100 % K) text and thin black lines overprint",
    "rich-black": "small text and thin lines are not rich black",
    "image-resolution": "images are at least 300 dpi at their printed size",
    "ink-limit": "total ink coverage is at most 300 %",
    "pdfx": "PDF/X markers are consistent with the file",
    "qr": "QR codes decode, with large enough modules and a 4-module quiet zone",
    "facts": "the campaign facts recorded in the file are the project's",
    "separations": "total ink coverage on the rendered separations (--raster)",
}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    severity: dict[str, str]
    min_text_pt: float = 6.0
    min_line_pt: float = 0.25
    small_text_pt: float = 12.0      # text below this must be K100 only and overprint
    thin_line_pt: float = 1.0        # strokes thinner than this: the same
    min_bleed_mm: float = 3.0
    min_image_dpi: float = 300.0
    ink_limit: float = 300.0         # percent
    qr_module_mm: float = 0.33
    qr_poster_module_mm: float = 1.0
    qr_quiet_modules: float = 4.0
    require_pdfx: bool = True


_ALL_ERRORS = {rule: ERROR for rule in RULES}
PROFILES: dict[str, Profile] = {
    "shop": Profile("shop", "a print shop's offset press: CMYK, PDF/X, 3 mm bleed", dict(_ALL_ERRORS)),
    "office": Profile("office", "an office printer: sheets printed as they are, no bleed required", {
        **_ALL_ERRORS, "page-boxes": OFF, "bleed": OFF, "colour": WARNING, "font-subsets": WARNING,
        "black-overprint": OFF, "rich-black": WARNING, "ink-limit": OFF, "separations": OFF,
    }, min_image_dpi=150.0, require_pdfx=False),
}

FIX = {
    "file": "export the file again as PDF (PDF/X-4 or X-1a for print); an encrypted file must be saved unprotected",
    "structure": "export or save the file again from the application that made it",
    "fonts-embedded": "embed every font (a subset is fine) when exporting; never reference a font by name only",
    "font-subsets": "give every subset its own six-letter tag (e.g. derived from a hash of its glyphs), so that "
                    "a RIP caching fonts by name cannot mix two subsets",
    "page-boxes": "set TrimBox (the finished size) and BleedBox (trim plus bleed) on every page, inside the MediaBox",
    "bleed": "extend artwork that touches the edge 3 mm beyond the trim, and set the BleedBox 3 mm outside the "
             "TrimBox on every side",
    "colour": "convert the object to CMYK (or grey) for the output condition",
    "transparency": "flatten transparency, or deliver PDF/X-4, which allows it",
    "text-size": "set the text at 6 pt or more (white text on a dark ground a size larger)",
    "line-width": "draw the line at 0.25 pt or more",
    "black-overprint": "set overprint for it (ExtGState /op true and /OPM 1 for fills, /OP true for strokes)",
    "rich-black": "use 100 % K only (C=M=Y=0): misregistration blurs black built from several inks",
    "image-resolution": "use an image with more pixels, or print it smaller: 300 dpi at the printed size "
                        "(350 dpi for colour is better)",
    "ink-limit": "reduce the colour's total ink (C+M+Y+K) to the limit or below",
    "pdfx": "export as PDF/X (leaflets build writes PDF/X-4, or PDF/X-1a with --pdfx x1a)",
    "qr": "print the QR code larger, keep 4 modules of light background around it, dark modules on light",
    "facts": "rebuild the file from this project (leaflets build), whose content/campaign.yaml holds the "
             "official hotline and links",
    "separations": "reduce the ink of the darkest areas to the limit",
}


# ---------------------------------------------------------------- results

@dataclass
class Finding:
    rule: str
    severity: str
    page: int | None
    message: str
    fix: str
    x_mm: float | None = None
    y_mm: float | None = None
    count: int = 1

    def where(self) -> str:
        if self.x_mm is None or self.y_mm is None:
            return ""
        return f" at x={self.x_mm:.1f}, y={self.y_mm:.1f} mm"

    def text(self) -> str:
        more = f" (and {self.count - 1} more like it)" if self.count > 1 else ""
        return f"{self.message}{self.where()}{more}"

    def to_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "page": self.page, "message": self.message,
                "x_mm": None if self.x_mm is None else round(self.x_mm, 2),
                "y_mm": None if self.y_mm is None else round(self.y_mm, 2), "count": self.count, "fix": self.fix}


@dataclass
class QrCode:
    page: int
    text: str
    modules: int
    module_mm: float
    quiet_modules: float
    x_mm: float
    y_mm: float
    size_mm: float

    def to_json(self) -> dict:
        return {"page": self.page, "text": self.text, "modules": self.modules, "module_mm": round(self.module_mm, 3),
                "quiet_zone_modules": round(self.quiet_modules, 1), "x_mm": round(self.x_mm, 1),
                "y_mm": round(self.y_mm, 1), "size_mm": round(self.size_mm, 1)}


@dataclass
class Report:
    file: str
    profile: str
    findings: list[Finding] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)     # rule -> pass | fail | warn | not checked (why)
    pdf_version: str | None = None
    pdfx: str | None = None
    pages: int = 0
    facts_recorded: str | None = None
    facts_project: str | None = None
    qr: list[QrCode] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def failed(self, rules=None) -> list[Finding]:
        """The errors, of ``rules`` only when given."""
        return [f for f in self.errors if rules is None or f.rule in rules]

    @property
    def facts_match(self) -> bool | None:
        if self.facts_recorded is None or self.facts_project is None:
            return None
        return self.facts_recorded == self.facts_project

    def to_json(self) -> dict:
        return {"file": self.file, "profile": self.profile, "ok": self.ok, "pdf_version": self.pdf_version,
                "pdfx": self.pdfx, "pages": self.pages,
                "errors": len(self.errors), "warnings": len(self.warnings),
                "findings": [f.to_json() for f in self.findings], "rules": dict(self.rules),
                "facts": {"recorded": self.facts_recorded, "project": self.facts_project, "match": self.facts_match},
                "qr": [q.to_json() for q in self.qr], "notes": list(self.notes),
                "seconds": {k: round(v, 4) for k, v in self.seconds.items()}}

    def format(self) -> str:
        head = "PASSED" if self.ok else "FAILED"
        kind = ", ".join(x for x in (self.pdfx, f"PDF {self.pdf_version}" if self.pdf_version else None,
                                     f"{self.pages} page{'s' if self.pages != 1 else ''}" if self.pages else None) if x)
        out = [f"{self.file}: {head} against profile '{self.profile}'" + (f" ({kind})" if kind else "") +
               f": {len(self.errors)} error(s), {len(self.warnings)} warning(s)"]
        order = {ERROR: 0, WARNING: 1, INFO: 2}
        shown: dict[tuple, int] = {}
        held: dict[tuple, int] = {}
        for f in sorted(self.findings, key=lambda f: (order.get(f.severity, 3), f.page or 0, list(RULES).index(f.rule)
                                                       if f.rule in RULES else 99)):
            key = (f.rule, f.severity)
            shown[key] = shown.get(key, 0) + 1
            if shown[key] > MAX_SHOWN:          # the JSON report has them all
                held[key] = held.get(key, 0) + f.count
                continue
            page = f"page {f.page}" if f.page else "file"
            out.append(f"  {page}: {f.severity} [{f.rule}] {f.text()}")
            if f.severity != INFO:
                out.append(f"      fix: {f.fix}")
        for (rule, severity), n in held.items():
            out.append(f"  {severity} [{rule}]: and {n} more on other pages (--json lists them all)")
        passed = [r for r, s in self.rules.items() if s == "pass"]
        if passed:
            out.append(f"  passed: {', '.join(passed)}")
        skipped: dict[str, list[str]] = {}
        for r, s in self.rules.items():
            if s.startswith("not checked ("):
                skipped.setdefault(s[len("not checked ("):-1], []).append(r)
        for why, rules in skipped.items():
            out.append(f"  not checked ({why}): {', '.join(rules)}")
        if self.facts_recorded or self.facts_project:
            if self.facts_recorded is None:
                out.append("  campaign facts: none recorded in the file")
            else:
                state = {True: "matches this project's content/campaign.yaml",
                         False: f"DIFFERS from this project's ({self.facts_project})",
                         None: "no project to compare with"}[self.facts_match]
                out.append(f"  campaign facts: {self.facts_recorded} recorded; {state}")
        for q in self.qr:
            out.append(f"  QR code, page {q.page}: {q.text!r}: {q.modules}x{q.modules} modules of {q.module_mm:.2f} mm "
                       f"({q.size_mm:.1f} mm), quiet zone {q.quiet_modules:.1f} modules, at x={q.x_mm:.1f}, "
                       f"y={q.y_mm:.1f} mm")
        for n in self.notes:
            out.append(f"  note: {n}")
        if self.seconds:
            out.append("  time: " + ", ".join(f"{k} {v:.3f} s" for k, v in self.seconds.items()))
        # the file's name and what is quoted from the file (font names, QR texts) are not the report's to
        # control: a control character (a newline, a terminal escape) is shown as such, never sent to the terminal
        from .model.guard import printable
        return "\n".join(printable(line).replace("\n", "⏎") for line in out)


# ---------------------------------------------------------------- geometry

_ID = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m1, m2):
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _apply(m, x, y):
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


def _min_scale(m) -> float:
    """The smallest singular value of the matrix's linear part: how thin a line of width 1 can become."""
    a, b, c, d = m[0], m[1], m[2], m[3]
    s = (a * a + b * b + c * c + d * d) / 2
    t = math.sqrt(max(0.0, ((a * a + b * b - c * c - d * d) / 2) ** 2 + (a * c + b * d) ** 2))
    return math.sqrt(max(0.0, s - t))


def _max_scale(m) -> float:
    """The largest singular value of the matrix's linear part: how far a length of 1 can reach."""
    a, b, c, d = m[0], m[1], m[2], m[3]
    s = (a * a + b * b + c * c + d * d) / 2
    t = math.sqrt(max(0.0, ((a * a + b * b - c * c - d * d) / 2) ** 2 + (a * c + b * d) ** 2))
    return math.sqrt(s + t)


def _num(x, default: float = 0.0) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return default
    return v if math.isfinite(v) else default


def _box(obj) -> tuple[float, float, float, float] | None:
    try:
        vals = [float(v) for v in obj]
    except (TypeError, ValueError):
        return None
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        return None
    x0, y0, x1, y1 = vals
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _intersect(a, b):
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else None


def _rect_through(m, box):
    """The bounding box of ``box`` (x0, y0, x1, y1) mapped by the matrix ``m``."""
    x0, y0, x1, y1 = box
    p = (_apply(m, x0, y0), _apply(m, x1, y0), _apply(m, x0, y1), _apply(m, x1, y1))
    return (min(p[0][0], p[1][0], p[2][0], p[3][0]), min(p[0][1], p[1][1], p[2][1], p[3][1]),
            max(p[0][0], p[1][0], p[2][0], p[3][0]), max(p[0][1], p[1][1], p[2][1], p[3][1]))


# The clip region is kept as a conservative bounding box in device (page) space: None where nothing clips;
# an empty region (x0 > x1 or y0 > y1) where nothing at all can be painted.
_NOWHERE = (math.inf, math.inf, -math.inf, -math.inf)
CLIP_EPS = 0.01          # coordinates written with a few decimals: edges this close coincide


def _clip(clip, box):
    """The clip region ``clip`` intersected with ``box`` (either may be None: no clipping)."""
    if box is None:
        return clip
    if clip is None:
        return box
    return max(clip[0], box[0]), max(clip[1], box[1]), min(clip[2], box[2]), min(clip[3], box[3])


def _visible(painted, clip) -> bool:
    """Whether an object whose paint covers at most the box ``painted`` shows through ``clip``: it must reach
    INSIDE_PT into the clip region on both axes, or lie wholly inside it on an axis where it is thinner."""
    if clip is None or painted is None:
        return True
    for i in (0, 1):
        c0, c1 = clip[i], clip[i + 2]
        if c1 - c0 <= CLIP_EPS:
            return False
        b0, b1 = painted[i], painted[i + 2]
        if min(b1, c1) - max(b0, c0) <= min(INSIDE_PT, b1 - b0) - CLIP_EPS:
            return False
    return True


def _clamp(box, clip):
    """``box`` cut to the clip region (collapsed onto its nearest edge where it lies outside on an axis)."""
    if clip is None or box is None:
        return box
    return (min(max(box[0], clip[0]), clip[2]), min(max(box[1], clip[1]), clip[3]),
            max(min(box[2], clip[2]), clip[0]), max(min(box[3], clip[3]), clip[1]))


def _grow(box, d: float):
    return box if d <= 0 else (box[0] - d, box[1] - d, box[2] + d, box[3] + d)


# ---------------------------------------------------------------- colour

_PROCESS = {"Cyan": "C", "Magenta": "M", "Yellow": "Y", "Black": "K"}
_RGBLIKE = {"rgb", "lab"}


class _CS:
    """A resolved colour space."""

    __slots__ = ("family", "n", "base", "names", "alt", "lookup", "hival", "label", "kind")

    def __init__(self, family: str, n: int, base=None, names=(), alt=None, lookup=b"", hival=0, label=""):
        self.family = family      # DeviceGray DeviceRGB DeviceCMYK ICCBased CalGray CalRGB Lab Indexed Separation DeviceN Pattern
        self.n = n
        self.base = base          # Indexed: base space; ICCBased: the space its N implies; Pattern: underlying
        self.names = names        # Separation/DeviceN colorant names
        self.alt = alt            # Separation/DeviceN alternate space
        self.lookup = lookup
        self.hival = hival
        self.label = label or family
        self.kind = self._kind()  # gray | cmyk | rgb | lab | spot | pattern | unknown: what the colour is made of

    def _kind(self) -> str:
        f = self.family
        if f in ("DeviceGray", "CalGray"):
            return "gray"
        if f in ("DeviceRGB", "CalRGB"):
            return "rgb"
        if f == "DeviceCMYK":
            return "cmyk"
        if f == "Lab":
            return "lab"
        if f == "ICCBased":
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(self.n, "unknown")
        if f == "Indexed":
            return self.base.kind if self.base is not None else "unknown"
        if f in ("Separation", "DeviceN"):
            return "spot"
        if f == "Pattern":
            return "pattern"
        return "unknown"

    @property
    def device_independent(self) -> bool:
        if self.family in ("ICCBased", "CalGray", "CalRGB", "Lab"):
            return True
        if self.family == "Indexed" and self.base is not None:
            return self.base.device_independent
        return False

    def initial(self) -> tuple:
        if self.family == "DeviceCMYK" or (self.family == "ICCBased" and self.n == 4):
            return (0.0, 0.0, 0.0, 1.0)
        if self.family in ("Separation", "DeviceN"):
            return (1.0,) * max(1, self.n)
        return (0.0,) * max(1, self.n)


_DEVICE = {"/DeviceGray": _CS("DeviceGray", 1), "/DeviceRGB": _CS("DeviceRGB", 3),
           "/DeviceCMYK": _CS("DeviceCMYK", 4), "/Pattern": _CS("Pattern", 0),
           "/G": _CS("DeviceGray", 1), "/RGB": _CS("DeviceRGB", 3), "/CMYK": _CS("DeviceCMYK", 4)}
_GRAY, _RGB_, _CMYK = _DEVICE["/DeviceGray"], _DEVICE["/DeviceRGB"], _DEVICE["/DeviceCMYK"]
_DEVICE_SPACES = frozenset(_DEVICE.values())


def _inks(cs: _CS, values: tuple) -> dict[str, float] | None:
    """Colorant -> tint (0..1) of a colour, or None when it is not made of inks (RGB, Lab, unknown)."""
    f = cs.family
    if f == "DeviceCMYK" or (f == "ICCBased" and cs.n == 4):
        v = (tuple(values) + (0.0, 0.0, 0.0, 0.0))[:4]
        return {"C": v[0], "M": v[1], "Y": v[2], "K": v[3]}
    if f in ("DeviceGray", "CalGray") or (f == "ICCBased" and cs.n == 1):
        g = values[0] if values else 0.0
        return {"K": 1.0 - g}
    if f == "Separation":
        t = values[0] if values else 1.0
        name = cs.names[0] if cs.names else ""
        if name == "None":
            return {}
        if name == "All":
            return {"C": t, "M": t, "Y": t, "K": t}
        return {_PROCESS.get(name, name): t}
    if f == "DeviceN":
        out: dict[str, float] = {}
        for name, t in zip(cs.names, values):
            if name == "None":
                continue
            key = _PROCESS.get(name, name)
            out[key] = out.get(key, 0.0) + t
        return out
    if f == "Indexed" and cs.base is not None:
        i = int(round(values[0])) if values else 0
        i = max(0, min(cs.hival, i))
        n = cs.base.n
        chunk = cs.lookup[i * n:(i + 1) * n]
        if len(chunk) < n:
            return None
        return _inks(cs.base, tuple(b / 255 for b in chunk))
    return None


def _describe(cs: _CS, values: tuple) -> str:
    inks = _inks(cs, values)
    if cs.kind in ("rgb", "lab") or inks is None:
        vals = " ".join(f"{v:g}" for v in values)
        return f"{cs.label} {vals}".strip()
    return " ".join(f"{k} {v * 100:.0f}" for k, v in inks.items() if v > 0.0005) or "no ink (paper)"


def _tac(inks: dict[str, float]) -> float:
    return sum(max(0.0, min(1.0, v)) for v in inks.values()) * 100


def _k_only(inks: dict[str, float] | None) -> bool:
    """100 % black and nothing else."""
    if not inks:
        return False
    return inks.get("K", 0.0) >= 0.995 and all(v <= 0.005 for k, v in inks.items() if k != "K")


def _rich_black(inks: dict[str, float] | None) -> bool:
    """Black built from several inks: K at least 85 % with C, M or Y, or C, M and Y all at 70 % or more."""
    if not inks:
        return False
    k = inks.get("K", 0.0)
    others = [v for name, v in inks.items() if name != "K"]
    if k >= 0.85 and any(v >= 0.05 for v in others):
        return True
    return all(inks.get(c, 0.0) >= 0.7 for c in "CMY")


# ---------------------------------------------------------------- state

class _GState:
    __slots__ = ("ctm", "fcs", "fill", "scs", "stroke", "lw", "op_f", "op_s", "opm", "ca_f", "ca_s", "bm", "smask",
                 "font", "fontname", "fsize", "tc", "tw", "th", "tl", "trise", "tr", "fpattern", "spattern",
                 "clip", "lj", "ml")

    def __init__(self, ctm=_ID):
        self.ctm = ctm
        self.fcs, self.fill, self.scs, self.stroke = _GRAY, (0.0,), _GRAY, (0.0,)
        self.fpattern = self.spattern = None
        self.lw = 1.0
        self.op_f = self.op_s = False
        self.opm = 0
        self.ca_f = self.ca_s = 1.0
        self.bm = "Normal"
        self.smask = False
        self.font = None
        self.fontname = None
        self.fsize = 0.0
        self.tc = self.tw = self.tl = self.trise = 0.0
        self.th = 1.0
        self.tr = 0
        self.clip = None          # the clip region's bounding box in device space (None: nothing clips)
        self.lj, self.ml = 0, 10.0    # line join and miter limit: how far a stroke's corners reach

    def copy(self) -> "_GState":
        g = _GState.__new__(_GState)
        g.ctm, g.fcs, g.fill, g.scs, g.stroke = self.ctm, self.fcs, self.fill, self.scs, self.stroke
        g.lw, g.op_f, g.op_s, g.opm, g.ca_f = self.lw, self.op_f, self.op_s, self.opm, self.ca_f
        g.ca_s, g.bm, g.smask, g.font, g.fontname = self.ca_s, self.bm, self.smask, self.font, self.fontname
        g.fsize, g.tc, g.tw, g.th, g.tl = self.fsize, self.tc, self.tw, self.th, self.tl
        g.trise, g.tr, g.fpattern, g.spattern, g.clip = self.trise, self.tr, self.fpattern, self.spattern, self.clip
        g.lj, g.ml = self.lj, self.ml
        return g


class _Budget(Exception):
    pass


def _content_bytes(stream, sizes: dict | None = None) -> int:
    """The decoded size of a page's content streams or of a form's (0 if they cannot be decoded: the parser says
    why).  ``sizes``: the sizes found so far, by object, each stream decoded once (see _Check.content_size)."""
    import pikepdf
    obj = stream.obj if isinstance(stream, pikepdf.Page) else stream
    parts = obj.get("/Contents") if isinstance(stream, pikepdf.Page) else obj
    parts = list(parts) if isinstance(parts, pikepdf.Array) else [parts]
    total = 0
    for part in parts:
        if isinstance(part, pikepdf.Stream):
            key = part.objgen
            size = sizes.get(key) if sizes is not None else None
            if size is None:
                try:
                    size = len(part.read_bytes())
                except pikepdf.PdfError:
                    size = 0
                if sizes is not None and key != (0, 0):
                    sizes[key] = size
            total += size
    return total


_INHERIT = object()      # form(): the clip region of the graphics state it is drawn in


MAX_OPS = 2_000_000      # operators interpreted per page, forms and patterns included
MAX_CONTENT = 16 << 20   # decoded bytes of one content stream parsed (parsing holds every operator in memory)
MAX_DEPTH = 16           # forms inside forms
TOLERANCE = 0.005        # sizes within 0.5 % of a minimum pass (TeX's 6 pt is 5.98 PostScript points)
INSIDE_PT = 0.3          # how far an object must reach into the BleedBox to be judged
MIN_INK_AREA_MM2 = 1.0   # the smallest area over the ink limit that the rendered separations report
MAX_KEPT_OPS = 1_000_000  # instructions of parsed forms (and pages) kept per file, for forms drawn again

# the operators the walker acts on; those whose operands are all read as numbers (_num, 0 by default)
_NUMERIC = frozenset({"m", "l", "c", "v", "y", "re", "j", "M", "k", "K", "g", "G", "rg", "RG", "cm", "w", "Tm",
                      "Td", "TD", "TL", "Tc", "Tw", "Tz", "Ts", "Tr"})
_NUM_DEFAULT = {"w": 1.0, "M": 10.0, "Tz": 100.0}     # read as these where the operand is no number
_PAINT = frozenset({"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "n"})
_HANDLED = _NUMERIC | _PAINT | {"h", "W", "W*", "cs", "CS", "sc", "scn", "SC", "SCN", "q", "Q", "gs", "BT", "Tf",
                                "T*", "Tj", "'", '"', "TJ", "Do", "sh"}
_OPERATORS = {op.encode(): op for op in _HANDLED}
_SET_COLOUR = {"k": _CMYK, "K": _CMYK, "g": _GRAY, "G": _GRAY, "rg": _RGB_, "RG": _RGB_}


# ---------------------------------------------------------------- the walker

class _Walker:
    """Interprets one page's content and records what the rules need."""

    def __init__(self, check: "_Check", pageno: int, page, area, trim, userunit: float):
        self.k = check
        self.pageno = pageno
        self.page = page
        self.area = area          # what is printed: BleedBox (or TrimBox, or MediaBox)
        self.trim = trim          # where positions are measured from
        self.uu = userunit
        self.ops = 0
        self.stack: list[int] = []        # objgens of forms being drawn (cycle guard)
        self.cs_cache: dict = {}
        self.type3_done: set = set()
        self.slug_objects = 0
        self.clipped_objects = 0      # painted wholly outside the clip region: never printed
        self.beneath: list = []       # (box, inks, total ink) of what was painted, most ink first
        self.beneath_keys: list = []  # minus the total ink of each, for bisect
        # the same entries by the left edge of their box, for the boxes an opaque fill may cover (see
        # overprinted); an entry whose box is not ordered (x0 <= x1, false for nan) is kept aside and always tried
        self.lefts: list = []
        self.left_entries: list = []
        self.unordered: list = []
        self.base_ctm = _ID       # the CTM a content stream started with: patterns are placed from it

    # ------------------------------------------------------------ helpers
    def mm(self, x: float, y: float) -> tuple[float, float]:
        t = self.trim
        return (x - t[0]) * self.uu / MM, (t[3] - y) * self.uu / MM

    def seen(self, g: _GState, painted, bbox):
        """``bbox`` cut to the clip region, or None when ``painted`` (the box the object's paint can cover)
        does not show through it."""
        if g.clip is None:
            return bbox
        if not _visible(painted, g.clip):
            self.clipped_objects += 1
            return None
        return _clamp(bbox, g.clip)

    def inside(self, bbox) -> bool:
        if bbox is None or self.area is None:
            return True
        a = self.area
        e = INSIDE_PT      # merely touching the BleedBox (a mark drawn from its edge) is outside
        if bbox[2] <= a[0] + e or bbox[0] >= a[2] - e or bbox[3] <= a[1] + e or bbox[1] >= a[3] - e:
            self.slug_objects += 1
            return False
        return True

    def resolve_cs(self, obj, resources, depth: int = 0) -> _CS:
        import pikepdf
        if depth > 8:
            return _CS("unknown", 0)
        if isinstance(obj, pikepdf.Name):
            key = str(obj)
            if key in _DEVICE:
                return _DEVICE[key]
            try:
                named = resources.get("/ColorSpace", {}).get(key) if resources is not None else None
            except (AttributeError, TypeError, ValueError):
                named = None
            if named is None:
                return _CS("unknown", 0, label=key)
            return self.resolve_cs(named, resources, depth + 1)
        if not isinstance(obj, pikepdf.Array) or len(obj) == 0:
            return _CS("unknown", 0)
        try:
            cache_key = obj.objgen if obj.is_indirect else None
        except Exception:
            cache_key = None
        if cache_key and cache_key != (0, 0) and cache_key in self.cs_cache:
            return self.cs_cache[cache_key]
        fam = str(obj[0])
        cs = _CS("unknown", 0, label=fam)
        try:
            if fam == "/ICCBased":
                stream = obj[1]
                n = int(stream.get("/N", 0))
                cs = _CS("ICCBased", n, label=f"ICCBased (N={n})")
            elif fam in ("/CalRGB", "/CalGray", "/Lab"):
                cs = _CS(fam[1:], 1 if fam == "/CalGray" else 3)
            elif fam in ("/Indexed", "/I"):
                base = self.resolve_cs(obj[1], resources, depth + 1)
                lookup = obj[3]
                data = bytes(lookup.read_bytes()) if isinstance(lookup, pikepdf.Stream) else bytes(lookup)
                cs = _CS("Indexed", 1, base=base, lookup=data, hival=int(obj[2]), label=f"Indexed {base.label}")
            elif fam == "/Separation":
                alt = self.resolve_cs(obj[2], resources, depth + 1)
                cs = _CS("Separation", 1, names=(str(obj[1])[1:],), alt=alt, label=f"Separation {str(obj[1])[1:]}")
            elif fam == "/DeviceN":
                names = tuple(str(x)[1:] for x in obj[1])
                alt = self.resolve_cs(obj[2], resources, depth + 1)
                cs = _CS("DeviceN", len(names), names=names, alt=alt, label=f"DeviceN {'/'.join(names)}")
            elif fam == "/Pattern":
                base = self.resolve_cs(obj[1], resources, depth + 1) if len(obj) > 1 else None
                cs = _CS("Pattern", base.n if base else 0, base=base)
            elif fam in _DEVICE:
                cs = _DEVICE[fam]
        except (IndexError, TypeError, ValueError, AttributeError, pikepdf.PdfError):
            cs = _CS("unknown", 0, label=fam)
        if cache_key and cache_key != (0, 0):
            self.cs_cache[cache_key] = cs
        return cs

    # ------------------------------------------------------------ colour judgement
    def judge_colour(self, what: str, cs: _CS, values: tuple, x: float, y: float, bbox,
                     g: "_GState | None" = None, fill: bool = True) -> None:
        """Colour and ink rules for one painted object (``g``: its graphics state, for overprint; ``fill``:
        painted with the fill colour, else the stroke colour)."""
        k = self.k
        if cs.family == "Pattern":
            return
        kind = cs.kind
        xm, ym = self.mm(x, y)
        if kind in _RGBLIKE:
            k.add("colour", self.pageno, ("cs", cs.label, what),
                  f"{what} in {'RGB' if kind == 'rgb' else 'Lab'} colour ({_describe(cs, values)})", xm, ym)
            return
        if kind == "unknown":
            k.add("colour", self.pageno, ("unknown", cs.label, what),
                  f"{what} in a colour space that cannot be checked ({cs.label})", xm, ym, severity=WARNING)
            return
        if k.x1a and cs.device_independent:
            k.add("colour", self.pageno, ("di", cs.label, what),
                  f"{what} in a device-independent colour space ({cs.label}), which PDF/X-1a does not allow", xm, ym)
        if cs.family in ("Separation", "DeviceN") and cs.alt is not None and cs.alt.kind in _RGBLIKE:
            process = [n for n in cs.names if n in _PROCESS or n == "All"]
            if process:
                k.add("colour", self.pageno, ("alt", cs.label, what),
                      f"{what} in the process colour{'s' if len(process) > 1 else ''} {', '.join(process)} "
                      f"whose alternate space is {cs.alt.label}", xm, ym)
            else:
                k.add("colour", self.pageno, ("spotalt", cs.label, what),
                      f"{what} in the spot colour {cs.label} whose alternate is {cs.alt.label}: proofs and any "
                      "conversion to CMYK will go through RGB", xm, ym, severity=ERROR if k.x1a else WARNING)
        inks, tac = k.inks(cs, values)
        if inks is not None and self.inside(bbox):
            if tac > k.profile.ink_limit + 0.05:
                k.add("ink-limit", self.pageno, ("tac", round(tac), _describe(cs, values)),
                      f"{what} with {tac:.0f} % total ink ({_describe(cs, values)}), more than "
                      f"{k.profile.ink_limit:.0f} %", xm, ym)
            self.overprinted(what, cs, inks, tac, bbox, g, fill, xm, ym)

    def overprinted(self, what: str, cs: _CS, inks: dict, tac: float, bbox, g, fill: bool, xm, ym) -> None:
        """Total ink where an overprinting object lands on what was painted before it: the inks it leaves
        alone (not its colourants; with OPM 1, its DeviceCMYK components at 0) keep the colour beneath.
        Every opaque object painted is remembered with its inks and box; an overprinting one is judged
        against those it overlaps whose inks together could pass the limit."""
        k = self.k
        limit = k.profile.ink_limit
        over = g is not None and (g.op_f if fill else g.op_s)
        if over and bbox is not None:
            opm1 = g.opm == 1 and cs.family == "DeviceCMYK"
            replaced = {c for c, t in inks.items() if not (opm1 and t <= 0)}
            for under_box, under, under_tac in self.beneath:
                if under_tac + tac <= limit + 0.05:
                    break                  # sorted by total ink: none further down can pass the limit
                if under_box[2] <= bbox[0] or under_box[0] >= bbox[2] or under_box[3] <= bbox[1] \
                        or under_box[1] >= bbox[3]:
                    continue
                mix = {c: t for c, t in under.items() if c not in replaced}
                mix.update({c: inks[c] for c in replaced})
                total = _tac(mix)
                if total > limit + 0.05:
                    k.add("ink-limit", self.pageno, ("overprint", round(total), what),
                          f"{what} overprinting a colour beneath it gives {total:.0f} % total ink "
                          f"({', '.join(f'{c} {t * 100:.0f}' for c, t in sorted(mix.items()) if t)}), more than "
                          f"{limit:.0f} %", xm, ym)
                    break
        if bbox is None:
            return
        if not over and fill and self.beneath:
            # an opaque fill hides what it covers wholly (a paper-white card on a dark band): an ordered box it
            # covers has its left edge between the fill's edges
            x0, y0, x1, y1 = bbox
            lefts = self.lefts
            hidden = [e for e in self.left_entries[bisect.bisect_left(lefts, x0):bisect.bisect_right(lefts, x1)]
                      if e[0][0] >= x0 and e[0][1] >= y0 and e[0][2] <= x1 and e[0][3] <= y1]
            hidden += [e for e in self.unordered
                       if e[0][0] >= x0 and e[0][1] >= y0 and e[0][2] <= x1 and e[0][3] <= y1]
            if len(hidden) > 8:
                gone = {id(e) for e in hidden}
                self.beneath = [e for e in self.beneath if id(e) not in gone]
                self.beneath_keys = [-e[2] for e in self.beneath]
                kept = [i for i, e in enumerate(self.left_entries) if id(e) not in gone]
                self.lefts = [self.lefts[i] for i in kept]
                self.left_entries = [self.left_entries[i] for i in kept]
                self.unordered = [e for e in self.unordered if id(e) not in gone]
            else:
                # each taken out where it is (the same lists as filtered, with fewer of them to rebuild)
                for e in hidden:
                    i = bisect.bisect_left(self.beneath_keys, -e[2])
                    while self.beneath[i] is not e:
                        i += 1
                    del self.beneath[i], self.beneath_keys[i]
                    if e[0][0] <= e[0][2]:
                        i = bisect.bisect_left(lefts, e[0][0])
                        while self.left_entries[i] is not e:
                            i += 1
                        del lefts[i], self.left_entries[i]
                    else:
                        i = 0
                        while self.unordered[i] is not e:
                            i += 1
                        del self.unordered[i]
        if tac > 0:
            entry = (bbox, inks, tac)
            at = bisect.bisect_right(self.beneath_keys, -tac)
            self.beneath.insert(at, entry)
            self.beneath_keys.insert(at, -tac)
            if bbox[0] <= bbox[2]:
                at = bisect.bisect_right(self.lefts, bbox[0])
                self.lefts.insert(at, bbox[0])
                self.left_entries.insert(at, entry)
            else:
                self.unordered.append(entry)

    def transparency(self, what: str, x: float, y: float) -> None:
        if self.k.no_transparency:
            xm, ym = self.mm(x, y)
            self.k.add("transparency", self.pageno, ("t", what), f"{what}, which {self.k.pdfx} does not allow",
                       xm, ym)

    def alpha(self, g: _GState, fill: bool, x: float, y: float) -> None:
        ca = g.ca_f if fill else g.ca_s
        if ca < 0.9999:
            self.transparency(f"{'fill' if fill else 'stroke'} with opacity {ca:g}", x, y)
        if g.bm not in ("Normal", "Compatible"):
            self.transparency(f"blend mode {g.bm}", x, y)
        if g.smask:
            self.transparency("a soft mask (ExtGState /SMask)", x, y)

    # ------------------------------------------------------------ painting
    def paint_path(self, g: _GState, bbox, fill: bool, stroke: bool, resources, joins: bool = False) -> None:
        """A path (``bbox``: its points' box in device space) filled and/or stroked; ``joins``: its corners
        may reach out as far as the miter limit."""
        if bbox is None:
            return
        if g.clip is not None:
            painted = bbox
            if stroke:
                reach = g.lw / 2 * (g.ml if g.lj == 0 and joins else 1.0)
                painted = _grow(bbox, reach * _max_scale(g.ctm))
            bbox = self.seen(g, painted, bbox)
            if bbox is None:
                return
        x, y = bbox[0], bbox[3]
        inside = self.inside(bbox)
        xm, ym = self.mm(x, y)
        k = self.k
        if fill:
            self.alpha(g, True, x, y)
            if g.fcs.family == "Pattern":
                self.paint_pattern(g, g.fpattern, resources, "fill", x, y)
            else:
                self.judge_colour("a filled shape", g.fcs, g.fill, x, y, bbox, g, True)
        if stroke:
            self.alpha(g, False, x, y)
            if g.scs.family == "Pattern":
                self.paint_pattern(g, g.spattern, resources, "stroke", x, y)
            else:
                self.judge_colour("a stroked line", g.scs, g.stroke, x, y, bbox, g, False)
            if inside:
                width = g.lw * _min_scale(g.ctm) * self.uu
                if g.lw <= 0:
                    k.add("line-width", self.pageno, ("hairline",),
                          "a hairline (line width 0: the thinnest line the device can draw)", xm, ym)
                elif width < k.profile.min_line_pt * (1 - TOLERANCE):
                    k.add("line-width", self.pageno, ("w", round(width, 3)),
                          f"a line {width:.3f} pt wide, thinner than {k.profile.min_line_pt:g} pt", xm, ym)
                if g.scs.family != "Pattern" and (g.lw <= 0 or width < k.profile.thin_line_pt):
                    inks = k.inks(g.scs, g.stroke)[0]
                    if _k_only(inks) and not g.op_s:
                        k.add("black-overprint", self.pageno, ("line",),
                              f"a thin black line ({width:.2f} pt, 100 % K) that does not overprint", xm, ym)
                    elif _rich_black(inks):
                        k.add("rich-black", self.pageno, ("line", _describe(g.scs, g.stroke)),
                              f"a thin line ({width:.2f} pt) in rich black ({_describe(g.scs, g.stroke)})", xm, ym)

    def paint_pattern(self, g: _GState, pattern, resources, what: str, x: float, y: float) -> None:
        import pikepdf
        if pattern is None:
            return
        try:
            ptype = int(pattern.get("/PatternType", 0))
        except (TypeError, ValueError):
            return
        matrix = tuple(_num(v) for v in pattern.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        if len(matrix) != 6:
            matrix = _ID
        base = _mul(matrix, self.base_ctm)
        if ptype == 2:
            shading = pattern.get("/Shading")
            if shading is not None:
                self.shading(shading, resources, x, y, f"a shading pattern ({what})")
        elif ptype == 1 and isinstance(pattern, pikepdf.Stream):
            paint_type = int(pattern.get("/PaintType", 1))
            if paint_type == 2:
                cs = g.fcs if what == "fill" else g.scs
                values = g.fill if what == "fill" else g.stroke
                if cs.base is not None:
                    self.judge_colour(f"an uncoloured tiling pattern ({what})", cs.base, values, x, y, None)
                return
            # one cell is judged where the pattern space puts it, whatever the painted shape clips
            self.form(pattern, pattern.get("/Resources", resources), base, g, "tiling pattern", clip=None)

    def shading(self, shading, resources, x: float, y: float, what: str = "a shading", bbox=None) -> None:
        import pikepdf
        try:
            cs = self.resolve_cs(shading.get("/ColorSpace"), resources)
        except (AttributeError, TypeError):
            return
        # the colours at the ends of its function (exponential or stitching); a mesh or sampled function is
        # judged by its colour space only
        samples: list[tuple] = []

        def ends(fn, depth=0):
            if fn is None or depth > 4:
                return
            if isinstance(fn, pikepdf.Array):
                outs = [[] for _ in range(2)]
                for sub in fn:
                    for i, key in enumerate(("/C0", "/C1")):
                        vals = sub.get(key, [0.0] if key == "/C0" else [1.0]) if not isinstance(sub, pikepdf.Array) \
                            else []
                        outs[i].extend(_num(v) for v in vals)
                for o in outs:
                    samples.append(tuple(o))
                return
            try:
                ftype = int(fn.get("/FunctionType", -1))
            except (TypeError, ValueError):
                return
            if ftype == 2:
                samples.append(tuple(_num(v) for v in fn.get("/C0", [0.0])))
                samples.append(tuple(_num(v) for v in fn.get("/C1", [1.0])))
            elif ftype == 3:
                for sub in fn.get("/Functions", []):
                    ends(sub, depth + 1)

        try:
            ends(shading.get("/Function"))
        except (AttributeError, TypeError, ValueError, pikepdf.PdfError):
            pass
        if not samples:
            samples = [cs.initial()]
        for s in samples:
            self.judge_colour(what, cs, s, x, y, bbox)

    def text_reach(self, g: _GState, drift, nchars: int, adjust) -> tuple:
        """(the box in text space, from the text matrix's origin, that ``nchars`` bytes of text can cover, or
        None when the font does not say; how far the text position may have moved from the origin, as a
        (least, largest) pair).  ``drift``: how far it may have moved before; ``adjust``: the least and largest
        sums of a TJ array's numbers, in text space."""
        font = g.font
        if font is None:
            return None, drift
        try:
            key = font.objgen
        except Exception:
            key = None
        metrics = self.k.metrics
        if key is None or key == (0, 0):
            reach = _font_reach(font)
        elif key in metrics:
            reach = metrics[key]
        else:
            reach = metrics[key] = _font_reach(font)
        if reach is None:
            return None, drift
        wmin, wmax, gx0, gy0, gx1, gy1 = reach
        fs, th = g.fsize, g.th
        a1, a2 = wmin * fs, wmax * fs
        s0 = (min(a1, a2) + g.tc + min(0.0, g.tw)) * th
        s1 = (max(a1, a2) + g.tc + max(0.0, g.tw)) * th
        lo = nchars * min(0.0, s0, s1) + adjust[0]
        hi = nchars * max(0.0, s0, s1) + adjust[1]
        x0, x1 = sorted((gx0 * fs * th, gx1 * fs * th))
        y0, y1 = sorted((gy0 * fs, gy1 * fs))
        box = (drift[0] + lo + x0, g.trise + y0, drift[1] + hi + x1, g.trise + y1)
        return box, (drift[0] + lo, drift[1] + hi)

    def show_text(self, g: _GState, tm, nchars: int, resources, drift=(0.0, 0.0), adjust=(0.0, 0.0)) -> tuple:
        """Text shown at the text matrix ``tm`` (moved since by at most ``drift``, see text_reach); returns how
        far the text position may have moved after it."""
        k = self.k
        reach, after = self.text_reach(g, drift, nchars, adjust)
        if nchars == 0:
            return after
        if g.tr in (3, 7):          # invisible (or clip-only) text prints nothing
            return after
        font = g.font
        k.use_font(font, g.fontname or "?", self.pageno)      # a font that shows text must be embedded
        trm = _mul(tm, g.ctm)
        x, y = trm[4], trm[5]
        top = _apply(trm, 0, g.fsize)
        bbox = (min(x, top[0]), min(y, top[1]), max(x, top[0]), max(y, top[1]))
        if g.clip is not None:
            painted = None if reach is None else _rect_through(trm, reach)
            if painted is not None and g.tr in (1, 2, 5, 6):
                painted = _grow(painted, g.lw / 2 * (g.ml if g.lj == 0 else 1.0) * _max_scale(g.ctm))
            bbox = self.seen(g, painted, bbox)
            if bbox is None:
                return after
        scale = 1.0
        if font is not None and k.is_type3(font):
            fm = [_num(v) for v in font.get("/FontMatrix", [0.001, 0, 0, 0.001, 0, 0])]
            if len(fm) == 6:
                scale = math.hypot(fm[2], fm[3]) * 1000
            self.type3(font, g, tm, resources)
        size = abs(g.fsize) * scale * math.hypot(trm[2], trm[3]) * self.uu
        inside = self.inside(bbox)
        fname = k.font_label(font, g.fontname)
        xm, ym = self.mm(x, y)
        fill = g.tr in (0, 2, 4, 6)
        stroke = g.tr in (1, 2, 5, 6)
        if fill:
            self.alpha(g, True, x, y)
            if g.fcs.family == "Pattern":
                self.paint_pattern(g, g.fpattern, resources, "fill", x, y)
            else:
                self.judge_colour("text", g.fcs, g.fill, x, y, bbox, g, True)
        if stroke:
            self.alpha(g, False, x, y)
            if g.scs.family != "Pattern":
                self.judge_colour("outlined text", g.scs, g.stroke, x, y, bbox, g, False)
        if not inside:
            return after
        if size < k.profile.min_text_pt * (1 - TOLERANCE):
            shown = f"{size:.1f}" if round(size, 1) < k.profile.min_text_pt else f"{size:.2f}"
            k.add("text-size", self.pageno, ("size", round(size, 2), fname),
                  f"text at {shown} pt, font {fname}, smaller than {k.profile.min_text_pt:g} pt", xm, ym)
        if size < k.profile.small_text_pt and fill and g.fcs.family != "Pattern":
            inks = k.inks(g.fcs, g.fill)[0]
            if _k_only(inks):
                device_cmyk = g.fcs.kind == "cmyk"
                if not g.op_f or (device_cmyk and g.opm != 1):
                    missing = "overprint is off" if not g.op_f else "overprint mode is 0 (OPM 1 needed)"
                    k.add("black-overprint", self.pageno, ("text", fname),
                          f"black text (100 % K) at {size:.1f} pt does not overprint ({missing}): font {fname}",
                          xm, ym)
            elif _rich_black(inks):
                k.add("rich-black", self.pageno, ("text", _describe(g.fcs, g.fill), fname),
                      f"text at {size:.1f} pt in rich black ({_describe(g.fcs, g.fill)}): font {fname}", xm, ym)
        return after

    def type3(self, font, g: _GState, tm, resources) -> None:
        """The glyph procedures of a Type 3 font, once per font: their colours, images and fonts."""
        key = font.objgen
        if key in self.type3_done:
            return
        self.type3_done.add(key)
        fm = tuple(_num(v) for v in font.get("/FontMatrix", [0.001, 0, 0, 0.001, 0, 0]))
        if len(fm) != 6:
            fm = (0.001, 0, 0, 0.001, 0, 0)
        trm = _mul(_mul(fm, (g.fsize * g.th, 0, 0, g.fsize, 0, g.trise)), _mul(tm, g.ctm))
        res = font.get("/Resources", resources)
        for _name, proc in list(font.get("/CharProcs", {}).items())[:256]:
            gs = g.copy()
            gs.ctm = trm
            gs.clip = None      # each glyph is judged at the text's origin, wherever the string clips it
            self.run(proc, res, gs, "a Type 3 glyph")

    def image(self, g: _GState, img, resources, name: str) -> None:
        """An image XObject or inline image drawn with the current CTM."""
        k = self.k
        m = g.ctm
        corners = [_apply(m, u, v) for u, v in ((0, 0), (1, 0), (0, 1), (1, 1))]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        bbox = (min(xs), min(ys), max(xs), max(ys))
        if g.clip is not None:
            bbox = self.seen(g, bbox, bbox)
            if bbox is None:
                return
        x, y = bbox[0], bbox[3]
        xm, ym = self.mm(x, y)
        inside = self.inside(bbox)
        w = int(_num(img.get("/Width", 0)))
        h = int(_num(img.get("/Height", 0)))
        mask = bool(img.get("/ImageMask", False))
        label = f"image {name} ({w}x{h} px)" if name else f"an inline image ({w}x{h} px)"
        self.alpha(g, True, x, y)
        if "/SMask" in img and str(img.get("/SMask")) != "/None":
            self.transparency(f"{label} with a soft mask (SMask)", x, y)
        if _num(img.get("/SMaskInData", 0)) > 0:
            self.transparency(f"{label} with transparency in its JPEG 2000 data (SMaskInData)", x, y)
        if mask:
            if g.fcs.family != "Pattern":
                self.judge_colour(f"{label} (a stencil mask)", g.fcs, g.fill, x, y, bbox)
        else:
            csobj = img.get("/ColorSpace")
            if csobj is None:
                if "/JPXDecode" in _filters(img):
                    kind = _jpx_colour(img)
                    if kind in _RGBLIKE:
                        k.add("colour", self.pageno, ("img", "jpx", kind), f"{label} in {kind.upper()} "
                              "(JPEG 2000 colour)", xm, ym)
                    elif kind is None:
                        k.add("colour", self.pageno, ("img", "jpx?"), f"{label}: JPEG 2000 whose colour space "
                              "cannot be read", xm, ym, severity=WARNING)
                else:
                    k.add("structure", self.pageno, ("img", "nocs"), f"{label} has no colour space", xm, ym)
            else:
                cs = self.resolve_cs(csobj, resources)
                self.judge_colour(label, cs, cs.initial(), x, y, None)
                if cs.kind == "cmyk" and inside:
                    self.image_ink(img, cs, label, xm, ym)
        if inside and w > 0 and h > 0:
            wpt = math.hypot(m[0], m[1]) * self.uu
            hpt = math.hypot(m[2], m[3]) * self.uu
            if wpt > 0 and hpt > 0:
                dpi = min(w / (wpt / 72), h / (hpt / 72))
                if dpi < k.profile.min_image_dpi - 0.5:
                    k.add("image-resolution", self.pageno, ("dpi", name or id(img), round(dpi)),
                          f"{label} at {dpi:.0f} dpi effective ({wpt / MM:.1f} x {hpt / MM:.1f} mm), below "
                          f"{k.profile.min_image_dpi:.0f} dpi", xm, ym)

    def image_ink(self, img, cs: _CS, label: str, xm: float, ym: float) -> None:
        """The largest total ink of a CMYK image whose samples decode exactly (not JPEG or JPEG 2000)."""
        import pikepdf
        k = self.k
        try:
            if _filters(img) & {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}:
                k.notes.add("the ink of JPEG images is measured only on the rendered separations (--raster)")
                return
            bpc = int(img.get("/BitsPerComponent", 8))
            w, h = int(img.get("/Width")), int(img.get("/Height"))
            if bpc != 8 or w * h > 16_000_000 or "/Decode" in img:
                return
            raw = img.read_bytes()
        except (pikepdf.PdfError, TypeError, ValueError, AttributeError):
            return
        if len(raw) < w * h * 4:
            return
        from PIL import Image, ImageMath
        im = Image.frombytes("CMYK", (w, h), bytes(raw[:w * h * 4]))
        c, m, y, kk = im.split()
        total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=kk)
        peak = total.getextrema()[1] * 100 / 255
        if peak > k.profile.ink_limit + 0.5:
            k.add("ink-limit", self.pageno, ("img", label), f"{label} with up to {peak:.0f} % total ink, more "
                  f"than {k.profile.ink_limit:.0f} %", xm, ym)

    # ------------------------------------------------------------ forms
    def form(self, xobj, resources, ctm, g: _GState, what: str = "form", clip=_INHERIT) -> None:
        """A form XObject (or tiling pattern cell, or annotation appearance) drawn with ``ctm`` (its /Matrix
        included), clipped to its /BBox inside ``clip`` (by default the current clip region)."""
        key = xobj.objgen
        if key in self.stack or len(self.stack) >= MAX_DEPTH:
            self.k.add("structure", self.pageno, ("recursion",),
                       f"a {what} that draws itself or nests more than {MAX_DEPTH} deep was not followed")
            return
        if clip is _INHERIT:
            clip = g.clip
        bbox = _box(xobj.get("/BBox")) if "/BBox" in xobj else None
        if bbox is not None:
            clip = _clip(clip, _rect_through(ctm, bbox))
        group = xobj.get("/Group")
        x, y = ctm[4], ctm[5]
        if group is not None and str(group.get("/S", "")) == "/Transparency" and (clip is None
                                                                                 or _visible(clip, clip)):
            self.transparency(f"a transparency group ({what})", x, y)
        self.stack.append(key)
        try:
            gs = g.copy()
            gs.ctm = ctm
            gs.clip = clip
            self.run(xobj, resources, gs, what)
        finally:
            self.stack.pop()

    # ------------------------------------------------------------ the interpreter
    def run(self, stream, resources, g: _GState, what: str = "page") -> None:
        import pikepdf
        k = self.k
        if k.content_size(stream) > MAX_CONTENT:
            raise _Budget()
        parsed = k.parsed_content(stream)
        if parsed is None:
            try:
                instructions = pikepdf.parse_content_stream(stream)
            except (pikepdf.PdfError, TypeError, ValueError, IndexError) as exc:
                k.add("structure", self.pageno, ("parse", what), f"the content of a {what} cannot be parsed: {exc}")
                return
            parsed = k.keep_content(stream, instructions)
        instructions, lines = parsed
        saved_base = self.base_ctm
        self.base_ctm = g.ctm
        stack: list[_GState] = []
        tm = tlm = _ID
        drift = (0.0, 0.0)        # how far text shown since the last positioning moved the text position
        path = False              # the current path has points; their box in device space:
        bx0 = by0 = bx1 = by1 = 0.0
        segments = 0              # in the current subpath
        joins = False             # the path has corners (a stroke reaches out as far as the miter limit)
        clipping = False          # W or W*: the path clips once it is painted
        if resources is None:
            resources = pikepdf.Dictionary()
        bad = self.syntax(stream, instructions, lines, resources, what)
        instruction = pikepdf.ContentStreamInstruction
        # the resources do not change while their content is drawn: an ExtGState's effects and a font, by name
        states: dict[str, tuple] = {}
        fonts: dict = {}
        line = None
        sp = -1
        for i, ins in enumerate(instructions):
            self.ops += 1
            if self.ops > MAX_OPS:
                raise _Budget()
            if type(ins) is not instruction and isinstance(ins, pikepdf.ContentStreamInlineImage):
                self.image(g, ins.iimage.obj, resources, "")
                continue
            if lines is not None:
                # the instruction as qpdf writes it: its operands, a space, its operator (see _Check.keep_content)
                line = lines[i]
                sp = line.rfind(b" ")
                op = _OPERATORS.get(line[sp + 1:])
                if op is None and line[sp + 1:].isascii():
                    continue          # an operator that changes nothing judged here
            else:
                op = None
            if op is None:
                try:
                    op = str(ins.operator)
                except UnicodeDecodeError:    # not UTF-8, so no PDF operator: a damaged stream
                    k.add("structure", self.pageno, ("operator", what), f"the content of a {what} has bytes "
                          "that are no PDF operator: it is damaged")
                    continue
                if op not in _HANDLED:
                    continue
            try:
                if op in _NUMERIC:
                    # every operand as a number (_num: 0 where it is none), from the text qpdf writes when each is
                    # a finite number, which is what float() makes of the operand itself
                    nums = content_syntax.numbers(line, sp) if line is not None else None
                    if nums is None:
                        dflt = _NUM_DEFAULT.get(op, 0.0)      # w, M and Tz read one operand
                        nums = [_num(v, dflt) for v in ins.operands]
                    points = None             # a path's new points in device space
                    if op == "re":
                        x0, y0, w, h = nums[:4]
                        c = g.ctm
                        a0, b0, c0, d0, e0, f0 = c
                        x1, y1 = x0 + w, y0 + h
                        # the four corners through the CTM, in the order _apply took them
                        xa, ya = x0 * a0 + y0 * c0 + e0, x0 * b0 + y0 * d0 + f0
                        xb, yb = x1 * a0 + y0 * c0 + e0, x1 * b0 + y0 * d0 + f0
                        xc, yc = x0 * a0 + y1 * c0 + e0, x0 * b0 + y1 * d0 + f0
                        xd, yd = x1 * a0 + y1 * c0 + e0, x1 * b0 + y1 * d0 + f0
                        points = ((xa, ya), (xb, yb), (xc, yc), (xd, yd))
                        # the square corners of an upright rectangle reach no further out than its sides
                        joins = joins or not ((b0 == 0 and c0 == 0) or (a0 == 0 and d0 == 0))
                        segments = 0
                    elif op == "l" or op == "m":
                        px, py = nums[0], nums[1]
                        c = g.ctm
                        points = ((px * c[0] + py * c[2] + c[4], px * c[1] + py * c[3] + c[5]),)
                        if op == "m":
                            segments = 0
                        else:
                            segments += 1
                            joins = joins or segments > 1
                    elif op == "c" or op == "v" or op == "y":
                        c = g.ctm
                        points = [(px * c[0] + py * c[2] + c[4], px * c[1] + py * c[3] + c[5])
                                  for px, py in zip(nums[0:-1:2], nums[1::2])]
                        segments += 1
                        joins = joins or segments > 1
                    elif op == "k" or op == "K" or op == "g" or op == "G" or op == "rg" or op == "RG":
                        cs = _SET_COLOUR[op]
                        vals = tuple(nums)
                        if op.islower():
                            g.fcs, g.fill = cs, vals
                        else:
                            g.scs, g.stroke = cs, vals
                    elif op == "Tm":
                        tm = tlm = tuple(nums[:6])
                        drift = (0.0, 0.0)
                    elif op == "Ts":
                        g.trise = nums[0]
                    elif op == "w":
                        g.lw = nums[0]
                    elif op == "cm":
                        g.ctm = _mul(tuple(nums[:6]), g.ctm)
                    elif op == "Td" or op == "TD":
                        tx, ty = nums[0], nums[1]
                        if op == "TD":
                            g.tl = -ty
                        tlm = tm = _mul((1, 0, 0, 1, tx, ty), tlm)
                        drift = (0.0, 0.0)
                    elif op == "j":
                        g.lj = int(nums[0])
                    elif op == "M":
                        g.ml = max(1.0, nums[0])
                    elif op == "TL":
                        g.tl = nums[0]
                    elif op == "Tc":
                        g.tc = nums[0]
                    elif op == "Tw":
                        g.tw = nums[0]
                    elif op == "Tz":
                        g.th = nums[0] / 100
                    elif op == "Tr":
                        g.tr = int(nums[0])
                    if points is not None:
                        # min() and max() as the box grew point by point (b < a replaces a, b > a replaces a)
                        for x, y in points:
                            if not path:
                                bx0 = bx1 = x
                                by0 = by1 = y
                                path = True
                            else:
                                if x < bx0:
                                    bx0 = x
                                if y < by0:
                                    by0 = y
                                if x > bx1:
                                    bx1 = x
                                if y > by1:
                                    by1 = y
                    continue
                if op == "TJ":
                    n = 0
                    back = ahead = 0.0
                    shown = content_syntax.shown(line, sp, g.fsize, g.th) if line is not None else None
                    if shown is not None:
                        n, back, ahead = shown
                    else:
                        for x in ins.operands[0]:
                            if isinstance(x, pikepdf.String):
                                n += len(bytes(x))
                            else:
                                d = -_num(x) / 1000 * g.fsize * g.th
                                if d < 0:
                                    back += d
                                else:
                                    ahead += d
                    drift = self.show_text(g, tm, n, resources, drift, (back, ahead))
                elif op == "gs":
                    name = str(ins.operands[0])
                    effects = states.get(name)
                    if effects is None:
                        effects, error = self.gs_effects(resources.get("/ExtGState", {}).get(name))
                        if error is not None:
                            # what it sets before the error is set; the error is reported as any other
                            for attr, value in effects:
                                setattr(g, attr, value)
                            raise error
                        states[name] = effects
                    for attr, value in effects:
                        setattr(g, attr, value)
                elif op == "BT":
                    tm = tlm = _ID
                    drift = (0.0, 0.0)
                elif op == "Tf":
                    a = ins.operands
                    name = str(a[0])
                    font = fonts.get(name, fonts)
                    if font is fonts:
                        font = fonts[name] = resources.get("/Font", {}).get(name)
                    g.font = font
                    g.fsize = _num(a[1])
                    g.fontname = name
                elif op in _PAINT:
                    if op == "s" or op == "b" or op == "b*":
                        joins = joins or segments > 0
                    path_box = (bx0, by0, bx1, by1) if path else None
                    if op != "n":
                        self.paint_path(g, path_box, op != "S" and op != "s", op != "f" and op != "F" and op != "f*",
                                        resources, joins)
                    if clipping:      # the clip takes effect after the path is painted (ISO 32000 8.5.4)
                        g.clip = _clip(g.clip, path_box if path_box is not None else _NOWHERE)
                        clipping = False
                    path = False
                    segments = 0
                    joins = False
                elif op == "h":
                    joins = joins or segments > 0
                    segments = 0
                elif op == "q":
                    stack.append(g.copy())
                elif op == "Q":
                    if stack:
                        g = stack.pop()
                elif op == "W" or op == "W*":
                    clipping = True
                elif op == "Do":
                    self.do(g, str(ins.operands[0]), resources)
                elif op == "cs" or op == "CS":
                    cs = self.resolve_cs(ins.operands[0], resources)
                    if op == "cs":
                        g.fcs, g.fill, g.fpattern = cs, cs.initial(), None
                    else:
                        g.scs, g.stroke, g.spattern = cs, cs.initial(), None
                elif op == "sc" or op == "scn" or op == "SC" or op == "SCN":
                    a = ins.operands
                    vals = tuple(_num(v) for v in a if not isinstance(v, pikepdf.Name))
                    pat = None
                    if a and isinstance(a[-1], pikepdf.Name):
                        pat = resources.get("/Pattern", {}).get(str(a[-1]))
                    if op.islower():
                        g.fill, g.fpattern = (vals or g.fill), pat
                    else:
                        g.stroke, g.spattern = (vals or g.stroke), pat
                elif op == "T*":
                    tlm = tm = _mul((1, 0, 0, 1, 0, -g.tl), tlm)
                    drift = (0.0, 0.0)
                elif op == "Tj" or op == "'" or op == '"':
                    a = ins.operands
                    if op != "Tj":
                        tlm = tm = _mul((1, 0, 0, 1, 0, -g.tl), tlm)
                        drift = (0.0, 0.0)
                    if op == '"':
                        g.tw, g.tc = _num(a[0]), _num(a[1])
                    s = a[-1]
                    drift = self.show_text(g, tm, len(bytes(s)) if isinstance(s, pikepdf.String) else 0, resources,
                                           drift)
                elif op == "sh":
                    sh = resources.get("/Shading", {}).get(str(ins.operands[0]))
                    if sh is not None:
                        # sh paints the clip region, and no more than the shading's own BBox
                        area = g.clip
                        sbox = _box(sh.get("/BBox")) if "/BBox" in sh else None
                        if sbox is not None:
                            area = _clip(area, _rect_through(g.ctm, sbox))
                        if area is None:
                            self.alpha(g, True, g.ctm[4], g.ctm[5])
                            self.shading(sh, resources, g.ctm[4], g.ctm[5])
                        elif not _visible(area, area):
                            self.clipped_objects += 1
                        else:
                            self.alpha(g, True, area[0], area[3])
                            self.shading(sh, resources, area[0], area[3], bbox=area)
            except _Budget:
                raise
            except (IndexError, TypeError, ValueError, AttributeError, KeyError, pikepdf.PdfError):
                if i not in bad:          # its syntax was reported
                    k.add("structure", self.pageno, ("operands", op),
                          f"the operator '{op}' in a {what} has operands that cannot be read", severity=WARNING)
        self.base_ctm = saved_base

    def syntax(self, stream, instructions, lines, resources, what: str) -> frozenset:
        """The syntax of a content stream (leaflets.content_syntax), judged once for each stream: what is
        wrong is an error of the file's structure.  Returns the places of the instructions whose operands
        are wrong."""
        k = self.k
        key = _objgen(stream)
        found = k.syntax_bad.get(key) if key is not None else None
        if found is not None:
            return found
        problems = content_syntax.check(instructions, resources, glyph=what == "a Type 3 glyph", lines=lines)
        where = what if what.startswith("a ") else f"a {what}"
        for p in problems:
            k.add("structure", self.pageno, ("syntax", p.kind, p.op),
                  f"the content of {where}: {p.message} (instruction {p.index + 1} of {len(instructions)})",
                  severity=None if p.error else WARNING)
        found = frozenset(p.index for p in problems if p.kind == "operands")
        if key is not None:
            k.syntax_bad[key] = found
        return found

    def do(self, g: _GState, name: str, resources) -> None:
        import pikepdf
        xobj = resources.get("/XObject", {}).get(name)
        if not isinstance(xobj, pikepdf.Stream):
            return
        sub = str(xobj.get("/Subtype", ""))
        if sub == "/Image":
            self.image(g, xobj, resources, name)
        elif sub == "/Form":
            matrix = tuple(_num(v) for v in xobj.get("/Matrix", [1, 0, 0, 1, 0, 0]))
            if len(matrix) != 6:
                matrix = _ID
            self.form(xobj, xobj.get("/Resources", resources), _mul(matrix, g.ctm), g, f"form {name}")

    def gs_effects(self, gs) -> tuple[tuple, Exception | None]:
        """What an ExtGState dictionary sets (see _gs_effects), once for each ExtGState object, and None; or,
        where reading it fails part way, what it sets before the error, and the error."""
        if gs is None:
            return (), None
        key = _objgen(gs)
        effects = self.k.gs_effects.get(key) if key is not None else None
        if effects is None:
            found: list = []
            try:
                _gs_effects(gs, found)
            except Exception as exc:
                return tuple(found), exc
            effects = tuple(found)
            if key is not None:
                self.k.gs_effects[key] = effects
        return effects, None


def _gs_effects(gs, out: list) -> None:
    """What the ExtGState dictionary ``gs`` sets in a graphics state, appended to ``out`` in order as
    (attribute, value) pairs (none for a line width that is no number, which leaves the width as it was);
    an entry that cannot be read raises, ``out`` holding what comes before it."""
    if "/LW" in gs:
        lw = _num(gs.get("/LW"), None)
        if lw is not None:
            out.append(("lw", lw))
    if "/OP" in gs:
        op = bool(gs.get("/OP"))
        out.append(("op_s", op))
        if "/op" not in gs:
            out.append(("op_f", op))
    if "/op" in gs:
        out.append(("op_f", bool(gs.get("/op"))))
    if "/OPM" in gs:
        out.append(("opm", int(_num(gs.get("/OPM")))))
    if "/CA" in gs:
        out.append(("ca_s", _num(gs.get("/CA"), 1.0)))
    if "/ca" in gs:
        out.append(("ca_f", _num(gs.get("/ca"), 1.0)))
    if "/BM" in gs:
        bm = gs.get("/BM")
        try:
            names = [str(x)[1:] for x in bm] if not str(bm).startswith("/") else [str(bm)[1:]]
        except TypeError:
            names = [str(bm)[1:]]
        out.append(("bm", names[0] if names else "Normal"))
    if "/SMask" in gs:
        out.append(("smask", str(gs.get("/SMask")) != "/None"))
    if "/LJ" in gs:
        out.append(("lj", int(_num(gs.get("/LJ")))))
    if "/ML" in gs:
        out.append(("ml", max(1.0, _num(gs.get("/ML"), 10.0))))
    if "/Font" in gs:
        try:
            font, size = gs["/Font"][0], _num(gs["/Font"][1])
        except (IndexError, TypeError):
            pass
        else:
            out.append(("font", font))
            out.append(("fsize", size))


def _font_reach(font) -> tuple | None:
    """(least advance, largest advance, glyph box x0, y0, x1, y1) of a font's glyphs, in text space for a font
    size of 1: from its widths (/Widths, or /W and /DW) and /FontBBox (the glyph box is generous where the
    FontBBox is missing or empty); None where the font does not say (no widths, vertical writing)."""
    import pikepdf
    try:
        sub = str(font.get("/Subtype", ""))
        fm = None
        if sub == "/Type0":
            enc = font.get("/Encoding")
            if isinstance(enc, pikepdf.Name):
                if str(enc).endswith("-V"):
                    return None
            elif isinstance(enc, pikepdf.Stream):
                if int(_num(enc.get("/WMode", 0))) != 0:
                    return None
            else:
                return None
            desc_font = font["/DescendantFonts"][0]
            widths = [_num(desc_font.get("/DW", 1000), 1000.0)]
            items = list(desc_font.get("/W", []))
            i = 0
            while i < len(items):
                if i + 1 < len(items) and isinstance(items[i + 1], pikepdf.Array):
                    widths.extend(_num(v) for v in items[i + 1])
                    i += 2
                else:
                    if i + 2 < len(items):
                        widths.append(_num(items[i + 2]))
                    i += 3
            desc = desc_font.get("/FontDescriptor")
            fbox = desc.get("/FontBBox") if desc is not None else None
        else:
            if "/Widths" not in font:
                return None
            widths = [_num(v) for v in font["/Widths"]]
            desc = font.get("/FontDescriptor")
            if desc is not None:
                widths.append(_num(desc.get("/MissingWidth", 0)))
            if sub == "/Type3":
                fm = tuple(_num(v) for v in font.get("/FontMatrix", []))
                if len(fm) != 6 or abs(fm[1]) > 1e-9:     # glyphs that advance upwards too
                    return None
                fbox = font.get("/FontBBox")
            else:
                fbox = desc.get("/FontBBox") if desc is not None else None
        box = _box(fbox) if fbox is not None else None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, pikepdf.PdfError):
        return None
    if not widths:
        return None
    if fm is not None:
        wmin, wmax = sorted((min(widths) * fm[0], max(widths) * fm[0]))
        if box is not None:
            box = _rect_through(fm, box)
    else:
        wmin, wmax = min(widths) / 1000, max(widths) / 1000
        if box is not None:
            box = tuple(v / 1000 for v in box)
    if box is None or box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        box = (min(0.0, wmin) - 1.0, -1.0, max(1.0, wmax) + 1.0, 2.0)
    return (wmin, wmax) + tuple(box)


def _filters(stream) -> set[str]:
    """The names of a stream's filters."""
    import pikepdf
    f = stream.get("/Filter")
    if f is None:
        return set()
    return {str(x) for x in f} if isinstance(f, pikepdf.Array) else {str(f)}


def _jpx_colour(img) -> str | None:
    """The colour of a JPEG 2000 image from its 'colr' box: rgb, gray, cmyk, lab, or None."""
    try:
        data = bytes(img.read_raw_bytes()[:65536])
    except Exception:
        return None
    i = data.find(b"colr")
    if i < 0 or i + 11 > len(data):
        return None
    if data[i + 4] != 1:
        return "unknown icc"
    enum = int.from_bytes(data[i + 7:i + 11], "big")
    return {16: "rgb", 18: "rgb", 21: "rgb", 17: "gray", 12: "cmyk", 14: "lab"}.get(enum)


# ---------------------------------------------------------------- the check

class _Check:
    """The findings of one file, merged by what they are about."""

    def __init__(self, profile: Profile, name: str):
        self.profile = profile
        self.report = Report(name, profile.name)
        self._found: dict[tuple, Finding] = {}
        self.fonts: dict[tuple, dict] = {}       # objgen -> font info
        self.notes: set[str] = set()
        self.pdfx: str | None = None
        self.x1a = False
        self.no_transparency = False
        self.geometry: list[dict] = []
        # what the walker learns of an object once, by its object number: a content stream's decoded size, a
        # page's or form's content parsed (with the text qpdf writes of it), a font's metrics and name
        self.sizes: dict[tuple, int] = {}
        self.contents: dict[tuple, tuple] = {}
        self.kept_ops = 0
        self.syntax_bad: dict[tuple, frozenset] = {}    # content stream -> its instructions with wrong operands
        self.gs_effects: dict[tuple, tuple] = {}     # ExtGState -> what it sets (_gs_effects)
        self.metrics: dict[tuple, tuple | None] = {}  # font -> how far its glyphs can reach (_font_reach)
        self.type3s: dict[tuple, bool] = {}          # font -> whether it is a Type 3 font
        self.bases: dict[tuple, str] = {}            # font -> its /BaseFont, for font_label
        self.ink_cache: dict[tuple, tuple] = {}      # (device colour space, values) -> (_inks, _tac)

    def add(self, rule: str, page: int | None, key: tuple, message: str, x_mm: float | None = None,
            y_mm: float | None = None, severity: str | None = None) -> None:
        k = (rule, page, key)
        f = self._found.get(k)
        if f is not None:
            f.count += 1
            return
        sev = self.profile.severity.get(rule, ERROR)
        if sev == OFF:
            return
        if severity is not None and sev != INFO:
            # a finding that is a warning by nature stays one; an error is softened by the profile
            sev = WARNING if WARNING in (severity, sev) else severity
        self._found[k] = Finding(rule, sev, page, message, FIX.get(rule, ""), x_mm, y_mm)

    def font_label(self, font, resname: str | None) -> str:
        if font is None:
            return resname or "?"
        key = _objgen(font)
        base = self.bases.get(key) if key is not None else None
        if base is None:
            base = str(font.get("/BaseFont", ""))[1:]
            if key is not None:
                self.bases[key] = base
        return f"{resname} ({base})" if resname else base

    def is_type3(self, font) -> bool:
        """font.get("/Subtype") == "/Type3", once for each font object."""
        key = _objgen(font)
        found = self.type3s.get(key) if key is not None else None
        if found is None:
            found = font.get("/Subtype") == "/Type3"
            if key is not None:
                self.type3s[key] = found
        return found

    def inks(self, cs: _CS, values: tuple) -> tuple:
        """(_inks(cs, values), and their _tac() where there are inks), once for each colour of a device space."""
        if cs in _DEVICE_SPACES and type(values) is tuple:
            key = (cs, values)
            found = self.ink_cache.get(key)
            if found is None:
                inks = _inks(cs, values)
                found = (inks, _tac(inks) if inks is not None else None)
                if len(self.ink_cache) < 65536:
                    self.ink_cache[key] = found
            return found
        inks = _inks(cs, values)
        return inks, (_tac(inks) if inks is not None else None)

    def use_font(self, font, resname: str, page: int) -> None:
        if font is None:
            self.add("structure", page, ("nofont", resname), f"text uses the font {resname}, which is not in the "
                                                              "page's resources")
            return
        try:
            key = font.objgen
        except Exception:
            key = (id(font), 0)
        if key in self.fonts:
            return
        self.fonts[key] = {"font": font, "resname": resname, "page": page}

    def findings(self) -> list[Finding]:
        return list(self._found.values())

    def content_size(self, stream) -> int:
        """_content_bytes(), each content stream decoded once."""
        return _content_bytes(stream, self.sizes)

    def parsed_content(self, stream) -> tuple | None:
        """(instructions, lines) of a page's or form's content parsed before (see keep_content), or None; a
        page's is given once (a page is drawn once)."""
        import pikepdf
        key = _objgen(stream)
        if key is None:
            return None
        if isinstance(stream, pikepdf.Page):
            found = self.contents.pop(key, None)
            if found is not None:
                self.kept_ops -= len(found[0])
            return found
        return self.contents.get(key)

    def keep_content(self, stream, instructions: list) -> tuple:
        """(instructions, lines): the instructions pikepdf.parse_content_stream() gave for ``stream``, and the
        text qpdf writes of each (pikepdf.unparse_content_stream(), one line each: operands and operator, each
        followed by a space but the last), or None for lines where that text is not one line each (an inline
        image's data).  Kept for the stream's object (its content does not change while the file is checked)
        up to MAX_KEPT_OPS instructions."""
        import pikepdf
        lines = None
        try:
            text = pikepdf.unparse_content_stream(instructions)
        except Exception:       # an instruction qpdf cannot write again: the walker reads the objects
            text = None
        if text is not None:
            lines = text.split(b"\n")
            if len(lines) != len(instructions):
                lines = None
        parsed = (instructions, lines)
        key = _objgen(stream)
        if key is not None and self.kept_ops + len(instructions) <= MAX_KEPT_OPS:
            self.contents[key] = parsed
            self.kept_ops += len(instructions)
        return parsed


def _objgen(obj) -> tuple | None:
    """The object number and generation of an indirect object (a page: its dictionary's), else None."""
    import pikepdf
    try:
        key = obj.obj.objgen if isinstance(obj, pikepdf.Page) else obj.objgen
    except Exception:
        return None
    return key if key != (0, 0) else None


def _font_program(font):
    """(subtype, FontDescriptor, font file stream or None) of a font dictionary."""
    sub = str(font.get("/Subtype", ""))
    desc_font = font
    if sub == "/Type0":
        try:
            desc_font = font["/DescendantFonts"][0]
        except (KeyError, IndexError, TypeError):
            return sub, None, None, font
    desc = desc_font.get("/FontDescriptor")
    if desc is None:
        return sub, None, None, desc_font
    for key in ("/FontFile2", "/FontFile3", "/FontFile"):
        if key in desc:
            return sub, desc, desc[key], desc_font
    return sub, desc, None, desc_font


def _check_fonts(k: _Check) -> None:
    import hashlib
    tags: dict[str, dict[str, list[str]]] = {}
    for info in k.fonts.values():
        font, page = info["font"], info["page"]
        try:
            sub, desc, program, desc_font = _font_program(font)
        except Exception:
            continue
        base = str(desc_font.get("/BaseFont", font.get("/BaseFont", "")))[1:]
        label = f"{info['resname']} ({base})"
        if sub == "/Type3":
            continue
        if program is None:
            k.add("fonts-embedded", page, ("font", base), f"the font {label} is not embedded"
                  + (" (a standard font, referenced by name only)" if desc is None else ""))
            continue
        m = re.match(r"([A-Z]{6})\+", base)
        if m:
            try:
                digest = hashlib.sha256(bytes(program.read_raw_bytes())).hexdigest()
            except Exception:
                digest = repr(program.objgen)
            tags.setdefault(m.group(1), {}).setdefault(digest, []).append(base)
    for tag, programs in sorted(tags.items()):
        if len(programs) > 1:
            names = sorted({n for names in programs.values() for n in names})
            k.add("font-subsets", None, ("tag", tag),
                  f"the subset tag {tag} is used by {len(programs)} different font subsets ({', '.join(names[:4])}"
                  f"{', …' if len(names) > 4 else ''}): ISO 32000 requires different subsets to have different tags")


# ---------------------------------------------------------------- PDF/X markers

_PDFX_MAX_VERSION = {"PDF/X-1:2001": "1.3", "PDF/X-1a:2001": "1.3", "PDF/X-1a:2003": "1.4", "PDF/X-3:2002": "1.3",
                     "PDF/X-3:2003": "1.4", "PDF/X-4": "1.6", "PDF/X-4p": "1.6", "PDF/X-5g": "1.6",
                     "PDF/X-5pg": "1.6", "PDF/X-5n": "1.6", "PDF/X-6": "2.0", "PDF/X-6p": "2.0", "PDF/X-6n": "2.0"}
_NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfxid": "http://www.npes.org/pdfx/ns/id/",
       "pdfx": "http://ns.adobe.com/pdfx/1.3/", "pdf": "http://ns.adobe.com/pdf/1.3/",
       "xmpMM": "http://ns.adobe.com/xap/1.0/mm/"}


def _xmp_values(data: bytes) -> dict[str, str] | None:
    """The simple properties of an XMP packet, by prefix:name (attributes and elements), or None if unreadable."""
    from lxml import etree
    from .render.pdfx import LEAFLETS_NS
    ns = dict(_NS, leaflets=LEAFLETS_NS)
    rev = {v: k for k, v in ns.items()}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data.strip(b"\x00 \r\n\t"), parser)
    except etree.XMLSyntaxError:
        try:
            start = data.index(b"<x:xmpmeta")
            end = data.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
            root = etree.fromstring(data[start:end], parser)
        except (ValueError, etree.XMLSyntaxError):
            return None
    out: dict[str, str] = {}
    for desc in root.iter("{%s}Description" % _NS["rdf"]):
        for attr, value in desc.attrib.items():
            if attr.startswith("{"):
                uri, local = attr[1:].split("}", 1)
                if uri in rev:
                    out[f"{rev[uri]}:{local}"] = value
        for child in desc:
            if not isinstance(child.tag, str) or not child.tag.startswith("{"):
                continue
            uri, local = child.tag[1:].split("}", 1)
            if uri in rev:
                out[f"{rev[uri]}:{local}"] = "".join(child.itertext()).strip()
    return out


def _stream_head(stream, n: int) -> bytes:
    """The first ``n`` decoded bytes of a stream, inflating no more than needed when it is only Flate-compressed."""
    import pikepdf
    filters = stream.get("/Filter")
    if filters == pikepdf.Name.FlateDecode and "/DecodeParms" not in stream:
        return zlib.decompressobj().decompress(bytes(stream.read_raw_bytes()[:4096]), n)
    return bytes(stream.read_bytes()[:n])


def _check_pdfx(k: _Check, pdf, xmp: dict | None, has_xmp: bool) -> None:
    import pikepdf
    info = pdf.trailer.get("/Info") or pikepdf.Dictionary()
    version = str(pdf.pdf_version)
    iv = str(info.get("/GTS_PDFXVersion")) if "/GTS_PDFXVersion" in info else None
    ic = str(info.get("/GTS_PDFXConformance")) if "/GTS_PDFXConformance" in info else None
    xv = (xmp or {}).get("pdfxid:GTS_PDFXVersion") or (xmp or {}).get("pdfx:GTS_PDFXVersion")
    claimed = xv or iv
    k.pdfx = claimed
    k.report.pdfx = claimed + (f" ({ic})" if ic and ic != claimed else "") if claimed else None
    intents = [oi for oi in (pdf.Root.get("/OutputIntents") or []) if str(oi.get("/S", "")) == "/GTS_PDFX"]
    if not claimed:
        if k.profile.require_pdfx:
            k.add("pdfx", None, ("none",), "not a PDF/X file: no GTS_PDFXVersion in the Info dictionary or XMP"
                  + ("" if intents else ", and no OutputIntent (/S /GTS_PDFX) naming the output condition"))
        elif intents:
            k.add("pdfx", None, ("intent-only",), "an OutputIntent is set but the file states no PDF/X version",
                  severity=WARNING)
        return
    x1 = claimed.startswith("PDF/X-1") or (ic or "").startswith("PDF/X-1a")
    x3 = claimed.startswith("PDF/X-3")
    x4 = claimed.startswith("PDF/X-4") or claimed.startswith("PDF/X-5") or claimed.startswith("PDF/X-6")
    k.x1a = x1
    k.no_transparency = x1 or x3
    if claimed not in _PDFX_MAX_VERSION:
        k.add("pdfx", None, ("unknown", claimed), f"the PDF/X version '{claimed}' is not one this check knows "
                                                   f"({', '.join(sorted(_PDFX_MAX_VERSION))})")
    else:
        limit = _PDFX_MAX_VERSION[claimed]
        if tuple(map(int, version.split(".")[:2])) > tuple(map(int, limit.split("."))):
            k.add("pdfx", None, ("version",), f"{claimed} is based on PDF {limit}, but the file is PDF {version}")
    if iv and xv and iv != xv:
        k.add("pdfx", None, ("mismatch",), f"Info says {iv} but XMP says {xv}")
    if claimed == "PDF/X-1:2001" and ic != "PDF/X-1a:2001":
        k.add("pdfx", None, ("conformance",), "PDF/X-1:2001 without GTS_PDFXConformance 'PDF/X-1a:2001' in the "
                                              f"Info dictionary (found: {ic or 'none'})")
    if (x1 or x3) and not iv:
        k.add("pdfx", None, ("info-version",), f"{claimed}: the Info dictionary has no GTS_PDFXVersion")
    if x4 and not has_xmp:
        k.add("pdfx", None, ("xmp",), f"{claimed} requires XMP metadata stating pdfxid:GTS_PDFXVersion; the file "
                                      "has none")
    elif x4 and xmp is not None and not (xmp.get("pdfxid:GTS_PDFXVersion")):
        k.add("pdfx", None, ("xmp-version",), f"{claimed}: the XMP metadata has no pdfxid:GTS_PDFXVersion")
    elif has_xmp and xmp is None:
        k.add("pdfx", None, ("xmp-broken",), "the XMP metadata cannot be parsed")
    trapped = info.get("/Trapped")
    if trapped is None or str(trapped) not in ("/True", "/False"):
        found = "not set" if trapped is None else f"{trapped}"
        k.add("pdfx", None, ("trapped",), f"/Trapped in the Info dictionary is {found}: PDF/X needs /True or /False")
    elif xmp is not None and xmp.get("pdf:Trapped") and xmp.get("pdf:Trapped") != str(trapped)[1:]:
        k.add("pdfx", None, ("trapped-xmp",), f"/Trapped is {trapped} in Info but {xmp.get('pdf:Trapped')} in XMP")
    if (x1 or x3) and not str(info.get("/Title", "")):
        k.add("pdfx", None, ("title",), f"{claimed} requires a /Title in the Info dictionary")
    if not intents:
        k.add("pdfx", None, ("intent",), "no OutputIntent with /S /GTS_PDFX: the output condition is not named")
        return
    if len(intents) > 1:
        k.add("pdfx", None, ("intents",), f"{len(intents)} PDF/X OutputIntents; PDF/X allows exactly one")
    oi = intents[0]
    ident = str(oi.get("/OutputConditionIdentifier", ""))
    if not ident:
        k.add("pdfx", None, ("ident",), "the OutputIntent has no OutputConditionIdentifier")
    profile = oi.get("/DestOutputProfile")
    if profile is not None:
        try:
            n = int(profile.get("/N", 0))
            head = _stream_head(profile, 40)
        except (pikepdf.PdfError, TypeError, ValueError, zlib.error):
            n, head = 0, b""
        if n != 4 or head[16:20] != b"CMYK":
            k.add("pdfx", None, ("profile-n",), f"the OutputIntent's profile is not CMYK (N={n}, colour space "
                                                f"'{head[16:20].decode('latin-1').strip() or '?'}')")
        elif head[12:16] != b"prtr":
            k.add("pdfx", None, ("profile-class",), "the OutputIntent's profile is not an output ('prtr') profile")
    else:
        if x4:
            k.add("pdfx", None, ("profile",), f"{claimed} requires the OutputIntent to embed its ICC profile "
                                              "(DestOutputProfile)")
        elif ident in ("", "Custom") or not str(oi.get("/RegistryName", "")):
            k.add("pdfx", None, ("registered",), f"the OutputIntent names '{ident or '?'}' without a registry "
                                                 "(RegistryName) and embeds no profile")


# ---------------------------------------------------------------- QR codes

_QR_FORMATS = ("QRCode", "MicroQRCode")


def _modules(code) -> int | None:
    v = str((getattr(code, "extra", None) or {}).get("Version", ""))
    fmt = str(code.format)
    m = re.fullmatch(r"M?(\d+)", v)
    if not m:
        return None
    n = int(m.group(1))
    if "Micro" in fmt or v.startswith("M"):
        return 9 + 2 * n
    return 17 + 4 * n


def _corners(code) -> list[tuple[float, float]]:
    p = code.position
    return [(pt.x, pt.y) for pt in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]


MAX_QR_PAGES = 200      # pages of one file rendered to look for QR codes (each takes about 30 ms)
ZONE_DPI = 150            # zones (see QrZones) are searched at this resolution


@dataclass
class QrZones:
    """Where QR codes can be, for a caller that knows it: ``boxes`` maps a page number (from 1) to boxes
    (x0, y0, x1, y1, PDF user space) to search instead of the whole page, and ``memo`` keeps what each zone
    held, keyed by the zone, the page's boxes, the profile and the sha256 of the zone's raster at
    :data:`ZONE_DPI`: a zone whose raster is the same pixel for pixel holds the same codes, with the same
    module size and quiet zone (a zone must reach six modules beyond a code for its measure to be kept, as
    far as the measure looks).  A batch passes its design's QR regions and the spec's contact slot, the
    only part of an official page a spec changes, once the whole page has been searched."""

    boxes: dict[int, list[tuple[float, float, float, float]]]
    memo: dict | None = None
    MEMO_SIZE = 256

    def remember(self, key, value) -> None:
        if self.memo is None:
            return
        if len(self.memo) >= self.MEMO_SIZE:
            self.memo.clear()
        self.memo[key] = value


def zone_rasters(page, media, boxes, dpi: float) -> list[tuple]:
    """The ``boxes`` of a pypdfium2 page rendered in grey at ``dpi``, one render each: for each box with
    something of it on the page, (its image, the scale, the box clipped to the media box)."""
    scale = dpi / 72
    out = []
    for box in boxes:
        x0, y0 = max(media[0], box[0]), max(media[1], box[1])
        x1, y1 = min(media[2], box[2]), min(media[3], box[3])
        if x1 - x0 < 1 or y1 - y0 < 1:
            continue
        crop = (x0 - media[0], y0 - media[1], media[2] - x1, media[3] - y1)
        img = page.render(scale=scale, crop=crop, grayscale=True).to_pil()
        out.append((img, scale, (x0, y0, x1, y1)))
    return out


def zone_codes(data: bytes, boxes: dict[int, list[tuple[float, float, float, float]]], dpi: float = 150,
               memo: dict | None = None) -> dict[int, list[str]]:
    """The QR codes zxing-cpp reads in the zones ``boxes`` (page number from 1 -> boxes in PDF user space)
    of the PDF ``data``, rendered at ``dpi``: page number -> texts.  ``memo`` (any dict) keeps the texts of
    each zone by the sha256 of its raster, so that a zone drawn the same is decoded once."""
    import pypdfium2 as pdfium
    import zxingcpp
    formats = [getattr(zxingcpp.BarcodeFormat, f) for f in _QR_FORMATS]
    out: dict[int, list[str]] = {}
    zones = QrZones(boxes, memo)
    doc = pdfium.PdfDocument(data)
    try:
        for pageno in sorted(boxes):
            if not 1 <= pageno <= len(doc):
                continue
            page = doc[pageno - 1]
            try:
                media = tuple(page.get_mediabox())
                texts = out.setdefault(pageno, [])
                for img, _scale, clipped in zone_rasters(page, media, boxes[pageno], dpi):
                    key = ("codes", pageno, clipped, media, dpi, img.size,
                           hashlib.sha256(img.tobytes()).digest())
                    found = memo.get(key) if memo is not None else None
                    if found is None:
                        found = tuple(c.text for c in zxingcpp.read_barcodes(img, formats=formats) if c.valid)
                        zones.remember(key, found)
                    texts += found
            finally:
                page.close()
    finally:
        doc.close()
    return out


def _check_qr(k: _Check, data: bytes, geometry: list[dict], mode: str, expect: list[str] | None,
              zones: QrZones | None = None) -> None:
    """Find QR codes on rasters of every page (or of the ``zones`` only), measure module size and quiet zone
    on a finer raster."""
    import pypdfium2 as pdfium
    import zxingcpp
    formats = [getattr(zxingcpp.BarcodeFormat, f) for f in _QR_FORMATS]
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        k.add("qr", None, ("pdfium",), f"the pages could not be rendered to look for QR codes: {exc}",
              severity=WARNING)
        return
    found_texts: list[str] = []
    try:
        for pageno, geo in enumerate(geometry, start=1):
            if pageno > MAX_QR_PAGES and zones is None:
                k.add("qr", None, ("pages",), f"pages {MAX_QR_PAGES + 1} to {len(geometry)} were not rendered to "
                                              f"look for QR codes: the search renders at most {MAX_QR_PAGES} pages "
                                              "of a file", severity=WARNING)
                break
            if geo.get("unrendered"):
                k.add("qr", pageno, ("unrendered",), f"the page was not rendered to look for QR codes: a content "
                                                     f"stream of more than {MAX_CONTENT >> 20} MB",
                      severity=WARNING)
                continue
            page = doc[pageno - 1]
            if zones is not None:
                try:
                    found_texts += _zone_qr(k, page, pageno, geo, zones, formats)
                finally:
                    page.close()
                continue
            try:
                seen: list[tuple[str, tuple]] = []
                passes = (100,) if mode == "fast" else (100, 300)
                for dpi in passes:
                    media = geo["media"]
                    scale = dpi / 72
                    if (media[2] - media[0]) * scale * (media[3] - media[1]) * scale > 40e6:
                        scale = math.sqrt(40e6 / ((media[2] - media[0]) * (media[3] - media[1])))
                    img = page.render(scale=scale, grayscale=True).to_pil()
                    for code in zxingcpp.read_barcodes(img, formats=formats):
                        if not code.valid:
                            continue
                        pts = [(media[0] + x / scale, media[3] - y / scale) for x, y in _corners(code)]
                        box = (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts),
                               max(p[1] for p in pts))
                        if any(t == code.text and abs(b[0] - box[0]) < 3 and abs(b[1] - box[1]) < 3
                               for t, b in seen):
                            continue
                        seen.append((code.text, box))
                        q = _measure_qr(k, page, pageno, geo, code, box)
                        if q is not None:
                            found_texts.append(q.text)
            finally:
                page.close()
    finally:
        doc.close()
    if expect is not None:
        for url in expect:
            if url not in found_texts:
                k.add("qr", None, ("missing", url), f"the QR code for {url} could not be found or decoded on the "
                                                    "rendered page")


def _zone_qr(k: _Check, page, pageno: int, geo: dict, zones: QrZones, formats) -> list[str]:
    """The QR pass over the zones of one page: each zone rendered at ZONE_DPI and searched, every code found
    measured as on a whole page; what a zone held (codes and findings) is kept by its raster."""
    import zxingcpp
    from dataclasses import replace as copied
    media = geo["media"]
    texts: list[str] = []
    for img, scale, (zx0, zy0, zx1, zy1) in zone_rasters(page, media, zones.boxes.get(pageno, ()), ZONE_DPI):
        key = ("measured", pageno, (zx0, zy0, zx1, zy1), tuple(media), tuple(geo["trim"]), geo["uu"],
               tuple(geo.get("placements", ())), k.profile.name, img.size, hashlib.sha256(img.tobytes()).digest())
        hit = zones.memo.get(key) if zones.memo is not None else None
        if hit is not None:
            codes, findings = hit
            for q in codes:
                k.report.qr.append(copied(q))
                texts.append(q.text)
            for fkey, f in findings:
                if fkey in k._found:
                    k._found[fkey].count += f.count
                else:
                    k._found[fkey] = copied(f)
            continue
        before = set(k._found)
        first = len(k.report.qr)
        whole = True           # every code's measure looked inside the zone only
        for code in zxingcpp.read_barcodes(img, formats=formats):
            if not code.valid:
                continue
            pts = [(zx0 + x / scale, zy1 - y / scale) for x, y in _corners(code)]
            cbox = (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))
            n = _modules(code)
            reach = 6 * max(cbox[2] - cbox[0], cbox[3] - cbox[1]) / n if n else float("inf")
            if (cbox[0] - reach < zx0 and zx0 > media[0]) or (cbox[1] - reach < zy0 and zy0 > media[1]) or \
                    (cbox[2] + reach > zx1 and zx1 < media[2]) or (cbox[3] + reach > zy1 and zy1 < media[3]):
                whole = False
            q = _measure_qr(k, page, pageno, geo, code, cbox)
            if q is not None:
                texts.append(q.text)
        if whole:
            zones.remember(key, (tuple(copied(q) for q in k.report.qr[first:]),
                                 tuple((fk, copied(k._found[fk])) for fk in k._found if fk not in before)))
    return texts


def _finder_edge(dark, cx: int, cy: int, dx: int, dy: int, steps: int) -> int | None:
    """From a finder pattern's centre, walk outward through its dark centre, light ring and dark ring; the
    coordinate of the ring's outermost dark pixel (None if the pattern is not seen)."""
    w, h = dark.size
    state, last = 0, None
    x, y = cx, cy
    for _ in range(steps):
        if not (0 <= x < w and 0 <= y < h):
            return None
        d = dark.getpixel((x, y)) > 0
        if state == 0 and not d:
            state = 1
        elif state == 1 and d:
            state = 2
        elif state == 2:
            if not d:
                return last
        if d:
            last = x if dx else y
        x += dx
        y += dy
    return None


def _refine_edges(dark, box, module_px: float, bottom_right) -> tuple[float, float, float, float]:
    """The symbol's box (x0, y0, x1 exclusive, y1 exclusive) measured on its finder patterns, which sit at
    every corner but the one nearest the decoder's bottom-right point; ``box`` where they are not seen."""
    x0, y0, x1, y1 = box
    corners = {(0, 0): (x0, y0), (1, 0): (x1 - 1, y0), (0, 1): (x0, y1 - 1), (1, 1): (x1 - 1, y1 - 1)}
    if bottom_right is not None:
        skip = min(corners, key=lambda c: math.dist(corners[c], bottom_right))
    else:
        skip = (1, 1)
    finders = [c for c in corners if c != skip]
    inset = 3.5 * module_px
    steps = int(6 * module_px) + 4
    out = [x0, y0, x1, y1]
    for side, (axis, sign) in {"left": (0, -1), "top": (1, -1), "right": (0, 1), "bottom": (1, 1)}.items():
        want = 0 if sign < 0 else 1
        cands = [c for c in finders if c[axis] == want]
        if not cands:
            continue
        c = cands[0]
        cx = int(round(x0 + inset if c[0] == 0 else x1 - 1 - inset))
        cy = int(round(y0 + inset if c[1] == 0 else y1 - 1 - inset))
        edge = _finder_edge(dark, cx, cy, sign if axis == 0 else 0, sign if axis == 1 else 0, steps)
        if edge is None or abs(edge - (box[axis] if sign < 0 else box[axis + 2] - 1)) > module_px:
            continue
        if sign < 0:
            out[axis] = edge
        else:
            out[axis + 2] = edge + 1
    return tuple(out)


def _placements(obj) -> list[tuple[float, float, float, float]]:
    """The trims of the pages imposed on a sheet (``leaflets impose`` records them in the page's
    /PieceInfo /Leaflets /Private /Placements), as user-space boxes; [] for any other page."""
    import pikepdf
    try:
        piece = obj.get("/PieceInfo")
        data = piece.get("/Leaflets") if isinstance(piece, pikepdf.Dictionary) else None
        private = data.get("/Private") if isinstance(data, pikepdf.Dictionary) else None
        rows = private.get("/Placements") if isinstance(private, pikepdf.Dictionary) else None
        if not isinstance(rows, pikepdf.Array):
            return []
        out = []
        for row in list(rows)[:10000]:
            box = _box(row)
            if box is not None and box[2] > box[0] and box[3] > box[1]:
                out.append(box)
        return out
    except (pikepdf.PdfError, TypeError, ValueError):
        return []


def _measure_qr(k: _Check, page, pageno: int, geo: dict, code, box) -> QrCode | None:
    """Render the code's neighbourhood so that a module is about 10 pixels, decode it again and measure."""
    import zxingcpp
    n = _modules(code)
    if n is None:
        k.add("qr", pageno, ("version", code.text), f"QR code {code.text!r}: its version (and so its module size) "
              "is not reported by this zxing-cpp", severity=WARNING)
        return None
    media, trim = geo["media"], geo["trim"]
    # on an imposed sheet, the code belongs to the page placed where its centre is: judged by that page's trim
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    placed = next((t for t in geo.get("placements", ()) if t[0] <= cx <= t[2] and t[1] <= cy <= t[3]), None)
    trim = placed or trim
    side_pt = max(box[2] - box[0], box[3] - box[1])
    module_pt = side_pt / n
    if module_pt <= 0:
        return None
    scale = min(10 / module_pt, 1200 / 72)
    margin = module_pt * 6
    region = (max(media[0], box[0] - margin), max(media[1], box[1] - margin), min(media[2], box[2] + margin),
              min(media[3], box[3] + margin))
    crop = (region[0] - media[0], region[1] - media[1], media[2] - region[2], media[3] - region[3])
    img = page.render(scale=scale, crop=crop, grayscale=True).to_pil()
    fine = [c for c in zxingcpp.read_barcodes(img, formats=[zxingcpp.BarcodeFormat.QRCode,
                                                            zxingcpp.BarcodeFormat.MicroQRCode])
            if c.valid and c.text == code.text]
    if fine:
        pts = _corners(fine[0])
        x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts) + 1
        y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts) + 1
        module_px = max(x1 - x0, y1 - y0) / n
    else:   # the coarse position, mapped into this raster
        x0, x1 = (box[0] - region[0]) * scale, (box[2] - region[0]) * scale + scale
        y0, y1 = (region[3] - box[3]) * scale, (region[3] - box[1]) * scale + scale
        module_px = max(x1 - x0, y1 - y0) / n
    # the symbol's edges exactly where its finder patterns end
    dark = img.point(lambda v: 255 if v < 128 else 0)
    br = _corners(fine[0])[2] if fine else None
    x0, y0, x1, y1 = _refine_edges(dark, (x0, y0, x1, y1), module_px, br)
    module_px = max(x1 - x0, y1 - y0) / n
    module_mm = module_px / scale * geo["uu"] / MM
    # quiet zone: light pixels from the symbol's edge to the nearest dark pixel, the trim or the page edge
    w, h = img.size
    limit = (trim[0] - region[0]) * scale, (region[3] - trim[3]) * scale, (trim[2] - region[0]) * scale, \
        (region[3] - trim[1]) * scale     # trim edges in raster px: left, top, right, bottom
    ix0, iy0, ix1, iy1 = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
    gaps = []
    for side in ("left", "top", "right", "bottom"):
        if side == "left":
            strip = (max(0, int(math.ceil(limit[0]))), iy0, max(0, ix0 - 1), iy1)
            bb = dark.crop(strip).getbbox() if strip[2] > strip[0] else None
            gap = (ix0 - 1 - (strip[0] + bb[2])) if bb else ix0 - max(0.0, limit[0])
        elif side == "right":
            strip = (min(w, ix1 + 1), iy0, min(w, int(limit[2])), iy1)
            bb = dark.crop(strip).getbbox() if strip[2] > strip[0] else None
            gap = (strip[0] + bb[0] - ix1 - 1) if bb else min(float(w), limit[2]) - ix1
        elif side == "top":
            strip = (ix0, max(0, int(math.ceil(limit[1]))), ix1, max(0, iy0 - 1))
            bb = dark.crop(strip).getbbox() if strip[3] > strip[1] else None
            gap = (iy0 - 1 - (strip[1] + bb[3])) if bb else iy0 - max(0.0, limit[1])
        else:
            strip = (ix0, min(h, iy1 + 1), ix1, min(h, int(limit[3])))
            bb = dark.crop(strip).getbbox() if strip[3] > strip[1] else None
            gap = (strip[1] + bb[1] - iy1 - 1) if bb else min(float(h), limit[3]) - iy1
        gaps.append((max(0.0, gap + 1) / module_px, side))
    quiet, quiet_side = min(gaps)
    xm = (box[0] - geo["trim"][0]) * geo["uu"] / MM       # where on the page (the sheet) it is
    ym = (geo["trim"][3] - box[3]) * geo["uu"] / MM
    q = QrCode(pageno, code.text, n, module_mm, quiet, xm, ym, module_mm * n)
    k.report.qr.append(q)
    tw, th = (trim[2] - trim[0]) * geo["uu"] / MM, (trim[3] - trim[1]) * geo["uu"] / MM
    poster = min(tw, th) >= 297 - 1 and max(tw, th) >= 420 - 1
    need = k.profile.qr_poster_module_mm if poster else k.profile.qr_module_mm
    if module_mm < need - 0.005:
        k.add("qr", pageno, ("module", code.text),
              f"QR code {code.text!r}: modules of {module_mm:.2f} mm, smaller than {need:g} mm"
              + (f" (a poster: the page {'it was imposed from ' if placed else ''}is A3 or larger)"
                 if poster else "") + f"; it needs to be at least "
              f"{need * n:.1f} mm wide", xm, ym)
    if quiet < k.profile.qr_quiet_modules - 0.25:
        k.add("qr", pageno, ("quiet", code.text),
              f"QR code {code.text!r}: quiet zone of {quiet:.1f} modules on the {quiet_side} side, less than "
              f"{k.profile.qr_quiet_modules:g}", xm, ym)
    return q


# ---------------------------------------------------------------- separations

def _check_separations(k: _Check, path_or_data, gs: str | None, dpi: float = 72) -> None:
    if gs is None:
        k.report.rules["separations"] = "not checked (Ghostscript, gs, is not installed)"
        return
    from PIL import Image, ImageChops, ImageMath
    with tempfile.TemporaryDirectory(prefix="leaflets-sep-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(path_or_data)
        cmd = [gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dUseBleedBox", "-sDEVICE=tiffsep", f"-r{dpi:g}",
               f"-sOutputFile={tmp}/p%d.tif", str(src)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            k.add("separations", None, ("gs",), f"Ghostscript could not render the separations: {exc}",
                  severity=WARNING)
            return
        pages = sorted({int(m.group(1)) for p in Path(tmp).glob("p*.tif")
                        if (m := re.match(r"p(\d+)\(", p.name))})
        limit = k.profile.ink_limit * 255 / 100
        px_mm2 = (25.4 / dpi) ** 2
        for pageno in pages:
            total = None
            for sep in Path(tmp).glob(f"p{pageno}(*).tif"):
                with Image.open(sep) as im:
                    ink = ImageChops.invert(im.convert("L")).convert("I")   # tiffsep: 0 is full ink
                total = ink if total is None else _add_i(total, ink)
            if total is None or min(total.size) < 3:
                continue
            # the outermost pixels are left out: marks drawn from the BleedBox's edge touch them
            total = total.crop((1, 1, total.size[0] - 1, total.size[1] - 1))
            peak = total.getextrema()[1] * 100 / 255
            over = ImageMath.lambda_eval(lambda e: (e["a"] > limit) * 255, a=total).convert("L").histogram()[255]
            area = over * px_mm2
            if peak > k.profile.ink_limit + 1 and area >= MIN_INK_AREA_MM2:
                k.add("separations", pageno, ("peak",),
                      f"the rendered separations reach {peak:.0f} % total ink over {area:.1f} mm² (at {dpi:g} dpi), "
                      f"more than {k.profile.ink_limit:.0f} %")


def _add_i(a, b):
    from PIL import ImageMath
    return ImageMath.lambda_eval(lambda e: e["a"] + e["b"], a=a, b=b)


# ---------------------------------------------------------------- facts

def _check_facts(k: _Check, info, xmp: dict | None, facts) -> None:
    from .render.pdfx import INFO_FACTS, facts_fingerprint
    recorded = str(info.get(INFO_FACTS)) if info is not None and INFO_FACTS in info else None
    xrec = (xmp or {}).get("leaflets:FactsSHA256")
    if recorded and xrec and recorded != xrec:
        k.add("facts", None, ("inconsistent",), f"the campaign-facts fingerprint differs between Info ({recorded}) "
                                                f"and XMP ({xrec})")
    recorded = recorded or xrec
    k.report.facts_recorded = recorded
    if facts is None:
        return
    mine = facts_fingerprint(facts)
    k.report.facts_project = mine
    if recorded is None:
        k.add("facts", None, ("none",), "the file records no campaign-facts fingerprint (it was not built by "
                                        "leaflets): only the phone numbers in its text and its QR codes are "
                                        "compared with the campaign's", severity=INFO)
    elif recorded != mine:
        k.add("facts", None, ("differs",),
              f"the file was built from other campaign facts ({recorded}) than this project's ({mine}): its hotline, "
              "numbers, links or agencies differ from content/campaign.yaml")


def _edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _check_text_facts(k: _Check, data: bytes, facts) -> None:
    """The phone numbers in the pages' text, against the campaign's: for files that do not record the project's
    facts.  A number a digit or two away from an official one is an error, any other number a warning."""
    import phonenumbers
    import pypdfium2 as pdfium
    from .model.guard import digit_value, parse_phone
    official = {}
    for name, display in facts.numbers().items():
        parsed = parse_phone(display)
        if parsed is not None:
            official[str(parsed.national_number)] = (name, display)
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return
    try:
        for pageno in range(1, len(doc) + 1):
            if pageno <= len(k.geometry) and k.geometry[pageno - 1].get("unrendered"):
                k.add("facts", pageno, ("unread",), f"the page's text was not read to compare its numbers: a content "
                                                    f"stream of more than {MAX_CONTENT >> 20} MB", severity=WARNING)
                continue
            page = doc[pageno - 1]
            try:
                text = page.get_textpage().get_text_range()
            finally:
                page.close()
            text = "".join(str(digit_value(c)) if digit_value(c) is not None else c for c in text)
            for match in phonenumbers.PhoneNumberMatcher(text, "JP", leniency=phonenumbers.Leniency.POSSIBLE):
                national = str(match.number.national_number)
                if national in official:
                    continue
                near = [(name, display) for num, (name, display) in official.items() if _edits(num, national) <= 2]
                if near:
                    name, display = near[0]
                    k.add("facts", pageno, ("near", national),
                          f"the page text has the phone number {match.raw_string!r}, which looks like the campaign's "
                          f"{name} number {display} but is not it")
                else:
                    k.add("facts", pageno, ("other", national),
                          f"the page text has the phone number {match.raw_string!r}, which is not one of the "
                          f"campaign's numbers ({', '.join(d for _n, d in official.values())})", severity=WARNING)
    finally:
        doc.close()


def _check_qr_targets(k: _Check, facts) -> None:
    if facts is None:
        return
    urls = {link.url for link in facts.links.values()}
    for q in k.report.qr:
        if q.text not in urls:
            k.add("facts", q.page, ("qr", q.text), f"the QR code points to {q.text!r}, which is not one of the "
                                                   f"campaign's links ({', '.join(sorted(urls))})", q.x_mm, q.y_mm)


# ---------------------------------------------------------------- entry point

def preflight(source: Path | str | bytes, profile: str = "shop", *, facts=None, qr: str = "full",
              expect_qr: list[str] | None = None, separations: bool = False, name: str | None = None,
              gs: str | None = None, known_streams: tuple[bytes, ...] = (), qr_zones: QrZones | None = None
              ) -> Report:
    """Check ``source`` (a path or the bytes of a PDF) against ``profile`` (shop | office).

    ``facts``: the project's campaign facts, to compare with the fingerprint the
    file records and the QR codes' targets.  ``qr``: full (look for codes at 100
    and 300 dpi), fast (100 dpi only) or off.  ``expect_qr``: URLs that must be
    found as QR codes.  ``separations``: also render the separations with
    Ghostscript (``gs``, found on PATH when not given) and measure their ink.
    ``known_streams``: Flate-compressed stream contents known to decode soundly
    (the build's ICC profiles, see :meth:`OutputConditions.checked_streams`): an
    OutputIntent profile stored as exactly one of them, Flate with no parameters,
    is not decoded again by the syntax check; any other byte is.  ``qr_zones``: search only these parts of
    each page for QR codes (:class:`QrZones`), for a caller that knows where codes can be."""
    import pikepdf

    prof = PROFILES.get(profile)
    if prof is None:
        from .errors import UsageError
        raise UsageError(f"unknown preflight profile '{profile}' (profiles: {', '.join(PROFILES)})")
    if isinstance(source, (bytes, bytearray)):
        data, label = bytes(source), name or "<pdf>"
    else:
        label = name or str(source)
        try:
            from .atomic import read_regular_file
            data = read_regular_file(Path(source))
        except OSError as exc:
            k = _Check(prof, label)
            k.add("file", None, ("read",), f"the file cannot be read: {exc.strerror or exc}")
            return _finish(k, data_ok=False)
    k = _Check(prof, label)
    t0 = time.perf_counter()
    if not data.lstrip()[:5].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        what = "an empty file" if not data else "no %PDF- header in its first 1024 bytes"
        k.add("file", None, ("notpdf",), f"not a PDF file: {what}")
        return _finish(k, data_ok=False)
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        k.add("file", None, ("encrypted",), "the file is encrypted with a password: it cannot be checked or printed "
                                            "as it is")
        return _finish(k, data_ok=False)
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError) as exc:
        k.add("file", None, ("damaged",), f"the file is damaged and cannot be read as a PDF: {_short(exc)}")
        return _finish(k, data_ok=False)
    with pdf:
        try:
            _analyse(k, pdf, data, facts, known_streams)
        except pikepdf.PdfError as exc:
            k.add("structure", None, ("damaged",), f"the file is damaged: {_short(exc)}")
        k.report.seconds["analytic"] = time.perf_counter() - t0
        if facts is not None and k.report.facts_recorded != k.report.facts_project:
            try:
                _check_text_facts(k, data, facts)
            except Exception as exc:     # text extraction must not hide the other findings
                k.add("facts", None, ("text",), f"the page text could not be read: {_short(exc)}", severity=WARNING)
        if qr != "off" and k.geometry:
            t1 = time.perf_counter()
            try:
                _check_qr(k, data, k.geometry, qr, expect_qr, qr_zones)
            except Exception as exc:   # a renderer failure must not hide the other findings
                k.add("qr", None, ("render",), f"the QR check could not render the pages: {_short(exc)}",
                      severity=WARNING)
            _check_qr_targets(k, facts)
            k.report.seconds["raster"] = time.perf_counter() - t1
        else:
            k.report.rules["qr"] = "not checked (" + ("--no-qr" if qr == "off" else "no pages") + ")"
        if separations:
            t2 = time.perf_counter()
            _check_separations(k, data, gs or shutil.which("gs"))
            k.report.seconds["separations"] = time.perf_counter() - t2
        else:
            k.report.rules.setdefault("separations", "not checked (ask with --raster)")
    return _finish(k)


def _short(exc: Exception) -> str:
    """The first line of an error, without qpdf's name for the in-memory stream."""
    text = _unnamed(re.sub(r"^\s*stream <[^>]*>:?\s*", "", str(exc))).strip().splitlines()
    return text[0][:300] if text else exc.__class__.__name__


_STREAM_NAME = re.compile(r"(?:stream )?<[A-Za-z_.]+ object at 0x[0-9A-Fa-f]+>:?\s*")


def _unnamed(text: str) -> str:
    """qpdf's message without the name it gives the in-memory stream it read (a memory address, other in
    every run): the same file gives the same words."""
    return _STREAM_NAME.sub("", text)


def _profile_problem(raw: bytes) -> str | None:
    """What is wrong with a Flate-compressed ICC profile stream's data, or None: it must inflate whole with
    its checksum right (qpdf does not check zlib's Adler-32), to as many bytes as the profile's header
    says, and match its profile ID (the MD5 of ICC.1 7.2.18) when it has one."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw) + inflater.flush()
    except zlib.error as exc:
        return f"its compressed data is damaged ({exc})"
    if not inflater.eof:
        return "its compressed data ends early"
    if len(data) < 128 or int.from_bytes(data[:4], "big") != len(data):
        return (f"it holds {len(data)} bytes, but the profile's header says "
                f"{int.from_bytes(data[:4], 'big') if len(data) >= 4 else '?'}")
    pid = data[84:100]
    if any(pid) and hashlib.md5(data[:44] + bytes(4) + data[48:64] + bytes(4) + data[68:84] + bytes(16)
                                + data[100:]).digest() != pid:
        return "its content does not match its profile ID (MD5)"
    return None


# pikepdf's check_pdf_syntax() (qpdf --check) as _check_syntax() follows it, by the sha256 of its source
_CHECK_SOURCE = "ceb04b964b7cf2bf87315b8d5de4d613fb80c78bdc4f62424364b514ab14be27"
_CHECK_STEPS = ("is_linearized", "check_linearization", "_check_document_structures",
                "_decode_all_streams_and_discard", "get_warnings")
_mirrored: dict = {}


def _check_is_mirrored(check) -> bool:
    """Whether ``check`` is the check_pdf_syntax() that _check_syntax() follows step by step."""
    func = getattr(check, "__func__", None)
    if func is None:
        return False
    if func not in _mirrored:
        import inspect
        import pikepdf
        try:
            source = inspect.getsource(func)
        except (OSError, TypeError):
            source = ""
        _mirrored[func] = (hashlib.sha256(source.encode()).hexdigest() == _CHECK_SOURCE
                           and all(hasattr(pikepdf.Pdf, step) for step in _CHECK_STEPS))
    return _mirrored[func]


def _check_syntax(pdf, keep: "_Check", hidden: set) -> list[str]:
    """pikepdf's check_pdf_syntax() (qpdf --check: QPDFJob::doCheck), step by step, but for the parser of each
    page's content: pikepdf.parse_content_stream(), which the walker needs (its instructions are kept in
    ``keep`` unless the page's content is among the ``hidden`` streams set aside for the check), instead of a
    parser that discards what it reads.  Both have qpdf parse the same content: qpdf's parse does not depend
    on what is done with the objects it reads, so it warns alike and fails alike (a PdfError, with its message)
    unless the instructions cannot be made of what it read (an operand or an inline image pikepdf refuses: a
    TypeError, IndexError ...), where the page is parsed again as check_pdf_syntax() does, the warnings of the
    first parse dropped.  The warnings are taken from qpdf as each page is reached, in the order qpdf gives
    them, and the errors among them where check_pdf_syntax() puts them."""
    import pikepdf
    from pikepdf import StreamParser

    class DiscardingParser(StreamParser):
        def __init__(self):
            super().__init__()

        def handle_object(self, *_args):
            pass

        def handle_eof(self):
            pass

    problems: list[str] = []

    def collect_warnings():
        problems.extend("WARNING: " + warning for warning in pdf.get_warnings())

    if pdf.is_linearized:
        pending = pdf.get_warnings()
        pdf.check_linearization(io.StringIO())
        found = pdf.get_warnings()
        repeated = set(found)
        for warning in [w for w in pending if w not in repeated] + found:
            problems.append("WARNING: " + warning)
    pdf._check_document_structures()
    if len(pdf.pages) == 0:
        collect_warnings()
        problems.append("ERROR: file does not contain any pages")
    pdf._decode_all_streams_and_discard(None)
    for pageno, page in enumerate(pdf.pages, start=1):
        collect_warnings()
        try:
            instructions = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError as e:
            collect_warnings()
            problems.append(f"ERROR: page {pageno}: {e}")
            continue
        except Exception:
            pdf.get_warnings()
            try:
                page.parse_contents(DiscardingParser())
            except pikepdf.PdfError as e:
                collect_warnings()
                problems.append(f"ERROR: page {pageno}: {e}")
            continue
        try:
            parts = page.obj.get("/Contents")
            parts = list(parts) if isinstance(parts, pikepdf.Array) else [parts]
            if not any(isinstance(part, pikepdf.Stream) and part.objgen in hidden for part in parts):
                keep.keep_content(page, instructions)
        except Exception:       # the walker parses it again
            pass
    collect_warnings()
    return problems


# a stream object as qpdf reads it without a warning (see _stored_data): its dictionary holding no string,
# comment or dictionary, the word stream and an end of line; then, after its data, endstream
_STREAM_START = re.compile(rb"(\d+) (\d+) obj[\x00\t\n\x0c\r ]*<<[^()<>%]*>>[\x00\t\n\x0c\r ]*stream(?:\r\n|\n)")
_STREAM_END = re.compile(rb"(?:\r\n|\r|\n)?endstream(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|\Z)")


def _stored_data(pdf, stream, data: bytes) -> bytes | None:
    """The raw data of ``stream`` as qpdf reads it from the file's bytes ``data``, taken from ``data`` itself
    (qpdf reads a large stream slowly), or None where that is not sure: the file must start with its header
    (qpdf measures offsets from it) and not be encrypted, the object stand at the offset its cross-reference
    entry gives, written simply (see _STREAM_START), and its data be followed by endstream where its /Length
    (an integer) ends it: then qpdf takes that many bytes from the end of line after the word stream, with no
    warning (qpdf's Objects::readStream)."""
    if not data.startswith(b"%PDF-") or pdf.is_encrypted or not hasattr(pdf, "get_xref_table"):
        return None
    try:
        entry = pdf.get_xref_table().get(stream.objgen)
        length = stream.get("/Length")
    except Exception:
        return None
    if entry is None or entry.type != 1 or type(length) is not int or length < 0:
        return None
    m = _STREAM_START.match(data, entry.offset)
    if m is None or (int(m[1]), int(m[2])) != stream.objgen:
        return None
    start = m.end()
    if start + length > len(data) or _STREAM_END.match(data, start + length) is None:
        return None
    return data[start:start + length]


def _syntax_problems(pdf, known_streams: tuple[bytes, ...] = (), keep: "_Check | None" = None,
                     data: bytes | None = None) -> list[str]:
    """qpdf's syntax check (``qpdf --check``: every stream decoded), with each OutputIntent's ICC profile
    stored Flate-compressed (no parameters) checked here instead: one stored as exactly one of
    ``known_streams`` decodes as it did when it was checked, any other is inflated and checked whole
    (:func:`_profile_problem`).  Their data is set aside while qpdf's check runs and put back after it.
    ``keep``: the check of the file, to keep each page's content as the check parsed it (see _check_syntax);
    ``data``: the file's bytes, where the profile's data may be taken from (see _stored_data)."""
    import pikepdf
    check = pdf.check_pdf_syntax if hasattr(pdf, "check_pdf_syntax") else pdf.check
    aside: list[tuple] = []
    problems: list[str] = []
    for oi in pdf.Root.get("/OutputIntents") or []:
        stream = oi.get("/DestOutputProfile") if isinstance(oi, pikepdf.Dictionary) else None
        if not isinstance(stream, pikepdf.Stream) or any(s.objgen == stream.objgen for s, _raw in aside):
            continue
        if stream.get("/Filter") != pikepdf.Name.FlateDecode or "/DecodeParms" in stream:
            continue
        raw = None
        length = stream.get("/Length")
        if data is not None and type(length) is int and any(len(known) == length for known in known_streams):
            raw = _stored_data(pdf, stream, data)
        if raw is None:
            raw = bytes(stream.read_raw_bytes())
        if raw not in known_streams:
            problem = _profile_problem(raw)
            if problem:
                n, g = stream.objgen
                problems.append(f"ERROR: the OutputIntent's ICC profile (object {n} {g}): {problem}")
        aside.append((stream, raw))
    # qpdf's check parses every page's content through a call into Python for each object: a content stream
    # beyond MAX_CONTENT (which the walker does not parse either, and reports) is set aside too
    big: list[tuple] = []
    for page in pdf.pages:
        parts = page.obj.get("/Contents")
        for part in (list(parts) if isinstance(parts, pikepdf.Array) else [parts]):
            if isinstance(part, pikepdf.Stream) and not any(s.objgen == part.objgen for s, *_ in big) \
                    and _content_bytes(part, keep.sizes if keep is not None else None) > MAX_CONTENT:
                big.append((part, bytes(part.read_raw_bytes()), part.get("/Filter"), part.get("/DecodeParms")))
    try:
        for stream, _raw in aside:
            stream.write(b"")
        for stream, *_ in big:
            stream.write(b"")
        if keep is not None and _check_is_mirrored(check):
            hidden = {s.objgen for s, *_ in aside + big}
            return _check_syntax(pdf, keep, hidden) + problems
        return check() + problems
    finally:
        for stream, raw in aside:
            stream.write(raw, filter=pikepdf.Name.FlateDecode)
        for stream, raw, filters, parms in big:
            stream.write(raw, filter=filters, decode_parms=parms)


def _analyse(k: _Check, pdf, data: bytes, facts, known_streams: tuple[bytes, ...] = ()) -> None:
    import pikepdf
    r = k.report
    r.pdf_version = str(pdf.pdf_version)
    r.pages = len(pdf.pages)
    k.geometry = []
    warnings = [w for w in pdf.get_warnings()]
    if warnings:
        k.add("structure", None, ("repaired",), f"the file is damaged and had to be repaired to be read: "
                                                f"{_short(Exception(warnings[0]))}"
                                                + (f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""))
    try:
        problems = _syntax_problems(pdf, known_streams, k, data)
    except pikepdf.PdfError as exc:
        problems = [str(exc)]
    for p in problems[:5]:
        p = _unnamed(p)
        k.add("structure", None, ("check", p[:80]), f"syntax: {p}")
    broken = [_short(Exception(w)) for w in pdf.get_warnings()[len(warnings):]]   # streams that do not decode
    if broken:
        k.add("structure", None, ("streams",), f"{len(broken)} damaged stream(s): {broken[0]}"
              + (f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""))
    meta = pdf.Root.get("/Metadata")
    xmp = None
    has_xmp = isinstance(meta, pikepdf.Stream)
    if has_xmp:
        try:
            xmp = _xmp_values(bytes(meta.read_bytes()))
        except pikepdf.PdfError:
            xmp = None
    _check_pdfx(k, pdf, xmp, has_xmp)
    info = pdf.trailer.get("/Info")
    _check_facts(k, info, xmp, facts)
    if r.pages == 0:
        k.add("structure", None, ("nopages",), "the file has no pages")
    for pageno, page in enumerate(pdf.pages, start=1):
        _analyse_page(k, pdf, pageno, page)
    _check_fonts(k)


def _analyse_page(k: _Check, pdf, pageno: int, page) -> None:
    import pikepdf
    prof = k.profile
    obj = page.obj
    media = _box(page.mediabox) or (0.0, 0.0, 612.0, 792.0)
    crop = _box(obj.get("/CropBox")) if "/CropBox" in obj else None
    visible = _intersect(media, crop) if crop else media
    trim = _box(obj["/TrimBox"]) if "/TrimBox" in obj else None
    bleed = _box(obj["/BleedBox"]) if "/BleedBox" in obj else None
    uu = _num(obj.get("/UserUnit", 1.0), 1.0) or 1.0
    origin = trim or visible or media
    # ---- boxes and bleed
    if trim is None:
        k.add("page-boxes", pageno, ("trim",), "the page has no TrimBox (the finished size)"
              + (" — only an ArtBox" if "/ArtBox" in obj else ""))
    if bleed is None:
        k.add("page-boxes", pageno, ("bleed",), "the page has no BleedBox")
    if trim is not None and (trim[0] < media[0] - 0.01 or trim[1] < media[1] - 0.01 or trim[2] > media[2] + 0.01
                             or trim[3] > media[3] + 0.01):
        k.add("page-boxes", pageno, ("trim-outside",), "the TrimBox extends beyond the MediaBox")
    eff_bleed = _intersect(bleed, visible) if bleed else None
    if trim is not None:
        sides_src = eff_bleed if eff_bleed is not None else None
        if sides_src is None:
            k.add("bleed", pageno, ("none",), f"no bleed: the page has no BleedBox{'' if bleed is None else ' inside the visible page'}"
                  f" ({prof.min_bleed_mm:g} mm needed on every side)")
        else:
            sides = {"left": trim[0] - sides_src[0], "bottom": trim[1] - sides_src[1],
                     "right": sides_src[2] - trim[2], "top": sides_src[3] - trim[3]}
            short = {s: v * uu / MM for s, v in sides.items() if v * uu / MM < prof.min_bleed_mm - 0.01}
            if short:
                desc = ", ".join(f"{s} {v:.2f} mm" for s, v in short.items())
                k.add("bleed", pageno, ("short",), f"the bleed is less than {prof.min_bleed_mm:g} mm: {desc}")
    elif prof.severity.get("bleed") != OFF:
        k.add("bleed", pageno, ("no-trim",), "the bleed cannot be measured without a TrimBox")
    geo = {"media": media, "trim": origin, "uu": uu, "placements": _placements(obj)}
    k.geometry.append(geo)
    if obj.get("/Group") is not None and str(obj.Group.get("/S", "")) == "/Transparency":
        if k.no_transparency:
            k.add("transparency", pageno, ("pagegroup",), f"the page is a transparency group (/Group /S "
                                                          f"/Transparency), which {k.pdfx} does not allow")
    # ---- content
    area = eff_bleed or trim or visible
    w = _Walker(k, pageno, page, area, origin, uu)
    g = _GState()
    resources = obj.get("/Resources")
    if resources is None:
        resources = pikepdf.Dictionary()
    try:
        w.run(page, resources, g, "page")
        for annot in obj.get("/Annots", []) or []:
            _annotation(w, annot, g)
    except _Budget:
        # a content stream beyond MAX_CONTENT is not rendered for the QR check either (a renderer takes as long)
        geo["unrendered"] = k.content_size(page) > MAX_CONTENT
        k.add("structure", pageno, ("budget",), f"the page's content is too complex to analyse (more than "
                                                f"{MAX_OPS:,} operators, or a content stream of more than "
                                                f"{MAX_CONTENT >> 20} MB): the checks stopped part way",
              severity=WARNING)
    if w.slug_objects:
        k.notes.add("objects wholly outside the BleedBox (printer's marks, the slug) are not judged for ink, size "
                    "or overprint")
    if w.clipped_objects:
        k.notes.add("objects clipped away (outside the clipping paths and form bounding boxes they are drawn in: "
                    "never printed) are not judged")


def _annotation(w: _Walker, annot, g: _GState) -> None:
    """A printed annotation's normal appearance, placed on its Rect."""
    import pikepdf
    try:
        flags = int(annot.get("/F", 0))
        if not flags & 4 or flags & 2:       # not printed, or hidden
            return
        ap = annot.get("/AP")
        normal = ap.get("/N") if ap is not None else None
        if isinstance(normal, pikepdf.Dictionary) and not isinstance(normal, pikepdf.Stream):
            state = annot.get("/AS")
            normal = normal.get(str(state)) if state is not None else None
        if not isinstance(normal, pikepdf.Stream):
            return
        rect = _box(annot.get("/Rect"))
        bbox = _box(normal.get("/BBox", [0, 0, 1, 1]))
        if rect is None or bbox is None:
            return
        matrix = tuple(_num(v) for v in normal.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        if len(matrix) != 6:
            matrix = _ID
        pts = [_apply(matrix, x, y) for x, y in ((bbox[0], bbox[1]), (bbox[2], bbox[1]), (bbox[0], bbox[3]),
                                                 (bbox[2], bbox[3]))]
        tx0, ty0 = min(p[0] for p in pts), min(p[1] for p in pts)
        tx1, ty1 = max(p[0] for p in pts), max(p[1] for p in pts)
        sx = (rect[2] - rect[0]) / (tx1 - tx0) if tx1 > tx0 else 1.0
        sy = (rect[3] - rect[1]) / (ty1 - ty0) if ty1 > ty0 else 1.0
        fit = (sx, 0, 0, sy, rect[0] - tx0 * sx, rect[1] - ty0 * sy)
        w.form(normal, normal.get("/Resources", pikepdf.Dictionary()), _mul(matrix, fit), _GState(),
               f"{str(annot.get('/Subtype', 'annotation'))[1:]} annotation")
    except (pikepdf.PdfError, TypeError, ValueError, AttributeError):
        return


def _finish(k: _Check, data_ok: bool = True) -> Report:
    r = k.report
    given, r.rules = r.rules, {}
    r.findings = k.findings()
    for note in sorted(k.notes):
        r.notes.append(note)
    for rule in RULES:
        if rule in given:
            r.rules[rule] = given[rule]
            continue
        sev = k.profile.severity.get(rule, ERROR)
        mine = [f for f in r.findings if f.rule == rule]
        if sev == OFF:
            r.rules[rule] = f"not checked (profile {k.profile.name})"
        elif not data_ok and rule != "file":
            r.rules[rule] = "not checked (the file could not be read)"
        elif rule == "transparency" and not k.no_transparency:
            r.rules[rule] = "not checked (allowed unless the file is PDF/X-1a or X-3)"
        elif rule == "facts" and not any(f.severity in (ERROR, WARNING) for f in mine) and r.facts_project is None:
            r.rules[rule] = "not checked (no project to compare with)"
        elif any(f.severity == ERROR for f in mine):
            r.rules[rule] = "fail"
        elif any(f.severity == WARNING for f in mine):
            r.rules[rule] = "warn"
        else:
            r.rules[rule] = "pass"
    return r


def reports_json(reports: list[Report]) -> str:
    return json.dumps({"ok": all(r.ok for r in reports), "files": [r.to_json() for r in reports]},
                      ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- the build's check

# What `leaflets build` does with the print files it writes: every one is made
# PDF/X and preflighted against the shop profile (the QR codes at 100 dpi, the
# design's codes expected).  An error stops the build and nothing is written.
# A rule named in NOT_ENFORCED_IN_BUILD (none today) would be reported, not
# enforced: a failure is then one warning per rule.
NOT_ENFORCED_IN_BUILD: dict[str, str] = {}
BUILD_PROFILE = "shop"
BUILD_QR = "fast"


def build_diagnostics(report: Report) -> tuple[list, list]:
    """(errors that stop the build, warnings) of a print file's preflight report."""
    from .errors import Diagnostic
    errors, warnings = [], []
    for f in report.errors:
        if f.rule in NOT_ENFORCED_IN_BUILD:
            warnings.append(Diagnostic(
                WARNING, f"print files fail the preflight rule '{f.rule}' ({RULES[f.rule]}), which build does not "
                         f"enforce yet: {NOT_ENFORCED_IN_BUILD[f.rule]}",
                hint="see the details with: leaflets preflight output/<design>/<design>.<lang>.print.pdf",
                code="preflight"))
            continue
        page = f"page {f.page}: " if f.page else ""
        errors.append(Diagnostic(ERROR, f"{report.file}: preflight [{f.rule}] {page}{f.text()}", hint=f.fix,
                                 code="preflight"))
    return errors, list(dict.fromkeys(warnings))


def print_file(data: bytes, project, design: str, lang: str, settings, conditions, name: str) -> tuple[bytes, list]:
    """The painter's print PDF ``data`` made PDF/X (``settings``: a PdfxSettings) and preflighted.

    Returns the file and its warnings; raises ContentError when an enforced rule fails."""
    from .errors import ContentError
    from .render import pdfx
    facts = project.facts
    spec = project.designs[design]
    # a design may name its output condition; --output-condition overrides it
    cond = settings.resolve(conditions, spec.output_condition, spec.path)
    out = pdfx.apply(data, settings.level, cond, conditions,
                     date=pdfx.document_date(facts.edition, settings.source_date_epoch),
                     fingerprint=pdfx.facts_fingerprint(facts),
                     document_key=f"{facts.campaign_id}/{facts.edition}/{design}/{lang}")
    expect = [facts.links[r.qr].url for r in spec.regions if getattr(r, "qr", None) and r.qr in facts.links]
    report = preflight(out, BUILD_PROFILE, facts=facts, qr=BUILD_QR, expect_qr=expect, name=name,
                       known_streams=conditions.checked_streams())
    errors, warnings = build_diagnostics(report)
    if errors:
        raise ContentError(errors)
    return out, warnings


def sheet_files(data: bytes, project, design: str, lang: str, name: str) -> list[tuple[str, str, bytes, list]]:
    """A finished print file ``data`` imposed on the built-in sheets for its trim size (office and shop, see
    :func:`leaflets.impose.sheet_layouts`), a design of two pages (front, back) paired for duplex; each sheet
    preflighted against its own profile (office sheets: office; shop sheets: shop).

    Returns (kind, layout name, bytes, warnings) per sheet; raises ContentError when a sheet fails."""
    from .errors import ContentError
    from .impose import impose, sheet_layouts
    facts = project.facts
    spec = project.designs[design]
    out = []
    for kind, layout in sheet_layouts((spec.width, spec.height)).items():
        imposed = impose([data], layout, duplex=len(spec.pages) == 2)
        expect = [facts.links[r.qr].url for r in spec.regions if r.qr and r.qr in facts.links]
        sheet = f"{name} on {layout.name}"
        report = preflight(imposed.data, kind, facts=facts, qr=BUILD_QR, expect_qr=expect, name=sheet)
        errors, warnings = build_diagnostics(report)
        if errors:
            raise ContentError(errors)
        out.append((kind, layout.name, imposed.data, warnings))
    return out
