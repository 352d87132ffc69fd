"""What translators and designers look at: previews with their problems marked,
and a contact sheet of every language side by side.

Problems are drawn onto a copy of the preview: each box that overflows, holds
English fallback text or has characters no font covers is outlined and
labelled with its key.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_bytes
from .layout.page import Problem
from .render import ONLINE
from .render import png as pngs

COLORS = {"overflow": (220, 20, 60), "missing-glyph": (200, 0, 200), "fallback": (255, 140, 0)}
LABELS = {"overflow": "OVERFLOW", "missing-glyph": "NO FONT", "fallback": "ENGLISH"}


@dataclass
class Preview:
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _font(workspace, size: int):
    from PIL import ImageFont
    face = workspace.fonts.face("Noto Sans", "bold")
    return ImageFont.truetype(io.BytesIO(face.data), size)


def mark_problems(image, problems: list[Problem], dpi: float, font):
    """A copy of ``image`` with every problem's box outlined and labelled."""
    from PIL import ImageDraw
    out = image.copy()
    draw = ImageDraw.Draw(out)
    k = dpi / 72.0
    seen = set()
    for p in problems:
        if (p.kind, p.region, p.key) in seen or p.box == (0, 0, 0, 0):
            continue
        seen.add((p.kind, p.region, p.key))
        x, y, w, h = (v * k for v in p.box)
        color = COLORS.get(p.kind, (255, 0, 0))
        draw.rectangle([x, y, x + w, y + h], outline=color, width=max(2, int(dpi / 40)))
        label = f"{LABELS.get(p.kind, p.kind)}: {p.key}"
        l, t, r, b = draw.textbbox((0, 0), label, font=font)
        ly = y - (b - t) - 6 if y - (b - t) - 6 > 0 else y + 2
        draw.rectangle([x, ly, x + (r - l) + 8, ly + (b - t) + 6], fill=color)
        draw.text((x + 4 - l, ly + 3 - t), label, fill=(255, 255, 255), font=font)
    return out


def preview(workspace, lang: str, designs: list[str], out_dir: Path, dpi: float = 150) -> Preview:
    """Render ``lang`` for a translator: PDF, PNG and a proof PNG with problems marked."""
    result = Preview()
    font = _font(workspace, max(10, int(dpi / 8)))
    for design in designs:
        page, problems = workspace.composer.compose(design, lang)
        pdf = workspace.renderer.render(page, ONLINE)
        image = pngs.rasterise(pdf, dpi)
        base = out_dir / f"{design}.{lang}"
        files = [(base.with_name(base.name + ".pdf"), pdf),
                 (base.with_name(base.name + ".png"), pngs.png_bytes(image)),
                 (base.with_name(base.name + ".proof.png"),
                  pngs.png_bytes(mark_problems(image, problems, dpi, font)))]
        for path, data in files:
            write_bytes(path, data)
            result.files.append(path)
        result.problems += problems
    return result


def contact_sheet(workspace, design: str, langs: list[str], dpi: float = 36, columns: int = 6, progress=None):
    """Every language's leaflet side by side, labelled: one image."""
    from PIL import Image, ImageDraw
    thumbs = []
    for lang in langs:
        if progress is not None:
            progress.advance(f"{design} {lang}")
        page, problems = workspace.composer.compose(design, lang)
        image = pngs.rasterise(workspace.renderer.render(page, ONLINE), dpi)
        image = mark_problems(image, problems, dpi, _font(workspace, 9))
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
