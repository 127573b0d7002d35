"""The twin replays a day the real hub recorded: under the day's own decisions it reproduces the
day's figures within the tolerance docs/twin.md states, and staffing moves them the right way."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from twin import log
from twin.day import check, load, recorded, replay
from twin.log import LogEvent
from twin.scenario import Scenario, staff_change

SEED = 20261123


@pytest.fixture(scope="module")
def day(recorded_db, hall_cfg):
    conn = log.open_log(recorded_db)
    try:
        return load(conn, hall_cfg, date(2026, 11, 23))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def as_recorded(day, hall_cfg):
    return replay(hall_cfg, day, Scenario(), SEED).figures


def within(got: float, want: float, share: float) -> bool:
    return abs(got - want) <= share * want


def test_the_recorded_day_is_reproduced_within_tolerance(day, hall_cfg, as_recorded):
    real = recorded(hall_cfg, day).figures
    assert real["issued"] == as_recorded["issued"] == 420
    assert abs(as_recorded["closed_out"] - real["closed_out"]) <= 3
    assert within(as_recorded["finished"], real["finished"], 0.02)
    assert within(as_recorded["p90_wait_min"], real["p90_wait_min"], 0.10)
    assert within(as_recorded["longest_wait_min"], real["longest_wait_min"], 0.20)
    assert within(as_recorded["over_limit"], real["over_limit"], 0.10)
    assert abs(as_recorded["satisfaction"] - real["satisfaction"]) <= 0.03


def test_the_same_seed_gives_the_same_day(day, hall_cfg, as_recorded):
    assert replay(hall_cfg, day, Scenario(), SEED).figures == as_recorded


def test_one_more_window_in_the_morning_shortens_the_waits(day, hall_cfg, as_recorded):
    sc = Scenario(name="+1", staff=(staff_change(hall_cfg, "9-12=+1"),))
    more = replay(hall_cfg, day, sc, SEED).figures
    assert more["p90_wait_min"] < as_recorded["p90_wait_min"]
    assert more["over_limit"] < as_recorded["over_limit"]
    assert more["closed_out"] <= as_recorded["closed_out"]


def test_two_windows_fewer_all_day_leave_citizens_unserved(day, hall_cfg, as_recorded):
    sc = Scenario(name="-2", staff=(staff_change(hall_cfg, "9-17=-2"),))
    fewer = replay(hall_cfg, day, sc, SEED).figures
    assert fewer["closed_out"] > as_recorded["closed_out"] + 10
    assert fewer["p90_wait_min"] > as_recorded["p90_wait_min"]
    assert fewer["satisfaction"] < as_recorded["satisfaction"]


def test_the_twin_logs_the_engines_own_events(day, hall_cfg):
    run = replay(hall_cfg, day, Scenario(name="+F", staff=(staff_change(hall_cfg, "9-12=F+1"),)),
                 SEED)
    kinds = {e.kind for e in run.events}
    assert {"issued", "called", "finished", "day_closed", "window"} <= kinds
    extra = [e.data for e in run.events if e.kind == "window" and e.data["window"] == 13]
    assert [d["action"] for d in extra] == ["login", "logout"]
    assert any(e.kind == "called" and e.data["window"] == 13 for e in run.events)


def test_without_the_managers_accepted_suggestions_citizens_are_sent_home(day, hall_cfg,
                                                                        as_recorded):
    # the log's duty manager accepted two assist suggestions (windows 8 and 10 help 公安户籍)
    assert sum(1 for e in day.decisions if e.data.get("suggested")) == 2
    alone = replay(hall_cfg, day, Scenario(name="none", manager="none"), SEED).figures
    assert alone["closed_out"] > as_recorded["closed_out"]
    assert alone["longest_wait_min"] > as_recorded["longest_wait_min"]


def test_a_recorded_pause_is_replayed(day, hall_cfg, as_recorded):
    at = day.start.replace(hour=10)
    pause = LogEvent(at, "window", {"window": 9, "action": "pause", "reason": "会议"})
    resume = LogEvent(at.replace(hour=11), "window", {"window": 9, "action": "resume"})
    paused = dataclasses.replace(day, decisions=sorted(day.decisions + [pause, resume],
                                                       key=lambda e: e.at))
    run = replay(hall_cfg, paused, Scenario(), SEED)
    mine = [(e.data["action"], e.at.hour) for e in run.events
            if e.kind == "window" and e.data["window"] == 9]
    assert ("pause", 10) in mine and ("resume", 11) in mine
    assert not any(e.kind == "called" and e.data["window"] == 9 and 10 <= e.at.hour < 11
                   and e.at.minute > 30 for e in run.events)  # its last turn ends, then none
    assert run.figures["p90_wait_min"] > as_recorded["p90_wait_min"]


def test_another_halls_config_is_refused(day, hall_cfg):
    services = {k: v for k, v in hall_cfg.services.items() if k != "H"}
    windows = {k: v for k, v in hall_cfg.windows.items() if k != 12}
    other = dataclasses.replace(hall_cfg, services=services, windows=windows)
    with pytest.raises(log.LogError, match="services or windows H, 12 that"):
        check(other, day.events)


def test_without_ratings_there_is_no_satisfaction_estimate(day, hall_cfg):
    unrated = dataclasses.replace(day, measured=dataclasses.replace(day.measured, satisfied=[]))
    assert replay(hall_cfg, unrated, Scenario(), SEED).figures["satisfaction"] is None
