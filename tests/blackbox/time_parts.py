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

from .outside import RawNode, wait_for


def all_stopped(pid: int) -> bool:
    """Every thread of ``pid`` is stopped (SIGSTOP takes effect asynchronously)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # a thread that just ended
        if stat.rsplit(")", 1)[1].split()[0] != "T":
            return False
    return True


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
        wait_for(lambda: all_stopped(proc.pid), what=f"process {proc.pid} to stop")
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


FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


class FakeClock:
    """The system clock of one process, stepped while it runs (libfaketime 0.9.10, Debian 12).

    ``@<UTC time>`` in the timestamp file, re-read at every clock read (FAKETIME_NO_CACHE=1):
    the process's wall clock is that time plus the time since it started. Only the wall clock:
    a faked monotonic clock would step too and hang timed waits (FAKETIME_DONT_FAKE_MONOTONIC=1).
    Under it time.sleep() fails with EINVAL (clock_nanosleep); select() and Event.wait() work.
    """

    def __init__(self, folder: Path, utc: str):
        self.file = folder / "faketime"
        self.set(utc)

    def set(self, utc: str) -> None:
        """``utc`` as 'YYYY-MM-DD hh:mm:ss'; written whole at once (rename)."""
        tmp = self.file.with_suffix(".new")
        tmp.write_text(f"@{utc}\n")
        tmp.replace(self.file)

    def env(self) -> dict[str, str]:
        return {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME_TIMESTAMP_FILE": str(self.file),
                "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "UTC"}


def on_wire(node: RawNode, topic: str) -> list[dict]:
    """Every payload ``node`` received on ``topic`` so far, in order (RawNode.events merges an
    alert's own ``kind`` over its topic's)."""
    seen = node.__dict__.setdefault("_on_wire", [])
    while not node.messages.empty():
        seen.append(node.messages.get_nowait())
    return [payload for t, payload, _ in seen if t == topic]
