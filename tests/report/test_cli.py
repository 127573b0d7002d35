"""hall-report end to end: tables, CSV, Excel, charts, HTML and export from the test day's
database, and a follow-up recorded through the hub over a real Mosquitto."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import struct
from pathlib import Path

import pytest

from report.cli import main
from tests.conftest import EXAMPLE


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def fig_args(db, *extra):
    return ["figures", "--config", str(EXAMPLE), "--db", db, *extra]


def test_terminal_tables(day_db, capsys):
    code, out, _ = run(capsys, *fig_args(day_db, "--day", "2026-11-23"))
    assert code == 0
    assert out.splitlines()[0] == "示范县政务服务中心 2026年11月23日 办件与评价统计"
    for head in ("【全厅】", "【窗口】", "【工作人员】", "【事项】", "【窗口排名】", "【人员排名】"):
        assert head in out
    hall = out.split("【全厅】")[1].splitlines()[3]
    # issued called served no-show transferred closed-unserved, waits in minutes, over limit
    assert hall.split()[2:13] == ["8", "7", "6", "1", "1", "1", "17.9", "20.0", "35.0", "35.0",
                                  "2"]
    assert "50.0%" in hall and "33.3%" in hall
    ranking = out.split("【窗口排名】")[1].splitlines()[3:6]
    assert [line.split()[2] for line in ranking] == ["1号窗口", "4号窗口", "2号窗口"]


def test_files_for_the_manager(day_db, capsys, pictures):
    folder = pictures("reports") / "cli"  # a person opens the charts and the workbook
    code, _, err = run(capsys, *fig_args(day_db, "--week", "2026-11-23", "--csv",
                                         str(folder / "csv"), "--xlsx",
                                         str(folder / "report.xlsx"), "--charts",
                                         str(folder), "--html", str(folder / "summary.html")))
    assert code == 0, err
    rows = list(csv.reader((folder / "csv" / "report-2026-W48-window.csv")
                           .open(encoding="utf-8-sig")))
    assert rows[0][:4] == ["窗口", "名称", "取号数", "叫号数"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "4"]
    from openpyxl import load_workbook

    wb = load_workbook(folder / "report.xlsx")
    assert wb.sheetnames == ["全厅", "窗口", "工作人员", "事项", "窗口排名", "人员排名",
                             "人员考核", "窗口考核", "图表"]
    assert len(wb["图表"]._images) == 3  # the PNG charts inside the workbook
    ws = wb["事项"]
    assert ws["A1"].value == "示范县政务服务中心 2026年11月23日至11月29日 办件与评价统计"
    assert [c.value for c in ws[3]][:8] == ["A", "企业开办", 5, 5, 3, 1, 1, 0]
    assert [c.value for c in ws[4]][:8] == ["B", "工程建设项目", 1, 0, 0, 0, 0, 1]
    for name in ("arrivals", "waits", "satisfaction"):
        png = folder / f"{name}-2026-W48.png"
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        w, h = struct.unpack(">II", head[16:24])
        assert (w, h) == (990, 528)
    page = (folder / "summary.html").read_text(encoding="utf-8")
    assert "本期共取号8个，办结6件，过号1个，转办1件，日终未办1个" in page
    assert "满意率50.0%" in page and 'src="arrivals-2026-W48.png"' in page
    assert "<h2>人员考核</h2>" in page and "<h2>窗口考核</h2>" in page


def test_export_cli(day_db, capsys, tmp_path):
    code, out, _ = run(capsys, "export", "--config", str(EXAMPLE), "--db", day_db,
                       "--month", "2026-11")
    assert code == 0
    recs = [json.loads(line) for line in out.splitlines()]
    assert [(r["bjbh"], r["level"]) for r in recs] == [
        ("20261123-A001", 5), ("20261123-A002", 2), ("20261123-A004", 1), ("20261123-C002", 4)]
    path = tmp_path / "x.csv"
    assert run(capsys, "export", "--config", str(EXAMPLE), "--db", day_db, "--day",
               "2026-11-23", "--format", "csv", "-o", str(path))[0] == 0
    assert path.read_bytes().startswith("\ufeffrecord_id,bjbh".encode())


@pytest.mark.parametrize("argv,message", [
    (["--month", "2026-13"], "--month must be like 2026-11"),
    (["--day", "23/11/2026"], "--day must be a date"),
])
def test_bad_periods_exit_2(day_db, capsys, argv, message):
    code, _, err = run(capsys, *fig_args(day_db, *argv))
    assert code == 2 and message in err


def test_missing_database_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, *fig_args(str(tmp_path / "none.db"), "--day", "2026-11-23"))
    assert code == 2 and "no hub database" in err
    assert not (tmp_path / "none.db").exists()


def test_report_never_writes(day_db, capsys):
    before = os.stat(day_db).st_mtime_ns, Path(day_db).read_bytes()
    run(capsys, *fig_args(day_db, "--month", "2026-11"))
    run(capsys, "followup", "list", "--config", str(EXAMPLE), "--db", day_db)
    assert (os.stat(day_db).st_mtime_ns, Path(day_db).read_bytes()) == before


def test_followup_list(day_db, capsys):
    code, out, _ = run(capsys, "followup", "list", "--config", str(EXAMPLE), "--db", day_db,
                       "--clock", "2026-12-01T09:00:00+08:00")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["号码", "办件", "窗口"]
    assert lines[2].split()[:2] == ["A002", "20261123-A002"] and "已超期" in lines[2]
    assert "非常不满意" in lines[3] and "态度不好、多次跑" in lines[3]
    code, out, _ = run(capsys, "followup", "list", "--config", str(EXAMPLE), "--db", day_db,
                       "--clock", "2026-11-23T12:00:00+08:00", "--json")
    assert [c["days_left"] for c in json.loads(out)] == [5, 5]


def test_followup_record_through_the_hub(hall_config, broker, tmp_path, day_db, capsys):
    from tests.report.wiring import WiredHub
    from wire.clock import HallClock

    db = tmp_path / "hall.db"
    shutil.copy(day_db, db)
    clock = HallClock(hall_config.tz, "2026-11-24T10:00:00+08:00")
    hub = WiredHub(hall_config, str(db), broker.url, clock)
    hub.start()
    try:
        base = ["followup", "record", "--config", str(EXAMPLE), "--broker", broker.url,
                "--clock", "2026-11-24T10:00:00+08:00", "--ticket-id", "20261123-A004"]
        code, out, err = run(capsys, *base, "--step", "visit", "--note", "电话回访",
                             "--result", "群众不接受")
        assert code == 0, err
        assert json.loads(out)["follow_up"] == {"ticket_id": "20261123-A004", "step": "visit",
                                                "late": False, "closed": False}
        code, _, err = run(capsys, *base, "--step", "close", "--note", "x")
        assert code == 1 and "bad_request" in err and "处理结果" in err
        # the reports read the file while the hub holds it open and writes (WAL)
        code, out, err = run(capsys, "followup", "list", "--config", str(EXAMPLE), "--db",
                             str(db), "--clock", "2026-11-24T10:00:00+08:00", "--json")
        assert code == 0, err
        assert {c["ticket_id"]: c["last_step"] for c in json.loads(out)} == {
            "20261123-A002": None, "20261123-A004": "visit"}
        assert run(capsys, *fig_args(str(db), "--day", "2026-11-23"))[0] == 0
    finally:
        hub.stop()
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT last_step, visit_note, visit_result, visit_by, status FROM "
                       "follow_ups WHERE ticket_id = '20261123-A004'").fetchone()
    assert row == ("visit", "电话回访", "群众不接受", "admin-1", "open")


def test_charts_use_the_simplified_chinese_face():
    from matplotlib import font_manager

    from report.charts import _pyplot, cjk_font

    path, family = cjk_font()
    assert family in ("Noto Sans CJK SC", "WenQuanYi Zen Hei") and Path(path).exists()
    _pyplot()
    found = font_manager.fontManager.findfont(font_manager.FontProperties(family=family),
                                              fallback_to_default=False)
    assert Path(found) == Path(path)
    assert font_manager.get_font(found).family_name == family  # the SC face, not face 0 (JP)
