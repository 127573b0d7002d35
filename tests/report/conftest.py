"""A hall day built through the hub's own ops, with a hall clock the test moves by hand.

The day (Monday 2026-11-23, examples/hall.toml) and its hand-computed figures are written out in
tests/report/test_figures.py; this file only plays it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from wire.clock import HallClock

DAY = "2026-11-23"


class HandClock(HallClock):
    """A hall clock that stands still until the test sets it (the hub's tick still runs each
    real second; at a standing clock it only raises what is due at that instant)."""

    def __init__(self, tz, start: str):
        super().__init__(tz, start)
        self._at = datetime.fromisoformat(start).astimezone(tz)

    def now(self) -> datetime:
        return self._at

    def set(self, hhmm: str) -> None:
        h, m = map(int, hhmm.split(":"))
        self._at = self._at.replace(hour=h, minute=m, second=0, microsecond=0)

    def advance(self, **kw) -> None:
        self._at += timedelta(**kw)


def ok(reply: dict) -> dict:
    assert reply["ok"], reply
    return reply["result"]


class DayPlayer:
    """Runs ops on the hub at given hall times: ``at("09:10", "rater-1", "window.call_next",
    window=1)``."""

    def __init__(self, hub, clock: HandClock):
        self.hub, self.clock = hub, clock

    def at(self, hhmm: str, node: str, op: str, **args) -> dict:
        self.clock.set(hhmm)
        return self.hub.service.request_local(node, op, args)

    def do(self, hhmm: str, node: str, op: str, **args) -> dict:
        return ok(self.at(hhmm, node, op, **args))


def play_day(p: DayPlayer) -> None:
    """The test day (see test_figures.py for what each step must count)."""
    for w, staff in ((1, "1001"), (2, "1002"), (4, "1004")):
        p.do("09:00", f"rater-{w}", "window.login", window=w, staff=staff)
    assert p.do("09:00", "kiosk-1", "ticket.take", service="A")["ticket"]["no"] == "A001"
    assert p.do("09:00", "kiosk-1", "ticket.take", service="C")["ticket"]["no"] == "C001"
    p.do("09:05", "kiosk-1", "ticket.take", service="A")                       # A002
    p.do("09:10", "kiosk-1", "ticket.take", service="A")                       # A003
    assert p.do("09:10", "rater-1", "window.call_next", window=1)["ticket"]["no"] == "A001"
    assert p.do("09:15", "rater-2", "window.call_next", window=2)["ticket"]["no"] == "A002"
    p.do("09:17", "rater-2", "window.start", window=2)
    p.do("09:20", "kiosk-1", "ticket.take", service="C")                       # C002
    assert p.do("09:20", "rater-4", "window.call_next", window=4)["ticket"]["no"] == "C001"
    p.do("09:25", "rater-1", "window.finish", window=1)
    p.do("09:26", "rater-1", "rating.submit", window=1, score=5)
    p.do("09:27", "rater-2", "window.finish", window=2, case_no="QX2026-0001")
    p.do("09:28", "rater-2", "rating.submit", window=2, score=2, reasons=["等待时间长"])
    p.do("09:30", "kiosk-1", "ticket.take", service="A")                       # A004
    assert p.do("09:30", "rater-1", "window.call_next", window=1)["ticket"]["no"] == "A003"
    p.do("09:33", "rater-1", "window.skip", window=1)
    assert p.do("09:35", "rater-1", "window.call_next", window=1)["ticket"]["no"] == "A004"
    p.do("09:40", "rater-1", "window.transfer", window=1, service="C")
    p.do("09:40", "kiosk-1", "ticket.take", service="A")                       # A005
    p.do("09:40", "rater-4", "window.finish", window=4)                        # C001, unrated
    assert p.do("09:45", "rater-4", "window.call_next", window=4)["ticket"]["no"] == "C002"
    p.do("09:55", "rater-4", "window.finish", window=4)
    p.do("09:56", "rater-4", "rating.submit", window=4, score=4)
    assert p.do("10:00", "rater-4", "window.call_next", window=4)["ticket"]["no"] == "A004"
    p.do("10:02", "rater-4", "window.start", window=4)
    assert p.do("10:15", "rater-2", "window.call_next", window=2)["ticket"]["no"] == "A005"
    p.do("10:25", "rater-2", "window.finish", window=2)                        # A005, unrated
    p.do("10:30", "rater-4", "window.finish", window=4)                        # A004
    p.do("10:31", "rater-4", "rating.submit", window=4, score=1, reasons=["态度不好", "多次跑"])
    assert p.do("10:40", "kiosk-1", "ticket.take", service="B")["ticket"]["no"] == "B001"
    p.clock.set("17:05")  # nobody calls B001: the hub's tick closes the day with it waiting
    _wait_for_close(p.hub.db_path)


def _wait_for_close(db_path: str) -> None:
    import sqlite3
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        conn = sqlite3.connect(db_path)
        try:
            if conn.execute("SELECT 1 FROM events WHERE kind = 'day_closed'").fetchone():
                return
        finally:
            conn.close()
        time.sleep(0.05)
    raise AssertionError("the hub did not close the day")


@pytest.fixture
def hand_clock(hall_config):
    return HandClock(hall_config.tz, f"{DAY}T09:00:00+08:00")


def build_day(cfg, folder) -> str:
    """Play the test day on a fresh hub (its own broker) and return the database path."""
    from hallsim.broker import start_broker
    from tests.conftest import RunningHub

    (folder / "broker").mkdir(exist_ok=True)
    broker = start_broker(folder / "broker")
    clock = HandClock(cfg.tz, f"{DAY}T09:00:00+08:00")
    try:
        hub = RunningHub(cfg, folder / "hall.db", broker, clock)
        try:
            play_day(DayPlayer(hub, clock))
        finally:
            hub.stop()
    finally:
        broker.stop()
    return str(folder / "hall.db")


@pytest.fixture(scope="session")
def day_db(hall_config, tmp_path_factory):
    """The hub's database after the test day, the hub stopped (path as str). Shared by every
    test, which only reads it; copy it before writing."""
    return build_day(hall_config, tmp_path_factory.mktemp("day"))
