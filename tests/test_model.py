"""Loading content: line numbers, validation, the facts as the only source of numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaflets.errors import Diagnostics
from leaflets.model.load import check_strings, language_tag_problem, load_language
from leaflets.model.yamlsrc import YamlError, load_yaml


def test_yaml_lines_are_kept(tmp_path):
    src = load_yaml(tmp_path / "x.yaml", "a:\n  b: 1\n  c:\n    - x\n    - y\n")
    assert src.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert src.line("a", "b") == 2
    assert src.line("a", "c", 1) == 5
    assert src.line("a", "zzz") == 1


def test_yaml_duplicate_keys_are_an_error(tmp_path):
    with pytest.raises(YamlError) as exc:
        load_yaml(tmp_path / "x.yaml", "a: 1\nb: 2\na: 3\n")
    assert exc.value.diagnostic.line == 3 and "twice" in exc.value.diagnostic.message


def test_yaml_is_loaded_safely(tmp_path):
    with pytest.raises(YamlError):
        load_yaml(tmp_path / "x.yaml", "a: !!python/object/apply:os.system ['echo hi']\n")


@pytest.mark.parametrize("tag", ["en", "th", "ja", "zh-Hans", "zh-Hant", "pt-BR", "sr-Latn-RS", "es-419"])
def test_valid_language_tags(tag):
    assert language_tag_problem(tag) is None


@pytest.mark.parametrize("tag", ["english", "pt_BR", "zh-hans-", "", "e", "123", "th-TH-"])
def test_invalid_language_tags(tag):
    assert language_tag_problem(tag)


def test_translations_may_not_change_numbers_or_addresses(workspace, tmp_path):
    project = workspace.project
    text = (Path(project.source.path).read_text(encoding="utf-8")
            .replace("Toll-free call. You do not have to give your name.",
                     "Call 0120-924-839 or ０１２０−９２４−８３９, or 03-1234-5678; see www.tokumei24.jp or evil.example.com"))
    diags = Diagnostics()
    lang = load_language(tmp_path / "en.yaml", diags, text)
    check_strings(lang, lang, project.facts, diags)
    messages = [d.message for d in diags.errors]
    assert len(messages) == 3, messages
    # the hotline in another width is the hotline written another way; the display form passes
    assert "'０１２０−９２４−８３９' is the campaign's hotline number written another way" in messages[0]
    assert "03-1234-5678" in messages[1] and "not one of the campaign's numbers" in messages[1]
    assert "evil.example.com" in messages[2]


def test_every_language_is_marked_with_its_review_status(workspace):
    for tag, language in workspace.project.languages.items():
        assert language.review_status in ("source", "draft", "reviewed", "untranslated")
        if tag != "en":
            # nobody has reviewed these drafts: they must not claim otherwise
            assert language.review_status == "draft", tag
            assert "DRAFT" in Path(language.path).read_text(encoding="utf-8").splitlines()[0]
