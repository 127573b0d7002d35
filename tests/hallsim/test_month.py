"""``hall-demo --days 3`` (issue 28 items 2–4): a short month at high speed on one database —
day boundaries, numbering that starts again each morning, the close-out and the hub's nightly
upkeep every night, the skipped nights in the log, and the month's 通报, export and 考核 made
from its events. Everything is read back from the files the run leaves (sqlite3, openpyxl)."""

import json
import socket
import sqlite3
from collections import Counter

import pytest
from openpyxl import load_workbook

from hallsim.demo import main
from tests.conftest import EXAMPLE

DAYS = ("2026-12-01", "2026-12-02", "2026-12-03")


@pytest.fixture
def short_hall(tmp_path):
    """The example hall open one hour a day: a day of the run lasts seconds."""
    text = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "hall.toml"
    path.write_text(text.replace('sessions = [["09:00", "12:00"], ["13:00", "17:00"]]',
                                 'sessions = [["09:00", "10:00"]]'), encoding="utf-8")
    return path


def test_a_short_month_runs_day_after_day_on_one_database(short_hall, tmp_path, capsys):
    out = tmp_path / "month"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        web = f"127.0.0.1:{s.getsockname()[1]}"
    assert main(["--config", str(short_hall), "--days", "3", "--speed", "900", "--visitors",
                 "300", "--out", str(out), "--web", web]) == 0
    printed = capsys.readouterr().out
    days_part = printed[:printed.index("RSS MB per process per day")]  # the day lines
    lines = [ln for ln in days_part.splitlines() if ln.startswith(DAYS)]
    assert [ln[:10] for ln in lines] == list(DAYS), printed[-3000:]
    assert "当晚主机重启" in lines[1] and "5号窗口缺勤" in lines[1]

    with sqlite3.connect(f"file:{out / 'hall.db'}?mode=ro", uri=True) as conn:
        q = conn.execute
        tickets = q("SELECT ticket_id, date, no, status FROM tickets").fetchall()
        for day in DAYS:  # each day's numbers start again at 001, under that day's id
            mine = [t for t in tickets if t[1] == day]
            assert len(mine) >= 10, (day, len(mine))
            assert all(t[0] == f"{day.replace('-', '')}-{t[2]}" for t in mine)
            assert min(int(t[2][1:]) for t in mine) == 1
        # closed out: nothing of any day is left waiting, called or in a clerk's hand
        assert not [t for t in tickets if t[3] in ("waiting", "called", "serving", "held")]
        closed = {json.loads(d)["date"] for (d,) in q(
            "SELECT data FROM events WHERE kind = 'day_closed'")}
        assert closed == set(DAYS)
        upkeep = [json.loads(d) for (d,) in q(
            "SELECT data FROM events WHERE kind = 'maintenance' ORDER BY seq")]
        assert {u["date"] for u in upkeep} == set(DAYS)
        assert all(u["integrity"] == "ok" and "errors" not in u for u in upkeep), upkeep
        steps = [json.loads(d) for (d,) in q(
            "SELECT data FROM events WHERE kind = 'clock_step' ORDER BY seq")]
        assert [s["to"][:16] for s in steps] == [  # past midnight, then the morning
            "2026-12-02T00:05", "2026-12-02T08:50", "2026-12-03T00:05", "2026-12-03T08:50",
            "2026-12-04T00:05"]
        marks = [(k, json.loads(d)) for k, d in q(
            "SELECT kind, data FROM events WHERE kind IN ('clock_step', 'day_closed') "
            "ORDER BY seq")]
        for i, (kind, data) in enumerate(marks[:-1]):  # the evening closed before the morning
            if kind == "clock_step" and data["to"][11:16] == "00:05":
                assert marks[i + 1][0] == "day_closed", marks
        finished = Counter(json.loads(d)["staff"] for (d,) in q(
            "SELECT data FROM events WHERE kind = 'finished'"))
        absent = q("SELECT count(*) FROM events WHERE kind = 'window' AND at LIKE "
                   "'2026-12-02%' AND json_extract(data, '$.window') = 5").fetchone()[0]
    assert absent == 0  # window 5's clerk stayed away on the second day
    for day in DAYS:
        assert (out / "backup" / f"demo-{day}.db").stat().st_size > 0

    month = out / "month"
    kaohe = json.loads((month / "kaohe.json").read_text(encoding="utf-8"))
    volume = {r["key"]: int(r["items"]["volume"]["measure"]) for r in kaohe["staff"]}
    # the 考核's 办件量 is the log's 办结 per clerk (a clerk on post who finished nobody, as a
    # loaded machine's short month may leave one, is listed with 0)
    assert {k: v for k, v in volume.items() if v} == dict(finished)
    page = (month / "yuetongbao-2026-12.html").read_text(encoding="utf-8")
    assert "2026年12月" in page and "人员考核" in page and 'src="charts/' in page
    assert "图表" in load_workbook(month / "yuetongbao-2026-12.xlsx").sheetnames
    export = (month / "haochaping-2026-12.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(export) > 10
    figures = json.loads((out / "month.json").read_text(encoding="utf-8"))["lines"]
    # every process's memory, the hub's apart (a process of its own: hallsim/hubproc.py)
    assert all(all(d["rss_mb"][p] for p in ("hub", "nodes", "web", "broker"))
               and d["db_bytes"] > 0 for d in figures)
    table = printed[printed.index("RSS MB per process per day"):].splitlines()
    assert [ln[:10] for ln in table[1:4]] == list(DAYS) and "hall-hub" in printed
