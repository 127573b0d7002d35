"""The demo's live terminal line: what the hall did so far, from the hub's own events."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime


class Progress:
    """Counts events (deduplicated by the client) and prints one line every ``every_s``."""

    def __init__(self, cfg, clock, every_s: float = 2.0):
        self.cfg, self.clock, self.every_s = cfg, clock, every_s
        self.counts: Counter = Counter()
        self.scores: Counter = Counter()
        self.alerts: Counter = Counter()
        self.last_call = ""
        self._lock = threading.Lock()
        self._next = 0.0

    def on_event(self, kind: str, event: dict) -> None:
        with self._lock:
            self.counts[kind] += 1
            if kind == "rated":
                self.scores[event.get("score")] += 1
            elif kind == "alert":
                self.alerts[event.get("kind")] += 1
            elif kind == "called":
                self.last_call = f"{event.get('no')}→{event.get('window')}号"

    def line(self, state: dict, now: datetime) -> str:
        services = (state.get("queue") or {}).get("services", {})
        waiting = " ".join(f"{sid}:{s.get('waiting', 0)}" for sid, s in services.items())
        with self._lock:
            c, bad = self.counts, self.scores[1] + self.scores[2]
            return (f"{now:%H:%M} issued {c['issued']:>3}  called {c['called']:>3} "
                    f"({self.last_call:<9}) finished {c['finished']:>3}  no-show "
                    f"{c['skipped']:>2}  transferred {c['transferred']:>2}  rated "
                    f"{c['rated']:>3} (差评 {bad})  alerts {sum(self.alerts.values()):>2} | "
                    f"waiting {waiting}")

    def maybe_print(self, state: dict, now: datetime) -> None:
        if time.monotonic() >= self._next:
            self._next = time.monotonic() + self.every_s
            print(self.line(state, now), flush=True)
