"""The bookings (网上预约) as the applied ``booking_*`` events left them (docs/booking.md).

Like the rest of the engine's state it changes only by :meth:`BookState.apply`, is deterministic
in (state, event) and rides on each ``day_closed`` checkpoint (:meth:`dump`/:meth:`load`), so a
restarted hub holds every confirmed booking again. Bookings are keyed by their public ``bid``.
A log restored from the county's copy (hub.restore) has no private keys: such a booking keeps
its slot and is found by its code through the public ``code_check`` (a salted, slow hash: see
:func:`code_check`) and opened by its token through ``token_check``; its person is unknown.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from hub.engine.args import is_clock

BOOKED, CANCELLED, CHECKED_IN, NO_SHOW = "booked", "cancelled", "checked_in", "no_show"
RECENT_DAYS = 28        # slots are sized by the window time per ticket of the last 4 weeks
RECENT_MIN_TICKETS = 10  # fewer measured tickets: the service's configured service_s
CODE_CHECK_ROUNDS = 1000  # ~0.25 ms; guessing a 40-bit code from an event: ~12 GPU-days


def code_check(code: str, bid: str) -> str:
    """The public check of a booking code, salted by the booking's id."""
    return hashlib.pbkdf2_hmac("sha256", code.encode(), bid.encode(), CODE_CHECK_ROUNDS).hex()[:32]


def token_check(token: str) -> str:
    """The public check of a booking token (128 random bits: a plain hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


@dataclass
class Reservation:
    """One booking: its public id and slot, the checks of its secrets, and (unless restored)
    its code and the person's hashes and masks."""

    bid: str
    service: str
    day: str            # YYYY-MM-DD, hall date
    start: str          # HH:MM
    end: str
    code_check: str
    token_check: str
    made_at: str
    code: str | None = None
    id_hash: str | None = None
    id_masked: str | None = None
    phone_hash: str | None = None
    phone_mask: str | None = None
    name_mask: str | None = None
    by: str | None = None
    state: str = BOOKED
    ticket_id: str | None = None
    late: bool = False

    def has_code(self, code: str) -> bool:
        if self.code is not None:
            return hmac.compare_digest(self.code, code)
        return hmac.compare_digest(self.code_check, code_check(code, self.bid))


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
    by_bid: dict[str, Reservation] = field(default_factory=dict)
    no_shows: dict[str, list[str]] = field(default_factory=dict)  # id hash -> no-show days
    changes: dict[str, list[SlotChange]] = field(default_factory=dict)  # "service day" -> changes
    recent: dict[str, dict[str, list]] = field(default_factory=dict)  # day -> service -> [s, n]

    # -- reading ---------------------------------------------------------------------------
    def taken(self, service: str, day: str, start: str) -> int:
        """Bookings holding a place in the slot (booked or checked in)."""
        return sum(1 for r in self.by_bid.values()
                   if r.service == service and r.day == day and r.start == start
                   and r.state in (BOOKED, CHECKED_IN))

    def taken_counts(self) -> dict[tuple[str, str, str], int]:
        """:meth:`taken` of every slot at once, keyed (service, day, start): one pass."""
        out: dict[tuple[str, str, str], int] = {}
        for r in self.by_bid.values():
            if r.state in (BOOKED, CHECKED_IN):
                key = (r.service, r.day, r.start)
                out[key] = out.get(key, 0) + 1
        return out

    def of_day(self, day: str) -> list[Reservation]:
        return [r for r in self.by_bid.values() if r.day == day]

    def open_of(self, key: str, value: str | None) -> list[Reservation]:
        """Open (booked) reservations whose ``key`` (id_hash or phone_hash) is ``value``."""
        if value is None:
            return []
        return [r for r in self.by_bid.values()
                if r.state == BOOKED and getattr(r, key) == value]

    def by_code(self, code: str, day: str | None = None) -> Reservation | None:
        """The booking whose code is ``code``: of any day (or ``day``) among those that keep
        their code; a restored one (a slow check each: :func:`code_check`) of ``day`` only,
        so a wrong code costs one check per restored booking of that day, not of all."""
        for r in self.by_bid.values():
            if r.code == code and (day is None or r.day == day):
                return r
        if day is None:
            return None
        for r in self.by_bid.values():
            if r.code is None and r.day == day and r.has_code(code):
                return r
        return None

    def by_token(self, check: str) -> Reservation | None:
        """The booking whose token's check is ``check`` (a cheap comparison each)."""
        for r in self.by_bid.values():
            if hmac.compare_digest(r.token_check, check):
                return r
        return None

    def mean_s(self, service: str) -> float | None:
        """A window's measured seconds per ticket of ``service`` over the recent days, or None
        when fewer than RECENT_MIN_TICKETS were measured."""
        total = n = 0
        for row in self.recent.values():
            s, k = row.get(service, (0.0, 0))
            total, n = total + s, n + k
        return total / n if n >= RECENT_MIN_TICKETS else None

    def code_taken(self, code: str) -> bool:
        return any(r.code == code for r in self.by_bid.values())

    # -- applying --------------------------------------------------------------------------
    def apply(self, kind: str, d: dict) -> None:
        getattr(self, "_on_" + kind.removeprefix("booking_"))(d)

    def _on_made(self, d: dict) -> None:
        self.by_bid[d["bid"]] = Reservation(
            d["bid"], d["service"], d["day"], d["start"], d["end"], d["code_check"],
            d["token_check"], d["made_at"], d.get("_code"), d.get("_id_hash"),
            d.get("_id_masked"), d.get("_phone_hash"), d.get("_phone_mask"),
            d.get("_name_mask"), d.get("by"))

    def _on_cancelled(self, d: dict) -> None:
        if (r := self.by_bid.get(d["bid"])) is not None:
            r.state = CANCELLED

    def _on_moved(self, d: dict) -> None:
        if (r := self.by_bid.get(d["bid"])) is not None:
            r.day, r.start, r.end = d["day"], d["start"], d["end"]

    def _on_relinked(self, d: dict) -> None:
        """booking.find gave the booking a new token: the old link stops opening it."""
        if (r := self.by_bid.get(d["bid"])) is not None:
            r.token_check = d["token_check"]

    def _on_checked_in(self, d: dict) -> None:
        if (r := self.by_bid.get(d["bid"])) is not None:
            r.ticket_id, r.late = d["ticket_id"], bool(d.get("late"))
            if not r.late:
                r.state = CHECKED_IN

    def _on_no_show(self, d: dict) -> None:
        if (r := self.by_bid.get(d["bid"])) is not None:
            r.state = NO_SHOW
        if d.get("_id_hash"):  # a restored log does not know who it was
            self.no_shows.setdefault(d["_id_hash"], []).append(d["day"])

    def _on_slots_changed(self, d: dict) -> None:
        if not all(is_clock(d[k]) for k in ("start", "end") if d.get(k) is not None):
            return  # "09:60" from a log written before start_arg checked it: no slot at all
        self.changes.setdefault(f"{d['service']} {d['day']}", []).append(SlotChange(
            d["action"], d.get("start"), d.get("end"), d.get("capacity"), d.get("reason")))

    def note_day(self, day: str, times: dict[str, tuple[float, int]]) -> None:
        """At a day's close: its measured window seconds and tickets per service (added to
        what an earlier close of the same day noted); days older than RECENT_DAYS go."""
        row = self.recent.setdefault(day, {})
        for sid, (s, n) in times.items():
            if n:
                acc = row.setdefault(sid, [0.0, 0])
                acc[0], acc[1] = acc[0] + s, acc[1] + n
        oldest = date.fromordinal(date.fromisoformat(day).toordinal() - RECENT_DAYS).isoformat()
        self.recent = {k: v for k, v in self.recent.items() if k > oldest}

    def forget_before(self, day: str, keep_no_shows_days: int) -> None:
        """At a day's close: bookings and slot changes of days before ``day`` leave memory (the
        log keeps them); no-shows stay as long as the 爽约 rule can count them."""
        self.by_bid = {b: r for b, r in self.by_bid.items() if r.day >= day}
        self.changes = {k: v for k, v in self.changes.items() if k.split(" ")[1] >= day}
        oldest = date.fromordinal(date.fromisoformat(day).toordinal()
                                  - keep_no_shows_days).isoformat()
        self.no_shows = {h: kept for h, days in self.no_shows.items()
                         if (kept := [x for x in days if x >= oldest])}

    # -- checkpoint ------------------------------------------------------------------------
    def dump(self) -> dict:
        return {"by_bid": [dataclasses.asdict(r) for r in self.by_bid.values()],
                "no_shows": self.no_shows,
                "changes": {k: [dataclasses.asdict(c) for c in v]
                            for k, v in self.changes.items()},
                "recent": self.recent}

    @classmethod
    def load(cls, data: dict | None) -> BookState:
        if not data:
            return cls()
        return cls({r["bid"]: Reservation(**r) for r in data["by_bid"]},
                   {h: list(v) for h, v in data["no_shows"].items()},
                   {k: [SlotChange(**c) for c in v] for k, v in data["changes"].items()},
                   {day: {s: list(v) for s, v in row.items()}
                    for day, row in data.get("recent", {}).items()})
