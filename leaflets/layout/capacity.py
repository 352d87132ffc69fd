"""How many characters a box holds: the budget a translator is given for each
string, and the cut an overflowing box asks for.

Both come from one estimate: the lines that fit in the height a paragraph has,
times the characters of an average width that fit on one line.
"""

from __future__ import annotations

from ..model.schema import Project
from ..text.paragraph import Paragraph
from .frame import MM


def em_per_char(paragraph: Paragraph) -> float:
    """The average width of one character of ``paragraph``, in em."""
    return max(paragraph.natural_width / max(len(paragraph.text), 1), 0.3)


def chars_that_fit(room: float, width: float, size: float, line_pitch: float, per_char: float,
                   min_lines: int = 1) -> int:
    """About how many characters fit in ``room`` points of height of a box
    ``width`` points wide, at ``size`` pt with lines ``line_pitch`` points apart
    and characters ``per_char`` em wide on average."""
    lines = max(min_lines, int(room / line_pitch)) if line_pitch > 0 else min_lines
    return int(lines * width / (size * per_char))


def capacity_hints(project: Project, fonts) -> dict[str, str]:
    """For each key: the box it is set in and about how many characters fit."""
    hints: dict[str, list[str]] = {}
    source = project.source
    for design in project.designs.values():
        col, row = design.width / design.columns, design.height / design.rows
        for region in design.regions:
            items = [i for i in region.text if i.key and not i.lang]
            if not items:
                continue
            w = (region.at[2] * col - region.padding[1] - region.padding[3]) * MM
            h = (region.at[3] * row - region.padding[0] - region.padding[2]) * MM
            measured = []
            for item in items:
                style = design.styles[item.style]
                english = project.string(source.tag, item.key)[0]
                p = Paragraph(english, source.tag, fonts.faces(source.script, style.weight), fonts)
                used = len(p.break_lines(w / style.size)) * style.size * style.leading
                measured.append((item, style, english, p, used))
            total = sum(m[4] for m in measured)
            for item, style, english, p, used in measured:
                # the room this paragraph has when the others keep their English length
                room = max(h - (total - used), style.size * style.leading)
                per_char = em_per_char(p)

                def fit(size: float) -> int:
                    return chars_that_fit(room, w, size, size * style.leading, per_char)

                others = [m[0].key for m in measured if m[0] is not item]
                shared = f"; the box is shared with {', '.join(others)}" if others else ""
                hints.setdefault(item.key, []).append(
                    f"{design.id} box '{region.id}': about {fit(style.size)} characters at {style.size:g} pt, "
                    f"at most {fit(style.min_size)} at {style.min_size:g} pt (English: {len(english)}){shared}")
    return {k: " | ".join(v) for k, v in hints.items()}
