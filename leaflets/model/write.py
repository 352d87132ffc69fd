"""Write a language file: readable, stable YAML that loads back to the same model."""

from __future__ import annotations

import json
import re

from .schema import Language, Text

_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*$")
_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


def scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain where that is safe, double-quoted otherwise."""
    s = str(value)
    if (_PLAIN.match(s) and not s.endswith((" ", ":")) and ": " not in s and " #" not in s
            and s.lower() not in _SPECIAL and not re.fullmatch(r"[-+]?[\d._]+([eE][-+]?\d+)?", s)
            and "\t" not in s):
        return s
    return json.dumps(s, ensure_ascii=False)


def header_comments(text: str | None) -> list[str]:
    """The comment lines at the top of an existing file."""
    out = []
    for line in (text or "").splitlines():
        if line.startswith("#"):
            out.append(line)
        elif line.strip():
            break
    return out


def language_yaml(language: Language, keys: list[str], header: list[str]) -> str:
    """The text of a language file.  ``keys`` gives the order of the strings."""
    lines = list(header)
    lines += ["language:",
              f"  tag: {scalar(language.tag)}",
              f"  name: {scalar(language.name)}",
              f"  native_name: {scalar(language.native_name)}",
              f"  script: {scalar(language.script)}",
              f"  direction: {language.direction}",
              "  review:",
              f"    status: {language.review_status}"]
    if language.review_note:
        lines.append(f"    note: {scalar(language.review_note)}")
    for k in ("reviewer", "date"):
        if language.extra_review.get(k):
            lines.append(f"    {k}: {scalar(str(language.extra_review[k]))}")
    lines += ["", "strings:"]
    order = [k for k in keys if k in language.strings] + [k for k in language.strings if k not in keys]
    for key in order:
        t: Text = language.strings[key]
        lines.append(f"  {key}:")
        lines.append(f"    text: {scalar(t.text) if t.text else json.dumps('')}")
        if t.source is not None:
            lines.append(f"    source: {scalar(t.source)}")
        if t.note:
            lines.append(f"    note: {scalar(t.note)}")
    return "\n".join(lines) + "\n"
