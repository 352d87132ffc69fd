"""Start a new language: a file with every key, the English beside each."""

from __future__ import annotations

from pathlib import Path

from .atomic import write_bytes
from .errors import ContentError, Diagnostic, ERROR, UsageError
from .model.load import language_tag_problem
from .model.schema import Language, Project, Text
from .model.write import language_yaml

def _subtags(tag: str) -> tuple[str, str | None, str | None]:
    """(language, script, region) of a BCP 47 tag."""
    parts = tag.replace("_", "-").split("-")
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    region = next((p.upper() for p in parts[1:] if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())),
                  None)
    return parts[0].lower(), script, region


def _cldr_locale(name: str):
    from babel.core import Locale, UnknownLocaleError
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return None


def guess_script(tag: str) -> str:
    """The script a language is usually written in (ISO 15924), from CLDR's likely subtags: the tag's own
    script subtag, else the likeliest for the language in its region, else for the language; Latn for a
    language CLDR does not know."""
    from babel.core import get_global
    lang, script, region = _subtags(tag)
    if script:
        return script
    likely = get_global("likely_subtags")
    for key in ([f"{lang}_{region}"] if region else []) + [lang]:
        full = likely.get(key)
        if full and len(full.split("_")) > 1 and len(full.split("_")[1]) == 4:
            return full.split("_")[1]
    return "Latn"


def script_is_rtl(script: str) -> bool:
    """Whether ``script`` runs right to left, as CLDR says of the likeliest locale written in it."""
    from babel.core import get_global
    full = get_global("likely_subtags").get(f"und_{script}")
    locale = _cldr_locale(full) if full else None
    return locale is not None and locale.character_order == "right-to-left"


def language_names(tag: str, script: str | None = None) -> tuple[str | None, str | None]:
    """The language's name in English and in itself, from CLDR (None where CLDR has none)."""
    lang, own_script, region = _subtags(tag)
    name = "_".join(x for x in (lang, own_script, region) if x)
    locale = _cldr_locale(name) or _cldr_locale(lang)
    if locale is None:
        return None, None
    english = locale.get_display_name("en")
    native = locale.get_display_name(locale)
    return english or None, native or None


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
    english, native = language_names(tag)
    name = name or english
    native_name = native_name or native
    strings = {k: Text(k, "", t.text, None, None) for k, t in project.source.strings.items()}
    language = Language(tag=tag, name=name or tag, native_name=native_name or name or tag, script=script,
                        direction="rtl" if script_is_rtl(script) else "ltr", review_status="untranslated",
                        review_note="New language: nothing is translated yet.", strings=strings)
    header = [f"# {name or tag}: UNTRANSLATED. Write each text; keep its source: the English it translates.",
              "# Check language.name, native_name and script (an ISO 15924 code).",
              "# Phone numbers and web addresses are not written here: the design takes them",
              "# from content/campaign.yaml."]
    write_bytes(target, language_yaml(language, list(project.source.strings), header).encode("utf-8"))
    return target
