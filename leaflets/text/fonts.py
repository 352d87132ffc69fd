"""Fonts from the project's fonts/ folder only: the manifest, faces, stacks.

A :class:`FontLibrary` is created once per process for a fonts folder and
passed explicitly to whoever needs it; nothing here is global.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import uharfbuzz as hb

from ..errors import Diagnostic, Diagnostics, ERROR, FontError
from ..model.yamlsrc import Source, YamlError, load_mapping
from . import cff

WEIGHTS = ("regular", "bold")


@dataclass(frozen=True)
class FontEntry:
    family: str
    weight: str
    file: str
    index: int
    postscript_name: str
    version: str
    outlines: str
    scripts: tuple[str, ...]
    source: str
    license: str
    license_file: str
    sha256: str


@dataclass(frozen=True)
class Stack:
    script: str
    families: tuple[str, ...]
    line_height: float = 1.0


class FontFace:
    """One loaded face: HarfBuzz objects for shaping plus the bytes to embed."""

    def __init__(self, entry: FontEntry, data: "bytes | Callable[[], bytes]", name: str, index: int = 0,
                 derived: bool = False, blob: "hb.Blob | None" = None,
                 coverages: "dict[frozenset[int], frozenset[int]] | None" = None,
                 mapped: "Callable[[], object] | None" = None):
        self.entry = entry
        self._mapped = mapped            # the font file mapped read-only (see buffer), when it is one on disk
        self.family = entry.family
        self.weight = entry.weight
        # the font file's bytes, or what reads them when they are first needed (to embed or convert
        # the face): shaping reads the file through ``blob``, which HarfBuzz maps rather than reads
        self._data = data
        self.index = index
        self.name = name                 # unique PostScript name for the PDF
        self.derived = derived           # a converted subset of a CFF face
        # faces of one collection file (the CJK fonts) share one blob
        self.hb_face = hb.Face(blob if blob is not None else hb.Blob(self.data), index)
        self.hb_font = hb.Font(self.hb_face)
        self.upem = self.hb_face.upem
        unicodes = frozenset(self.hb_face.unicodes)
        if coverages is not None:
            # the faces of a collection, and the weights of a family, often cover the same characters:
            # they share one set (tens of thousands of code points for a CJK face)
            unicodes = coverages.setdefault(unicodes, unicodes)
        self.unicodes: frozenset[int] = unicodes
        ext = self.hb_font.get_font_extents("ltr")
        self.ascender = ext.ascender / self.upem
        self.descender = -ext.descender / self.upem   # positive
        self._advances: dict[int, int] = {}
        # a CFF face's glyphs converted to TrueType so far (glyph id -> glyph data), for its subsets
        self.converted: dict[int, bytes] = {}

    @property
    def data(self) -> bytes:
        if callable(self._data):
            self._data = self._data()
        return self._data

    def buffer(self):
        """The face's bytes as a read-only buffer (slicing and indexing as bytes do): the font file mapped
        into memory when the face is a file on disk, so that what reads it (the painter's subsetting) has
        only the pages it reads in memory, not a copy of the file; else :attr:`data`."""
        if self._mapped is not None:
            found = self._mapped()
            if found is not None:
                return found
        return self.data

    @property
    def embedded(self) -> "FontFace":
        """The face as a PDF embeds it (glyph ids as its shaping gives them: ``gid_map`` is None)."""
        return self

    gid_map: "dict[int, int] | None" = None

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.unicodes

    def advance(self, gid: int) -> int:
        a = self._advances.get(gid)
        if a is None:
            a = self._advances[gid] = self.hb_font.get_glyph_h_advance(gid)
        return a

    def __repr__(self) -> str:
        return f"<FontFace {self.name}>"


class SubsetFace(FontFace):
    """A CFF face's subset for the characters of one document's text.

    It shapes with the CFF face itself: the subset keeps every layout feature,
    so shaping gives the same glyphs, advances and positions, only numbered as
    in the full font.  Only a renderer that embeds the face converts it
    (:attr:`embedded`: the subset with TrueType outlines, from the cache when it
    is there) and numbers the glyphs it paints through :attr:`gid_map`; layout
    never waits for fontTools.
    """

    def __init__(self, base: FontFace, chars: frozenset[int], cache_dir: Path | None,
                 coverages: "dict[frozenset[int], frozenset[int]] | None" = None):
        entry = base.entry
        self.entry = entry
        self.family = entry.family
        self.weight = entry.weight
        self.base = base
        self.chars = chars
        self.index = 0
        self.name = cff.subset_name(entry.sha256, base.index, chars, entry.postscript_name)
        self.derived = True
        self.hb_face = base.hb_face
        self.hb_font = base.hb_font
        self.upem = base.upem
        if coverages is not None:
            chars = coverages.setdefault(chars, chars)
        self.unicodes = chars
        self.ascender = base.ascender
        self.descender = base.descender
        self._advances = base._advances          # the same glyph ids as the full face
        self._cache_dir = cache_dir
        self._embedded: FontFace | None = None
        self._lock = threading.Lock()

    @property
    def embedded(self) -> FontFace:
        if self._embedded is None:
            with self._lock:
                if self._embedded is None:
                    base = self.base
                    data, name, gids = cff.cached_subset(self._cache_dir, base.hb_face, self.entry.sha256,
                                                         base.index, self.chars, self.entry.postscript_name,
                                                         base.converted)
                    face = FontFace(self.entry, data, name, 0, derived=True)
                    self.gid_map = {gid: new for new, gid in enumerate(gids)}
                    self._embedded = face
        return self._embedded

    @property
    def data(self) -> bytes:
        return self.embedded.data

    def __repr__(self) -> str:
        return f"<SubsetFace {self.name}>"


# Characters that belong to whatever run surrounds them rather than starting a
# font run of their own.
def _is_neutral(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "MZ" or cat in ("Cf", "Cc") or ch in "\u200b\u200c\u200d\u2060\ufe0f\ufe0e"


_ENTRY_TEXT = ("family", "weight", "file", "postscript_name", "outlines", "source", "license", "license_file",
               "sha256")


def _manifest_entry(row, src: Source, i: int, diags: Diagnostics) -> FontEntry | None:
    """One font entry of the manifest, or None (with the reasons in ``diags``)."""
    path, where = src.path, src.line("fonts", i)
    hint = ("each font lists family, weight, file, postscript_name, version, outlines, scripts, source, license, "
            "license_file and sha256")
    if not isinstance(row, dict):
        diags.error(f"font entry {i + 1} must be a mapping of keys to values", path, where, hint)
        return None
    missing = [k for k in _ENTRY_TEXT + ("version", "scripts") if k not in row]
    if missing:
        diags.error(f"font entry {i + 1} is incomplete: {', '.join(missing)} missing", path, where, hint)
        return None
    ok = True
    for key in _ENTRY_TEXT:
        if not isinstance(row[key], str) or not row[key]:
            diags.error(f"font entry {i + 1}: {key} must be text", path, src.line("fonts", i, key), hint)
            ok = False
    for key in ("file", "license_file"):
        value = row[key]
        if isinstance(value, str) and (Path(value).is_absolute() or ".." in Path(value).parts or "\\" in value):
            diags.error(f"font entry {i + 1}: {key} '{value}' must be a path inside fonts/", path,
                        src.line("fonts", i, key), "write it relative to the fonts folder, with /")
            ok = False
    if isinstance(row["version"], (bool, dict, list)) or row["version"] is None:
        diags.error(f"font entry {i + 1}: version must be text or a number", path, src.line("fonts", i, "version"))
        ok = False
    index = row.get("index", 0)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 1000:
        diags.error(f"font entry {i + 1}: index must be a whole number (the face in a collection)", path,
                    src.line("fonts", i, "index"))
        ok = False
    scripts = row["scripts"]
    if not isinstance(scripts, list) or not all(isinstance(x, str) for x in scripts):
        diags.error(f"font entry {i + 1}: scripts must be a list of ISO 15924 codes", path,
                    src.line("fonts", i, "scripts"))
        ok = False
    if not ok:
        return None
    return FontEntry(family=row["family"], weight=row["weight"], file=row["file"], index=index,
                     postscript_name=row["postscript_name"], version=str(row["version"]), outlines=row["outlines"],
                     scripts=tuple(scripts), source=row["source"], license=row["license"],
                     license_file=row["license_file"], sha256=row["sha256"])


class FontLibrary:
    """The fonts of one project: manifest entries, stacks and loaded faces."""

    def __init__(self, fonts_dir: Path, cache_dir: Path | None = None):
        self.fonts_dir = Path(fonts_dir)
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.manifest_path = self.fonts_dir / "manifest.yaml"
        self.entries: dict[tuple[str, str], FontEntry] = {}
        self.stacks: dict[str, Stack] = {}
        self._faces: dict[tuple[str, str], FontFace] = {}
        self._derived: dict[tuple[str, str, frozenset], FontFace] = {}
        self._files: dict[str, bytes] = {}
        self._maps: dict[str, object] = {}      # file -> its mmap (None where it could not be mapped)
        self._blobs: dict[str, hb.Blob] = {}
        self._coverages: dict[frozenset[int], frozenset[int]] = {}
        self._lock = threading.Lock()
        self._load_manifest()

    # ------------------------------------------------------------- manifest
    def _load_manifest(self) -> None:
        path = self.manifest_path
        if not path.exists():
            raise FontError(Diagnostic(ERROR, "fonts/manifest.yaml is missing", path,
                                       hint="the fonts folder lists its fonts in manifest.yaml"))
        try:
            src = load_mapping(path, what="fonts/manifest.yaml")
        except YamlError as exc:
            raise FontError(exc.diagnostic) from None
        diags = Diagnostics()
        data = src.data
        rows = data.get("fonts") or []
        if not isinstance(rows, list):
            diags.error("fonts must be a list of font entries", path, src.line("fonts"))
            rows = []
        for i, row in enumerate(rows):
            entry = _manifest_entry(row, src, i, diags)
            if entry is None:
                continue
            if entry.weight not in WEIGHTS:
                diags.error(f"font '{entry.family}': weight must be one of {', '.join(WEIGHTS)}", path,
                            src.line("fonts", i, "weight"))
            if entry.outlines not in ("glyf", "cff"):
                diags.error(f"font '{entry.family}': outlines must be glyf or cff", path,
                            src.line("fonts", i, "outlines"))
            self.entries[(entry.family, entry.weight)] = entry
        stacks = data.get("stacks") or {}
        if not isinstance(stacks, dict):
            diags.error("stacks must be a mapping of script codes to stacks", path, src.line("stacks"))
            stacks = {}
        for script, row in stacks.items():
            where = src.line("stacks", script)
            if not isinstance(row, dict):
                diags.error(f"stack {script} must be a mapping with families (and line_height)", path, where)
                continue
            fams = row.get("families", [])
            if not isinstance(fams, list) or not all(isinstance(f, str) for f in fams):
                diags.error(f"stack {script}: families must be a list of family names", path,
                            src.line("stacks", script, "families"))
                continue
            for fam in fams:
                if (fam, "regular") not in self.entries:
                    diags.error(f"stack {script} names the family '{fam}', which no font entry provides", path,
                                where)
            lh = row.get("line_height", 1.0)
            if isinstance(lh, bool) or not isinstance(lh, (int, float)) or not 0.5 <= lh <= 3:
                diags.error(f"stack {script}: line_height must be a number from 0.5 to 3, not {lh!r}", path,
                            src.line("stacks", script, "line_height"))
                continue
            self.stacks[str(script)] = Stack(str(script), tuple(fams), float(lh))
        if diags.errors:
            raise FontError(diags.errors)

    def verify(self) -> Diagnostics:
        """Check every font file exists, matches its hash and has its licence."""
        diags = Diagnostics()
        for entry in self.entries.values():
            path = self.fonts_dir / entry.file
            if not path.exists():
                diags.error(f"font file {entry.file} ({entry.family} {entry.weight}) is missing", self.manifest_path)
                continue
            digest = hashlib.sha256(self._file(entry.file)).hexdigest()
            if digest != entry.sha256:
                diags.error(f"font file {entry.file} does not match its sha256 in the manifest", self.manifest_path,
                            hint="restore the committed file, or update sha256 (and version/source) if it was "
                                 "replaced on purpose")
            if not (self.fonts_dir / entry.license_file).exists():
                diags.error(f"the licence file {entry.license_file} of {entry.family} is missing",
                            self.manifest_path)
        return diags

    # ---------------------------------------------------------------- faces
    def _file(self, rel: str) -> bytes:
        data = self._files.get(rel)
        if data is None:
            path = self.fonts_dir / rel
            try:
                data = self._files[rel] = path.read_bytes()
            except OSError:
                raise FontError(Diagnostic(ERROR, f"font file {rel} is missing", self.manifest_path,
                                           hint="fonts/ must hold every file the manifest lists")) from None
        return data

    def _map(self, rel: str):
        """The font file ``rel`` mapped read-only (an mmap, kept open while the library lives), or None where
        it cannot be mapped (the caller then reads it)."""
        m = self._maps.get(rel)
        if m is None and rel not in self._maps:
            import mmap
            try:
                with open(self.fonts_dir / rel, "rb") as f:
                    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                m = None
            with self._lock:
                m = self._maps.setdefault(rel, m)
        return m

    def face(self, family: str, weight: str = "regular") -> FontFace:
        """The face of ``family`` in ``weight`` (regular when there is no such weight)."""
        key = (family, weight)
        face = self._faces.get(key)
        if face is not None:
            return face
        with self._lock:
            entry = self.entries.get(key) or self.entries.get((family, "regular"))
            if entry is None:
                raise FontError(Diagnostic(ERROR, f"no font of the family '{family}' in fonts/manifest.yaml",
                                           self.manifest_path))
            blob = self._blobs.get(entry.file)
            if blob is None:
                path = self.fonts_dir / entry.file
                if not path.is_file():
                    self._file(entry.file)          # the error a missing file gives
                # HarfBuzz maps the file: a face reads only the tables shaping needs (a CJK
                # collection is 20 MB); its bytes are read when the face is embedded or converted
                blob = self._blobs[entry.file] = hb.Blob.from_file_path(str(path))
            face = FontFace(entry, functools.partial(self._file, entry.file), entry.postscript_name, entry.index,
                            blob=blob, coverages=self._coverages, mapped=functools.partial(self._map, entry.file))
            self._faces[key] = face
        return face

    def stack(self, script: str) -> Stack:
        stack = self.stacks.get(script)
        if stack is None:
            stack = self.stacks.get("Latn")
            if stack is None:
                raise FontError(Diagnostic(ERROR, f"no font stack for the script {script}", self.manifest_path))
        return stack

    def faces(self, script: str, weight: str, families: tuple[str, ...] | None = None) -> list[FontFace]:
        """The faces that set text of ``script``: its stack's families, or ``families`` when a style
        chooses its own for the script (see ``faces:`` in content/designs/shared/type.yaml)."""
        return [self.face(f, weight) for f in (families or self.stack(script).families)]

    def embeddable(self, face: FontFace, chars: frozenset[int]) -> FontFace:
        """A face that can be embedded for text using ``chars``.

        TrueType faces are returned as they are; a CFF face is replaced by its
        subset for exactly those characters (:class:`SubsetFace`), which shapes
        with the CFF face itself and is converted to TrueType outlines (cached
        on disk) only when it is embedded.
        """
        if face.entry.outlines != "cff" or face.derived:
            return face
        chars = frozenset(c for c in chars if c in face.unicodes)
        key = (face.family, face.weight, chars)
        derived = self._derived.get(key)
        if derived is None:
            with self._lock:
                derived = self._derived.get(key)
                if derived is None:
                    derived = self._derived[key] = SubsetFace(face, chars, self.cache_dir, self._coverages)
        return derived

    # ------------------------------------------------------------- coverage
    def missing(self, text: str, script: str, weight: str = "regular",
                families: tuple[str, ...] | None = None) -> list[str]:
        """Characters of ``text`` that no face of the script's stack (or of ``families``) covers."""
        faces = self.faces(script, weight, families)
        left = set(map(ord, text))
        for f in faces:
            left -= f.unicodes
            if not left:
                return []
        out = []
        for ch in dict.fromkeys(text):
            if ord(ch) not in left:
                continue
            if ch in "\n\t\u200b\u200c\u200d\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\u200e\u200f":
                continue
            if not any(f.covers(ch) for f in faces):
                out.append(ch)
        return out

    def itemise(self, text: str, faces: list[FontFace]) -> list[tuple[int, int, FontFace]]:
        """Split ``text`` into runs (start, end, face), each set in one face.

        Each character takes the first face of the stack that covers it; marks,
        spaces and joiners stay in the run around them when its face covers them.
        Characters that no face covers are given to the first face (they are
        reported before rendering and never reach a PDF).
        """
        if not text:
            return []
        used = set(map(ord, text))
        if used <= faces[0].unicodes:
            return [(0, len(text), faces[0])]
        runs: list[tuple[int, int, FontFace]] = []
        cur: FontFace | None = None
        start = 0
        for i, ch in enumerate(text):
            cp = ord(ch)
            if cur is not None and (_is_neutral(ch) or ch in "-‐.,:;'’") and cp in cur.unicodes:
                continue
            chosen = next((f for f in faces if cp in f.unicodes), faces[0])
            if cur is None:
                cur = chosen
            elif chosen is not cur:
                runs.append((start, i, cur))
                cur, start = chosen, i
        if cur is not None:
            runs.append((start, len(text), cur))
        return runs


def default_cache_dir() -> Path:
    import os
    base = os.environ.get("LEAFLETS_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "leaflets"
