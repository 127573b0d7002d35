"""The day's citizens as the log recorded them: when each arrived, for what, and how each of
their turns at a window went (served, a no-show, sent on to another service).

A turn (:class:`Stage`) runs from the window's call to its end (办结, 过号 or 转办), walking
and all: that is the time the window spends on it. The twin replays a recorded citizen's turns
as they went; turns the record lacks (a citizen closed out, or sent on and never served) are
drawn from the hall's measured distributions (twin.measure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from twin.log import LogEvent

SERVE, SKIP, TRANSFER = "serve", "skip", "transfer"


@dataclass(frozen=True)
class Stage:
    kind: str                     # serve | skip | transfer
    seconds: float                # call → end, at the window
    called_at: datetime | None = None
    window: int | None = None
    to_service: str | None = None
    to_window: int | None = None


@dataclass
class Citizen:
    index: int                    # arrival order: seeds this citizen's own draws
    ticket_id: str                # the recorded ticket
    arrives: datetime
    service: str
    priority: str | None = None
    walk_in: bool = False
    stages: list[Stage] = field(default_factory=list)
    leaves_after_s: float | None = None   # cancelled in the queue (取消排队) this long after
    _start: datetime | None = None
    _window: int | None = None


def _end(c: Citizen, at: datetime, kind: str, **extra) -> None:
    start = c._start or at
    c.stages.append(Stage(kind, max(0.0, (at - start).total_seconds()), c._start, c._window,
                          **extra))
    c._start = c._window = None


def citizens(events: list[LogEvent]) -> list[Citizen]:
    """The citizens of one day's events, in arrival order."""
    out: list[Citizen] = []
    by_id: dict[str, Citizen] = {}
    for at, kind, d in events:
        if kind == "issued":
            c = Citizen(len(out), d["ticket_id"], at, d["service"], d.get("priority"),
                        bool(d.get("walk_in")))
            if c.walk_in:  # served at once by the window that issued it
                c._start, c._window = at, d.get("window")
            out.append(c)
            by_id[c.ticket_id] = c
            continue
        c = by_id.get(d.get("ticket_id"))
        if c is None:
            continue
        if kind == "called" and c._start is None:  # a recall keeps the turn's start
            c._start, c._window = at, d["window"]
        elif kind == "held":
            c._start = c._window = None  # the window is free; the call-back starts a new turn
        elif kind == "skipped":
            _end(c, at, SKIP)
        elif kind == "transferred":
            _end(c, at, TRANSFER, to_service=d["service"], to_window=d.get("to_window"))
        elif kind == "finished":
            _end(c, at, SERVE)
        elif kind == "cancelled":
            c.leaves_after_s = (at - c.arrives).total_seconds()
    return out
