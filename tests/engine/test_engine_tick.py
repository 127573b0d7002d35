"""Time-driven events: wait alerts and the end-of-day close-out (nothing silently dropped)."""

from __future__ import annotations

from datetime import datetime

from .engine_helpers import TZ, Hall


def test_wait_over_limit_alerts_once_per_ticket(hall):
    hall.take("A")
    hall.wait(hall.cfg.alerts.max_wait_s)
    hall.take("A")
    assert hall.tick() == []  # exactly at the limit: not over it
    hall.wait(1)
    evs = hall.tick()
    assert [(e.kind, e.data["kind"], e.data["no"]) for e in evs] == \
        [("alert", "wait_over_limit", "A001")]
    assert hall.tick() == []
    hall.open(1)
    hall.next(1)  # called: no longer waiting
    hall.wait(hall.cfg.alerts.max_wait_s)
    assert [e.data["no"] for e in hall.tick()] == ["A002"]


def test_day_close_at_the_end_of_the_last_session(hall):
    for _ in range(4):
        hall.take("A")
    hall.open(1)
    hall.next(1)
    hall.win(1, "finish")           # A001 done
    hall.next(1)
    hall.win(1, "skip")             # A002 no-show
    hall.next(1)
    hall.win(1, "hold")             # A003 held
    hall.take("A")                  # A005 waits with A004
    hall.next(1)                    # A004 in hand at closing time
    hall.at = datetime(2026, 11, 23, 16, 59, 59, tzinfo=TZ)
    assert [(e.kind, e.data["no"]) for e in hall.tick()] == [("alert", "A005")]  # waits 7 h
    assert "day_closed" not in hall.kinds()
    hall.at = datetime(2026, 11, 23, 17, 0, tzinfo=TZ)
    (ev,) = [e for e in hall.tick() if e.kind == "day_closed"]
    closed = {c["no"]: c["reason"] for c in ev.data["closed"]}
    assert closed == {"A002": "day_end_no_show", "A003": "day_end_held",
                      "A005": "day_end_waiting"}
    assert ev.data["counts"] == {"issued": 5, "finished": 1, "closed": 3,
                                 "day_end_waiting": 1, "day_end_held": 1,
                                 "day_end_no_show": 1, "day_end_unfinished": 0}
    assert ev.data["windows"] == []  # the clerk still serves A004
    assert hall.engine.queue_state(hall.at)["services"]["A"]["waiting"] == 0
    assert hall.tick() == []  # closed once
    hall.wait(300)
    hall.win(1, "finish")           # A004 finished after hours: fine
    hall.at = datetime(2026, 11, 24, 0, 0, 1, tzinfo=TZ)
    (ev,) = hall.tick()
    assert ev.kind == "day_closed" and ev.data["date"] == "2026-11-23"
    assert ev.data["closed"] == []
    assert ev.data["windows"] == [{"window": 1, "session_id": "20261123-1-1", "staff": "1001",
                                   "reason": "day_end"}]
    assert hall.engine.window_state(1)["status"] == "closed"


def test_midnight_closes_what_a_clerk_left_in_hand(hall):
    hall.take("B")
    hall.open(3)
    hall.next(3)
    hall.at = datetime(2026, 11, 24, 8, 0, tzinfo=TZ)
    evs = hall.tick()
    (ev,) = [e for e in evs if e.kind == "day_closed"]
    assert [(c["no"], c["reason"]) for c in ev.data["closed"]] == [("B001", "day_end_unfinished")]
    assert ev.data["counts"]["day_end_unfinished"] == 1
    assert hall.engine.window_state(3) == hall.engine.window_state(3) | {
        "status": "closed", "serving": None, "staff": None}
    hall.at = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
    hall.open(3)
    assert hall.engine.state.windows[3].session_id == "20261124-3-1"
    assert hall.take("B") == "B001"


def test_an_idle_day_has_no_close(cfg):
    hall = Hall(cfg, datetime(2026, 11, 28, 18, 0, tzinfo=TZ))  # Saturday, nothing happened
    assert hall.tick() == []


def test_a_clock_stepped_back_over_midnight_closes_nothing_of_the_day_after(hall):
    """Monday 10:00 → Sunday 23:00 (a wrong date typed at the hub): Monday's tickets have not
    even been issued as far as Sunday knows; they wait, and are called once time is right."""
    hall.take("A")
    hall.take("A")
    hall.at = datetime(2026, 11, 22, 23, 0, tzinfo=TZ)
    assert [e for e in hall.tick() if e.kind == "day_closed"] == []
    hall.at = datetime(2026, 11, 23, 10, 5, tzinfo=TZ)
    hall.open(1)
    assert hall.next(1) == "A001"
