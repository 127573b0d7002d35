"""The demo's citizens rate worse after long waits; the verdict reads the day from the log."""

from __future__ import annotations

import json
import sqlite3

from hallsim.people import score_after_wait
from hallsim.verdict import day_verdict, verdict_text


def test_long_waits_cost_points():
    assert score_after_wait(5, 600) == 5
    assert score_after_wait(5, 1801) == 4
    assert score_after_wait(5, 3601) == 3
    assert score_after_wait(2, 7200) == 1
    assert score_after_wait(None, 7200) is None


def test_the_verdict_of_a_small_day(tmp_path):
    db = tmp_path / "hall.db"
    at = "2026-11-23T{}:00+08:00".format
    rows = [
        (at("10:00"), "issued", {"ticket_id": "t1", "est_wait_s": 600}),
        (at("10:01"), "issued", {"ticket_id": "t2", "est_wait_s": 0}),
        (at("10:02"), "issued", {"ticket_id": "t3", "est_wait_s": 300}),
        (at("10:20"), "called", {"ticket_id": "t1", "wait_s": 1200}),
        (at("10:21"), "called", {"ticket_id": "t1", "wait_s": 1200}),   # a recall
        (at("10:41"), "called", {"ticket_id": "t2", "wait_s": 2400}),
        (at("10:40"), "alert", {"kind": "wait_over_limit", "ticket_id": "t2"}),
        (at("10:41"), "alert", {"kind": "assist_suggested", "window": 8}),
        (at("10:42"), "window", {"action": "assign", "window": 8, "by": "值班主任"}),
        (at("11:00"), "rated", {"score": 2}),
        (at("17:00"), "day_closed", {"closed_at": at("17:00"), "counts": {
            "day_end_waiting": 1}, "closed": [{"ticket_id": "t3", "reason": "day_end_waiting"}]}),
    ]
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT, kind TEXT, "
                     "data TEXT)")
        conn.executemany("INSERT INTO events(at, kind, data) VALUES (?, ?, ?)",
                         [(a, k, json.dumps(d)) for a, k, d in rows])
    v = day_verdict(db, told_at_kiosk=2)
    assert v["closed_out"] == 1 and v["told_at_kiosk"] == 2 and v["issued"] == 3
    assert v["longest_wait_min"] == 418          # t3: 10:02 to the close
    assert v["waits_over_limit"] == 1
    assert v["estimate_error_median_min"] == 25.0  # |1200-600| and |2400-0|: median 1500 s
    assert v["estimate_error_p90_min"] == 40.0
    assert v["assist_suggested"] == 1 and v["assignments"] == 1 and v["bad_ratings"] == 1
    assert v["assignments_by"] == {"值班主任": 1}
    assert "closed out 1" in verdict_text(v) and "1 by 值班主任" in verdict_text(v)
