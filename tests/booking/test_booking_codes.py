"""A hub restored from the county's copy holds its bookings without their codes: a code is
checked by the slow public ``code_check`` (1,000 pbkdf2 rounds). A wrong code must not cost one
such check per restored booking: counted here by the calls, never by time."""

from __future__ import annotations

import pytest

from hub.engine import bookstate
from wire.contract import HubError

from .conftest import engine_helpers as eh

TODAY, TUE = "2026-11-23", "2026-11-24"
STARTS = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "13:00", "13:30"]


@pytest.fixture
def restored(hall):
    """(hall rebuilt from public events, the bookings made): 2 of today, 16 of Tuesday."""
    made = []
    for i in range(18):
        day, start = (TODAY, ["10:30", "11:00"][i]) if i < 2 else (TUE, STARTS[i % 8])
        made.append(hall.do("web", "booking.make", service="A" if i % 2 else "D", day=day,
                            start=start, name="张三", phone=f"139{i:08d}",
                            id_number=eh.make_id(f"1101051949123{i:04d}")))
    engine = eh.QueueEngine(hall.cfg, b"another-hall-key-0123456789abcdef")
    for ev, at in hall.log:
        engine.apply(type(ev)(ev.kind, ev.public()), at)
    again = eh.Hall(hall.cfg, hall.at)
    again.engine = engine
    assert all(r.code is None for r in engine.state.book.by_bid.values())
    return again, made


@pytest.fixture
def hashes(monkeypatch):
    calls = []
    real = bookstate.code_check

    def counted(code: str, bid: str) -> str:
        calls.append(bid)
        return real(code, bid)
    monkeypatch.setattr(bookstate, "code_check", counted)
    return calls


def not_found(hall, node, op, **args) -> None:
    with pytest.raises(HubError) as info:
        hall.do(node, op, **args)
    assert info.value.code == "not_found"


def test_a_wrong_code_with_a_token_checks_one_code_at_most(restored, hashes):
    hall, made = restored
    not_found(hall, "web", "booking.show", code="ABCDEFGH", token=made[5]["token"])
    assert len(hashes) == 1
    not_found(hall, "web", "booking.cancel", code=made[5]["code"], token="x" * 22)
    assert len(hashes) == 1  # no booking has that token: no code is hashed
    shown = hall.do("web", "booking.show", code=made[5]["code"], token=made[5]["token"])
    assert shown["state"] == "booked" and len(hashes) == 2


def test_a_wrong_code_at_the_kiosk_checks_todays_restored_bookings_only(restored, hashes):
    hall, made = restored
    not_found(hall, "kiosk-1", "booking.checkin", code="ABCDEFGH")
    assert len(hashes) == 2  # today's two restored bookings, not Tuesday's sixteen
    hashes.clear()
    out = hall.do("kiosk-1", "booking.checkin", code=made[0]["code"])
    assert out["booking"]["state"] == "early" and len(hashes) <= 2


def test_a_code_typed_with_spaces_and_small_letters_is_the_same_code(hall):
    def make(day, start, i):
        return hall.do("web", "booking.make", service="A", day=day, start=start, name="张三",
                       id_number=eh.make_id(f"1101051949123{i:04d}"), phone=f"139{i:08d}")

    def typed(made):
        return f"  {made['code'].lower()} "
    tue, today = make(TUE, "09:00", 1), make(TODAY, "10:30", 2)
    shown = hall.do("web", "booking.show", code=typed(tue), token=tue["token"])
    assert shown["code"] == tue["code"]
    moved = hall.do("web", "booking.move", code=typed(tue), token=tue["token"], day=TUE,
                    start="09:30")
    assert moved["code"] == tue["code"]
    cancelled = hall.do("web", "booking.cancel", code=typed(tue), token=tue["token"])
    assert cancelled["code"] == tue["code"]
    out = hall.do("kiosk-1", "booking.checkin", code=typed(today))
    assert out["booking"]["state"] == "early"


def test_the_no_show_boundary_is_one_rule_for_the_tick_and_the_kiosk(hall):
    """At slot start + grace exactly the booking is still on time; a second later the tick
    makes it a no-show and the kiosk gives a late walk-in."""
    grace = hall.cfg.booking.grace_minutes
    made = [hall.do("web", "booking.make", service="A", day=TODAY, start="10:30", name="张三",
                    id_number=eh.make_id(f"1101051949123{i:04d}"), phone=f"139{i:08d}")
            for i in range(2)]
    hall.wait(minutes=30 + grace)  # 10:30 + grace
    assert not [ev for ev in hall.tick() if ev.kind == "booking_no_show"]
    on_time = hall.do("kiosk-1", "booking.checkin", code=made[0]["code"])
    assert on_time["booking"]["state"] == "on_time"
    hall.wait(seconds=1)
    assert [ev.kind for ev in hall.tick()].count("booking_no_show") == 1
    late = hall.do("kiosk-1", "booking.checkin", code=made[1]["code"])
    assert late["booking"]["state"] == "late_walk_in"
