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
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from ..errors import Diagnostic, ERROR
from ..layout.page import LocalText, Problem, _fallback
from ..model.schema import Design, Project, Style

SLOT = "local-contact"
LABELS = ("contact.heading", "contact.phone", "contact.website", "contact.email", "contact.line",
          "contact.address", "contact.hours", "contact.languages")
# scripts whose text runs without spaces: a full-width colon, no space after it
_WIDE_COLON = ("Jpan", "Hans", "Hant")
SEPARATOR = " · "
POSTAL_MARK = "\u3012"     # 〒


@dataclass(frozen=True)
class Block:
    """The paragraphs of one organisation's block in one language, and what is wrong with them."""

    paragraphs: tuple[LocalText, ...]
    links: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)  # name -> (start, end, uri)
    problems: tuple[Problem, ...] = ()          # labels that fall back to English (judged like the design's text)
    errors: tuple[Diagnostic, ...] = ()         # labels the source language lacks
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)   # name -> the spec fields it shows


def slot_regions(design: Design) -> list:
    """The design's regions that take a local contact block."""
    return [r for r in design.regions if r.slot == SLOT]


def styles(design: Design) -> tuple[str, str]:
    """(title, detail) styles for the block: the slot's own style for the name, and for the details
    the smallest style of the same colour that shrinks (so the text stays legible on the slot's ground)."""
    region = slot_regions(design)[0]
    title = region.text[0].style if region.text else next(iter(design.styles))
    ts: Style = design.styles[title]
    same = [s for s in design.styles.values()
            if s.color == ts.color and not s.fixed and s.size <= ts.size and s.name != title]
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
    """A paragraph being written: its text and the spans that link."""

    def __init__(self):
        self.text = ""
        self.links: list[tuple[int, int, str]] = []
        self.fields: list[str] = []

    def add(self, piece: str, uri: str | None = None) -> None:
        piece = unicodedata.normalize("NFC", piece)
        if uri:
            self.links.append((len(self.text), len(self.text) + len(piece), uri))
        self.text += piece


def _join(a: _Text, b: _Text) -> _Text:
    """``a`` and then ``b`` as one paragraph."""
    if not a.text or not b.text:
        return a if a.text else b
    out = _Text()
    out.add(a.text)
    out.links = list(a.links)
    out.add(SEPARATOR)
    out.links += [(s + len(out.text), e + len(out.text), uri) for s, e, uri in b.links]
    out.add(b.text)
    out.fields = a.fields + b.fields
    return out


# How compact the block is set, from the most readable: the name, the ways to reach the organisation
# and the visit's details each in a paragraph of their own; the details in one paragraph; everything in
# one paragraph in the details' style.  A batch uses the first that fits the slot.
ARRANGEMENTS = (0, 1, 2)


def contact_block(project: Project, organisation, lang: str, design: Design, fonts=None,
                  arrangement: int = 0) -> Block:
    """The block of ``organisation`` for a ``lang`` leaflet of ``design`` (which must have a slot), in
    ``arrangement`` (see :data:`ARRANGEMENTS`).

    ``fonts``: the font library, to leave out the postal mark 〒 where the language's fonts lack it
    (the code's digits are the address all the same)."""
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
        if fell_back:
            problems.append(_fallback(project, language, key, region.id))
        return text.strip()

    # a label keeps its value on its line (a colon and a no-break space), except in the most compact
    # arrangement; text without spaces between words takes a full-width colon
    colon = "\uff1a" if language.script in _WIDE_COLON else (": " if arrangement >= 2 else ":\u00a0")

    def field_(para: _Text, key: str, spec_field: str, value: str, uri: str | None = None) -> None:
        if para.text:
            para.add(SEPARATOR)
        para.add(label(key) + colon)
        para.add(value, uri)
        para.fields.append(spec_field)

    org = organisation
    head = _Text()
    head.add(label("contact.heading") + colon)
    head.add(org.name_for(lang))
    head.fields.append("organisation.name")

    reach = _Text()
    if org.phones:
        if reach.text:
            reach.add(SEPARATOR)
        reach.add(label("contact.phone") + colon)
        for i, phone in enumerate(org.phones):
            if i:
                reach.add(" / ")
            reach.add(phone.number, "tel:" + phone.e164)
            if phone.label:
                reach.add(f" ({phone.label})")
        reach.fields.append("organisation.phones")
    if org.website:
        field_(reach, "contact.website", "organisation.website", org.website_display or org.website, org.website)
    if org.email:
        field_(reach, "contact.email", "organisation.email", org.email, "mailto:" + org.email)
    if org.line_id:
        field_(reach, "contact.line", "organisation.line", org.line_id)

    visit = _Text()
    address = org.address_for(lang).strip()
    if address or org.postal_code:
        code = org.postal_code or ""
        if code and fonts is not None and fonts.missing(POSTAL_MARK, language.script, "bold"):
            code = code.replace(POSTAL_MARK, "").strip()
        field_(visit, "contact.address", "organisation.address", " ".join(p for p in (code, address) if p))
    hours = org.hours_for(lang).strip()
    if hours:
        field_(visit, "contact.hours", "organisation.hours", hours)
    if org.languages_spoken:
        names = [language_name(t, lang) for t in org.languages_spoken]
        field_(visit, "contact.languages", "organisation.languages", _list(names, lang))

    if arrangement >= 1:        # the details in one paragraph: no line is left half empty between them
        reach = _join(reach, visit)
        visit = _Text()
    if arrangement >= 2:        # everything in one paragraph, in the details' style
        head = _join(head, reach)
        reach = _Text()
        title_style = detail_style
    paragraphs, links, fields = [], {}, {}
    for name, para, style, gap in (("organisation.name", head, title_style, 0.0),
                                   ("organisation.contact", reach, detail_style, 0.3),
                                   ("organisation.visit", visit, detail_style, 0.0)):
        if not para.text:
            continue
        paragraphs.append(LocalText(style=style, text=para.text, name=name, gap_before=gap if paragraphs else 0.0))
        links[name] = tuple(para.links)
        fields[name] = tuple(para.fields)
    return Block(tuple(paragraphs), links, tuple(problems), tuple(errors), fields)
