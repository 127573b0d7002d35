"""projection.rows: the derived tables a day's event log builds, and their documentation."""

from __future__ import annotations

import json
import re
from datetime import datetime

from hub.engine import projection

from .engine_helpers import ROOT, TZ, make_id


def build(log) -> dict[str, dict[str, dict]]:
    """Upsert the rows the way hub.store does: insert, or update only the given columns."""
    tables: dict[str, dict[str, dict]] = {t: {} for t in projection.PRIMARY_KEYS}
    for ev, at in log:
        for table, row in projection.rows(ev, at):
            key = row[projection.PRIMARY_KEYS[table]]
            tables[table].setdefault(key, {}).update(row)
    return tables


def a_day(hall):
    id_no = make_id()
    hall.take("A", id_no=id_no, phone="13800138000")   # A001: served, rated badly
    hall.take("A", priority="elderly")                 # A002: green, served first
    hall.take("A")                                     # A003: skipped, never back
    hall.take("B")                                     # B001: still waiting at 17:00
    hall.open(1)
    hall.wait(60)
    hall.next(1)                                       # A002
    hall.win(1, "start")
    hall.wait(300)
    hall.win(1, "finish", case_no="KB-1")
    hall.next(1)                                       # A001
    hall.wait(30)
    hall.win(1, "transfer", service="B")
    hall.open(3)
    hall.next(3)                                       # A001 again, now B, at window 3
    hall.wait(200)
    hall.win(3, "finish", outcome="supplement")
    hall.do("rater-3", "rating.submit", window=3, score=1, reasons=["材料说明不清"])
    hall.open(2)
    hall.next(2)                                       # A003 (window 2 prefers A)
    hall.win(2, "skip")
    hall.do("rater-1", "window.logout", window=1, staff="1001")
    hall.at = datetime(2026, 11, 23, 17, 0, tzinfo=TZ)
    hall.tick()
    return id_no


def test_a_day_builds_the_tables(hall):
    id_no = a_day(hall)
    t = build(hall.log)
    tickets = t["tickets"]
    assert set(tickets) == {"20261123-A001", "20261123-A002", "20261123-A003",
                            "20261123-B001"}
    a2 = tickets["20261123-A002"]
    assert (a2["status"], a2["priority"], a2["window"], a2["staff"], a2["case_no"]) == \
        ("finished", "elderly", 1, "1001", "KB-1")
    assert (a2["wait_s"], a2["service_s"], a2["outcome"]) == (60, 300, "done")
    assert a2["called_at"] == "2026-11-23T10:01:00+08:00"
    assert a2["started_at"] == "2026-11-23T10:01:00+08:00"
    a1 = tickets["20261123-A001"]
    assert (a1["status"], a1["service"], a1["transferred"], a1["window"], a1["outcome"]) == \
        ("finished", "B", 1, 3, "supplement")
    assert a1["wait_s"] == 360  # first call at 10:06, issued 10:00
    assert a1["id_masked"] == id_no[:4] + "*" * 10 + id_no[-4:]
    a3 = tickets["20261123-A003"]
    assert (a3["status"], a3["skipped"], a3["no_show"], a3["closed_reason"]) == \
        ("closed", 1, 1, "day_end_no_show")
    b1 = tickets["20261123-B001"]
    assert (b1["status"], b1["closed_reason"], b1["no_show"]) == \
        ("closed", "day_end_waiting", 0)
    (r,) = t["ratings"].values()
    assert (r["ticket_id"], r["score"], r["window"], r["staff"], r["channel"]) == \
        ("20261123-A001", 1, 3, "1003", "PJQ")
    assert json.loads(r["reasons"]) == ["材料说明不清"] and r["defaulted"] == 0
    (f,) = t["follow_ups"].values()
    assert (f["ticket_id"], f["due"], f["status"]) == ("20261123-A001", "2026-11-30", "open")
    s = t["window_sessions"]
    assert s["20261123-1-1"]["end_reason"] == "logout" and s["20261123-1-1"]["post"] == "A"
    assert "logout_at" not in s["20261123-2-1"]  # still on post after 17:00
    text = json.dumps(t, ensure_ascii=False)
    assert "13800138000" not in text and id_no not in text


def test_every_column_is_declared_and_documented(hall):
    a_day(hall)
    t = build(hall.log)
    for table, rows in t.items():
        for row in rows.values():
            assert set(row) <= set(projection.COLUMNS[table]), table
    doc = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    for table, cols in projection.COLUMNS.items():
        section = doc.split(f"### `{table}`", 1)
        assert len(section) == 2, f"docs/events.md has no section for {table}"
        body = section[1].split("\n### ", 1)[0]
        for col in cols:
            assert re.search(rf"^\| `{col}` \|", body, re.M), f"{table}.{col} undocumented"


def test_every_event_kind_is_documented():
    doc = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    for kind in ("issued", "called", "started", "held", "transferred", "skipped", "requeued",
                 "finished", "rated", "follow_up", "window", "booked", "alert", "day_closed"):
        assert f"#### `{kind}`" in doc, kind


def test_personal_data_only_in_the_private_keys_of_issued(hall):
    id_no = a_day(hall)
    for ev, _ in hall.log:
        text = json.dumps(ev.data, ensure_ascii=False)
        assert id_no not in text, ev.kind
        assert "13800138000" not in json.dumps(ev.public()), ev.kind
        if ev.kind != "issued":
            assert "13800138000" not in text, ev.kind  # not even in day_closed's _carry
    assert any("_carry" in ev.data for ev, _ in hall.log if ev.kind == "day_closed")
