"""Several window nodes in one ``hall-rater`` process (a Pi serving windows 3 and 4).

The first window's loop runs on the calling thread and feeds systemd's watchdog; every other
window's loop runs on a thread of its own. The watchdog hears "alive" only while every window's
loop goes round: a window whose loop hangs starves it, so systemd restarts the process
(``WatchdogSec=``), and a window whose loop dies stops the process with exit status 1
(``Restart=on-failure``). Otherwise one dead window would sit unnoticed beside a healthy one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from rater.node import RaterNode

log = logging.getLogger(__name__)

STALL_S = 5.0  # a loop goes round at least every 50 ms; WatchdogSec is 20 s


class WindowLoops:
    """Run window nodes until ``stop``; tell systemd they are alive only while all of them are."""

    def __init__(self, nodes: Sequence[RaterNode], notify: Callable[[str], object] | None = None,
                 stall_s: float = STALL_S):
        if not nodes:
            raise ValueError("no window nodes to run")
        self.nodes = list(nodes)
        self.notify = notify
        self.stall_s = stall_s
        self.died: list[int] = []  # windows whose loop raised
        self._stalled: frozenset[int] = frozenset()
        self._began = time.monotonic()

    def run(self, stop: threading.Event) -> int:
        """Run every window's loop; 0 once ``stop`` is set, 1 when a window's loop died."""
        self._began = time.monotonic()
        threads = [threading.Thread(target=self._run_other, args=(node, stop),
                                    name=f"window-{node.window}", daemon=True)
                   for node in self.nodes[1:]]
        try:
            for thread in threads:
                thread.start()
            self.nodes[0].run_forever(stop=stop, notify=self._notify if self.notify else None)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)
        return 1 if self.died else 0

    def stalled(self, now: float | None = None) -> list[int]:
        """The windows whose loop has not gone round for ``stall_s`` seconds."""
        now = time.monotonic() if now is None else now
        return [node.window for node in self.nodes
                if now - (node.loop_at if node.loop_at is not None else self._began)
                > self.stall_s]

    def _run_other(self, node: RaterNode, stop: threading.Event) -> None:
        try:
            node.run_forever(stop=stop)
        except Exception:  # noqa: BLE001 - the process must end, and say which window failed
            log.exception("window %s: its loop died; stopping hall-rater", node.window)
            self.died.append(node.window)
            stop.set()

    def _notify(self, message: str) -> None:
        if message == "WATCHDOG=1":
            stalled = frozenset(self.stalled())
            if stalled != self._stalled:
                self._stalled = stalled
                if stalled:
                    log.error("window(s) %s: loop stalled over %.1f s; not feeding the "
                              "watchdog", sorted(stalled), self.stall_s)
                else:
                    log.warning("every window's loop runs again")
            if stalled:
                return
        self.notify(message)
