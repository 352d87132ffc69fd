"""The content model: campaign facts, languages and designs, loaded from YAML."""

from .load import load_project
from .schema import Design, Facts, Language, Project, Text

__all__ = ["Design", "Facts", "Language", "Project", "Text", "load_project"]
