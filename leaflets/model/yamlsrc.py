"""Read YAML safely and remember where every value came from.

``yaml.safe_load`` forgets line numbers; errors must name them.  We read the
parser's event stream ourselves and build plain Python values from it, keeping
a map from each value's path (a tuple of keys and indices) to its line.

Content is plain data, so everything that makes YAML more than that is refused
before anything is built: anchors and aliases (a kilobyte of nested aliases
expands to gigabytes), merge keys (``<<``), tags other than the plain scalar
types, more than one document, nesting deeper than :data:`MAX_DEPTH`, and
characters YAML does not allow in a text file.  The builder is iterative, so no
input can exhaust the Python stack.
"""

from __future__ import annotations

import codecs
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Diagnostic, ERROR

MAX_BYTES = 1 << 20  # 1 MiB: no content file is anywhere near this
MAX_DEPTH = 64       # mappings and lists inside each other; content needs fewer than 10

# libyaml's parser when PyYAML was built with it (its wheels are): same events and
# marks, many times faster than the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_Y = "tag:yaml.org,2002:"
# Scalar types a content file may hold (written plainly or with an explicit !!tag).
_SCALAR_TAGS = {_Y + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP, _SEQ, _MERGE, _STR = _Y + "map", _Y + "seq", _Y + "merge", _Y + "str"

# Characters YAML 1.1 allows in a stream (its "printable" set).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))

_HINT_PLAIN = "write the value out in full: content files hold plain mappings, lists and text"


@dataclass
class Source:
    """A loaded YAML file: its data and the line of every path in it."""

    path: Path
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, *path: Any) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


class YamlError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(diagnostic.format())


def _fail(path: Path, line: int | None, message: str, hint: str | None = None) -> YamlError:
    return YamlError(Diagnostic(ERROR, message, path, line, hint, code="yaml"))


def _read(path: Path) -> str:
    try:
        st = path.stat()
    except OSError as exc:
        raise _fail(path, None, f"cannot read the file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _fail(path, None, "this is not a regular file", "content files are YAML text files")
    if st.st_size > MAX_BYTES:
        raise _fail(path, None, f"the file is {st.st_size} bytes; content files are limited to {MAX_BYTES} bytes",
                    "split it, or check that the right file is in content/")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise _fail(path, None, f"the file is larger than {MAX_BYTES} bytes")
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise _fail(path, 1, f"the file is encoded as {name}, not UTF-8", "save it as UTF-8 (without BOM)")
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise _fail(path, line, "the file contains NUL bytes: it is not a text file (or not UTF-8)",
                    "content files are YAML text saved as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _fail(path, line, f"the file is not UTF-8 (byte {exc.start})", "save it as UTF-8") from None


def _check_characters(path: Path, text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    m = _NOT_PRINTABLE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise _fail(path, line, f"the character U+{ord(m.group()):04X} (column {col}) is not allowed in a YAML file",
                    "delete it; control characters and non-characters cannot be written in content files")
    return text


def load_yaml(path: Path, text: str | None = None) -> Source:
    """Load one YAML document from ``path`` (or from ``text``)."""
    path = Path(path)
    if text is None:
        text = _read(path)
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _fail(path, None, f"the text is larger than {MAX_BYTES} bytes")
    text = _check_characters(path, text)
    loader = _Loader(text)
    try:
        return _Builder(path, loader).run()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark      # where the unfinished thing (a quote, a bracket) starts
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}: {problem}" if "found" not in problem else f"{problem} ({exc.context})"
        raise _fail(path, line, f"malformed YAML: {problem}",
                    "check the indentation and quote values that contain ': ' or start with a special character") \
            from None
    except yaml.YAMLError as exc:
        raise _fail(path, None, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()


def load_mapping(path: Path, text: str | None = None, what: str = "the file") -> Source:
    """Like :func:`load_yaml`, for a file whose top level must be a mapping (an empty file is one)."""
    src = load_yaml(path, text)
    if not isinstance(src.data, dict):
        kind = "a list" if isinstance(src.data, list) else "nothing (null)" if src.data is None else "a single value"
        raise _fail(path, src.line(), f"{what} must be a mapping of keys to values, not {kind}",
                    "write 'key: value' lines at the start of each line")
    return src


_NO_KEY = object()


class _Frame:
    __slots__ = ("value", "path", "key", "key_line")

    def __init__(self, value, path):
        self.value = value
        self.path = path
        self.key = _NO_KEY
        self.key_line = 0


class _Builder:
    """Plain values from the parser's events, with an explicit stack (no recursion)."""

    def __init__(self, path: Path, loader):
        self.path = path
        self.loader = loader
        self.src = Source(path, None)

    def fail(self, event, message: str, hint: str | None = None) -> YamlError:
        return _fail(self.path, event.start_mark.line + 1, message, hint)

    def run(self) -> Source:
        loader, src = self.loader, self.src
        stack: list[_Frame] = []
        documents = 0
        root_set = False
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.fail(event, "the file holds more than one YAML document (a second '---')",
                                    "keep one document per file: remove the '---' line and what follows, "
                                    "or merge it into the first")
                continue
            if isinstance(event, yaml.AliasEvent):
                raise self.fail(event, f"YAML aliases (*{event.anchor}) are not supported", _HINT_PLAIN)
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if event.anchor is not None:
                raise self.fail(event, f"YAML anchors (&{event.anchor}) are not supported", _HINT_PLAIN)
            line = event.start_mark.line + 1
            top = stack[-1] if stack else None
            in_key = top is not None and isinstance(top.value, dict) and top.key is _NO_KEY
            if isinstance(event, yaml.ScalarEvent):
                if in_key:
                    self.key(top, event, line)
                    continue
                value = self.scalar(event)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                is_map = isinstance(event, yaml.MappingStartEvent)
                if in_key:
                    raise self.fail(event, "a key must be plain text, not a " + ("mapping" if is_map else "list"),
                                    "write 'key: value'; quote keys that start with [ or {")
                tag = event.tag
                if tag not in (None, "!", _MAP if is_map else _SEQ):
                    raise self.fail(event, f"the YAML tag {_short(tag)} is not allowed", _HINT_PLAIN)
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(event, f"the content is nested more than {MAX_DEPTH} levels deep",
                                    "content files need only a few levels; check for unclosed [ or {")
                value = {} if is_map else []
            else:  # pragma: no cover - the parser emits nothing else
                raise self.fail(event, f"unexpected YAML event {type(event).__name__}")
            if top is None:
                if root_set:  # pragma: no cover - one document holds one node
                    raise self.fail(event, "unexpected content after the document")
                src.data, root_set = value, True
                src.lines[()] = line
                path = ()
            elif isinstance(top.value, list):
                path = top.path + (len(top.value),)
                top.value.append(value)
                src.lines[path] = line
            else:
                path = top.path + (top.key,)
                top.value[top.key] = value
                top.key = _NO_KEY
            if isinstance(value, (dict, list)):
                stack.append(_Frame(value, path))
        if not root_set:
            src.data = {}
            src.lines[()] = 1
        return src

    def key(self, frame: _Frame, event, line: int) -> None:
        tag = self.tag(event)
        if tag == _MERGE:
            raise self.fail(event, "YAML merge keys (<<) are not supported", "write the keys out in full")
        key = self.construct(event, tag)
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            key = event.value        # a key written `no:` or `1.5:` is the text written
        if key in frame.value:
            raise self.fail(event, f"the key '{key}' appears twice",
                            f"remove one of them (the first is on line {self.src.lines[frame.path + (key,)]})")
        frame.key = key
        # the line of a key is where the key is written
        self.src.lines[frame.path + (key,)] = line

    def scalar(self, event) -> Any:
        tag = self.tag(event)
        if tag == _MERGE:      # a value written `<<` is just those characters
            return event.value
        return self.construct(event, tag)

    def tag(self, event) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            implicit = event.implicit if tag is None else (False, False)
            return self.loader.resolve(yaml.ScalarNode, event.value, implicit)
        if tag not in _SCALAR_TAGS:
            raise self.fail(event, f"the YAML tag {_short(tag)} is not allowed", _HINT_PLAIN)
        return tag

    def construct(self, event, tag: str) -> Any:
        if tag == _STR:
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            what = {_Y + "timestamp": "date", _Y + "int": "whole number", _Y + "float": "number"}.get(tag, "value")
            detail = (str(exc).splitlines() or [type(exc).__name__])[-1].split(";")[0]
            raise self.fail(event, f"'{_clip(event.value)}' is not a valid {what} ({detail})",
                            "correct it, or put it in double quotes to keep it as text") from None


def _short(tag: str) -> str:
    return "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[:n] + "…"
