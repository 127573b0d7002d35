"""The bookings (网上预约) as the applied ``booking_*`` events left them (docs/booking.md).

Like the rest of the engine's state it changes only by :meth:`BookState.apply`, is deterministic
in (state, event) and rides on each ``day_closed`` checkpoint (:meth:`dump`/:meth:`load`), so a
restarted or restored hub holds every confirmed booking again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

BOOKED, CANCELLED, CHECKED_IN, NO_SHOW = "booked", "cancelled", "checked_in", "no_show"


@dataclass
class Reservation:
    """One booking: its code (private: it checks in at the kiosk), its public id, its slot."""

    code: str
    bid: str
    service: str
    day: str            # YYYY-MM-DD, hall date
    start: str          # HH:MM
    end: str
    id_hash: str
    id_masked: str
    phone_hash: str
    phone_mask: str
    name_mask: str
    made_at: str
    by: str | None = None
    state: str = BOOKED
    ticket_id: str | None = None
    late: bool = False


@dataclass
class SlotChange:
    """A manager's change of one service's day: ``close`` a range (or the whole day), or
    ``open`` one slot with an explicit capacity."""

    action: str
    start: str | None = None
    end: str | None = None
    capacity: int | None = None
    reason: str | None = None


@dataclass
class BookState:
    by_code: dict[str, Reservation] = field(default_factory=dict)
    no_shows: dict[str, list[str]] = field(default_factory=dict)  # id hash -> no-show days
    changes: dict[str, list[SlotChange]] = field(default_factory=dict)  # "service day" -> changes

    # -- reading ---------------------------------------------------------------------------
    def taken(self, service: str, day: str, start: str) -> int:
        """Bookings holding a place in the slot (booked or checked in)."""
        return sum(1 for r in self.by_code.values()
                   if r.service == service and r.day == day and r.start == start
                   and r.state in (BOOKED, CHECKED_IN))

    def of_day(self, day: str) -> list[Reservation]:
        return [r for r in self.by_code.values() if r.day == day]

    def open_of(self, key: str, value: str) -> list[Reservation]:
        """Open (booked) reservations whose ``key`` (id_hash or phone_hash) is ``value``."""
        return [r for r in self.by_code.values()
                if r.state == BOOKED and getattr(r, key) == value]

    def by_bid(self, bid: str) -> Reservation | None:
        return next((r for r in self.by_code.values() if r.bid == bid), None)

    # -- applying --------------------------------------------------------------------------
    def apply(self, kind: str, d: dict) -> None:
        getattr(self, "_on_" + kind.removeprefix("booking_"))(d)

    def _on_made(self, d: dict) -> None:
        self.by_code[d["_code"]] = Reservation(
            d["_code"], d["bid"], d["service"], d["day"], d["start"], d["end"], d["_id_hash"],
            d["_id_masked"], d["_phone_hash"], d["_phone_mask"], d["_name_mask"], d["made_at"],
            d.get("by"))

    def _on_cancelled(self, d: dict) -> None:
        self.by_code[d["_code"]].state = CANCELLED

    def _on_moved(self, d: dict) -> None:
        r = self.by_code[d["_code"]]
        r.day, r.start, r.end = d["day"], d["start"], d["end"]

    def _on_checked_in(self, d: dict) -> None:
        r = self.by_code[d["_code"]]
        r.ticket_id, r.late = d["ticket_id"], bool(d.get("late"))
        if not r.late:
            r.state = CHECKED_IN

    def _on_no_show(self, d: dict) -> None:
        r = self.by_code.get(d["_code"])
        if r is not None:
            r.state = NO_SHOW
        self.no_shows.setdefault(d["_id_hash"], []).append(d["day"])

    def _on_slots_changed(self, d: dict) -> None:
        self.changes.setdefault(f"{d['service']} {d['day']}", []).append(SlotChange(
            d["action"], d.get("start"), d.get("end"), d.get("capacity"), d.get("reason")))

    def forget_before(self, day: str, keep_no_shows_days: int) -> None:
        """At a day's close: bookings and slot changes of days before ``day`` leave memory (the
        log keeps them); no-shows stay as long as the 爽约 rule can count them."""
        self.by_code = {c: r for c, r in self.by_code.items() if r.day >= day}
        self.changes = {k: v for k, v in self.changes.items() if k.split(" ")[1] >= day}
        oldest = date.fromordinal(date.fromisoformat(day).toordinal()
                                  - keep_no_shows_days).isoformat()
        self.no_shows = {h: kept for h, days in self.no_shows.items()
                         if (kept := [x for x in days if x >= oldest])}

    # -- checkpoint ------------------------------------------------------------------------
    def dump(self) -> dict:
        return {"by_code": [dataclasses.asdict(r) for r in self.by_code.values()],
                "no_shows": self.no_shows,
                "changes": {k: [dataclasses.asdict(c) for c in v]
                            for k, v in self.changes.items()}}

    @classmethod
    def load(cls, data: dict | None) -> BookState:
        if not data:
            return cls()
        return cls({r["code"]: Reservation(**r) for r in data["by_code"]},
                   {h: list(v) for h, v in data["no_shows"].items()},
                   {k: [SlotChange(**c) for c in v] for k, v in data["changes"].items()})
