"""The period parser and the 好差评 export (field mapping, CSV/JSON Lines round trip)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.store import open_readonly
from report import export
from report.data import Rating, load
from report.figures import p90
from report.period import PeriodError, parse_period


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_week_and_month_hold_their_day(d):
    week = parse_period("week", d.isoformat())
    assert week.first.weekday() == 0 and week.last - week.first == timedelta(days=6)
    assert week.contains(d)
    assert parse_period("week", week.slug()) == week
    month = parse_period("month", f"{d:%Y-%m}")
    assert month.first.day == 1 and month.contains(d)
    assert (month.last + timedelta(days=1)).day == 1
    assert parse_period("day", d.isoformat()).label() == f"{d:%Y年%m月%d日}"


@given(st.text(max_size=12))
def test_garbage_periods_are_refused_clearly(text):
    for kind in ("day", "week", "month"):
        try:
            p = parse_period(kind, text)
        except PeriodError as exc:
            assert f"--{kind}" in str(exc) or "week" in str(exc)
        else:
            assert p.first <= p.last


@pytest.mark.parametrize("kind,text", [("month", "2026-13"), ("month", "2026-00"),
                                       ("day", "2026-02-30"), ("week", "2026-W54"),
                                       ("quarter", "2026-Q1"), ("day", "")])
def test_bad_periods(kind, text):
    with pytest.raises(PeriodError):
        parse_period(kind, text)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=200))
def test_p90_is_the_nearest_rank(values):
    v = p90(values)
    at_or_below = sum(1 for x in values if x <= v)
    assert v in values and at_or_below >= math.ceil(0.9 * len(values))
    assert sum(1 for x in values if x < v) < math.ceil(0.9 * len(values))


_reasons = st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1,
                            max_size=32), max_size=10)


@given(reasons=_reasons, score=st.integers(1, 5), defaulted=st.booleans(),
       case_no=st.one_of(st.none(), st.text("QX-0123456789", min_size=1, max_size=20)),
       service_s=st.one_of(st.none(), st.integers(0, 86400)))
def test_csv_and_jsonl_round_trip(hall_config, reasons, score, defaulted, case_no, service_s):
    r = Rating("20261123-A002", "A002", "A", 2, "1002", score, "x", tuple(reasons),
               "2026-11-23T09:28:00+08:00", "2026-11-23T09:27:00+08:00", "PJQ", defaulted)
    rec = export.record(hall_config, r, case_no, service_s)
    assert export.from_csv(export.to_csv([rec])) == [rec]
    lines = export.to_jsonl([rec, rec]).splitlines()
    assert len(lines) == 2 and json.loads(lines[0]) == rec


def test_export_of_the_day(day_db, hall_config):
    conn = open_readonly(day_db)
    try:
        recs = export.records(hall_config, load(conn, parse_period("day", "2026-11-23")))
    finally:
        conn.close()
    assert [r["bjbh"] for r in recs] == ["20261123-A001", "20261123-A002", "20261123-A004",
                                          "20261123-C002"]
    a002 = recs[1]
    assert a002 == {
        "record_id": "demo-20261123-A002", "bjbh": "20261123-A002", "case_no": "QX2026-0001",
        "service_code": "A", "service_name": "企业开办", "hall_id": "demo",
        "hall_name": "示范县政务服务中心", "window": 2, "window_name": "2号窗口",
        "staff_no": "1002", "channel": "PJQ", "level": 2, "level_name": "不满意",
        "reasons": ["等待时间长"], "rated_at": "2026-11-23T09:28:00+08:00",
        "finished_at": "2026-11-23T09:27:00+08:00", "service_s": 600, "defaulted": False}
    a004 = recs[2]
    assert (a004["service_code"], a004["service_name"], a004["window"], a004["level"]) == \
        ("C", "不动产登记", 4, 1)
    assert a004["reasons"] == ["态度不好", "多次跑"] and a004["service_s"] == 1680
    assert set(recs[0]) == set(export.FIELDS)
    assert export.to_csv(recs).splitlines()[0].split(",") == list(export.FIELDS)
