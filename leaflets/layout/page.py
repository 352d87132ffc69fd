"""Compose one page of a design in one language.

Regions sit on the design's grid; each is filled, then given its pictogram,
QR code or text.  Text boxes auto-fit: all paragraphs of a box shrink together
until they fit, never below their style's minimum size.  Whatever cannot be
set right (an overflow, a character no font covers, a string that falls back
to English) becomes a :class:`Problem` that names the language, the key and
the box.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Diagnostic, ERROR, WARNING
from ..model.schema import Color, Design, Project, Region, Style, TextItem
from ..text.fonts import FontLibrary
from ..text.paragraph import Paragraph, normalise
from . import pictogram as pictograms
from . import qr as qrcodes
from .frame import MM, GlyphRun, Link, Page, Path, Rect, TextBlock


@dataclass(frozen=True)
class Problem:
    """Something wrong on a laid-out page, with the box it concerns (points)."""

    kind: str            # overflow | fallback | missing-glyph
    diagnostic: Diagnostic
    key: str
    region: str
    box: tuple[float, float, float, float]


@dataclass
class _Para:
    item: TextItem
    style: Style
    text: str
    lang: str
    script: str
    rtl: bool
    line_height: float    # stack factor
    paragraph: Paragraph | None = None


class Composer:
    """Lays out designs for a project; holds the fonts it was given."""

    def __init__(self, project: Project, fonts: FontLibrary):
        self.project = project
        self.fonts = fonts

    # ------------------------------------------------------------ text
    def _texts(self, design: Design, lang: str) -> tuple[dict[str, list[_Para]], list[Problem]]:
        """Every paragraph of every region, resolved to its text and language."""
        project = self.project
        language = project.languages[lang]
        problems: list[Problem] = []
        out: dict[str, list[_Para]] = {}
        for region in design.regions:
            paras = []
            for item in region.text:
                if item.unless_lang and item.unless_lang.split("-")[0] == lang.split("-")[0]:
                    continue
                text_lang = item.lang or lang
                tl = project.languages.get(text_lang, language)
                script, rtl = tl.script, tl.rtl
                if item.key:
                    text, fell_back = project.string(text_lang, item.key)
                    if fell_back:
                        problems.append(Problem("fallback", Diagnostic(
                            WARNING, f"{text_lang}: '{item.key}' is not translated; the English text is used",
                            tl.path, None, f"translate strings.{item.key} in {tl.path.name if tl.path else ''}",
                            code="fallback"), item.key, region.id, (0, 0, 0, 0)))
                        src = project.source
                        text_lang, script, rtl = src.tag, src.script, src.rtl
                elif item.fact:
                    text = project.facts.value(item.fact)
                    rtl = False
                else:
                    names = [project.string(text_lang, f"agency.{a}")[0] for a in project.facts.agencies]
                    text = item.agencies.join(names)
                style = design.styles[item.style]
                lh = self.fonts.stack(script).line_height
                paras.append(_Para(item, style, normalise(text), text_lang, script, rtl, lh))
            out[region.id] = paras
        return out, problems

    def _check_coverage(self, texts: dict[str, list[_Para]], lang: str) -> list[Problem]:
        problems = []
        language = self.project.languages[lang]
        if language.script not in self.fonts.stacks:
            # a script no font stack covers: one error for the language, not one per string
            chars: list[str] = []
            for paras in texts.values():
                for p in paras:
                    if p.lang == lang:
                        chars += [c for c in self.fonts.missing(p.text, p.script, p.style.weight)
                                  if c not in chars]
            if chars:
                shown = ", ".join(f"'{c}' U+{ord(c):04X}" for c in chars[:6])
                problems.append(Problem("missing-glyph", Diagnostic(
                    ERROR, f"{lang}: no font covers the script {language.script}; the first characters without "
                           f"a font are {shown}",
                    language.path, None,
                    f"add an OFL font for {language.script} to fonts/ with its licence, list it in "
                    f"fonts/manifest.yaml (with its sha256) and add a stack '{language.script}: families: "
                    f"[<its family>, Noto Sans]'", code="missing-glyph"), "language.script", "", (0, 0, 0, 0)))
                return problems
        for region, paras in texts.items():
            for p in paras:
                missing = self.fonts.missing(p.text, p.script, p.style.weight)
                if missing:
                    tl = self.project.languages.get(p.lang)
                    chars = ", ".join(f"'{c}' U+{ord(c):04X}" for c in missing[:5])
                    fams = ", ".join(self.fonts.stack(p.script).families)
                    problems.append(Problem("missing-glyph", Diagnostic(
                        ERROR, f"{p.lang}: '{p.item.label}' has characters no font covers: {chars}"
                               f"{' …' if len(missing) > 5 else ''} (script {p.script}, fonts: {fams})",
                        tl.path if tl else None, _line(tl, p.item.key),
                        "use the intended character, or add a font that covers it to fonts/ and to the "
                        f"{p.script} stack in fonts/manifest.yaml", code="missing-glyph"),
                        p.item.label, region, (0, 0, 0, 0)))
        return problems

    def _prepare(self, texts: dict[str, list[_Para]]) -> None:
        """Shape every paragraph, with CFF faces swapped for embeddable subsets."""
        chars: dict[tuple[str, str], set[int]] = {}
        for paras in texts.values():
            for p in paras:
                chars.setdefault((p.script, p.style.weight), set()).update(map(ord, p.text))
        faces = {}
        for (script, weight), cs in chars.items():
            fs = frozenset(cs)
            faces[(script, weight)] = [self.fonts.embeddable(f, fs) for f in self.fonts.faces(script, weight)]
        for paras in texts.values():
            for p in paras:
                p.paragraph = Paragraph(p.text, p.lang, faces[(p.script, p.style.weight)], self.fonts, p.rtl)

    # ---------------------------------------------------------- compose
    def compose(self, design_id: str, lang: str) -> tuple[Page, list[Problem]]:
        project = self.project
        design = project.designs[design_id]
        language = project.languages[lang]
        texts, problems = self._texts(design, lang)
        glyph_problems = self._check_coverage(texts, lang)
        problems += glyph_problems
        self._prepare(texts)
        W, H = design.width * MM, design.height * MM
        bleed = design.bleed * MM
        col, row = W / design.columns, H / design.rows
        colors = design.colors
        items: list = []
        links: list[Link] = []
        mirror_all = language.rtl
        for region in design.regions:
            x, y, w, h = region.at[0] * col, region.at[1] * row, region.at[2] * col, region.at[3] * row
            mirrored = mirror_all and region.mirror
            if mirrored:
                x = W - x - w
            if region.fill or region.stroke:
                sides = set(region.bleed)
                if mirrored:
                    sides = {{"left": "right", "right": "left"}.get(s, s) for s in sides}
                fx, fy, fw, fh = x, y, w, h
                if "left" in sides:
                    fx -= bleed
                    fw += bleed
                if "right" in sides:
                    fw += bleed
                if "top" in sides:
                    fy -= bleed
                    fh += bleed
                if "bottom" in sides:
                    fh += bleed
                items.append(Rect(fx, fy, fw, fh, colors.get(region.fill) if region.fill else None,
                                  colors.get(region.stroke) if region.stroke else None, region.stroke_width,
                                  region.radius * MM))
            pt, pr, pb, pl = (v * MM for v in region.padding)
            if mirrored:
                pl, pr = pr, pl
            ix, iy, iw, ih = x + pl, y + pt, w - pl - pr, h - pt - pb
            if region.pictogram:
                size = min(iw, ih)
                pcolors = {name: colors[c] for name, c in region.pictogram_colors.items()}
                items += pictograms.place(project.pictograms[region.pictogram], ix + (iw - size) / 2,
                                          iy + (ih - size) / 2, size, pcolors, mirror=mirrored)
            if region.qr:
                items += self._qr(project.facts.links[region.qr].url, ix, iy, iw, ih, colors[region.qr_color],
                                  colors.get("paper"))
            paras = texts.get(region.id) or []
            if paras:
                blocks, problem = self._fit(region, paras, ix, iy, iw, ih, design, lang, mirrored)
                items += blocks
                if problem:
                    problems.append(problem)
                for block, p in zip(blocks, paras):
                    if p.item.link:
                        bx, by, bw, bh = block.box
                        links.append(Link(bx, by, bw, bh, project.facts.link_target(p.item.link)))
        # give each problem found before layout the box of its region
        boxes = {r.id: self._region_box(r, design, mirror_all) for r in design.regions}
        problems = [pr if pr.box != (0, 0, 0, 0) else
                    Problem(pr.kind, pr.diagnostic, pr.key, pr.region, boxes.get(pr.region, (0, 0, 0, 0)))
                    for pr in problems]
        facts = project.facts
        title_text = project.string(lang, "headline")[0]
        status = _STATUS.get(language.review_status, language.review_status)
        page = Page(width=W, height=H, bleed=bleed, slug=design.slug * MM, items=tuple(items), links=tuple(links),
                    title=f"{title_text} — {design.title} ({language.name})", author=facts.author,
                    subject=f"{facts.subject}. {language.name}: {status}.", lang=lang, design=design.id,
                    slug_items=self._slug(design, language, status))
        return page, problems

    def _slug(self, design: Design, language, status: str) -> tuple:
        """A line for the print shop below the bleed: which file this is, and its review status."""
        text = f"{design.id} · {language.tag} · {language.name} · {status}"
        faces = self.fonts.faces("Latn", "regular")
        p = Paragraph(text, "en", faces, self.fonts)
        size = 6.5
        (line,) = p.compose([(0, len(p.text))])
        x = 20 * MM
        y = design.height * MM + design.bleed * MM + 7 * MM
        black = Color("registration", (0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
        runs = [_place(run, size, x, y, black) for run in line.runs]
        return (TextBlock(p.text, "en", tuple(runs), "slug", (x, y - size, line.width * size, size), 1, size),)

    def _region_box(self, region: Region, design: Design, mirror: bool) -> tuple[float, float, float, float]:
        W, H = design.width * MM, design.height * MM
        col, row = W / design.columns, H / design.rows
        x, y, w, h = region.at[0] * col, region.at[1] * row, region.at[2] * col, region.at[3] * row
        if mirror and region.mirror:
            x = W - x - w
        return (x, y, w, h)

    def _qr(self, url: str, x: float, y: float, w: float, h: float, color, paper) -> list:
        m = qrcodes.matrix(url)
        n = len(m) + 2 * qrcodes.QUIET_ZONE
        module = min(w, h) / n
        size = module * n
        ox, oy = x + (w - size) / 2, y + (h - size) / 2
        out: list = []
        if paper is not None:
            out.append(Rect(ox, oy, size, size, paper))
        q = qrcodes.QUIET_ZONE * module
        out.append(Path(qrcodes.module_path(m, ox + q, oy + q, module), color))
        return out

    def _fit(self, region: Region, paras: list[_Para], x: float, y: float, w: float, h: float, design: Design,
             lang: str, mirrored: bool) -> tuple[list[TextBlock], Problem | None]:
        """Set the paragraphs of a box at the largest scale that fits."""

        def layout(scale: float):
            total = 0.0
            result = []
            for i, p in enumerate(paras):
                size = max(p.style.size * scale, p.style.min_size)
                lines = p.paragraph.break_nicely(w / size, p.style.balance)
                lh = size * p.style.leading * p.line_height
                gap = p.item.gap_before * MM if i else 0.0
                total += gap + lh * len(lines)
                result.append((size, lines, lh, gap))
            return total, result

        total, result = layout(1.0)
        problem = None
        if total > h + 0.01:
            floor = max(p.style.min_size / p.style.size for p in paras)
            total_floor, result_floor = layout(floor)
            lo, hi = floor, 1.0
            if total_floor > h + 0.01:
                lo = hi = 0.0
                total, result = total_floor, result_floor
                keys = ", ".join(p.item.label for p in paras)
                lp = paras[0]
                tl = self.project.languages.get(lp.lang)
                short = (total_floor - h) / MM
                problem = Problem("overflow", Diagnostic(
                    ERROR, f"{lang}: the text of box '{region.id}' ({keys}) does not fit in {design.id}: "
                           f"{short:.1f} mm too tall at the smallest allowed size "
                           f"({', '.join(f'{p.style.min_size:g} pt' for p in paras)})",
                    tl.path if tl else None, _line(tl, paras[0].item.key),
                    "shorten the text, or allow a smaller min_size for its style in the design",
                    code="overflow"), keys, region.id, self._region_box(region, design, mirrored))
            else:
                for _ in range(10):
                    mid = (lo + hi) / 2
                    t, _r = layout(mid)
                    if t <= h + 0.01:
                        lo = mid
                    else:
                        hi = mid
                total, result = layout(lo)
        # vertical placement
        if region.valign == "middle":
            cy = y + max(0.0, (h - total) / 2)
        elif region.valign == "bottom":
            cy = y + max(0.0, h - total)
        else:
            cy = y
        blocks = []
        for p, (size, lines, lh, gap) in zip(paras, result):
            cy += gap
            composed = p.paragraph.compose(lines)
            face0 = p.paragraph.runs[0][2] if p.paragraph.runs else None
            asc = face0.ascender if face0 else 0.9
            desc = face0.descender if face0 else 0.25
            runs = []
            top = cy
            align = p.style.align
            if p.rtl or (mirrored and align != "center"):
                align = {"start": "end", "end": "start"}.get(align, align)
            widest = 0.0
            for line in composed:
                lw = line.width * size
                widest = max(widest, lw)
                if align == "center":
                    lx = x + (w - lw) / 2
                elif align == "end":
                    lx = x + w - lw
                else:
                    lx = x
                baseline = cy + (lh - (asc + desc) * size) / 2 + asc * size
                color = design.colors[p.style.color]
                runs += [_place(run, size, lx, baseline, color) for run in line.runs]
                cy += lh
            bx = x + (w - widest) / 2 if align == "center" else (x + w - widest if align == "end" else x)
            blocks.append(TextBlock(p.paragraph.text, p.lang, tuple(runs), p.item.label,
                                    (bx, top, widest, cy - top), len(composed), size, p.rtl))
        return blocks, problem


_STATUS = {"source": "source text", "reviewed": "reviewed by a native speaker",
           "draft": "DRAFT translation, not reviewed by a native speaker",
           "untranslated": "UNTRANSLATED: English text"}


def _place(run, size: float, x: float, baseline: float, color) -> GlyphRun:
    """A composed run of a line, in points, its line starting at x."""
    scale = size / run.face.upem
    gx = 0.0
    glyphs = []
    for g, t in zip(run.glyphs, _glyph_texts(run)):
        glyphs.append((g.gid, gx + g.x_offset * scale, g.y_offset * scale, t))
        gx += g.advance * scale
    return GlyphRun(run.face, size, x + run.x * size, baseline, tuple(glyphs), color, gx)


def _glyph_texts(run) -> list[str]:
    """The text each glyph stands for: its cluster's text on the cluster's first
    glyph, nothing on the others (marks and parts of a decomposed vowel)."""
    glyphs, text, base = run.glyphs, run.text, run.start
    end = base + len(text)
    out = [""] * len(glyphs)
    if not run.rtl:
        # clusters ascend: walk backwards, remembering where the next cluster starts
        nxt = end
        for i in range(len(glyphs) - 1, -1, -1):
            c = glyphs[i].cluster
            if i == 0 or glyphs[i - 1].cluster != c:
                out[i] = text[c - base:nxt - base]
                nxt = c
        return out
    starts = sorted({g.cluster for g in glyphs})
    end_of = {c: (starts[i + 1] if i + 1 < len(starts) else end) for i, c in enumerate(starts)}
    seen = set()
    for i, g in enumerate(glyphs):
        if g.cluster not in seen:
            seen.add(g.cluster)
            out[i] = text[g.cluster - base:end_of[g.cluster] - base]
    return out


def _line(language, key: str | None) -> int | None:
    if language is None or key is None:
        return None
    t = language.strings.get(key)
    return t.line if t else None
