"""leaflets: multilingual anti-human-trafficking leaflets, posters and hotline
cards from YAML content, as print-ready and online PDF and PNG.

The library: :func:`open_project` gives a :class:`ProjectHandle` to select
designs, languages and editions, set strings in memory (checked as a language
file is), render to bytes, build into a folder and list the problems; see
:mod:`leaflets.api`."""

__version__ = "0.1.0"

from .build import Workspace  # noqa: E402
from .errors import ContentError, Diagnostic, LeafletsError, UsageError  # noqa: E402
from .api import Built, ProjectHandle, Rendered, check, open_project  # noqa: E402

__all__ = ["Built", "ContentError", "Diagnostic", "LeafletsError", "ProjectHandle", "Rendered", "UsageError",
           "Workspace", "__version__", "check", "open_project"]
