"""booking.* ops on the engine: slots, make, show, cancel, move, check-in, no-show, limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wire.contract import HubError

from .conftest import engine_helpers as eh

ID1 = eh.make_id("11010519491231002")
ID2 = eh.make_id("61010219900307123")
TUE = "2026-11-24"


def book(hall, node="web", service="A", day=TUE, start="09:00", id_number=ID1,
         phone="13800138000", name="张三"):
    return hall.do(node, "booking.make", service=service, day=day, start=start, name=name,
                   id_number=id_number, phone=phone)


def refused(fn, *args, **kw) -> HubError:
    with pytest.raises(HubError) as info:
        fn(*args, **kw)
    return info.value


def test_slots_come_from_hours_windows_and_service_time(hall):
    out = hall.do("web", "booking.slots", service="A", days=2)
    today, tue = out["days"]
    assert tue["open"] and tue["slots"][0]["start"] == "09:00"
    assert len(tue["slots"]) == 14  # 3 h + 4 h in 30-minute slots
    assert all(s["capacity"] > 0 and s["free"] == s["capacity"] for s in tue["slots"])
    assert today["slots"][0]["start"] == "10:30"  # begun slots are not for sale
    sat = hall.do("web", "booking.slots", service="A", **{"from": "2026-11-28"}, days=1)
    assert sat["days"][0]["open"] is False and sat["days"][0]["reason"]


def test_make_show_cancel(hall):
    made = book(hall)
    assert len(made["code"]) == 8 and not set(made["code"]) & set("0O1I")
    assert made["materials"] and made["end"] == "09:30"
    shown = hall.do("web", "booking.show", code=made["code"], token=made["token"])
    assert shown["state"] == "booked" and shown["name_mask"] == "张*"
    assert shown["phone_mask"] == "138****8000"
    e = refused(hall.do, "web", "booking.show", code=made["code"], token="x" * 32)
    assert e.code == "not_found"
    assert refused(hall.do, "web", "booking.show", code="ABCDEFGH",
                   token=made["token"]).message == e.message
    hall.do("web", "booking.cancel", code=made["code"], token=made["token"])
    assert hall.do("web", "booking.show", code=made["code"],
                   token=made["token"])["state"] == "cancelled"


def test_refusals(hall):
    assert refused(book, hall, id_number=ID1[:17] + ("0" if ID1[17] != "0" else "1")
                   ).code == "bad_id"
    book(hall)
    assert refused(book, hall, start="10:00").code == "already_booked"
    assert refused(book, hall, day="2026-11-28").code == "closed"
    assert refused(book, hall, day="2026-12-25").code == "closed"
    assert refused(book, hall, service="B").code == "closed"  # not bookable


def test_slot_never_oversold(hall):
    cap = hall.do("web", "booking.slots", service="D", **{"from": TUE},
                  days=1)["days"][0]["slots"][0]["capacity"]
    ok = 0
    for i in range(cap + 3):
        try:
            book(hall, service="D", id_number=eh.make_id(f"1101051949123{i:04d}"),
                 phone=f"139{i:08d}")
            ok += 1
        except HubError as e:
            assert e.code == "slot_full"
    assert ok == cap


def test_phone_and_id_limits(hall):
    for i, day in enumerate(["2026-11-24", "2026-11-25", "2026-11-26"]):
        book(hall, day=day, id_number=eh.make_id(f"1101051949123{i:04d}"))
    e = refused(book, hall, day="2026-11-27", id_number=ID2)
    assert e.code == "rate_limited"


def test_move_is_atomic_and_keeps_code(hall):
    made = book(hall)
    moved = hall.do("web", "booking.move", code=made["code"], token=made["token"],
                    day="2026-11-25", start="14:00")
    assert (moved["code"], moved["token"], moved["day"]) == (made["code"], made["token"],
                                                             "2026-11-25")
    slots = hall.do("web", "booking.slots", service="A", **{"from": TUE}, days=2)["days"]
    assert slots[0]["slots"][0]["booked"] == 0
    assert [s for s in slots[1]["slots"] if s["start"] == "14:00"][0]["booked"] == 1


def test_checkin_on_time_early_and_no_show(hall):
    made = book(hall, day="2026-11-23", start="11:00")
    e = refused(hall.do, "kiosk-1", "booking.checkin", code=made["code"])
    assert e.code == "too_early"
    hall.wait(minutes=40)  # 10:40: early
    out = hall.do("kiosk-1", "booking.checkin", code=made["code"])
    assert out["booking"]["state"] == "early" and out["ticket"]["no"].startswith("A")
    assert out["ticket"]["token"]
    shown = hall.do("web", "booking.show", code=made["code"], token=made["token"])
    assert shown["state"] == "checked_in" and shown["ticket"]["number"] == out["ticket"]["no"]
    other = book(hall, day="2026-11-23", start="11:30", id_number=ID2, phone="13900000000")
    hall.wait(minutes=66)  # 11:46: 11:30 + 15 grace passed
    kinds = [ev.kind for ev in hall.tick()]
    assert "booking_no_show" in kinds
    late = hall.do("kiosk-1", "booking.checkin", id_number=ID2)
    assert late["booking"]["state"] == "late_walk_in" and late["ticket"]["appointment"] is False
    assert hall.do("web", "booking.show", code=other["code"],
                   token=other["token"])["state"] == "no_show"


def test_no_shows_block(hall):
    for i, day in enumerate(["2026-11-23", "2026-11-23", "2026-11-23"]):
        book(hall, day=day, start=["10:30", "11:00", "11:30"][i], service="ACD"[i])
    hall.wait(hours=2)
    hall.tick()
    e = refused(book, hall, day="2026-11-25")
    assert e.code == "blocked" and e.until == "2026-12-23"


def test_close_and_open_slots(hall):
    made = book(hall)
    hall.do("web", "booking.close_slots", service="A", day=TUE, start="09:00", end="10:00",
            reason="系统升级", by="值班主任")
    assert refused(book, hall, start="09:30", id_number=ID2).code == "closed"
    hall.do("web", "booking.open_slots", service="A", day=TUE, start="16:30", end="17:00",
            capacity=2, by="值班主任")
    book(hall, start="16:30", id_number=ID2, phone="13900000000")
    day = hall.do("web", "booking.day", day=TUE)
    a = next(s for s in day["services"] if s["service"] == "A")
    first = a["slots"][0]
    assert first["reason"] == "系统升级" and first["bookings"][0]["code"] == made["code"]
    assert refused(hall.do, "web", "booking.close_slots", service="A", day=TUE).code == \
        "bad_request"
    assert refused(hall.do, "web", "booking.open_slots", service="A", day=TUE, start="17:00",
                   end="17:30", capacity=2, by="值班主任").code == "closed"  # after hours


def test_replay_and_checkpoint_rebuild_the_same_bookings(hall):
    made = book(hall)
    fresh = eh.QueueEngine(hall.cfg, eh.KEY)
    for ev, at in hall.log:
        fresh.apply(ev, at)
    assert fresh.state.book == hall.engine.state.book
    assert fresh.state.book.by_code(made["code"]) is not None
    from hub.engine import checkpoint
    again = eh.QueueEngine(hall.cfg, eh.KEY)
    checkpoint.load(again.state, checkpoint.dump(hall.engine.state))
    assert again.state.book == hall.engine.state.book
    hall.wait(timedelta(days=0).total_seconds())


def test_a_log_restored_from_the_countys_copy_still_honours_the_booking(hall):
    """hub.restore gets only public event data: the booking keeps its place, its code checks
    it in and its token opens it (docs/booking.md "Events")."""
    made = book(hall, day="2026-11-23", start="10:30")
    restored = eh.QueueEngine(hall.cfg, b"another-hall-key-0123456789abcdef")
    for ev, at in hall.log:
        restored.apply(type(ev)(ev.kind, ev.public()), at)
    again = eh.Hall(hall.cfg, hall.at)
    again.engine = restored
    shown = again.do("web", "booking.show", code=made["code"], token=made["token"])
    assert shown["state"] == "booked" and shown["name_mask"] is None
    assert refused(again.do, "web", "booking.show", code=made["code"],
                   token="y" * 22).code == "not_found"
    out = again.do("kiosk-1", "booking.checkin", code=made["code"])
    assert out["booking"]["state"] == "early"
    slots = again.do("web", "booking.slots", service="A", days=1)["days"][0]["slots"]
    assert next(s for s in slots if s["start"] == "10:30")["booked"] == 1


def test_the_kiosk_books_with_the_id_number_as_the_real_name(hall):
    made = hall.do("kiosk-1", "booking.make", service="A", day=TUE, start="09:00",
                   id_number=ID1, phone="13800138000", by="kiosk")
    shown = hall.do("kiosk-1", "booking.show", code=made["code"], token=made["token"])
    assert shown["name_mask"] == ID1[:4] + "*" * 10 + ID1[-4:]
    assert refused(hall.do, "web", "booking.make", service="A", day=TUE, start="09:30",
                   id_number=ID2, phone="13900000000").code == "bad_request"  # web: a name


def test_slots_follow_the_measured_time_of_recent_weeks(hall):
    from hub.engine.bookstate import RECENT_DAYS

    def first_capacity():
        return hall.do("web", "booking.slots", service="D", **{"from": TUE},
                       days=1)["days"][0]["slots"][0]["capacity"]
    configured = first_capacity()          # D: service_s 420 s
    book_ = hall.engine.state.book
    book_.note_day("2026-11-20", {"D": (5 * 840.0, 5)})
    assert first_capacity() == configured  # 5 tickets measured: not yet enough
    book_.note_day("2026-11-21", {"D": (5 * 840.0, 5)})
    assert first_capacity() == configured // 2  # twice as slow: half the places
    book_.note_day("2026-12-30", {})       # four weeks later those days no longer count
    assert RECENT_DAYS == 28 and first_capacity() == configured
