"""Check-in of a booking at the kiosk (``booking.checkin``) and the 爽约 tick (docs/booking.md).

Within ``early_minutes`` before the slot to ``grace_minutes`` after its start the ticket is
issued under the booking (``issued`` with ``appointment`` = the booking's public id and ``slot``:
the call order's appointment group from the slot's start). Later, the booking has become a
no-show at the tick and the citizen gets an ordinary ticket (``late_walk_in``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.engine import bookstrings as B
from hub.engine import strings as S
from hub.engine.args import Args, check_id_no, id_hash
from hub.engine.bookrules import code_arg, rules_of
from hub.engine.bookstate import BOOKED, NO_SHOW, Reservation
from hub.engine.calendar import hall_date, is_open, iso
from hub.engine.slots import slot_start
from hub.engine.tickets import issued_event
from hub.engine.types import ACTIVE, Decision, Event
from hub.engine.views import est_wait_s, waiting_ahead
from wire.contract import BadRequest, Closed, Conflict, HubError


def _find(st, a: Args, at: datetime) -> Reservation:
    code = code_arg(a, required=False)
    id_no = a.str("id_number", required=False, max_len=24)
    service = a.str("service", required=False, max_len=16)
    a.done()
    today = hall_date(st.cfg, at).isoformat()
    if (code is None) == (id_no is None):
        raise BadRequest("args: give code or id_number (one of them)")
    if code is not None:
        r = st.book.by_code(code, today) or st.book.by_code(code)
        if r is None or r.state not in (BOOKED, NO_SHOW):
            raise HubError(B.NOT_FOUND, "not_found")
        if r.day != today:
            raise HubError(B.NOT_TODAY.format(day=r.day, start=r.start), "not_found")
        return r
    try:
        hashed = id_hash(st.id_key, check_id_no(id_no))
    except BadRequest:
        raise HubError(B.BAD_ID, "bad_id") from None
    mine = [r for r in st.book.of_day(today) if r.id_hash == hashed and r.ticket_id is None
            and r.state in (BOOKED, NO_SHOW) and (service is None or r.service == service)]
    if not mine:
        raise HubError(B.NONE_TODAY, "not_found")
    # the booked one before a no-show, then the nearest slot
    return min(mine, key=lambda r: (r.state != BOOKED, abs(
        (slot_start(st, r.day, r.start) - at).total_seconds())))


def checkin(st, a: Args, ctx) -> Decision:
    """``booking.checkin``: the booking's ticket (the kiosk prints it), or a refusal."""
    rules = rules_of(st)
    r = _find(st, a, ctx.at)
    at = ctx.at
    if r.ticket_id is not None:
        raise HubError(B.NOT_FOUND, "not_found")
    if not is_open(st.cfg, at):
        raise Closed(S.HALL_CLOSED)
    start = slot_start(st, r.day, r.start)
    opens = start - timedelta(minutes=rules.early_minutes)
    if at < opens:
        raise HubError(B.TOO_EARLY.format(start=r.start, open=f"{opens:%H:%M}"), "too_early")
    late = r.state == NO_SHOW or missed(st, r, at)
    how = "late_walk_in" if late else ("early" if at < start else "on_time")
    svc = st.cfg.services[r.service]
    for t in st.tickets.values():
        if r.id_hash is not None and t.id_hash == r.id_hash and t.service == svc.id \
                and t.status in ACTIVE:
            raise Conflict(S.ID_ACTIVE.format(name=svc.name, no=t.no))
    ahead = waiting_ahead(st, svc.id, None)
    est = est_wait_s(st, svc.id, ahead)
    issued = issued_event(st, svc, at, appointment=r.bid, late=late,
                          slot=None if late else iso(start), est_wait_s=est,
                          _id_hash=r.id_hash, _id_masked=r.id_masked)
    d = issued.data
    checked = Event("booking_checked_in", {"bid": r.bid, "service": r.service, "day": r.day,
                                           "start": r.start, "ticket_id": d["ticket_id"],
                                           "no": d["no"], "how": how, "late": late})
    ticket = {"no": d["no"], "ticket_id": d["ticket_id"], "service": svc.id,
              "service_name": svc.name, "issued_at": iso(at), "waiting_ahead": ahead,
              "est_wait_s": est, "priority": None, "appointment": not late,
              "mark": "" if late else B.TICKET_MARK,
              "token": st.tokens.token(d["ticket_id"])}
    return Decision({"ticket": ticket, "booking": {"state": how, "slot_start": iso(start),
                                                   "name_mask": r.name_mask,
                                                   "id_masked": r.id_masked}},
                    [issued, checked])


def no_shows(st, at: datetime) -> list[Event]:
    """``booking_no_show`` for each booking not checked in by its slot start + grace. Only
    days up to today can have one: later days are skipped before any slot time is computed
    (this runs at every tick)."""
    if st.cfg.booking is None:
        return []
    today = hall_date(st.cfg, at).isoformat()
    return [Event("booking_no_show", {"bid": r.bid, "service": r.service, "day": r.day,
                                      "start": r.start, "_id_hash": r.id_hash})
            for r in st.book.by_bid.values()
            if r.state == BOOKED and r.day <= today and missed(st, r, at)]


def missed(st, r: Reservation, at: datetime) -> bool:
    """Whether ``r``'s slot start + ``grace_minutes`` has passed at ``at``: the tick makes a
    booked one a no-show, and a check-in after it is a late walk-in."""
    return at > slot_start(st, r.day, r.start) + timedelta(minutes=rules_of(st).grace_minutes)
