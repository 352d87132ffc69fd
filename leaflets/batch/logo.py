"""An organisation's logo, read safely from inside its batch spec's folder.

The logo is a relative path inside the spec's folder: absolute paths, drive
letters, backslashes, ``..`` and symbolic links anywhere on the way are
refused, and so is anything but a regular file of at most
:data:`MAX_BYTES`.  What it is, is read from its first bytes, not its name.

* **PNG** — the header's dimensions are checked (at most :data:`MAX_PIXELS`)
  before any pixel is decoded, and Pillow's decompression-bomb warning is an
  error.  Transparency is flattened on white (print files are PDF/X-1a: no
  transparency), and the pixels are kept as 8-bit RGB (online edition) and
  8-bit CMYK (print).  A logo is never drawn taller than
  :data:`MAX_DRAWN_HEIGHT_MM` (the contact block's plate), so one with more
  rows than that height needs at :data:`PRINT_DPI` is reduced by a whole
  factor (box average, after flattening) to no fewer rows than that — never
  enlarged; the conversion goes band by band, so that beside the decoded image
  only one band of it is ever in memory.  The pixel values are taken as sRGB; CMYK is the
  device-independent formula with full grey replacement — K = 1 − max(R, G, B),
  C = (1 − R − K) / (1 − K) and so on, in integer arithmetic — so black is
  K 100 % alone, the same bytes on every machine and never above 300 % ink.
* **SVG** — parsed by lxml with entities, DTDs and network access off; a
  DOCTYPE or ENTITY declaration, ``<script>``, event attributes (``on…``),
  ``<foreignObject>``, ``<image>``, references to anything but a ``#fragment``
  of the file itself (``href``, ``url()``, ``@import``) are refused.  A
  practical subset becomes vector paths: ``path`` (every command, arcs and
  quadratic curves turned into cubic ones), ``rect`` (with rounded corners),
  ``circle``, ``ellipse``, ``line``, ``polyline``, ``polygon``, ``g`` and
  ``use`` of a local element, ``transform``, fill, stroke, stroke width and
  fill rule from attributes, ``style=""`` and simple ``<style>`` rules (by
  element, class or id); colours as hex, ``rgb()`` or basic names.  Colours go
  to CMYK by the same formula as pixels.  ``title``, ``desc``, ``metadata``
  and editors' own elements are ignored; any other element is an error that
  names it.

A problem is a :class:`~leaflets.errors.ContentError` naming the logo file and
what is wrong with it.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import struct
import warnings
import zlib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import ContentError, Diagnostic, ERROR, WARNING
from ..layout.page import LOGO_MAX_HEIGHT_MM as MAX_DRAWN_HEIGHT_MM    # the tallest a logo is drawn (its plate)
from ..memo import keep, recent
from ..model.schema import Color

MAX_BYTES = 5 * 1024 * 1024      # a logo file
MAX_PIXELS = 25_000_000          # a PNG's width x height
MAX_SIDE = 20_000                # a PNG's width or height
MAX_ELEMENTS = 20_000            # SVG elements
MAX_SEGMENTS = 200_000           # path segments of an SVG, after <use> is expanded
MAX_USE_DEPTH = 8
PRINT_DPI = 300                  # the effective resolution a print file needs (preflight's minimum)
BAND_PIXELS = 1 << 18            # pixels of a PNG flattened and converted at a time

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class Logo:
    """A logo ready to paint: pixels (PNG) or vector paths (SVG).

    ``paths`` are :class:`leaflets.layout.frame.Path` in a unit box: x from 0
    (left) to 1 (right), y from 0 (top) to 1 (bottom) of the logo, whatever
    its aspect; paint them scaled to (width, width / aspect).  A path's
    ``stroke_width`` is a fraction of the logo's width."""

    source: Path
    kind: str                        # "png" | "svg"
    width_px: int | None             # raster only
    height_px: int | None
    cmyk: bytes | None               # raster only: flattened on white, 8-bit CMYK, row-major (Pillow "CMYK")
    rgb: bytes | None                # raster only: the same pixels flattened, 8-bit RGB
    paths: tuple | None              # vector only
    aspect: float                    # width / height
    warnings: tuple[Diagnostic, ...] = ()

    def min_width_pt(self, dpi: float = PRINT_DPI) -> float | None:
        """Raster: the largest width in points at which the logo still has
        ``dpi`` effective pixels per inch (wider, it prints coarser); None
        for a vector logo."""
        if self.kind != "png" or not self.width_px:
            return None
        return self.width_px / dpi * 72.0

    # the name the interface promised; the same number
    max_width_pt = min_width_pt


class _Problem(Exception):
    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)


def load_logo(value: str, spec_dir: Path, line: int | None, spec_file: Path | None = None) -> Logo:
    """The logo ``value`` names: a relative path inside ``spec_dir``.

    ``line`` is where the spec names it; errors are reported at the spec
    (``spec_file``, or the logo's own path when not given) and name the logo."""
    where = spec_file
    try:
        path = _safe_path(value, Path(spec_dir))
        where = where or path
        data = _read(path)
        if data.startswith(PNG_SIGNATURE):
            kind = "png"
        elif _looks_like_xml(data):
            kind = "svg"
        else:
            raise _Problem("it is neither a PNG nor an SVG image (judged by its content, not its name)",
                           "save the logo as PNG or SVG")
        ext = path.suffix.lower()
        if ext not in (".png", ".svg"):
            raise _Problem(f"logos are PNG or SVG files; '{path.name}' is named {ext or 'without an extension'}",
                           f"rename it to {path.stem}.{kind}" if ext == "" else "save the logo as PNG or SVG")
        if ext != "." + kind:
            raise _Problem(f"the file is named {ext} but its content is {kind.upper()}",
                           f"rename it to {path.stem}.{kind}, or save it again as {ext[1:].upper()}")
        return _decoded(path, kind, data)
    except _Problem as exc:
        raise ContentError(Diagnostic(ERROR, f"the logo '{value}': {exc.message}", where or Path(spec_dir),
                                      line, exc.hint, code="logo")) from None


# The logos decoded last, by their bytes: offices of one organisation share a logo, and a batch's specs are
# read again by every run.  What a logo becomes depends on its bytes alone; only ``source`` is the file's.
_DECODED: dict[tuple[str, bytes], Logo] = {}
DECODED_KEPT = 8


def _decoded(path: Path, kind: str, data: bytes) -> Logo:
    import hashlib
    key = (kind, hashlib.sha256(data).digest())
    logo = recent(_DECODED, key)
    if logo is None:
        logo = _png(path, data) if kind == "png" else _svg(path, data)
        keep(_DECODED, key, logo, DECODED_KEPT)
    return logo if logo.source == path else replace(logo, source=path)


# ------------------------------------------------------------------------ files

def _safe_path(value: str, spec_dir: Path) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _Problem("the logo's path is empty", "write the file name, e.g. logo: logo.png")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise _Problem("the path contains control characters", "write a plain file name")
    if "\\" in value:
        raise _Problem("the path contains a backslash", "write paths with '/' (e.g. images/logo.png)")
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute() or \
            re.match(r"^[A-Za-z]:", value) or value.startswith("~"):
        raise _Problem("the path is absolute; a logo is read only from the spec's own folder",
                       "copy the logo next to the spec and give its name, e.g. logo: logo.png")
    parts = PurePosixPath(value).parts
    if any(p == ".." for p in parts):
        raise _Problem("the path goes out of the spec's folder ('..')",
                       "copy the logo into the spec's folder and give its name")
    base = spec_dir.resolve()
    current = base
    for i, part in enumerate(p for p in parts if p != "."):
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            raise _Problem(f"there is no file {'/'.join(parts)} in the spec's folder {spec_dir}",
                           "check the name; the path is relative to the spec's folder") from None
        except OSError as exc:
            raise _Problem(f"cannot read it: {exc.strerror or exc}") from None
        if stat.S_ISLNK(st.st_mode):
            raise _Problem(f"'{current.relative_to(base)}' is a symbolic link; logos are read only as plain files "
                           "inside the spec's folder", "copy the logo itself into the folder")
    final = current
    try:
        final.resolve().relative_to(base)
    except ValueError:
        raise _Problem("the path leads out of the spec's folder", "copy the logo into the spec's folder") from None
    if final == base:
        raise _Problem("the path names the spec's folder, not a file", "give the logo's file name")
    return final


def _read(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _Problem(f"cannot open it: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _Problem("it is not a regular file", "give an image file")
        if st.st_size > MAX_BYTES:
            raise _Problem(f"the file is {st.st_size} bytes; a logo may have at most {MAX_BYTES} bytes",
                           "save it smaller (a logo needs about 1000 pixels across, or use SVG)")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise _Problem(f"the file is larger than {MAX_BYTES} bytes")
    if not data:
        raise _Problem("the file is empty", "save the logo again")
    return data


def _looks_like_xml(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE", b"<!doctype")) or \
        (head.startswith(b"<") and b"<svg" in data[:4096])


# ------------------------------------------------------------------------ colour

def rgb_to_cmyk(r: float, g: float, b: float) -> tuple[float, float, float, float]:
    """0..1 RGB to CMYK with full grey replacement (K = 1 - max)."""
    m = max(r, g, b)
    k = 1.0 - m
    if m <= 0:
        return (0.0, 0.0, 0.0, 1.0)
    return (round((m - r) / m, 4), round((m - g) / m, 4), round((m - b) / m, 4), round(k, 4))


def _pixels_cmyk(rgb_image):
    from PIL import Image, ImageChops, ImageMath
    r, g, b = rgb_image.split()
    mx = ImageChops.lighter(ImageChops.lighter(r, g), b)

    def chan(c):
        out = ImageMath.lambda_eval(lambda a: ((a["m"] - a["c"]) * 255 + a["m"] / 2) / (a["m"] + (a["m"] == 0)),
                                    m=mx, c=c)
        return out.convert("L")

    return Image.merge("CMYK", (chan(r), chan(g), chan(b), ImageChops.invert(mx)))


# --------------------------------------------------------------------------- PNG

def _png(path: Path, data: bytes) -> Logo:
    from PIL import Image
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise _Problem("the PNG has no header (IHDR) where it must be: the file is damaged",
                       "save the logo again as PNG")
    length, = struct.unpack(">I", data[8:12])
    w, h = struct.unpack(">II", data[16:24])
    if length != 13 or zlib.crc32(data[12:29]) & 0xFFFFFFFF != struct.unpack(">I", data[29:33])[0]:
        raise _Problem("the PNG's header is damaged (its checksum does not match)", "save the logo again as PNG")
    if w == 0 or h == 0:
        raise _Problem("the PNG says it has no pixels", "save the logo again as PNG")
    if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_PIXELS:
        raise _Problem(f"the PNG says it is {w} x {h} pixels; a logo may have at most {MAX_PIXELS:,} pixels "
                       f"and {MAX_SIDE} on a side", "save it smaller: about 1000 pixels across is plenty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG"]) as im:
                if im.format != "PNG" or im.size != (w, h):
                    raise _Problem("the file is not a PNG Pillow can read as one", "save the logo again as PNG")
                if getattr(im, "n_frames", 1) != 1:
                    raise _Problem("the PNG is animated", "save a single still image")
                im.load()
                rgb, cmyk, out_w, out_h = _flattened(im)
    except _Problem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _Problem(f"the PNG is too large to decode safely ({exc})", "save it smaller") from None
    except (OSError, SyntaxError, ValueError, zlib.error, struct.error, EOFError, MemoryError) as exc:
        raise _Problem(f"the PNG cannot be decoded: {exc}", "save the logo again as PNG") from None
    return Logo(source=path, kind="png", width_px=out_w, height_px=out_h, cmyk=cmyk, rgb=rgb,
                paths=None, aspect=w / h)


def print_rows() -> int:
    """The most rows a logo can show in print: its tallest drawn height at :data:`PRINT_DPI`."""
    return math.ceil(MAX_DRAWN_HEIGHT_MM / 25.4 * PRINT_DPI)


def _flattened(im) -> tuple[bytes, bytes, int, int]:
    """The pixels of the decoded PNG ``im`` flattened on white, reduced by the whole factor that
    leaves no fewer than :func:`print_rows` rows (1 for a smaller logo), as (RGB bytes, CMYK bytes,
    width, height).  Done in bands of whole reduction blocks: each pixel's value depends only on its
    block, so the bytes are those of the whole image done at once, with one band in memory at a time."""
    from PIL import Image
    w, h = im.size
    factor = max(1, h // print_rows())
    rows = max(factor, BAND_PIXELS // w // factor * factor)
    rgb_parts: list[bytes] = []
    cmyk_parts: list[bytes] = []
    for y in range(0, h, rows):
        with im.crop((0, y, w, min(h, y + rows))) as band:
            rgba = band if band.mode == "RGBA" else band.convert("RGBA")
            with Image.new("RGBA", rgba.size, (255, 255, 255, 255)) as white, \
                    Image.alpha_composite(white, rgba) as flat:
                rgb = flat.convert("RGB")
            if rgba is not band:
                rgba.close()
        if factor > 1:
            full, rgb = rgb, rgb.reduce(factor)
            full.close()
        with rgb, _pixels_cmyk(rgb) as cmyk:
            rgb_parts.append(rgb.tobytes())
            cmyk_parts.append(cmyk.tobytes())
    return b"".join(rgb_parts), b"".join(cmyk_parts), -(-w // factor), -(-h // factor)


# --------------------------------------------------------------------------- SVG

_IGNORED = {"title", "desc", "metadata"}
_CONTAINERS = {"svg", "g", "a", "switch"}
_SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}
_DEFS = {"defs", "symbol"}
_FORBIDDEN = {"script": "scripts are not allowed in a logo",
              "foreignObject": "<foreignObject> (HTML inside SVG) is not allowed in a logo",
              "image": "<image> (a picture inside the SVG) is not allowed: a logo is drawn, or use a PNG",
              "feImage": "<feImage> (a picture inside the SVG) is not allowed",
              "iframe": "<iframe> is not allowed", "embed": "<embed> is not allowed", "object": "<object> is not allowed",
              "audio": "<audio> is not allowed", "video": "<video> is not allowed",
              "handler": "event handlers are not allowed", "listener": "event handlers are not allowed",
              "set": "animation is not allowed in a logo", "animate": "animation is not allowed in a logo",
              "animateMotion": "animation is not allowed in a logo",
              "animateTransform": "animation is not allowed in a logo",
              "animateColor": "animation is not allowed in a logo"}
_UNSUPPORTED_HINT = ("save the logo as plain SVG with shapes and paths (convert text, gradients, masks and "
                     "filters to flat shapes), or use a PNG")

_NAMED = {"black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0), "lime": (0, 255, 0),
          "green": (0, 128, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0), "cyan": (0, 255, 255),
          "aqua": (0, 255, 255), "magenta": (255, 0, 255), "fuchsia": (255, 0, 255), "gray": (128, 128, 128),
          "grey": (128, 128, 128), "silver": (192, 192, 192), "maroon": (128, 0, 0), "olive": (128, 128, 0),
          "purple": (128, 0, 128), "teal": (0, 128, 128), "navy": (0, 0, 128), "orange": (255, 165, 0)}

_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUM_RE = re.compile(_NUM)


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return None, name


def _svg(path: Path, data: bytes) -> Logo:
    from lxml import etree
    head = data.lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise _Problem("the SVG declares a DOCTYPE or entities, which can read other files or expand without "
                       "end (XXE)", "remove the <!DOCTYPE …> block; plain SVG needs none")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _Problem(f"the SVG is not well-formed XML: {exc}", "save it again from the drawing program") from None
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise _Problem("the SVG declares a DOCTYPE", "remove the <!DOCTYPE …> block")
    ns, local = _local(root.tag) if isinstance(root.tag, str) else (None, "")
    if local != "svg" or ns not in (SVG_NS, None):
        raise _Problem(f"the file's root element is <{local}>, not <svg>", "save the logo as SVG")
    count = 0
    for el in root.iter():
        count += 1
        if count > MAX_ELEMENTS:
            raise _Problem(f"the SVG has more than {MAX_ELEMENTS} elements", "simplify the logo")
        if not isinstance(el.tag, str):
            if isinstance(el, etree._Entity):
                raise _Problem("the SVG uses an entity reference", "write the text out in full")
            continue
        _check_safe(el)
    try:
        return _Converter(path, root).run()
    except (OverflowError, ZeroDivisionError):
        # arithmetic on numbers near the ends of the float range (an arc of radius 1e308, a denormal scale)
        raise _Problem("the SVG has numbers too large or too small to draw (its arithmetic overflows)",
                       "save the logo again with ordinary coordinates, e.g. a viewBox of a few hundred units"
                       ) from None


def _check_safe(el) -> None:
    ns, local = _local(el.tag)
    if local in _FORBIDDEN and ns in (SVG_NS, None):
        raise _Problem(_FORBIDDEN[local], "remove it; " + _UNSUPPORTED_HINT)
    if ns not in (SVG_NS, None) and local.lower() in {k.lower() for k in _FORBIDDEN}:
        raise _Problem(f"<{local}> is not allowed in a logo", "remove it")
    for name, value in el.attrib.items():
        ans, alocal = _local(name)
        if alocal.lower().startswith("on"):
            raise _Problem(f"<{local}> has the event attribute {alocal}=…, which runs a script",
                           "remove it; a logo does nothing when clicked")
        if alocal == "href" or (ans == XLINK_NS and alocal == "href"):
            if not re.fullmatch(r"#[A-Za-z_][\w.:-]*", value.strip()):
                raise _Problem(f"<{local}> refers to '{value[:80]}': a logo may refer only to a part of "
                               "itself (#id), never to another file or the network", "remove the reference")
        _check_css(value, local, alocal)
    if local == "style" and el.text:
        _check_css(el.text, local, "style")


def _check_css(value: str, element: str, attribute: str) -> None:
    low = value.lower()
    cleaned = re.sub(r"\\[0-9a-f]{1,6}\s?|\\.", "?", low)      # CSS escapes hide letters: treat them as suspect
    if "@import" in cleaned or "@import" in low or ("@" in cleaned and element == "style" and "?" in cleaned):
        raise _Problem(f"<{element}> imports a style sheet (@import)", "remove it; a logo is one file")
    for m in re.finditer(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", low):
        target = m.group(2).strip()
        if not re.fullmatch(r"#[a-z_][\w.:-]*", target):
            raise _Problem(f"<{element} {attribute}> refers to url({target[:60]}): only parts of the SVG itself "
                           "(#id) may be referred to", "remove the reference")
    if re.search(r"url\s*\(", cleaned) and not re.search(r"url\s*\(", low):
        raise _Problem(f"<{element} {attribute}> hides a url() behind CSS escapes", "remove it")
    if "expression(" in cleaned or "javascript:" in cleaned:
        raise _Problem(f"<{element} {attribute}> contains script", "remove it")


# ----------------------------------------------------------------- geometry

def _mul(a, b):
    """The affine matrix a·b, both (a, b, c, d, e, f) as in SVG."""
    a1, b1, c1, d1, e1, f1 = a
    a2, b2, c2, d2, e2, f2 = b
    return (a1 * a2 + c1 * b2, b1 * a2 + d1 * b2, a1 * c2 + c1 * d2, b1 * c2 + d1 * d2,
            a1 * e2 + c1 * f2 + e1, b1 * e2 + d1 * f2 + f1)


IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def parse_transform(text: str):
    m = IDENTITY
    s = text.strip()
    pos = 0
    pattern = re.compile(r"\s*,?\s*(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)\s*,?")
    while pos < len(s):
        t = pattern.match(s, pos)
        if not t:
            raise _Problem(f"the transform '{text[:60]}' cannot be read",
                           "use matrix(), translate(), scale(), rotate(), skewX() or skewY()")
        pos = t.end()
        args = [float(x) for x in _NUM_RE.findall(t.group(2))]
        name = t.group(1)
        n = len(args)
        if name == "matrix" and n == 6:
            step = tuple(args)
        elif name == "translate" and n in (1, 2):
            step = (1, 0, 0, 1, args[0], args[1] if n == 2 else 0)
        elif name == "scale" and n in (1, 2):
            step = (args[0], 0, 0, args[1] if n == 2 else args[0], 0, 0)
        elif name == "rotate" and n in (1, 3):
            a = math.radians(args[0])
            step = (math.cos(a), math.sin(a), -math.sin(a), math.cos(a), 0, 0)
            if n == 3:
                step = _mul(_mul((1, 0, 0, 1, args[1], args[2]), step), (1, 0, 0, 1, -args[1], -args[2]))
        elif name == "skewX" and n == 1:
            step = (1, 0, math.tan(math.radians(args[0])), 1, 0, 0)
        elif name == "skewY" and n == 1:
            step = (1, math.tan(math.radians(args[0])), 0, 1, 0, 0)
        else:
            raise _Problem(f"the transform {name}() has {n} numbers", "check the transform")
        m = _mul(m, tuple(float(v) for v in step))
    if not all(math.isfinite(v) for v in m):
        raise _Problem(f"the transform '{text[:60]}' is not finite")
    return m


def _apply(m, x, y):
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


_KAPPA = 0.5522847498307936


def _arc_to_cubics(x1, y1, rx, ry, phi, large, sweep, x2, y2):
    """SVG's endpoint arc as cubic Béziers (implementation notes, F.6)."""
    if (x1, y1) == (x2, y2):
        return []
    rx, ry = abs(rx), abs(ry)
    if rx == 0 or ry == 0:
        return [("L", x2, y2)]
    cphi, sphi = math.cos(math.radians(phi)), math.sin(math.radians(phi))
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    x1p, y1p = cphi * dx + sphi * dy, -sphi * dx + cphi * dy
    lam = (x1p / rx) ** 2 + (y1p / ry) ** 2
    if lam > 1:
        rx, ry = rx * math.sqrt(lam), ry * math.sqrt(lam)
    num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    coef = math.sqrt(max(0.0, num / den)) if den else 0.0
    if large == sweep:
        coef = -coef
    cxp, cyp = coef * rx * y1p / ry, -coef * ry * x1p / rx
    cx = cphi * cxp - sphi * cyp + (x1 + x2) / 2
    cy = sphi * cxp + cphi * cyp + (y1 + y2) / 2

    if not all(map(math.isfinite, (rx, ry, x1p, y1p, cxp, cyp, cx, cy))):
        raise OverflowError("arc out of the float range")

    def angle(ux, uy, vx, vy):
        a = math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)
        return a

    t1 = angle(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry)
    dt = angle((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry)
    if not sweep and dt > 0:
        dt -= 2 * math.pi
    elif sweep and dt < 0:
        dt += 2 * math.pi
    n = max(1, int(math.ceil(abs(dt) / (math.pi / 2) - 1e-9)))
    step = dt / n
    out = []
    alpha = 4 / 3 * math.tan(step / 4)

    def point(t):
        ct, st = math.cos(t), math.sin(t)
        return (cx + rx * ct * cphi - ry * st * sphi, cy + rx * ct * sphi + ry * st * cphi,
                -rx * st * cphi - ry * ct * sphi, -rx * st * sphi + ry * ct * cphi)

    t = t1
    for i in range(n):
        px, py, dx1, dy1 = point(t)
        qx, qy, dx2, dy2 = point(t + step)
        if i == n - 1:
            qx, qy = x2, y2
        out.append(("C", px + alpha * dx1, py + alpha * dy1, qx - alpha * dx2, qy - alpha * dy2, qx, qy))
        t += step
    return out


_CMD_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def _tokens(d: str):
    i, n = 0, len(d)
    while i < n:
        c = d[i]
        if c in " \t\r\n,":
            i += 1
        elif c.isalpha():
            yield c
            i += 1
        else:
            m = _NUM_RE.match(d, i)
            if not m:
                raise _Problem(f"the path data has '{d[i:i + 12]}' where a number belongs", "check the d attribute")
            yield m.group()
            i = m.end()


def parse_path(d: str) -> list[tuple]:
    """SVG path data as absolute M, L, C and Z commands."""
    out: list[tuple] = []
    # arc flags may be written without separators ("a1 1 0 01 1 1"): split them when reading an arc
    toks = list(_tokens(d))
    pos = 0
    cmd = None
    cx = cy = sx = sy = 0.0
    last_c = last_q = None
    count = 0

    def num():
        nonlocal pos
        if pos >= len(toks) or toks[pos].isalpha():
            raise _Problem(f"the path command {cmd} is missing numbers", "check the d attribute")
        v = float(toks[pos])
        pos += 1
        if not math.isfinite(v):
            raise _Problem("the path has a number that is not finite")
        return v

    def flag():
        nonlocal pos
        if pos >= len(toks):
            raise _Problem("an arc is missing its flags", "check the d attribute")
        t = toks[pos]
        if t[0] in "01" and t[0] == t.lstrip("+")[0]:
            if len(t) > 1:
                toks[pos] = t[1:]
            else:
                pos += 1
            return t[0] == "1"
        raise _Problem(f"an arc flag must be 0 or 1, not '{t}'", "check the d attribute")

    while pos < len(toks):
        t = toks[pos]
        if t.isalpha():
            if t.upper() not in _CMD_ARGS:
                raise _Problem(f"the path command '{t}' does not exist", "check the d attribute")
            cmd = t
            pos += 1
        elif cmd is None:
            raise _Problem("the path data does not start with a command (M)", "check the d attribute")
        elif cmd in "Zz":
            raise _Problem("numbers follow Z in the path data", "check the d attribute")
        count += 1
        if count > MAX_SEGMENTS:
            raise _Problem(f"a path has more than {MAX_SEGMENTS} segments", "simplify the logo")
        up = cmd.upper()
        rel = cmd.islower()
        ox, oy = (cx, cy) if rel else (0.0, 0.0)
        if up == "Z":
            out.append(("Z",))
            cx, cy = sx, sy
            last_c = last_q = None
            continue
        if not out and up != "M":
            raise _Problem("the path data does not start with M", "check the d attribute")
        if up == "M":
            x, y = num() + ox, num() + oy
            out.append(("M", x, y))
            cx, cy, sx, sy = x, y, x, y
            cmd = "l" if rel else "L"
            last_c = last_q = None
            continue
        if up == "L":
            x, y = num() + ox, num() + oy
            out.append(("L", x, y))
            last_c = last_q = None
        elif up == "H":
            x, y = num() + ox, cy
            out.append(("L", x, y))
            last_c = last_q = None
        elif up == "V":
            x, y = cx, num() + (cy if rel else 0.0)
            out.append(("L", x, y))
            last_c = last_q = None
        elif up == "C":
            x1, y1, x2, y2, x, y = num() + ox, num() + oy, num() + ox, num() + oy, num() + ox, num() + oy
            out.append(("C", x1, y1, x2, y2, x, y))
            last_c, last_q = (x2, y2), None
        elif up == "S":
            x1, y1 = (2 * cx - last_c[0], 2 * cy - last_c[1]) if last_c else (cx, cy)
            x2, y2, x, y = num() + ox, num() + oy, num() + ox, num() + oy
            out.append(("C", x1, y1, x2, y2, x, y))
            last_c, last_q = (x2, y2), None
        elif up in "QT":
            if up == "Q":
                qx, qy = num() + ox, num() + oy
            else:
                qx, qy = (2 * cx - last_q[0], 2 * cy - last_q[1]) if last_q else (cx, cy)
            x, y = num() + ox, num() + oy
            out.append(("C", cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy),
                        x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y))
            last_q, last_c = (qx, qy), None
        elif up == "A":
            rx, ry, phi = num(), num(), num()
            large, sweep = flag(), flag()
            x, y = num() + ox, num() + oy
            out.extend(_arc_to_cubics(cx, cy, rx, ry, phi, large, sweep, x, y))
            last_c = last_q = None
        cx, cy = x, y
    return out


def _transform_cmds(cmds, m):
    out = []
    for c in cmds:
        if c[0] == "Z":
            out.append(c)
            continue
        pts = [_apply(m, c[i], c[i + 1]) for i in range(1, len(c), 2)]
        out.append((c[0],) + tuple(v for p in pts for v in p))
    return out


def _ellipse_cmds(cx, cy, rx, ry):
    k = _KAPPA
    return [("M", cx + rx, cy),
            ("C", cx + rx, cy + k * ry, cx + k * rx, cy + ry, cx, cy + ry),
            ("C", cx - k * rx, cy + ry, cx - rx, cy + k * ry, cx - rx, cy),
            ("C", cx - rx, cy - k * ry, cx - k * rx, cy - ry, cx, cy - ry),
            ("C", cx + k * rx, cy - ry, cx + rx, cy - k * ry, cx + rx, cy), ("Z",)]


def _rect_cmds(x, y, w, h, rx, ry):
    if rx <= 0 and ry <= 0:
        return [("M", x, y), ("L", x + w, y), ("L", x + w, y + h), ("L", x, y + h), ("Z",)]
    rx = min(rx if rx > 0 else ry, w / 2)
    ry = min(ry if ry > 0 else rx, h / 2)
    k = 1 - _KAPPA
    return [("M", x + rx, y), ("L", x + w - rx, y),
            ("C", x + w - k * rx, y, x + w, y + k * ry, x + w, y + ry), ("L", x + w, y + h - ry),
            ("C", x + w, y + h - k * ry, x + w - k * rx, y + h, x + w - rx, y + h), ("L", x + rx, y + h),
            ("C", x + k * rx, y + h, x, y + h - k * ry, x, y + h - ry), ("L", x, y + ry),
            ("C", x, y + k * ry, x + k * rx, y, x + rx, y), ("Z",)]


# -------------------------------------------------------------------- painting

_PAINT_PROPS = ("fill", "stroke", "stroke-width", "fill-rule", "opacity", "fill-opacity", "stroke-opacity",
                "color", "display", "visibility")
_INHERITED = {"fill", "stroke", "stroke-width", "fill-rule", "fill-opacity", "stroke-opacity", "color",
              "visibility"}


def _declarations(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(";"):
        if ":" in part:
            k, _, v = part.partition(":")
            v = re.sub(r"\s*!important\s*$", "", v.strip())
            out[k.strip().lower()] = v
    return out


def _color(value: str, current: tuple[int, int, int] | None, where: str):
    """(r, g, b) 0..255, None for none, or raises."""
    v = value.strip().lower()
    if v in ("none", "transparent"):
        return None
    if v == "currentcolor":
        return current or (0, 0, 0)
    if v in _NAMED:
        return _NAMED[v]
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", v)
    if m:
        h = m.group(1)
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    m = re.fullmatch(r"rgb\(\s*(" + _NUM + r")(%?)\s*[, ]\s*(" + _NUM + r")(%?)\s*[, ]\s*(" + _NUM + r")(%?)\s*\)", v)
    if m:
        out = []
        for i in (1, 3, 5):
            x = float(m.group(i))
            x = x * 2.55 if m.group(i + 1) else x
            out.append(int(round(min(255.0, max(0.0, x)))))
        return tuple(out)
    if v.startswith("url("):
        raise _Problem(f"{where} is painted with {value.strip()[:40]} (a gradient or pattern), which is not supported",
                       "use flat colours")
    raise _Problem(f"{where} has the colour '{value.strip()[:40]}', which cannot be read",
                   "use #rrggbb, rgb(r, g, b) or a basic colour name")


def _schema_color(rgb: tuple[int, int, int]) -> Color:
    r, g, b = (c / 255 for c in rgb)
    return Color(f"logo #{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}", rgb_to_cmyk(r, g, b),
                 (round(r, 4), round(g, 4), round(b, 4)))


def _length(value: str | None, what: str, default: float | None = None) -> float | None:
    if value is None:
        return default
    v = value.strip()
    m = re.fullmatch(r"(" + _NUM + r")\s*(px)?", v)
    if not m:
        raise _Problem(f"{what} is '{v[:30]}': only plain numbers (user units) are supported there",
                       "save the SVG with plain coordinates")
    x = float(m.group(1))
    if not math.isfinite(x):
        raise _Problem(f"{what} is not finite")
    return x


_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


def _size(value: str | None) -> float | None:
    if value is None:
        return None
    m = re.fullmatch(r"\s*(" + _NUM + r")\s*(px|pt|pc|mm|cm|in)?\s*", value)
    if not m:
        return None      # a percentage or em: the viewBox decides
    return float(m.group(1)) * _UNITS[m.group(2) or ""]


class _Converter:
    def __init__(self, path: Path, root):
        self.path = path
        self.root = root
        self.paths: list = []
        self.warnings: list[Diagnostic] = []
        self.segments = 0
        self.ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        self.rules = self._style_sheets()
        self.ignored: set[str] = set()

    # ---------------------------------------------------------- style sheets
    def _style_sheets(self):
        rules = []
        order = 0
        for el in self.root.iter():
            if not isinstance(el.tag, str) or _local(el.tag)[1] != "style":
                continue
            text = re.sub(r"/\*.*?\*/", "", "".join(el.itertext()), flags=re.S)
            text = text.replace("<![CDATA[", "").replace("]]>", "")
            for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", text):
                decls = _declarations(m.group(2))
                for sel in m.group(1).split(","):
                    sel = sel.strip()
                    if re.fullmatch(r"\.[A-Za-z_][\w-]*", sel):
                        rules.append((1, order, ("class", sel[1:]), decls))
                    elif re.fullmatch(r"#[A-Za-z_][\w-]*", sel):
                        rules.append((2, order, ("id", sel[1:]), decls))
                    elif re.fullmatch(r"[A-Za-z][\w-]*|\*", sel):
                        rules.append((0, order, ("tag", sel), decls))
                    else:
                        raise _Problem(f"the <style> rule '{sel[:40]}' is more than an element, class or id "
                                       "selector", "save the SVG with presentation attributes instead of CSS")
                    order += 1
            rest = re.sub(r"([^{}]+)\{([^{}]*)\}", "", text).strip()
            if rest:
                raise _Problem(f"the <style> sheet has '{rest[:40]}', which cannot be read",
                               "save the SVG with presentation attributes instead of CSS")
        rules.sort(key=lambda r: (r[0], r[1]))
        return rules

    def own_style(self, el) -> dict[str, str]:
        props: dict[str, str] = {}
        for name in _PAINT_PROPS:
            if el.get(name) is not None:
                props[name] = el.get(name)
        local = _local(el.tag)[1]
        classes = set((el.get("class") or "").split())
        for _spec, _order, (kind, key), decls in self.rules:
            if (kind == "tag" and key in (local, "*")) or (kind == "class" and key in classes) or \
                    (kind == "id" and key == el.get("id")):
                props.update({k: v for k, v in decls.items() if k in _PAINT_PROPS})
        if el.get("style"):
            props.update({k: v for k, v in _declarations(el.get("style")).items() if k in _PAINT_PROPS})
        return props

    # ----------------------------------------------------------------- walk
    def run(self) -> Logo:
        root = self.root
        vb = root.get("viewBox")
        width, height = _size(root.get("width")), _size(root.get("height"))
        if vb:
            nums = [float(x) for x in _NUM_RE.findall(vb)]
            if len(nums) != 4 or nums[2] <= 0 or nums[3] <= 0 or not all(math.isfinite(v) for v in nums):
                raise _Problem(f"the SVG's viewBox '{vb[:40]}' is not four numbers with a positive size",
                               "give viewBox=\"0 0 width height\"")
            self.box = tuple(nums)
        elif width and height and width > 0 and height > 0:
            self.box = (0.0, 0.0, width, height)
        else:
            raise _Problem("the SVG has neither a viewBox nor a width and height", "add viewBox=\"0 0 W H\"")
        x0, y0, w, h = self.box
        self.unit = (1 / w, 0.0, 0.0, 1 / h, -x0 / w, -y0 / h)
        self.walk(root, IDENTITY, {"fill": "black", "fill-rule": "nonzero", "stroke": "none",
                                   "stroke-width": "1"}, 0, set())
        if not self.paths:
            raise _Problem("the SVG draws nothing that can be printed", "check that the logo has filled shapes")
        self.check_bounds()
        if self.ignored:
            self.warnings.append(Diagnostic(WARNING, f"the logo '{self.path.name}': ignored "
                                            f"{', '.join(sorted(self.ignored))}", self.path, None, None, "logo"))
        return Logo(source=self.path, kind="svg", width_px=None, height_px=None, cmyk=None, rgb=None,
                    paths=tuple(self.paths), aspect=w / h, warnings=tuple(self.warnings))

    def check_bounds(self) -> None:
        xs = [v for p in self.paths for c in p.commands for v in c[1::2]]
        ys = [v for p in self.paths for c in p.commands for v in c[2::2]]
        tol = 0.02
        if min(xs) < -tol or min(ys) < -tol or max(xs) > 1 + tol or max(ys) > 1 + tol:
            raise _Problem("the drawing reaches outside the SVG's viewBox", "fit the viewBox to the drawing "
                           "(in Inkscape: Document Properties, Resize to content)")

    def walk(self, el, ctm, inherited: dict, depth: int, using: set) -> None:
        if not isinstance(el.tag, str):
            return
        ns, local = _local(el.tag)
        if ns not in (SVG_NS, None):
            self.ignored.add(f"<{local}> ({'editor data' if ns else 'unknown'})")
            return
        if local in _IGNORED or local == "style":
            return
        props = dict({k: v for k, v in inherited.items() if k in _INHERITED})
        props.update(self.own_style(el))
        if props.get("display", "").strip() == "none":
            return
        if local in _DEFS and depth > 0 and not using:
            return        # drawn only where <use> refers to it
        if el.get("transform"):
            ctm = _mul(ctm, parse_transform(el.get("transform")))
        for op in ("opacity", "fill-opacity", "stroke-opacity"):
            if op in props and op in self.own_style(el):
                try:
                    o = float(props[op].strip().rstrip("%")) / (100 if props[op].strip().endswith("%") else 1)
                except ValueError:
                    raise _Problem(f"<{local}> has {op}='{props[op][:20]}', which cannot be read") from None
                if o <= 0 and op == "opacity":
                    return
                if 0 < o < 1:
                    raise _Problem(f"<{local}> is partly transparent ({op} {props[op]}): print files have no "
                                   "transparency", "give it a solid colour")
        if local in _CONTAINERS or local in _DEFS:
            for child in el:
                self.walk(child, ctm, props, depth + 1, using)
            return
        if local == "use":
            ref = (el.get("href") or el.get(f"{{{XLINK_NS}}}href") or "").strip()
            target = self.ids.get(ref[1:]) if ref.startswith("#") else None
            if target is None:
                raise _Problem(f"<use> refers to '{ref[:40]}', which is not in the SVG", "fix the reference")
            if id(target) in using or len(using) >= MAX_USE_DEPTH:
                raise _Problem("<use> refers to itself, directly or through others", "fix the references")
            x = _length(el.get("x"), "<use x>", 0.0)
            y = _length(el.get("y"), "<use y>", 0.0)
            self.walk(target, _mul(ctm, (1, 0, 0, 1, x, y)), props, depth + 1, using | {id(target)})
            return
        if local in _SHAPES:
            cmds = self.shape(el, local)
            if cmds:
                self.paint(cmds, ctm, props, local)
            return
        raise _Problem(f"the element <{local}> is not supported in a logo", _UNSUPPORTED_HINT)

    def shape(self, el, local: str) -> list[tuple]:
        g = lambda name, d=None: _length(el.get(name), f"<{local} {name}>", d)  # noqa: E731
        if local == "path":
            d = el.get("d") or ""
            return parse_path(d) if d.strip() else []
        if local == "rect":
            w, h = g("width", 0.0), g("height", 0.0)
            if w <= 0 or h <= 0:
                return []
            return _rect_cmds(g("x", 0.0), g("y", 0.0), w, h, max(0.0, g("rx", 0.0)), max(0.0, g("ry", 0.0)))
        if local == "circle":
            r = g("r", 0.0)
            return _ellipse_cmds(g("cx", 0.0), g("cy", 0.0), r, r) if r > 0 else []
        if local == "ellipse":
            rx, ry = g("rx", 0.0), g("ry", 0.0)
            return _ellipse_cmds(g("cx", 0.0), g("cy", 0.0), rx, ry) if rx > 0 and ry > 0 else []
        if local == "line":
            return [("M", g("x1", 0.0), g("y1", 0.0)), ("L", g("x2", 0.0), g("y2", 0.0))]
        pts = [float(v) for v in _NUM_RE.findall(el.get("points") or "")]
        if len(pts) % 2:
            raise _Problem(f"<{local}> has an odd count of coordinates in points", "check the points")
        if len(pts) < 4:
            return []
        cmds = [("M", pts[0], pts[1])] + [("L", pts[i], pts[i + 1]) for i in range(2, len(pts), 2)]
        return cmds + [("Z",)] if local == "polygon" else cmds

    def paint(self, cmds, ctm, props, local: str) -> None:
        from ..layout.frame import Path as FramePath
        if props.get("visibility", "").strip() in ("hidden", "collapse"):
            return
        current = _color(props["color"], None, f"<{local}> color") if "color" in props else None
        fill = _color(props.get("fill", "black"), current, f"<{local}> fill")
        stroke = _color(props.get("stroke", "none"), current, f"<{local}> stroke")
        if local in ("line", "polyline"):
            fill = fill if local == "polyline" else None
        sw = _length(props.get("stroke-width", "1"), f"<{local}> stroke-width", 1.0) if stroke else 0.0
        if stroke and sw <= 0:
            stroke = None
        if fill is None and stroke is None:
            return
        self.segments += len(cmds)
        if self.segments > MAX_SEGMENTS:
            raise _Problem(f"the logo has more than {MAX_SEGMENTS} path segments", "simplify the logo")
        m = _mul(self.unit, ctm)
        out = tuple(tuple(round(v, 6) if isinstance(v, float) else v for v in c)
                    for c in _transform_cmds(cmds, m))
        if not all(math.isfinite(v) for c in out for v in c[1:]):
            raise OverflowError("a coordinate out of the float range")
        # stroke width in the unit box's x (the logo's width): scale by the CTM's mean scale in user units
        scale = math.sqrt(abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]))
        width = round(sw * scale / self.box[2], 6) if stroke else 0.0
        self.paths.append(FramePath(commands=out, fill=_schema_color(fill) if fill else None,
                                    stroke=_schema_color(stroke) if stroke else None, stroke_width=width,
                                    even_odd=props.get("fill-rule", "nonzero").strip() == "evenodd"))
