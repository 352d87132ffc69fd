"""QR codes as vector paths: the encoder gives a module matrix, we draw it."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M, ERROR_CORRECT_Q

QUIET_ZONE = 4  # modules, on every side (ISO/IEC 18004)
_LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


def matrix(data: str, level: str = "M") -> list[list[bool]]:
    """The module matrix of ``data``, without quiet zone."""
    qr = qrcode.QRCode(error_correction=_LEVELS[level], border=0, box_size=1)
    qr.add_data(data)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def module_path(m: list[list[bool]], x: float, y: float, module: float) -> tuple[tuple, ...]:
    """Dark modules as closed rectangles, one per horizontal run (y grows down)."""
    cmds: list[tuple] = []
    for r, row in enumerate(m):
        c = 0
        n = len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                x0, x1 = x + start * module, x + c * module
                y0, y1 = y + r * module, y + (r + 1) * module
                cmds += [("M", x0, y0), ("L", x1, y0), ("L", x1, y1), ("L", x0, y1), ("Z",)]
            else:
                c += 1
    return tuple(cmds)
