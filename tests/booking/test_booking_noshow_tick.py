"""The 爽约 tick runs at every tick: bookings of later days are skipped before their slot's time
is computed, and stay booked (review of issue 26; counted, never timed)."""

from __future__ import annotations

import pytest

from hub.engine import checkin

from .conftest import engine_helpers as eh


@pytest.fixture
def starts(monkeypatch):
    calls = []
    real = checkin.slot_start

    def counted(st, day, start):
        calls.append(day)
        return real(st, day, start)
    monkeypatch.setattr(checkin, "slot_start", counted)
    return calls


def test_the_tick_looks_at_todays_bookings_only(hall, starts):
    hall.do("web", "booking.make", service="A", day="2026-11-23", start="10:30",
                    name="张三", id_number=eh.make_id(), phone="13800138000")
    for i, day in enumerate(["2026-11-24", "2026-11-25", "2026-11-26"]):
        hall.do("web", "booking.make", service="D", day=day, start="09:00", name="李四",
                id_number=eh.make_id(f"1101051949123{i:04d}"), phone=f"139{i:08d}")
    starts.clear()
    hall.wait(hours=1)  # 11:00: 10:30 + 15 grace passed
    evs = [ev for ev in hall.tick() if ev.kind == "booking_no_show"]
    assert [ev.data["day"] for ev in evs] == ["2026-11-23"]
    assert "2026-11-24" not in starts and set(starts) <= {"2026-11-23"}
    states = {r.day: r.state for r in hall.engine.state.book.by_bid.values()}
    assert states == {"2026-11-23": "no_show", "2026-11-24": "booked",
                      "2026-11-25": "booked", "2026-11-26": "booked"}
