"""Every script the fonts cover sets a leaflet: a language nobody has shipped yet builds.

For each stack of fonts/manifest.yaml, a language file is written for the language CLDR
gives that script (``und-<Script>``'s likely subtags), with words made of letters the
stack's first font has and that HarfBuzz assigns to one of that font's scripts, its
direction as CLDR gives it.  The leaflet must build in print and online, embed the
script's own font, and give the words back from the PDF's text."""

from __future__ import annotations

import random
import unicodedata

import pytest
import uharfbuzz as hb
import yaml

from helpers import page_text

DESIGN = "a4-leaflet"


def _library(root):
    from leaflets.text.fonts import FontLibrary
    return FontLibrary(root / "fonts", root / ".no-cache")


def _stacks(root) -> list[str]:
    return sorted(_library(root).stacks)


def _hb_script(ch: str) -> str:
    buf = hb.Buffer()
    buf.add_str(ch)
    buf.guess_segment_properties()
    return buf.script


def _tag(script: str) -> str:
    from babel.core import get_global
    subtags = get_global("likely_subtags")
    likely = subtags.get(f"und_{script}") or subtags["und"]
    return likely.split("_")[0]


def _words(face_path, scripts: set[str], seed: str) -> list[str]:
    from fontTools.ttLib import TTFont
    font = TTFont(face_path, lazy=True, fontNumber=0)
    letters = sorted(chr(cp) for cp in font.getBestCmap()
                     if unicodedata.category(chr(cp)) in ("Lo", "Lu", "Ll")
                     and not unicodedata.decomposition(chr(cp)).startswith("<")
                     and (_hb_script(chr(cp)) or "").title() in scripts)
    assert len(letters) >= 10, f"{face_path.name}: only {len(letters)} letters of {sorted(scripts)}"
    rng = random.Random(seed)
    return ["".join(rng.choice(letters) for _ in range(n)) for n in (4, 5, 3, 6)]


@pytest.fixture(scope="module")
def scripts_project(tmp_path_factory, root):
    """A copy of the content with one more language per stack (fonts linked)."""
    import shutil
    from babel import Locale
    dest = tmp_path_factory.mktemp("scripts") / "project"
    shutil.copytree(root / "content", dest / "content")
    (dest / "fonts").symlink_to(root / "fonts", target_is_directory=True)
    (dest / "icc").symlink_to(root / "icc", target_is_directory=True)
    lib = _library(root)
    english = (root / "content" / "languages" / "en.yaml").read_text(encoding="utf-8")
    shipped = {p.stem.split("-")[0] for p in (root / "content" / "languages").glob("*.yaml")}
    made = {}
    for script in sorted(lib.stacks):
        tag = _tag(script)
        if tag in shipped or tag in made.values():
            tag = f"{tag}-x-{script.lower()}"
        entry = lib.entries[(lib.stacks[script].families[0], "regular")]
        words = _words(root / "fonts" / entry.file, {s.title() for s in entry.scripts} - {"Zyyy"}, script)
        rtl = Locale.parse(tag.split("-")[0]).character_order == "right-to-left"
        doc = yaml.safe_load(english)
        doc["language"].update(tag=tag, name=f"Sample {script}", native_name=words[0], script=script,
                               direction="rtl" if rtl else "ltr",
                               review={"status": "draft", "note": "Letters of the script, not a translation."})
        doc["strings"]["headline"] = f"{words[0]} {words[1]}!"
        doc["strings"]["subheadline"] = f"{words[2]} {words[3]}."
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        (dest / "content" / "languages" / f"{tag}.yaml").write_text(text, encoding="utf-8")
        made[script] = tag
    return dest, made


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.parametrize("script", _stacks(__import__("pathlib").Path(__file__).resolve().parent.parent))
def test_a_language_in_every_script_the_fonts_cover_builds_and_extracts(scripts_project, font_cache, script):
    import pikepdf
    from leaflets.api import open_project
    dest, made = scripts_project
    tag = made[script]
    handle = open_project(dest, font_cache, languages=[tag], designs=[DESIGN])
    language = handle.project.languages[tag]
    lib = _library(dest)
    family = lib.entries[(lib.stacks[script].families[0], "regular")].postscript_name.split("-")[0]
    online = handle.render(DESIGN, tag, "online").data
    printed = handle.render(DESIGN, tag, "print").data
    with pikepdf.open(__import__("io").BytesIO(printed)) as pdf:
        names = {str(f.get("/BaseFont", "")) for f in pdf.pages[0].Resources.Font.values()}
    assert any(family in n for n in names), (script, sorted(names))
    got = _squash(page_text(online))
    for key in ("headline", "subheadline"):
        assert _squash(language.strings[key].text) in got, (script, key, language.strings[key].text, got[:200])
