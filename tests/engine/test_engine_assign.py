"""Skills and window assignment: a window serves what its clerk may serve, its counter allows and
the hall manager assigned (window.assign / window.assist), until the day closes; refusals
change nothing."""

from __future__ import annotations

import dataclasses

import pytest

from wire.contract import BadRequest, Forbidden, NoSkill, UnknownService, UnknownWindow

from .engine_helpers import snapshot


def with_staff(cfg, number: str, **changes):
    staff = dict(cfg.staff)
    staff[number] = dataclasses.replace(staff[number], **changes)
    return dataclasses.replace(cfg, staff=staff)


def with_window(cfg, number: int, **changes):
    windows = dict(cfg.windows)
    windows[number] = dataclasses.replace(windows[number], **changes)
    return dataclasses.replace(cfg, windows=windows)


def assign(hall, window, services, by="张主任"):
    return hall.do("admin", "window.assign", window=window, services=services, by=by)


def test_skills_default_to_the_clerks_windows_and_the_example_adds_some(cfg):
    assert cfg.staff["2001"].skills == ("A", "B")          # windows 1, 2, 3
    assert cfg.staff["1001"].skills == ("A", "F")          # example: may help 公安户籍
    assert cfg.windows[9].allows == tuple(cfg.services)    # a counter allows all by default


def test_a_window_serves_only_what_its_clerk_may_serve(cfg):
    from .engine_helpers import Hall
    hall = Hall(with_staff(cfg, "1012", skills=("A", "F")))
    hall.take("D")
    f = hall.take("F")
    hall.open(12)
    assert hall.engine.window_state(12)["services"] == ["A", "F"]
    assert hall.next(12) == f      # D waits first but clerk 1012 may not serve it
    hall.win(12, "finish")
    assert hall.next(12) is None
    assert hall.engine.queue_state(hall.at)["services"]["D"]["open_windows"] == 0


def test_assign_changes_what_a_window_serves_at_once(hall):
    hall.open(1)
    f = hall.take("F")
    assert hall.next(1) is None
    result = assign(hall, 1, ["F", "A"])
    assert result["window"]["services"] == ["F", "A"]
    assert result["window"]["assigned_by"] == "张主任"
    ev = hall.log[-1][0]
    assert ev.kind == "window" and ev.data["action"] == "assign"
    assert ev.data["by"] == "张主任" and ev.data["previous"] == ["A"]
    assert hall.engine.state_keys([ev]) == {"queue", "window/1"}
    assert hall.engine.window_state(1)["services"] == ["F", "A"]
    q = hall.engine.queue_state(hall.at)["services"]["F"]
    assert q["open_windows"] == 1 and q["est_wait_s"] == 600
    assert hall.next(1) == f


def test_the_assignment_ends_when_the_day_closes(hall):
    hall.open(1)
    assign(hall, 1, ["F"])
    hall.at = hall.at.replace(hour=17, minute=1)
    assert "day_closed" in [ev.kind for ev in hall.tick()]
    assert hall.engine.state.windows[1].assigned is None


def test_assist_adds_the_service_last(hall):
    hall.open(8)
    hall.do("admin", "window.assist", window=8, service="F", by="张主任")
    assert hall.engine.window_state(8)["services"] == ["E", "F"]
    assert hall.log[-1][0].data["suggested"] is True


@pytest.mark.parametrize("args, error", [
    ({"window": 1, "services": ["D"]}, NoSkill),             # 1001 may serve A and F only
    ({"window": 99, "services": ["A"]}, UnknownWindow),
    ({"window": 1, "services": ["Z"]}, UnknownService),
    ({"window": 1, "services": []}, BadRequest),
    ({"window": 1, "services": "A"}, BadRequest),
    ({"window": 1, "services": ["A", "A"]}, BadRequest),
    ({"window": 1, "services": ["A"], "by": ""}, BadRequest),
    ({"window": 1, "services": ["A"], "by": "x", "extra": 1}, BadRequest),
])
def test_bad_assignments_change_nothing(hall, args, error):
    hall.open(1)
    args = {"by": "张主任"} | args
    before, log = snapshot(hall.engine), len(hall.log)
    with pytest.raises(error) as err:
        hall.do("admin", "window.assign", **args)
    assert err.value.code in ("no_skill", "unknown_window", "unknown_service", "bad_request")
    assert snapshot(hall.engine) == before and len(hall.log) == log


def test_counter_and_role_refusals(cfg):
    from .engine_helpers import Hall
    hall = Hall(with_window(cfg, 1, allows=("A",)))
    hall.open(1)
    with pytest.raises(Forbidden):
        assign(hall, 1, ["F"])                # 1001 may, the counter may not
    with pytest.raises(Forbidden):
        hall.do("rater-1", "window.assign", window=1, services=["A"], by="x")
    with pytest.raises(Forbidden):
        hall.do("admin", "window.assist", window=1, service="F", by="x")
    assert [ev.kind for ev, _ in hall.log] == ["window"]


def test_worst_off_balance_calls_the_service_whose_citizens_are_worst_off(cfg):
    from .engine_helpers import Hall, with_queue
    for balance, expected in (("preference", "A"), ("worst_off", "F")):
        hall = Hall(with_queue(cfg, balance=balance))
        hall.open(9)
        hall.open(12)
        f_first = hall.take("F")
        hall.wait(60)
        for _ in range(3):
            hall.take("F")
        hall.wait(600)
        a = hall.take("A")
        hall.wait(60)
        called = hall.next(12)        # window 12 prefers A; F's first has waited 11 min
        assert called[0] == expected, balance
        assert called == (f_first if expected == "F" else a)


def suggest_hall(cfg, assist="suggest"):
    from .engine_helpers import Hall, with_queue
    hall = Hall(with_queue(cfg, assist=assist))
    hall.open(8)
    hall.open(9)
    for _ in range(5):              # 5 × 600 s at one window: 50 min expected, limit 30
        hall.take("F")
    return hall


def test_an_idle_skilled_clerk_is_suggested_once_per_period(cfg):
    hall = suggest_hall(cfg)
    alerts = [ev for ev in hall.tick() if ev.kind == "alert"]
    assert [(a.data["kind"], a.data["window"], a.data["service"]) for a in alerts] == [
        ("assist_suggested", 8, "F")]
    assert alerts[0].data["text"] == "8号窗口空闲，可协助 公安户籍"
    assert hall.engine.window_state(8)["services"] == ["E"]   # suggest only: nothing changed
    hall.wait(60)
    assert [ev for ev in hall.tick() if ev.data.get("kind") == "assist_suggested"] == []
    hall.wait(cfg.queue.assist_every_s)
    assert [ev.data["window"] for ev in hall.tick()
            if ev.data.get("kind") == "assist_suggested"] == [8]
    # accepting it is one action
    hall.do("admin", "window.assist", window=8, service="F", by="张主任")
    assert hall.engine.window_state(8)["services"] == ["E", "F"]


def test_a_busy_or_unskilled_window_is_not_suggested(cfg):
    hall = suggest_hall(cfg)
    hall.take("E")                    # window 8 has its own work now
    hall.open(6)                      # 1006 may not serve F
    assert [ev for ev in hall.tick() if ev.data.get("kind") == "assist_suggested"] == []


def test_auto_assist_assigns_at_once(cfg):
    hall = suggest_hall(cfg, assist="auto")
    events = hall.tick()
    assert [ev.kind for ev in events][-2:] == ["alert", "window"]
    assert events[-1].data["by"] == "hub"
    assert hall.engine.window_state(8)["services"] == ["E", "F"]
    assert hall.next(8)[0] == "F"


def test_the_console_assigns_only_with_the_managers_name(hall):
    """Role web (hall-web's console) may assign and assist, as the manage.* ops: ``by`` required,
    recorded, and the retained window state follows."""
    hall.open(8)
    for op, args in (("window.assign", {"window": 8, "services": ["F"]}),
                     ("window.assist", {"window": 8, "service": "F"})):
        before, log = snapshot(hall.engine), len(hall.log)
        with pytest.raises(BadRequest):
            hall.do("web", op, **args)
        assert snapshot(hall.engine) == before and len(hall.log) == log
    result = hall.do("web", "window.assign", window=8, services=["F", "E"], by="值班主任")
    assert result["window"]["services"] == ["F", "E"]
    ev = hall.log[-1][0]
    assert (ev.kind, ev.data["action"], ev.data["by"]) == ("window", "assign", "值班主任")
    state = hall.engine.window_state(8)
    assert state["services"] == ["F", "E"] and state["assigned_by"] == "值班主任"
    hall.do("web", "window.assign", window=8, services=["E"], by="值班主任")
    hall.do("web", "window.assist", window=8, service="F", by="值班主任")
    assert hall.engine.window_state(8)["services"] == ["E", "F"]
    assert hall.log[-1][0].data["suggested"] is True
    with pytest.raises(NoSkill):   # 1008 may serve E and F only
        hall.do("web", "window.assign", window=8, services=["A"], by="值班主任")
    with pytest.raises(Forbidden):  # a kiosk is neither admin nor web
        hall.do("kiosk-1", "window.assign", window=8, services=["E"], by="值班主任")
