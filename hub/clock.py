"""The hall clock: every service and node reads the time through one of these."""

from __future__ import annotations

import os
import time as _time
from datetime import datetime, timedelta, tzinfo


class HallClock:
    """Hall time: ``start`` at construction (None: the real time), then running ``speed`` times
    as fast as real time. Tests and demos start on a Monday 10:00 whatever the real date.
    """

    def __init__(self, tz: tzinfo, start: datetime | str | None = None, speed: float = 1.0):
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
        self._origin_real = _time.monotonic()
        self._origin_hall = (start or datetime.now(tz)).astimezone(tz)
        self.fixed = start is not None or speed != 1.0

    @classmethod
    def from_args(cls, tz: tzinfo, clock: str | None, speed: float = 1.0) -> HallClock:
        """The clock a console script was asked for: ``--clock``, else ``HALL_CLOCK``, else now."""
        return cls(tz, clock or os.environ.get("HALL_CLOCK") or None, speed)

    def monotonic(self) -> float:
        """Hall seconds since an arbitrary origin, never going back."""
        return (_time.monotonic() - self._origin_real) * self.speed

    def now(self) -> datetime:
        """The hall's local time, aware."""
        return self._origin_hall + timedelta(seconds=self.monotonic())

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
