"""网上预约 ops (docs/booking.md): slots, make, show, cancel, move, and the manager's day view
and slot changes. Check-in at the kiosk is hub.engine.checkin; the rules hub.engine.bookrules.

Every change is one ``booking_*`` event decided here and applied by hub.engine.bookstate: the
hub is the one writer, so a slot's last place goes to exactly one request.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from hub.engine import bookstrings as B
from hub.engine.args import Args
from hub.engine.bookrules import (
    bookable_service,
    by_code_and_token,
    check_free,
    check_person,
    day_arg,
    from_arg,
    new_code,
    open_slot,
    person,
    rules_of,
    start_arg,
)
from hub.engine.bookstate import (
    BOOKED,
    CHECKED_IN,
    NO_SHOW,
    Reservation,
    code_check,
    token_check,
)
from hub.engine.calendar import iso
from hub.engine.slots import bookable_days, day_slots, slot_start
from hub.engine.types import Decision, Event
from wire.contract import BadRequest, Closed, HubError

MAX_DAYS = 31


def slots(st, a: Args, ctx) -> Decision:
    """``booking.slots``: each day's slots of a service with what is free."""
    svc = bookable_service(st, a)
    first, last = bookable_days(st, ctx.at)
    start = from_arg(st, a, ctx.at)
    n = a.int("days", required=False, min=1, max=MAX_DAYS) or (last - first).days + 1
    a.done()
    taken = st.book.taken_counts()
    return Decision({"service": svc.id, "service_name": svc.name,
                     "materials": rules_of(st).materials(svc.id),
                     "days": [_day_view(st, svc, start + timedelta(days=i), ctx.at, taken)
                              for i in range(n)]}, [])


def _day_view(st, svc, day: date, at: datetime, taken: dict) -> dict:
    first, last = bookable_days(st, at)
    is_open, reason, day_list = day_slots(st, svc.id, day)
    if is_open and not first <= day <= last:
        is_open, reason = False, B.OUT_OF_WINDOW.format(days=rules_of(st).days_ahead + 1)
    out = {"day": day.isoformat(), "open": is_open, "slots": []}
    if not is_open:
        out["reason"] = reason
        return out
    for s in day_list:
        if slot_start(st, day.isoformat(), s.start) <= at:
            continue  # begun: not for sale
        booked = taken.get((svc.id, day.isoformat(), s.start), 0)
        view = {"start": s.start, "end": s.end, "capacity": s.capacity, "booked": booked,
                "free": max(0, s.capacity - booked)}
        if s.reason is not None:
            view["closed"], view["reason"] = True, s.reason
        out["slots"].append(view)
    return out


def answer(st, r: Reservation, code: str, token: str | None = None) -> dict:
    """What the citizen's page shows of booking ``r`` (its ``code`` as the citizen gave it,
    its ``token`` only in the answers that hand it to the citizen)."""
    svc = st.cfg.services[r.service]
    until = slot_start(st, r.day, r.start) - timedelta(
        minutes=rules_of(st).cancel_before_minutes)
    out = {"code": code, "service": r.service, "service_name": svc.name, "day": r.day,
           "start": r.start, "end": r.end, "materials": rules_of(st).materials(r.service),
           "cancel_until": iso(until)}
    if token is not None:
        out["token"] = token
    return out


def make(st, a: Args, ctx) -> Decision:
    """``booking.make``: the real-name step and the slot, one booking or a refusal."""
    svc = bookable_service(st, a)
    day = day_arg(a)
    start = start_arg(a)
    who = person(st, a, ctx.role)
    by = a.str("by", required=False, max_len=40)
    a.done()
    slot = open_slot(st, svc, day, start, ctx.at)
    check_person(st, svc, day, who.id_hash, who.phone_hash, ctx.at)
    check_free(st, svc, day, slot)
    code = new_code(st, secrets.token_bytes(8))
    token, bid = secrets.token_urlsafe(16), secrets.token_hex(6)
    data = {"bid": bid, "service": svc.id, "day": day.isoformat(),
            "start": slot.start, "end": slot.end, "by": by, "channel": ctx.role,
            "made_at": iso(ctx.at), "code_check": code_check(code, bid),
            "token_check": token_check(token), "_code": code, "_id_hash": who.id_hash,
            "_id_masked": who.id_masked, "_phone_hash": who.phone_hash,
            "_phone_mask": who.phone_mask, "_name_mask": who.name_mask}
    r = Reservation(bid, svc.id, data["day"], slot.start, slot.end, "", "", data["made_at"])
    return Decision(answer(st, r, code, token), [Event("booking_made", data)])


def show(st, a: Args, ctx) -> Decision:
    """``booking.show``: the booking for its code and token; its ticket once checked in."""
    r, code = by_code_and_token(st, a)
    a.done()
    out = answer(st, r, code) | {
        "state": r.state, "name_mask": r.name_mask, "phone_mask": r.phone_mask}
    t = st.tickets.get(r.ticket_id) if r.ticket_id else None
    if t is not None:  # the booking's token holder is the citizen: the page becomes the ticket
        out["ticket"] = {"number": t.no, "token": st.tokens.token(t.ticket_id),
                         "late": r.late}
    return Decision(out, [])


def _changeable(st, r: Reservation, at: datetime, what: str) -> None:
    if r.state != BOOKED:
        raise HubError(B.NOT_OPEN.format(state=B.STATES[r.state], what=what), "conflict")
    until = slot_start(st, r.day, r.start) - timedelta(minutes=rules_of(st).cancel_before_minutes)
    if at > until:
        raise HubError(B.TOO_LATE.format(until=f"{until:%m-%d %H:%M}"), "too_late")


def cancel(st, a: Args, ctx) -> Decision:
    """``booking.cancel``: until ``cancel_until``; the place is free again."""
    r, code = by_code_and_token(st, a)
    a.done()
    _changeable(st, r, ctx.at, "取消")
    ev = Event("booking_cancelled", {"bid": r.bid, "service": r.service, "day": r.day,
                                     "start": r.start})
    return Decision({"state": "cancelled", "code": code}, [ev])


def move(st, a: Args, ctx) -> Decision:
    """``booking.move``: to another slot, atomically (one event: the old place is freed only
    with the new one taken); same code and token."""
    r, code = by_code_and_token(st, a)
    day, start = day_arg(a), start_arg(a)
    a.done()
    _changeable(st, r, ctx.at, "改约")
    if (day.isoformat(), start) == (r.day, r.start):
        raise HubError(B.SAME_SLOT, "conflict")
    svc = st.cfg.services[r.service]
    slot = open_slot(st, svc, day, start, ctx.at)
    check_person(st, svc, day, r.id_hash, r.phone_hash, ctx.at, moving=r)
    check_free(st, svc, day, slot)
    ev = Event("booking_moved", {"bid": r.bid, "service": r.service, "from_day": r.day,
                                 "from_start": r.start, "day": day.isoformat(),
                                 "start": slot.start, "end": slot.end})
    moved = Reservation(**{**r.__dict__, "day": day.isoformat(), "start": slot.start,
                           "end": slot.end})
    return Decision(answer(st, moved, code, a.data["token"]), [ev])


def day(st, a: Args, ctx) -> Decision:
    """``booking.day`` (console): per service, each slot's counts and its bookings."""
    the_day = day_arg(a)
    a.done()
    rules_of(st)
    out = []
    for sid, svc in st.cfg.services.items():
        if not st.cfg.booking.bookable(sid):
            continue
        is_open, reason, day_list = day_slots(st, sid, the_day)
        mine = [r for r in st.book.of_day(the_day.isoformat()) if r.service == sid]
        rows = []
        for s in day_list:
            here = [r for r in mine if r.start == s.start]
            rows.append({"start": s.start, "end": s.end, "capacity": s.capacity,
                         "reason": s.reason,
                         "booked": sum(r.state in (BOOKED, CHECKED_IN) for r in here),
                         "checked_in": sum(r.state == CHECKED_IN for r in here),
                         "no_show": sum(r.state == NO_SHOW for r in here),
                         "bookings": [{"code": r.code, "start": r.start, "state": r.state,
                                       "name_mask": r.name_mask} for r in here]})
        out.append({"service": sid, "service_name": svc.name, "open": is_open,
                    "reason": reason, "slots": rows})
    return Decision({"day": the_day.isoformat(), "services": out}, [])


def _change_args(st, a: Args, need_capacity: bool):
    svc = bookable_service(st, a)
    the_day = day_arg(a)
    start = start_arg(a, required=need_capacity)
    end = start_arg(a, "end", required=need_capacity)
    by = a.str("by", max_len=40) if "by" in a.data else None
    if by is None:
        raise BadRequest(B.MANAGER_REQUIRED)
    if (start is None) != (end is None) or (start is not None and end <= start):
        raise BadRequest(B.BAD_RANGE)
    return svc, the_day, start, end, by


def close_slots(st, a: Args, ctx) -> Decision:
    """``booking.close_slots``: close a range (or the whole day) to new bookings. Bookings
    already made stay (the hall calls or moves them: they are listed by booking.day)."""
    svc, the_day, start, end, by = _change_args(st, a, False)
    reason = a.str("reason", required=False, max_len=60)
    a.done()
    ev = Event("booking_slots_changed", {"action": "close", "service": svc.id,
                                         "day": the_day.isoformat(), "start": start,
                                         "end": end, "reason": reason, "by": by})
    return Decision({"service": svc.id, "day": the_day.isoformat(), "closed": True}, [ev])


def open_slots(st, a: Args, ctx) -> Decision:
    """``booking.open_slots``: add or reopen one slot with its own capacity."""
    svc, the_day, start, end, by = _change_args(st, a, True)
    capacity = a.int("capacity", min=0, max=999)
    a.done()
    if not st.cfg.hours.is_working_day(the_day):
        raise Closed(B.DAY_CLOSED)
    if not any(f"{a:%H:%M}" <= start and end <= f"{b:%H:%M}" for a, b in st.cfg.hours.sessions):
        raise Closed(B.OUTSIDE_HOURS)  # the kiosk could not check it in
    ev = Event("booking_slots_changed", {"action": "open", "service": svc.id,
                                         "day": the_day.isoformat(), "start": start,
                                         "end": end, "capacity": capacity, "by": by})
    return Decision({"service": svc.id, "day": the_day.isoformat(), "start": start,
                     "end": end, "capacity": capacity}, [ev])
