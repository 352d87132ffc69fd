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


# ------------------------------------------------------------------ screens
# Screen formats (the social images) are sized in pixels.  A screen design is laid out at a nominal
# 72 dpi, so that 1 pt = 1 px: its type sizes in points are pixels of the image, and its page,
# rendered at 72 dpi, is exactly the named size.  Lengths the design writes in mm are mm at that
# resolution (1 mm = 2.835 px).
SCREEN_DPI = 72
PX_MM = 25.4 / SCREEN_DPI
SCREEN: dict[str, tuple[int, int]] = {
    "social-square": (1080, 1080),     # a post in a feed
    "social-link": (1200, 630),        # the preview card of a shared link (Open Graph, 1.91 : 1)
    "social-story": (1080, 1920),      # a story or status, full screen (9 : 16)
}
# A phone shows an image in a feed or a story about 360 px (CSS px) across.
PHONE_WIDTH_PX = 360
# The smallest capitals, in px as the phone shows the image.  Body text: 7 px, the capitals of a
# 10 px Noto Sans (cap height 0.714), the smallest text phone interfaces set (captions); at about
# 0.18 mm a CSS px that is 1.25 mm, read from 0.31 m by the 1/250 rule above, a phone in the hand.
# The hotline and the report address (role hotline on a screen): 10 px, the capitals of a 14 px
# font, a phone's body text, so the number can be read and dialled off a post seen in passing.
SCREEN_CAP_PX = {"display": 7.0, "body": 7.0, "near": 7.0, "fine": 7.0, "hotline": 10.0}
# A QR code scans from a screen when its modules are at least this many px as the phone shows them.
QR_MODULE_SHOWN_PX = 4.0


def shown_px(px: float, width_px: int) -> float:
    """How many px as a phone shows it (:data:`PHONE_WIDTH_PX` across) ``px`` of an image ``width_px`` wide is."""
    return px * PHONE_WIDTH_PX / width_px


def screen_floor_pt(role: str, width_px: int, cap_height: float = CAP_HEIGHT) -> float:
    """The smallest size (pt = px of the image, rounded up to 0.01) of a style of ``role`` on a screen
    format ``width_px`` wide: its capitals :data:`SCREEN_CAP_PX` tall as the phone shows them."""
    cap = SCREEN_CAP_PX.get(role, SCREEN_CAP_PX["body"]) * width_px / PHONE_WIDTH_PX
    return math.ceil(cap / cap_height * 100 - 1e-9) / 100


def why_screen_floor(role: str, width_px: int, cap_height: float = CAP_HEIGHT) -> str:
    """A person's explanation of :func:`screen_floor_pt`."""
    floor = screen_floor_pt(role, width_px, cap_height)
    cap = SCREEN_CAP_PX.get(role, SCREEN_CAP_PX["body"])
    return (f"{floor:g} px: capitals {cap:g} px tall when a phone shows the {width_px} px wide image "
            f"{PHONE_WIDTH_PX} px across (cap height {cap_height:g} of the size)")
