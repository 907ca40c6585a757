"""Files only the app's user may read, created once even when several workers start together."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def create_once(path: Path, content: str) -> bool:
    """Write ``content`` to ``path`` (mode 0600) unless it exists; True if this call created it.

    The file is written under a temporary name and hard-linked into place, so a second process
    starting at the same moment never sees it half-written and never overwrites it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
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
