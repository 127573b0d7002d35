"""The one atomic file write of the deploy room (broker config, TLS, a node's card, first boot)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, mode: int, gid: int | None = None) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` with ``mode`` (and group ``gid``).

    A temp file in the same folder is written, synced and renamed into place, so a reader
    (Mosquitto on SIGHUP, a first boot after a pulled card) sees the old file or the new one,
    never half of one. The mode is set with chmod because O_CREAT's is filtered by the umask
    (a FAT card ignores it anyway).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if gid is not None:
            os.chown(tmp, 0, gid)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
