"""A manager's typo from outside: ``booking.open_slots`` with "09:60" is refused ``bad_request``
and nothing reaches the hub's log, so every citizen's ``booking.slots`` of that day still
answers (before: the change was logged and each later look-up of the day was ``internal``).
A far ``from`` is refused too."""

from __future__ import annotations

from .booking_parts import TUE


def test_a_time_that_is_no_time_is_refused_and_stores_nothing(hall):
    web = hall.node("web")
    for start, end in (("09:60", "10:30"), ("09:00", "09:90")):
        reply = web.request("booking.open_slots", {"service": "A", "day": TUE, "start": start,
                                                   "end": end, "capacity": 2, "by": "值班主任"})
        assert not reply["ok"] and reply["error"]["code"] == "bad_request", reply
    kinds = [r["kind"] for r in hall.db_rows("SELECT kind FROM events")]
    assert "booking_slots_changed" not in kinds
    slots = web.request("booking.slots", {"service": "A", "from": TUE, "days": 1})
    assert slots["ok"] and slots["result"]["days"][0]["slots"], slots
    far = web.request("booking.slots", {"service": "A", "from": "9999-12-31"})
    assert not far["ok"] and far["error"]["code"] == "bad_request", far
