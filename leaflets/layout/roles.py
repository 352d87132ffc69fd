"""What each text block of a laid-out page is, from its key: one table for
every edition that says so (the HTML edition's elements and sections, the
tagged online PDF's structure elements), so that they agree.

:data:`ROLES` maps keys (patterns, without an ``@lang`` suffix) to a
:class:`Role`; a key that matches nothing is a paragraph.  A new design needs
only an entry for a key that is not in it.  :data:`PDF_TAGS` gives the
structure type of the tagged PDF for each role's tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """What a text block is: on the web page, and in the tagged PDF through :func:`pdf_tag`.

    ``tag``: h1, h2, h3, p, figcaption (the QR code's caption: the figure goes
    there) or note (the draft notice); ``section``: the part of the page it
    belongs to — ``banner`` (the page header), ``footer``, or a name of one's
    own (a ``<section>``, named by its ``h2`` when it has one); None: the
    section before.  A key whose pattern has the group ``item`` makes list
    items: consecutive blocks of one section with an item name form a
    ``<ul>``, one ``<li>`` per name; an ``h2`` always starts a section.
    ``size`` in rem; ``cls``: a class of the stylesheet (:data:`CSS`)."""

    tag: str
    section: str | None = None
    size: float = 1.0
    cls: str = ""


# Keys (without an ``@lang`` suffix) to roles: the first pattern that matches the whole key wins.
ROLES: tuple[tuple[str, Role | None], ...] = (
    (r"draft-mark", Role("note", "banner", 1.0, "draft")),
    (r"headline", Role("h1", "banner", 2.0)),
    (r"subheadline", Role("p", "banner", 1.5)),
    (r"call_to_report", Role("p", "call", 1.25)),
    (r"scenarios\.heading", Role("h2", "scenarios", 1.5)),
    (r"scenario\.(?P<item>[^.]+)\.title", Role("h3", "scenarios", 1.125)),
    (r"scenario\.(?P<item>[^.]+)\.body", Role("p", "scenarios")),
    (r"statement", Role("p", "statement", 1.125, "statement")),
    (r"anonymous\.title", Role("h2", "report", 1.5)),
    (r"fact:hotline\.display", Role("p", None, 2.25, "hotline")),
    (r"anonymous\.note", Role("p", "report")),
    (r"fact:links\.report\.display", Role("p", None, 1.25)),
    (r"qr\.caption", Role("figcaption", "report")),
    (r"help\.title", Role("h2", "help", 2.0)),
    (r"help\.body", Role("p", "help", 1.125)),
    (r"(card\.)?shown_to", Role("p", "shown", 1.125)),
    (r"info\.title", Role("h2", "footer", 1.125)),
    (r"fact:links\.info\.display", Role("p", None)),
    (r"agencies", Role("p", "footer", 0.875)),
    # the annual fact sheet
    (r"report\.title", Role("h1", "banner", 2.0)),
    (r"report\.(year|subtitle)", Role("p", "banner", 1.25)),
    (r"report\.area\.(?P<item>[^.]+)\.heading", Role("h3", None, 1.125)),
    (r"report\.area\.(?P<item>[^.]+)\.text", Role("p")),
    (r"report\.[a-z_.]+\.heading", Role("h2", None, 1.5)),
    (r"report\.chart\.[a-z_]+", Role("h3", None, 1.125)),
    (r"report\.source", Role("p", "footer", 0.875)),
    (r"slug", None),                      # printer's slug: never on the web page
)
_ROLES = tuple((re.compile(p), r) for p, r in ROLES)
DEFAULT_ROLE = Role("p")


def role_of(key: str) -> tuple[Role | None, str | None]:
    """The role of a block's key, and its list item's name (None outside a list)."""
    base = key.partition("@")[0]
    for pattern, role in _ROLES:
        m = pattern.fullmatch(base)
        if m:
            return role, m.groupdict().get("item")
    return DEFAULT_ROLE, None


# The tagged PDF's standard structure type for a role's tag (ISO 32000-1, 14.8.4).  The QR code's
# caption and the draft notice are paragraphs there: the QR code itself is a Figure of its own.
PDF_TAGS = {"h1": "H1", "h2": "H2", "h3": "H3", "h4": "H4", "h5": "H5", "h6": "H6", "p": "P",
            "figcaption": "P", "note": "P"}


def pdf_tag(role: Role) -> str:
    """The structure type of a role in the tagged PDF."""
    return PDF_TAGS.get(role.tag, "P")
