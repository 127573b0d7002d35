"""The hall's queue as hall-web follows it from the hub's events, so a ticket page's 前面还有 N 人
comes from what hall-web already receives instead of a ``ticket.lookup`` per page per move.

It keeps the day's tickets with what orders them in the hub (``hub.engine.views.waiting_ahead``:
issue order, kept on a transfer, reset on a requeue; green-channel tickets first) and counts
the ones ahead exactly as the hub does. The hub stays the truth: every page open compares its
answer with the count here, and a service whose count differs is read again from the database
(``repair``) or, failing that, its pages ask the hub as before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LEAVE = ("called", "held", "skipped", "finished", "cancelled")


@dataclass
class Entry:
    service: str
    green: bool
    order: tuple[datetime, int]   # (order_at, issue serial): the hub's queue order
    waiting: bool = True


class QueueMirror:
    """Today's tickets by id, folded from events in seq order."""

    def __init__(self):
        self.tickets: dict[str, Entry] = {}
        self.serial = 0
        self.seq = 0           # the last event folded (events at or below it are old news)
        self.day: str | None = None

    def fold(self, kind: str, d: dict, at: str, seq: int | None = None) -> bool:
        """Take one event; whether it may have moved someone's place."""
        if isinstance(seq, int):
            if seq <= self.seq:
                return False
            self.seq = seq
        tid = d.get("ticket_id")
        if kind == "issued" and tid:
            if self.day != d.get("date"):  # a new hall day: yesterday's tickets are closed
                self.day = d.get("date")
                self.tickets = {k: e for k, e in self.tickets.items() if e.waiting}
            self.serial += 1
            self.tickets[tid] = Entry(d["service"], d.get("priority") is not None,
                                      (datetime.fromisoformat(at), self.serial),
                                      not d.get("walk_in"))
            return True
        e = self.tickets.get(tid) if tid else None
        if kind == "day_closed":
            for item in d.get("closed") or ():
                self.tickets.pop(item.get("ticket_id"), None)
            return True
        if e is None:
            return kind in LEAVE + ("transferred", "requeued", "moved")
        if kind in LEAVE:
            e.waiting = False
        elif kind == "transferred":
            e.service, e.waiting = d.get("service") or e.service, True
        elif kind == "requeued":
            e.waiting, e.order = True, (datetime.fromisoformat(at), e.order[1])
        elif kind == "moved":
            e.service = d.get("service") or e.service
        else:
            return False
        return True

    def ahead(self, tid: str) -> int | None:
        """Tickets that wait before ``tid`` (the hub's rule), or None if it is not waiting."""
        me = self.tickets.get(tid)
        if me is None or not me.waiting:
            return None
        n = 0
        for other_id, o in self.tickets.items():
            if other_id == tid or not o.waiting or o.service != me.service:
                continue
            if me.green and not o.green:
                continue
            if (o.green and not me.green) or o.order < me.order:
                n += 1
        return n

    def places(self) -> dict[str, int]:
        """Every waiting ticket's ``ahead`` at once: the hub's rule is the index in its
        service's queue sorted green first, then by order (one sort per service per pass,
        not one count per page)."""
        queues: dict[str, list[tuple[bool, tuple, str]]] = {}
        for tid, e in self.tickets.items():
            if e.waiting:
                queues.setdefault(e.service, []).append((not e.green, e.order, tid))
        out = {}
        for queue in queues.values():
            queue.sort()
            out.update((tid, i) for i, (_g, _o, tid) in enumerate(queue))
        return out
