"""The demo's duty manager (值班主任): reads the hub's assist suggestions and, a few minutes of
hall time later, as a person at the console would, accepts them with ``window.assist`` (the op
behind the console's 同意协助 button, docs/assignment.md), under their own name, so the log
shows who accepted what. Suggestions the hub applied itself (``assist = "auto"``) need nobody.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from wire.contract import HubError

NAME = "值班主任"
#: hall seconds between a suggestion on the console and the manager's click: reading it,
#: checking the queue, a word with the clerk (minutes, not milliseconds)
DELAY_S = (120, 360)


@dataclass
class Suggestion:
    seen_at: datetime
    window: int
    service: str
    alert_seq: int | None
    accept_at: datetime | None = None
    answer: str = ""   # "accepted", or the hub's refusal code


class DutyManager:
    """Accepts each ``assist_suggested`` alert after a human delay through ``client`` (a node
    with role admin or web); :meth:`step` acts from the demo's loop, in hall time."""

    def __init__(self, client, clock, name: str = NAME, delay_s=DELAY_S, seed: int = 0):
        self.client, self.clock, self.name, self.delay_s = client, clock, name, delay_s
        self.rng = random.Random(seed)
        self.seen: list[Suggestion] = []
        self._lock = threading.Lock()
        self._due: list[Suggestion] = []
        client.on_event("alert", self.on_alert)

    def on_alert(self, _kind: str, alert: dict) -> None:
        """On the client's thread: note a suggestion the manager has to decide on."""
        if alert.get("kind") != "assist_suggested" or alert.get("auto"):
            return
        s = Suggestion(self.clock.now(), alert.get("window"), alert.get("service"),
                       alert.get("seq"))
        s.accept_at = s.seen_at + timedelta(seconds=self.rng.uniform(*self.delay_s))
        with self._lock:
            self.seen.append(s)
            self._due.append(s)

    def step(self, now: datetime) -> None:
        with self._lock:
            due = [s for s in self._due if s.accept_at <= now]
            self._due = [s for s in self._due if s.accept_at > now]
        for s in due:
            self.client.request_async(
                "window.assist", {"window": s.window, "service": s.service, "by": self.name},
                lambda _result, exc, s=s: self._answered(s, exc))

    def _answered(self, s: Suggestion, exc: Exception | None) -> None:
        # a refusal keeps its code (conflict: the window serves it already); no answer is
        # said as such, as the console's toast would
        if exc is None:
            s.answer = "accepted"
        else:
            s.answer = exc.code if isinstance(exc, HubError) else "unanswered"

    def summary(self) -> str:
        """One line per suggestion: when seen, when accepted, the hub's answer."""
        lines = [f"the duty manager ({self.name}): {len(self.seen)} assist suggestions, "
                 f"{sum(s.answer == 'accepted' for s in self.seen)} accepted"]
        for s in self.seen:
            lines.append(f"  {s.seen_at:%H:%M} window {s.window} +{s.service} → "
                         f"{s.accept_at:%H:%M} {s.answer or 'pending'}")
        return "\n".join(lines)
