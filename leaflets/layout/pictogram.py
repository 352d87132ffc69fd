"""Pictograms: simple vector drawings on a 100 x 100 canvas, placed in a box."""

from __future__ import annotations

import re

from ..model.schema import Color, Pictogram
from .frame import Path

_K = 0.5522847498  # cubic Bézier approximation of a quarter circle
_TOKEN = re.compile(r"[MLHVCQZmlhvcqz]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")


def parse_path(d: str) -> list[tuple]:
    """An SVG path (M L H V C Q Z, absolute or relative) as absolute commands."""
    tokens = _TOKEN.findall(d)
    out: list[tuple] = []
    i = 0
    cmd = None
    cx = cy = sx = sy = 0.0

    def num() -> float:
        nonlocal i
        v = float(tokens[i])
        i += 1
        return v

    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
        if cmd is None:
            raise ValueError("a path starts with a command letter")
        rel = cmd.islower()
        c = cmd.upper()
        ox, oy = (cx, cy) if rel else (0.0, 0.0)
        if c == "Z":
            out.append(("Z",))
            cx, cy = sx, sy
            cmd = None
            continue
        if c in "ML":
            x, y = num() + ox, num() + oy
            out.append((c, x, y))
            if c == "M":
                sx, sy = x, y
                cmd = "l" if rel else "L"
            cx, cy = x, y
        elif c == "H":
            cx = num() + ox
            out.append(("L", cx, cy))
        elif c == "V":
            cy = num() + oy
            out.append(("L", cx, cy))
        elif c == "C":
            x1, y1, x2, y2, x, y = (num() + ox, num() + oy, num() + ox, num() + oy, num() + ox, num() + oy)
            out.append(("C", x1, y1, x2, y2, x, y))
            cx, cy = x, y
        elif c == "Q":
            qx, qy, x, y = num() + ox, num() + oy, num() + ox, num() + oy
            out.append(("C", cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy),
                        x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y))
            cx, cy = x, y
    return out


def _circle(cx: float, cy: float, r: float) -> list[tuple]:
    k = r * _K
    return [("M", cx + r, cy), ("C", cx + r, cy + k, cx + k, cy + r, cx, cy + r),
            ("C", cx - k, cy + r, cx - r, cy + k, cx - r, cy), ("C", cx - r, cy - k, cx - k, cy - r, cx, cy - r),
            ("C", cx + k, cy - r, cx + r, cy - k, cx + r, cy), ("Z",)]


def _rect(x: float, y: float, w: float, h: float, r: float = 0.0) -> list[tuple]:
    if r <= 0:
        return [("M", x, y), ("L", x + w, y), ("L", x + w, y + h), ("L", x, y + h), ("Z",)]
    r = min(r, w / 2, h / 2)
    k = r * (1 - _K)
    return [("M", x + r, y), ("L", x + w - r, y), ("C", x + w - k, y, x + w, y + k, x + w, y + r),
            ("L", x + w, y + h - r), ("C", x + w, y + h - k, x + w - k, y + h, x + w - r, y + h),
            ("L", x + r, y + h), ("C", x + k, y + h, x, y + h - k, x, y + h - r),
            ("L", x, y + r), ("C", x, y + k, x + k, y, x + r, y), ("Z",)]


def shape_commands(shape: dict) -> list[tuple]:
    if "rect" in shape:
        x, y, w, h = shape["rect"]
        return _rect(x, y, w, h, shape.get("r", 0))
    if "circle" in shape:
        return _circle(*shape["circle"])
    return parse_path(shape["path"])


def _span(commands: list[tuple]) -> tuple[float, float]:
    """The leftmost and rightmost x of a shape's points (control points included)."""
    xs = [cmd[j] for cmd in commands if cmd[0] != "Z" for j in range(1, len(cmd), 2)]
    return (min(xs), max(xs)) if xs else (0.0, 0.0)


def place(pic: Pictogram, x: float, y: float, size: float, colors: dict[str, Color],
          mirror: bool = False) -> list[Path]:
    """The pictogram's paths, scaled into the square (x, y, size).

    ``mirror`` (a right-to-left edition) flips it left to right, unless the
    pictogram says ``mirror: false``.  A shape that says ``mirror: false``
    (a play triangle, an arrow: it shows a direction) moves to its mirrored
    place but keeps pointing the way it is drawn."""
    mirror = mirror and pic.mirror
    s = size / 100.0
    out = []
    for shape in pic.shapes:
        color = colors.get(shape.get("color", "ink"))
        stroke = shape.get("stroke")
        commands = shape_commands(shape)
        if mirror and shape.get("mirror", True) is False:
            lo, hi = _span(commands)
            shift = 100 - lo - hi        # the same shape, at the place its mirror image takes
            flip = lambda px: px + shift  # noqa: E731
        elif mirror:
            flip = lambda px: 100 - px    # noqa: E731
        else:
            flip = lambda px: px          # noqa: E731
        cmds = []
        for cmd in commands:
            if cmd[0] == "Z":
                cmds.append(cmd)
                continue
            pts = list(cmd[1:])
            for j in range(0, len(pts), 2):
                pts[j] = x + flip(pts[j]) * s
                pts[j + 1] = y + pts[j + 1] * s
            cmds.append((cmd[0], *pts))
        if stroke:
            out.append(Path(tuple(cmds), None, color, float(stroke) * s, bool(shape.get("evenodd"))))
        else:
            out.append(Path(tuple(cmds), color, None, 0.0, bool(shape.get("evenodd"))))
    return out
