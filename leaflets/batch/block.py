"""An organisation's contact block: the paragraphs a design's local-contact slot shows.

:func:`contact_block` turns an :class:`~leaflets.batch.spec.Organisation` into
paragraphs for one leaflet language, in styles of the design:

1. the heading and the organisation's name, in the slot's own style;
2. its phone numbers (as printed), website, e-mail and LINE ID;
3. its postal code and address, opening hours and the languages spoken at the
   office, named in the leaflet's language (CLDR names, through Babel).

Each field is its label (a string of the language file, ``contact.*``,
translated like every other) and its value.  The composer sets the
paragraphs like any text: auto-fitted, every character checked against the
fonts.  The parts that link somewhere (phones: ``tel:`` with the E.164 form,
the website, the e-mail address) are remembered as spans of the text, so the
online edition can make exactly those words clickable.

:data:`ARRANGEMENTS` go from the most readable (three paragraphs, every
label) to the most compact (one paragraph, no label where the value says what
it is); the last ones leave fields out, for a slot as small as the card's or a
poster's read from afar.  :func:`place` takes the first that fits the slot,
with the logo and then without it, and says what it left out
(:func:`left_out`: warnings).  How lines break: a separator ends its line and
never starts one (a no-break space before it, as before a comma's place), the
postal mark 〒 is glued to its code, a label's hyphen does not break; on a
right-to-left page a right-to-left mark closes every field and phone number,
so the fields stay in reading order and a number, a website or a name in Latin
letters reads left to right within the line.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

from ..errors import Diagnostic, ERROR
from ..layout.page import LocalText, Problem, _fallback
from ..model.schema import Design, Project, Style

SLOT = "local-contact"
LABELS = ("contact.heading", "contact.phone", "contact.website", "contact.email", "contact.line",
          "contact.address", "contact.hours", "contact.languages")
# scripts whose text runs without spaces: a full-width colon, no space after it
_WIDE_COLON = ("Jpan", "Hans", "Hant")
# Between two fields: the separator ends its line, never starts one (a no-break space glues it to the field
# before it, as a comma is); the same in right-to-left text, where the line's end is its left edge.
SEPARATOR = "\u00a0· "
PHONE_SEPARATOR = "\u00a0/ "
POSTAL_MARK = "\u3012"     # 〒
# between the postal mark and its code: no line break there (a no-break space; the narrow one where the fonts
# have it)
POSTAL_GLUE = ("\u202f", "\u00a0")
RLM = "\u200f"
NB_HYPHEN = "\u2011"       # a hyphen no line breaks after (a label's E-mail)


def _unbroken(label: str, fonts, script: str) -> str:
    """A label whose hyphens no line breaks after (where the fonts have the non-breaking hyphen)."""
    if "-" not in label or (fonts is not None and fonts.missing(NB_HYPHEN, script, "bold")):
        return label
    return label.replace("-", NB_HYPHEN)


@dataclass(frozen=True)
class Block:
    """The paragraphs of one organisation's block in one language, and what is wrong with them."""

    paragraphs: tuple[LocalText, ...]
    links: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)  # name -> (start, end, uri)
    problems: tuple[Problem, ...] = ()          # labels that fall back to English (judged like the design's text)
    errors: tuple[Diagnostic, ...] = ()         # labels the source language lacks
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)   # name -> the spec fields it shows
    omitted: tuple[str, ...] = ()               # spec fields (organisation.<key>) its arrangement leaves out
    arrangement: "Arrangement | None" = None
    logo: bool = True                           # whether the logo is beside it (place: False where it leaves it out)
    parts: dict[str, str] = field(default_factory=dict)  # spec field -> its text in the block (label and value)


def slot_regions(design: Design) -> list:
    """The design's regions that take a local contact block."""
    return [r for r in design.regions if r.slot == SLOT]


def styles(design: Design) -> tuple[str, str]:
    """(title, detail) styles for the block: the slot's own style for the name, and for the details
    the smallest style of the same colour that shrinks (so the text stays legible on the slot's ground)
    among those the design sets its own text in (a style of the type scale it never uses may be below
    its floor)."""
    region = slot_regions(design)[0]
    title = region.text[0].style if region.text else next(iter(design.styles))
    ts: Style = design.styles[title]
    used = {item.style for r in design.regions for item in r.text}
    same = [s for s in design.styles.values() if s.name in used and
            s.color == ts.color and not s.fixed and s.size <= ts.size and s.name != title]
    detail = min(same, key=lambda s: (s.size, s.min_size, s.name)).name if same else title
    return title, detail


def language_name(tag: str, lang: str) -> str:
    """``tag`` named in the language ``lang`` (CLDR through Babel); in English, or the tag itself, when
    Babel knows no name."""
    from babel import Locale, UnknownLocaleError
    for where in (lang, "en"):
        try:
            loc = Locale.parse(where, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
        base = tag.split("-")[0].lower()
        if "-" not in tag and loc.languages.get(base):
            return loc.languages[base]
        try:
            name = Locale.parse(tag, sep="-").get_display_name(loc)
        except (ValueError, UnknownLocaleError):
            name = loc.languages.get(base)
        if name:
            return name
    return tag


def _list(names: list[str], lang: str) -> str:
    from babel import Locale, UnknownLocaleError
    from babel.lists import format_list
    try:
        return format_list(names, locale=Locale.parse(lang, sep="-"))
    except (ValueError, UnknownLocaleError):
        return ", ".join(names)


class _Text:
    """A paragraph being written: its text, the spans that link and the spec fields it shows."""

    def __init__(self):
        self.text = ""
        self.links: list[tuple[int, int, str]] = []
        self.fields: list[str] = []

    def add(self, piece: str, uri: str | None = None) -> None:
        piece = unicodedata.normalize("NFC", piece)
        if uri:
            self.links.append((len(self.text), len(self.text) + len(piece), uri))
        self.text += piece

    def extend(self, other: "_Text") -> None:
        """``other`` after this text, with the separator between them."""
        if not other.text:
            return
        if self.text:
            self.add(SEPARATOR)
        at = len(self.text)
        self.links += [(s + at, e + at, uri) for s, e, uri in other.links]
        self.text += other.text
        self.fields += other.fields


# The fields of a block, in the order it shows them, by the spec's own names (organisation.<key>), and the
# group each belongs to: the name; the ways to reach the organisation; the visit's details.
FIELDS = (("organisation.name", "head"), ("organisation.phones", "reach"), ("organisation.website", "reach"),
          ("organisation.email", "reach"), ("organisation.line_id", "reach"),
          ("organisation.address", "visit"), ("organisation.hours", "visit"),
          ("organisation.languages_spoken", "visit"))


@dataclass(frozen=True)
class Arrangement:
    """How compact a block is set.

    ``paragraphs``: 3 (the name, the ways to reach, the visit), 2 (the name, the details) or 1 (all of it, in
    the details' style).  ``compact``: no label where the value says what it is (a phone number, an address,
    an e-mail address, opening hours; the postal mark 〒 marks the address) and a label's colon may end a line.
    ``heading``: the block's heading ("Local contact") before the name.  ``fields``: the fields it shows (None:
    all); ``phones``: how many phone numbers (None: all)."""

    paragraphs: int
    compact: bool = False
    heading: bool = True
    fields: tuple[str, ...] | None = None
    phones: int | None = None

    @property
    def complete(self) -> bool:
        return self.fields is None and self.phones is None


ESSENTIALS = ("organisation.name", "organisation.phones", "organisation.website", "organisation.email")
# From the most readable to the most compact; the runner uses the first that fits the slot.  The last three
# leave fields out (the runner warns which), only in a slot as small as the card's, or a poster's read from
# afar (COMPACT_LINES).
ARRANGEMENTS = (
    Arrangement(3),
    Arrangement(2),
    Arrangement(1),
    Arrangement(2, compact=True),
    Arrangement(1, compact=True),
    Arrangement(1, compact=True, heading=False),
    Arrangement(1, compact=True, heading=False, fields=ESSENTIALS),
    Arrangement(1, compact=True, heading=False, fields=ESSENTIALS[:3]),
    Arrangement(1, compact=True, heading=False, fields=ESSENTIALS[:2], phones=1),
)


def contact_block(project: Project, organisation, lang: str, design: Design, fonts=None,
                  arrangement: int | Arrangement = 0) -> Block:
    """The block of ``organisation`` for a ``lang`` leaflet of ``design`` (which must have a slot), in
    ``arrangement`` (an :class:`Arrangement`, or its index in :data:`ARRANGEMENTS`).

    ``fonts``: the font library, to leave out the postal mark 〒 where the language's fonts lack it
    (the code's digits are the address all the same)."""
    how = ARRANGEMENTS[arrangement] if isinstance(arrangement, int) else arrangement
    language = project.languages[lang]
    region = slot_regions(design)[0]
    title_style, detail_style = styles(design)
    problems: list[Problem] = []
    errors: list[Diagnostic] = []

    def label(key: str) -> str:
        if key not in project.source.strings:
            errors.append(Diagnostic(ERROR, f"the contact block's label '{key}' is not a string of "
                                            f"{project.source.tag}.yaml", project.source.path, None,
                                     f"add strings.{key} to {project.source.tag}.yaml (and translate it)"))
            return key
        text, fell_back = project.string(lang, key)
        if fell_back and all(p.key != key for p in problems):
            problems.append(_fallback(project, language, key, region.id))
        return text.strip()

    # a label keeps its value on its line (a colon and a no-break space), except in the compact arrangements;
    # text without spaces between words takes a full-width colon
    colon = "\uff1a" if language.script in _WIDE_COLON else (": " if how.compact else ":\u00a0")
    # right-to-left text: a right-to-left mark ends every field and phone number, so that the separators
    # after them read right to left and each field keeps its place, whatever its own direction (a phone
    # number, a website, a name in Latin letters read left to right within the line)
    end = RLM if language.rtl else ""
    org = organisation
    parts: dict[str, _Text] = {}

    def part(spec_field: str, key: str | None, pieces: list[tuple[str, str | None]]) -> None:
        t = _Text()
        if key:
            t.add(_unbroken(label(key), fonts, language.script) + colon)
        for piece, uri in pieces:
            t.add(piece, uri)
        t.add(end)
        t.fields.append(spec_field)
        parts[spec_field] = t

    part("organisation.name", "contact.heading" if how.heading else None, [(org.name_for(lang), None)])
    phones = org.phones[:how.phones] if how.phones is not None else org.phones
    if phones:
        pieces: list[tuple[str, str | None]] = []
        for i, phone in enumerate(phones):
            if i:
                pieces.append((end + PHONE_SEPARATOR, None))
            pieces.append((phone.number, "tel:" + phone.e164))
            if phone.label:     # the number's own label stays with it
                pieces.append((f"\u00a0({phone.label})", None))
        part("organisation.phones", None if how.compact else "contact.phone", pieces)
    if org.website:
        part("organisation.website", None if how.compact else "contact.website",
             [(org.website_display or org.website, org.website)])
    if org.email:
        part("organisation.email", None if how.compact else "contact.email", [(org.email, "mailto:" + org.email)])
    if org.line_id:
        part("organisation.line_id", "contact.line", [(org.line_id, None)])
    address = org.address_for(lang).strip()
    code = org.postal_code or ""
    marked = False
    if code:
        if fonts is not None and fonts.missing(POSTAL_MARK, language.script, "bold"):
            code = code.replace(POSTAL_MARK, "").strip()
        elif code.startswith(POSTAL_MARK):
            glue = next((g for g in POSTAL_GLUE if fonts is None or not fonts.missing(g, language.script, "bold")),
                        POSTAL_GLUE[-1])
            code = POSTAL_MARK + glue + code[len(POSTAL_MARK):].strip()
            marked = True
    if address or code:
        part("organisation.address", None if how.compact and marked else "contact.address",
             [(" ".join(p for p in (code, address) if p), None)])
    hours = org.hours_for(lang).strip()
    if hours:
        part("organisation.hours", None if how.compact else "contact.hours", [(hours, None)])
    if org.languages_spoken:
        names = [language_name(t, lang) for t in org.languages_spoken]
        part("organisation.languages_spoken", "contact.languages", [(_list(names, lang), None)])

    shown = [f for f, _g in FIELDS if f in parts and (how.fields is None or f in how.fields)]
    omitted = [f for f, _g in FIELDS if f in parts and f not in shown]
    if how.phones is not None and len(org.phones) > how.phones:
        omitted.insert(0, "organisation.phones")
    group = dict(FIELDS)
    paras = {"head": _Text(), "reach": _Text(), "visit": _Text()}
    for f in shown:
        g = group[f]
        if how.paragraphs == 2 and g == "visit":
            g = "reach"
        elif how.paragraphs == 1:
            g = "head"
        paras[g].extend(parts[f])
    if how.paragraphs == 1:
        title_style = detail_style
    paragraphs, links, fields = [], {}, {}
    for name, para, style, gap in (("organisation.name", paras["head"], title_style, 0.0),
                                   ("organisation.contact", paras["reach"], detail_style, 0.3),
                                   ("organisation.visit", paras["visit"], detail_style, 0.0)):
        if not para.text:
            continue
        # every paragraph starts at the start side, beside the logo (the slot's own text may be centred)
        paragraphs.append(LocalText(style=style, text=para.text, name=name, gap_before=gap if paragraphs else 0.0,
                                    align="start"))
        links[name] = tuple(para.links)
        fields[name] = tuple(para.fields)
    return Block(tuple(paragraphs), links, tuple(problems), tuple(errors), fields, tuple(omitted), how,
                 parts={f: parts[f].text for f in shown})


# what each field is called in a message to the person who wrote the spec
FIELD_NAMES = {"organisation.name": "the name", "organisation.phones": "phone numbers",
               "organisation.website": "the website", "organisation.email": "the e-mail address",
               "organisation.line_id": "the LINE ID", "organisation.address": "the address",
               "organisation.hours": "the opening hours", "organisation.languages_spoken": "the languages spoken"}
_PER_LANGUAGE = ("organisation.name", "organisation.address", "organisation.hours")


def field_line(organisation, spec_field: str, lang: str | None = None) -> int | None:
    """The line of the spec that writes ``spec_field`` for a ``lang`` leaflet: its text for that language
    or the default text (name, address, hours), the postal code where the address is only that."""
    line = getattr(organisation, "line", None)
    if line is None:
        return None
    if spec_field in _PER_LANGUAGE and lang:
        lines = getattr(organisation, "lines", {})
        for part in (lang, "default"):
            if f"{spec_field}.{part}" in lines:
                return lines[f"{spec_field}.{part}"]
    found = line(spec_field)
    if found is None and spec_field == "organisation.address":
        found = line("organisation.postal_code")
    return found if found is not None else line("organisation")


def fields_with(block: Block, message: str) -> list[str]:
    """The fields of ``block`` whose text holds a character a composer's message names (U+XXXX)."""
    import re
    chars = {chr(int(h, 16)) for h in re.findall(r"U\+([0-9A-F]{4,6})", message)}
    return [f for f, text in block.parts.items() if chars & set(text)]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def left_out(source, organisation, design: Design, lang: str, block: Block) -> list[Diagnostic]:
    """Warnings for what the block's arrangement leaves out of ``design`` (fields, the logo)."""
    from ..errors import WARNING
    out = []
    if block.omitted:
        shown = [FIELD_NAMES.get(f, f) for f in block.parts]
        if block.arrangement is not None and block.arrangement.phones is not None and organisation.phones:
            shown = ["the first phone number" if f == "phone numbers" else f for f in shown]
        gone = [FIELD_NAMES.get(f, f) for f in block.omitted]
        if "phone numbers" in gone and "organisation.phones" in block.parts:
            gone[gone.index("phone numbers")] = "the other phone numbers"
        out.append(Diagnostic(
            WARNING, f"{lang}: the local-contact slot of {design.id} is too small for the whole contact block: "
                     f"it shows {_and(shown)} and leaves out {_and(gone)}",
            source, field_line(organisation, block.omitted[-1], lang),
            f"the formats with a larger slot (the A4 leaflet, the A5 flyer) show every field; to show more on "
            f"{design.id}, shorten the name or the fields it shows for {lang}", code="contact-block"))
    if not block.logo and getattr(organisation, "logo", None) is not None:
        out.append(Diagnostic(
            WARNING, f"{design.id}: no room for the logo beside the contact block: it is left out where the block "
                     "needs the whole slot",
            source, field_line(organisation, "organisation.logo"),
            "the block's text comes first; a shorter name or fewer fields leave room for the logo",
            code="contact-block"))
    return out


# A slot that holds fewer lines than this of the block's details at their smallest size (the card's strip,
# a poster's band, whose type is read from metres away) may show a block that leaves fields out; in a
# larger one (the leaflet's and the flyer's bands) a block that does not fit whole is an error.
COMPACT_LINES = 4


def slot_lines(design: Design, fonts=None) -> float:
    """How many lines of the block's details the design's slot holds at their smallest size (Latin text)."""
    region = slot_regions(design)[0]
    style = design.styles[styles(design)[1]]
    _x, _y, _w, h = region.box(design)
    h -= region.padding[0] + region.padding[2]
    factor = fonts.stack("Latn").line_height if fonts is not None and "Latn" in fonts.stacks else 1.0
    line = style.min_size * style.leading * factor * 25.4 / 72
    return h / line if line > 0 else float("inf")


def place(composer, project: Project, organisation, lang: str, design: Design, fonts=None,
          qr_urls: dict[str, str] | None = None, arrangements=ARRANGEMENTS):
    """The block of ``organisation`` on a ``lang`` leaflet of ``design`` and the page it is on:
    (block, page, problems).

    The most readable of ``arrangements`` that fits the design's slot: those that show every field with the
    organisation's logo, then without it (what the organisation says comes before how it looks), then those
    that leave fields out, each with the logo and then without: the block's ``omitted`` and ``logo`` say
    what it leaves out.  When none fits, the most compact, without the logo,
    whose overflow the problems report."""
    logo = getattr(organisation, "logo", None)
    complete = [how for how in arrangements if how.complete]
    partial = [how for how in arrangements if not how.complete] if slot_lines(design, fonts) < COMPACT_LINES \
        else []
    logos = (logo, None) if logo is not None else (None,)
    tries = [(how, logos[0]) for how in complete] + [(how, None) for how in complete if logo is not None] + \
        [(how, shown) for how in partial for shown in logos]
    blocks: dict = {}
    chosen = None
    for how, shown in tries:
        block = blocks.get(how) or blocks.setdefault(how, contact_block(project, organisation, lang, design,
                                                                         fonts, how))
        if composer.slot_overflow(design.id, lang, list(block.paragraphs), shown) <= 0.01:
            chosen = (block, shown)
            break
    block, shown = chosen or (block, None)
    block = replace(block, logo=shown is not None)
    page, problems = composer.compose(design.id, lang, local_contact=list(block.paragraphs), logo=shown,
                                      qr_urls=qr_urls, logo_alt=organisation.name_for(lang))
    return block, page, problems
