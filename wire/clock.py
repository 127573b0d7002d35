"""The hall clock: every service and node reads the time through one of these."""

from __future__ import annotations

import logging
import os
import threading
import time as _time
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

log = logging.getLogger(__name__)

#: the system clock moved this much more (or less) than the monotonic one between two reads:
#: a step (NTP after a Pi booted with its last shutdown's time, a person setting the date)
STEP_S = 2.0
KEEP_STEPS = 16


class HallClock:
    """Hall time.

    The real hall (``start`` None, ``speed`` 1): the system clock, read afresh at each call, so a
    hub started before NTP stepped a Pi's clock follows the step instead of keeping yesterday's
    time all day; a step is logged once. A simulation (``start`` given, or another ``speed``):
    ``start`` at construction, then running ``speed`` times as fast as real time. Tests and
    demos start on a Monday 10:00 whatever the real date.

    ``wall`` and ``mono`` (seconds, as :func:`time.time` and :func:`time.monotonic`) let a test
    move the system clock by hand.
    """

    def __init__(self, tz: tzinfo, start: datetime | str | None = None, speed: float = 1.0, *,
                 wall: Callable[[], float] = _time.time,
                 mono: Callable[[], float] = _time.monotonic):
        if speed <= 0:
            raise ValueError(f"clock speed must be > 0, got {speed}")
        if isinstance(start, str):
            try:
                start = datetime.fromisoformat(start)
            except ValueError:
                raise ValueError(f"clock start must be ISO 8601 with offset, got {start!r}") from None
        if start is not None and start.tzinfo is None:
            raise ValueError("clock start needs an offset, e.g. 2026-11-23T10:00:00+08:00")
        self.tz = tz
        self.speed = float(speed)
        self._wall, self._mono = wall, mono
        self._origin_real = mono()
        self.fixed = start is not None or speed != 1.0
        # a simulation counts from its start; the real hall only uses the origin to spot steps
        self._origin_hall = (start.astimezone(tz) if start is not None
                             else datetime.fromtimestamp(wall(), tz))
        self._lock = threading.Lock()
        self._last = (wall(), self._origin_real)  # the last (wall, monotonic) read
        self._steps: list[tuple[datetime, datetime, float]] = []  # seen, not yet taken

    @classmethod
    def from_args(cls, tz: tzinfo, clock: str | None, speed: float = 1.0) -> HallClock:
        """The clock a console script was asked for: ``--clock``, else ``HALL_CLOCK``, else now."""
        return cls(tz, clock or os.environ.get("HALL_CLOCK") or None, speed)

    def monotonic(self) -> float:
        """Hall seconds since an arbitrary origin, never going back (not even when the system
        clock steps)."""
        return (self._mono() - self._origin_real) * self.speed

    def now(self) -> datetime:
        """The hall's local time, aware."""
        if self.fixed:
            return self._origin_hall + timedelta(seconds=self.monotonic())
        wall, mono = self._wall(), self._mono()
        with self._lock:
            last_wall, last_mono = self._last
            self._last = (wall, mono)
            step = (wall - last_wall) - (mono - last_mono)
            if abs(step) > STEP_S:
                # once per step: the next read compares with this one and sees none; a
                # process that never takes them (a node) keeps only the last few
                self._steps = self._steps[-(KEEP_STEPS - 1):] + [
                    (datetime.fromtimestamp(wall - step, self.tz),
                     datetime.fromtimestamp(wall, self.tz), step)]
        if abs(step) > STEP_S:
            log.warning("the system clock stepped by %+.1f s (NTP, or set by hand); hall time "
                        "follows it: now %s", step, iso(datetime.fromtimestamp(wall, self.tz)))
        return datetime.fromtimestamp(wall, self.tz)

    def take_steps(self) -> list[tuple[datetime, datetime, float]]:
        """The steps seen since the last call: (hall time it would have been, hall time now,
        seconds stepped, negative: back). Empty for a simulation (it never steps)."""
        with self._lock:
            steps, self._steps = self._steps, []
        return steps

    def skip_to(self, at: datetime) -> None:
        """A simulation jumps to hall time ``at`` (the month's demo skips the nights): kept as a
        step, as a stepped system clock's is, so that the hub records it (hub.selfwatch)."""
        if not self.fixed:
            raise ValueError("only a simulated clock skips; the real one follows the system's")
        before = self.now()
        with self._lock:
            self._origin_hall += at - before
            self._steps = self._steps[-(KEEP_STEPS - 1):] + [
                (before, at, (at - before).total_seconds())]

    def follow(self, to: datetime, step_s: float) -> bool:
        """A simulation still behind ``to`` steps by ``step_s`` as the hub's clock did (its
        ``clock_step`` event), so that two clocks in step before stay in step after, whatever
        the event's delay; recorded nowhere. The real clock follows the system's: ignored."""
        if not self.fixed or (to - self.now()).total_seconds() < STEP_S * self.speed:
            return False
        with self._lock:
            self._origin_hall += timedelta(seconds=step_s)
        return True

    def sleep(self, hall_seconds: float) -> None:
        """Sleep for ``hall_seconds`` of hall time."""
        if hall_seconds > 0:
            _time.sleep(hall_seconds / self.speed)

    def after(self, real_seconds: float) -> datetime:
        """The hall time once ``real_seconds`` of real time have passed (a sped-up demo's hall
        time runs ahead: a node that waits 5 s gives up 10 hall minutes later at ×120)."""
        return self.now() + timedelta(seconds=real_seconds * self.speed)

    def real_seconds(self, hall_seconds: float) -> float:
        """How long ``hall_seconds`` of hall time last in real time."""
        return hall_seconds / self.speed


def iso(at: datetime) -> str:
    """ISO 8601 with offset, to the millisecond, as on the wire (a rating press and the finish
    it follows can fall in the same second)."""
    return at.isoformat(timespec="milliseconds")
