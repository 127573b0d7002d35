"""booking.find (查询我的预约): by ID number and phone together, one answer for any mismatch,
a fresh token per found booking (the old link stops), and the per-ID / per-phone limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub import ops
from hub.engine import QueueEngine
from hub.ratelimit import Limiter, limits_of
from wire.contract import HubError

from .conftest import engine_helpers as eh

ID1 = eh.make_id("11010519491231002")
ID2 = eh.make_id("61010219900307123")
PHONE, OTHER_PHONE = "13800138000", "13900139000"


def book(hall, start="09:00", day="2026-11-24", service="A", id_number=ID1, phone=PHONE):
    return hall.do("web", "booking.make", service=service, day=day, start=start, name="张三",
                   id_number=id_number, phone=phone)


def refused(hall, **args) -> HubError:
    with pytest.raises(HubError) as info:
        hall.do("web", "booking.find", **args)
    return info.value


def test_find_gives_open_bookings_with_a_new_link(hall):
    a = book(hall)
    c = book(hall, start="10:00", service="C")
    cancelled = book(hall, day="2026-11-25")
    hall.do("web", "booking.cancel", code=cancelled["code"], token=cancelled["token"])
    book(hall, id_number=ID2, phone=PHONE, start="11:00")  # same phone, another person
    out = hall.do("web", "booking.find", id_number=" " + ID1.lower(), phone=PHONE)
    found = out["bookings"]
    assert [(b["code"], b["start"]) for b in found] == [(a["code"], "09:00"), (c["code"], "10:00")]
    assert all(b["state"] == "booked" and b["token"] != a["token"] for b in found)
    assert hall.kinds()[-2:] == ["booking_relinked", "booking_relinked"]
    shown = hall.do("web", "booking.show", code=found[0]["code"], token=found[0]["token"])
    assert shown["state"] == "booked"
    with pytest.raises(HubError) as old:  # the lost link no longer opens it
        hall.do("web", "booking.show", code=a["code"], token=a["token"])
    assert old.value.code == "not_found"


def test_a_wrong_id_a_wrong_phone_and_no_booking_answer_alike(hall):
    book(hall)
    wrong_phone = refused(hall, id_number=ID1, phone=OTHER_PHONE)
    wrong_id = refused(hall, id_number=ID2, phone=PHONE)
    nobody = refused(hall, id_number=ID2, phone=OTHER_PHONE)
    assert {(e.code, e.message) for e in (wrong_phone, wrong_id, nobody)} == {
        ("not_found", wrong_phone.message)}
    assert "booking_relinked" not in hall.kinds()
    bad = refused(hall, id_number=ID1[:17] + ("0" if ID1[17] != "0" else "1"), phone=PHONE)
    assert bad.code == "bad_id"  # the shape of the input only: the same for every number


def test_checked_in_and_past_bookings_are_not_found(hall):
    made = book(hall, day="2026-11-23", start="10:30")
    hall.wait(minutes=20)
    hall.do("kiosk-1", "booking.checkin", code=made["code"])
    assert refused(hall, id_number=ID1, phone=PHONE).code == "not_found"


def test_relinked_survives_replay(hall):
    book(hall)
    token = hall.do("web", "booking.find", id_number=ID1, phone=PHONE)["bookings"][0]
    again = QueueEngine(hall.cfg, eh.KEY)
    for ev, at in hall.log:
        again.apply(ev, at)
    assert eh.snapshot(again) == eh.snapshot(hall.engine)
    r = next(iter(again.state.book.by_bid.values()))
    assert r.token_check != "" and token["code"] == r.code


def test_the_person_class_stops_guessing_per_id_and_per_phone(hall):
    limiter = Limiter(limits_of({}))
    op, at = ops.OPS["booking.find"], hall.at
    burst = limiter.limits["book_find"].burst
    guesses = [{"id_number": ID1, "phone": f"1380013{n:04d}"} for n in range(burst + 1)]
    assert [limiter.allow(op, "web", g, at) for g in guesses] == [True] * burst + [False]
    # the ID's bucket is empty: another node or spelling does not help, another ID does
    assert not limiter.allow(op, "web-2", {"id_number": ID1.lower() + " ", "phone": "1"}, at)
    phones = [{"id_number": eh.make_id(f"1101051949123{n:04d}"), "phone": PHONE}
              for n in range(burst + 1)]
    assert [limiter.allow(op, "web", g, at) for g in phones] == [True] * burst + [False]
    later = at + timedelta(minutes=10)  # refilled at the class's pace
    assert limiter.allow(op, "web", {"id_number": ID1, "phone": OTHER_PHONE}, later)
