"""PDF/X for the print edition, applied to the painter's bytes.

The painter (:mod:`leaflets.render.pdf`) writes a CMYK PDF with TrimBox,
BleedBox and every font embedded.  :func:`apply` turns it into

- **PDF/X-4** (the default): PDF 1.6, an OutputIntent ``/S /GTS_PDFX`` that
  embeds the output condition's ICC profile, XMP metadata stating
  ``pdfxid:GTS_PDFXVersion`` = ``PDF/X-4``, mirrored in the Info dictionary;
- **PDF/X-1a:2001**: PDF 1.3, Info ``GTS_PDFXVersion`` = ``PDF/X-1:2001`` and
  ``GTS_PDFXConformance`` = ``PDF/X-1a:2001``, an OutputIntent that names a
  registered condition (Japan Color 2001 Coated, ``JC200103``) without
  embedding a profile.

Both declare ``/Trapped /False`` and record, in Info and XMP, the fingerprint
of the campaign facts the leaflet was built from (:func:`facts_fingerprint`)
and the versions of the tools that made it (:func:`tool_versions`).  Nothing
comes from the clock: dates come from the campaign edition (or
``SOURCE_DATE_EPOCH``), identifiers from the content, so the same input gives
byte-identical files.

The profiles live in the project's ``icc/`` folder, listed with their sha256
and licence in ``icc/manifest.yaml`` (:class:`OutputConditions`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from ..errors import ContentError, Diagnostic, Diagnostics, ERROR, UsageError

LEVELS = ("x4", "x1a")
DEFAULT_LEVEL = "x4"
# The output condition each level uses unless one is asked for.
DEFAULT_CONDITION = {"x4": "japan-color-2011", "x1a": "japan-color-2001"}
PDF_VERSION = {"x4": "1.6", "x1a": "1.3"}
PDFX_VERSION = {"x4": "PDF/X-4", "x1a": "PDF/X-1:2001"}
PDFX_CONFORMANCE = {"x1a": "PDF/X-1a:2001"}
MARKS = ("japanese", "western")      # the print edition's trim marks (Japanese double marks by default)

# Custom keys of the Info dictionary, and the XMP namespace of the same facts.
INFO_FACTS = "/LeafletsFacts"
INFO_VERSIONS = "/LeafletsVersions"
LEAFLETS_NS = "urn:x-leaflets:xmp:1.0#"
FACTS_PREFIX = "sha256:"

# A fixed date when the campaign's edition names no year (reportlab's invariant date).
FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)


# ------------------------------------------------------------------ facts

def facts_canonical(facts) -> bytes:
    """The campaign facts a leaflet prints, as canonical JSON (sorted keys, no
    spaces, UTF-8): the hotline's display and dial forms, every other official
    number, every link's url and display form, the agencies in order."""
    value = {
        "v": 1,
        "hotline": {"display": facts.hotline_display, "dial": facts.hotline_dial},
        "numbers": {name: {"display": d, "dial": dial} for name, (d, dial) in sorted(facts.other_numbers.items())},
        "links": {name: {"url": link.url, "display": link.display} for name, link in sorted(facts.links.items())},
        "agencies": list(facts.agencies),
    }
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def facts_fingerprint(facts) -> str:
    """``sha256:<hex>`` of :func:`facts_canonical`: what a print file records
    and ``leaflets preflight`` compares with the project's facts."""
    return FACTS_PREFIX + hashlib.sha256(facts_canonical(facts)).hexdigest()


# ------------------------------------------------------------------ tools

def dist_version(name: str) -> str:
    """The installed version of the distribution ``name``, as ``importlib.metadata.version`` gives it
    ("unknown" when it is not installed).  The usual case, a ``<name>-<version>.dist-info`` folder in a
    folder of ``sys.path``, is read directly: importing importlib.metadata (and the e-mail parser it
    reads METADATA with) takes longer than a cold build's whole look-up; anything else is left to it."""
    import os
    import sys
    key = re.sub(r"[-_.]+", "_", name).lower()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found = [n for n in names if n.lower().endswith((".dist-info", ".egg-info", ".egg"))
                 and re.sub(r"[-_.]+", "_", n.partition("-")[0]).lower() == key]
        if not found:
            continue
        if len(found) == 1 and found[0].lower().endswith(".dist-info"):
            try:
                with open(os.path.join(entry or ".", found[0], "METADATA"), encoding="utf-8") as f:
                    for line in f:
                        if not line.strip():
                            break                   # the end of the headers
                        if line.startswith("Version:"):
                            return line[len("Version:"):].strip()
            except OSError:
                pass
        break                                       # leave what is not plain to importlib.metadata
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=1)
def tool_versions() -> tuple[tuple[str, str], ...]:
    """The versions that determine the bytes of a print file, in a fixed order."""
    import pikepdf
    import reportlab
    import uharfbuzz

    from .. import __version__

    dist = dist_version

    try:
        from icu4py._version import icu_version
    except ImportError:   # pragma: no cover - an icu4py without it
        icu_version = "unknown"
    return (("leaflets", __version__),
            ("HarfBuzz", f"{uharfbuzz.version_string()} (uharfbuzz {uharfbuzz.__version__})"),
            ("ICU", f"{icu_version} (icu4py {dist('icu4py')})"),
            ("reportlab", reportlab.Version),
            ("fonttools", dist("fonttools")),
            ("pikepdf", f"{pikepdf.__version__} (qpdf {pikepdf.__libqpdf_version__})"),
            ("pyphen", dist("pyphen")),
            ("budoux", dist("budoux")),
            ("zlib", zlib.ZLIB_RUNTIME_VERSION))


def versions_text(versions: tuple[tuple[str, str], ...]) -> str:
    return "; ".join(f"{name} {v}" for name, v in versions)


# ------------------------------------------------------------------ dates

def document_date(edition: str, source_date_epoch: str | None = None) -> datetime:
    """The date a print file states: ``SOURCE_DATE_EPOCH`` if given, else the
    first day of the campaign edition's year (``2026`` -> 2026-01-01, ``2026-04``
    -> 2026-04-01), else 2000-01-01.  Never the clock."""
    if source_date_epoch is not None and source_date_epoch.strip():
        try:
            return datetime.fromtimestamp(int(source_date_epoch.strip()), timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, "
                             f"not '{source_date_epoch}'") from None
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", edition or "")
    if m:
        try:
            return datetime(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1), tzinfo=timezone.utc)
        except ValueError:
            pass
    return FALLBACK_DATE


def _pdf_date(d: datetime) -> str:
    return d.strftime("D:%Y%m%d%H%M%S+00'00'")


def _xmp_date(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S+00:00")


# ------------------------------------------------------------------ profiles

@dataclass(frozen=True)
class OutputCondition:
    key: str                 # japan-color-2011, fogra39, japan-color-2001
    name: str
    identifier: str          # /OutputConditionIdentifier
    registry: str            # /RegistryName
    info: str
    profile: str | None      # file in icc/, or None: the condition is named, not embedded
    sha256: str | None
    license: str | None
    license_file: str | None
    line: int | None = None


_TEXT_KEYS = ("condition", "name", "identifier", "registry", "info")
_PROFILE_KEYS = ("profile", "sha256", "source", "license", "license_file")


class OutputConditions:
    """The output conditions of one project: ``icc/manifest.yaml`` and its profiles."""

    def __init__(self, icc_dir: Path | str, cache_dir: Path | str | None = None):
        self.icc_dir = Path(icc_dir)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None   # compressed profiles kept there
        self.manifest_path = self.icc_dir / "manifest.yaml"
        self.conditions: dict[str, OutputCondition] = {}
        self._profiles: dict[str, bytes] = {}
        self._compressed: dict[str, bytes] = {}
        self._inflated: dict[str, bool] = {}     # condition -> its compressed profile inflates to the committed one
        self._streams: dict[str, tuple] = {}     # condition -> (a PDF, its profile stream): see profile_stream
        self._load()

    def _load(self) -> None:
        from ..model.yamlsrc import YamlError, load_mapping

        path = self.manifest_path
        if not path.is_file():
            raise ContentError(Diagnostic(
                ERROR, "icc/manifest.yaml is missing: the print edition (PDF/X) needs the output-condition "
                       "profiles", path, hint="copy the icc/ folder (profiles, licences and manifest.yaml) of the "
                                              "leaflets repository into the project, next to fonts/"))
        try:
            src = load_mapping(path, what="icc/manifest.yaml")
        except YamlError as exc:
            raise ContentError(exc.diagnostic) from None
        diags = Diagnostics()
        rows = src.data.get("conditions")
        if not isinstance(rows, list) or not rows:
            diags.error("conditions must be a list of output conditions", path, src.line("conditions"),
                        "list each condition as '- condition: ...' with name, identifier, registry and info")
            rows = []
        for i, row in enumerate(rows):
            where = src.line("conditions", i)
            if not isinstance(row, dict):
                diags.error(f"output condition {i + 1} must be a mapping of keys to values", path, where)
                continue
            unknown = sorted(set(row) - set(_TEXT_KEYS) - set(_PROFILE_KEYS))
            if unknown:
                diags.error(f"output condition {i + 1}: unknown key(s) {', '.join(map(str, unknown))}", path, where,
                            f"keys: {', '.join(_TEXT_KEYS + _PROFILE_KEYS)}")
            bad = [k for k in _TEXT_KEYS if not isinstance(row.get(k), str) or not row.get(k)]
            if bad:
                diags.error(f"output condition {i + 1}: {', '.join(bad)} must be text", path, where)
                continue
            profile = row.get("profile")
            if profile is not None:
                missing = [k for k in _PROFILE_KEYS if not isinstance(row.get(k), str) or not row.get(k)]
                if missing:
                    diags.error(f"output condition '{row['condition']}': a profile needs {', '.join(missing)}",
                                path, where, "record the profile's sha256, source, licence and licence file")
                    continue
                for key in ("profile", "license_file"):
                    value = row[key]
                    if Path(value).is_absolute() or ".." in Path(value).parts or "/" in value or "\\" in value:
                        diags.error(f"output condition '{row['condition']}': {key} '{value}' must be a file name "
                                    "in icc/", path, src.line("conditions", i, key))
                if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"]):
                    diags.error(f"output condition '{row['condition']}': sha256 must be 64 hexadecimal digits",
                                path, src.line("conditions", i, "sha256"))
            key = row["condition"]
            if key in self.conditions:
                diags.error(f"output condition '{key}' is listed twice", path, where)
            self.conditions[key] = OutputCondition(key, row["name"], row["identifier"], row["registry"],
                                                   row["info"], profile, row.get("sha256"), row.get("license"),
                                                   row.get("license_file"), where)
        if diags.errors:
            raise ContentError(diags.errors)

    def get(self, key: str) -> OutputCondition:
        cond = self.conditions.get(key)
        if cond is None:
            import difflib
            close = difflib.get_close_matches(key, sorted(self.conditions), n=1, cutoff=0.6)
            raise UsageError(f"unknown output condition '{key}'" + (f"; did you mean '{close[0]}'?" if close else "")
                             + " (output conditions: "
                             f"{', '.join(sorted(self.conditions))}; listed in {self.manifest_path})")
        return cond

    def profile(self, cond: OutputCondition) -> bytes:
        """The profile's bytes, exactly as committed (checked against the manifest's sha256)."""
        if cond.profile is None:
            raise UsageError(f"the output condition '{cond.key}' has no profile that may be embedded")
        data = self._profiles.get(cond.key)
        if data is None:
            path = self.icc_dir / cond.profile
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ContentError(Diagnostic(ERROR, f"the ICC profile {cond.profile} cannot be read: "
                                                     f"{exc.strerror or exc}", self.manifest_path, cond.line,
                                              "icc/ must hold every profile its manifest lists")) from None
            if hashlib.sha256(data).hexdigest() != cond.sha256:
                raise ContentError(Diagnostic(ERROR, f"the ICC profile {cond.profile} does not match its sha256 "
                                                     "in icc/manifest.yaml", self.manifest_path, cond.line,
                                              "restore the committed profile: its licence forbids altering it"))
            problem = _icc_problem(data)
            if problem:
                raise ContentError(Diagnostic(ERROR, f"the ICC profile {cond.profile} {problem}",
                                              self.manifest_path, cond.line,
                                              "an OutputIntent needs a CMYK output ('prtr') profile"))
            self._profiles[cond.key] = data
        return data

    def compressed(self, cond: OutputCondition) -> bytes:
        """The profile Flate-compressed, once per process — and once for every process when there is a
        cache folder: the compressed bytes are kept there under the profile's sha256 and zlib's version
        (the same zlib gives the same bytes), with their own sha256 ahead of them to check them by."""
        data = self._compressed.get(cond.key)
        if data is None:
            raw = self.profile(cond)
            path = (self.cache_dir / "icc" / f"{cond.sha256}.zlib{zlib.ZLIB_RUNTIME_VERSION}-1"
                    if self.cache_dir is not None else None)
            try:
                kept = path.read_bytes() if path is not None else b""
            except OSError:
                kept = b""
            if len(kept) > 32 and hashlib.sha256(kept[32:]).digest() == kept[:32]:
                data = kept[32:]
            else:
                data = zlib.compress(raw, 1)
                if path is not None:
                    _keep(path, hashlib.sha256(data).digest() + data)
            self._compressed[cond.key] = data
        return data

    def profile_stream(self, cond: OutputCondition):
        """The compressed profile (:meth:`compressed`) as a stream (FlateDecode, /N 4) of a PDF of its own,
        made once per process: a print file that :func:`splice_stream` cannot take the profile into copies it
        from there, so that its bytes are handed to qpdf once, not for every file (the copy is written with the
        same bytes as a stream made in the file itself)."""
        kept = self._streams.get(cond.key)
        if kept is None:
            import pikepdf
            from pikepdf import Name
            holder = pikepdf.new()
            stream = pikepdf.Stream(holder, self.compressed(cond))
            stream.Filter = Name.FlateDecode
            stream.N = 4
            holder.Root.Profile = holder.make_indirect(stream)
            kept = self._streams[cond.key] = (holder, holder.Root.Profile)
        return kept[1]

    def checked_streams(self) -> tuple[bytes, ...]:
        """The compressed profiles of :meth:`compressed` so far, each inflated once in this process and found
        to be the committed profile (its sha256 as in icc/manifest.yaml): a stream with exactly these bytes
        (Flate, no parameters) decodes soundly, and a preflight need not decode it again."""
        out = []
        for cond in self.conditions.values():
            data = self._compressed.get(cond.key)
            if data is None:
                continue
            ok = self._inflated.get(cond.key)
            if ok is None:
                try:
                    ok = hashlib.sha256(zlib.decompress(data)).hexdigest() == cond.sha256
                except zlib.error:
                    ok = False
                self._inflated[cond.key] = ok
            if ok:
                out.append(data)
        return tuple(out)

    def verify(self) -> Diagnostics:
        """Every profile present, matching its sha256, with its licence file."""
        diags = Diagnostics()
        for cond in self.conditions.values():
            if cond.profile is None:
                continue
            try:
                self.profile(cond)
            except ContentError as exc:
                diags.extend(exc.diagnostics)
            if cond.license_file and not (self.icc_dir / cond.license_file).is_file():
                diags.error(f"the licence file {cond.license_file} of {cond.profile} is missing", self.manifest_path,
                            cond.line, "a profile is shipped only with its licence")
        return diags


def _keep(path: Path, data: bytes) -> None:
    """Write a cache file whole (a temporary file renamed), or not at all."""
    import os
    import tempfile
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)      # a cache that cannot be written is only slower


def _icc_problem(data: bytes) -> str | None:
    """What makes ``data`` unusable as a CMYK output intent, or None."""
    if len(data) < 132 or data[36:40] != b"acsp":
        return "is not an ICC profile"
    if data[12:16] != b"prtr":
        return f"is a '{data[12:16].decode('latin-1').strip()}' profile, not an output ('prtr') profile"
    if data[16:20] != b"CMYK":
        return f"describes {data[16:20].decode('latin-1').strip()} colour, not CMYK"
    return None


# ------------------------------------------------------------------ settings

@dataclass(frozen=True)
class PdfxSettings:
    """What the print edition is made as: ``level`` x4 or x1a, the output
    condition asked for (None: the design's, else the level's default), the
    date the files state and the trim marks (japanese or western)."""

    level: str = DEFAULT_LEVEL
    condition: str | None = None
    source_date_epoch: str | None = None     # the SOURCE_DATE_EPOCH convention; None: the campaign edition's date
    marks: str = "japanese"                  # the trim marks: japanese (double: trim and bleed) or western (single)
    sheets: bool = False                     # also impose each print file on its office and shop sheets

    def __post_init__(self):
        if self.level not in LEVELS:
            raise UsageError(f"unknown PDF/X level '{self.level}' (levels: {', '.join(LEVELS)})")
        if self.marks not in MARKS:
            raise UsageError(f"unknown trim marks '{self.marks}' (marks: {', '.join(MARKS)})")

    def resolve(self, conditions: OutputConditions, design_condition: str | None = None,
                design_path: Path | None = None) -> OutputCondition:
        """The output condition to use: the one asked for (``--output-condition``), else the design's
        (``design.output_condition`` of the file ``design_path``), else the level's default."""
        key = self.condition or design_condition or DEFAULT_CONDITION[self.level]
        from_design = not self.condition and bool(design_condition)
        if from_design and key not in conditions.conditions:
            raise ContentError(Diagnostic(
                ERROR, f"design.output_condition '{key}' is not an output condition of {conditions.manifest_path}",
                design_path, None, f"output conditions: {', '.join(sorted(conditions.conditions))}"))
        cond = conditions.get(key)
        if self.level == "x4" and cond.profile is None:
            usable = ", ".join(sorted(k for k, c in conditions.conditions.items() if c.profile))
            message = (f"PDF/X-4 embeds the output condition's ICC profile, and '{key}' has none that may be "
                       f"shipped (conditions with a profile: {usable})")
            if from_design:
                raise ContentError(Diagnostic(
                    ERROR, f"design.output_condition: {message}", design_path, None,
                    "build this design as PDF/X-1a (--pdfx x1a), which names the condition without embedding a "
                    "profile, or override it with --output-condition"))
            raise UsageError(message + "; or build PDF/X-1a (--pdfx x1a), which names the condition without "
                                       "embedding a profile")
        return cond


# ------------------------------------------------------------------ apply

def _uuid(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return "uuid:" + str(uuid.UUID(bytes=h.digest()[:16], version=4))


def _version_of(versions: tuple[tuple[str, str], ...], name: str) -> str:
    """The version of ``name`` in ``versions`` (its first word)."""
    v = dict(versions).get(name, "")
    return v.split(" ")[0] if v else "unknown"


def _text(obj) -> str:
    return "" if obj is None else str(obj)


XMP_NAMESPACES = (("dc", "http://purl.org/dc/elements/1.1/"), ("xmp", "http://ns.adobe.com/xap/1.0/"),
                  ("xmpMM", "http://ns.adobe.com/xap/1.0/mm/"), ("pdf", "http://ns.adobe.com/pdf/1.3/"),
                  ("pdfxid", "http://www.npes.org/pdfx/ns/id/"), ("pdfx", "http://ns.adobe.com/pdfx/1.3/"))


def xmp_wrap(properties: str, namespaces: tuple[tuple[str, str], ...] = ()) -> bytes:
    """An XMP packet (uncompressed, with padding for in-place edits) whose one ``rdf:Description`` holds
    ``properties`` (XML lines, already escaped), declaring :data:`XMP_NAMESPACES` and ``namespaces``.
    The print files and the imposed sheets both write their metadata through it."""
    ns = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in XMP_NAMESPACES + tuple(namespaces))
    body = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'<rdf:Description rdf:about=""{ns}>\n'
        "<dc:format>application/pdf</dc:format>\n"
        f"{properties}"
        "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n")
    padding = (" " * 99 + "\n") * 20
    return (body + padding + '<?xpacket end="w"?>').encode("utf-8")


def escape(text: str) -> str:
    """``text`` for XML character data: &, < and > escaped (as xml.sax.saxutils.escape does, without
    importing it: it brings urllib.request, http and ssl into every print build)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xmp_packet(*, level: str, title: str, author: str, subject: str, keywords: str, creator: str, producer: str,
               date: datetime, document_id: str, instance_id: str, fingerprint: str | None, versions: str) -> bytes:
    """The XMP metadata of a print file (an uncompressed packet with padding)."""
    d = _xmp_date(date)
    e = escape
    pdfx = (f"<pdfxid:GTS_PDFXVersion>{e(PDFX_VERSION[level])}</pdfxid:GTS_PDFXVersion>" if level == "x4" else
            f"<pdfx:GTS_PDFXVersion>{e(PDFX_VERSION[level])}</pdfx:GTS_PDFXVersion>"
            f"<pdfx:GTS_PDFXConformance>{e(PDFX_CONFORMANCE[level])}</pdfx:GTS_PDFXConformance>")
    facts = f"<leaflets:FactsSHA256>{e(fingerprint)}</leaflets:FactsSHA256>" if fingerprint else ""
    return xmp_wrap(
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(title)}</rdf:li></rdf:Alt></dc:title>\n'
        f"<dc:creator><rdf:Seq><rdf:li>{e(author)}</rdf:li></rdf:Seq></dc:creator>\n"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(subject)}</rdf:li></rdf:Alt></dc:description>\n'
        f"<xmp:CreateDate>{d}</xmp:CreateDate>\n"
        f"<xmp:ModifyDate>{d}</xmp:ModifyDate>\n"
        f"<xmp:MetadataDate>{d}</xmp:MetadataDate>\n"
        f"<xmp:CreatorTool>{e(creator)}</xmp:CreatorTool>\n"
        f"<pdf:Producer>{e(producer)}</pdf:Producer>\n"
        f"<pdf:Keywords>{e(keywords)}</pdf:Keywords>\n"
        "<pdf:Trapped>False</pdf:Trapped>\n"
        f"<xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>\n"
        f"<xmpMM:InstanceID>{instance_id}</xmpMM:InstanceID>\n"
        "<xmpMM:VersionID>1</xmpMM:VersionID>\n"
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>\n"
        f"{pdfx}\n"
        f"{facts}<leaflets:Versions>{e(versions)}</leaflets:Versions>\n",
        (("leaflets", LEAFLETS_NS),))


# Marked-content properties whose meaning PDF 1.3 does not define (/Lang: PDF 1.4, /ActualText in marked
# content: PDF 1.5).  PDF/X-1a:2001 files are PDF 1.3: they carry neither.
POST_13_PROPERTIES = ("/Lang", "/ActualText", "/Alt", "/E")


def _pdf13_only(pdf) -> None:
    """Drop from ``pdf`` what PDF 1.3 does not define: the catalog's /Lang, and the post-1.3 keys of every
    marked-content property list (a sequence left with none becomes ``/Tag BMC``; marked content itself is
    PDF 1.2).  Text then extracts through each font's /ToUnicode map, which PDF 1.3 has (the painter writes
    one for every subset)."""
    import pikepdf
    from pikepdf import Dictionary, Name, Operator

    if "/Lang" in pdf.Root:
        del pdf.Root["/Lang"]
    bdc, bmc = Operator("BDC"), Operator("BMC")
    seen: set[tuple[int, int]] = set()

    def clean(obj) -> None:
        ops = pikepdf.parse_content_stream(obj)
        changed = False
        out = []
        # an instruction left as it is stays as parsed (taking its operands apart is what costs most)
        for inst in ops:
            if inst.operator == bdc:
                operands = inst.operands
                if len(operands) == 2 and isinstance(operands[1], Dictionary):
                    props = operands[1]
                    drop = [k for k in POST_13_PROPERTIES if k in props]
                    if drop:
                        changed = True
                        kept = Dictionary({k: v for k, v in props.items() if k not in POST_13_PROPERTIES})
                        out.append(([operands[0], kept], bdc) if len(kept) else ([operands[0]], bmc))
                        continue
            out.append(inst)
        if changed:
            if isinstance(obj, pikepdf.Page):
                obj.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
            else:
                obj.write(pikepdf.unparse_content_stream(out))

    def forms(resources) -> None:
        xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
        if not isinstance(xobjects, Dictionary):
            return
        for _name, x in xobjects.items():
            if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == Name.Form and x.objgen not in seen:
                seen.add(x.objgen)
                clean(x)
                forms(x.get("/Resources"))

    for page in pdf.pages:
        clean(page)
        forms(page.obj.get("/Resources"))


def apply(data: bytes, level: str, condition: OutputCondition, conditions: OutputConditions, *,
          date: datetime, fingerprint: str | None = None,
          versions: tuple[tuple[str, str], ...] | None = None, document_key: str | None = None) -> bytes:
    """The painter's PDF ``data`` as PDF/X (``level`` x4 or x1a) for ``condition``.

    ``document_key`` names the document across rebuilds (the XMP DocumentID is
    derived from it; the InstanceID from the content itself)."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    if level not in LEVELS:
        raise UsageError(f"unknown PDF/X level '{level}' (levels: {', '.join(LEVELS)})")
    versions = tool_versions() if versions is None else versions
    vtext = versions_text(versions)
    pdf = pikepdf.open(io.BytesIO(data))
    with pdf:
        info = pdf.docinfo
        title, author = _text(info.get("/Title")), _text(info.get("/Author"))
        subject, keywords = _text(info.get("/Subject")), _text(info.get("/Keywords"))
        creator = _text(info.get("/Creator")) or "leaflets"
        producer = f"leaflets {_version_of(versions, 'leaflets')} with reportlab {_version_of(versions, 'reportlab')} " \
                   f"and pikepdf {_version_of(versions, 'pikepdf')}"

        intent = Dictionary(Type=Name.OutputIntent, S=Name("/GTS_PDFX"),
                            OutputConditionIdentifier=String(condition.identifier),
                            OutputCondition=String(condition.name), RegistryName=String(condition.registry),
                            Info=String(condition.info))
        profile = conditions.compressed(condition) if level == "x4" else None
        if profile is not None:
            # qpdf writes a small stand-in naming the profile by its sha256 (the file's ID is derived from
            # it); the profile's compressed bytes take its place after the save (see splice_stream)
            intent.DestOutputProfile = pdf.make_stream(zlib.compress(
                b"ICC profile, sha256 %s, %d bytes compressed" % (condition.sha256.encode("ascii"), len(profile))),
                Filter=Name.FlateDecode)
        pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
        if level == "x1a":
            _pdf13_only(pdf)

        stamp = _pdf_date(date)
        info.CreationDate = String(stamp)
        info.ModDate = String(stamp)
        info.Producer = String(producer)
        info.Trapped = Name("/False")
        info.GTS_PDFXVersion = String(PDFX_VERSION[level])
        if level in PDFX_CONFORMANCE:
            info.GTS_PDFXConformance = String(PDFX_CONFORMANCE[level])
        elif "/GTS_PDFXConformance" in info:
            del info["/GTS_PDFXConformance"]
        if fingerprint:
            info[INFO_FACTS] = String(fingerprint)
        info[INFO_VERSIONS] = String(vtext)

        key = document_key or f"{title}\n{keywords}"
        doc_id = _uuid("document", key, level, condition.key)
        instance_id = _uuid("instance", data, level, condition.key, fingerprint or "", vtext, stamp)
        xmp = xmp_packet(level=level, title=title, author=author, subject=subject, keywords=keywords,
                         creator=creator, producer=producer, date=date, document_id=doc_id,
                         instance_id=instance_id, fingerprint=fingerprint, versions=vtext)
        pdf.Root.Metadata = pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)

        compress = has_unfiltered_streams(pdf)
        out = io.BytesIO()
        pdf.save(out, force_version=PDF_VERSION[level], deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=compress)
        data = out.getvalue()
        if profile is None:
            return data
        spliced = splice_stream(data, ("/Root", "/OutputIntents", 0, "/DestOutputProfile"),
                                b"<< /Filter /FlateDecode /Length %d /N 4 >>" % len(profile), profile)
        if spliced is not None:
            return spliced
        # a file qpdf laid out in a way splice_stream does not read: the profile goes through qpdf
        intent = pdf.Root.OutputIntents[0]
        intent.DestOutputProfile = pdf.copy_foreign(conditions.profile_stream(condition))
        out = io.BytesIO()
        pdf.save(out, force_version=PDF_VERSION[level], deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=compress)
    return out.getvalue()


def has_unfiltered_streams(pdf) -> bool:
    """Whether a stream of ``pdf`` other than an XMP packet (which stays readable) is stored without a
    filter: only then is qpdf asked to compress streams when it saves, since it then decodes and compresses
    again every stream it can (reportlab's /Filter [/FlateDecode] included): milliseconds for each file."""
    import pikepdf
    return any(isinstance(o, pikepdf.Stream) and "/Filter" not in o and o.get("/Type") != pikepdf.Name.Metadata
               for o in pdf.objects)


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_SUBSECTION = re.compile(rb"(\d+) (\d+)[ \t]*\r?\n")


def splice_stream(data: bytes, path: tuple, head: bytes, raw: bytes) -> bytes | None:
    """``data`` (a PDF as qpdf writes it without object streams: one revision, a classic cross-reference
    table) with the indirect stream found at ``path`` from the trailer (keys and array indices) written
    as ``head`` (its dictionary, /Length included) and ``raw`` (its encoded bytes), every offset after it
    moved.  None when ``data`` is not laid out so: the caller then writes the stream another way.

    A stream of a megabyte or two (an ICC profile) costs qpdf several milliseconds each time it writes a
    file; spliced in, it is one copy."""
    import pikepdf
    tail = _STARTXREF.search(data, max(0, len(data) - 64))
    if tail is None:
        return None
    xref = int(tail.group(1))
    if data[xref:xref + 4] != b"xref" or data.count(b"startxref", 0, xref) or b"/Prev" in data[xref:]:
        return None
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            obj = pdf.trailer
            for step in path:
                obj = obj[step]
            if not isinstance(obj, pikepdf.Stream) or not obj.is_indirect or obj.objgen[1] != 0:
                return None
            num = obj.objgen[0]
    except (pikepdf.PdfError, KeyError, IndexError, TypeError, ValueError):
        return None
    # the table: subsections of "first count" and 20-byte entries
    pos = xref + 4
    while data[pos:pos + 1] in (b"\r", b"\n", b" "):
        pos += 1
    entries = {}                       # object number -> (where its entry is, its offset) for objects in use
    while True:
        sub = _SUBSECTION.match(data, pos)
        if sub is None:
            break
        first, count = int(sub.group(1)), int(sub.group(2))
        pos = sub.end()
        for i in range(count):
            entry = data[pos:pos + 20]
            if len(entry) != 20 or entry[10:11] != b" " or entry[16:17] != b" ":
                return None
            if entry[17:18] == b"n":
                entries[first + i] = (pos, int(entry[:10]))
            pos += 20
    if data[pos:pos + 7] != b"trailer" or num not in entries:
        return None
    start = entries[num][1]
    ends = [off for _where, off in entries.values() if off > start]
    end = min(ends) if ends else xref
    old = data[start:end]
    if not old.startswith(b"%d 0 obj" % num) or not old.rstrip().endswith(b"endobj") or old.count(b"endstream") != 1:
        return None
    new = b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (num, head, raw)
    delta = len(new) - len(old)
    out = bytearray(data[:start])
    out += new
    out += data[end:xref]
    table = bytearray(data[xref:tail.start()])
    for where, off in entries.values():
        if off > start:
            at = where - xref
            table[at:at + 10] = b"%010d" % (off + delta)
    out += table
    out += b"startxref\n%d\n%%%%EOF\n" % (xref + delta)
    return bytes(out)
