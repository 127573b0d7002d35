"""考核 from the log of a small scripted month equals the hand-computed expectation.

The month (two days of November 2026, windows 1 and 2, clerks 1001 and 1002; service A's norm
is 900 s, the wait limit 1800 s, the default [kaohe] weights 30/25/15/10/10/5/5):

Day 1, 11-02: 1001 at window 1 09:00–12:00 (close-out) finishes A001 in 600 s, rated 5.
              1002 at window 2 09:00–12:00: calls B001 after 2400 s (over the limit), 过号;
              pauses 10:00–10:30 (会议); finishes A002 in 1200 s, rated 1 (case due 11-04).
Day 2, 11-03: 1002 at window 1 09:00–11:00 finishes A001 in 300 s, rated 2 (case due 11-05);
              the 11-02 case is closed in time at 10:00. On 11-10 the 11-05 case is overdue.

Clerk 1001: 办件量 1 of the best 2 → 50; 满意率 1/1 → 100; 差评 0 → 100; 时长 0.67 of the
  norm → 100; 在岗 3 h, no pause → 100; 超时 0, 过号 0 → 100, 100.
  Total 0.30·50 + 25 + 15 + 10 + 10 + 5 + 5 = 85.
Clerk 1002: 办件量 2 → 100; 满意率 0/2 → 0; 差评 2, 1 late → 100 − 20 − 10 = 70; 时长 mean
  (1.333 + 0.333)/2 = 0.83 → 100; 在岗 5 h, paused 0.5 → 90; 超时 1 of 3 first calls (33.3 %)
  → 100 − 2 × 33.3 = 33.33; 过号 1 of 3 → 33.33.
  Total 30 + 0 + 10.5 + 10 + 9 + 1.67 + 1.67 = 62.84.
Window 1 (1001 on day 1, 1002 on day 2): 办件量 2 → 100; 满意率 1/2 → 50; 差评 1 late → 80;
  时长 mean 0.5 → 100; 在岗 5 h → 100; 100; 100. Total 30 + 12.5 + 12 + 10 + 10 + 5 + 5 = 84.5.
Window 2: 办件量 1 → 50; 满意率 0/1 → 0; 差评 1 in time → 90; 时长 1.333 → 100 − 33.33 = 66.67;
  在岗 3 h, paused 0.5 → 83.33; 超时 1 of 2 first calls (50 %) → 0; 过号 1 of 2 → 0.
  Total 15 + 0 + 13.5 + 6.67 + 8.33 + 0 + 0 = 43.5.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date

import pytest

from hub.store import Store, open_readonly
from report import kaohe_view
from report.kaohe import kaohe
from report.period import parse_period
from tests.conftest import EXAMPLE
from wire.config import ConfigError, parse_config

TODAY = date(2026, 11, 10)
DEFAULTS = {"volume": {"weight": 30}, "satisfaction": {"weight": 25},
            "bad_rating": {"weight": 15, "points": 10, "late_points": 10},
            "handling": {"weight": 10, "points": 10}, "on_post": {"weight": 10},
            "over_limit": {"weight": 5, "points": 2}, "no_show": {"weight": 5, "points": 2}}


def config(kaohe_rules: dict):
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["kaohe"] = kaohe_rules
    return parse_config(data, "hall.toml")


def _t(day: str, hhmm: str) -> str:
    return f"2026-11-{day}T{hhmm}:00+08:00"


def _ticket(day: str, no: str) -> dict:
    return {"ticket_id": f"202611{day}-{no}", "no": no}


def _month() -> list[tuple[str, str, dict]]:
    """(at, kind, data) of the scripted month, in log order."""
    def login(w, s, reason=None):
        return {"window": w, "action": "login", "staff": s}

    def day1_2():
        a1, b1, a2 = _ticket("02", "A001"), _ticket("02", "B001"), _ticket("02", "A002")
        return [
            (_t("02", "09:00"), "window", login(1, "1001")),
            (_t("02", "09:00"), "window", login(2, "1002")),
            (_t("02", "09:05"), "called", a1 | {"window": 1, "staff": "1001", "wait_s": 300}),
            (_t("02", "09:15"), "finished", a1 | {"window": 1, "staff": "1001", "service": "A",
                                                  "service_s": 600}),
            (_t("02", "09:16"), "rated", a1 | {"window": 1, "staff": "1001", "score": 5,
                                               "level": "非常满意"}),
            (_t("02", "09:40"), "called", b1 | {"window": 2, "staff": "1002", "wait_s": 2400}),
            (_t("02", "09:45"), "skipped", b1 | {"window": 2, "staff": "1002"}),
            (_t("02", "10:00"), "window", {"window": 2, "action": "pause", "staff": "1002",
                                           "reason": "会议"}),
            (_t("02", "10:30"), "window", {"window": 2, "action": "resume", "staff": "1002"}),
            (_t("02", "10:40"), "called", a2 | {"window": 2, "staff": "1002", "wait_s": 600}),
            (_t("02", "11:00"), "finished", a2 | {"window": 2, "staff": "1002", "service": "A",
                                                  "service_s": 1200}),
            (_t("02", "11:01"), "rated", a2 | {"window": 2, "staff": "1002", "score": 1,
                                               "level": "非常不满意"}),
            (_t("02", "11:01"), "follow_up", a2 | {"action": "opened", "due": "2026-11-04"}),
            (_t("02", "12:00"), "day_closed", {"date": "2026-11-02", "windows": [
                {"window": 1, "staff": "1001"}, {"window": 2, "staff": "1002"}]}),
        ]
    a1 = _ticket("03", "A001")
    return day1_2() + [
        (_t("03", "09:00"), "window", login(1, "1002")),
        (_t("03", "09:10"), "called", a1 | {"window": 1, "staff": "1002", "wait_s": 60}),
        (_t("03", "09:20"), "finished", a1 | {"window": 1, "staff": "1002", "service": "A",
                                              "service_s": 300}),
        (_t("03", "09:21"), "rated", a1 | {"window": 1, "staff": "1002", "score": 2,
                                           "level": "不满意"}),
        (_t("03", "09:21"), "follow_up", a1 | {"action": "opened", "due": "2026-11-05"}),
        (_t("03", "10:00"), "follow_up", {"ticket_id": "20261102-A002", "action": "closed",
                                          "late": False, "due": "2026-11-04"}),
        (_t("03", "11:00"), "window", {"window": 1, "action": "logout", "staff": "1002"}),
        # another month's work counts nowhere in November's
        (_t("01", "09:00").replace("-11-", "-12-"), "finished",
         {**_ticket("01", "A001"), "window": 1, "staff": "1001", "service": "A",
          "service_s": 60}),
    ]


@pytest.fixture
def month_db(tmp_path):
    path = tmp_path / "hall.db"
    store = Store(str(path))
    seqs = []
    with store.transaction():
        for at, kind, data in _month():
            seqs.append(store.append_event(at, kind, "admin-1", None, data))
    store.close()
    return path, seqs


def run(path, cfg):
    conn = open_readonly(str(path))
    try:
        return kaohe(conn, parse_period("month", "2026-11"), cfg, TODAY)
    finally:
        conn.close()


def test_kaohe_equals_the_hand_computed_month(month_db):
    path, _ = month_db
    result = run(path, config(DEFAULTS))
    totals = {g: [(r.rank, r.key, r.total) for r in rows] for g, rows in result.items()}
    assert totals == {"staff": [(1, "1001", 85.0), (2, "1002", 62.84)],
                      "window": [(1, "1", 84.5), (2, "2", 43.5)]}
    scores = {(g, r.key): {k: i.score for k, i in r.items.items()}
              for g, rows in result.items() for r in rows}
    assert scores[("staff", "1002")] == {"volume": 100, "satisfaction": 0, "bad_rating": 70,
                                         "handling": 100, "on_post": 90,
                                         "over_limit": 33.33, "no_show": 33.33}
    assert scores[("window", "2")] == {"volume": 50, "satisfaction": 0, "bad_rating": 90,
                                       "handling": 66.67, "on_post": 83.33, "over_limit": 0,
                                       "no_show": 0}


def test_every_point_names_its_events(month_db):
    path, seqs = month_db
    clerk = next(r for r in run(path, config(DEFAULTS))["staff"] if r.key == "1002")
    ev = {k: [e.seq for e in i.evidence] for k, i in clerk.items.items()}
    month = _month()
    seq_of = {(m[0], m[1]): s for m, s in zip(month, seqs)}
    assert ev["over_limit"] == [seq_of[(_t("02", "09:40"), "called")]]
    assert ev["no_show"] == [seq_of[(_t("02", "09:45"), "skipped")]]
    # both 差评, then the overdue one again: the case open past its deadline
    rated = [seq_of[(_t("02", "11:01"), "rated")], seq_of[(_t("03", "09:21"), "rated")]]
    assert ev["bad_rating"] == rated + rated[1:]
    pause = next(e for e in clerk.items["on_post"].evidence if "暂停" in e.note)
    assert pause.note == "暂停（会议）" and pause.seq == seq_of[(_t("02", "10:00"), "window")]
    text = kaohe_view.evidence(clerk)
    assert f"事件#{rated[0]} 2026-11-02 11:01 A002 非常不满意" in text
    assert json.loads(json.dumps(kaohe_view.to_json({"staff": [clerk]}), ensure_ascii=False))


def test_the_weights_and_steps_come_from_the_config(month_db):
    path, _ = month_db
    rules = {k: {"weight": 0} for k in DEFAULTS} | {"no_show": {"weight": 1, "points": 1.5}}
    result = run(path, config(rules))  # 1002: 1 of 3 calls skipped: 100 − 1.5 × 33.3 = 50
    assert [(r.key, r.total) for r in result["staff"]] == [("1001", 100.0), ("1002", 50.0)]


@pytest.mark.parametrize("rules, error", [
    ({"volum": {"weight": 3}}, "kaohe.volum: unknown key (did you mean 'volume'?)"),
    ({"volume": {"wieght": 3}}, "kaohe.volume.wieght: unknown key (did you mean 'weight'?)"),
    ({"volume": {"weight": -1}}, "kaohe.volume.weight: must be ≥ 0"),
    ({k: {"weight": 0} for k in DEFAULTS}, "kaohe: the items' weights must not all be 0"),
])
def test_a_bad_kaohe_section_is_refused_clearly(rules, error):
    with pytest.raises(ConfigError, match=re.escape(error)):
        config(rules)


def test_hall_report_kaohe_prints_the_ranking_and_one_clerks_evidence(month_db, capsys,
                                                                         tmp_path):
    from report.cli import main

    path, _ = month_db
    base = ["kaohe", "--config", str(EXAMPLE), "--db", str(path), "--month", "2026-11",
            "--clock", "2026-11-10T09:00:00+08:00"]
    assert main(base + ["--json", str(tmp_path / "k.json")]) == 0
    out = capsys.readouterr().out
    assert "【人员考核】" in out and "【窗口考核】" in out and "62.84" in out
    assert json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))["staff"][0]["key"] \
        == "1001"
    assert main(base + ["--who", "1002"]) == 0
    out = capsys.readouterr().out
    assert "超时等候：1/3，得分 33.33，计 1.67 分" in out and "暂停（会议）" in out
    assert main(base + ["--who", "9999"]) == 2
    assert "没有找到 9999" in capsys.readouterr().err


def test_time_on_post_counts_only_the_halls_open_hours():
    from datetime import datetime

    from report.kaohe import open_seconds

    cfg = config(DEFAULTS)  # sessions 09:00–12:00 and 13:00–17:00, Monday to Friday
    friday = datetime.fromisoformat("2026-11-06T08:30:00+08:00")
    monday_night = datetime.fromisoformat("2026-11-09T00:05:00+08:00")
    # left on post from Friday morning until Monday's midnight close-out: Friday's 7 hours
    assert open_seconds(cfg, friday, monday_night) == 7 * 3600
    assert open_seconds(cfg, friday.replace(hour=11), friday.replace(hour=14)) == 2 * 3600
