"""``[booking]`` in hall.toml: the rules of 网上预约 (docs/booking.md), read on its own.

Closed days, public holidays and 调休 working weekends are the hall's ``[hours]`` ``holidays`` and
``extra_working_days`` (one calendar for walk-ins and bookings). What a service takes to book
(bookable, the 一次性告知 material list) is ``[booking.services.<id>]``, beside the rules.
Each key's default, bounds and choices are stated once, on its field (:mod:`wire.schema` reads
them; docs/booking.md's key tables are checked against them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wire.schema import key, read, read_keys
from wire.section import Section


@dataclass(frozen=True)
class NoShowRule:
    """爽约 (``no_show_block``): ``count`` no-shows within ``within_days`` days block booking
    for ``block_days``."""

    count: int = key(3, min=1, max=100)
    within_days: int = key(30, min=1, max=366)
    block_days: int = key(30, min=0, max=366)


@dataclass(frozen=True)
class BookableService:
    """``[booking.services.<id>]``: listed, a service is bookable; its 一次性告知 materials."""

    bookable: bool = key(True)
    materials: tuple[str, ...] = key(())


@dataclass(frozen=True)
class BookingRules:
    """How slots are cut, how far ahead they are sold and what a citizen may hold."""

    slot_minutes: int = key(30, min=5, max=240)
    days_ahead: int = key(7, min=0, max=90)
    # of each window's time kept for walk-ins and the green channel
    walk_in_share: float = key(0.3, min=0.0, max=0.95)
    cancel_before_minutes: int = key(120, min=0, max=10080)
    early_minutes: int = key(30, min=0, max=240)   # check-in opens this long before the slot
    # after slot start + grace: a no-show, a late arrival walks in
    grace_minutes: int = key(15, min=0, max=240)
    no_show: NoShowRule = NoShowRule()
    per_phone: int = key(3, min=1, max=100)        # open bookings one phone number may hold
    per_id: int = key(3, min=1, max=100)           # open bookings one ID number may hold
    services: dict[str, BookableService] = field(default_factory=dict, hash=False)

    def bookable(self, service: str) -> bool:
        s = self.services.get(service)
        return s is not None and s.bookable

    def materials(self, service: str) -> list[str]:
        s = self.services.get(service)
        return list(s.materials) if s is not None else []


def read_booking(s: Section, services) -> BookingRules | None:
    """The ``[booking]`` table (None when the hall has none: nothing is bookable)."""
    if not s.data:
        return None
    no_show = read(NoShowRule, s.table("no_show_block"))
    rules = BookingRules(**read_keys(BookingRules, s), no_show=no_show,
                         services=_services(s.table("services"), services))
    s.check_unused()
    return rules


def _services(s: Section, known) -> dict[str, BookableService]:
    """Each ``[booking.services.<id>]``; the id must be a ``[[services]]`` id."""
    out = {}
    for sid in list(s.data):
        if sid not in known:
            s.fail(f"unknown service; known: {', '.join(known)}", sid)
        out[sid] = read(BookableService, s.table(sid))
    return out
