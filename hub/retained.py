"""The hall's retained state on the broker (state/queue, state/board, state/window/N).

A retained state is the latest value: under load each key goes out at most every ``GAP_S`` (the
first change at once, later ones coalesced), so that a busy hall does not spend the hub on it.
Every payload carries the database's ``epoch`` (a node that sees a new one forgets the seqs it
has seen: the events of a new or restored database start from 1 again) and ``seq``, the last
event it reflects: a node that handled a later event first (the call board lights an LED on the
``called`` event's fast path) knows an older state when it comes after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from hub.engine import QueueEngine
from wire.contract import Topics, encode

GAP_S = 0.02
IDLE_S = 1.0  # what flush() answers when nothing waits to go out


class RetainedState:
    """Publishes the engine's views as retained messages, coalesced per key."""

    def __init__(self, engine: Callable[[], QueueEngine], topics: Topics, windows: Iterable[int],
                 epoch: str, publish: Callable[..., object], upto: int = 0):
        self._engine = engine  # a callable: the hub may replace its engine (rebuild)
        self.topics = topics
        self.keys = frozenset({"queue", "board"} | {f"window/{n}" for n in windows})
        self.epoch = epoch
        self.term: int | None = None  # a standby hall's lease term (hub.standby), when set
        self._publish = publish
        self._sent: dict[str, bytes] = {}  # the payloads last published, by key
        self._dirty: set[str] = set()  # keys changed and not published yet
        self._next: dict[str, float] = {}  # key -> monotonic time it may go out again
        self.upto = upto  # the last committed event's seq: what the engine's views reflect

    @property
    def pending(self) -> bool:
        return bool(self._dirty)

    def changed(self, keys: set[str], upto: int | None = None) -> None:
        """``keys`` changed with the events up to seq ``upto`` (committed)."""
        self._dirty |= keys & self.keys
        if upto is not None:
            self.upto = max(self.upto, upto)

    def flush(self, at: datetime) -> float:
        """Publish the changed keys whose gap has passed; seconds until the next is due."""
        now = time.monotonic()
        due = {k for k in self._dirty if self._next.get(k, 0.0) <= now}
        if due:
            self._dirty -= due
            self._send(due, at)
            for key in due:
                self._next[key] = now + GAP_S
        return min((self._next[k] - now for k in self._dirty), default=IDLE_S)

    def publish_all(self, at: datetime) -> None:
        """Every key, whatever the broker holds (after a (re)connect)."""
        self._dirty.clear()
        self._send(self.keys, at, force=True)

    def _send(self, keys, at: datetime, force: bool = False) -> None:
        engine = self._engine()
        for key in sorted(keys):
            if key == "queue":
                payload = engine.queue_state(at)
            elif key == "board":
                payload = engine.board_state()
            else:
                payload = engine.window_state(int(key.split("/")[1]))
            view = encode(payload)
            if not force and self._sent.get(key) == view:
                continue  # the broker already holds exactly this (whatever seq it said)
            self._sent[key] = view
            stamp = {"epoch": self.epoch, "seq": self.upto}
            if self.term is not None:
                stamp["term"] = self.term
            raw = encode({**payload, **stamp})
            self._publish(self.topics.state(key), raw, qos=1, retain=True)
