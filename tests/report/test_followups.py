"""差评 follow-up ops (hub/followups.py) on the test day's two 差评 (A002 and A004, both due
Monday 2026-11-30: five working days after Monday 11-23)."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub import followups, ops
from hub.engine import Context
from hub.engine.calendar import add_working_days
from hub.store import Store
from tests.report.wiring import commit
from wire.contract import BadRequest, Conflict, Forbidden, NoTicket

A002, A004 = "20261123-A002", "20261123-A004"


def at(text: str, cfg) -> datetime:
    return datetime.fromisoformat(text).astimezone(cfg.tz)


def decide(op, args, ctx, conn, cfg=None):
    return ops.decide(op, args, ctx, conn=conn, cfg=cfg)


def admin(when: datetime) -> Context:
    return Context("admin-1", "admin", None, when)


@pytest.fixture
def store(day_db, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(day_db, path)
    s = Store(str(path))
    yield s
    s.close()


def snapshot(store: Store) -> list:
    return (store.conn.execute("SELECT * FROM follow_ups ORDER BY ticket_id").fetchall()
            + [store.last_seq()])


def test_list_open_cases_with_working_days_left(store, hall_config):
    res = decide("followup.list", {}, admin(at("2026-11-24T10:00:00+08:00",
                                                        hall_config)), store.conn, hall_config)
    cases = res.result["cases"]
    assert [c["ticket_id"] for c in cases] == [A002, A004]
    assert [c["due"] for c in cases] == ["2026-11-30", "2026-11-30"]
    assert [c["days_left"] for c in cases] == [4, 4]     # Wed Thu Fri Mon
    assert cases[1]["reasons"] == ["态度不好", "多次跑"]
    assert not any(c["overdue"] for c in cases) and res.events == []


def test_steps_are_recorded_and_close_ends_the_case(store, hall_config):
    when = at("2026-11-24T10:00:00+08:00", hall_config)
    steps = [("visit", "电话回访群众", "群众表示理解"), ("verify", "调取监控核实", None),
             ("rectify", "窗口增派人手", None), ("close", "整改完成", "已整改，群众满意")]
    for step, note, result in steps:
        args = {"ticket_id": A002, "step": step, "note": note}
        if result:
            args["result"] = result
        d = decide("followup.record", args, admin(when), store.conn, hall_config)
        assert d.events[0].kind == "follow_up_step"
        assert not any(k.startswith("_") for k in d.events[0].data)
        commit(store, d.events, when)
        when += timedelta(hours=2)
    row = store.conn.execute(
        "SELECT status, result, last_step, visit_note, visit_result, verify_note, "
        "rectify_note, close_note, late, closed_by FROM follow_ups WHERE ticket_id = ?",
        (A002,)).fetchone()
    assert row == ("closed", "已整改，群众满意", "close", "电话回访群众", "群众表示理解",
                   "调取监控核实", "窗口增派人手", "整改完成", 0, "admin-1")
    with pytest.raises(Conflict):
        decide("followup.record", {"ticket_id": A002, "step": "visit", "note": "再访"},
                         admin(when), store.conn, hall_config)
    left = followups.cases(store.conn, date(2026, 11, 24), hall_config, "open")
    assert [c["ticket_id"] for c in left] == [A004]


@pytest.mark.parametrize("args,error", [
    ({"ticket_id": "20261123-A001", "step": "visit", "note": "x"}, NoTicket),   # not a 差评
    ({"ticket_id": A002, "step": "phone", "note": "x"}, BadRequest),
    ({"ticket_id": A002, "step": "visit"}, BadRequest),
    ({"ticket_id": A002, "step": "visit", "note": "  "}, BadRequest),
    ({"ticket_id": A002, "step": "visit", "note": "x" * 501}, BadRequest),
    ({"ticket_id": A002, "step": "close", "note": "x"}, BadRequest),            # no result
    ({"ticket_id": A002, "step": "visit", "note": "x", "score": 5}, BadRequest),
    ({"ticket_id": 12, "step": "visit", "note": "x"}, BadRequest),
])
def test_bad_records_change_nothing(store, hall_config, args, error):
    before = snapshot(store)
    with pytest.raises(error):
        decide("followup.record", args, admin(at("2026-11-24T10:00:00+08:00",
                                                          hall_config)), store.conn, hall_config)
    assert snapshot(store) == before


def test_only_admin_may_call(store, hall_config):
    ctx = Context("rater-2", "rater", 2, at("2026-11-24T10:00:00+08:00", hall_config))
    for op in ("followup.record", "followup.list"):
        with pytest.raises(Forbidden):
            decide(op, {}, ctx, store.conn, hall_config)
    with pytest.raises(BadRequest):
        decide("followup.delete", {}, admin(ctx.at), store.conn, hall_config)
    with pytest.raises(BadRequest):
        decide("followup.list", {"status": "late"}, admin(ctx.at), store.conn)


def test_overdue_alerts_once(store, hall_config):
    # on the deadline day nothing is overdue
    assert followups.overdue(store.conn, at("2026-11-30T16:59:00+08:00", hall_config),
                             hall_config) == []
    close = decide("followup.record", {"ticket_id": A002, "step": "close",
                                                 "note": "已处理", "result": "群众满意"},
                             admin(at("2026-11-30T10:00:00+08:00", hall_config)), store.conn)
    commit(store, close.events, at("2026-11-30T10:00:00+08:00", hall_config))
    now = at("2026-12-01T09:00:00+08:00", hall_config)
    alerts = followups.overdue(store.conn, now, hall_config)
    assert [(a.kind, a.data["kind"], a.data["ticket_id"], a.data["deadline"]) for a in alerts] \
        == [("alert", "follow_up_overdue", A004, "2026-11-30")]
    commit(store, alerts, now)
    assert followups.overdue(store.conn, now + timedelta(days=1), hall_config) == []
    marked = store.conn.execute("SELECT overdue_alerted_at FROM follow_ups WHERE ticket_id = ?",
                                (A004,)).fetchone()[0]
    assert marked.startswith("2026-12-01T09:00")
    listed = followups.cases(store.conn, now.date(), hall_config, "overdue")
    assert [(c["ticket_id"], c["days_left"]) for c in listed] == [(A004, -1)]
    # a late close is recorded as late
    late = decide("followup.record", {"ticket_id": A004, "step": "close",
                                                "note": "补办", "result": "已整改"},
                            admin(now), store.conn)
    assert late.result["follow_up"]["late"] is True


def test_an_alert_the_engine_raised_first_is_not_repeated(store, hall_config):
    from hub.engine import Event

    now = at("2026-12-01T09:00:00+08:00", hall_config)
    # the engine's tick form of the alert: no mark in follow_ups, only the event in the log
    with store.transaction():
        store.append_event(now.isoformat(), "alert", "hub", None,
                           {"kind": "follow_up_overdue", "ticket_id": A002, "due": "2026-11-30"})
    assert [a.data["ticket_id"] for a in followups.overdue(store.conn, now, hall_config)] \
        == [A004]
    assert isinstance(followups.rows(Event("alert", {"kind": "wait_over_limit"}), now), list)


def test_working_days_across_golden_week(hall_config):
    # 10-01, 10-02, 10-05 holidays; 10-03/04 weekend; 10-10 (Saturday) an extra working day
    left = followups.working_days_left
    assert left(hall_config, date(2026, 9, 30), date(2026, 10, 9)) == 4
    assert left(hall_config, date(2026, 9, 30), date(2026, 10, 10)) == 5
    assert left(hall_config, date(2026, 10, 12), date(2026, 10, 9)) == -2   # Sat 10-10, Mon


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
       st.integers(min_value=0, max_value=20))
def test_days_left_inverts_the_deadline_rule(hall_config, start, n):
    due = add_working_days(hall_config, start, n)
    assert followups.working_days_left(hall_config, start, due) == n
    assert followups.working_days_left(hall_config, due, start) == -n


def test_the_console_records_a_step_in_the_managers_name(store, hall_config):
    ctx = Context("web", "web", None, at("2026-11-24T10:00:00+08:00", hall_config))
    args = {"ticket_id": A002, "step": "visit", "note": "电话回访"}
    before = snapshot(store)
    with pytest.raises(BadRequest):  # hall-web must say which manager
        decide("followup.record", args, ctx, store.conn, hall_config)
    assert snapshot(store) == before
    d = decide("followup.record", args | {"by": "值班主任"}, ctx, store.conn,
                         hall_config)
    assert d.events[0].data["by"] == "值班主任"
    with pytest.raises(BadRequest):  # other nodes are named by the node, not by an argument
        decide("followup.record", args | {"by": "x"}, admin(ctx.at), store.conn,
                         hall_config)
