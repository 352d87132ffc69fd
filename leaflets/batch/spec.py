"""Batch specs: an organisation's local contact block and what to build with it.

Interface only for now; the loader follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .logo import Logo


@dataclass(frozen=True)
class Phone:
    number: str            # as printed: NATIONAL format for Japanese numbers, INTERNATIONAL otherwise
    e164: str              # for tel: links
    label: str | None      # an optional free-text label ("Shelter"), guarded, or None


@dataclass(frozen=True)
class Organisation:
    name: Mapping[str, str]           # language tag -> name; "" = the default for every language
    phones: tuple[Phone, ...]
    website: str | None               # https URL, normalised
    website_display: str | None       # as printed (no scheme)
    email: str | None
    line_id: str | None
    address: Mapping[str, str]        # lang -> address; "" default (may be empty)
    postal_code: str | None           # as printed: 〒123-4567
    hours: Mapping[str, str]          # lang -> opening hours; "" default
    languages_spoken: tuple[str, ...] # BCP 47 tags
    logo: Logo | None

    def name_for(self, lang: str) -> str:
        return _for(self.name, lang)

    def address_for(self, lang: str) -> str:
        return _for(self.address, lang)

    def hours_for(self, lang: str) -> str:
        return _for(self.hours, lang)


def _for(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("", "")


@dataclass(frozen=True)
class BatchSpec:
    id: str                      # safe as a folder name: [a-z0-9][a-z0-9-]{0,62}
    source: Path
    organisation: Organisation
    languages: tuple[str, ...]
    designs: tuple[str, ...]
    editions: tuple[str, ...]
    qr_tag: str | None
    copies_default: int = 1
    copies_by_design: Mapping[str, int] = field(default_factory=dict)
    copies_by_language: Mapping[str, int] = field(default_factory=dict)

    def copies(self, design: str, lang: str) -> int:
        if lang in self.copies_by_language:
            return self.copies_by_language[lang]
        if design in self.copies_by_design:
            return self.copies_by_design[design]
        return self.copies_default


def load_spec(path: Path, project) -> BatchSpec:
    """The batch spec at ``path``, checked against ``project``; ContentError otherwise."""
    raise NotImplementedError


def qr_target(facts, tag: str | None) -> str:
    """The URL a batch leaflet's QR code holds: the campaign's report URL, with
    the distribution tag added as the one query parameter campaign.yaml names."""
    raise NotImplementedError


SAMPLE_SPEC = ""
