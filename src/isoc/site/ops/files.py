"""Writing files into the data folder so that a full or read-only disk loses nothing.

Each file is written to a temporary name in its own directory and renamed over the old
one only when complete (a rename within a filesystem is atomic): a failed write leaves
the previous file as it was, and its temporary file is removed. The failure is raised as
:class:`DataFolderError`, which names the path and what the system said, so an import is
rejected (its transaction rolled back) with a message a person can act on.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path

# Errors that mean "the storage cannot take this write", not "the input is bad".
STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM}


class DataFolderError(OSError):
    """The data folder refused a write (full, read-only, over quota, not permitted)."""

    def __init__(self, path: Path, cause: BaseException):
        code = _errno_of(cause)
        reason = f"{os.strerror(code)} ({errno.errorcode.get(code, code)})" if code else str(cause)
        super().__init__(code or errno.EIO, f"cannot write {path}: {reason}")
        self.path = path

    def __str__(self) -> str:
        return self.strerror


def _errno_of(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    # pyarrow's IO errors are OSErrors without errno; the system's message is in the text.
    text = str(exc)
    for code in STORAGE_ERRNOS:
        if os.strerror(code) in text:
            return code
    return None


def is_storage_error(exc: BaseException) -> bool:
    return isinstance(exc, DataFolderError) or (isinstance(exc, OSError) and _errno_of(exc) in STORAGE_ERRNOS)


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """``write(tmp)`` then rename ``tmp`` over ``path``; on failure remove ``tmp``, keep ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise DataFolderError(path, exc) from exc
