"""Exchange translations with translators' tools: gettext PO and XLIFF 2.0.

Export writes one language with the English beside every string, the notes
for translators, the box each string must fit (as a capacity hint), the
language's review status, who translated it last and which strings are stale.

Import *merges*: a string changes only when the file gives it a finished
translation (PO: a msgstr that is not empty and not fuzzy; XLIFF: a segment in
state translated, reviewed or final).  Everything else in the language file —
other strings, comments, layout — stays as it is.  A file that is not valid
(by msgfmt's rules for PO, by the XLIFF 2.0 core schema for XLIFF) changes
nothing.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .atomic import write_bytes
from .errors import ContentError, Diagnostic, Diagnostics, ERROR, LeafletsError, UsageError
from .layout.capacity import capacity_hints
from .model.load import check_strings, load_language
from .model.schema import Language, Project, Text
from .model.tags import TagError, canonical, maximize, resolve_tag, tag_problem
from .model.write import EditError, StringEdit, edit_language
from .model.yamlsrc import YamlError, load_yaml

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
FORMATS = ("po", "xliff")
MAX_BYTES = 4 << 20
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "xliff-2.0"

# language.translation in a language file <-> the PO header <-> XLIFF <file> notes
TRANSLATION_FIELDS = (("translator", "Last-Translator", "translator"),
                      ("date", "PO-Revision-Date", "translation-date"),
                      ("tool", "X-Generator", "translation-tool"))
# the values a PO template has before anyone fills them in
_PO_DEFAULTS = {"FULL NAME <EMAIL@ADDRESS>", "YEAR-MO-DA HO:MI+ZONE", "LANGUAGE <LL@li.org>", "LANGUAGE",
                "PACKAGE VERSION"}


def translation_meta(language: Language) -> dict[str, str]:
    """language.translation of a language file: who translated it last, when, with what."""
    if language.path is None:
        return {}
    try:
        data = load_yaml(language.path).data
    except YamlError:
        return {}
    block = (data.get("language") or {}).get("translation") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return {}
    return {k: str(block[k]) for k, _po, _x in TRANSLATION_FIELDS if block.get(k) not in (None, "")}


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
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\{ord(m.group()):03o}", s)


def _po_string(keyword: str, s: str, prefix: str = "") -> str:
    return f'{prefix}{keyword} "{_po_escape(s)}"'


def _one_line(s: str) -> str:
    return " ".join(s.split())


def _export_po(project: Project, language: Language, hints: dict[str, str]) -> bytes:
    source = project.source
    done = translation_meta(language)
    headers = [("Project-Id-Version", f"leaflets {project.facts.campaign_id}"),
               ("PO-Revision-Date", _one_line(done.get("date", ""))),
               ("Last-Translator", _one_line(done.get("translator", ""))),
               ("Language-Team", ""),
               ("Language", language.tag),
               ("MIME-Version", "1.0"),
               ("Content-Type", "text/plain; charset=UTF-8"),
               ("Content-Transfer-Encoding", "8bit")]
    if done.get("tool"):
        headers.append(("X-Generator", _one_line(done["tool"])))
    headers += [(f"X-Leaflets-{k.title()}", _one_line(v)) for k, v in _meta(language).items()]
    out = ["# Translation of the leaflets campaign into " + _one_line(language.name) + ".",
           "# Status: " + language.review_status + ". Phone numbers and web addresses are not translated:",
           "# the design prints them from the campaign facts.",
           'msgid ""', 'msgstr ""']
    out += [f'"{_po_escape(f"{k}: {v}")}\\n"' for k, v in headers]
    for key, en in source.strings.items():
        t = language.strings.get(key)
        out.append("")
        if t is not None and t.note:
            out += [f"# {line}".rstrip() for line in t.note.splitlines()]
        if en.note:
            out += [f"#. {line}".rstrip() for line in en.note.splitlines()]
        if key in hints:
            out.append(f"#. Fits: {_one_line(hints[key])}")
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
    done = translation_meta(language)
    meta = list(_meta(language).items()) + [(x, done[k]) for k, _po, x in TRANSLATION_FIELDS if k in done]
    for k, v in meta:
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
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


# ------------------------------------------------------------------ reading

def _fail(path: Path, message: str, line: int | None = None, hint: str | None = None) -> ContentError:
    return ContentError(Diagnostic(ERROR, message, path, line, hint))


@dataclass
class Incoming:
    """One string as a translation file gives it."""

    key: str | None          # msgctxt / unit id
    english: str             # msgid / <source>: the English it was translated from
    text: str                # msgstr / <target>, without surrounding white space
    ready: bool              # PO: not fuzzy; XLIFF: state translated, reviewed or final
    why_not: str             # what keeps it from being imported when not ready ("fuzzy", "state initial")
    note: str | None         # the translator's comment
    line: int | None         # where the entry starts
    text_line: int | None = None   # where its translation is


@dataclass
class Parsed:
    tag: str                 # the language the file says it is in ("" when it does not)
    tag_field: str           # where it says so
    tag_line: int | None
    entries: list[Incoming]
    translation: dict[str, str]   # translator, date, tool
    source_tag: str | None = None


# --------------------------------------------------------------------- PO

_ESCAPES = {"n": 10, "t": 9, "b": 8, "r": 13, "f": 12, "v": 11, "a": 7, "\\": 92, '"': 34}
_KEYWORDS = {"msgctxt", "msgid", "msgid_plural", "msgstr", "domain"}


@dataclass
class _Tok:
    kind: str        # "kw", "str", "comment"
    value: object    # keyword name, bytes of a string, text of a comment
    line: int
    col: int
    obsolete: bool = False
    previous: bool = False


@dataclass
class PoEntry:
    msgctxt: str | None
    msgid: str
    msgstr: str
    flags: list[str]
    comment: str | None
    previous_msgid: str | None
    line: int            # the entry's first keyword
    msgid_line: int
    msgstr_line: int
    obsolete: bool
    msgstr_parts: list[tuple[int, str]] = field(default_factory=list)   # (line, text) of each string


class _PoError(Exception):
    def __init__(self, message: str, line: int | None, hint: str | None = None):
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


def _lex(text: str, encoding: str) -> list[_Tok]:
    """The tokens of a PO file, as gettext's own lexer reads them."""
    toks: list[_Tok] = []
    i, n, line, line_start = 0, len(text), 1, 0
    obsolete = previous = False
    while i < n:
        ch = text[i]
        if ch == "\n":
            i += 1
            line, line_start = line + 1, i
            obsolete = previous = False
            continue
        if ch in " \t\r\f\v":
            i += 1
            continue
        if ch == "\\" and text[i + 1:i + 2] == "\n":     # a line continuation, as in C
            i += 2
            line, line_start = line + 1, i
            continue
        col = i - line_start + 1
        if ch == "#":
            nxt = text[i + 1:i + 2]
            if nxt == "~" and not obsolete:
                obsolete, i = True, i + 2
                if text[i:i + 1] == "|":
                    previous, i = True, i + 1
                continue
            if nxt == "|" and not previous:
                previous, i = True, i + 2
                continue
            j = text.find("\n", i)
            j = n if j < 0 else j
            if not obsolete and not previous:
                toks.append(_Tok("comment", text[i:j].rstrip("\r"), line, col))
            i = j
            continue
        if ch == '"':
            buf = bytearray()
            j = run = i + 1
            start_line = line
            while True:
                if j >= n:
                    raise _PoError("end-of-file within string: a string is not closed with \"", start_line)
                c = text[j]
                if c == "\n":
                    raise _PoError("end-of-line within string: a string is not closed with \" on its line",
                                   line, 'close the string with " and go on with a new "..." on the next line')
                if c == '"':
                    buf += text[run:j].encode(encoding)
                    j += 1
                    break
                if c == "\\":
                    buf += text[run:j].encode(encoding)
                    e = text[j + 1:j + 2]
                    if e == "\n":                          # a line continuation
                        j += 2
                        line, line_start = line + 1, j
                    elif e in _ESCAPES:
                        buf.append(_ESCAPES[e])
                        j += 2
                    elif e and e in "01234567":
                        k = j + 1
                        while k < j + 4 and k < n and text[k] in "01234567":
                            k += 1
                        buf.append(int(text[j + 1:k], 8) & 0xFF)
                        j = k
                    elif e == "x" and text[j + 2:j + 3] and text[j + 2] in "0123456789abcdefABCDEF":
                        k = j + 2
                        while k < n and text[k] in "0123456789abcdefABCDEF":
                            k += 1
                        buf.append(int(text[j + 2:k], 16) & 0xFF)
                        j = k
                    else:
                        raise _PoError(f"invalid control sequence '\\{e}' (column {j - line_start + 2})", line,
                                       'write \\\\ for a backslash, \\" for a quote, \\n for a line break')
                    run = j
                    continue
                j += 1
            toks.append(_Tok("str", bytes(buf), start_line, col, obsolete, previous))
            i = j
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] in "_[]"):
                j += 1
            toks.append(_Tok("kw", text[i:j], line, col, obsolete, previous))
            i = j
            continue
        what = "a byte order mark (save the file as UTF-8 without BOM)" if ch == "\ufeff" else repr(ch)
        raise _PoError(f"syntax error at column {col}: {what} cannot start a keyword, a string or a comment",
                       line, "every line is a comment (#...), a keyword (msgctxt, msgid, msgstr) or a \"string\"")
    return toks


def _parse_tokens(toks: list[_Tok], encoding: str) -> list[PoEntry]:
    def decode(t: _Tok) -> str:
        try:
            return t.value.decode(encoding)
        except UnicodeDecodeError:
            raise _PoError(f"invalid multibyte sequence in a string: it is not {encoding}", t.line,
                           "save the file in the charset its Content-Type header names") from None

    entries: list[PoEntry] = []
    comments: list[_Tok] = []
    i, n = 0, len(toks)

    def strings(k: int, previous: bool, obsolete: bool) -> tuple[str, int, list[tuple[int, str]]]:
        parts = []
        while k < n and toks[k].kind == "str" and toks[k].previous == previous:
            if toks[k].obsolete != obsolete:
                raise _PoError("inconsistent use of #~: an entry is partly obsolete", toks[k].line)
            parts.append((toks[k].line, decode(toks[k])))
            k += 1
        return "".join(p for _l, p in parts), k, parts

    while i < n:
        t = toks[i]
        if t.kind == "comment":
            comments.append(t)
            i += 1
            continue
        if t.kind == "str":
            raise _PoError("syntax error: a string without a keyword (msgid, msgstr) before it", t.line,
                           "a continued string goes on the lines right after its keyword, with no comment between")
        obsolete = t.obsolete
        first_line = t.line
        prev: dict[str, str] = {}
        while i < n and toks[i].kind == "kw" and toks[i].previous:
            kw = toks[i]
            if kw.value not in ("msgctxt", "msgid", "msgid_plural"):
                raise _PoError(f'keyword "{kw.value}" unknown in a "#|" line', kw.line,
                               '"#|" lines give only the previous msgctxt and msgid')
            if kw.obsolete != obsolete:
                raise _PoError("inconsistent use of #~: an entry is partly obsolete", kw.line)
            value, j, parts = strings(i + 1, True, obsolete)
            if not parts or kw.value in prev:
                raise _PoError(f"syntax error after '#| {kw.value}'", kw.line)
            prev[kw.value] = value
            i = j
        if prev and "msgid" not in prev:
            raise _PoError("syntax error: '#| msgctxt' needs a '#| msgid' line after it", first_line,
                           "give the previous English as #| msgid \"...\", or remove the #| lines")
        fields: dict[str, tuple[str, int, list]] = {}

        def take(name: str) -> bool:
            nonlocal i
            if i >= n or toks[i].kind != "kw" or toks[i].previous:
                return False
            kw = toks[i]
            if kw.obsolete != obsolete:
                raise _PoError("inconsistent use of #~: an entry is partly obsolete", kw.line)
            if kw.value == "domain":
                raise _PoError("'domain' directives are not allowed: one file holds one language's strings",
                               kw.line, "remove the domain line")
            if kw.value == "msgid_plural" or kw.value.startswith("msgstr["):
                raise _PoError(f"plural forms ({kw.value}) are not used: every leaflet string is one text",
                               kw.line, "export the language again and translate each msgid with one msgstr")
            if kw.value not in _KEYWORDS:
                raise _PoError(f'keyword "{kw.value}" unknown', kw.line,
                               "the keywords are msgctxt, msgid and msgstr")
            if kw.value != name:
                return False
            value, j, parts = strings(i + 1, False, obsolete)
            if not parts:
                raise _PoError(f"syntax error: '{name}' needs a \"string\" after it", kw.line)
            fields[name] = (value, kw.line, parts)
            i = j
            return True

        take("msgctxt")
        if not take("msgid"):
            where = toks[i] if i < n else toks[-1]
            if where.kind == "kw" and where.value == "msgstr":
                message = "syntax error: msgstr without a msgid before it"
            elif where.kind == "kw" and where.value == "msgctxt":
                message = "syntax error: two msgctxt in one entry"
            else:
                message = "syntax error: an entry needs a msgid here"
            raise _PoError(message, where.line,
                           'each entry is [msgctxt "key"] msgid "English" msgstr "translation"')
        if not take("msgstr"):
            raise _PoError("missing 'msgstr' section", fields["msgid"][1],
                           'every msgid needs a msgstr after it (msgstr "" while it is not translated)')
        flags: list[str] = []
        tcomment: list[str] = []
        for c in comments:
            body = c.value
            if body.startswith("#,"):
                flags += [f.strip() for f in body[2:].split(",") if f.strip()]
            elif body[1:2] in (".", ":"):
                continue
            else:
                tcomment.append(body[2:] if body[1:2] == " " else body[1:])
        comments = []
        entries.append(PoEntry(
            msgctxt=fields["msgctxt"][0] if "msgctxt" in fields else None, msgid=fields["msgid"][0],
            msgstr=fields["msgstr"][0], flags=flags, comment="\n".join(tcomment).strip() or None,
            previous_msgid=prev.get("msgid"), line=first_line, msgid_line=fields["msgid"][1],
            msgstr_line=fields["msgstr"][1], obsolete=obsolete, msgstr_parts=fields["msgstr"][2]))
    return entries


def _codec(name: str) -> str:
    """The Python codec for a PO charset that msgfmt's lexer reads byte by byte: UTF-8, or
    one whose multibyte characters never contain an ASCII byte (so never a quote or a
    backslash)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise _PoError(f"the header's charset '{name}' is not a known encoding", None,
                       "set Content-Type: text/plain; charset=UTF-8 and save the file as UTF-8") from None
    def one_char(seq: bytes) -> bool:
        try:
            return len(seq.decode(info.name)) == 1
        except UnicodeDecodeError:
            return False

    try:
        ascii_safe = info.name == "utf-8" or (
            all(bytes([b]).decode(info.name) == chr(b) for b in range(0x80))
            and not any(one_char(bytes([lead, trail])) for lead in range(0x80, 0x100) for trail in (0x22, 0x5C)))
    except UnicodeDecodeError:
        ascii_safe = False
    if not ascii_safe:
        raise _PoError(f"the charset '{name}' cannot be read safely (its characters may contain \\ or \")", None,
                       "convert the file: msgconv --to-code=UTF-8, and save it as UTF-8")
    return info.name


def _header_fields(entry: PoEntry) -> tuple[dict[str, str], dict[str, int]]:
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, part in entry.msgstr_parts:
        for row in part.split("\n"):
            if not row.strip():
                continue
            name, sep, value = row.partition(":")
            if not sep or not name.strip() or " " in name.strip():
                raise _PoError(f"the header line '{row[:60]}' is not 'Name: value'", line,
                               "each header line is a field name, a colon and its value, ending in \\n")
            name, value = name.strip(), value.strip()
            if name in fields and fields[name] != value:
                raise _PoError(f"the header gives {name} twice ('{fields[name]}' and '{value}')", line,
                               "keep one of them")
            fields[name] = value
            lines.setdefault(name, line)
    return fields, lines


_C_FORMAT = re.compile(r"%(?:(\d+)\$)?[-+ #0'I]*(?:\*(?:\d+\$)?|\d+)?(?:\.(?:\*(?:\d+\$)?|\d*))?"
                       r"(hh|h|ll|l|L|q|j|z|Z|t)?([diouxXeEfFgGaAcCsSpnm%])")
_PY_FORMAT = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
_C_TYPES = {**dict.fromkeys("di", "int"), **dict.fromkeys("ouxX", "unsigned"), **dict.fromkeys("eEfFgGaA", "float"),
            "c": "char", "C": "wchar", "s": "string", "S": "wstring", "p": "pointer", "n": "count", "m": "errno"}


def _directives(kind: str, s: str) -> list | None:
    """The format directives of ``s`` (None when it is not a valid format string)."""
    out = []
    if kind == "python-brace-format":
        for m in re.finditer(r"\{\{|\}\}|\{([^{}]*)\}|[{}]", s):
            if m.group() in ("{{", "}}"):
                continue
            if m.group(1) is None:
                return None
            out.append(re.split(r"[.\[!:]", m.group(1), maxsplit=1)[0])
        return sorted(out)
    pattern = _C_FORMAT if kind == "c-format" else _PY_FORMAT
    i = 0
    while True:
        i = s.find("%", i)
        if i < 0:
            break
        m = pattern.match(s, i)
        if not m:
            return None
        i = m.end()
        if m.group(m.lastindex) == "%" and m.end() - m.start() == 2:
            continue
        if kind == "c-format":
            out.append((int(m.group(1)) if m.group(1) else len(out) + 1, (m.group(2) or "") + _C_TYPES[m.group(3)]))
        else:
            out.append((m.group(1), m.group(2)) if m.group(1) is not None else (None, m.group(2)))
    if kind == "python-format" and any(k for k, _t in out):
        return sorted(out)
    return sorted(out) if kind == "c-format" else out


def _check_entry(e: PoEntry) -> None:
    """msgfmt --check's checks of one translated message."""
    if not e.msgstr or "fuzzy" in e.flags or e.obsolete or e.msgid == "":
        return
    for word, test in (("begin", str.startswith), ("end", str.endswith)):
        if test(e.msgid, "\n") != test(e.msgstr, "\n"):
            raise _PoError(f"'msgid' and 'msgstr' entries do not both {word} with '\\n'", e.msgstr_line,
                           "a line break at the start or end of the English belongs in the translation too")
    for flag in e.flags:
        if flag in ("c-format", "python-format", "python-brace-format"):
            want, got = _directives(flag, e.msgid), _directives(flag, e.msgstr)
            if want is None:
                raise _PoError(f"'msgid' is not a valid {flag} string, but the entry is marked {flag}", e.msgid_line)
            if got is None or got != want:
                raise _PoError(f"the format directives of 'msgstr' do not match those of 'msgid' ({flag})",
                               e.msgstr_line, "keep every %... or {...} of the English, as it is written there")


def read_po(path: Path, data: bytes) -> tuple[list[PoEntry], dict[str, str], dict[str, int]]:
    """The entries and header fields of a PO file, checked as msgfmt --check checks it.

    Raises ContentError (file, line, what, how to fix) when it is not valid."""
    if data.startswith(codecs.BOM_UTF8):
        raise _fail(path, "not a valid PO file: it starts with a byte order mark, which msgfmt refuses", 1,
                    "save the file as UTF-8 without BOM")
    try:
        try:
            entries = _parse_tokens(_lex(data.decode("latin-1"), "latin-1"), "latin-1")
            header = next((e for e in entries if e.msgid == "" and e.msgctxt is None and not e.obsolete), None)
            charset = "UTF-8"
            if header is not None:
                fields, _lines = _header_fields(header)
                m = re.search(r"charset=([^\s;]+)", fields.get("Content-Type", ""))
                if m and m.group(1) != "CHARSET":
                    charset = m.group(1)
            encoding = _codec(charset)
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
                col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
                raise _PoError(f"invalid multibyte sequence (column {col}): the file is not {charset}", line,
                               f"save the file as {charset}, or set the charset its bytes are in") from None
            entries = _parse_tokens(_lex(text, encoding), encoding)
        except _PoError as exc:
            raise _fail(path, f"not a valid PO file: {exc.message}", exc.line,
                        exc.hint or "open it in Poedit, or run msgfmt --check on it") from None
        seen: dict[tuple, int] = {}
        headers = []
        for e in entries:
            k = (e.msgctxt, e.msgid)
            if k in seen:
                what = f"msgctxt \"{e.msgctxt}\"" if e.msgctxt is not None else f"msgid \"{e.msgid[:40]}\""
                raise _PoError(f"duplicate message definition ({what})", e.msgid_line,
                               f"the first definition is on line {seen[k]}; keep one of them")
            seen[k] = e.msgid_line
            if e.msgid == "" and e.msgctxt is None and not e.obsolete:
                headers.append(e)
            else:
                _check_entry(e)
        if not headers:
            raise _PoError("the PO file header is missing (msgid \"\" with the Language and Content-Type fields)",
                           1, "export the language again with: leaflets translations export LANG")
        fields, lines = _header_fields(headers[0])
        for e in entries:
            for s in (e.msgctxt or "", e.msgid, e.msgstr):
                if "\x04" in s:
                    raise _PoError("context separator <EOT> (\\004) within string", e.line)
    except _PoError as exc:
        raise _fail(path, f"not a valid PO file: {exc.message}", exc.line,
                    exc.hint or "open it in Poedit, or run msgfmt --check on it") from None
    _msgfmt_check(path, data)
    return entries, fields, lines


def _msgfmt_check(path: Path, data: bytes) -> None:
    """A second opinion: gettext's msgfmt --check, when it is installed."""
    exe = shutil.which("msgfmt")
    if exe is None:
        return
    try:
        run = subprocess.run([exe, "--check", "-o", os.devnull, "-"], input=data, capture_output=True, timeout=60,
                             env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""})
    except (OSError, subprocess.SubprocessError):
        return
    if run.returncode == 0:
        return
    diags = []
    for row in run.stderr.decode("utf-8", "replace").splitlines():
        m = re.match(r"^<stdin>:(\d+)(?::\d+)?: (.*)$", row)
        if m and not m.group(2).startswith("warning:"):
            diags.append(Diagnostic(ERROR, f"not a valid PO file (msgfmt --check): {m.group(2)}", path,
                                    int(m.group(1)), "open it in Poedit, or run msgfmt --check on it"))
    if not diags:
        diags.append(Diagnostic(ERROR, "msgfmt --check refuses the file", path, None,
                                "run msgfmt --check on it to see why"))
    raise ContentError(diags)


def _parse_po(path: Path, data: bytes) -> Parsed:
    entries, fields, lines = read_po(path, data)
    incoming = []
    for e in entries:
        if e.obsolete or (e.msgid == "" and e.msgctxt is None):
            continue
        fuzzy = "fuzzy" in e.flags
        incoming.append(Incoming(e.msgctxt, e.msgid.strip(), e.msgstr.strip(), not fuzzy, "fuzzy" if fuzzy else "",
                                 e.comment, e.line, e.msgstr_line))
    done = {k: fields[po] for k, po, _x in TRANSLATION_FIELDS
            if fields.get(po) and fields[po] not in _PO_DEFAULTS}
    return Parsed(fields.get("Language", ""), "its Language header", lines.get("Language"), incoming, done)


# ------------------------------------------------------------------ XLIFF

_STATES = {"initial": 0, "translated": 1, "reviewed": 2, "final": 3}


@lru_cache(maxsize=1)
def _xliff_schema():
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "xliff_core_2.0.xsd"), parser))


def _doctype_at(data: bytes) -> int | None:
    """The line of a <!DOCTYPE in ``data`` (in any encoding an XML parser reads), or None."""
    for enc in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        at = data.find("<!DOCTYPE".encode(enc))
        if at >= 0:
            return data[:at].count("\n".encode(enc)) + 1
    return None


def _parse_xliff(path: Path, data: bytes) -> Parsed:
    from lxml import etree
    line = _doctype_at(data)
    if line is not None:
        # refused before parsing: no entity is ever expanded, no DTD ever fetched
        raise _fail(path, "XLIFF files with a DOCTYPE or entities are refused", line,
                    "remove the <!DOCTYPE ...> declaration; XLIFF 2.0 needs none")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _fail(path, f"not well-formed XML: {exc.msg}", exc.lineno or None,
                    "open it in an XML editor; every <tag> needs its </tag>, & is written &amp;") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        at = data.find(b"<!DOCTYPE")
        raise _fail(path, "XLIFF files with a DOCTYPE or entities are refused", data.count(b"\n", 0, at) + 1
                    if at >= 0 else 1, "remove the <!DOCTYPE ...> declaration; XLIFF 2.0 needs none")
    q = lambda tag: f"{{{XLIFF_NS}}}{tag}"  # noqa: E731
    if root.tag != q("xliff") or root.get("version") != "2.0":
        raise _fail(path, "not an XLIFF 2.0 file (the root must be <xliff version=\"2.0\"> in the namespace "
                          f"{XLIFF_NS})", root.sourceline,
                    "export it again with: leaflets translations export LANG --format xliff")
    schema = _xliff_schema()
    if not schema.validate(tree):
        errors = list(schema.error_log)
        raise ContentError([Diagnostic(ERROR, f"not valid XLIFF 2.0: {e.message}", path, e.line or None,
                                       "the file must follow the XLIFF 2.0 core schema") for e in errors[:10]])
    translation = {}
    files = root.findall(q("file"))
    for n in root.iterfind(f"{q('file')}/{q('notes')}/{q('note')}"):
        for k, _po, x in TRANSLATION_FIELDS:
            if n.get("category") == x and (n.text or "").strip():
                translation[k] = " ".join(n.text.split())
    entries = []
    for file in files:
        for unit in file.iter(q("unit")):
            key = unit.get("id")
            unotes = {n.get("category"): (n.text or "") for n in unit.iterfind(f"{q('notes')}/{q('note')}")}
            english, text, states, complete, tline = [], [], [], True, None
            for part in unit:
                if part.tag not in (q("segment"), q("ignorable")):
                    continue
                src, tgt = part.find(q("source")), part.find(q("target"))
                english.append(_inline_text(path, key, src))
                if tgt is None:
                    complete = complete and part.tag == q("ignorable")
                else:
                    text.append(_inline_text(path, key, tgt))
                    tline = tline or tgt.sourceline
                if part.tag == q("segment"):
                    states.append(part.get("state", "initial"))
            state = min(states, key=lambda s: _STATES.get(s, 0)) if states else "initial"
            ready = complete and _STATES.get(state, 0) >= 1
            entries.append(Incoming(key, "".join(english).strip(), "".join(text).strip() if complete else "",
                                    ready, f"state {state}", (unotes.get("translator") or "").strip() or None,
                                    unit.sourceline, tline))
    return Parsed(root.get("trgLang") or "", "its trgLang", root.sourceline, entries, translation,
                  root.get("srcLang"))


def _inline_text(path: Path, key: str, elem) -> str:
    """The text of a <source> or <target>: plain text, through <mrk> and <pc>."""
    q = lambda tag: f"{{{XLIFF_NS}}}{tag}"  # noqa: E731
    out = [elem.text or ""]
    for child in elem:
        if child.tag in (q("mrk"), q("pc")):
            out.append(_inline_text(path, key, child))
        elif child.tag == q("cp"):
            try:
                out.append(chr(int(child.get("hex") or "", 16)))
            except ValueError:
                raise _fail(path, f"unit '{key}': <cp hex=\"{child.get('hex')}\"> is not a code point",
                            child.sourceline) from None
        elif child.tag not in (q("sm"), q("em")):
            name = child.tag.split("}")[-1]
            raise _fail(path, f"unit '{key}': inline code <{name}> is not supported: leaflet strings are plain text",
                        child.sourceline, f"remove the <{name}> element and write its text out")
        out.append(child.tail or "")
    return "".join(out)


# ----------------------------------------------------------------- import

@dataclass
class ImportResult:
    target: Path
    notes: list[str]
    updated: list[str]
    unchanged: int
    fuzzy: list[tuple[str, int | None, str]]
    untranslated: int
    new_stale: list[str]
    cleared_stale: list[str]
    status_change: tuple[str, str] | None
    old_text: str
    new_text: str
    written: bool
    source_file: Path

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    def diff(self, root: Path | None = None) -> str:
        name = self.target
        if root is not None:
            try:
                name = self.target.resolve().relative_to(Path(root).resolve())
            except ValueError:
                pass
        return "".join(difflib.unified_diff(self.old_text.splitlines(keepends=True),
                                            self.new_text.splitlines(keepends=True),
                                            fromfile=f"a/{name}", tofile=f"b/{name}"))

    def report(self, root: Path | None = None, dry_run: bool = False) -> list[str]:
        out = [f"note: {n}" for n in self.notes]
        if self.fuzzy:
            out.append(f"not imported ({len(self.fuzzy)}), finish them in your editor (clear the fuzzy mark, "
                       "or set the segment to translated) and import again:")
            out += [f"  {key} ({self.source_file.name}:{line}, {why})" if line else f"  {key} ({why})"
                    for key, line, why in self.fuzzy]
        name = self.target.name
        out.append(f"{name}: updated {len(self.updated)}, unchanged {self.unchanged}, fuzzy-skipped "
                   f"{len(self.fuzzy)}, untranslated in the file {self.untranslated}, new stale marks "
                   f"{len(self.new_stale)}, stale marks cleared {len(self.cleared_stale)}")
        if self.updated:
            out.append(f"  updated: {', '.join(self.updated)}")
        if self.new_stale:
            out.append(f"  now stale (translated from older English): {', '.join(self.new_stale)}")
        if self.status_change:
            old, new = self.status_change
            why = "changed text must be reviewed again" if old == "reviewed" else "it now has translated text"
            out.append(f"review status: {old} -> {new} ({why})")
        if dry_run:
            out.append(self.diff(root) if self.changed else "no change to the language file")
            out.append("dry run: nothing was written")
        elif self.written:
            out.append(f"wrote {self.target}")
        else:
            out.append(f"{self.target} is unchanged")
        return out


def _did_you_mean(exc: TagError, project: Project) -> str:
    if exc.hint and exc.hint.startswith("did you mean"):
        return exc.hint
    others = [t for t in sorted(project.languages) if t != project.source.tag]
    return f"did you mean one of {', '.join(others)}?" if others else "the project has no translations yet"


def _new_tag(said: str) -> str:
    """The tag to start a language with that ``said`` names: fr_FR -> fr, pt_PT -> pt-PT."""
    tag = canonical(said)
    lang, script, region = maximize(tag)
    base = tag.split("-")[0]
    return base if maximize(base) == (lang, script, region) else tag


def _target_language(project: Project, path: Path, parsed: Parsed, lang: str | None) -> tuple[str, list[str]]:
    available = sorted(project.languages)
    notes: list[str] = []
    said = parsed.tag.strip()
    file_tag = None
    file_error = None
    if said:
        try:
            file_tag, note = resolve_tag(said, available)
            if note:
                notes.append(f"the file's language {note}")
        except TagError as exc:
            file_error = exc
    if lang is not None:
        try:
            tag, note = resolve_tag(lang, available)
        except TagError as exc:
            start = "" if tag_problem(_new_tag(lang)) else \
                f" To start a new language: leaflets new-language {_new_tag(lang)}"
            raise UsageError(f"--lang {lang}: {exc.message}; {_did_you_mean(exc, project)}{start}") from None
        if note:
            notes.append(f"--lang {note}")
        if said and file_tag != tag:
            hint = (f"did you mean --lang {file_tag}?" if file_tag else
                    f"did you mean to import a file translated into {tag}? This one says it is in '{said}'.")
            raise _fail(path, f"the file is in '{said}' ({parsed.tag_field}), but --lang says '{lang}'",
                        parsed.tag_line, f"{hint} If the file really is in {tag}, correct {parsed.tag_field}")
    elif file_error is not None:
        raise _fail(path, f"the file is in '{said}' ({parsed.tag_field}), which has no language file in "
                          "content/languages/", parsed.tag_line,
                    f"{_did_you_mean(file_error, project)} Then give --lang TAG. Import never creates a language"
                    + ("." if tag_problem(_new_tag(said)) else
                       f"; to start this one: leaflets new-language {_new_tag(said)}"))
    elif not said:
        raise _fail(path, "the file does not say which language it is in", parsed.tag_line,
                    "give --lang TAG, or set it in the file (PO: a 'Language:' header; XLIFF: trgLang on <xliff>)")
    else:
        tag = file_tag
    if tag == project.source.tag:
        raise _fail(path, f"{tag} is the source language: translations are not imported into it",
                    parsed.tag_line, f"edit content/languages/{tag}.yaml itself, or give --lang with the "
                                     "language the file translates into")
    if parsed.source_tag:
        try:
            resolve_tag(parsed.source_tag, [project.source.tag])
        except TagError:
            raise _fail(path, f"the file translates from '{parsed.source_tag}' (its srcLang), but the project's "
                              f"source language is {project.source.tag}", parsed.tag_line,
                        f"export the language again; its source must be {project.source.tag}") from None
    return tag, notes


# ISO 15924 codes that stand for several scripts written together
_SCRIPT_PARTS = {"Jpan": {"Hani", "Hira", "Kana"}, "Kore": {"Hang", "Hani"}, "Hans": {"Hani"}, "Hant": {"Hani"},
                 "Hrkt": {"Hira", "Kana"}}


def _foreign_script(text: str, script: str) -> str | None:
    """The script most of ``text``'s letters are written in when it is neither ``script`` (the language's)
    nor Latin (names, HELP), e.g. Thai text in the Japanese file; None when the text is the language's."""
    from fontTools import unicodedata as fu
    own = _SCRIPT_PARTS.get(script, {script}) | {"Latn", "Zyyy", "Zinh", "Zzzz"}
    counts: dict[str, int] = {}
    letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            sc = fu.script(ch)
            if sc not in own:
                counts[sc] = counts.get(sc, 0) + 1
    if not counts:
        return None
    sc, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if 2 * sum(counts.values()) <= letters:
        return None          # a word or a name of another script inside the language's own text
    return fu.script_name(sc, default=sc)


def _same_note(a: str | None, b: str | None) -> bool:
    norm = lambda s: "\n".join(line.strip() for line in (s or "").strip().splitlines())  # noqa: E731
    return norm(a) == norm(b)


def read_translation_file(path: Path) -> Parsed:
    from .atomic import read_regular_file
    try:
        data = read_regular_file(path, MAX_BYTES + 1)
    except OSError as exc:
        raise _fail(path, f"cannot read the file: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise _fail(path, f"the file is larger than {MAX_BYTES >> 20} MiB; a translation file is far smaller")
    head = data.lstrip()[:1]
    is_xml = path.suffix.lower() in (".xlf", ".xliff", ".xml") or head == b"<" or data.startswith(
        (b"\xef\xbb\xbf<", b"\xff\xfe<", b"\xfe\xff\x00<"))
    return (_parse_xliff if is_xml else _parse_po)(path, data)


def import_file(project: Project, path: Path, lang: str | None = None, dry_run: bool = False) -> ImportResult:
    """Merge the translations of ``path`` (PO or XLIFF 2.0) into their language file.

    Nothing is written when anything is wrong, or with ``dry_run``."""
    path = Path(path)
    parsed = read_translation_file(path)
    tag, notes = _target_language(project, path, parsed, lang)
    language = project.languages[tag]
    source = project.source
    target = language.path or project.root / "content" / "languages" / f"{tag}.yaml"

    diags = Diagnostics()
    seen: dict[str, int | None] = {}
    edits: list[StringEdit] = []
    updated: list[str] = []
    fuzzy: list[tuple[str, int | None, str]] = []
    unchanged = untranslated = 0
    merged = dict(language.strings)
    imported: dict[str, Text] = {}
    for inc in parsed.entries:
        if not inc.key:
            diags.error(f"the entry '{inc.english[:40]}' has no msgctxt: leaflets cannot tell which string it is",
                        path, inc.line, "export the language again; each entry's msgctxt is its key")
            continue
        if inc.key in seen:
            diags.error(f"the key '{inc.key}' appears twice", path, inc.line,
                        f"the first is on line {seen[inc.key]}" if seen[inc.key] else "keep one of them")
            continue
        seen[inc.key] = inc.line
        if inc.key not in source.strings:
            close = difflib.get_close_matches(inc.key, list(source.strings), n=1, cutoff=0.7)
            diags.error(f"unknown string key '{inc.key}' (not in {source.tag}.yaml)", path, inc.line,
                        f"did you mean '{close[0]}'?" if close else
                        f"the keys are those of {source.tag}.yaml; remove this entry")
            continue
        if not inc.text:
            untranslated += 1
            continue
        if not inc.english:
            diags.error(f"the entry for '{inc.key}' has no English (an empty msgid or <source>)", path, inc.line,
                        "export the language again: each entry's msgid is the English it translates")
            continue
        if not inc.ready:
            fuzzy.append((inc.key, inc.line, inc.why_not))
            continue
        old = language.strings.get(inc.key)
        note = inc.note if inc.note and not (old and _same_note(old.note, inc.note)) else None
        if old is not None and old.text == inc.text:
            # the same text: the translator confirms it for the English of this file
            src = inc.english if old.source is not None and old.source != inc.english else None
            if src is None and note is None:
                unchanged += 1
                continue
            edits.append(StringEdit(inc.key, None, src, note))
        else:
            edits.append(StringEdit(inc.key, inc.text, inc.english, note))
        updated.append(inc.key)
        e = edits[-1]
        merged[inc.key] = Text(inc.key, e.text if e.text is not None else old.text,
                               e.source if e.source is not None else (old.source if old else None),
                               e.note if e.note is not None else (old.note if old else None),
                               inc.text_line or inc.line)
        imported[inc.key] = merged[inc.key]
    for key, text in imported.items():
        foreign = _foreign_script(text.text, language.script)
        if foreign:
            diags.error(f"the text of '{key}' is written in {foreign}, but {tag} is written in {language.script}",
                        path, text.line, f"is this the translation of another language? Import it with --lang "
                                         f"of that language, or correct the file's language ({parsed.tag_field})")
    if diags.errors:
        raise ContentError(diags.errors)

    # the guard: what is imported passes the same checks as any language file, reported where it came from
    probe = replace(language, strings=imported, path=path)
    check_strings(probe, source, project.facts, diags)
    if diags.errors:
        raise ContentError(diags.errors)

    def stale(strings: dict[str, Text]) -> set[str]:
        return {k for k, t in strings.items() if k in source.strings and t.source is not None
                and t.source != source.strings[k].text}

    before, after = stale(language.strings), stale(merged)
    new_stale = [k for k in source.strings if k in after and (k not in before or k in imported)]
    cleared = [k for k in source.strings if k in before and k not in after]

    text_changed = any(e.text is not None or e.source is not None for e in edits)
    status = language.review_status
    new_status = status
    if text_changed and status == "reviewed":
        new_status = "draft"
    elif text_changed and status == "untranslated" and any(t.text for t in merged.values()):
        new_status = "draft"
    translation = parsed.translation if edits and parsed.translation else None

    try:
        old_text = target.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(target, f"cannot read the language file: {exc}") from None
    if edits or new_status != status:
        new_text, problems = None, []
        # the file as it was with only the changed lines new; failing that, as ruamel.yaml writes it
        for carry_over in (True, False):
            try:
                candidate = edit_language(old_text, edits, list(source.strings), carry_over=carry_over,
                                          status=new_status if new_status != status else None,
                                          translation=translation)
            except EditError as exc:
                raise _fail(target, f"cannot edit the language file: {exc}") from None
            ok, problems = _verify(target, candidate, merged, new_status, project)
            if ok:
                new_text = candidate
                break
        if new_text is None:
            if problems:
                raise ContentError(problems)
            raise LeafletsError(f"{target}: the edited language file would not hold the imported strings; "
                                "nothing was written")
    else:
        new_text = old_text
    written = False
    if not dry_run and new_text != old_text:
        write_bytes(target, new_text.encode("utf-8"))
        written = True
    return ImportResult(target, notes, updated, unchanged, fuzzy, untranslated, new_stale, cleared,
                        (status, new_status) if new_status != status else None, old_text, new_text, written, path)


def _verify(target: Path, text: str, merged: dict[str, Text], status: str,
            project: Project) -> tuple[bool, list[Diagnostic]]:
    """Whether the edited file loads, passes the checks of every language file and holds
    exactly the merged strings and status; and the problems found."""
    diags = Diagnostics()
    loaded = load_language(target, diags, text)
    if loaded is not None:
        check_strings(loaded, project.source, project.facts, diags)
    if diags.errors or loaded is None:
        return False, [Diagnostic(d.severity, d.message, target, d.line, d.hint) for d in diags.errors]
    got = {k: (t.text, t.source, (t.note or "").strip()) for k, t in loaded.strings.items()}
    want = {k: (t.text, t.source, (t.note or "").strip()) for k, t in merged.items()}
    return got == want and loaded.review_status == status, []
