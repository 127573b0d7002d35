"""The rules a booking must pass (docs/booking.md "Fairness"): who the citizen is (GB 11643 ID
check digit, name, phone), the slot (open, in the window, not past, not full), one per person
per service per day, the 爽约 block, and the open bookings one phone or ID may hold."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.engine import bookstrings as B
from hub.engine.args import (
    Args,
    check_id_no,
    check_phone,
    id_hash,
    is_clock,
    mask_id,
    phone_hash,
)
from hub.engine.bookstate import Reservation, token_check
from hub.engine.slots import Slot, bookable_days, find_slot, slot_start
from wire.contract import BadRequest, Blocked, Closed, HubError, UnknownService

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O/1/I: typed from a phone's screen
CODE_LEN = 8
FROM_SPAN_DAYS = 366  # booking.slots' from: a year either side of the window (days: a closed day)


@dataclass(frozen=True)
class Person:
    id_hash: str
    id_masked: str
    phone_hash: str
    phone_mask: str
    name_mask: str


def rules_of(st):
    if st.cfg.booking is None:
        raise Closed(B.NO_BOOKING)
    return st.cfg.booking


def bookable_service(st, a: Args):
    sid = a.str("service", max_len=16)
    svc = st.cfg.services.get(sid)
    if svc is None:
        raise UnknownService(f"没有事项类别 {sid}")
    if not rules_of(st).bookable(sid):
        raise Closed(B.NOT_BOOKABLE.format(name=svc.name))
    return svc


def day_arg(a: Args, key: str = "day", required: bool = True) -> date | None:
    text = a.str(key, required=required, max_len=10)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"args.{key} must be a date YYYY-MM-DD, got {text!r}") from None


def start_arg(a: Args, key: str = "start", required: bool = True) -> str | None:
    """A time of day HH:MM, 00:00 to 23:59 ("24:00" is no time: a hall's sessions end by
    23:59, so no slot reaches it); anything else is refused before it can be stored."""
    text = a.str(key, required=required, max_len=5)
    if text is not None and not is_clock(text):
        raise BadRequest(f"args.{key} must be a time HH:MM (00:00-23:59), got {text!r}")
    return text


def from_arg(st, a: Args, at: datetime) -> date:
    """``booking.slots``' first day (default today): at most FROM_SPAN_DAYS before today or
    after the window's last day. Such a day shows as not open; a farther one is refused (a
    date near 9999-12-31 overflows, and no page asks for it)."""
    first, last = bookable_days(st, at)
    day = day_arg(a, "from", required=False) or first
    low, high = first - timedelta(days=FROM_SPAN_DAYS), last + timedelta(days=FROM_SPAN_DAYS)
    if not low <= day <= high:
        raise BadRequest(f"args.from must be a date from {low} to {high}, got {day}")
    return day


def person(st, a: Args, role: str) -> Person:
    """The real-name step: name, ID (GB 11643 check digit: ``bad_id``) and phone. At the
    kiosk the ID number is the real name (as for a ticket: it has no way to type Hanzi), so
    the name may be left out there."""
    name = a.str("name", required=role != "kiosk", max_len=30)
    id_no = a.str("id_number", max_len=24)
    phone = check_phone(a.str("phone", max_len=24))
    try:
        id_no = check_id_no(id_no)
    except BadRequest:
        raise HubError(B.BAD_ID, "bad_id") from None
    name = name.strip() if name is not None else None
    if name is not None and (not 1 < len(name) <= 30 or any(c.isdigit() for c in name)):
        raise BadRequest(B.BAD_NAME)
    return Person(id_hash(st.id_key, id_no), mask_id(id_no), phone_hash(st.id_key, phone),
                  phone[:3] + "****" + phone[-4:],
                  name[0] + "*" * (len(name) - 1) if name else mask_id(id_no))


def open_slot(st, svc, day: date, start: str, at: datetime) -> Slot:
    """The slot if citizens may book it at ``at``: ``closed`` otherwise (the reason said)."""
    rules = rules_of(st)
    first, last = bookable_days(st, at)
    if not first <= day <= last:
        raise Closed(B.OUT_OF_WINDOW.format(days=rules.days_ahead + 1))
    slot = find_slot(st, svc.id, day, start)
    if slot is None:
        raise Closed(B.NO_SUCH_SLOT.format(day=day.isoformat(), start=start))
    if slot.reason is not None:
        raise Closed(slot.reason)
    if slot_start(st, day.isoformat(), start) <= at:
        raise Closed(B.SLOT_PAST)
    return slot


def check_free(st, svc, day: date, slot: Slot) -> None:
    if st.book.taken(svc.id, day.isoformat(), slot.start) >= slot.capacity:
        raise HubError(B.SLOT_FULL, "slot_full")


def check_person(st, svc, day: date, id_hashed: str, phone_hash: str, at: datetime,
                 moving: Reservation | None = None) -> None:
    """One per person, service and day; the 爽约 block; the open bookings a phone/ID holds."""
    rules = rules_of(st)
    mine = [r for r in st.book.open_of("id_hash", id_hashed) if r is not moving]
    for r in mine:
        if r.service == svc.id and r.day == day.isoformat():
            raise HubError(B.ALREADY_BOOKED.format(day=r.day, name=svc.name), "already_booked")
    until = blocked_until(st, id_hashed, at)
    if until is not None:
        ns = rules.no_show
        raise Blocked(B.BLOCKED.format(within=ns.within_days, count=ns.count,
                                       until=until.isoformat()), until.isoformat())
    if moving is not None:
        return
    if len(mine) >= rules.per_id:
        raise HubError(B.ID_LIMIT.format(n=len(mine)), "rate_limited")
    phones = st.book.open_of("phone_hash", phone_hash)
    if len(phones) >= rules.per_phone:
        raise HubError(B.PHONE_LIMIT.format(n=len(phones)), "rate_limited")


def blocked_until(st, id_hashed: str, at: datetime) -> date | None:
    """The day booking opens again for this person, or None: ``count`` no-shows within
    ``within_days`` block booking for ``block_days`` from the last of them."""
    ns = rules_of(st).no_show
    days = sorted(date.fromisoformat(d) for d in st.book.no_shows.get(id_hashed, []))
    today = at.astimezone(st.cfg.tz).date()
    until = None
    for i in range(ns.count - 1, len(days)):
        if (days[i] - days[i - ns.count + 1]).days < ns.within_days:
            until = days[i] + timedelta(days=ns.block_days)
    return until if until is not None and today < until else None


def new_code(st, secret: bytes) -> str:
    """A fresh booking code (40 random bits; unique among the bookings in memory)."""
    while True:
        n = int.from_bytes(secret, "big")
        code = "".join(CODE_ALPHABET[(n >> (5 * i)) & 31] for i in range(CODE_LEN))
        if not st.book.code_taken(code):
            return code
        secret = hashlib.sha256(secret).digest()


def code_arg(a: Args, required: bool = True) -> str | None:
    """A booking code as the citizen typed it, read once: spaces and case do not matter."""
    code = a.str("code", required=required, max_len=16)
    return None if code is None else code.strip().upper()


def by_code_and_token(st, a: Args) -> tuple[Reservation, str]:
    """(the booking named by ``code`` and ``token``, its code); one answer for any mismatch."""
    code = code_arg(a)
    token = a.str("token", max_len=64)
    # the token first (a plain hash), then the code of that one booking: a restored booking's
    # code check is slow, so a wrong pair costs at most one of them
    r = st.book.by_token(token_check(token))
    if r is None or not r.has_code(code):
        raise HubError(B.NOT_FOUND, "not_found")
    return r, code
