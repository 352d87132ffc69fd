"""The accessible HTML edition: one self-contained page per design and language.

The document is built from the laid-out page's text blocks, in the order the
design paints them (its reading order), plus the campaign facts:

- what each block is comes from its key, through :data:`ROLES` — one table of
  patterns over keys.  A new design needs only an entry for a key that is not
  in it; a key that matches nothing is a paragraph of the section before it;
- links are the page's own (a ``tel:`` link with the hotline's dial form, the
  ``https`` sites), on the block they cover, the display form as link text;
- colours are the design's RGB: a block's text colour and the fill of the
  shape it sits on.  A pair under WCAG AA (4.5:1, 3:1 for large text) has its
  text colour moved towards black or white until it passes (one of them always
  does);
- the QR code is an inline SVG of the same module matrix the PDF draws
  (:mod:`leaflets.layout.qr`), with a text alternative and its address as a
  visible link beside it;
- lines break as the print edition's do where CSS can say it: Korean word by
  word, strict kinsoku for Japanese and Chinese, balanced headings;
- the fonts the blocks were set in are subset to the characters each one
  shows and embedded as WOFF2 (cached on disk), so the page looks the same
  everywhere.

Same input, same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from ..layout import qr as qrcodes
from ..layout.frame import Image, Path as Shape, Rect, TextBlock
from ..layout.roles import DEFAULT_ROLE, ROLES, Role, role_of  # noqa: F401  (shared with the tagged PDF)

PAPER = (1.0, 1.0, 1.0)
INK = (0x23 / 255, 0x1F / 255, 0x20 / 255)


LARGE_PX, LARGE_BOLD_PX = 24.0, 18.66      # WCAG "large text": 18 pt, or 14 pt bold (CSS px)
ROOT_PX = 16.0


# ------------------------------------------------------------------ colour

def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (components 0..1)."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def hex_rgb(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c * 255))):02X}" for c in rgb)


def parse_hex(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _quantise(rgb):
    return tuple(max(0, min(255, round(c * 255))) / 255 for c in rgb)


def readable(fg, bg, need: float):
    """``fg``, or the nearest colour towards black or white that reaches ``need`` against ``bg``."""
    fg, bg = _quantise(fg), _quantise(bg)
    if contrast(fg, bg) >= need:
        return fg
    target = (0.0, 0.0, 0.0) if contrast((0.0, 0.0, 0.0), bg) >= contrast((1.0, 1.0, 1.0), bg) else (1.0, 1.0, 1.0)
    for step in range(1, 101):
        t = step / 100
        c = _quantise(tuple(a + (b - a) * t for a, b in zip(fg, target)))
        if contrast(c, bg) >= need:
            return c
    return target


def is_large(size_rem: float, bold: bool) -> bool:
    px = size_rem * ROOT_PX
    return px >= LARGE_PX or (bold and px >= LARGE_BOLD_PX)


# ------------------------------------------------------------------ fonts

class WebFonts:
    """WOFF2 subsets of the faces a page uses, cached on disk by content."""

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = Path(cache_dir) / "woff2" if cache_dir is not None else None
        self._digests: dict[int, str] = {}
        self._memory: dict[str, bytes] = {}

    def _digest(self, face) -> str:
        d = self._digests.get(id(face))
        if d is None:
            d = (face.entry.sha256 + f"/{face.index}") if not face.derived \
                else hashlib.sha256(face.data).hexdigest()
            self._digests[id(face)] = d
        return d

    def woff2(self, face, chars: frozenset[int]) -> bytes:
        """The face subset to ``chars`` (with what shaping them needs) as WOFF2."""
        key = hashlib.sha256(f"html-1/{self._digest(face)}/{','.join(map(str, sorted(chars)))}".encode())\
            .hexdigest()
        data = self._memory.get(key)
        if data is not None:
            return data
        path = self.cache_dir / f"{key}.woff2" if self.cache_dir is not None else None
        if path is not None and path.exists():
            data = path.read_bytes()
        else:
            data = subset_woff2(face.data, face.index if not face.derived else 0, chars)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
        self._memory[key] = data
        return data

    def font_faces(self, families: dict, chars: dict) -> list[str]:
        """The ``@font-face`` rules of a page: each face (-> its family name in ``families``) subset to
        the characters the page sets in it (``chars``), embedded as WOFF2."""
        rules = []
        for face, fam in families.items():
            cs = _with_decompositions(chars.get(face, set()) | {0x20}, face.unicodes)
            data = base64.b64encode(self.woff2(face, cs)).decode("ascii")
            rules.append(f'@font-face{{font-family:"{fam}";src:url(data:font/woff2;base64,{data}) '
                         f'format("woff2");font-weight:{700 if face.weight == "bold" else 400};'
                         f"font-style:normal;font-display:block}}")
        return rules


def _with_decompositions(chars: set[int], covered) -> frozenset[int]:
    """``chars`` and every character of their canonical and compatibility decompositions that the
    face has: a shaper may set a character by its parts (Thai SARA AM as NIKHAHIT + SARA AA, an
    Indic nukta letter as letter + nukta), so the parts must be in the subset's cmap too."""
    out = set(chars)
    todo = list(chars)
    while todo:
        cp = todo.pop()
        for part in unicodedata.decomposition(chr(cp)).split():
            if part.startswith("<"):
                continue
            q = int(part, 16)
            if q not in out and q in covered:
                out.add(q)
                todo.append(q)
    return frozenset(out)


def subset_woff2(data: bytes, index: int, chars: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]           # every feature shaping these characters needs
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]   # keep the copyright and the licence (OFL)
    options.hinting = False
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables = list(options.drop_tables) + ["meta"]     # metadata the web page does not need
    font = TTFont(io.BytesIO(data), fontNumber=index, recalcTimestamp=False, lazy=True)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(chars))
    log = logging.getLogger("fontTools.subset")
    level = log.level
    log.setLevel(logging.ERROR)            # the subsetter's notes on tables it keeps as they are
    try:
        sub.subset(font)
    finally:
        log.setLevel(level)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


# ------------------------------------------------------------------ document

@dataclass
class _Element:
    block: TextBlock
    role: Role
    item: str | None
    section: str
    fg: tuple
    bg: tuple
    faces: list
    href: str | None
    border: tuple | None = None    # the outline the block sits in (a stroked box with no fill)
    spans: tuple = ()              # (start, end, uri): links on parts of its text (a contact block's phones)
    logo: str = ""                 # the logo painted beside it, as HTML (a contact block's first paragraph)


@dataclass
class QrCode:
    """A QR code of the design: the link it holds, from the campaign facts."""

    url: str
    display: str
    level: str = "M"
    dark: tuple = (0.0, 0.0, 0.0)


@dataclass
class _Doc:
    pages: list
    lang: str
    rtl: bool
    elements: list[_Element] = field(default_factory=list)


def _background(items: list, index: int, box) -> tuple:
    """The fill of the last shape painted before ``items[index]`` under the centre of ``box``."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    for it in reversed(items[:index]):
        if isinstance(it, Rect) and it.fill is not None and it.x <= cx <= it.x + it.w and it.y <= cy <= it.y + it.h:
            return tuple(it.fill.rgb)
    return PAPER


def _outline(items: list, index: int, box) -> tuple | None:
    """The stroke of the last unfilled, stroked box painted before ``items[index]`` around the centre of ``box``."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    for it in reversed(items[:index]):
        if isinstance(it, Rect) and it.x <= cx <= it.x + it.w and it.y <= cy <= it.y + it.h:
            if it.fill is not None:
                return None
            if it.stroke is not None and it.stroke_width > 0:
                return tuple(it.stroke.rgb)
    return None


def _elements(pages) -> list[_Element]:
    out: list[_Element] = []
    section = "main"
    for page in pages:
        items = list(page.items)
        links = {(round(l.x, 3), round(l.y, 3), round(l.w, 3), round(l.h, 3)): l.uri for l in page.links}
        plate = next(((i, it) for i, it in enumerate(items) if isinstance(it, Rect) and it.figure == "logo"), None)
        for i, it in enumerate(items):
            if not isinstance(it, TextBlock) or not it.text.strip():
                continue
            role, item = role_of(it.key)
            if role is None:
                continue
            # a heading of a section of no name of its own starts one all the same
            section = role.section or (f"key:{it.key}" if role.tag == "h2" else section)
            faces = list(dict.fromkeys(r.face for r in it.runs))
            fg = tuple(it.runs[0].color.rgb) if it.runs else INK
            href = links.get(tuple(round(v, 3) for v in it.box))
            spans = () if href else _link_spans(it, page.links)
            logo = ""
            if plate is not None and i > plate[0] and \
                    it.box[1] < plate[1].y + plate[1].h and plate[1].y < it.box[1] + it.box[3]:
                logo, plate = _logo_html(items, plate[1]), None      # beside the first paragraph only
            out.append(_Element(it, role, item, section, fg, _background(items, i, it.box), faces, href,
                                _outline(items, i, it.box), spans, logo))
    return out


def _inside(inner, outer, slack: float = 0.5) -> bool:
    x, y, w, h = inner
    X, Y, W, H = outer
    return X - slack <= x and Y - slack <= y and x + w <= X + W + slack and y + h <= Y + H + slack


def _link_spans(block: TextBlock, links) -> tuple:
    """The parts of ``block``'s text that links of the page cover (a link on part of a paragraph): the text
    of each glyph whose centre is in a link's box, as (start, end, uri), in the order of the text."""
    boxes = [l for l in links if _inside((l.x, l.y, l.w, l.h), (block.box[0] - 2, block.box[1] - 2,
                                                                 block.box[2] + 4, block.box[3] + 4))]
    if not boxes:
        return ()
    marks: dict[int, str] = {}
    for run in block.runs:
        for at, text, x, advance in run.in_text_order():
            if not text:
                continue
            cx, cy = x + advance / 2, run.y - 0.3 * run.size
            for link in boxes:
                if link.x <= cx <= link.x + link.w and link.y <= cy <= link.y + link.h:
                    for k in range(at, at + len(text)):
                        marks[k] = link.uri
                    break
    for k in [k for k in marks if unicodedata.category(block.text[k:k + 1] or "x") == "Cf"]:
        del marks[k]            # a direction mark the glyph of a link's last character stands for too
    spans: list[list] = []
    for k in sorted(marks):
        if spans and spans[-1][1] == k and spans[-1][2] == marks[k]:
            spans[-1][1] = k + 1
        else:
            spans.append([k, k + 1, marks[k]])
    return tuple(tuple(sp) for sp in spans)


def _logo_html(items: list, plate: Rect) -> str:
    """The logo on ``plate`` (the figure ``logo``: the plate, a raster or shapes) as an inline image with its
    text alternative (a PNG in a data: URI, or inline SVG)."""
    alt = escape(plate.alt, quote=True)
    picture = next((it for it in items if isinstance(it, Image) and _inside((it.x, it.y, it.w, it.h),
                                                                           (plate.x, plate.y, plate.w, plate.h))), None)
    if picture is not None:
        from PIL import Image as PILImage
        buf = io.BytesIO()
        PILImage.frombytes("RGB", (picture.px_w, picture.px_h), picture.rgb).save(buf, "PNG", optimize=True)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        return (f'<img class="logo" src="data:image/png;base64,{data}" alt="{alt}" '
                f'width="{picture.px_w}" height="{picture.px_h}">')
    shapes = [it for it in items if isinstance(it, Shape) and it.figure == "logo"]
    if not shapes:
        return ""
    paths = []
    for sh in shapes:
        d = []
        for cmd in sh.commands:
            if cmd[0] == "R":
                _k, x, y, w, h = cmd
                d.append(f"M{x - plate.x:.2f} {y - plate.y:.2f}h{w:.2f}v{h:.2f}h{-w:.2f}z")
            elif cmd[0] == "Z":
                d.append("Z")
            else:
                d.append(cmd[0] + " ".join(f"{v - (plate.x if i % 2 == 0 else plate.y):.2f}"
                                           for i, v in enumerate(cmd[1:])))
        fill = hex_rgb(tuple(sh.fill.rgb)) if sh.fill is not None else "none"
        stroke = (f' stroke="{hex_rgb(tuple(sh.stroke.rgb))}" stroke-width="{sh.stroke_width:.2f}"'
                  if sh.stroke is not None and sh.stroke_width > 0 else "")
        rule = ' fill-rule="evenodd"' if sh.even_odd else ""
        paths.append(f'<path d="{"".join(d)}" fill="{fill}"{stroke}{rule}/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="logo" viewBox="0 0 {plate.w:.2f} {plate.h:.2f}" '
            f'role="img" aria-label="{alt}"><title>{alt}</title>{"".join(paths)}</svg>')


def _once(els: list[_Element]) -> list[_Element]:
    seen: set = set()
    out = []
    for e in els:
        if (e.block.key, e.block.text) not in seen:
            seen.add((e.block.key, e.block.text))
            out.append(e)
    return out


def _attrs(**kw) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(str(v), quote=True)}"' for k, v in kw.items()
                   if v is not None and v != "")


class HtmlRenderer:
    """Writes the HTML edition of laid-out pages."""

    def __init__(self, cache_dir: Path | None = None):
        self.fonts = WebFonts(cache_dir)

    def render(self, page, qr_codes: list[QrCode] = (), draft: bool | None = None) -> bytes:
        pages = list(page) if isinstance(page, (tuple, list)) else list(getattr(page, "pages", (page,)))
        first = pages[0]
        lang, rtl = first.lang, first.rtl
        els = _elements(pages)
        families: dict[object, str] = {}
        chars: dict[object, set[int]] = {}
        for e in els:
            for f in e.faces:
                families.setdefault(f, f"lf{len(families) + 1}")

        def font_css(faces, text: str) -> str:
            for f in faces:
                chars.setdefault(f, set()).update(ord(c) for c in text if ord(c) in f.unicodes)
            return ",".join(f'"{families[f]}"' for f in faces) + ",sans-serif"

        def line_height(faces, tag) -> float:
            tall = max((f.ascender + f.descender for f in faces), default=1.0)
            base = 1.3 if tag in ("h1", "h2", "h3") else 1.6
            return round(max(base, tall * 1.15), 2)

        def style(e: _Element, container_bg, text: str, extra: str = "") -> str:
            bold = any(f.weight == "bold" for f in e.faces[:1])
            need = 3.0 if is_large(e.role.size, bold) else 4.5
            own_bg = None if _quantise(e.bg) == _quantise(container_bg) else e.bg
            fg = readable(e.fg, own_bg or container_bg, need)
            parts = [f"font-family:{font_css(e.faces, text)}", f"font-weight:{700 if bold else 400}",
                     f"font-size:{e.role.size:g}rem", f"line-height:{line_height(e.faces, e.role.tag):g}",
                     f"color:{hex_rgb(fg)}"]
            if own_bg is not None:
                parts.append(f"background:{hex_rgb(own_bg)};padding:.25rem .5rem")
            return ";".join(parts) + extra

        def dir_attrs(block: TextBlock) -> dict:
            """lang and dir of a paragraph in another language (it aligns as its own language does)."""
            if block.lang == lang:
                return {}
            return {"lang": block.lang, "dir": "rtl" if block.rtl else "ltr"}

        def text_html(text: str) -> str:
            return "<br>".join(escape(line, quote=False) for line in text.split("\n"))

        heading_ids: dict[str, int] = {}

        def element(e: _Element, container_bg) -> str:
            tag = {"note": "p", "figcaption": "figcaption"}.get(e.role.tag, e.role.tag)
            body = text_html(e.block.text)
            # a run in the other direction in the page's language (a number, an address on a right-to-left
            # page) is isolated in its own direction, and the paragraph keeps the page's alignment
            inner_dir = ("rtl" if e.block.rtl else "ltr") if e.block.lang == lang and e.block.rtl != rtl else None
            if e.href:
                body = f'<a href="{escape(e.href, quote=True)}"{_attrs(dir=inner_dir)}>{body}</a>'
            elif e.spans:       # links on parts of the text: each part its own link, left to right inside
                text, pieces, at = e.block.text, [], 0
                for a, b, uri in e.spans:
                    pieces.append(text_html(text[at:a]))
                    pieces.append(f'<a href="{escape(uri, quote=True)}" dir="ltr">{text_html(text[a:b])}</a>')
                    at = b
                body = "".join(pieces) + text_html(text[at:])
            elif inner_dir:
                body = f'<span dir="{inner_dir}">{body}</span>'
            attrs = dict(dir_attrs(e.block))
            if e.role.tag in ("h2", "h3"):
                n = heading_ids[e.block.key] = heading_ids.get(e.block.key, len(heading_ids) + 1)
                attrs["id"] = f"h{n}"
            if e.role.tag == "note":
                attrs["role"] = "note"
            out = (f"<{tag}{_attrs(class_=e.role.cls, style=style(e, container_bg, e.block.text), **attrs)}>"
                   f"{body}</{tag}>")
            if e.logo:
                out = f'<div class="with-logo">{e.logo}{out}</div>'
            return f'<div class="notice">{out}</div>' if e.role.tag == "note" else out

        qr_left = list(qr_codes)

        def figure(e: _Element | None, container_bg) -> str:
            code = qr_left.pop(0)
            m = qrcodes.matrix(code.url, code.level)
            q = qrcodes.QUIET_ZONE
            n = len(m) + 2 * q
            d = []
            for cmd in qrcodes.module_path(m, 0.0, 0.0, 1.0):
                _r, x, y, w, _h = cmd
                d.append(f"M{int(x) + q} {int(y) + q}h{int(w)}v1h-{int(w)}z")
            label = (e.block.text + ": " if e else "") + code.display
            ref = next((x for x in els if x.href == code.url), e)
            link_faces = ref.faces if ref else []
            svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {n} {n}" role="img" '
                   f'aria-label="{escape(label, quote=True)}" shape-rendering="crispEdges">'
                   f"<title>{escape(label, quote=False)}</title>"
                   f'<rect width="{n}" height="{n}" fill="#FFFFFF"/>'
                   f'<path fill="{hex_rgb(code.dark)}" d="{"".join(d)}"/></svg>')
            caption = element(e, container_bg) if e else ""
            link_style = ""
            if ref is not None:
                fake = _Element(ref.block, Role("p"), None, "", ref.fg if ref else INK, container_bg, link_faces,
                                code.url)
                link_style = style(fake, container_bg, code.display)
            link = (f'<p class="qr-link"{_attrs(style=link_style)}>'
                    f'<a href="{escape(code.url, quote=True)}"{_attrs(dir="ltr" if rtl else None)}>'
                    f'{escape(code.display, quote=False)}</a></p>')
            if caption:
                caption = caption.replace("</figcaption>", "</figcaption>", 1)
                return f'<figure class="qr-figure">{svg}<div>{caption}{link}</div></figure>'
            return f'<figure class="qr-figure">{svg}<div>{link}</div></figure>'

        # group: sections, then list items
        sections: list[tuple[str, list[_Element]]] = []
        # one banner and one footer (landmarks are unique); the draft notice opens the page
        banner_els = [e for e in els if e.section == "banner" and e.role.tag == "note"] + \
            [e for e in els if e.section == "banner" and e.role.tag != "note"]
        footer_els = [e for e in els if e.section == "footer"]
        # a text every page repeats (a draft mark, the source of the figures) is said once
        banner_els, footer_els = _once(banner_els), _once(footer_els)
        if banner_els:
            sections.append(("banner", banner_els))
        for e in els:
            if e.section in ("banner", "footer"):
                continue
            if sections and sections[-1][0] == e.section:
                sections[-1][1].append(e)
            else:
                sections.append((e.section, [e]))
        if footer_els:
            sections.append(("footer", footer_els))

        def section_html(name: str, members: list[_Element]) -> str:
            bg = next((m.bg for m in members if m.role.tag != "note"), members[0].bg)
            out, i = [], 0
            while i < len(members):
                e = members[i]
                if e.item is not None:
                    lis = []
                    while i < len(members) and members[i].item is not None:
                        name_ = members[i].item
                        group = []
                        while i < len(members) and members[i].item == name_:
                            group.append(members[i])
                            i += 1
                        lbg = group[0].bg
                        inner = "".join(element(g, lbg) for g in group)
                        style_ = f' style="background:{hex_rgb(lbg)}"' if _quantise(lbg) != _quantise(bg) else ""
                        lis.append(f"<li{style_}>{inner}</li>")
                    out.append('<ul class="items">' + "".join(lis) + "</ul>")
                    continue
                if e.role.tag == "figcaption" and qr_left:
                    out.append(figure(e, bg))
                else:
                    out.append(element(e, bg))
                    if e.href and qr_left and qr_left[0].url == e.href and \
                            not any(x.role.tag == "figcaption" for x in els):
                        out.append(figure(None, bg))
                i += 1
            head = next((e for e in members if e.role.tag == "h2"), None)
            style_ = f' style="background:{hex_rgb(bg)}"'
            body = "".join(out)
            border = members[0].border
            if border is not None and all(m.border == border for m in members):
                body = f'<div class="box" style="border-color:{hex_rgb(border)}">{body}</div>'
            if name == "banner":
                return f'<header class="part"{style_}>{body}</header>'
            if name == "footer":
                return f'<footer class="part"{style_}>{body}</footer>'
            if head is not None:
                return (f'<section class="part"{style_} aria-labelledby="h{heading_ids[head.block.key]}">'
                        f"{body}</section>")
            return f'<div class="part"{style_}>{body}</div>'

        parts = [section_html(n, m) for n, m in sections]
        banner = [p for (n, _), p in zip(sections, parts) if n == "banner"]
        footer = [p for (n, _), p in zip(sections, parts) if n == "footer"]
        middle = [p for (n, _), p in zip(sections, parts) if n not in ("banner", "footer")]
        while qr_left:
            middle.append(f'<div class="part">{figure(None, PAPER)}</div>')
        body = "".join(banner) + "<main>" + "".join(middle) + "</main>" + "".join(footer)

        faces_css = self.fonts.font_faces(families, chars)
        title = first.title or (els[0].block.text if els else "")
        return document(lang, rtl, title, first.author, first.subject, faces_css, CSS, body)


def document(lang: str, rtl: bool, title: str, author: str, subject: str, faces_css: list[str], css: str,
             body: str) -> bytes:
    """A whole self-contained page: its language and direction, title, author and description, the
    embedded fonts' and the page's style sheet, and ``body``."""
    head = ("<!DOCTYPE html>\n"
            f'<html lang="{escape(lang, quote=True)}" dir="{"rtl" if rtl else "ltr"}">\n<head>\n'
            '<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title, quote=False)}</title>\n"
            + (f'<meta name="author" content="{escape(author, quote=True)}">\n' if author else "")
            + (f'<meta name="description" content="{escape(subject, quote=True)}">\n' if subject else "")
            + "<style>\n" + "\n".join(faces_css) + "\n" + css + "</style>\n</head>\n")
    return (head + f"<body>\n{body}\n</body>\n</html>\n").encode("utf-8")


CSS = """\
*,*::before,*::after{box-sizing:border-box}
html{font-synthesis:none;-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#FFFFFF;color:#231F20;font-family:sans-serif;overflow-wrap:break-word}
header,main,footer{display:block}
.part{padding:1rem clamp(.75rem,4vw,2rem)}
header.part,main>.part,footer.part{max-width:none}
.part>*,.items{max-width:48rem;margin-left:auto;margin-right:auto}
h1,h2,h3,p,figure,figcaption{margin:0 0 .5rem}
h1,h2,h3{text-wrap:balance}
:lang(ko){word-break:keep-all}
:lang(ja),:lang(zh){line-break:strict}
h1:last-child,h2:last-child,h3:last-child,p:last-child{margin-bottom:0}
.items{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,18rem),1fr));gap:.75rem}
.items li{padding:.75rem 1rem;border-radius:.25rem}
.box{border:2px solid;border-radius:.5rem;padding:.75rem 1rem}
.draft{display:inline-block;border:2px solid currentColor;padding:.125rem .5rem}
.hotline{letter-spacing:.02em}
a{color:inherit;text-decoration:underline;text-underline-offset:.15em;overflow-wrap:anywhere}
a:focus-visible{outline:3px solid currentColor;outline-offset:2px}
.qr-figure{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.qr-figure>div{flex:1 1 12rem;min-width:0}
figcaption{width:fit-content;max-width:100%}
svg.qr{display:block;width:min(100%,10rem);height:auto;flex:0 0 auto}
.with-logo{display:flex;gap:.75rem;align-items:center}
.with-logo>.logo{flex:0 0 auto;width:auto;height:3rem;background:#FFFFFF;padding:.25rem;border-radius:.25rem}
"""
