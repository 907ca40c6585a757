"""Files only the app's user may read, created once even when several workers start together."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def create_once(path: Path, content: str) -> bool:
    """Write ``content`` to ``path`` (mode 0600) unless it exists; True if this call created it.

    The file is written under a temporary name and hard-linked into place, so a second process
    starting at the same moment never sees it half-written and never overwrites it.
    """
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)


def make_sqlite_file_private(url: str) -> None:
    """Create a SQLite database file (mode 0600, in a 0700 folder) before SQLite does (0644).

    SQLite gives its -wal and -shm files the database file's own mode, so they follow. Files left
    readable to others by an earlier version are tightened. Other databases are left alone.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or parsed.database in (None, "", ":memory:")
        or parsed.database.startswith("file:")
    ):
        return
    path = Path(parsed.database)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        _tighten(file)


def _tighten(path: Path) -> None:
    try:
        mode = path.stat().st_mode
        if mode & 0o077 and path.stat().st_uid == os.getuid():
            os.chmod(path, mode & 0o700)
    except FileNotFoundError:
        pass
