"""QR codes as vector paths: the encoder gives a module matrix, we draw it."""

from __future__ import annotations

from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M, ERROR_CORRECT_Q

QUIET_ZONE = 4  # modules, on every side (ISO/IEC 18004)
_LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


@lru_cache(maxsize=32)
def matrix(data: str, level: str = "M") -> tuple[tuple[bool, ...], ...]:
    """The module matrix of ``data``, without quiet zone."""
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
