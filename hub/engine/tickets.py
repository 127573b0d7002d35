"""Ticket ops: take a ticket (numbering, hours, caps, real-name rule, appointments), ask its
status, put a skipped ticket back in the queue, and book an appointment."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from hub.engine import strings as S
from hub.engine.args import Args, check_id_no, check_phone, id_hash, mask_id
from hub.engine.calendar import add_working_days, hall_date, is_open, iso, local
from hub.engine.state import EngineState
from hub.engine.types import ACTIVE, SKIPPED, Booking, Decision, Event, Ticket
from hub.engine.views import est_wait_s, serving_share, ticket_view, waiting_ahead
from wire.contract import (
    PRIORITIES,
    BadRequest,
    Capped,
    Closed,
    Conflict,
    Full,
    NoTicket,
    UnknownService,
)

MAX_NUMBER = 999  # three digits a day per prefix
_NO = re.compile(r"[A-Z]\d{3}")


def service_arg(st: EngineState, a: Args, key: str = "service", required: bool = True):
    sid = a.str(key, required=required, max_len=16)
    if sid is None:
        return None
    if sid not in st.cfg.services:
        raise UnknownService(S.UNKNOWN_SERVICE.format(service=sid))
    return st.cfg.services[sid]


def ticket_by_no(st: EngineState, a: Args, at: datetime) -> Ticket:
    """Today's ticket named by ``args.no`` (e.g. "A012"), or NoTicket."""
    no = a.str("no", max_len=8)
    if not _NO.fullmatch(no):
        raise BadRequest(f"args.no must be a letter and three digits like A012, got {no!r}")
    t = st.tickets.get(f"{hall_date(st.cfg, at):%Y%m%d}-{no}")
    if t is None:
        raise NoTicket(S.NO_SUCH_TICKET.format(no=no))
    return t


def next_number(st: EngineState, prefix: str, at: datetime) -> tuple[str, str]:
    """The next (no, ticket_id) of ``prefix`` on the hall date of ``at``; Capped after 999."""
    day = hall_date(st.cfg, at)
    last = st.seq.get(prefix, 0) if st.seq_day == day else 0
    if last >= MAX_NUMBER:
        name = next(s.name for s in st.cfg.services.values() if s.prefix == prefix)
        raise Capped(S.NUMBERS_USED.format(name=name))
    no = f"{prefix}{last + 1:03d}"
    return no, f"{day:%Y%m%d}-{no}"


def issued_event(st: EngineState, svc, at: datetime, **extra) -> Event:
    no, ticket_id = next_number(st, svc.prefix, at)
    data = {"ticket_id": ticket_id, "no": no, "date": hall_date(st.cfg, at).isoformat(),
            "service": svc.id, "service_name": svc.name, "priority": None,
            "appointment": None, "slot": None, "late": False, "walk_in": False,
            "slot_cap": None}
    data.update(extra)
    return Event("issued", data)


def _slot_cap(svc, at: datetime) -> int | None:
    t = at.time().replace(tzinfo=None)
    for i, cap in enumerate(svc.slot_caps):
        if cap.start <= t < cap.end:
            return i
    return None


def _check_caps(st: EngineState, svc, at: datetime, day: str) -> int | None:
    if st.count(day, f"issued:{svc.id}") >= svc.daily_cap:
        raise Capped(S.SERVICE_CAPPED.format(name=svc.name))
    slot = _slot_cap(svc, local(st.cfg, at))
    if slot is not None and st.count(day, f"slot:{svc.id}:{slot}") >= svc.slot_caps[slot].cap:
        raise Capped(S.SLOT_CAPPED.format(name=svc.name))
    return slot


def _booking(st: EngineState, svc, code: str | None, hashed: str | None,
             at: datetime) -> Booking | None:
    """The appointment this ticket checks in, if any (by code, or by ID within its window)."""
    q = st.cfg.queue
    if code is None:
        for b in st.bookings.values():
            if (hashed is not None and b.id_hash == hashed and b.service == svc.id
                    and b.ticket_id is None
                    and b.slot - timedelta(seconds=q.appointment_early_s) <= at
                    <= b.slot + timedelta(seconds=q.appointment_late_s)):
                return b
        return None
    b = st.bookings.get(code)
    if b is None:
        raise BadRequest(S.UNKNOWN_BOOKING.format(code=code))
    if b.service != svc.id:
        raise BadRequest(S.BOOKING_SERVICE.format(code=code, name=svc.name))
    if b.ticket_id is not None:
        raise Conflict(S.BOOKING_USED.format(code=code))
    start = b.slot - timedelta(seconds=q.appointment_early_s)
    if at < start:
        raise Conflict(S.BOOKING_EARLY.format(start=f"{local(st.cfg, start):%H:%M}"))
    return b


def open_s_left(st: EngineState, at: datetime) -> float:
    """Opening seconds left today after ``at`` (the sessions still to come)."""
    t = local(st.cfg, at)
    left = 0.0
    for start, end in st.cfg.hours.sessions:
        a = max(t, t.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0))
        b = t.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        left += max(0.0, (b - a).total_seconds())
    return left


def over_capacity(st: EngineState, svc, ahead: int, at: datetime) -> bool:
    """Whether a new ticket of ``svc`` would still wait when the day closes: the work waiting
    before it (today's measured time per ticket × ``ahead``) over the share of windows serving
    the service now (as one window when none is open), against the opening time left."""
    busy = {t.service for t in st.waiting.values()} | {svc.id}
    share = serving_share(st, svc.id, busy)
    work = st.times[svc.id].mean_s * ahead / (share if share > 0 else 1)
    return work > open_s_left(st, at)


def _full_message(st: EngineState, at: datetime) -> str:
    day = add_working_days(st.cfg, hall_date(st.cfg, at), 1)
    return S.FULL_OFFER.format(day=day, start=st.cfg.hours.sessions[0][0])


def take(st: EngineState, a: Args, ctx) -> Decision:
    """``ticket.take``: a numbered ticket for a service (DESIGN §3, §4). With an appointment
    code the service may be left out: the booking names it."""
    code = a.str("appointment", required=False, max_len=32)
    svc = service_arg(st, a, required=code is None)
    if svc is None:
        booked = st.bookings.get(code)
        if booked is None:
            raise BadRequest(S.UNKNOWN_BOOKING.format(code=code))
        svc = st.cfg.services[booked.service]
    priority = a.str("priority", required=False, choices=PRIORITIES)
    id_no = a.str("id_no", required=False, max_len=24)
    phone = a.str("phone", required=False, max_len=24)
    a.done()
    at = ctx.at
    hashed = masked = None
    if id_no is not None:
        id_no = check_id_no(id_no)
        hashed, masked = id_hash(st.id_key, id_no), mask_id(id_no)
    if phone is not None:
        phone = check_phone(phone)
    if not is_open(st.cfg, at):
        raise Closed(S.HALL_CLOSED)
    if hashed is not None:
        for t in st.tickets.values():
            if t.id_hash == hashed and t.service == svc.id and t.status in ACTIVE:
                raise Conflict(S.ID_ACTIVE.format(name=svc.name, no=t.no))
    booking = _booking(st, svc, code, hashed, at)
    day = hall_date(st.cfg, at).isoformat()
    extra = {"priority": priority, "_id_hash": hashed, "_id_masked": masked, "_phone": phone}
    if booking is not None:
        late = at > booking.slot + timedelta(seconds=st.cfg.queue.appointment_late_s)
        # a late check-in becomes an ordinary ticket (DESIGN §4): no slot, no place ahead
        extra.update(appointment=booking.code, late=late,
                     slot=None if late else iso(booking.slot))
    else:
        extra["slot_cap"] = _check_caps(st, svc, at, day)
    ahead = waiting_ahead(st, svc.id, priority)
    full = False
    # green channel and appointments are never refused (docs/assignment.md)
    if st.cfg.queue.capacity != "off" and priority is None and booking is None:
        full = over_capacity(st, svc, ahead, at)
        if full and st.cfg.queue.capacity == "refuse":
            raise Full(_full_message(st, at))
    est = est_wait_s(st, svc.id, ahead)
    extra["est_wait_s"] = est  # what the ticket promises, kept to measure the estimates
    if full:
        extra["full"] = True
    event = issued_event(st, svc, at, **extra)
    d = event.data
    ticket = {"no": d["no"], "ticket_id": d["ticket_id"], "service": svc.id,
              "service_name": svc.name, "issued_at": iso(at), "waiting_ahead": ahead,
              "est_wait_s": est, "priority": priority,
              "appointment": booking is not None and not d["late"]}
    if ctx.role == "kiosk":  # it prints the QR: the one place a page token ever goes out
        ticket["token"] = st.tokens.token(d["ticket_id"])
    if full:  # warn-only hall: the ticket, a plain word that the day may not reach it, a later day
        ticket["warning"] = _full_message(st, at)
    return Decision({"ticket": ticket}, [event])


def status(st: EngineState, a: Args, ctx) -> Decision:
    """``ticket.status``: today's ticket by number and where it stands."""
    t = ticket_by_no(st, a, ctx.at)
    a.done()
    return Decision({"ticket": ticket_view(st, t)}, [])


def requeue(st: EngineState, a: Args, ctx) -> Decision:
    """``ticket.requeue`` (过号重排): a skipped ticket queues again, behind those waiting now."""
    t = ticket_by_no(st, a, ctx.at)
    a.done()
    if t.status != SKIPPED:
        raise Conflict(S.NOT_SKIPPED.format(no=t.no))
    ev = Event("requeued", {"ticket_id": t.ticket_id, "no": t.no, "service": t.service,
                            "by": ctx.node_id})
    return Decision({"ticket": {"no": t.no, "status": "waiting"}}, [ev])


def book(st: EngineState, a: Args, ctx) -> Decision:
    """``appointment.book`` (admin): register a booking code for a service and slot."""
    code = a.str("code", max_len=32)
    svc = service_arg(st, a)
    slot = a.datetime("slot", st.cfg.tz)
    id_no = a.str("id_no", required=False, max_len=24)
    a.done()
    if code in st.bookings:
        raise Conflict(S.BOOKING_EXISTS.format(code=code))
    hashed = masked = None
    if id_no is not None:
        id_no = check_id_no(id_no)
        hashed, masked = id_hash(st.id_key, id_no), mask_id(id_no)
    ev = Event("booked", {"code": code, "service": svc.id, "slot": iso(slot),
                          "_id_hash": hashed, "_id_masked": masked})
    return Decision({"booking": {"code": code, "service": svc.id, "slot": iso(slot)}}, [ev])
