"""Black-box helpers for the hub's time edges: stalls (SIGSTOP), clock steps (libfaketime), full
disks (tmpfs). Nothing here imports hallstack."""

from __future__ import annotations

import signal
import subprocess
import time
from contextlib import contextmanager

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
