"""Every figure of the test day against a hand computation.

The day (tests/report/conftest.py play_day), Monday 2026-11-23, wait limit 30 min:

| ticket | taken | first call (window/staff) | wait | finished at | service | rating |
| A001 | 09:00 | 09:10 w1/1001 | 600  | w1 09:25 (no start: from call) | 900  | 5 |
| C001 | 09:00 | 09:20 w4/1004 | 1200 | w4 09:40 | 1200 | none |
| A002 | 09:05 | 09:15 w2/1002 | 600  | w2 09:27 (start 09:17) | 600 | 2 "等待时间长" |
| A003 | 09:10 | 09:30 w1/1001 | 1200 | skipped 09:33 at w1 (no-show) | - | - |
| C002 | 09:20 | 09:45 w4/1004 | 1500 | w4 09:55 | 600 | 4 |
| A004 | 09:30 | 09:35 w1/1001 | 300  | transferred A→C at w1 09:40; called w4 10:00, start 10:02, finished 10:30 | 1680 | 1 |
| A005 | 09:40 | 10:15 w2/1002 | 2100 (over the limit) | w2 10:25 | 600 | none |
| B001 | 10:40 | never called: closed by the hub's day close at 17:05 (waited 23100 s) | | | |
"""

from __future__ import annotations

import statistics

import pytest

from hub.store import open_readonly
from report.data import load
from report.figures import compute, p90, ranking
from report.period import parse_period

WAITS = [600, 1200, 600, 1200, 1500, 300, 2100]


@pytest.fixture(scope="module")
def fig(day_db, hall_config):
    conn = open_readonly(day_db)
    try:
        return compute(load(conn, parse_period("day", "2026-11-23")), hall_config)
    finally:
        conn.close()


def test_hall_counts_and_times(fig, hall_config):
    row = fig.views["hall"][hall_config.hall_id]
    assert (row["issued"], row["called"], row["served"], row["no_show"], row["transferred"],
            row["closed_unserved"]) == (8, 7, 6, 1, 1, 1)
    # waits sorted: 300 600 600 1200 1200 1500 2100
    assert row["wait_mean_s"] == pytest.approx(7500 / 7)
    assert row["wait_median_s"] == 1200
    assert row["wait_p90_s"] == 2100          # nearest rank: ceil(0.9 * 7) = 7th
    assert row["wait_max_s"] == 2100
    assert row["over_limit"] == 2             # A005 and B001 (limit 1800 s)
    # service times: 900 600 1200 600 1680 600
    assert row["service_mean_s"] == pytest.approx(5580 / 6)
    assert row["service_median_s"] == 750     # (600 + 900) / 2


def test_hall_ratings(fig, hall_config):
    row = fig.views["hall"][hall_config.hall_id]
    assert [row[f"level_{k}"] for k in (5, 4, 3, 2, 1)] == [1, 1, 0, 1, 1]
    assert row["rated"] == 4 and row["defaulted"] == 0
    assert row["satisfied_rate"] == pytest.approx(2 / 4)
    assert row["bad_rate"] == pytest.approx(2 / 4)
    assert row["unrated_rate"] == pytest.approx(2 / 6)   # C001, A005 finished, not rated


def test_per_window(fig):
    w = fig.views["window"]
    assert all(row["closed_unserved"] == 0 for row in w.values())
    assert set(w) == {1, 2, 4}
    # window 1 called A001, A003, A004; finished A001; skipped A003; transferred A004
    assert (w[1]["called"], w[1]["served"], w[1]["no_show"], w[1]["transferred"]) == (3, 1, 1, 1)
    assert w[1]["wait_mean_s"] == pytest.approx((600 + 1200 + 300) / 3)
    assert w[1]["service_mean_s"] == 900
    assert (w[1]["level_5"], w[1]["satisfied_rate"], w[1]["unrated_rate"]) == (1, 1.0, 0.0)
    assert w[1]["issued"] is None             # a window takes no tickets
    # window 2: A002 and A005
    assert (w[2]["called"], w[2]["served"], w[2]["over_limit"]) == (2, 2, 1)
    assert (w[2]["wait_median_s"], w[2]["wait_max_s"]) == (1350, 2100)
    assert (w[2]["level_2"], w[2]["bad_rate"], w[2]["unrated_rate"]) == (1, 1.0, 0.5)
    # window 4: C001, C002 first called here (waits 1200, 1500), A004 served after transfer
    assert (w[4]["called"], w[4]["served"], w[4]["no_show"]) == (3, 3, 0)
    assert w[4]["wait_mean_s"] == 1350 and w[4]["wait_p90_s"] == 1500
    assert w[4]["service_mean_s"] == pytest.approx((1200 + 600 + 1680) / 3)
    assert w[4]["service_median_s"] == 1200
    assert (w[4]["level_4"], w[4]["level_1"]) == (1, 1)
    assert w[4]["satisfied_rate"] == 0.5 and w[4]["unrated_rate"] == pytest.approx(1 / 3)


def test_per_staff_follows_the_window_posts(fig):
    s = fig.views["staff"]
    assert set(s) == {"1001", "1002", "1004"}
    assert s["1001"]["served"] == 1 and s["1002"]["served"] == 2 and s["1004"]["served"] == 3
    assert s["1004"]["bad_rate"] == 0.5 and s["1002"]["level_2"] == 1


def test_per_service(fig):
    a, c = fig.views["service"]["A"], fig.views["service"]["C"]
    assert (a["issued"], a["called"], a["served"], a["no_show"], a["transferred"]) \
        == (5, 5, 3, 1, 1)
    assert a["wait_mean_s"] == pytest.approx((600 + 600 + 1200 + 300 + 2100) / 5)
    assert a["over_limit"] == 1
    assert (c["issued"], c["called"], c["served"]) == (2, 2, 3)   # A004 served as C
    assert c["service_median_s"] == 1200
    b = fig.views["service"]["B"]
    assert (b["issued"], b["called"], b["closed_unserved"], b["over_limit"]) == (1, 0, 1, 1)
    assert b["wait_mean_s"] is None and b["unrated_rate"] is None
    # ratings follow the service served: A004's 非常不满意 counts for C
    assert (a["level_5"], a["level_2"], c["level_4"], c["level_1"]) == (1, 1, 1, 1)
    assert a["unrated_rate"] == pytest.approx(1 / 3) and c["unrated_rate"] == pytest.approx(1 / 3)


def test_rankings(fig):
    windows = ranking(fig, "window")
    assert [(r["rank"], r["key"]) for r in windows] == [(1, 1), (2, 4), (3, 2)]
    assert [r["name"] for r in windows] == ["1号窗口", "4号窗口", "2号窗口"]
    staff = ranking(fig, "staff")
    assert [r["key"] for r in staff] == ["1001", "1004", "1002"]


@pytest.mark.parametrize("kind,text,issued", [
    ("week", "2026-11-26", 8), ("week", "2026-W48", 8), ("month", "2026-11", 8),
    ("day", "2026-11-24", 0), ("week", "2026-11-30", 0), ("month", "2026-10", 0),
])
def test_periods_select_the_right_days(day_db, hall_config, kind, text, issued):
    conn = open_readonly(day_db)
    try:
        fig = compute(load(conn, parse_period(kind, text)), hall_config)
    finally:
        conn.close()
    row = fig.views["hall"][hall_config.hall_id]
    assert row["issued"] == issued
    if issued == 0:
        assert row["wait_mean_s"] is None and row["satisfied_rate"] is None
        assert row["unrated_rate"] is None and ranking(fig, "window") == []


def test_p90_nearest_rank():
    assert p90([]) is None
    assert p90([5]) == 5
    assert p90(list(range(1, 11))) == 9
    assert p90(list(range(1, 12))) == 10
    assert statistics.median(WAITS) == 1200 and p90(WAITS) == 2100
