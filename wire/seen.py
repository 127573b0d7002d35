"""Event de-duplication on the node side: the seqs delivered lately, per epoch (a hub database;
a new or restored one numbers from 1 again)."""

from __future__ import annotations

import heapq
import logging
import threading
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

SEEN_WINDOW = 4096
EPOCHS_KEPT = 4  # de-duplication windows of the last hub databases seen


@dataclass
class _Window:
    """The seqs of one epoch delivered lately: a set to look up, a heap to forget the oldest."""

    seqs: set[int] = field(default_factory=set)
    order: list[int] = field(default_factory=list)


class SeenEvents:
    """Which events a node delivered already; ``epoch`` is the last one that carried one."""

    def __init__(self, node_id: str):
        self.node_id = node_id
        self.epoch: str | None = None
        self._windows: dict[str | None, _Window] = {}
        self._lock = threading.Lock()

    def already_seen(self, epoch, seq: int) -> bool:
        """Whether ``seq`` of ``epoch`` was delivered already. A new epoch (the hub started on a
        new or restored database, numbering from 1 again) starts a fresh window instead of
        dropping every seq it already saw higher."""
        with self._lock:
            seen = self._window(epoch)
            if seq in seen.seqs:
                return True
            if len(seen.order) >= SEEN_WINDOW and seq < seen.order[0]:
                return True  # older than anything we still remember: long delivered
            seen.seqs.add(seq)
            heapq.heappush(seen.order, seq)
            if len(seen.order) > SEEN_WINDOW:
                seen.seqs.discard(heapq.heappop(seen.order))
            return False

    def note_epoch(self, epoch: str) -> None:
        """A retained state of ``epoch``: a new database's events start afresh."""
        with self._lock:
            self._window(epoch)

    def _window(self, epoch) -> _Window:
        """The de-duplication window of ``epoch`` (under the lock); notes a new epoch."""
        epoch = epoch if isinstance(epoch, str) else None  # a hub without epochs: one stream
        if epoch is not None and epoch != self.epoch:
            if self.epoch is not None:
                log.warning("%s: the hub's database changed (epoch %s -> %s): events are "
                            "numbered afresh", self.node_id, self.epoch, epoch)
            self.epoch = epoch
        seen = self._windows.pop(epoch, None) or _Window()
        self._windows[epoch] = seen  # the most recent last; the oldest windows are forgotten
        while len(self._windows) > EPOCHS_KEPT:
            del self._windows[next(iter(self._windows))]
        return seen
