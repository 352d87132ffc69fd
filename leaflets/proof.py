"""What translators and designers look at: previews with their problems marked,
and a contact sheet of every language side by side.

Problems are drawn onto a copy of the preview: each box that overflows, holds
English fallback text or has characters no font covers is outlined, and each
placeholder set for a character no font covers is boxed in magenta.  Labels
never cover the page: they stand in a legend beside it, each joined to the
height of its box by a line in the gutter.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_bytes
from .errors import Diagnostics
from .layout.page import Problem
from .render import ONLINE
from .render import png as pngs

COLORS = {"overflow": (220, 20, 60), "missing-glyph": (200, 0, 200), "fallback": (255, 140, 0),
          "draft-mark": (0, 120, 200), "stale": (0, 140, 110)}
LABELS = {"overflow": "OVERFLOW", "missing-glyph": "NO FONT", "fallback": "ENGLISH", "draft-mark": "DRAFT MARK",
          "stale": "STALE"}


@dataclass
class Preview:
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def _font(workspace, size: int):
    from PIL import ImageFont
    face = workspace.fonts.face("Noto Sans", "bold")
    return ImageFont.truetype(io.BytesIO(face.data), size)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if (p.kind, p.region, p.key) not in seen:
            seen.add((p.kind, p.region, p.key))
            out.append(p)
    return out


def _label(p: Problem) -> str:
    if p.kind == "draft-mark":
        return f"{LABELS[p.kind]}: no free place; here it covers other text"
    text = f"{LABELS.get(p.kind, p.kind.upper())}: {p.key}"
    if p.region and p.region != p.key:
        text += f" (box '{p.region}')"
    if p.kind == "overflow" and p.cut:
        text += f" — cut about {p.cut} characters"
    if p.kind == "missing-glyph" and p.spots:
        text += f" — {len(p.spots)} placeholder(s)"
    return text


def _wrap(draw, text: str, font, width: float) -> list[str]:
    lines, cur = [], ""
    for word in text.split(" "):
        trial = f"{cur} {word}" if cur else word
        if cur and draw.textlength(trial, font=font) > width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    return lines + [cur] if cur else lines


def _anchor(p: Problem, k: float) -> float | None:
    """The height (pixels) on the page that a problem's legend entry points at."""
    if p.box != (0, 0, 0, 0):
        return (p.box[1] + p.box[3] / 2) * k
    if p.spots:
        return (p.spots[0][1] + p.spots[0][3] / 2) * k
    return None


def mark_problems(image, problems: list[Problem], dpi: float, font, legend: bool = True, title: str = ""):
    """A copy of ``image`` with every problem's box outlined and each placeholder
    boxed; with ``legend``, a legend beside the page names each problem, so that
    no label covers the page."""
    from PIL import Image, ImageDraw
    k = dpi / 72.0
    problems = _unique(problems)
    stroke = max(2, int(dpi / 40))
    page_w, page_h = image.size
    gutter = max(24, int(dpi / 3)) if legend else 0
    legend_w = max(320, int(page_w * 0.6)) if legend else 0
    entries = []
    height = page_h
    if legend:
        measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
        l0, t0, r0, b0 = measure.textbbox((0, 0), "Ag", font=font)
        line_h = (b0 - t0) + 6
        tag_w = int(measure.textlength("00", font=font)) + 10
        first = 8 + line_h + 8            # below the legend's heading
        ordered = sorted(problems, key=lambda p: (_anchor(p, k) is None, _anchor(p, k) or 0))
        for p in ordered:
            lines = _wrap(measure, _label(p), font, legend_w - tag_w - 16)
            entries.append([p, _anchor(p, k), lines, line_h * len(lines) + 6, 0])
        # each entry as near the height of its box as the entries above it allow ...
        y = first
        for e in entries:
            e[4] = max(y, int(e[1] - line_h / 2) if e[1] is not None else y)
            y = e[4] + e[3]
        # ... and moved up where they would run off the page
        bottom = page_h - 4
        for e in reversed(entries):
            e[4] = max(min(e[4], bottom - e[3]), first)
            bottom = e[4]
        y = first
        for e in entries:                   # where even that is not enough, the legend grows downwards
            e[4] = max(e[4], y)
            y = e[4] + e[3]
        height = max(page_h, y + 4)
    out = Image.new("RGB", (page_w + gutter + legend_w, height), (255, 255, 255))
    out.paste(image, (0, 0))
    draw = ImageDraw.Draw(out)
    for p in problems:
        color = COLORS.get(p.kind, (255, 0, 0))
        if p.box != (0, 0, 0, 0):
            x, y, w, h = (v * k for v in p.box)
            draw.rectangle([x, y, x + w, y + h], outline=color, width=stroke)
        for sx, sy, sw, sh in p.spots:
            draw.rectangle([sx * k - stroke, sy * k - stroke, (sx + sw) * k + stroke, (sy + sh) * k + stroke],
                           outline=COLORS["missing-glyph"], width=stroke)
    if not legend:
        return out
    left = page_w + gutter
    draw.rectangle([page_w, 0, out.width, out.height], fill=(246, 246, 246))
    heading = f"{title}: " if title else ""
    heading += f"{len(problems)} problem(s)" if problems else "no problems"
    draw.text((left + 4, 8 - t0), heading, fill=(20, 20, 20), font=font)
    for n, (p, anchor, lines, _h, top) in enumerate(entries, 1):
        color = COLORS.get(p.kind, (255, 0, 0))
        if anchor is not None:
            # the leader runs only in the gutter and the legend, never over the page
            mid = top + line_h / 2
            draw.line([(page_w, anchor), (page_w + gutter // 2, anchor), (left, mid), (left + 2, mid)],
                      fill=color, width=max(1, stroke // 2))
            draw.polygon([(page_w, anchor - 5), (page_w + 7, anchor), (page_w, anchor + 5)], fill=color)
        draw.rectangle([left + 2, top, left + tag_w - 4, top + line_h - 2], fill=color)
        draw.text((left + 6, top + 3 - t0), str(n), fill=(255, 255, 255), font=font)
        for i, text in enumerate(lines):
            draw.text((left + tag_w + 4, top + i * line_h + 3 - t0), text, fill=(20, 20, 20), font=font)
    return out


def preview(workspace, lang: str, designs: list[str], out_dir: Path, dpi: float = 150,
            draft_mark: bool = True) -> Preview:
    """Render ``lang`` for a translator: PDF, PNG and a proof PNG with problems marked.

    The problems listed are those a build of every edition would report.
    """
    from .build import EDITIONS, Job
    result = Preview()
    font = _font(workspace, max(10, int(dpi / 8)))
    language = workspace.project.languages[lang]
    title = f"{lang} · {language.name} · {language.review_status}"
    for design in designs:
        page, problems, diagnostics = workspace.examine(Job(design, lang, EDITIONS, draft_mark))
        for d in diagnostics:
            result.diagnostics.add_once(d)
        problems = problems + _stale(workspace.project, lang, page, diagnostics)
        pdf = workspace.renderer.render(page, ONLINE)
        image, problems = _pages_side_by_side(pdf, page, problems, dpi)
        base = out_dir / f"{design}.{lang}"
        files = [(base.with_name(base.name + ".pdf"), pdf),
                 (base.with_name(base.name + ".png"), pngs.png_bytes(image)),
                 (base.with_name(base.name + ".proof.png"),
                  pngs.png_bytes(mark_problems(image, problems, dpi, font, title=f"{title} · {design}")))]
        for path, data in files:
            write_bytes(path, data)
            result.files.append(path)
        result.problems += problems
    return result


def _pages_side_by_side(pdf: bytes, page, problems: list[Problem], dpi: float):
    """The design's pages (a card's front and back) as one image, side by side with a gap, and the
    problems' boxes moved onto the page they are on."""
    from dataclasses import replace
    from PIL import Image
    sheets = getattr(page, "pages", (page,))
    images = [pngs.rasterise(pdf, dpi, page=i) for i in range(len(sheets))]
    if len(images) == 1:
        return images[0], problems
    gap = page.width / 12                     # points
    step = page.width + gap
    k = dpi / 72.0
    out = Image.new("RGB", (int(round(step * k)) * (len(images) - 1) + images[-1].width,
                            max(i.height for i in images)), (236, 236, 236))
    for i, image in enumerate(images):
        out.paste(image, (int(round(step * k)) * i, 0))

    def shift(box, i):
        return (box[0] + step * i, box[1], box[2], box[3]) if box != (0, 0, 0, 0) else box
    moved = [replace(p, box=shift(p.box, p.page), spots=tuple(shift(s, p.page) for s in p.spots))
             for p in problems]
    return out, moved


def _stale(project, lang: str, page, diagnostics) -> list[Problem]:
    """Stale strings as problems with the boxes of their text on the page, for the proof."""
    from .layout.frame import TextBlock
    language = project.languages[lang]
    out = []
    for key, _old, _new in project.stale(lang):
        line = language.strings[key].line
        d = next((d for d in diagnostics if d.code == "stale" and d.file == language.path and d.line == line), None)
        for block in page.items if d is not None else ():
            if isinstance(block, TextBlock) and block.key == key:
                out.append(Problem("stale", d, key, "", block.box))
    return out


def contact_sheet(workspace, design: str, langs: list[str], dpi: float = 36, columns: int = 6, progress=None):
    """Every language's leaflet side by side, labelled: one image.  Each leaflet shows every page of its
    design (the card's front and back) side by side."""
    from PIL import Image, ImageDraw
    thumbs = []
    for lang in langs:
        if progress is not None:
            progress.advance(f"{design} {lang}")
        page, problems = workspace.composer.compose(design, lang)
        image, problems = _pages_side_by_side(workspace.renderer.render(page, ONLINE), page, problems, dpi)
        image = mark_problems(image, problems, dpi, _font(workspace, 9), legend=False)
        thumbs.append((lang, image, problems))
    if not thumbs:
        raise ValueError("no languages")
    tw, th = thumbs[0][1].size
    pad, label_h = 16, 34
    columns = min(columns, len(thumbs))
    rows = (len(thumbs) + columns - 1) // columns
    sheet = Image.new("RGB", (pad + columns * (tw + pad), pad + rows * (th + label_h + pad)), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    big, small = _font(workspace, 14), _font(workspace, 10)
    for i, (lang, image, problems) in enumerate(thumbs):
        x = pad + (i % columns) * (tw + pad)
        y = pad + (i // columns) * (th + label_h + pad)
        sheet.paste(image, (x, y))
        draw.rectangle([x - 1, y - 1, x + tw, y + th], outline=(160, 160, 160))
        language = workspace.project.languages[lang]
        draw.text((x, y + th + 4), f"{lang} · {language.name}", fill=(20, 20, 20), font=big)
        errors = sum(1 for p in problems if p.diagnostic.severity == "error")
        english = len({p.key for p in problems if p.kind == "fallback"})
        status = language.review_status + (f" · {errors} error(s)" if errors else "") + \
            (f" · {english} in English" if english else "")
        draw.text((x, y + th + 21), status, fill=(200, 0, 0) if errors else (90, 90, 90), font=small)
    return sheet
