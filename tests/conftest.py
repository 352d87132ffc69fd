import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("font-cache")


@pytest.fixture(scope="session")
def workspace(font_cache):
    from leaflets.build import Workspace
    return Workspace(ROOT, font_cache)


@pytest.fixture(scope="session")
def built(workspace, tmp_path_factory):
    """Every language's A4 leaflet, print and online, rendered in memory."""
    jobs = workspace.jobs(["a4-leaflet"], None, ["print", "online"])
    plan = workspace.plan(jobs)
    assert not plan.diagnostics.errors, [d.format() for d in plan.diagnostics.errors]
    return {(o.job.lang, o.edition): o.data for o in workspace.outputs(plan, tmp_path_factory.mktemp("out"))}


@pytest.fixture
def project_copy(tmp_path, root) -> Path:
    """A copy of the project's content (fonts and ICC profiles linked) that a test may break."""
    dest = tmp_path / "project"
    shutil.copytree(root / "content", dest / "content")
    (dest / "fonts").symlink_to(root / "fonts", target_is_directory=True)
    (dest / "icc").symlink_to(root / "icc", target_is_directory=True)
    return dest
