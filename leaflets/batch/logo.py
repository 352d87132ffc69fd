"""An organisation's logo, read safely from inside its batch spec's folder.

Interface only for now; the reader follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Logo:
    """A logo ready to paint: pixels (PNG) or vector paths (SVG)."""

    source: Path
    kind: str                        # "png" | "svg"
    width_px: int | None             # raster only
    height_px: int | None
    cmyk: bytes | None               # raster only: flattened on white, 8-bit CMYK, row-major (Pillow "CMYK")
    rgb: bytes | None                # raster only: the same pixels flattened, 8-bit RGB
    paths: tuple | None              # vector only: leaflets.layout.frame.Path in a unit box 0..1, y down
    aspect: float                    # width / height

    def min_width_pt(self, dpi: float = 300) -> float | None:
        """Raster: the largest width in points at which the logo still has
        ``dpi`` effective pixels per inch; None for a vector logo."""
        if self.kind != "png" or not self.width_px:
            return None
        return self.width_px / dpi * 72.0


def load_logo(value: str, spec_dir: Path, line: int | None) -> Logo:
    """The logo ``value`` names (a relative path inside ``spec_dir``)."""
    raise NotImplementedError
