"""Read YAML safely and remember where every value came from.

``yaml.safe_load`` forgets line numbers; errors must name them.  We compose the
node graph with the safe loader, build plain Python values from it, and keep a
map from each value's path (a tuple of keys and indices) to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Diagnostic, ERROR

MAX_BYTES = 1 << 20  # 1 MiB: no content file is anywhere near this

# libyaml's parser when PyYAML was built with it (its wheels are): same nodes and
# marks, many times faster than the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def load_yaml(path: Path, text: str | None = None) -> Source:
    """Load one YAML document from ``path`` (or from ``text``)."""
    if text is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise _fail(path, None, f"cannot read the file: {exc.strerror}") from None
        if size > MAX_BYTES:
            raise _fail(path, None, f"the file is {size} bytes; content files are limited to {MAX_BYTES} bytes",
                        "split it, or check that the right file is in content/")
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(path, None, f"the file is not UTF-8 (byte {exc.start})", "save it as UTF-8") from None
    elif len(text.encode("utf-8")) > MAX_BYTES:
        raise _fail(path, None, f"the text is larger than {MAX_BYTES} bytes")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}: {problem}" if "found" not in problem else f"{problem} ({exc.context})"
        raise _fail(path, line, f"malformed YAML: {problem}",
                    "check the indentation and quote values that contain ': ' or start with a special character") from None
    except yaml.YAMLError as exc:
        raise _fail(path, None, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    src = Source(path, None)
    if node is None:
        src.data = {}
        src.lines[()] = 1
        return src
    src.data = _build(node, (), src, loader)
    return src


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _build(node: yaml.Node, path: tuple, src: Source, loader) -> Any:
    src.lines[path] = node.start_mark.line + 1
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise _fail(src.path, node.start_mark.line + 1, f"the YAML tag {node.tag} is not allowed",
                    "content files hold plain mappings, lists and text")
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _fail(src.path, key_node.start_mark.line + 1, "a key must be plain text")
            key = loader.construct_object(key_node, deep=True)
            if key == "<<":
                raise _fail(src.path, key_node.start_mark.line + 1, "YAML merge keys (<<) are not supported",
                            "write the keys out in full")
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in out:
                raise _fail(src.path, key_node.start_mark.line + 1, f"the key '{key}' appears twice",
                            f"remove one of them (the first is on line {src.lines[path + (key,)]})")
            out[key] = _build(value_node, path + (key,), src, loader)
            # the line of a key is where the key is written
            src.lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), src, loader) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise _fail(src.path, node.start_mark.line + 1, f"malformed value: {exc}") from None
