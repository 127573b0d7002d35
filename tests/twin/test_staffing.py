"""hall-twin staffing: next week's 排班建议 from the log and the twin, written where hall-web's
console reads it (report.staffing), and bad input refused."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from hub.restore import restore
from report import staffing as plan_file
from tests.twin.recorded import recorded_events
from twin import log, staffing
from twin.cli import main
from twin.measure import Measured

HOURS = [9, 10, 11, 13, 14, 15, 16]


@pytest.fixture(scope="module")
def plan(recorded_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "staffing.json"
    assert main(["staffing", "--db", recorded_db, "--out", str(out)]) == 0
    return plan_file.read(out)


def test_next_week_has_a_plan_per_working_day(plan):
    assert plan["week_of"] == "2026-11-30" and plan["hours"] == HOURS
    assert [d["date"] for d in plan["days"]] == [
        "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    monday = plan["days"][0]
    assert monday["same_weekday"] and monday["design_day"] == "2026-11-23"
    assert not plan["days"][1]["same_weekday"]  # the log has Mondays only: the busiest day


def test_each_service_meets_the_limit_with_the_windows_it_is_given(plan):
    limit_min = plan["limit_s"] / 60
    for day in plan["days"]:
        services = day["services"]
        assert set(services) == set("ABCDEFGH")
        for p in services.values():
            assert len(p["windows"]) == len(HOURS) and not p["short"]
            assert all(w is None or w <= limit_min for w in p["p90_min"])
        assert day["total"] == [sum(col) for col in zip(*(p["windows"] for p in
                                                          services.values()))]
    # the morning peak (10:30) needs more windows than the end of the day
    total = plan["days"][0]["total"]
    assert total[HOURS.index(10)] > total[HOURS.index(16)]


def test_the_plan_prints_as_a_chinese_table(plan):
    title, heads, rows = plan_file.tables(plan)[0]
    assert title.startswith("2026-11-30 周一")
    assert heads[:2] == ["事项", "09时"] and rows[-1][0] == "合计"
    assert rows[5][0] == "公安户籍"


def test_bad_input_is_refused(recorded_db, tmp_path, capsys):
    assert main(["staffing", "--db", str(tmp_path / "none.db")]) == 2
    assert "no hub database" in capsys.readouterr().err
    assert main(["staffing", "--db", recorded_db, "--week-of", "2027-06-01",
                 "--out", "-"]) == 2
    assert "no tickets in the 4 weeks before 2027-05-31" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["staffing", "--db", recorded_db, "--weeks", "0"])
    assert exc.value.code == 2
    assert not (tmp_path / plan_file.FILE_NAME).exists()


def test_each_weekday_plans_from_its_own_days_when_the_log_has_them(tmp_path, hall_cfg,
                                                                    monkeypatch):
    # the recorded Monday, and again as a Tuesday with every 4th citizen staying home
    monday = list(recorded_events())
    tuesday = [shift(at, kind, data) for _, at, kind, data in monday
               if not (kind == "issued" and int(data["no"][1:]) % 4 == 0)]
    tuesday = [(len(monday) + i, *event) for i, event in enumerate(tuesday, 1)]
    db = str(tmp_path / "hall.db")
    restore(hall_cfg, db, "twodays", monday + tuesday)
    monkeypatch.setattr(staffing, "REPLICAS", 1)  # the basis is under test here, not the draws
    conn = log.open_log(db)
    try:
        plan = staffing.plan_week(conn, hall_cfg)
    finally:
        conn.close()
    mon, tue, wed = plan["days"][:3]
    assert (mon["design_day"], mon["same_weekday"], mon["tickets"]) == ("2026-11-23", True, 420)
    assert (tue["design_day"], tue["same_weekday"]) == ("2026-11-24", True)
    assert tue["tickets"] < 420 and tue["basis"] == ["2026-11-24"]
    # a Wednesday the log has none of: the busiest day of the weeks
    assert (wed["design_day"], wed["same_weekday"]) == ("2026-11-23", False)
    assert wed["basis"] == ["2026-11-23", "2026-11-24"]
    assert sum(tue["total"]) <= sum(mon["total"])


def shift(at: str, kind: str, data: dict) -> tuple[str, str, dict]:
    """An event of 2026-11-23 as the same event a day later."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("2026-11-23", "2026-11-24").replace("20261123-", "20261124-")
    return at.replace("2026-11-23", "2026-11-24"), kind, json.loads(text)


def test_a_service_nobody_came_for_needs_no_window(hall_cfg):
    start = datetime(2026, 11, 23, tzinfo=hall_cfg.tz)
    plan = staffing.plan_service(hall_cfg, "B", [], start, Measured(), 1)
    assert plan == {"windows": [0] * 7, "short": False, "p90_min": [None] * 7}
