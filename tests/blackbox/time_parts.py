"""Black-box helpers for the hub's time edges: stalls (SIGSTOP), clock steps (libfaketime), full
disks (tmpfs). Nothing here imports hallstack."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from .outside import RawNode


def broker_has(node: RawNode, topic: str = "hall/bb/flush") -> None:
    """Return once the broker has handled everything ``node`` published before: a SUBACK comes
    after the packets sent before the SUBSCRIBE on the same connection."""
    node.subscribe(topic)


@contextmanager
def stopped(proc: subprocess.Popen, seconds: float):
    """The process is stopped (SIGSTOP) inside the block and for at least ``seconds`` in all;
    then continued. The wait is the stall being simulated, not a synchronisation."""
    proc.send_signal(signal.SIGSTOP)
    began = time.monotonic()
    try:
        yield
        left = seconds - (time.monotonic() - began)
        if left > 0:
            time.sleep(left)
    finally:
        proc.send_signal(signal.SIGCONT)


@contextmanager
def small_disk(folder: Path, size: str = "2m"):
    """A tmpfs of ``size`` mounted at ``folder`` (CI runs as root), unmounted afterwards."""
    folder.mkdir(mode=0o755)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", folder],
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", folder], check=False, capture_output=True)


def fill(folder: Path) -> Path:
    """Write a filler file until the file system says it is full; returns its path."""
    path = folder / "filler"
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return path


def watch(seconds: float, each) -> None:
    """Call ``each()`` about twice a second for ``seconds``: an observation window (what must
    hold over several hub ticks), not a synchronisation."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        each()
        time.sleep(0.5)
