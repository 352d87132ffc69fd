"""A small progress bar on stderr, drawn only on a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str = "", stream=None, enabled: bool | None = None):
        self.total = max(total, 1)
        self.done = 0
        self.label = label
        stream = stream if stream is not None else sys.stderr
        # the bar redraws itself with carriage returns: it writes past a message filter
        self.stream = getattr(stream, "unfiltered", stream)
        self.enabled = enabled if enabled is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self._draw("")

    def _draw(self, item: str) -> None:
        if not self.enabled:
            return
        width = 28
        filled = int(width * self.done / self.total)
        bar = "█" * filled + "·" * (width - filled)
        text = f"\r{self.label} [{bar}] {self.done}/{self.total} {item}"
        self.stream.write(text[:100].ljust(100))
        self.stream.flush()

    def advance(self, item: str = "") -> None:
        self.done += 1
        self._draw(item)

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
