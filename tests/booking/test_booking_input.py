"""Malformed times and days in booking ops are refused ``bad_request`` and change nothing
(review of issue 26: "09:60" was stored and broke every later booking.slots of that day)."""

from __future__ import annotations

import pytest

from hub.engine.types import Event
from wire.contract import HubError

from .conftest import engine_helpers as eh

TUE = "2026-11-24"


def refused(hall, op, **args) -> HubError:
    n = len(hall.log)
    with pytest.raises(HubError) as info:
        hall.do("web", op, **args)
    assert len(hall.log) == n  # nothing stored
    return info.value


@pytest.mark.parametrize("start, end", [("09:60", "10:30"), ("09:00", "09:90"),
                                        ("24:00", "24:30"), ("16:30", "24:00"),
                                        ("9:30", "10:00"), ("-1:00", "10:00")])
def test_open_slots_with_no_real_time_is_refused_and_slots_still_answer(hall, start, end):
    e = refused(hall, "booking.open_slots", service="A", day=TUE, start=start, end=end,
                capacity=2, by="值班主任")
    assert e.code == "bad_request" and "HH:MM" in e.message
    day = hall.do("web", "booking.slots", service="A", **{"from": TUE}, days=1)["days"][0]
    assert day["open"] and day["slots"][0]["start"] == "09:00"


def test_close_slots_shares_the_time_rule(hall):
    e = refused(hall, "booking.close_slots", service="A", day=TUE, start="09:00",
                end="10:75", by="值班主任")
    assert e.code == "bad_request"
    hall.do("web", "booking.close_slots", service="A", day=TUE, start="09:00", end="23:59",
            by="值班主任")  # the last minute of a day is a time


@pytest.mark.parametrize("start", ["10:61", "25:00"])
def test_make_with_no_real_time_is_a_bad_request(hall, start):
    e = refused(hall, "booking.make", service="A", day=TUE, start=start, name="张三",
                id_number=eh.make_id(), phone="13800138000")
    assert e.code == "bad_request"


@pytest.mark.parametrize("first", ["9999-12-31", "2027-12-02", "2025-11-21"])
def test_slots_from_far_outside_the_window_is_refused(hall, first):
    e = refused(hall, "booking.slots", service="A", **{"from": first})
    assert e.code == "bad_request" and "args.from" in e.message


def test_slots_from_the_window_edges_still_answer(hall):
    for first in ("2026-11-30", "2027-12-01", "2025-11-22"):  # last day; ± 366 days
        day = hall.do("web", "booking.slots", service="A", **{"from": first}, days=31)
        assert day["days"][0]["day"] == first


def test_a_log_written_before_the_check_no_longer_breaks_the_day(hall):
    """A hub whose log already holds an "09:60" slot change (as the check's absence let it
    write) replays it as nothing: the day's slots answer again."""
    ev = Event("booking_slots_changed", {"action": "open", "service": "A", "day": TUE,
                                         "start": "09:60", "end": "10:30", "capacity": 2,
                                         "by": "值班主任"})
    hall.engine.apply(ev, hall.at)
    day = hall.do("web", "booking.slots", service="A", **{"from": TUE}, days=1)["days"][0]
    assert day["open"] and "09:60" not in [s["start"] for s in day["slots"]]
