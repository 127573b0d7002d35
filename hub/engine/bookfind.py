"""``booking.find`` (docs/booking.md "查询我的预约"): a citizen who lost the booking's link finds
the open bookings again by the ID number **and** the phone number given when booking.

The pair is the secret: a booking matches only when both keyed hashes are its own, and any
mismatch (wrong ID, wrong phone, no booking) is the one ``not_found``. The token is never kept
(only its check), so finding a booking gives it a fresh token: one ``booking_relinked`` event
with the new ``token_check``; the old link stops opening it. Guessing is bounded by the hub's
``book_find`` class (per ID and per phone: hub.ratelimit) and hall-web's per-address limit.
"""

from __future__ import annotations

import hmac
import secrets

from hub.engine import bookstrings as B
from hub.engine.args import Args, check_id_no, check_phone, id_hash, phone_hash
from hub.engine.bookings import answer
from hub.engine.bookrules import rules_of
from hub.engine.bookstate import BOOKED, token_check
from hub.engine.types import Decision, Event
from wire.contract import BadRequest, HubError


def find(st, a: Args, ctx) -> Decision:
    """``booking.find``: ``{id_number, phone}`` → the person's open bookings, each with a new
    token; ``not_found`` alike for a wrong ID, a wrong phone or none open."""
    rules_of(st)
    id_no, phone = a.str("id_number", max_len=24), a.str("phone", max_len=24)
    a.done()
    try:
        id_no, phone = check_id_no(id_no), check_phone(phone)
    except BadRequest:  # only the shape: says nothing of any booking
        raise HubError(B.FIND_BAD_INPUT, "bad_id") from None
    who = id_hash(st.id_key, id_no)
    phone_hashed = phone_hash(st.id_key, phone)
    mine = sorted((r for r in st.book.open_of("id_hash", who)
                   if r.state == BOOKED and r.code is not None and r.phone_hash is not None
                   and hmac.compare_digest(r.phone_hash, phone_hashed)),
                  key=lambda r: (r.day, r.start))
    if not mine:
        raise HubError(B.FIND_NONE, "not_found")
    found, events = [], []
    for r in mine:
        token = secrets.token_urlsafe(16)
        found.append(answer(st, r, r.code, token) | {"state": r.state})
        events.append(Event("booking_relinked", {"bid": r.bid,
                                                 "token_check": token_check(token)}))
    return Decision({"bookings": found}, events)
