"""The engine's state and its one way to change: applying events.

Every function here is deterministic in (state, event, at): a fresh state that applies the same
events in order ends equal, which is how the hub rebuilds itself on restart. Decisions (numbers,
texts, counts, deadlines) are made before, in the ops, and carried in the event's data.
"""

from __future__ import annotations

from collections import deque
from datetime import date, datetime

from hub.engine import checkpoint
from hub.engine.bookstate import BookState
from hub.engine.calendar import parse_iso
from hub.engine.tokens import TokenIndex
from hub.engine.types import (
    CALLED,
    CLOSED,
    FINISHED,
    HELD,
    SERVING,
    SKIPPED,
    WAITING,
    Booking,
    Event,
    FollowUp,
    ServiceTimes,
    Ticket,
    WindowSlot,
)
from wire.config import HallConfig

BOARD_SIZE = 10
TICKET_EVENTS = ("called", "started", "held", "transferred", "skipped", "requeued", "finished",
                 "cancelled", "moved")
WINDOW_EVENTS = ("called", "started", "held", "transferred", "skipped", "finished", "window")
MIN_COUNTED_S = 10  # shorter services are mis-presses, kept out of the estimate's mean


class EngineState:
    """Everything the engine knows, built only by :meth:`apply`."""

    def __init__(self, cfg: HallConfig, id_key: bytes):
        self.cfg = cfg
        self.id_key = id_key  # read by the ops (hashing ID numbers), never changed
        self.tokens = TokenIndex(id_key)  # the ticket pages' tokens (a cache, not state)
        self.tickets: dict[str, Ticket] = {}
        self.windows = {n: WindowSlot(n) for n in cfg.windows}
        self.seq_day: date | None = None
        self.seq: dict[str, int] = {}           # prefix -> last number issued on seq_day
        self.serial = 0
        self.daily: dict[str, dict[str, int]] = {}  # hall date -> issued/finished counts
        self.board: deque[dict] = deque(maxlen=BOARD_SIZE)
        self.times = {s: ServiceTimes(float(v.service_s)) for s, v in cfg.services.items()}
        self.bookings: dict[str, Booking] = {}
        self.book = BookState()                 # 网上预约 (hub.engine.bookstate)
        self.follow_ups: dict[str, FollowUp] = {}
        self.unrated: dict[str, dict] = {}      # finished tickets a default rating may still bind
        self.last_close: dict[str, datetime] = {}  # hall date -> last day_closed time
        self.applied = 0                        # events applied; 0: a fresh engine
        # Tickets waiting now, in issue order: the hot paths (take, call, the queue state,
        # the wait alerts) read this instead of the whole day's tickets.
        self.waiting: dict[str, Ticket] = {}
        self.suggested: dict[str, datetime] = {}  # "window:service" -> last assist suggestion
        self.notice: str | None = None  # the boards' scrolling notice set by the manager

    # -- reading -------------------------------------------------------------------------
    def current(self, window: int) -> Ticket | None:
        tid = self.windows[window].current
        return None if tid is None else self.tickets.get(tid)

    def services_of(self, window: int) -> tuple[str, ...]:
        """What ``window`` serves now, in its preference order: the day's assignment (else the
        config's list), within what its counter allows and its clerk on post may serve."""
        w, cfg_w = self.windows[window], self.cfg.windows[window]
        base = w.assigned if w.assigned is not None else cfg_w.services
        staff = self.cfg.staff.get(w.staff) if w.staff is not None else None
        return tuple(s for s in base if s in cfg_w.allows and s in self.cfg.services
                     and (staff is None or s in staff.skills))

    def count(self, day: str, key: str) -> int:
        return self.daily.get(day, {}).get(key, 0)

    # -- applying ------------------------------------------------------------------------
    def apply(self, event: Event, at: datetime) -> None:
        handler = getattr(self, "_on_" + event.kind, None)
        fresh, self.applied = self.applied == 0, self.applied + 1
        if event.kind.startswith("booking_"):
            self.book.apply(event.kind, event.data)
            return
        if handler is None:
            return  # another module's event (e.g. hub.followups' follow_up_step): not queue state
        d = event.data
        if fresh and event.kind == "day_closed" and "_carry" in d:
            checkpoint.load(self, d["_carry"])  # a replay that starts at a day's close
            self.reindex()
            return
        # A replay that starts after a day's close (the hub's restart) meets events of tickets
        # issued before it, and a config may have dropped a window: those are history only.
        if event.kind in TICKET_EVENTS and d["ticket_id"] not in self.tickets:
            return
        if event.kind in WINDOW_EVENTS and d.get("window") not in self.windows:
            return
        handler(d, at)
        tid = d.get("ticket_id")
        if isinstance(tid, str):
            self._index(tid)
        else:  # an event that may touch many tickets (a close, a logout): count again
            self.reindex()

    def _index(self, ticket_id: str) -> None:
        t = self.tickets.get(ticket_id)
        if t is not None and t.status == WAITING:
            self.waiting[ticket_id] = t
        else:
            self.waiting.pop(ticket_id, None)

    def reindex(self) -> None:
        """Rebuild :attr:`waiting` from all tickets (after a bulk change or a checkpoint)."""
        self.waiting = {tid: t for tid, t in self.tickets.items() if t.status == WAITING}

    def _bump(self, day: str, key: str) -> None:
        counts = self.daily.setdefault(day, {})
        counts[key] = counts.get(key, 0) + 1

    def _on_issued(self, d: dict, at: datetime) -> None:
        day = date.fromisoformat(d["date"])
        if day != self.seq_day:  # the hall's local midnight passed: numbers start again
            self.seq_day, self.seq = day, {}
            self.daily = {k: v for k, v in self.daily.items() if k >= d["date"]}
        prefix, number = d["no"][0], int(d["no"][1:])
        self.seq[prefix] = number
        self.serial += 1
        self._bump(d["date"], "issued")
        if not d.get("walk_in"):
            self._bump(d["date"], f"issued:{d['service']}")
        if d.get("slot_cap") is not None:
            self._bump(d["date"], f"slot:{d['service']}:{d['slot_cap']}")
        t = Ticket(d["ticket_id"], d["no"], d["service"], at, at, self.serial,
                   priority=d.get("priority"), appointment=d.get("appointment"),
                   slot=parse_iso(d.get("slot")), walk_in=bool(d.get("walk_in")),
                   id_hash=d.get("_id_hash"))  # the phone stays in the store's contacts
        if t.walk_in and d["window"] in self.windows:
            t.status, t.window, t.staff = SERVING, d["window"], d.get("staff")
            t.called_at = t.started_at = at
            self.windows[t.window].current = t.ticket_id
        self.tickets[t.ticket_id] = t
        code = d.get("appointment")
        if code in self.bookings:
            self.bookings[code].ticket_id = t.ticket_id

    def _on_called(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        w = self.windows[d["window"]]
        if t.called_at is None:
            t.called_at = at
        t.status, t.window, t.to_window = CALLED, d["window"], None
        t.staff = d.get("staff")
        t.recalls = d.get("recalls", 0)
        w.current = t.ticket_id
        if d.get("how") == "next":
            if d.get("green"):
                w.since_green = 0
            elif w.since_green is not None:
                w.since_green += 1
        self.board.appendleft({"no": t.no, "window": w.number, "service": t.service,
                               "at": at.isoformat(), "recall": bool(d.get("recall"))})

    def _on_started(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        t.status, t.started_at = SERVING, at

    def _release(self, t: Ticket) -> None:
        w = self.windows.get(t.window) if t.window is not None else None
        if w is not None and w.current == t.ticket_id:
            w.current = None

    def _on_held(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        self._release(t)
        t.status = HELD

    def _on_transferred(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        self._release(t)
        t.status, t.window, t.started_at = WAITING, None, None
        t.service, t.to_window = d["service"], d.get("to_window")
        t.transferred, t.recalls = d["transferred"], 0

    def _on_skipped(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        self._release(t)
        t.status, t.window, t.skipped = SKIPPED, None, True

    def _on_requeued(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        t.status, t.order_at, t.recalls = WAITING, at, 0

    def _on_cancelled(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        self._release(t)
        t.status, t.outcome = CLOSED, "cancelled"

    def _on_moved(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        t.service, t.to_window = d["service"], d.get("to_window")

    def _on_notice(self, d: dict, at: datetime) -> None:
        self.notice = d.get("text")

    def _on_finished(self, d: dict, at: datetime) -> None:
        t = self.tickets[d["ticket_id"]]
        self._release(t)
        t.status, t.finished_at, t.outcome = FINISHED, at, d["outcome"]
        w = self.windows[d["window"]]
        w.last_finished, w.last_finished_at = t.ticket_id, at
        times = self.times[t.service]
        if (d.get("service_s") or 0) >= MIN_COUNTED_S:
            times.total_s += d["service_s"]
            times.count += 1
        if (d.get("window_s") or 0) >= MIN_COUNTED_S:  # the window's time per ticket, today
            times.today_s += d["window_s"]
            times.today_n += 1
        self._bump(d["date"], "finished")
        if d.get("default_due"):  # the hall counts an unrated service after some days
            keys = ("ticket_id", "no", "service", "window", "staff", "default_due")
            self.unrated[t.ticket_id] = {k: d[k] for k in keys} | {"finished_at": at.isoformat()}

    def _on_rated(self, d: dict, at: datetime) -> None:
        tid = d["ticket_id"]
        self.unrated.pop(tid, None)
        if tid in self.tickets:
            self.tickets[tid].rated = True

    def _on_follow_up(self, d: dict, at: datetime) -> None:
        if d["action"] == "opened":
            self.follow_ups[d["ticket_id"]] = FollowUp(d["ticket_id"], date.fromisoformat(d["due"]))
        else:
            self.follow_ups.pop(d["ticket_id"], None)

    def _on_alert(self, d: dict, at: datetime) -> None:
        if d["kind"] == "assist_suggested":
            self.suggested[f"{d['window']}:{d['service']}"] = at
        elif d["kind"] == "wait_over_limit" and d.get("ticket_id") in self.tickets:
            self.tickets[d["ticket_id"]].alerted = True
        elif d["kind"] == "follow_up_overdue":
            if d["ticket_id"] in self.follow_ups:
                self.follow_ups[d["ticket_id"]].overdue_alerted = True

    def _on_window(self, d: dict, at: datetime) -> None:
        w = self.windows[d["window"]]
        action = d["action"]
        if action == "login":
            w.status, w.reason, w.staff, w.post = "open", None, d["staff"], d["post"]
            w.session_id, w.logins = d["session_id"], d["logins"]
        elif action == "logout":
            w.status, w.reason, w.staff, w.post, w.session_id = "closed", None, None, None, None
        elif action == "pause":
            w.status, w.reason = "paused", d.get("reason")
        elif action == "resume":
            w.status, w.reason = "open", None
        elif action == "assign":
            w.assigned, w.assigned_by = list(d["services"]), d.get("by")

    def _on_booked(self, d: dict, at: datetime) -> None:
        self.bookings[d["code"]] = Booking(d["code"], d["service"], parse_iso(d["slot"]),
                                           d.get("_id_hash"))

    def _on_day_closed(self, d: dict, at: datetime) -> None:
        for item in d["closed"]:
            t = self.tickets.get(item["ticket_id"])
            if t is None:
                continue
            self._release(t)
            t.status = CLOSED
        for item in d["windows"]:
            if item["window"] not in self.windows:
                continue
            self._on_window(item | {"action": "logout"}, at)
            self.windows[item["window"]].logins = 0
        # the day's assignments, suggestions and measured times end with it
        for w in self.windows.values():
            w.assigned = w.assigned_by = None
        self.book.note_day(d["date"], {s: (t.today_s, t.today_n) for s, t in self.times.items()})
        for times in self.times.values():
            times.today_s, times.today_n = 0.0, 0
        self.suggested = {}
        self.last_close[d["date"]] = at
        self.last_close = {k: v for k, v in self.last_close.items() if k >= d["date"]}
        # A closed day's finished and closed tickets leave memory (the log and tables keep
        # them); a window's last finished ticket stays until its rating time has run out.
        keep = {w.last_finished for w in self.windows.values()}
        self.tickets = {k: t for k, t in self.tickets.items()
                        if t.status not in (FINISHED, CLOSED) or k in keep}
        self.bookings = {k: b for k, b in self.bookings.items()
                         if b.slot.astimezone(self.cfg.tz).date().isoformat() > d["date"]}
        rule = self.cfg.booking.no_show if self.cfg.booking else None
        self.book.forget_before(d["date"], rule.within_days + rule.block_days if rule else 0)
