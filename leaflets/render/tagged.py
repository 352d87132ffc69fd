"""The tagged online PDF: marked content while painting, the structure tree after.

reportlab writes no structure.  While the painter paints a page,
:class:`MarkedContent` gives every item it paints marked content: each text
object of a text block a sequence with an MCID (the language and
replacement-text spans stay as they were, so text extraction is unchanged), a
part of a figure (a pictogram, a QR code, a chart) ``/Figure <</MCID n>> BDC
… EMC``; anything else (background fills, rules, outlines, an image with no
text alternative) is an ``/Artifact``.

:func:`tag` then writes, with pikepdf, into the painted bytes:

- the structure tree in reading order — the order the layout painted the
  page, which is the design's order of regions, with the draft notice first:
  ``Document`` > ``H1``–``H6`` and ``P`` from the key of each block through
  the roles table (:mod:`leaflets.layout.roles`, the one the HTML edition
  uses, so both say the same), a list (``L`` > ``LI`` > ``LBody``) for the
  blocks whose role names a list item (a figure just before an item's first
  block belongs to that item), a ``Figure`` with ``/Alt`` for each figure the
  layout marked, and a ``Link`` with the MCID of the text it covers and an
  ``OBJR`` to its annotation for every link;
- heading levels that start at 1 and never skip one (PDF/UA);
- ``/Lang`` on an element whose language is not the document's (the
  Japanese sentence for helpers on a leaflet in another language);
- the ParentTree (pages' ``/StructParents``, annotations' ``/StructParent``),
  ``/Contents`` on each link annotation, ``/Tabs /S`` on each page,
  ``/MarkInfo``, ``/ViewerPreferences /DisplayDocTitle``, the document's
  ``/Lang`` and an XMP packet with its title, language and the PDF/UA
  identification (``pdfuaid:part 1``).

Same input, same bytes: object numbers and the file ID come from the content.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html import escape

from ..layout.frame import Page, TextBlock
from ..layout.roles import pdf_tag, role_of

PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
ARTIFACT = "/Artifact BMC"


class MarkedContent:
    """The marked-content sequences of one page, in the order they are painted.

    A text block gets one sequence for each of its text objects: the
    painter's own marked content for PDFium (``/PDFiumText``) takes the MCID
    in its property list, a text object without one is wrapped in
    ``/P <</MCID n>> BDC … EMC``.  So no marked content is nested inside a
    sequence with an MCID (poppler's structure text ends a sequence at the
    first EMC inside it), and the block's language span, with its
    replacement text, stays around its text objects as it was."""

    def __init__(self):
        self.entries: list[tuple[int, object]] = []     # (MCID, item)
        self._block: TextBlock | None = None

    def begin(self, item) -> str:
        """The operator that opens ``item``'s sequence, which the painter closes with EMC after the
        item; "" for a text block, whose text objects get theirs (:meth:`text_object`)."""
        self._block = None
        if isinstance(item, TextBlock):
            if item.text.strip() and any(r.glyphs for r in item.runs):
                self._block = item
                return ""
            return ARTIFACT
        if getattr(item, "figure", ""):
            return self._mcid("/Figure", item) + " BDC"
        return ARTIFACT

    def text_object(self, code: str) -> str:
        """``code`` (one TJ, maybe in the painter's /PDFiumText sequence) with its MCID."""
        if self._block is None:
            return code
        if code.startswith("/PDFiumText <<"):
            n = len(self.entries)
            self.entries.append((n, self._block))
            return f"/PDFiumText <</MCID {n} " + code[len("/PDFiumText <<"):]
        return self._mcid("/Figure" if self._block.figure else "/P", self._block) + f" BDC {code} EMC"

    def _mcid(self, tag: str, item) -> str:
        n = len(self.entries)
        self.entries.append((n, item))
        return f"{tag} <</MCID {n}>>"


@dataclass
class _Node:
    """A structure element to be: a text block, or a figure and its parts."""

    kind: str                      # text | figure | link (a link that covers no text)
    page: int
    mcids: list[int] = field(default_factory=list)
    block: TextBlock | None = None
    tag: str = "P"
    item: str | None = None        # the list item it belongs to
    section: str = ""
    alt: str = ""
    annots: list = field(default_factory=list)    # (annotation, its link) covering this text


def _nodes(pages: list[Page], marks: list[MarkedContent], annots: list[list]) -> list[_Node]:
    """Every structure element to be, in reading order."""
    out: list[_Node] = []
    section = "main"
    for index, (page, mc) in enumerate(zip(pages, marks)):
        nodes: list[_Node] = []
        figures: dict[str, _Node] = {}
        notes: list[_Node] = []
        last: _Node | None = None
        for mcid, item in mc.entries:
            if last is not None and last.block is item:
                last.mcids.append(mcid)         # the block's next text object
                continue
            last = None
            fid = getattr(item, "figure", "")
            if fid:
                node = figures.get(fid)
                if node is None:
                    node = figures[fid] = _Node("figure", index)
                    nodes.append(node)
                node.mcids.append(mcid)
                node.alt = node.alt or getattr(item, "alt", "")
                continue
            role, list_item = role_of(item.key)
            tag = pdf_tag(role) if role is not None else "P"
            if role is not None:
                section = role.section or (f"key:{item.key}" if role.tag == "h2" else section)
            node = last = _Node("text", index, [mcid], item, tag, list_item, section)
            if role is not None and role.tag == "note":
                notes.append(node)       # the draft notice: read before the page it is on
            else:
                nodes.append(node)
        # a figure that comes just before a list item's text is part of that item
        for i, node in enumerate(nodes):
            if node.kind == "figure" and i + 1 < len(nodes) and nodes[i + 1].item is not None:
                node.item, node.section = nodes[i + 1].item, nodes[i + 1].section
        nodes = notes + nodes
        # links: on the text whose lines they cover (as the layout made them), else on their own
        texts = {_box(n.block.box): n for n in nodes if n.kind == "text"}
        for annot, link in annots[index]:
            node = texts.get(_box((link.x, link.y, link.w, link.h)))
            if node is None:
                node = _Node("link", index)
                nodes.append(node)
            node.annots.append((annot, link))
        out += nodes
    return out


def _box(box) -> tuple:
    return tuple(round(v, 3) for v in box)


def _levels(nodes: list[_Node]) -> None:
    """Heading levels that start at 1 and go down one level at a time (H1 H3 becomes H1 H2)."""
    last = 0
    for node in nodes:
        m = re.fullmatch(r"H([1-6])", node.tag)
        if m:
            level = min(int(m.group(1)), last + 1)
            node.tag, last = f"H{level}", level


def _contents(link, text: str) -> str:
    """What a link annotation says it does: a telephone link its number as shown, any other its address."""
    uri = link.uri
    if uri.startswith("tel:"):
        return text.strip() or uri[4:]
    return uri


def tag(data: bytes, pages: list[Page], marks: list[MarkedContent]) -> bytes:
    """The painted document ``data`` (one page per entry of ``pages``, painted with ``marks``) as a
    tagged PDF."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    from .pdfx import has_unfiltered_streams, xmp_wrap

    first = pages[0]
    doc_lang = first.lang
    pdf = pikepdf.open(io.BytesIO(data))
    with pdf:
        pobjs = [p.obj for p in pdf.pages]
        # the pages' link annotations, in the order the painter added them (the order of Page.links)
        annots: list[list] = []
        for pobj, page in zip(pobjs, pages):
            found = [a for a in pobj.get("/Annots", Array()) if a.get("/Subtype") == Name.Link]
            annots.append(list(zip(found, page.links)))
        nodes = _nodes(pages, marks, annots)
        _levels(nodes)

        root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
        if doc_lang:
            document.Lang = String(doc_lang)
        root.K = document
        parents: list[dict[int, object]] = [{} for _ in pages]     # page -> MCID -> element
        annot_parents: list = []

        def element(kind: str, parent, page: int):
            e = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + kind), P=parent, K=Array(),
                                             Pg=pobjs[page]))
            parent.K.append(e)
            return e

        def link_element(parent, node: _Node, mcids: list[int]):
            for annot, link in node.annots:
                e = element("Link", parent, node.page)
                for mcid in mcids:
                    e.K.append(mcid)
                    parents[node.page][mcid] = e
                mcids = []              # the text goes into the first link; further ones hold their annotation
                e.K.append(Dictionary(Type=Name.OBJR, Obj=annot, Pg=pobjs[node.page]))
                annot.StructParent = len(pages) + len(annot_parents)
                annot.Contents = String(_contents(link, node.block.text if node.block else ""))
                annot_parents.append(e)

        lst = li = body = None
        current_item = current_section = None
        for node in nodes:
            if node.item is None or node.section != current_section:
                lst = None
            if node.item is not None:
                if lst is None:
                    lst = element("L", document, node.page)
                    current_item = None
                    current_section = node.section
                if node.item != current_item:
                    li = element("LI", lst, node.page)
                    body = element("LBody", li, node.page)
                    current_item = node.item
                parent = body
            else:
                parent = document
            if node.kind == "figure":
                e = element("Figure", parent, node.page)
                e.Alt = String(node.alt.strip() or "figure")
                for mcid in node.mcids:
                    e.K.append(mcid)
                    parents[node.page][mcid] = e
                continue
            if node.kind == "link":
                link_element(parent, node, [])
                continue
            block = node.block
            e = element(node.tag, parent, node.page)
            if block.lang and block.lang != doc_lang:
                e.Lang = String(block.lang)
            if node.annots:
                link_element(e, node, node.mcids)
            else:
                for mcid in node.mcids:
                    e.K.append(mcid)
                    parents[node.page][mcid] = e

        nums = Array()
        for index, by_mcid in enumerate(parents):
            pobjs[index].StructParents = index
            nums.append(index)
            nums.append(pdf.make_indirect(Array([by_mcid.get(m) for m in range(len(marks[index].entries))])))
        for k, e in enumerate(annot_parents):
            nums.append(len(pages) + k)
            nums.append(e)
        root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
        root.ParentTreeNextKey = len(pages) + len(annot_parents)
        for pobj in pobjs:
            pobj.Tabs = Name.S

        catalog = pdf.Root
        catalog.StructTreeRoot = root
        catalog.MarkInfo = Dictionary(Marked=True)
        if doc_lang:
            catalog.Lang = String(doc_lang)
        prefs = catalog.get("/ViewerPreferences", Dictionary())
        prefs.DisplayDocTitle = True
        catalog.ViewerPreferences = prefs
        info = pdf.docinfo
        title = str(info.get("/Title", "")) or first.title
        info.Title = String(title)
        e = escape
        lang = e(doc_lang or "x-default")
        xmp = xmp_wrap(
            f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(title)}</rdf:li></rdf:Alt></dc:title>\n'
            f"<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n"
            + (f"<dc:creator><rdf:Seq><rdf:li>{e(first.author)}</rdf:li></rdf:Seq></dc:creator>\n"
               if first.author else "")
            + (f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(first.subject)}</rdf:li></rdf:Alt>'
               "</dc:description>\n" if first.subject else "")
            + "<pdfuaid:part>1</pdfuaid:part>\n",
            (("pdfuaid", PDFUA_NS),))
        catalog.Metadata = pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)
        out = io.BytesIO()
        pdf.save(out, force_version="1.7", deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=has_unfiltered_streams(pdf))
    return out.getvalue()
