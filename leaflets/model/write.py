"""Write language files.

:func:`language_yaml` writes a new file (``leaflets new-language``).
:func:`edit_language` changes some values of an existing file and keeps
everything else as it is: comments, blank lines, key order, quoting and
indentation.  It edits the file with ruamel.yaml's round-trip mode and then
carries only the lines that the edit changed over to the original text, so a
line that no change touches keeps its bytes even where ruamel.yaml would have
written it differently.
"""

from __future__ import annotations

import bisect
import difflib
import io
import json
import re
from dataclasses import dataclass

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.compat import ordereddict
from ruamel.yaml.error import CommentMark, YAMLError as RuamelError
from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString,
                                      ScalarString, SingleQuotedScalarString)
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from .schema import Language, Text

_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*$")
_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}
_STR_TAG = "tag:yaml.org,2002:str"


def scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain where that is safe, double-quoted otherwise."""
    s = str(value)
    if (_PLAIN.match(s) and not s.endswith((" ", ":")) and ": " not in s and " #" not in s
            and s.lower() not in _SPECIAL and not re.fullmatch(r"[-+]?[\d._]+([eE][-+]?\d+)?", s)
            and "\t" not in s and _reads_as_text(s)):
        return s
    return json.dumps(s, ensure_ascii=False)


def _reads_as_text(s: str) -> bool:
    """Whether the content loader (YAML 1.1) reads ``s`` written plainly as text, not as a
    number, date, true/false or null."""
    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, s, (True, False)) == _STR_TAG


def language_yaml(language: Language, keys: list[str], header: list[str]) -> str:
    """The text of a new language file.  ``keys`` gives the order of the strings."""
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


# ------------------------------------------------------------------ editing

@dataclass(frozen=True)
class StringEdit:
    """New values for one string; None keeps the value the file has."""

    key: str
    text: str | None = None
    source: str | None = None
    note: str | None = None


class EditError(Exception):
    """The file cannot be edited (it is not a language file ruamel.yaml can read)."""


def _yaml(text: str) -> YAML:
    try:
        _data, indent, block_seq = load_yaml_guess_indent(text)
    except RuamelError as exc:
        raise EditError(str(exc)) from None
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 30           # never fold a long line
    indent = indent or 2
    offset = block_seq or 0
    y.indent(mapping=indent, sequence=indent + offset, offset=offset)
    return y


def _dump(y: YAML, data) -> str:
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def _new_value(old, value: str):
    """``value`` in the style of the value it replaces: quoted the same way, or plain
    where the loader reads a plain scalar back as the same text."""
    if isinstance(old, ScalarString) and str(old) != "":
        if isinstance(old, (LiteralScalarString, FoldedScalarString)):
            if str(old).endswith("\n") and not value.endswith("\n"):
                value += "\n"          # keep the block's chomping (| rather than |-)
            return LiteralScalarString(value) if "\n" in value.rstrip("\n") or isinstance(old, LiteralScalarString) \
                else type(old)(value)
        if isinstance(old, SingleQuotedScalarString) and "\n" not in value and value.isprintable():
            return SingleQuotedScalarString(value)
        if isinstance(old, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(value)
    if value and value == value.strip() and "\n" not in value and _reads_as_text(value):
        return value
    return DoubleQuotedScalarString(value)


def _trailing_holder(m: CommentedMap, key):
    """The map and key whose comment slot holds what follows the entry ``key`` of ``m``:
    its end-of-line comment and the comment and blank lines after it."""
    value = m[key]
    while isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
        m, key = value, list(value)[-1]
        value = m[key]
    return m, key


def _take_following(m: CommentedMap, key) -> str:
    """Remove and return the comment and blank lines after the entry ``key`` (not its
    end-of-line comment): they belong above whatever comes next."""
    hm, hk = _trailing_holder(m, key)
    slot = hm.ca.items.get(hk)
    if not slot or len(slot) < 3 or slot[2] is None:
        return ""
    token = slot[2]
    i = token.value.find("\n")
    if i < 0 or i + 1 >= len(token.value):
        return ""
    following = token.value[i + 1:]
    token.value = token.value[:i + 1]
    return following


def _give_following(m: CommentedMap, key, following: str) -> None:
    if not following:
        return
    hm, hk = _trailing_holder(m, key)
    slot = hm.ca.items.setdefault(hk, [None, None, None, None])
    while len(slot) < 4:
        slot.append(None)
    if slot[2] is None:
        slot[2] = CommentToken("\n" + following, CommentMark(0), None)
    else:
        slot[2].value = slot[2].value + following


def _insert_after(m: CommentedMap, before, key, value) -> None:
    """Insert ``key`` right after the entry ``before`` (None: first), moving the comment
    lines that stood between ``before`` and the next entry above the next entry still."""
    if before is None:
        m.insert(0, key, value)
        return
    following = _take_following(m, before)
    m.insert(list(m).index(before) + 1, key, value)
    _give_following(m, key, following)


_LAST = object()


def _put(m: CommentedMap, key, value) -> None:
    """``m[key] = value`` for a key ``m`` has, exactly as given (CommentedMap would
    otherwise give a plain new value the quoting of the old one)."""
    ordereddict.__setitem__(m, key, value)


def _set(m: CommentedMap, key, value: str, after=_LAST) -> None:
    """Set ``m[key]``; a new key goes after the key ``after`` (None: first; by default last)."""
    if key in m:
        old = m[key]
        if not (isinstance(old, str) and str(old) == value):
            _put(m, key, _new_value(old, value))
        return
    keys = list(m)
    if after is _LAST or (after is not None and after not in keys):
        after = keys[-1] if keys else None
    _insert_after(m, after, key, _new_value(None, value))


def _entry(e: StringEdit) -> CommentedMap:
    m = CommentedMap()
    m["text"] = _new_value(None, e.text or "")
    for k in ("source", "note"):
        if getattr(e, k) is not None:
            m[k] = _new_value(None, getattr(e, k))
    return m


def _apply(data, edits: list[StringEdit], key_order: list[str], status: str | None,
           translation: dict[str, str] | None) -> None:
    if not isinstance(data, CommentedMap) or not isinstance(data.get("strings"), CommentedMap) \
            or not isinstance(data.get("language"), CommentedMap):
        raise EditError("the file has no 'language' and 'strings' mappings")
    language, strings = data["language"], data["strings"]
    if status is not None:
        review = language.get("review")
        if not isinstance(review, CommentedMap):
            raise EditError("language.review is not a mapping")
        _set(review, "status", status)
    if translation is not None:
        block = language.get("translation")
        if isinstance(block, CommentedMap):
            for k in [k for k in block if k not in translation]:
                del block[k]
            for k, v in translation.items():
                _set(block, k, v)
        else:
            block = CommentedMap((k, _new_value(None, v)) for k, v in translation.items())
            keys = list(language)
            if "translation" in language:
                _put(language, "translation", block)
            else:
                # above the review, which is what a reader looks for last
                at = keys.index("review") if "review" in keys else len(keys)
                _insert_after(language, keys[at - 1] if at else None, "translation", block)
    rank = {k: i for i, k in enumerate(key_order)}
    for e in edits:
        entry = strings.get(e.key)
        if e.key not in strings:
            here = rank.get(e.key, len(rank))
            before = None
            for k in strings:
                if k in rank and rank[k] < here:
                    before = k
            _insert_after(strings, before, e.key, _entry(e))
            continue
        if not isinstance(entry, CommentedMap):
            old = "" if entry is None else entry
            if e.source is None and e.note is None:
                if e.text is not None and e.text != str(old):
                    _put(strings, e.key, _new_value(old, e.text))
                continue
            # the short form 'key: text' becomes a mapping once it needs a source or a note
            following = _take_following(strings, e.key)
            entry = CommentedMap([("text", old if isinstance(old, str) else str(old))])
            _put(strings, e.key, entry)
            _give_following(strings, e.key, following)
        if e.text is not None or "text" not in entry:
            _set(entry, "text", e.text if e.text is not None else "", after=None)
        if e.source is not None:
            _set(entry, "source", e.source, after="text")
        if e.note is not None:
            _set(entry, "note", e.note, after="source" if "source" in entry else "text")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _carry_over(original: str, before: str, after: str) -> str:
    """Apply the change ``before`` -> ``after`` (two ruamel.yaml dumps) to ``original``,
    the text ruamel.yaml read: lines outside the change keep the original's bytes."""
    if before == original:
        return after
    a, b, c = _lines(original), _lines(before), _lines(after)
    a_of_b: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            a_of_b[block.b + k] = block.a + k
    mapped = sorted(a_of_b)

    def after_line(i: int) -> int:       # the original line after the last one mapped before b[i]
        k = bisect.bisect_left(mapped, i) - 1
        return a_of_b[mapped[k]] + 1 if k >= 0 else 0

    def before_line(i: int) -> int:      # the first original line mapped at or after b[i]
        k = bisect.bisect_left(mapped, i)
        return a_of_b[mapped[k]] if k < len(mapped) else len(a)

    hunks: list[list[int]] = []          # [a_lo, a_hi, c_lo, c_hi]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, b, c, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:                      # an insertion: right after the line before it
            lo = hi = a_of_b[i1 - 1] + 1 if (i1 - 1) in a_of_b else before_line(i1)
        else:
            lo = a_of_b[i1] if i1 in a_of_b else after_line(i1)
            hi = a_of_b[i2 - 1] + 1 if (i2 - 1) in a_of_b else before_line(i2)
        if hunks and lo < hunks[-1][1]:   # overlaps the previous change: one change
            hunks[-1][1], hunks[-1][3] = max(hi, hunks[-1][1]), j2
        else:
            hunks.append([lo, max(hi, lo), j1, j2])
    out: list[str] = []
    done = 0
    for lo, hi, j1, j2 in hunks:
        out += a[done:lo] + c[j1:j2]
        done = hi
    out += a[done:]
    return "".join(out)


def edit_language(original: str, edits: list[StringEdit], key_order: list[str], *, status: str | None = None,
                  translation: dict[str, str] | None = None, carry_over: bool = True) -> str:
    """``original`` (the text of a language file) with ``edits`` applied.

    New strings go where ``key_order`` (the source language's order) puts them;
    ``status`` sets language.review.status; ``translation`` replaces the
    language.translation block.  With ``carry_over`` (the default) only the
    lines the edit changes are taken from ruamel.yaml's output; without, the
    file is what ruamel.yaml writes.  Raises :class:`EditError` when the file
    cannot be read as YAML."""
    crlf = "\r\n" in original and "\n" not in original.replace("\r\n", "")
    text = original.replace("\r\n", "\n") if crlf else original
    y = _yaml(text)
    try:
        before = _dump(y, y.load(text))
        data = y.load(text)
    except RuamelError as exc:
        raise EditError(str(exc)) from None
    _apply(data, edits, key_order, status, translation)
    after = _dump(y, data)
    if not text.endswith("\n"):
        # ruamel.yaml always ends the file with a line break; the original did not
        before, after = before.removesuffix("\n"), after.removesuffix("\n")
    result = _carry_over(text, before, after) if carry_over else after
    return result.replace("\n", "\r\n") if crlf else result

