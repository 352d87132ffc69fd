"""Frozen data classes of the content model.

Nothing here reads files or knows about fonts, layout or PDF: these are the
plain values that the loader builds and the later stages read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SOURCE_LANGUAGE = "en"
# What a build can make of a design: the paper editions (print PDF/X, online PDF, PNG preview, web
# page) and the social images (PNG and WebP at a screen format's pixel size).  A design's own list
# (design.editions) says which it is built in.
EDITIONS = ("print", "online", "png", "html", "social")
PAPER_EDITIONS = ("print", "online", "png", "html")
SCREEN_EDITIONS = ("social",)
REVIEW_STATUSES = ("source", "reviewed", "draft", "untranslated")


@dataclass(frozen=True)
class Link:
    url: str
    display: str


@dataclass(frozen=True)
class QrTagRule:
    """Whether a batch may add a distribution tag to the QR code's URL (campaign.yaml ``qr_tag``):
    the one query parameter it uses and the pattern its value must match in full.
    A tag says where a leaflet was handed out, never who reads it."""

    allowed: bool = False
    parameter: str = "src"
    pattern: str = "[a-z0-9-]{1,24}"


@dataclass(frozen=True)
class Facts:
    """The campaign's fixed facts: the only place they live."""

    campaign_id: str
    title: str
    author: str
    subject: str
    edition: str
    hotline_display: str
    hotline_dial: str
    links: dict[str, Link]
    agencies: tuple[str, ...]
    path: Path | None = None
    # other official numbers a design may print (e.g. police: 110): name -> (display, dial)
    other_numbers: dict[str, tuple[str, str]] = field(default_factory=dict)
    qr_tag: QrTagRule = field(default_factory=QrTagRule)   # off unless campaign.yaml allows it

    def numbers(self) -> dict[str, str]:
        """Every official number's display form, by name; the hotline first."""
        return {"hotline": self.hotline_display, **{k: v[0] for k, v in self.other_numbers.items()}}

    def value(self, name: str) -> str:
        """A fact by its dotted name, as a design refers to it."""
        if name == "hotline.display":
            return self.hotline_display
        if name == "hotline.dial":
            return self.hotline_dial
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "links" and parts[1] in self.links:
            link = self.links[parts[1]]
            if parts[2] in ("url", "display"):
                return getattr(link, parts[2])
        if len(parts) == 3 and parts[0] == "numbers" and parts[1] in self.other_numbers:
            if parts[2] in ("display", "dial"):
                return self.other_numbers[parts[1]][0 if parts[2] == "display" else 1]
        raise KeyError(name)

    def link_target(self, name: str) -> str:
        """The URI a clickable element points to: ``hotline``, another number's
        name, or a link's name."""
        if name == "hotline":
            return "tel:" + self.hotline_dial
        if name in self.other_numbers:
            return "tel:" + self.other_numbers[name][1]
        return self.links[name].url

    FACT_NAMES = ("hotline.display", "hotline.dial")


@dataclass(frozen=True)
class Text:
    """One translatable string of a language."""

    key: str
    text: str
    source: str | None = None   # the English it was translated from
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Language:
    tag: str
    name: str
    native_name: str
    script: str
    direction: str
    review_status: str
    review_note: str | None
    strings: dict[str, Text]
    path: Path | None = None
    extra_review: dict = field(default_factory=dict)

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def is_source(self) -> bool:
        return self.review_status == "source"


@dataclass(frozen=True)
class Color:
    name: str
    cmyk: tuple[float, float, float, float]  # 0..1
    rgb: tuple[float, float, float]          # 0..1


@dataclass(frozen=True)
class Style:
    name: str
    weight: str = "regular"
    size: float = 10.0
    min_size: float = 6.0
    leading: float = 1.25
    color: str = "black"
    align: str = "start"      # start | center | end
    balance: bool = False     # even line lengths (headlines)
    # from how far the text is read (the design's reading distance sets the floors, see load.py):
    # display | body (the reading distance), hotline (twice it), near (0.4 m), fine (the print floor)
    role: str = "body"
    fixed: bool = False       # never shrinks and never breaks: one line at its size, or an error
    line: int | None = None   # where the style is written (its file: ``path``)
    path: Path | None = None
    # the style's own font stacks: (script, families, weight) for text of that script (ISO 15924, a stack
    # of fonts/manifest.yaml); other scripts use the manifest's stack and the style's weight
    faces: tuple[tuple[str, tuple[str, ...], str], ...] = ()

    def stack_for(self, script: str) -> tuple[tuple[str, ...] | None, str]:
        """The families (None: the manifest's stack) and the weight that set text of ``script``."""
        for s, families, weight in self.faces:
            if s == script:
                return families, weight
        return None, self.weight


@dataclass(frozen=True)
class TextItem:
    """One paragraph placed in a region."""

    style: str
    key: str | None = None          # a string of the language
    fact: str | None = None         # a campaign fact, e.g. hotline.display
    agencies: str | None = None     # the agencies' names joined by this separator
    lang: str | None = None         # take the string from this language instead
    unless_lang: str | None = None  # leave it out on leaflets in this language
    link: str | None = None         # online edition: make it clickable
    gap_before: float = 0.0         # mm
    line: int | None = None
    part: str | None = None         # a component's paragraph: "component 'x' (file:line)"
    text: str | None = None         # the design's own words (a label such as 日本語), in the language ``lang``

    @property
    def label(self) -> str:
        if self.key:
            return self.key if not self.lang else f"{self.key}@{self.lang}"
        if self.fact:
            return "fact:" + self.fact
        if self.text is not None:
            return f"text:{self.text}@{self.lang}"
        return "agencies"


@dataclass(frozen=True)
class Region:
    id: str
    # column, row, columns, rows on the design's grid; a component's parts may fall between grid lines
    at: tuple[float, float, float, float]
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 0.0          # pt
    radius: float = 0.0                # mm
    bleed: tuple[str, ...] = ()        # sides whose fill runs into the bleed
    padding: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # mm: top right bottom left
    text: tuple[TextItem, ...] = ()
    valign: str = "top"                # top | middle | bottom
    pictogram: str | None = None
    pictogram_colors: dict = field(default_factory=dict)
    qr: str | None = None              # the link whose URL the QR code holds
    qr_color: str = "black"
    qr_ec: str = "M"                   # the QR code's error correction level: L, M, Q or H
    mirror: bool = True                # mirrored for right-to-left languages
    line: int | None = None            # in the design file (for a component's part: where it is used)
    page: int = 0                      # which page of the design it is on
    fit: str | None = None             # fit group: every box of one group is set at one scale
    slot: str | None = None            # a slot a later step may fill (local-contact): its text is the default
    part: str | None = None            # a component's part: "component 'x' (file:line)"
    alt: str | None = None             # the string key of its pictogram's or QR code's text alternative

    def box(self, design: "Design") -> tuple[float, float, float, float]:
        """x, y, width, height in mm from the top left corner of the trim (before mirroring)."""
        col, row = design.width / design.columns, design.height / design.rows
        return (self.at[0] * col, self.at[1] * row, self.at[2] * col, self.at[3] * row)


DRAFT_MARK_POSITIONS = ("auto", "bottom-end", "bottom-start", "bottom-center", "top-end", "top-start",
                        "top-center")


@dataclass(frozen=True)
class DraftMark:
    """Where a design puts the mark that a translation is not reviewed.

    ``position`` is a corner or edge of the safe area (start and end swap for
    right-to-left languages), or ``auto``: the first of them where it overlaps
    no text, pictogram or QR code.
    """

    position: str = "auto"
    size: float = 6.5                  # pt
    color: str | None = None           # a colour of the design; its black when not given
    line: int | None = None


@dataclass(frozen=True)
class PageSpec:
    """One page of a design: its name (front, back) and where its draft mark goes."""

    name: str = "front"
    draft_mark: DraftMark = field(default_factory=DraftMark)
    line: int | None = None


@dataclass(frozen=True)
class Design:
    id: str
    title: str
    width: float      # mm, trim size
    height: float
    bleed: float
    slug: float
    safe: float
    columns: int
    rows: int
    colors: dict[str, Color]
    styles: dict[str, Style]
    regions: tuple[Region, ...]
    path: Path | None = None
    draft_mark: DraftMark = field(default_factory=DraftMark)
    pages: tuple[PageSpec, ...] = (PageSpec(),)
    reading_distance: float = 0.4      # m: from how far its body text is read
    base: float = 10.0                 # pt: the type scale's base size for this format
    paper: str = ""                    # the named size it was given (A4, JIS-B3, card), or ""
    output_condition: str | None = None  # the print edition's condition (icc/manifest.yaml); None: the level's
    editions: tuple[str, ...] = PAPER_EDITIONS   # what a build makes of it (design.editions)

    @property
    def pixels(self) -> tuple[int, int] | None:
        """A screen format's size in px (formats.SCREEN), None for paper."""
        from .formats import SCREEN
        return SCREEN.get(self.paper)

    def page_regions(self, page: int) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.page == page)

    def keys(self) -> set[str]:
        return {item.key for r in self.regions for item in r.text if item.key}


@dataclass(frozen=True)
class Pictogram:
    """A vector pictogram on a 100 x 100 canvas, y down."""

    name: str
    shapes: tuple[dict, ...]
    mirror: bool = True     # False: drawn as it is in right-to-left editions too (it shows a direction)


@dataclass
class Project:
    root: Path
    facts: Facts
    languages: dict[str, Language]
    designs: dict[str, Design]
    pictograms: dict[str, Pictogram]
    reports: object = None         # the annual reports and the fact sheet (leaflets.model.report.Reports)

    @property
    def source(self) -> Language:
        return self.languages[SOURCE_LANGUAGE]

    def string(self, lang: str, key: str) -> tuple[str, bool]:
        """The text of ``key`` in ``lang``, and whether it fell back to English."""
        language = self.languages[lang]
        text = language.strings.get(key)
        if text is not None and text.text.strip():
            return text.text, False
        return self.source.strings[key].text, lang != SOURCE_LANGUAGE

    def missing(self, lang: str) -> list[str]:
        """Keys of the source that ``lang`` does not translate."""
        language = self.languages[lang]
        return [k for k in self.source.strings
                if k not in language.strings or not language.strings[k].text.strip()]

    def stale(self, lang: str) -> list[tuple[str, str, str]]:
        """(key, English it was translated from, current English) for outdated strings."""
        language = self.languages[lang]
        if language.is_source:
            return []
        out = []
        for key, text in language.strings.items():
            current = self.source.strings.get(key)
            if current is not None and text.source is not None and text.source != current.text:
                out.append((key, text.source, current.text))
        return out
