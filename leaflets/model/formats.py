"""Paper sizes and reading distances: the numbers a format is made from.

Plain values and arithmetic, no files: the loader (load.py) and the tests read
them.

A text is legible from a distance when its capital letters are at least 1/250
of that distance tall (a 2 m poster wants 8 mm capitals).  The cap height of
a font is a fixed share of its size (Noto Sans: OS/2 sCapHeight 714 of 1000
units to the em), so every reading distance gives a smallest size in points.
"""

from __future__ import annotations

import math

PT_PER_MM = 72 / 25.4

# Named trim sizes, portrait (width, height) in mm.  ISO 216 A sizes, JIS P 0138 B sizes
# (which differ from ISO B: JIS B3 is 364 x 515, ISO B3 353 x 500), and the Japanese
# business card, landscape.
PAPER: dict[str, tuple[float, float]] = {
    **{f"A{n}": wh for n, wh in enumerate(((841, 1189), (594, 841), (420, 594), (297, 420), (210, 297),
                                            (148, 210), (105, 148), (74, 105)))},
    **{f"JIS-B{n}": wh for n, wh in enumerate(((1030, 1456), (728, 1030), (515, 728), (364, 515), (257, 364),
                                                (182, 257), (128, 182), (91, 128)))},
    "card": (91, 55),
}
# ISO B, for the message that says which B is meant
ISO_B = {f"B{n}": wh for n, wh in enumerate(((1000, 1414), (707, 1000), (500, 707), (353, 500), (250, 353),
                                              (176, 250), (125, 176), (88, 125)))}

# The cap height of the text face as a share of its size, when a design does not say:
# Noto Sans, OS/2 sCapHeight / unitsPerEm = 714 / 1000.
CAP_HEIGHT = 0.714
# Capitals at least this share of the reading distance tall.
LEGIBILITY = 1 / 250
# Up close: a leaflet or card in the hand, a QR code being scanned.
NEAR_M = 0.4
# The smallest type a print shop accepts (print-production notes: 6 pt; 5 pt is the absolute floor).
PRINT_FLOOR_PT = 6.0

# A pictogram is at least this share of the reading distance across (the project's rule: with
# capitals of 1/250 of the distance, a pictogram is then about four capitals high, and its details,
# a tenth of it, stay as large as a letter's strokes).
PICTOGRAM_SHARE = 1 / 60


def pictogram_floor_mm(distance_m: float) -> float:
    """The smallest pictogram (mm across) that reads from ``distance_m``."""
    return round(distance_m * 1000 * PICTOGRAM_SHARE, 2)


# A style's role: from how far it is read.
#   display, body  at the format's reading distance
#   hotline        at twice it (the number is what must carry furthest)
#   near           up close, whatever the format (the QR caption, the sentence shown to a helper)
#   fine           the imprint: agencies and addresses, at the print floor
ROLES = ("display", "body", "hotline", "near", "fine")


def cap_floor_pt(distance_m: float, cap_height: float = CAP_HEIGHT) -> float:
    """The smallest size (pt, rounded up to 0.01) whose capitals read from ``distance_m``."""
    cap_mm = distance_m * 1000 * LEGIBILITY
    return math.ceil(cap_mm / cap_height * PT_PER_MM * 100 - 1e-9) / 100


def role_floor_pt(role: str, distance_m: float, cap_height: float = CAP_HEIGHT) -> float:
    """The smallest size (pt) a style of ``role`` may be set at on a format read from ``distance_m``."""
    if role in ("display", "body"):
        floor = cap_floor_pt(distance_m, cap_height)
    elif role == "hotline":
        floor = cap_floor_pt(2 * distance_m, cap_height)
    elif role == "near":
        floor = cap_floor_pt(NEAR_M, cap_height)
    else:
        floor = 0.0
    return max(floor, PRINT_FLOOR_PT)


def why_floor(role: str, distance_m: float, cap_height: float = CAP_HEIGHT) -> str:
    """A person's explanation of :func:`role_floor_pt`."""
    floor = role_floor_pt(role, distance_m, cap_height)
    if role == "fine":
        return f"{floor:g} pt, the print floor"
    distance = {"hotline": 2 * distance_m, "near": NEAR_M}.get(role, distance_m)
    return (f"{floor:g} pt: capitals of {distance * 1000 * LEGIBILITY:g} mm read from {distance:g} m "
            f"(1/250 of the distance; cap height {cap_height:g} of the size)")
