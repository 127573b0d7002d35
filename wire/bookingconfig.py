"""``[booking]`` in hall.toml: the rules of 网上预约 (docs/booking.md), read on its own.

Closed days, public holidays and 调休 working weekends are the hall's ``[hours]`` ``holidays`` and
``extra_working_days`` (one calendar for walk-ins and bookings). What a service takes to book
(bookable, the 一次性告知 material list) is ``[booking.services.<id>]``, beside the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wire.section import Section


@dataclass(frozen=True)
class NoShowRule:
    """爽约: ``count`` no-shows within ``within_days`` days block booking for ``block_days``."""

    count: int = 3
    within_days: int = 30
    block_days: int = 30


@dataclass(frozen=True)
class BookableService:
    bookable: bool = True
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class BookingRules:
    """How slots are cut, how far ahead they are sold and what a citizen may hold."""

    slot_minutes: int = 30
    days_ahead: int = 7
    walk_in_share: float = 0.3      # of each window's time kept for walk-ins and the green channel
    cancel_before_minutes: int = 120
    early_minutes: int = 30         # check-in opens this long before the slot
    grace_minutes: int = 15         # after slot start + grace: a no-show, a late arrival walks in
    no_show: NoShowRule = NoShowRule()
    per_phone: int = 3              # open bookings one phone number may hold
    per_id: int = 3                 # open bookings one ID number may hold
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
    ns = s.table("no_show_block")
    no_show = NoShowRule(ns.int("count", 3, min=1, max=100),
                         ns.int("within_days", 30, min=1, max=366),
                         ns.int("block_days", 30, min=0, max=366))
    ns.check_unused()
    rules = BookingRules(
        slot_minutes=s.int("slot_minutes", 30, min=5, max=240),
        days_ahead=s.int("days_ahead", 7, min=0, max=90),
        walk_in_share=s.float("walk_in_share", 0.3, min=0.0, max=0.95),
        cancel_before_minutes=s.int("cancel_before_minutes", 120, min=0, max=10080),
        early_minutes=s.int("early_minutes", 30, min=0, max=240),
        grace_minutes=s.int("grace_minutes", 15, min=0, max=240),
        no_show=no_show,
        per_phone=s.int("per_phone", 3, min=1, max=100),
        per_id=s.int("per_id", 3, min=1, max=100),
        services=_services(s.table("services"), services))
    s.check_unused()
    return rules


def _services(s: Section, known) -> dict[str, BookableService]:
    out = {}
    for sid in list(s.data):
        if sid not in known:
            s.fail(f"unknown service; known: {', '.join(known)}", sid)
        t = s.table(sid)
        out[sid] = BookableService(t.bool("bookable", True),
                                   tuple(t.str_list("materials", [])))
        t.check_unused()
    return out
