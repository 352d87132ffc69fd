"""Diagnostics and the exceptions that carry them.

Every problem found in content is a :class:`Diagnostic`: where it is (file and
line), what is wrong, and how to fix it.  Loading and checking collect them all
instead of stopping at the first, so that ``leaflets check`` can list every
problem at once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"


def printable(text: str) -> str:
    """``text`` safe for a terminal: control, format (bidi, zero-width…) and
    separator characters other than the line feed shown as ⟨U+XXXX⟩, so that a
    message never reorders, hides or rings anything."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\n" or ch == " ":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp") or \
                (unicodedata.category(ch) == "Zs") or 0xFE00 <= ord(ch) <= 0xFE0F or ord(ch) in (0x034F, 0x115F,
                                                                                                 0x1160, 0x3164,
                                                                                                 0xFFA0):
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    file: Path | None = None
    line: int | None = None
    hint: str | None = None
    code: str = "content"

    def where(self, root: Path | None = None) -> str:
        if self.file is None:
            return ""
        path = self.file
        if root is not None:
            try:
                path = self.file.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}" if self.line else str(path)

    def format(self, root: Path | None = None) -> str:
        where = printable(self.where(root))
        message = printable(self.message)
        text = f"{where}: {self.severity}: {message}" if where else f"{self.severity}: {message}"
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, file: Path | None = None, line: int | None = None,
              hint: str | None = None, code: str = "content") -> None:
        self.items.append(Diagnostic(ERROR, message, file, line, hint, code))

    def warning(self, message: str, file: Path | None = None, line: int | None = None,
                hint: str | None = None, code: str = "content") -> None:
        self.items.append(Diagnostic(WARNING, message, file, line, hint, code))

    def add_once(self, diagnostic: Diagnostic) -> None:
        """Add ``diagnostic`` unless an identical one is already here (several
        leaflets of one language report the same problem)."""
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def extend(self, other: "Diagnostics | list[Diagnostic]") -> None:
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class LeafletsError(Exception):
    """Base class of every error this package raises on purpose."""


class UsageError(LeafletsError):
    """The command was asked for something that does not exist (exit status 2)."""


class ContentError(LeafletsError):
    """Content cannot be built: one or more diagnostics explain why."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class FontError(ContentError):
    """A font is missing, broken or does not cover the text."""
