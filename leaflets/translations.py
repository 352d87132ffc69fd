"""Exchange translations with translators' tools: gettext PO and XLIFF 2.0.

Export writes one language with the English beside every string, the notes
for translators, the box each string must fit (as a capacity hint), the
language's review status and which strings are stale.  Import reads such a
file back; the round trip loses nothing.  An invalid file is an error that
changes nothing.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from .atomic import write_bytes
from .errors import ContentError, Diagnostic, Diagnostics, ERROR
from .layout.capacity import capacity_hints
from .model.load import check_strings, language_tag_problem, load_language
from .model.schema import REVIEW_STATUSES, Language, Project, Text
from .model.write import header_comments, language_yaml

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
FORMATS = ("po", "xliff")


# ------------------------------------------------------------------- export

def _meta(language: Language) -> dict[str, str]:
    meta = {"name": language.name, "native-name": language.native_name, "script": language.script,
            "direction": language.direction, "review-status": language.review_status}
    if language.review_note:
        meta["review-note"] = language.review_note
    for k in ("reviewer", "date"):
        if language.extra_review.get(k):
            meta[f"review-{k}"] = str(language.extra_review[k])
    return meta


def export(project: Project, fonts, lang: str, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    language = project.languages[lang]
    hints = capacity_hints(project, fonts)
    return _export_po(project, language, hints) if fmt == "po" else _export_xliff(project, language, hints)


def _po_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def _po_string(keyword: str, s: str, prefix: str = "") -> str:
    return f'{prefix}{keyword} "{_po_escape(s)}"'


def _export_po(project: Project, language: Language, hints: dict[str, str]) -> bytes:
    source = project.source
    headers = [("Project-Id-Version", f"leaflets {project.facts.campaign_id}"),
               ("Language", language.tag),
               ("MIME-Version", "1.0"),
               ("Content-Type", "text/plain; charset=UTF-8"),
               ("Content-Transfer-Encoding", "8bit")]
    headers += [(f"X-Leaflets-{k.title()}", v) for k, v in _meta(language).items()]
    out = ["# Translation of the leaflets campaign into " + language.name + ".",
           "# Status: " + language.review_status + ". Phone numbers and web addresses are not translated:",
           "# the design prints them from the campaign facts.",
           'msgid ""', 'msgstr ""']
    out += [f'"{_po_escape(f"{k}: {v}")}\\n"' for k, v in headers]
    for key, en in source.strings.items():
        t = language.strings.get(key)
        out.append("")
        if t is not None and t.note:
            out += [f"# {line}" for line in t.note.splitlines()]
        if en.note:
            out += [f"#. {line}" for line in en.note.splitlines()]
        if key in hints:
            out.append(f"#. Fits: {hints[key]}")
        stale = t is not None and t.source is not None and t.source != en.text
        if stale:
            out.append("#, fuzzy")
            out.append(_po_string("msgctxt", key, "#| "))
            out.append(_po_string("msgid", t.source, "#| "))
        out.append(_po_string("msgctxt", key))
        out.append(_po_string("msgid", en.text))
        out.append(_po_string("msgstr", t.text if t else ""))
    return ("\n".join(out) + "\n").encode("utf-8")


def _export_xliff(project: Project, language: Language, hints: dict[str, str]) -> bytes:
    ET.register_namespace("", XLIFF_NS)
    q = lambda tag: f"{{{XLIFF_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("xliff"), {"version": "2.0", "srcLang": project.source.tag, "trgLang": language.tag})
    file = ET.SubElement(root, q("file"), {"id": f"leaflets-{language.tag}"})
    notes = ET.SubElement(file, q("notes"))
    for k, v in _meta(language).items():
        ET.SubElement(notes, q("note"), {"category": k}).text = v
    for key, en in project.source.strings.items():
        t = language.strings.get(key)
        unit = ET.SubElement(file, q("unit"), {"id": key})
        unotes = []
        if en.note:
            unotes.append(("description", en.note))
        if key in hints:
            unotes.append(("capacity", hints[key]))
        if t is not None and t.note:
            unotes.append(("translator", t.note))
        stale = t is not None and t.source is not None and t.source != en.text
        if stale:
            unotes.append(("previous-source", t.source))
        if unotes:
            n = ET.SubElement(unit, q("notes"))
            for cat, text in unotes:
                ET.SubElement(n, q("note"), {"category": cat}).text = text
        if t is None or not t.text:
            state = {"state": "initial"}
        elif stale:
            state = {"state": "initial", "subState": "lf:stale"}
        elif language.review_status == "reviewed":
            state = {"state": "reviewed"}
        else:
            state = {"state": "translated"}
        seg = ET.SubElement(unit, q("segment"), state)
        ET.SubElement(seg, q("source")).text = en.text
        if t is not None and t.text:
            ET.SubElement(seg, q("target")).text = t.text
    ET.indent(root, space="  ")
    buf = io.BytesIO()
    ET.ElementTree(root).write(buf, encoding="UTF-8", xml_declaration=True)
    return buf.getvalue() + b"\n"


# ------------------------------------------------------------------- import

def _fail(path: Path, message: str, line: int | None = None, hint: str | None = None) -> ContentError:
    return ContentError(Diagnostic(ERROR, message, path, line, hint))


def _language_from(project: Project, path: Path, tag: str, meta: dict[str, str],
                   entries: list[tuple[str, str, str | None, str | None, int | None]]) -> Language:
    """Build and check the language that an imported file describes."""
    problem = language_tag_problem(tag)
    if problem:
        raise _fail(path, problem)
    existing = project.languages.get(tag)
    status = meta.get("review-status") or (existing.review_status if existing else "draft")
    if status not in REVIEW_STATUSES or status == "source":
        raise _fail(path, f"review status '{status}' is not one of draft, reviewed, untranslated")
    source = project.source
    diags = Diagnostics()
    strings: dict[str, Text] = {}
    for key, text, src, note, line in entries:
        if key not in source.strings:
            diags.error(f"unknown string key '{key}'", path, line, f"keys are those of {source.tag}.yaml")
            continue
        if key in strings:
            diags.error(f"the key '{key}' appears twice", path, line)
            continue
        if text or note or (existing and key in existing.strings):
            strings[key] = Text(key, text, src or None, note, None)
    if diags.errors:
        raise ContentError(diags.errors)
    base = existing or Language(tag, tag, tag, "Latn", "ltr", status, None, {}, None)
    extra = dict(base.extra_review)
    for k in ("reviewer", "date"):
        if meta.get(f"review-{k}"):
            extra[k] = meta[f"review-{k}"]
    language = replace(base, name=meta.get("name", base.name), native_name=meta.get("native-name", base.native_name),
                       script=meta.get("script", base.script), direction=meta.get("direction", base.direction),
                       review_status=status, review_note=meta.get("review-note", base.review_note),
                       strings=strings, extra_review=extra)
    return language


def _parse_po(path: Path, data: bytes):
    import polib
    try:
        po = polib.pofile(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _fail(path, "the file is not UTF-8") from None
    except (OSError, ValueError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise _fail(path, f"not a valid PO file: {exc}", int(m.group(1)) if m else None,
                    "open it in Poedit or run msgfmt --check on it") from None
    meta = {}
    for k, v in po.metadata.items():
        if k.startswith("X-Leaflets-"):
            meta[k[len("X-Leaflets-"):].lower()] = v
    tag = po.metadata.get("Language", "").replace("_", "-")
    entries = []
    for e in po:
        if e.obsolete:
            continue
        if not e.msgctxt:
            raise _fail(path, f"the entry '{e.msgid[:40]}' has no msgctxt (the string's key)", e.linenum)
        if "fuzzy" in e.flags and e.previous_msgid is not None:
            src = e.previous_msgid
        elif "fuzzy" in e.flags:
            src = None
        else:
            src = e.msgid
        entries.append((e.msgctxt, e.msgstr.strip(), src, e.tcomment or None, e.linenum))
    return tag, meta, entries


def _parse_xliff(path: Path, data: bytes):
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _fail(path, "XLIFF files with a DOCTYPE or entities are refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise _fail(path, f"not well-formed XML: {exc}", exc.position[0] if exc.position else None) from None
    q = lambda tag: f"{{{XLIFF_NS}}}{tag}"  # noqa: E731
    if root.tag != q("xliff") or root.get("version") != "2.0":
        raise _fail(path, "not an XLIFF 2.0 file (the root must be <xliff version=\"2.0\"> in the 2.0 namespace)")
    tag = root.get("trgLang") or ""
    file = root.find(q("file"))
    if file is None:
        raise _fail(path, "the XLIFF file has no <file>")
    meta = {}
    notes = file.find(q("notes"))
    for n in notes if notes is not None else []:
        meta[n.get("category", "")] = n.text or ""
    entries = []
    for unit in file.findall(q("unit")):
        key = unit.get("id")
        seg = unit.find(q("segment"))
        if not key or seg is None:
            raise _fail(path, "every <unit> needs an id and a <segment>")
        unotes = {n.get("category"): n.text or "" for n in unit.findall(f"{q('notes')}/{q('note')}")}
        target = seg.find(q("target"))
        source = seg.find(q("source"))
        text = (target.text or "").strip() if target is not None else ""
        src = unotes.get("previous-source") or (source.text if source is not None else None)
        entries.append((key, text, src, unotes.get("translator"), None))
    return tag, meta, entries


def load_import(project: Project, path: Path) -> Language:
    """The language an exported-and-translated file describes, checked."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot read the file: {exc.strerror}") from None
    if len(data) > 4 << 20:
        raise _fail(path, "the file is larger than 4 MiB")
    is_xml = path.suffix.lower() in (".xlf", ".xliff", ".xml") or data.lstrip().startswith(b"<")
    tag, meta, entries = (_parse_xliff if is_xml else _parse_po)(path, data)
    if not tag:
        raise _fail(path, "the file does not say which language it is in",
                    hint="PO: a 'Language:' header; XLIFF: trgLang on <xliff>")
    return _language_from(project, path, tag, meta, entries)


def import_file(project: Project, path: Path) -> Path:
    """Import ``path`` into content/languages/<tag>.yaml.  Nothing changes on error."""
    language = load_import(project, path)
    target = project.root / "content" / "languages" / f"{language.tag}.yaml"
    old = target.read_text(encoding="utf-8") if target.exists() else None
    header = header_comments(old) or _default_header(language)
    text = language_yaml(language, list(project.source.strings), header)
    # the result must load and pass the same checks as any language file
    diags = Diagnostics()
    loaded = load_language(target, diags, text)
    if loaded is not None:
        check_strings(loaded, project.source, project.facts, diags)
    if diags.errors:
        raise ContentError([Diagnostic(d.severity, d.message, path, None, d.hint) for d in diags.errors])
    write_bytes(target, text.encode("utf-8"))
    return target


def _default_header(language: Language) -> list[str]:
    state = "DRAFT translation, not yet reviewed by a native speaker" if language.review_status != "reviewed" \
        else "translation reviewed by a native speaker"
    return [f"# {language.name}: {state}.",
            "# Phone numbers and web addresses are not written here: the design takes them",
            "# from content/campaign.yaml."]
