"""Start a new language: a file with every key, the English beside each."""

from __future__ import annotations

from pathlib import Path

from .atomic import write_bytes
from .errors import ContentError, Diagnostic, ERROR, UsageError
from .model.load import language_tag_problem
from .model.schema import Language, Project, Text
from .model.write import language_yaml

# The usual script of a language (ISO 15924) and whether it runs right to left.
SCRIPTS = {
    "ja": "Jpan", "zh": "Hans", "ko": "Kore", "th": "Thai", "lo": "Laoo", "km": "Khmr", "my": "Mymr",
    "ne": "Deva", "hi": "Deva", "mr": "Deva", "bn": "Beng", "si": "Sinh", "ta": "Taml", "te": "Telu",
    "ru": "Cyrl", "uk": "Cyrl", "mn": "Cyrl", "bg": "Cyrl", "sr": "Cyrl", "kk": "Cyrl", "ky": "Cyrl",
    "ar": "Arab", "fa": "Arab", "ur": "Arab", "ps": "Arab", "he": "Hebr", "el": "Grek", "ka": "Geor",
    "am": "Ethi", "hy": "Armn",
}
RTL_SCRIPTS = {"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"}


def guess_script(tag: str) -> str:
    parts = tag.split("-")
    for p in parts[1:]:
        if len(p) == 4 and p.isalpha():
            return p.title()
    if parts[0] == "zh" and any(p in ("TW", "HK", "MO") for p in parts[1:]):
        return "Hant"
    return SCRIPTS.get(parts[0], "Latn")


def new_language(project: Project, tag: str, name: str | None = None, native_name: str | None = None,
                 script: str | None = None) -> Path:
    problem = language_tag_problem(tag)
    if problem:
        raise UsageError(problem)
    target = project.root / "content" / "languages" / f"{tag}.yaml"
    if target.exists() or tag in project.languages:
        raise ContentError(Diagnostic(ERROR, f"the language '{tag}' already exists", target,
                                      hint="edit that file, or export it with: leaflets translations export "
                                           f"{tag} --format po"))
    script = script or guess_script(tag)
    strings = {k: Text(k, "", t.text, None, None) for k, t in project.source.strings.items()}
    language = Language(tag=tag, name=name or tag, native_name=native_name or name or tag, script=script,
                        direction="rtl" if script in RTL_SCRIPTS else "ltr", review_status="untranslated",
                        review_note="New language: nothing is translated yet.", strings=strings)
    header = [f"# {name or tag}: UNTRANSLATED. Write each text; keep its source: the English it translates.",
              "# Check language.name, native_name and script (an ISO 15924 code).",
              "# Phone numbers and web addresses are not written here: the design takes them",
              "# from content/campaign.yaml."]
    write_bytes(target, language_yaml(language, list(project.source.strings), header).encode("utf-8"))
    return target
