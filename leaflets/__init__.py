"""leaflets: multilingual anti-human-trafficking leaflets, posters and hotline
cards from YAML content, as print-ready and online PDF and PNG."""

__version__ = "0.1.0"

from .build import Workspace  # noqa: E402
from .errors import ContentError, Diagnostic, LeafletsError  # noqa: E402

__all__ = ["ContentError", "Diagnostic", "LeafletsError", "Workspace", "__version__"]
