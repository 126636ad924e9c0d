"""Atomic file writes: write in full to a hidden temporary file beside the target, then rename.

A reader never sees a half-written file, and an interrupted write leaves the previous file intact.
Temporary names start with a dot (``.name.tmp-XXXX.ext``) so that listings of the folder (such as
``scripts/update_checksums.py``) skip them, and they get ordinary permissions (0666 minus the
umask), like any other file the user writes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temporary_sibling(path: str | os.PathLike, suffix: str | None = None) -> Path:
    """Create an empty hidden temporary file in ``path``'s folder and return its path.

    ``suffix`` defaults to the target's own extension (Keras, for one, insists on ``.keras``).

    Example:
        >>> tmp = temporary_sibling("/tmp/demo/figure.png")
        >>> tmp.name.startswith(".figure.png.tmp-") and tmp.suffix == ".png"
        True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=path.suffix if suffix is None else suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    return Path(tmp)


def replace(tmp: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Flush ``tmp`` to disk and rename it over ``path`` (atomic on POSIX and Windows)."""
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    tmp = temporary_sibling(path)
    Path(tmp).write_bytes(data)
    return replace(tmp, path)
