"""The hall clock: the real hall follows the system clock (and its steps); simulations count
from their start. The system clock is a hand-moved FakeTime: no faketime, no sleeping."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import FakeTime
from wire.clock import HallClock

TZ = ZoneInfo("Asia/Shanghai")
YESTERDAY_1730 = datetime(2026, 11, 22, 17, 30, tzinfo=TZ)  # the Pi's last shutdown
TODAY_0830 = datetime(2026, 11, 23, 8, 30, tzinfo=TZ)


def booted_pi():
    """A Pi without a clock battery just booted: its system clock says yesterday 17:30."""
    wall, mono = FakeTime(YESTERDAY_1730.timestamp()), FakeTime(50.0)
    return HallClock(TZ, wall=wall, mono=mono), wall, mono


def steps(caplog):
    return [r for r in caplog.records if "stepped" in r.getMessage()]


def test_a_hub_started_before_ntp_follows_the_step_and_logs_it_once(caplog):
    clock, wall, mono = booted_pi()
    assert clock.now() == YESTERDAY_1730
    wall.advance(20)
    mono.advance(20)
    assert clock.now() == datetime(2026, 11, 22, 17, 30, 20, tzinfo=TZ)
    before = clock.monotonic()
    caplog.set_level(logging.WARNING, logger="wire.clock")
    wall.t = TODAY_0830.timestamp()  # NTP answers: the clock steps forward ~15 hours
    mono.advance(0.5)
    assert clock.now() == TODAY_0830
    assert len(steps(caplog)) == 1
    assert "+53979.5 s" in steps(caplog)[0].getMessage()
    for _ in range(3):  # then simply followed, without another line
        wall.advance(1)
        mono.advance(1)
        clock.now()
    assert clock.now() == datetime(2026, 11, 23, 8, 30, 3, tzinfo=TZ)
    assert len(steps(caplog)) == 1
    assert clock.monotonic() == before + 3.5  # monotonic time never jumps with the wall clock


def test_a_step_back_is_followed_too_and_each_step_is_logged(caplog):
    clock, wall, mono = booted_pi()
    caplog.set_level(logging.WARNING, logger="wire.clock")
    wall.advance(86400)
    assert clock.now() == datetime(2026, 11, 23, 17, 30, tzinfo=TZ)
    wall.advance(-3599)  # a second later somebody sets it back an hour
    mono.advance(1)
    assert clock.now() == datetime(2026, 11, 23, 16, 30, 1, tzinfo=TZ)
    assert [r.levelno for r in steps(caplog)] == [logging.WARNING, logging.WARNING]
    assert "-3600.0 s" in steps(caplog)[1].getMessage()


def test_ntp_slewing_is_no_step(caplog):
    clock, wall, mono = booted_pi()
    caplog.set_level(logging.WARNING, logger="wire.clock")
    for _ in range(10):  # the wall clock runs 0.5 % fast: chrony slews, it does not step
        wall.advance(60.3)
        mono.advance(60)
        clock.now()
    wall.advance(1.9)  # below the 2 s a step needs
    clock.now()
    assert steps(caplog) == []


def test_a_simulated_clock_ignores_the_system_clock(caplog):
    wall, mono = FakeTime(YESTERDAY_1730.timestamp()), FakeTime(0.0)
    clock = HallClock(TZ, "2026-11-23T10:00:00+08:00", wall=wall, mono=mono)
    caplog.set_level(logging.WARNING, logger="wire.clock")
    wall.advance(86400)
    mono.advance(30)
    assert clock.now() == datetime(2026, 11, 23, 10, 0, 30, tzinfo=TZ)
    fast = HallClock(TZ, "2026-11-23T10:00:00+08:00", speed=120, wall=wall, mono=mono)
    mono.advance(30)
    assert fast.now() == datetime(2026, 11, 23, 11, 0, tzinfo=TZ)
    assert fast.after(5) == datetime(2026, 11, 23, 11, 10, tzinfo=TZ)
    assert clock.fixed and fast.fixed
    assert steps(caplog) == []


def test_a_sped_up_clock_without_a_start_counts_from_the_real_time():
    wall, mono = FakeTime(TODAY_0830.timestamp()), FakeTime(0.0)
    clock = HallClock(TZ, speed=60, wall=wall, mono=mono)
    wall.advance(100)
    mono.advance(60)
    assert clock.fixed
    assert clock.now() == datetime(2026, 11, 23, 9, 30, tzinfo=TZ)


def test_the_real_clock_reads_the_system_clock(monkeypatch):
    monkeypatch.delenv("HALL_CLOCK", raising=False)
    clock = HallClock.from_args(TZ, None)
    assert not clock.fixed
    assert abs((clock.now() - datetime.now(TZ)).total_seconds()) < 5
    assert clock.now().tzinfo is TZ


@pytest.mark.parametrize("start, speed, message", [
    ("2026-11-23T10:00:00", 1.0, "needs an offset"),
    ("Monday", 1.0, "ISO 8601"),
    (None, 0, "speed must be > 0"),
])
def test_bad_clocks_are_refused(start, speed, message):
    with pytest.raises(ValueError, match=message):
        HallClock(TZ, start, speed)


def test_each_step_is_taken_once_by_the_hub_with_where_it_came_from():
    clock, wall, mono = booted_pi()
    wall.advance(-3600)
    mono.advance(1)
    clock.now()
    ((before, after, step),) = clock.take_steps()
    assert step == -3601.0 and after == datetime(2026, 11, 22, 16, 30, tzinfo=TZ)
    assert before == datetime(2026, 11, 22, 17, 30, 1, tzinfo=TZ)
    assert clock.take_steps() == []


def test_a_simulated_night_is_skipped_as_a_step_and_another_clock_follows_it():
    mono = FakeTime(0.0)
    hub = HallClock(TZ, "2026-12-01T17:10:00+08:00", speed=400, mono=mono)
    web = HallClock(TZ, "2026-12-01T17:10:00+08:00", speed=400, mono=mono)
    morning = datetime(2026, 12, 2, 8, 50, tzinfo=TZ)
    hub.skip_to(morning)
    (before, after, step), = hub.take_steps()  # what the hub records as a clock_step
    assert (before, after, step) == (datetime(2026, 12, 1, 17, 10, tzinfo=TZ), morning, 56400.0)
    mono.advance(1)  # hall-web hears of it a real second later
    assert web.follow(morning, step) is True and web.now() == hub.now() == morning.replace(
        minute=56, second=40)  # in step again, whatever the event's delay
    assert web.follow(morning, step) is False and web.take_steps() == []  # once only
    real = HallClock(TZ, wall=FakeTime(YESTERDAY_1730.timestamp()), mono=mono)
    assert real.follow(morning, step) is False
    with pytest.raises(ValueError, match="only a simulated clock skips"):
        real.skip_to(morning)
