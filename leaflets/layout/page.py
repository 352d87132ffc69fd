"""Compose one page of a design in one language.

Regions sit on the design's grid; each is filled, then given its pictogram,
QR code or text.  Text boxes auto-fit: all paragraphs of a box shrink together
until they fit, never below their style's minimum size.  Whatever cannot be
set right (an overflow, a character no font covers, a string that falls back
to English) becomes a :class:`Problem` that names the language, the key and
the box.  A character no font covers is set as a placeholder glyph (never as
an empty box) and its place is recorded; an overflow says how many characters
to cut.  A language that is not reviewed gets a draft mark inside the trim,
where it covers no text, pictogram or QR code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ..errors import Diagnostic, ERROR, WARNING
from ..memo import keep, recent
from ..model.schema import Color, Design, DraftMark, Language, Project, Region, Style, TextItem
from ..text.fonts import FontLibrary
from ..text.linebreak import wide
from ..text.paragraph import Paragraph, normalise
from . import pictogram as pictograms
from . import qr as qrcodes
from .capacity import chars_that_fit, em_per_char
from .frame import MM, GlyphRun, Image, Link, Page, Path, Rect, TextBlock

Box = tuple[float, float, float, float]

DRAFT_MARK_TEXT = "Draft translation — not reviewed"
# The print edition's trim and centre marks reach this far below the bleed (render/pdf.py MARK_LENGTH); the
# centre mark's cross bar reaches a third of it either side.  The slug is set in the gaps between them.
SLUG_MARK_MM = 10.0
SLUG_GAP_MM = 0.8                       # between the slug and the bleed or the band's end
SLUG_CLEAR_MM = 2.0                     # between the slug and a mark beside it
SLUG_SIZES = (6.5, 6.0, 5.5, 5.0, 4.5)  # pt: the slug is never printed (it is cut away), 4.5 pt still reads
# statuses whose leaflets carry no draft mark
MARK_FREE = ("source", "reviewed")
LOGO_MAX_HEIGHT_MM = 25.0               # the tallest an organisation's logo is drawn (its plate)
# what stands in for a character no font covers: the first of these the stack has
PLACEHOLDERS = ("\ufffd", "\u25cc", "?")
# scripts whose display text (balanced styles: headlines, titles, captions) is set with proportional widths
# (OpenType palt), as Japanese headlines are: its full-width punctuation and kana close up
PROPORTIONAL_SCRIPTS = frozenset({"Jpan", "Hira", "Kana", "Hrkt"})
# scripts whose body text is justified, set solid with room shared between characters (not between words)
JUSTIFIED_SCRIPTS = frozenset({"Jpan", "Hans", "Hant", "Hani", "Hira", "Kana", "Hrkt"})
JUSTIFY_MAX_EM = 0.08                   # the most room one gap between characters takes, em


@dataclass(frozen=True)
class Problem:
    """Something wrong on a laid-out page, with the box it concerns (points)."""

    kind: str            # overflow | fallback | missing-glyph | draft-mark
    diagnostic: Diagnostic
    key: str
    region: str
    box: Box
    spots: tuple[Box, ...] = ()     # missing-glyph: where each placeholder was set
    cut: int | None = None          # overflow: about how many characters to cut
    page: int = 0                   # which page of the design the box is on


@dataclass(frozen=True)
class LocalText(TextItem):
    """A paragraph of given text, not a string of the language: a line of an organisation's own
    contact block (``local_contact``).  ``name`` says what it is in problems (``organisation.phones``);
    ``lang``, when given, is the language whose fonts set it (the leaflet's otherwise)."""

    text: str | None = ""
    name: str = "local-contact"
    align: str | None = None        # start | center | end: instead of the style's alignment

    @property
    def label(self) -> str:
        return self.name


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
    placeholders: frozenset = frozenset()   # indices in text set as a placeholder
    spots: list = field(default_factory=list)
    sources: tuple = ()   # the string keys the text comes from (agencies: one per name)

    @property
    def stack(self) -> tuple[tuple[str, ...] | None, str]:
        """The families (None: the manifest's stack for the script) and the weight that set the text:
        the style's own choice for the script (``faces``) or its weight."""
        return self.style.stack_for(self.script)


class Composer:
    """Lays out designs for a project; holds the fonts it was given."""

    # what a composer keeps between pages of the last few languages it set: shaped paragraphs, and the scale
    # and the blocks of a box, each found again only for the very objects it was found for (compared by
    # identity, so a key never stands for anything else); a batch lays out the same official text around
    # each organisation's block
    KEPT = 96                # of each kind, per language

    def __init__(self, project: Project, fonts: FontLibrary, languages_kept: int = 1):
        """``languages_kept``: of how many languages (the most recent) what was set is kept; one is enough
        for a build (each page once, its editions painted from one layout), a batch, which sets the same
        official pages around every organisation's block in each of its languages, keeps them all."""
        self.project = project
        self.fonts = fonts
        self.languages_kept = max(1, int(languages_kept))
        self._mark: Paragraph | None = None     # the draft mark, shaped once
        self._kept: dict[str, dict[str, dict]] = {}    # language -> kind -> key -> (objects, value)
        self._pictograms: dict[tuple, tuple] = {}

    def _memo(self, lang: str, kind: str) -> dict:
        kept = recent(self._kept, lang)
        if kept is None:
            kept = {"paragraphs": {}, "scales": {}, "fits": {}}
            keep(self._kept, lang, kept, self.languages_kept)
        return kept[kind]

    def _paragraph(self, text: str, lang: str, faces: list, rtl: bool, joiner: str = "",
                   features: tuple[str, ...] = ()) -> Paragraph:
        """``Paragraph(text, lang, faces, fonts, rtl, joiner, features)``, shaped once for the same faces."""
        memo = self._memo(lang, "paragraphs")
        key = (text, rtl, tuple(map(id, faces)), joiner, features)
        kept = recent(memo, key)
        if kept is not None and len(kept[0]) == len(faces) and all(a is b for a, b in zip(kept[0], faces)):
            return kept[1]
        para = Paragraph(text, lang, faces, self.fonts, rtl, joiner, features)
        keep(memo, key, (tuple(faces), para), self.KEPT)
        return para

    @staticmethod
    def _objects(paras: list[_Para]) -> tuple:
        """What the setting of ``paras`` depends on, as objects (compared by identity) and values."""
        return tuple((p.paragraph, p.style, p.item, p.line_height, p.rtl, p.lang) for p in paras)

    @staticmethod
    def _same(a: tuple, b: tuple) -> bool:
        return len(a) == len(b) and all(x[0] is y[0] and x[1] is y[1] and x[2] is y[2] and x[3:] == y[3:]
                                        for x, y in zip(a, b))

    # ------------------------------------------------------------ text
    def _texts(self, design: Design, lang: str, local_contact=None) -> tuple[dict[str, list[_Para]], list[Problem]]:
        """Every paragraph of every region, resolved to its text and language (a local-contact
        slot's paragraphs replaced by ``local_contact`` when given)."""
        project = self.project
        language = project.languages[lang]
        problems: list[Problem] = []
        out: dict[str, list[_Para]] = {}
        for region in design.regions:
            paras = []
            given = region.text if local_contact is None or region.slot != "local-contact" else local_contact
            for item in given:
                if item.unless_lang and item.unless_lang.split("-")[0] == lang.split("-")[0]:
                    continue
                text_lang = item.lang or lang
                tl = project.languages.get(text_lang, language)
                script, rtl = tl.script, tl.rtl
                sources: tuple = ()
                if item.text is not None:     # the design's own words (a label), in the language it names
                    text = item.text
                elif item.key:
                    sources = (item.key,)
                    text, fell_back = project.string(text_lang, item.key)
                    if fell_back:
                        problems.append(_fallback(project, tl, item.key, region.id))
                        src = project.source
                        text_lang, script, rtl = src.tag, src.script, src.rtl
                elif item.fact:
                    text = project.facts.value(item.fact)
                    rtl = False
                else:
                    names = []
                    sources = tuple(f"agency.{a}" for a in project.facts.agencies)
                    for key in sources:
                        name, fell_back = project.string(text_lang, key)
                        if fell_back:
                            problems.append(_fallback(project, tl, key, region.id))
                        names.append(name)
                    text = item.agencies.join(names)
                style = design.styles[item.style]
                # a campaign fact (digits, an address) needs no room for a tall script's marks
                lh = self.fonts.stack("Latn" if item.fact and "Latn" in self.fonts.stacks else script).line_height
                paras.append(_Para(item, style, normalise(text), text_lang, script, rtl, lh, sources=sources))
            out[region.id] = paras
        return out, problems

    def _check_coverage(self, texts: dict[str, list[_Para]], lang: str) -> list[Problem]:
        problems = []
        language = self.project.languages[lang]
        if language.script not in self.fonts.stacks:
            # a script no font stack covers: one error for the language, not one per string
            chars: list[str] = []
            first = None
            for paras in texts.values():
                for p in paras:
                    if p.lang == lang:
                        found = self.fonts.missing(p.text, p.script, p.stack[1], p.stack[0])
                        chars += [c for c in found if c not in chars]
                        if found and first is None:
                            first = self._source_of(p, found)
            if chars:
                shown = ", ".join(f"'{c}' U+{ord(c):04X}" for c in chars[:6])
                problems.append(Problem("missing-glyph", Diagnostic(
                    ERROR, f"{lang}: no font covers the script {language.script}; the first characters without "
                           f"a font are {shown}",
                    first[0] if first else language.path, first[1] if first else None,
                    f"add an OFL font for {language.script} to fonts/ with its licence, list it in "
                    f"fonts/manifest.yaml (with its sha256) and add a stack '{language.script}: families: "
                    f"[<its family>, Noto Sans]'", code="missing-glyph"), "language.script", "", (0, 0, 0, 0)))
                return problems
        for region, paras in texts.items():
            for p in paras:
                missing = self.fonts.missing(p.text, p.script, p.stack[1], p.stack[0])
                if missing:
                    chars = ", ".join(f"'{c}' U+{ord(c):04X}" for c in missing[:5])
                    fams = ", ".join(p.stack[0] or self.fonts.stack(p.script).families)
                    path, line = self._source_of(p, missing)
                    problems.append(Problem("missing-glyph", Diagnostic(
                        ERROR, f"{p.lang}: '{p.item.label}' has characters no font covers: {chars}"
                               f"{' …' if len(missing) > 5 else ''} (script {p.script}, fonts: {fams}); "
                               f"each is shown as a placeholder",
                        path, line,
                        "use the intended character, or add a font that covers it to fonts/ and to the "
                        f"{p.script} stack in fonts/manifest.yaml", code="missing-glyph"),
                        p.item.label, region, (0, 0, 0, 0)))
        return problems

    def _source_of(self, p: _Para, chars) -> tuple:
        """The file and line of the string of ``p`` that holds one of ``chars``."""
        project = self.project
        if p.item.fact:
            return project.facts.path, None
        tl = project.languages.get(p.lang)
        for key in p.sources:
            text, fell_back = project.string(p.lang, key)
            if any(c in normalise(text) for c in chars):
                owner = project.source if fell_back else tl
                return owner.path, _line(owner, key)
        return (tl.path if tl else None), _line(tl, p.sources[0] if p.sources else None)

    def _placeholder(self, script: str, weight: str, families: tuple[str, ...] | None = None) -> str:
        faces = self.fonts.faces(script, weight, families)
        return next((ch for ch in PLACEHOLDERS if any(f.covers(ch) for f in faces)), " ")

    def _substitute(self, texts: dict[str, list[_Para]]) -> None:
        """Set every character no font covers as a placeholder, and remember where."""
        for paras in texts.values():
            for p in paras:
                missing = set(self.fonts.missing(p.text, p.script, p.stack[1], p.stack[0]))
                if not missing:
                    continue
                mark = self._placeholder(p.script, p.stack[1], p.stack[0])
                chars = list(p.text)
                spots = set()
                for i, ch in enumerate(chars):
                    if ch in missing:
                        chars[i] = mark
                        spots.add(i)
                text = "".join(chars)
                if normalise(text) == text:
                    p.text, p.placeholders = text, frozenset(spots)
                else:   # cannot happen for NFC text, but never let indices drift
                    p.text = normalise(text)
                    p.placeholders = frozenset(i for i, ch in enumerate(p.text) if ch == mark)

    def _prepare(self, texts: dict[str, list[_Para]]) -> None:
        """Shape every paragraph, with CFF faces swapped for embeddable subsets (one subset of a face
        for all the text it sets, whichever stacks it is in)."""
        stacks: dict[tuple, list] = {}
        chars: dict[object, set[int]] = {}
        for paras in texts.values():
            for p in paras:
                key = (p.script,) + p.stack
                if key not in stacks:
                    stacks[key] = self.fonts.faces(p.script, p.stack[1], p.stack[0])
                for f in stacks[key]:
                    chars.setdefault(f, set()).update(map(ord, p.text))
        faces = {key: [self.fonts.embeddable(f, frozenset(chars[f])) for f in fs] for key, fs in stacks.items()}
        for paras in texts.values():
            for p in paras:
                p.paragraph = self._paragraph(p.text, p.lang, faces[(p.script,) + p.stack], p.rtl,
                                              p.item.agencies or "", _features(p))

    # ---------------------------------------------------------- compose
    def compose(self, design_id: str, lang: str, draft_mark: bool = True,
                local_contact: list[TextItem] | tuple[TextItem, ...] | None = None, logo=None,
                qr_urls: dict[str, str] | None = None, logo_alt: str = "") -> tuple[Page, list[Problem]]:
        """Lay out one design in one language: its first page (with the design's
        further pages, a card's back, in ``Page.following``) and what is wrong on them.

        ``draft_mark``: a language whose review status is not source or
        reviewed gets the draft mark (turn it off only on purpose).
        ``local_contact``: paragraphs that replace the text of every
        ``slot: local-contact`` region (an organisation's own contact block,
        in styles of the design, :class:`LocalText` for given text); None keeps the official text.
        ``logo``: the organisation's logo beside those paragraphs, on the start side of the slot
        (anything with ``aspect`` and either ``cmyk``/``rgb``/``width_px``/``height_px`` pixels or
        ``paths`` in a unit box; see :meth:`_logo`).  ``qr_urls``: link name -> the URL its QR
        codes encode instead of the link's own (a batch's tagged report address).  ``logo_alt``: the
        logo's text alternative (the organisation's name): its plate and shapes are the figure ``logo``.
        """
        project = self.project
        design = project.designs[design_id]
        language = project.languages[lang]
        if local_contact is not None:
            for item in local_contact:
                if not isinstance(item, TextItem) or item.style not in design.styles:
                    raise ValueError(f"local_contact: each paragraph is a TextItem in a style of {design.id} "
                                     f"({', '.join(design.styles)}), not {item!r}")
        texts, problems = self._texts(design, lang, local_contact)
        glyph_problems = self._check_coverage(texts, lang)
        problems += glyph_problems
        self._substitute(texts)
        self._prepare(texts)
        W, H = design.width * MM, design.height * MM
        mirror_all = language.rtl
        boxes = {r.id: self._inner(r, design, mirror_all) for r in design.regions}
        logos: dict[str, tuple[list, Box]] = {}
        if logo is not None and local_contact is not None:
            for r in design.regions:
                if r.slot == "local-contact":
                    placed, plate, boxes[r.id] = self._logo(logo, boxes[r.id], mirror_all and r.mirror,
                                                            design.colors.get("paper"))
                    if logo_alt:
                        placed = [replace(it, figure="logo", alt=logo_alt) if isinstance(it, (Rect, Path))
                                  else it for it in placed]
                    logos[r.id] = (placed, plate)
        scales, fit_problems = self._scales(design, texts, boxes, lang)
        pages: list[Page] = []
        facts = project.facts
        title_text = project.string(lang, "headline")[0]
        status = _STATUS.get(language.review_status, language.review_status)
        for index, spec in enumerate(design.pages):
            items, links, obstacles, page_problems = self._page(design, index, texts, boxes, scales, lang,
                                                                mirror_all, qr_urls, logos)
            problems += [replace(pr, page=index) for pr in page_problems]
            if draft_mark and language.review_status not in MARK_FREE:
                mark, problem = self._draft_mark(design, language, items, obstacles, spec.draft_mark)
                items += mark
                if problem:
                    problems.append(replace(problem, page=index))
            pages.append(Page(width=W, height=H, bleed=design.bleed * MM, slug=design.slug * MM, items=tuple(items),
                              links=tuple(links), title=f"{title_text} — {design.title} ({language.name})",
                              author=facts.author, subject=f"{facts.subject}. {language.name}: {status}.", lang=lang,
                              design=design.id,
                              slug_items=self._slug(design, language, status,
                                                    spec.name if len(design.pages) > 1 else None),
                              rtl=language.rtl, name=spec.name))
        problems += fit_problems
        # give each problem found before layout the box of its region, and placeholders their spots
        regions = {r.id: self._region_box(r, design, mirror_all) for r in design.regions}
        on_page = {r.id: r.page for r in design.regions}
        problems = [pr if pr.box != (0, 0, 0, 0) else replace(pr, box=regions.get(pr.region, (0, 0, 0, 0)),
                                                              page=on_page.get(pr.region, 0))
                    for pr in problems]
        problems = [replace(pr, spots=self._spots(texts, pr, lang)) if pr.kind == "missing-glyph" else pr
                    for pr in problems]
        first = replace(pages[0], following=tuple(pages[1:]))
        return first, problems

    def slot_overflow(self, design_id: str, lang: str, local_contact, logo=None) -> float:
        """How much too tall (points; 0: it fits) ``local_contact`` is in the design's local-contact
        slot(s) at the smallest sizes, beside ``logo``: what :meth:`compose` would report as the slot's
        overflow, measured without laying out the page (to choose between arrangements of a block)."""
        design = self.project.designs[design_id]
        mirror_all = self.project.languages[lang].rtl
        texts, _problems = self._texts(design, lang, local_contact)
        slots = [r for r in design.regions if r.slot == "local-contact"]
        worst = 0.0
        for region in slots:
            paras = texts.get(region.id) or []
            self._substitute({region.id: paras})
            for p in paras:
                p.paragraph = self._paragraph(p.text, p.lang, self.fonts.faces(p.script, p.stack[1], p.stack[0]),
                                              p.rtl, "", _features(p))
            box = self._inner(region, design, mirror_all)
            if logo is not None:
                box = self._logo(logo, box, mirror_all and region.mirror, design.colors.get("paper"))[2]
            _x, _y, w, h = box
            if paras and self._best(paras, w, h) == 0.0:
                worst = max(worst, self._measure(paras, w, h, self._floor(paras))[0] - h)
        return worst

    def _inner(self, region: Region, design: Design, mirror_all: bool) -> Box:
        """The box inside a region's padding (points, mirrored for right-to-left pages)."""
        x, y, w, h = self._region_box(region, design, mirror_all)
        pt, pr, pb, pl = (v * MM for v in region.padding)
        if mirror_all and region.mirror:
            pl, pr = pr, pl
        return (x + pl, y + pt, w - pl - pr, h - pt - pb)

    def _scales(self, design: Design, texts: dict[str, list[_Para]], boxes: dict[str, Box],
                lang: str) -> tuple[dict[str, float], list[Problem]]:
        """The scale each text box is set at: the largest at which it fits (0: at the floor, too tall);
        the boxes of one fit group all at the smallest of theirs."""
        scales: dict[str, float] = {}
        groups: dict[str, list[str]] = {}
        for region in design.regions:
            paras = texts.get(region.id) or []
            if not paras:
                continue
            _x, _y, w, h = boxes[region.id]
            scales[region.id] = self._best(paras, w, h)
            if region.fit:
                groups.setdefault(region.fit, []).append(region.id)
        for members in groups.values():
            scale = min(scales[m] for m in members)
            for _ in range(8):
                # a box set smaller almost always fits; where a line break makes it taller, find its own
                worse = [m for m in members if scale > 0 and
                         self._measure(texts[m], boxes[m][2], boxes[m][3], scale)[0] > boxes[m][3] + 0.01]
                if not worse:
                    break
                scale = min(self._best(texts[m], boxes[m][2], boxes[m][3], top=scale) for m in worse)
            for m in members:
                if scales[m] > 0:
                    scales[m] = scale
        return scales, []

    def _page(self, design: Design, index: int, texts: dict[str, list[_Para]], boxes: dict[str, Box],
              scales: dict[str, float], lang: str, mirror_all: bool, qr_urls: dict[str, str] | None = None,
              logos: dict[str, tuple[list, Box]] | None = None) -> tuple[list, list, list, list[Problem]]:
        """The items, links and obstacles (pictograms, QR codes) of one page, and its problems."""
        project = self.project
        W = design.width * MM
        bleed = design.bleed * MM
        colors = design.colors
        items: list = []
        links: list[Link] = []
        obstacles: list[Box] = []      # what the draft mark may not cover besides text: pictograms, QR codes
        problems: list[Problem] = []
        for region in design.page_regions(index):
            x, y, w, h = self._region_box(region, design, mirror_all)
            mirrored = mirror_all and region.mirror
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
            ix, iy, iw, ih = boxes[region.id]
            if logos and region.id in logos:
                items += logos[region.id][0]
                obstacles.append(logos[region.id][1])
            if region.pictogram or region.qr:
                obstacles.append((ix, iy, iw, ih))
            if region.pictogram:
                size = min(iw, ih)
                pcolors = {name: colors[c] for name, c in region.pictogram_colors.items()}
                picture = project.pictograms[region.pictogram]
                px, py = ix + (iw - size) / 2, iy + (ih - size) / 2
                key = (id(picture), px, py, size, tuple((n, id(c)) for n, c in pcolors.items()), mirrored)
                kept = recent(self._pictograms, key)
                if kept is None or kept[0] is not picture or any(a is not b for a, b in zip(kept[1], pcolors.values())):
                    kept = (picture, tuple(pcolors.values()),
                            tuple(pictograms.place(picture, px, py, size, pcolors, mirror=mirrored)))
                    keep(self._pictograms, key, kept, self.KEPT)
                items += _figure(region.id, self._alt(region, lang), list(kept[2]))
            if region.qr:
                items += _figure(region.id, self._alt(region, lang, project.facts.links[region.qr].display), self._qr(
                    (qr_urls or {}).get(region.qr) or project.facts.links[region.qr].url, ix, iy, iw, ih,
                    colors[region.qr_color], colors.get("paper"), region.qr_ec))
            paras = texts.get(region.id) or []
            if paras:
                blocks, found = self._fit(region, paras, ix, iy, iw, ih, design, lang, mirrored,
                                          scales.get(region.id, 1.0))
                items += blocks
                problems += found
                for block, p in zip(blocks, paras):
                    if p.item.link:
                        bx, by, bw, bh = block.box
                        links.append(Link(bx, by, bw, bh, project.facts.link_target(p.item.link)))
        return items, links, obstacles, problems

    def _alt(self, region: Region, lang: str, address: str = "") -> str:
        """The text alternative of a region's pictogram or QR code (the tagged online PDF): the string its
        ``alt`` names, in ``lang``; a QR code's also gives the ``address`` it holds.  Without ``alt``: the
        address alone, or the pictogram's name."""
        text = normalise(self.project.string(lang, region.alt)[0]).strip() if region.alt else ""
        if address:
            return f"{text}: {address}" if text else address
        return text or (region.pictogram or region.id).replace("-", " ")

    @staticmethod
    def _spots(texts: dict[str, list[_Para]], problem: Problem, lang: str) -> tuple[Box, ...]:
        """Where the placeholders of a missing-glyph problem were set."""
        out: list[Box] = []
        for region, paras in texts.items():
            for p in paras:
                if (region == problem.region and p.item.label == problem.key) or \
                        (problem.key == "language.script" and p.lang == lang):
                    out += p.spots
        return tuple(out)

    def _draft_mark(self, design: Design, language: Language, items: list, obstacles: list[Box],
                    spec: DraftMark | None = None) -> tuple:
        """The draft mark: a small labelled box inside the safe area that covers no
        text, pictogram or QR code; and a problem when there is no such place."""
        spec = spec or design.draft_mark
        W, H, safe = design.width * MM, design.height * MM, design.safe * MM
        size = spec.size
        if self._mark is None:
            self._mark = Paragraph(DRAFT_MARK_TEXT, "en", self.fonts.faces("Latn", "bold"), self.fonts)
        para = self._mark
        (line,) = para.compose([(0, len(para.text))])
        # the box hugs the letters (the mark has no accents): cap height above the baseline, a descender below
        above, below = 0.8 * size, 0.24 * size
        pad_x, pad_y = 0.35 * size, 0.18 * size
        tw, th = line.width * size, above + below
        bw, bh = tw + 2 * pad_x, th + 2 * pad_y
        taken = [it.box for it in items if isinstance(it, TextBlock)] + list(obstacles)
        order = [spec.position] if spec.position != "auto" else \
            ["bottom-end", "bottom-start", "top-end", "top-start", "bottom-center", "top-center"]

        def place(position: str) -> Box:
            vertical, horizontal = position.split("-")
            if language.rtl:
                horizontal = {"start": "end", "end": "start"}.get(horizontal, horizontal)
            x = {"start": safe, "end": W - safe - bw}.get(horizontal, (W - bw) / 2)
            y = safe if vertical == "top" else H - safe - bh
            return (x, y, bw, bh)

        candidates = [place(pos) for pos in order]
        if spec.position == "auto":
            # then anywhere along the bottom or the top edge of the safe area, from the end side
            steps = max(int((W - 2 * safe - bw) / MM), 0)
            for y in (H - safe - bh, safe):
                xs = [W - safe - bw - i * MM for i in range(steps + 1)]
                candidates += [(x, y, bw, bh) for x in (xs[::-1] if language.rtl else xs)]
        chosen = next((c for c in candidates if not any(_overlaps(c, t) for t in taken)), None)
        problem = None
        if chosen is None:
            chosen = candidates[0]
            hits = [it.key for it in items if isinstance(it, TextBlock) and _overlaps(chosen, it.box)]
            hit = f"the text '{hits[0]}'" if hits else "a pictogram or QR code"
            where = f"at {spec.position}" if spec.position != "auto" else \
                "anywhere along the top or bottom edge of the safe area"
            problem = Problem("draft-mark", Diagnostic(
                ERROR, f"{language.tag}: the draft mark does not fit {where} in {design.id}: it would cover {hit}",
                design.path, spec.line,
                "set draft_mark: position: to a free corner of the design (or auto), make room in the safe area, "
                "or build with --no-draft-mark on purpose", code="draft-mark"),
                "draft-mark", "", chosen)
        x, y, _w, _h = chosen
        colors = design.colors
        ink = colors.get(spec.color or "black") or Color("black", (0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
        paper = colors.get("paper") or Color("paper", (0.0, 0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
        baseline = y + pad_y + above
        runs = tuple(_place(run, size, x + pad_x, baseline, ink) for run in line.runs)
        box = Rect(x, y, bw, bh, paper, ink, 0.5, 0.25 * size)
        text = TextBlock(para.text, "en", runs, "draft-mark", (x + pad_x, y + pad_y, tw, th), 1, size)
        return [box, text], problem

    def _slug(self, design: Design, language, status: str, page: str | None = None) -> tuple:
        """Lines for the print shop below the bleed: which file (and page) this is, and its review status.

        The trim and centre marks stand in the band below the bleed (:data:`SLUG_MARK_MM` long, at the
        corners and at the middle of the side, with the centre mark's cross bar :data:`SLUG_MARK_MM` / 3
        either side of it), so the slug is set in the two gaps between them: as many lines as the band
        holds, in the left gap and then the right one, smaller where it would not fit, and cut short with
        an ellipsis at the smallest size.  It never touches a mark, in any language or format."""
        text = f"{design.id}{' (' + page + ')' if page else ''} · {language.tag} · {language.name} · {status}"
        faces = self.fonts.faces("Latn", "regular")
        black = Color("registration", (0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
        W = design.width
        band = min(SLUG_MARK_MM, design.slug)                  # mm below the bleed that the marks take
        gap, clear = SLUG_GAP_MM, SLUG_CLEAR_MM
        gaps = [(clear, W / 2 - SLUG_MARK_MM / 3 - clear), (W / 2 + SLUG_MARK_MM / 3 + clear, W - clear)]
        gaps = [(a, b) for a, b in gaps if b - a > 1.0]
        top = (design.height + design.bleed) * MM + gap * MM
        for size in SLUG_SIZES:
            placed = self._slug_lines(text, faces, size, gaps, top, band * MM - 2 * gap * MM, black,
                                      cut=size == SLUG_SIZES[-1])
            if placed is not None:
                return placed
        return ()

    def _slug_lines(self, text: str, faces, size: float, gaps, top: float, height: float, color,
                    cut: bool) -> tuple | None:
        """``text`` at ``size`` in the ``gaps`` (mm, left to right), lines from ``top`` (pt) down within
        ``height`` (pt): a TextBlock per line; None when it does not fit (with ``cut``: the rest dropped and
        the last line ending in an ellipsis)."""
        leading = size * 1.2
        rows = int((height - size * 0.3) // leading)          # a line: its ascent and its descent
        if rows < 1 or not gaps:
            return None if not cut else ()
        out = []
        rest = text
        for x0, x1 in gaps:
            width = (x1 - x0) * MM
            for row in range(rows):
                if not rest:
                    break
                p = Paragraph(rest, "en", faces, self.fonts)
                lines = p.break_lines(width / size)
                a, b = lines[0]
                last = (x0, x1) == gaps[-1] and row == rows - 1
                if last and b < len(rest) and cut:
                    line_text = rest[:b].rstrip()
                    while line_text and Paragraph(line_text + "…", "en", faces, self.fonts).natural_width * size \
                            > width:
                        line_text = line_text[:-1].rstrip()
                    p = Paragraph(line_text + "…", "en", faces, self.fonts)
                    a, b = 0, len(p.text)
                    rest_after = ""
                else:
                    rest_after = rest[b:]
                (line,) = p.compose([(a, b)])
                if line.width * size > width + 0.01:
                    return None       # one word wider than the gap: smaller, or cut
                baseline = top + size * 0.95 + row * leading
                x = x0 * MM
                runs = tuple(_place(run, size, x, baseline, color) for run in line.runs)
                out.append(TextBlock(p.text[a:b], "en", runs, "slug", (x, baseline - size, line.width * size,
                                                                        size * 1.25), 1, size))
                rest = rest_after
        if rest:
            return None
        return tuple(out)

    def _overflow(self, region: Region, paras: list[_Para], result: list, total: float, w: float, h: float,
                  design: Design, lang: str, mirrored: bool) -> Problem:
        """An overflowing box: how much too tall, and about how many characters to cut from which string."""
        project = self.project
        keys = ", ".join(p.item.label for p in paras)
        short = (total - h) / MM
        best = None
        for i, (p, (size, lines, lh, gap)) in enumerate(zip(paras, result)):
            if not p.sources or lh <= 0:        # a campaign fact is never cut
                continue
            n = len(p.paragraph.text)
            room = h - (total - (gap + lh * len(lines))) - gap   # its height when the others stay as they are
            keep = int(room / lh + 1e-9)                         # whole lines it may keep
            if keep < 1 or keep >= len(lines):
                continue
            per_char = em_per_char(p.paragraph)
            if len(lines) > 1 and lines[-1][0] > 0:
                # the width a character takes on the lines as broken, room lost at line ends included
                per_char = max(per_char, (len(lines) - 1) * w / size / lines[-1][0])
            fit = chars_that_fit(room, w, size, lh, per_char, min_lines=0)
            tail = n - lines[keep][0]          # cutting the text of the lines past the room certainly fits
            cut = min(n - fit, tail) if n - fit > 0 else tail
            candidate = (p.lang != lang, cut, i, fit, n, size)
            best = candidate if best is None or candidate[:3] < best[:3] else best
        sizes = ", ".join(f"{p.style.min_size:g} pt" for p in paras)
        if best is not None:
            _other, cut, i, fit, n, size = best
            p = paras[i]
            advice = (f"; cut about {cut} characters from '{p.item.label}' (it has {n}; about {fit} fit at "
                      f"{size:g} pt)")
            target = p
        else:
            chars = sum(len(p.paragraph.text) for p in paras if p.sources)
            cut = max(1, math.ceil(chars * (total - h) / total))
            advice = f"; cut about {cut} characters in all" if chars else ""
            target = next((p for p in paras if p.sources), paras[0])
        owner = project.languages.get(target.lang)
        what = f"strings.{target.sources[0]}" if len(target.sources) == 1 else "the text"
        if target.sources:
            path, line = owner.path if owner else None, _line(owner, target.sources[0])
        else:
            path, line = design.path, region.line
        return Problem("overflow", Diagnostic(
            ERROR, f"{lang}: the text of box '{region.id}' ({keys}) does not fit in {design.id}: "
                   f"{short:.1f} mm too tall at the smallest allowed size ({sizes}){advice}",
            path, line,
            f"shorten {what} by about {cut} characters, or allow a smaller min_size for its style in the design",
            code="overflow"), keys, region.id, self._region_box(region, design, mirrored), cut=cut)

    def _region_box(self, region: Region, design: Design, mirror: bool) -> tuple[float, float, float, float]:
        W, H = design.width * MM, design.height * MM
        col, row = W / design.columns, H / design.rows
        x, y, w, h = region.at[0] * col, region.at[1] * row, region.at[2] * col, region.at[3] * row
        if mirror and region.mirror:
            x = W - x - w
        return (x, y, w, h)

    @staticmethod
    def _logo(logo, box: Box, mirrored: bool, paper: Color | None) -> tuple[list, Box, Box]:
        """A logo on a paper plate at the start of ``box`` (the end, mirrored), as tall as the box allows
        (LOGO_MAX_HEIGHT_MM at most), at most 30 % of its width and, for pixels, no wider than 300 dpi
        allows: (its items, the plate, the box left for the text)."""
        x, y, w, h = box
        plate_h = min(h, LOGO_MAX_HEIGHT_MM * MM)
        pad = min(1.0 * MM, 0.08 * plate_h)
        lh = plate_h - 2 * pad
        lw = lh * logo.aspect
        if lw > 0.3 * w - 2 * pad:
            lw = max(0.3 * w - 2 * pad, 0.0)
            lh = lw / logo.aspect
        pixels = getattr(logo, "cmyk", None) is not None
        widest = logo.min_width_pt(300) if pixels else None
        if widest is not None and lw > widest:
            lw, lh = widest, widest / logo.aspect
        pw, ph = lw + 2 * pad, lh + 2 * pad
        gap = min(2 * MM, 0.03 * w)
        px = x + w - pw if mirrored else x
        py = y + (h - ph) / 2
        items: list = []
        if paper is not None:
            items.append(Rect(px, py, pw, ph, paper, radius=min(pad, 1.0 * MM)))
        lx, ly = px + pad, py + pad
        if pixels:
            items.append(Image(lx, ly, lw, lh, logo.cmyk, logo.rgb, logo.width_px, logo.height_px))
        else:
            for p in logo.paths or ():
                commands = []
                for cmd in p.commands:
                    if cmd[0] == "R":
                        _k, cx, cy, cw, ch = cmd
                        commands.append(("R", lx + cx * lw, ly + cy * lh, cw * lw, ch * lh))
                    elif cmd[0] == "Z":
                        commands.append(cmd)
                    else:
                        commands.append((cmd[0],) + tuple(lx + v * lw if i % 2 == 0 else ly + v * lh
                                                          for i, v in enumerate(cmd[1:])))
                items.append(replace(p, commands=tuple(commands), stroke_width=p.stroke_width * min(lw, lh)))
        text_x = x if mirrored else x + pw + gap
        return items, (px, py, pw, ph), (text_x, y, max(w - pw - gap, 0.0), h)

    def _qr(self, url: str, x: float, y: float, w: float, h: float, color, paper, level: str = "M") -> list:
        """The symbol and its quiet zone as large as the box allows, centred in it."""
        m = qrcodes.matrix(url, level)
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

    @staticmethod
    def _floor(paras: list[_Para]) -> float:
        """The smallest scale: where every paragraph has reached its style's min_size (one that reaches
        its own earlier stays there while the others go on shrinking)."""
        return min((p.style.min_size / p.style.size for p in paras if not p.style.fixed), default=1.0)

    def _measure(self, paras: list[_Para], w: float, h: float, scale: float) -> tuple[float, list]:
        """The height of the paragraphs set at ``scale`` (each at least its min_size; fixed ones at their
        size on one line each), and (size, lines, line height, gap) for each."""
        floor = self._floor(paras)
        total = 0.0
        result = []
        for i, p in enumerate(paras):
            if p.style.fixed:
                size = p.style.size
                lines = p.paragraph.break_nicely(1e9, False, False)    # its own line breaks only
            else:
                size = max(p.style.size * scale, p.style.min_size)
                lines = p.paragraph.break_nicely(w / size, p.style.balance)
            lh = size * p.style.leading * p.line_height
            gap = p.item.gap_before * MM if i else 0.0
            total += gap + lh * len(lines)
            if not p.style.fixed and scale > floor + 1e-9 and _cut(p.paragraph, lines) and \
                    not _cut(p.paragraph, p.paragraph.break_nicely(w / max(p.style.size * floor, p.style.min_size),
                                                                   p.style.balance)):
                total += h      # a URL or a word wider than the box is set smaller, where that keeps it whole
            result.append((size, lines, lh, gap))
        return total, result

    def _best(self, paras: list[_Para], w: float, h: float, top: float = 1.0) -> float:
        """The largest scale up to ``top`` at which the paragraphs fit the box; 0 when even the smallest
        sizes do not."""
        if not paras:
            return self._search(paras, w, h, top)
        memo = self._memo(paras[0].lang, "scales")
        objects = self._objects(paras)
        key = (tuple(map(id, (o[0] for o in objects))), w, h, top)
        kept = recent(memo, key)
        if kept is not None and self._same(kept[0], objects):
            return kept[1]
        best = self._search(paras, w, h, top)
        keep(memo, key, (objects, best), self.KEPT)
        return best

    def _search(self, paras: list[_Para], w: float, h: float, top: float) -> float:
        floor = min(self._floor(paras), top)
        if self._measure(paras, w, h, top)[0] <= h + 0.01:
            return top
        if self._measure(paras, w, h, floor)[0] > h + 0.01:
            return 0.0
        lo, hi = floor, top
        for _ in range(10):
            mid = (lo + hi) / 2
            if self._measure(paras, w, h, mid)[0] <= h + 0.01:
                lo = mid
            else:
                hi = mid
        return lo

    def _fit(self, region: Region, paras: list[_Para], x: float, y: float, w: float, h: float, design: Design,
             lang: str, mirrored: bool, scale: float = 1.0) -> tuple[list[TextBlock], list[Problem]]:
        """Set the paragraphs of a box at ``scale`` (see :meth:`_scales`): 0 sets them at their smallest
        sizes, too tall for the box, and says so."""
        if any(p.placeholders for p in paras):        # their spots are found as they are set
            return self._set(region, paras, x, y, w, h, design, lang, mirrored, scale)
        memo = self._memo(lang, "fits")
        objects = self._objects(paras) + ((region, design, None, lang, mirrored),)
        key = (tuple(map(id, (o[0] for o in objects))), id(region), x, y, w, h, mirrored, scale)
        kept = recent(memo, key)
        if kept is not None and self._same(kept[0], objects):
            return list(kept[1][0]), list(kept[1][1])
        blocks, problems = self._set(region, paras, x, y, w, h, design, lang, mirrored, scale)
        keep(memo, key, (objects, (tuple(blocks), tuple(problems))), self.KEPT)
        return blocks, problems

    def _set(self, region: Region, paras: list[_Para], x: float, y: float, w: float, h: float, design: Design,
             lang: str, mirrored: bool, scale: float = 1.0) -> tuple[list[TextBlock], list[Problem]]:
        problems: list[Problem] = []
        total, result = self._measure(paras, w, h, scale)
        if total > h + 0.01:
            problems.append(self._overflow(region, paras, result, total, w, h, design, lang, mirrored))
        for p, (size, lines, _lh, _gap) in zip(paras, result):
            if not p.style.fixed:
                continue
            wide = max((p.paragraph.width(a, b) * size for a, b in lines), default=0.0)
            if wide > w + 0.01:
                problems.append(self._too_wide(region, p, size, wide, w, design, lang, mirrored))
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
            align = getattr(p.item, "align", None) or p.style.align
            # a paragraph the design takes from another language (the Japanese sentence on an Arabic
            # leaflet) starts where its own language starts; the page's own text follows the page
            own = p.rtl if p.item.lang and p.item.lang != lang else p.rtl or mirrored
            if own and align != "center":
                align = {"start": "end", "end": "start"}.get(align, align)
            widest = 0.0
            # Japanese and Chinese body text fills its measure (both edges even), as it is typeset: the room
            # left on each line but the last of a paragraph (or before a line break) goes between characters
            justify = (p.script in JUSTIFIED_SCRIPTS and align == "start" and not p.style.fixed
                       and not p.style.balance and not p.placeholders)
            for k, line in enumerate(composed):
                lw = line.width * size
                last = k == len(composed) - 1 or "\n" in p.paragraph.text[line.end:composed[k + 1].start]
                spread = _justify(line, size, w - lw) if justify and not last else None
                if spread is not None:
                    line, lw = spread
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
                if p.placeholders:
                    p.spots += _spots_of(line, p.placeholders, size, lx, baseline - asc * size, (asc + desc) * size)
                cy += lh
            bx = x + (w - widest) / 2 if align == "center" else (x + w - widest if align == "end" else x)
            blocks.append(TextBlock(p.paragraph.text, p.lang, tuple(runs), p.item.label,
                                    (bx, top, widest, cy - top), len(composed), size, p.rtl))
        return blocks, problems

    def _too_wide(self, region: Region, p: _Para, size: float, wide: float, w: float, design: Design, lang: str,
                  mirrored: bool) -> Problem:
        """A fixed paragraph (it never shrinks or breaks) wider than its box."""
        style = p.style
        where = f"{style.path.name}:{style.line}" if style.path and style.line else "the design"
        return Problem("overflow", Diagnostic(
            ERROR, f"{lang}: the fixed text '{p.item.label}' (style '{style.name}', {size:g} pt) is "
                   f"{(wide - w) / MM:.1f} mm wider than box '{region.id}' ({w / MM:.1f} mm) in {design.id}: a fixed "
                   "style never shrinks or breaks",
            design.path, region.line,
            f"make box '{region.id}' at least {wide / MM:.1f} mm wide, or the style '{style.name}' smaller "
            f"({where})", code="overflow"), p.item.label, region.id, self._region_box(region, design, mirrored))


_STATUS = {"source": "source text", "reviewed": "reviewed by a native speaker",
           "draft": "DRAFT translation, not reviewed by a native speaker",
           "untranslated": "UNTRANSLATED: English text"}


def _place(run, size: float, x: float, baseline: float, color) -> GlyphRun:
    """A composed run of a line, in points, its line starting at x."""
    scale = size / run.face.upem
    gx = 0.0
    glyphs = []
    advances = []
    for g, t in zip(run.glyphs, _glyph_texts(run)):
        glyphs.append((g.gid, gx + g.x_offset * scale, g.y_offset * scale, t))
        advances.append(g.advance * scale)
        gx += g.advance * scale
    return GlyphRun(run.face, size, x + run.x * size, baseline, tuple(glyphs), color, gx, run.rtl, run.start,
                    tuple(advances))


def _features(p: "_Para") -> tuple[str, ...]:
    """The OpenType features a paragraph is shaped with beside the default ones (see PROPORTIONAL_SCRIPTS)."""
    return ("palt",) if p.script in PROPORTIONAL_SCRIPTS and p.style.balance and not p.style.fixed else ()


def _justify(line, size: float, room: float):
    """``line`` (a composed Line, in em) with ``room`` points shared out between its characters, where one
    side of the gap is a wide (East Asian) character and the glyphs after it start a new cluster: (the
    line, its width in points); None when it has no such gap or no room, or when filling it would take
    more than :data:`JUSTIFY_MAX_EM` a gap.  Readers that build words from glyph boxes (pdfminer.six) read
    a wider gap as a space; and a line that kinsoku or the last line's minimum left that short is better
    set solid than loose and still short."""
    if room <= 0.01 or any(r.rtl for r in line.runs):
        return None
    texts = [_glyph_texts(r) for r in line.runs]
    previous = ""
    gaps = []          # for each run, for each glyph: whether a gap opens before it
    count = 0
    for r, tx in zip(line.runs, texts):
        marks = []
        for t in tx:
            gap = bool(t) and bool(previous) and (wide(previous[-1]) or wide(t[0])) \
                and not previous[-1].isspace() and not t[0].isspace()
            marks.append(gap)
            count += gap
            if t:
                previous = t
        gaps.append(marks)
    if not count or room / count > JUSTIFY_MAX_EM * size:
        return None
    extra = room / count / size       # em
    runs = []
    shift = 0.0
    for r, marks in zip(line.runs, gaps):
        inside = 0.0
        glyphs = []
        for g, gap in zip(r.glyphs, marks):
            if gap:
                if glyphs:
                    inside += extra
                else:
                    shift += extra          # the gap before the run's first glyph moves the run
            glyphs.append(g if not inside else g._replace(x_offset=g.x_offset + inside * r.face.upem))
        runs.append(replace(r, x=r.x + shift, width=r.width + inside, glyphs=tuple(glyphs)))
        shift += inside
    width = line.width + extra * count
    return replace(line, width=width, runs=tuple(runs)), width * size


def _figure(name: str, alt: str, parts: list) -> list:
    """``parts`` (the shapes of a pictogram or QR code) as one figure with its text alternative."""
    return [replace(it, figure=name, alt=alt) for it in parts]


def _cut(paragraph: Paragraph, lines) -> bool:
    """Whether ``lines`` only fit by cutting a URL, or a word wider than the line where no hyphen may go
    ("HEL" / "P"); a word hyphenated where its language allows is set that way."""
    return bool(getattr(lines, "unfit", False)) or any(
        paragraph._inside_word(b) and not paragraph.hyphenated(b) for _a, b in lines[:-1])


def _spots_of(line, indices: frozenset, size: float, x: float, top: float, height: float) -> list[Box]:
    """The boxes (points) of the glyphs of ``line`` set for the characters at ``indices``."""
    out = []
    for run in line.runs:
        scale = size / run.face.upem
        gx = x + run.x * size
        for g in run.glyphs:
            if g.cluster in indices:
                out.append((gx, top, max(g.advance * scale, size * 0.3), height))
            gx += g.advance * scale
    return out


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


def _fallback(project: Project, language: Language, key: str, region: str) -> Problem:
    """A string of ``language`` that falls back to English, with where to write it."""
    name = language.path.name if language.path else f"{language.tag}.yaml"
    line, hint = None, f"add strings.{key} to {name}"
    t = language.strings.get(key)
    if t is not None and t.line:
        line, hint = t.line, f"write the translation of strings.{key} in {name}: its text is empty"
    else:
        # the place the key belongs: before the next key of the source that the file has
        keys = list(project.source.strings)
        i = keys.index(key) if key in keys else len(keys)
        after = [k for k in keys[i + 1:] if k in language.strings and language.strings[k].line]
        before = [k for k in reversed(keys[:i]) if k in language.strings and language.strings[k].line]
        if after:
            line = language.strings[after[0]].line
            hint = f"add strings.{key} to {name}, above '{after[0]}' (line {line})"
        elif before:
            line = language.strings[before[0]].line
            hint = f"add strings.{key} to {name}, after '{before[0]}' (line {line})"
    return Problem("fallback", Diagnostic(
        WARNING, f"{language.tag}: '{key}' is not translated; the English text is used", language.path, line, hint,
        code="fallback"), key, region, (0, 0, 0, 0))


def _overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    return (a[0] < b[0] + b[2] + gap and b[0] < a[0] + a[2] + gap and
            a[1] < b[1] + b[3] + gap and b[1] < a[1] + a[3] + gap)
