"""QR codes as vector paths: the encoder gives a module matrix, we draw it.

The error correction level is the design's choice (``qr: {link: report, ec: H}``):
M restores about 15 % of a damaged symbol, Q 25 %, H 30 %; a higher level needs
more modules for the same address (the smallest version that holds it is used),
so at one printed size its modules are smaller.
"""

from __future__ import annotations

from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

QUIET_ZONE = 4  # modules, on every side (ISO/IEC 18004)
LEVELS = ("L", "M", "Q", "H")
_LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


@lru_cache(maxsize=32)
def matrix(data: str, level: str = "M") -> tuple[tuple[bool, ...], ...]:
    """The module matrix of ``data`` at error correction ``level`` (L, M, Q or H), without quiet zone."""
    qr = qrcode.QRCode(error_correction=_LEVELS[level], border=0, box_size=1)
    qr.add_data(data)
    qr.make(fit=True)
    return tuple(tuple(row) for row in qr.get_matrix())


@lru_cache(maxsize=32)
def module_path(m, x: float, y: float, module: float) -> tuple[tuple, ...]:
    """Dark modules as rectangles ('R', x, y, w, h), one per horizontal run (y grows down)."""
    cmds: list[tuple] = []
    for r, row in enumerate(m):
        c = 0
        n = len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                cmds.append(("R", x + start * module, y + r * module, (c - start) * module, module))
            else:
                c += 1
    return tuple(cmds)


def version(data: str, level: str = "M") -> int:
    """The QR version (1-40) the encoder picks for ``data`` at ``level``: 17 + 4 x version modules a side."""
    return (len(matrix(data, level)) - 17) // 4


def modules_with_quiet_zone(data: str, level: str = "M") -> int:
    """Modules across the symbol and its quiet zone: what a box must hold."""
    return len(matrix(data, level)) + 2 * QUIET_ZONE
