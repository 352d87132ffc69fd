"""Language tags: is a tag real, and which of the project's languages does a
user's spelling of one mean.

A tag is BCP 47 (RFC 5646): well formed, and naming a language, script and
region that CLDR knows (through Babel's copy of CLDR).  Users and tools spell
tags in many ways — ``TH``, ``pt_BR``, Poedit's ``fr_FR``, ``zh_CN`` for
Simplified Chinese — so :func:`resolve_tag` matches a spelling against the tags
a project has, case- and separator-insensitively first, then by CLDR's likely
subtags (``zh-CN`` is ``zh-Hans-CN``, which is what ``zh-Hans`` means).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any, Iterable

from ..errors import printable

# RFC 5646 language tags, well formed.  Grandfathered tags and 4-8 letter
# primary subtags (reserved; none is registered) are not accepted.
_BCP47 = re.compile(
    r"^(?P<lang>[a-z]{2,3}(?:-[a-z]{3}){0,3})"
    r"(?:-(?P<script>[A-Z][a-z]{3}))?"
    r"(?:-(?P<region>[A-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[0-9A-Za-z]{5,8}|[0-9][0-9A-Za-z]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[0-9A-Za-z]{2,8})+)*"
    r"(?:-x(?:-[0-9A-Za-z]{1,8})+)?$")


class TagError(Exception):
    """A spelling of a language tag that names none of the available languages."""

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message + (f" ({hint})" if hint else ""))


@lru_cache(maxsize=1)
def _cldr() -> tuple[frozenset[str], frozenset[str], frozenset[str], dict[str, str]]:
    from babel import Locale
    from babel.core import get_global
    en = Locale("en")
    return (frozenset(k.lower() for k in en.languages), frozenset(en.scripts), frozenset(en.territories),
            dict(get_global("likely_subtags")))


def canonical(tag: str) -> str:
    """``tag`` in BCP 47's conventional case: ``pt_br`` -> ``pt-BR``, ``ZH-HANT`` -> ``zh-Hant``.

    Also drops what POSIX locale names add (``fr_FR.UTF-8``, ``sr@latin``)."""
    s = tag.strip().split(".")[0].split("@")[0].replace("_", "-")
    parts = [p for p in s.split("-") if p]
    out: list[str] = []
    for i, p in enumerate(parts):
        if i == 0:
            out.append(p.lower())
        elif len(p) == 4 and p.isalpha() and out[-1] != "x":
            out.append(p.title())
        elif len(p) == 2 and p.isalpha() and out[-1] != "x":
            out.append(p.upper())
        else:
            out.append(p.lower())
    return "-".join(out)


def tag_problem(tag: Any) -> str | None:
    """Why ``tag`` is not a usable language tag, or None.

    It must be well formed and name a language (and script and region, where
    it has them) that CLDR knows: ``xx-Qaaa`` is well formed and names
    nothing."""
    if not isinstance(tag, str) or not tag:
        return "the language tag must be text such as 'th' or 'pt-BR'"
    m = _BCP47.match(tag)
    if not m:
        return (f"'{tag}' is not a valid BCP 47 language tag "
                "(a 2-3 letter language code, then optional -Script and -REGION, e.g. 'th', 'zh-Hans', 'pt-BR')")
    languages, scripts, regions, _likely = _cldr()
    lang = m.group("lang").split("-")[0]
    if lang not in languages:
        return f"'{tag}': '{lang}' is not a language code that CLDR knows (ISO 639, e.g. 'th', 'fil', 'pt')"
    if m.group("script") and m.group("script") not in scripts:
        return f"'{tag}': '{m.group('script')}' is not an ISO 15924 script code (e.g. Latn, Cyrl, Hans, Hant)"
    if m.group("region") and m.group("region") not in regions:
        return f"'{tag}': '{m.group('region')}' is not a region code (ISO 3166, e.g. BR, TW, or UN M.49 such as 419)"
    return None


def _split(tag: str) -> tuple[str, str | None, str | None]:
    m = _BCP47.match(canonical(tag))
    if not m:
        return canonical(tag).split("-")[0], None, None
    return m.group("lang").split("-")[0], m.group("script"), m.group("region")


def maximize(tag: str) -> tuple[str, str | None, str | None]:
    """Language, script and region of ``tag``, the missing ones filled in from
    CLDR's likely subtags (``zh-TW`` -> ``zh``, ``Hant``, ``TW``)."""
    lang, script, region = _split(tag)
    likely = _cldr()[3]
    keys = []
    if script and region:
        keys.append(f"{lang}_{script}_{region}")
    if region:
        keys.append(f"{lang}_{region}")
    if script:
        keys.append(f"{lang}_{script}")
    keys.append(lang)
    for k in keys:
        if k in likely:
            full = likely[k].split("_")
            if len(full) == 3:
                return lang, script or full[1], region or full[2]
    return lang, script, region


def resolve_tag(requested: str, available: Iterable[str]) -> tuple[str, str | None]:
    """The available tag that ``requested`` means, and a note on how it matched
    (None when it is spelled exactly as an available tag).

    Raises :class:`TagError` with a "did you mean" hint when none matches, or
    when several match equally well (``pt`` with both ``pt-BR`` and ``pt-PT``)."""
    tags = sorted(set(available))
    if requested in tags:
        return requested, None
    spelled = canonical(requested) if isinstance(requested, str) else ""
    if not spelled:
        what = "empty" if not (isinstance(requested, str) and requested.strip()) else \
            f"'{printable(requested)}', which is not a BCP 47 language tag (such as th, pt-BR or zh-Hant)"
        raise TagError(f"the language tag is {what}", _choices(tags))
    by_key = {canonical(t).lower(): t for t in tags}
    if spelled.lower() in by_key:
        tag = by_key[spelled.lower()]
        return tag, f"'{requested}' is taken as '{tag}'"
    want = maximize(spelled)
    _lang, _script, want_region = _split(spelled)
    same: list[str] = []
    for t in tags:
        have = maximize(t)
        if have[:2] != want[:2]:
            continue
        t_region = _split(t)[2]
        if want_region and t_region and t_region != want_region:
            continue
        same.append(t)
    if len(same) > 1 and want_region:
        exact = [t for t in same if maximize(t)[2] == want[2]]
        same = exact or same
    if len(same) == 1:
        return same[0], f"'{requested}' is taken as '{same[0]}'"
    if len(same) > 1:
        raise TagError(f"'{requested}' could mean {', '.join(same)}", "name one of them")
    close = [t for t in tags if _split(t)[0] == want[0]]
    close += [t for t in difflib.get_close_matches(spelled.lower(), list(by_key), n=3, cutoff=0.6)
              if t not in close]
    close = list(dict.fromkeys(by_key.get(c, c) for c in close))
    hint = f"did you mean {' or '.join(repr(c) for c in close[:3])}?" if close else _choices(tags)
    raise TagError(f"no language '{requested}' in this project", hint)


def _choices(tags: list[str]) -> str:
    return f"languages: {', '.join(tags)}" if tags else "the project has no languages"
