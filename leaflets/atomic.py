"""Write files so that a failure never leaves a partial one behind.

:func:`write_bytes` writes one file through a temporary file beside it.
:class:`Staging` writes a set of files (a build) into a temporary folder inside
the output folder and moves them into place only when all are written, so an
interrupted or failed run leaves the previous output or the new one, never a
mix.  Problems writing are :class:`OutputError`: what went wrong, where, and
what to do about it.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from .errors import LeafletsError

STAGING_PREFIX = ".leaflets-staging-"


def read_regular_file(path: Path | str, limit: int = -1) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` of them, if given); OSError for anything else.
    Opened without blocking and judged by the open file itself, so a pipe, a device or a socket is refused
    rather than read (or waited on) for ever."""
    import stat
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a pipe, a device or a socket)", str(path))
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(limit)
    finally:
        os.close(fd)


class OutputError(LeafletsError, OSError):
    """A file or folder could not be written (still an :class:`OSError`)."""

    def __init__(self, message: str, hint: str | None = None, errno_: int | None = None,
                 filename: str | None = None):
        OSError.__init__(self, errno_ or 0, message, filename)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message + (f"\n    hint: {self.hint}" if self.hint else "")


def output_error(exc: OSError, path: Path | str, what: str = "write") -> OutputError:
    """An :class:`OSError` met while writing ``path`` as an error that says what to do."""
    if isinstance(exc, OutputError):
        return exc
    path = Path(exc.filename) if getattr(exc, "filename", None) else Path(path)
    code = exc.errno
    hints = {
        errno.ENOSPC: ("the disk is full", "free some space, or choose another output folder with --out"),
        errno.EDQUOT: ("the disk quota is used up", "free some space, or choose another output folder with --out"),
        errno.EROFS: ("the file system is read-only", "choose a writable output folder with --out"),
        errno.EACCES: ("permission denied", "choose a folder you may write to with --out, or change its permissions"),
        errno.EPERM: ("permission denied", "choose a folder you may write to with --out, or change its permissions"),
        errno.ENOTDIR: ("it is a file, not a folder",
                        "the output folder (and the folders in it) must be folders: choose another, or move that file"),
        errno.EEXIST: ("it is a file, not a folder",
                       "the output folder (and the folders in it) must be folders: choose another, or move that file"),
        errno.EISDIR: ("it is a folder, not a file", "name a file to write, or move that folder"),
        errno.ENAMETOOLONG: ("the name is too long", "choose a shorter output folder"),
    }
    reason, hint = hints.get(code, (exc.strerror or str(exc), "check the output folder"))
    return OutputError(f"cannot {what} {path}: {reason}", hint, code, str(path))


def _write_all(f, data: bytes) -> None:
    """Every write of file contents goes through here (one place to simulate a full disk)."""
    f.write(data)
    f.flush()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mkdirs(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the folders created, outermost first."""
    missing = []
    p = folder
    while not p.exists():
        if p.is_symlink():      # a dangling link: mkdir would fail on it anyway
            break
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    if p.exists() and not p.is_dir():   # name the file that is in the way, not the folder wanted
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(p))
    for p in reversed(missing):
        try:
            p.mkdir()
        except FileExistsError:
            if not p.is_dir():
                raise
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    return list(reversed(missing))


def _remove_empty(folders: list[Path]) -> None:
    for p in reversed(folders):
        try:
            p.rmdir()
        except OSError:
            break


def _refuse_special(path: Path) -> None:
    """Refuse to replace a device, a pipe or a socket with a file (the rename would succeed, as root even in /dev)."""
    import stat
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
        raise OutputError(f"cannot write {path}: it is a device, a pipe or a socket, not a file",
                          "name a regular file to write (a new one, or one that is a file already)",
                          errno.EINVAL, str(path))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    created: list[Path] = []
    tmp = None
    try:
        created = _mkdirs(path.parent)
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        _refuse_special(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            _write_all(f, data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except BaseException as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        _remove_empty(created)
        if isinstance(exc, OSError):
            raise output_error(exc, path) from None
        raise


def publish_bytes(path: Path, data: bytes, prefix: str) -> None:
    """Write ``data`` to ``path`` for good: through a temporary file named ``prefix``... in the same folder,
    flushed to the disk (fsync) before it replaces ``path`` in one rename.  The folder must exist; the
    caller syncs the folder (:func:`sync_folder`) once it has published what it meant to."""
    path = Path(path)
    tmp = None
    try:
        _refuse_special(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            _write_all(f, data)
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise output_error(exc, path) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (fsync of the folder; a no-op where folders cannot be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _DeferSigint:
    """Hold Ctrl-C back while files are moved into place (a handful of renames)."""

    def __enter__(self):
        self.caught = False
        self.old = None
        if threading.current_thread() is threading.main_thread():
            try:
                self.old = signal.signal(signal.SIGINT, self._handler)
            except (ValueError, OSError):   # not in the main interpreter
                self.old = None
        return self

    def _handler(self, signum, frame):
        self.caught = True

    def __exit__(self, *exc):
        # a Ctrl-C that came meanwhile is dropped: the moves are the run's last step
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class Staging:
    """Files written into ``root`` all at once, or not at all.

    ::

        with Staging(out_dir) as stage:
            stage.write(out_dir / "a" / "x.pdf", data)
            ...
        # here every file is in place; after an exception none is

    Files are written into a hidden folder inside ``root`` (so the final moves
    are renames on one file system) and moved into place when the block ends
    without an exception.  If a move fails, the files already moved are put
    back.  Leftovers of a run that was killed are removed the next time.
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.files: list[Path] = []
        self.tmp: Path | None = None
        self._created: list[Path] = []

    def __enter__(self) -> "Staging":
        try:
            self._created = _mkdirs(self.root)
            self._sweep()
            self.tmp = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.root))
        except OSError as exc:
            _remove_empty(self._created)
            raise output_error(exc, self.root, "write to") from None
        return self

    def _sweep(self) -> None:
        for p in self.root.glob(STAGING_PREFIX + "*"):
            try:
                pid = int(p.name[len(STAGING_PREFIX):].split("-")[0])
            except ValueError:
                continue
            if pid != os.getpid() and not _pid_alive(pid):
                shutil.rmtree(p, ignore_errors=True)

    def write(self, path: Path | str, data: bytes) -> None:
        path = Path(path)
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            raise ValueError(f"{path} is not inside {self.root}") from None
        if not rel.parts or ".." in rel.parts or rel.parts[0].startswith(STAGING_PREFIX):
            raise ValueError(f"cannot stage {path}")
        staged = self.tmp / rel
        try:
            staged.parent.mkdir(parents=True, exist_ok=True)
            with open(staged, "wb") as f:
                _write_all(f, data)
        except OSError as exc:
            raise output_error(exc, path) from None
        if path not in self.files:
            self.files.append(path)

    def __exit__(self, exc_type, exc, tb):
        committed = False
        try:
            if exc_type is None:
                self._commit()
                committed = True
        finally:
            if self.tmp is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
            if not committed:
                _remove_empty(self._created)
        return False

    def _commit(self) -> None:
        backup = self.tmp / ".previous"
        moved: list[tuple[Path, Path | None]] = []   # (target, where its previous version is)
        created: list[Path] = []
        with _DeferSigint():
            try:
                # every folder and every check first, so that nothing is moved if one cannot be
                for target in self.files:
                    created += _mkdirs(target.parent)
                    if target.is_dir() and not target.is_symlink():
                        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
                    if not os.access(target.parent, os.W_OK | os.X_OK):
                        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target.parent))
                for target in self.files:
                    rel = target.relative_to(self.root)
                    previous = None
                    if target.exists() or target.is_symlink():
                        previous = backup / rel
                        previous.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(target, previous)
                    moved.append((target, previous))
                    os.replace(self.tmp / rel, target)
            except BaseException as exc:
                # put back what was there: the previous output, as it was
                for target, previous in reversed(moved):
                    try:
                        if previous is not None:
                            os.replace(previous, target)
                        elif target.exists():
                            os.unlink(target)
                    except OSError:
                        pass
                _remove_empty(created)
                if isinstance(exc, OSError):
                    raise output_error(exc, exc.filename or self.root) from None
                raise
