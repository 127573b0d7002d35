"""Bookable slots the hall can keep (issue 26 item 1, docs/booking.md "Slots").

A service's day is cut into ``slot_minutes`` periods inside the hall's sessions. A slot holds
what the windows that may serve the service can do in it, less the walk-in share:

    capacity = ⌊slot seconds × Σ window shares × (1 − walk_in_share) / mean service seconds⌋

where a window's share is 1 / (services it serves) when its counter allows the service and a
clerk of its posts has the skill, and the mean is what a window spent per ticket of the service
(call to 办结) over the last RECENT_DAYS days, noted at each day's close (hub.engine.bookstate),
or the service's configured ``service_s`` while fewer than RECENT_MIN_TICKETS were measured. Closed days are the hall's calendar
(``[hours]`` holidays, 调休 ``extra_working_days``); a manager's ``booking_slots_changed``
closes ranges or opens slots with their own capacity, folded in the order they were made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hub.engine import bookstrings as B
from hub.engine.calendar import local


@dataclass
class Slot:
    start: str      # HH:MM
    end: str
    capacity: int
    reason: str | None = None   # why it is closed (capacity 0)


def _hm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def window_share(cfg, service: str) -> float:
    """How many windows' worth of time the service may have (see the module docstring)."""
    share = 0.0
    for w in cfg.windows.values():
        if service not in w.services or service not in w.allows:
            continue
        posts = [s for s in cfg.staff.values() if w.number in s.windows]
        if posts and not any(not s.skills or service in s.skills for s in posts):
            continue
        share += 1.0 / len(w.services)
    return share


def base_slots(st, service: str) -> list[Slot]:
    """The slots of an ordinary working day of ``service``."""
    rules = st.cfg.booking
    step = timedelta(minutes=rules.slot_minutes)
    mean_s = max(st.book.mean_s(service) or float(st.cfg.services[service].service_s), 1.0)
    share = window_share(st.cfg, service) * (1.0 - rules.walk_in_share)
    out = []
    for start, end in st.cfg.hours.sessions:
        at = datetime.combine(date(2000, 1, 3), start)
        stop = datetime.combine(date(2000, 1, 3), end)
        while at + step <= stop:
            cap = int(step.total_seconds() * share // mean_s)
            out.append(Slot(_hm(at.time()), _hm((at + step).time()), cap))
            at += step
    return out


def day_slots(st, service: str, day: date) -> tuple[bool, str | None, list[Slot]]:
    """(open, reason, slots) of ``service`` on ``day``: the calendar, then the changes."""
    if not st.cfg.hours.is_working_day(day):
        return False, B.DAY_CLOSED, []
    slots = {s.start: s for s in base_slots(st, service)}
    whole_day = None
    for ch in st.book.changes.get(f"{service} {day.isoformat()}", []):
        if ch.action == "close":
            if ch.start is None:
                whole_day = ch.reason or B.CLOSED_BY_HALL
                slots = {}
                continue
            for s in slots.values():
                if s.start < (ch.end or "24:00") and s.end > ch.start:
                    s.capacity, s.reason = 0, ch.reason or B.CLOSED_BY_HALL
        else:
            whole_day = None
            slots[ch.start] = Slot(ch.start, ch.end, ch.capacity)
    if whole_day is not None:
        return False, whole_day, []
    return True, None, sorted(slots.values(), key=lambda s: s.start)


def find_slot(st, service: str, day: date, start: str) -> Slot | None:
    is_open, _, slots = day_slots(st, service, day)
    return next((s for s in slots if s.start == start), None) if is_open else None


def slot_start(st, day: str, start: str) -> datetime:
    """The slot's start as an aware hall time."""
    h, m = start.split(":")
    return datetime.combine(date.fromisoformat(day), time(int(h), int(m)), tzinfo=st.cfg.tz)


def bookable_days(st, at: datetime) -> tuple[date, date]:
    """The first and last day citizens may book at ``at`` (today and ``days_ahead`` more)."""
    today = local(st.cfg, at).date()
    return today, today + timedelta(days=st.cfg.booking.days_ahead)
