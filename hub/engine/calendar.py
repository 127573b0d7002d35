"""The hall's calendar: local dates, opening sessions, working days, day close."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from wire.config import HallConfig


def local(cfg: HallConfig, at: datetime) -> datetime:
    """``at`` in the hall's time zone (the hall's midnight, not UTC's, starts a day)."""
    return at.astimezone(cfg.tz)


def hall_date(cfg: HallConfig, at: datetime) -> date:
    return local(cfg, at).date()


def is_open(cfg: HallConfig, at: datetime) -> bool:
    """Whether tickets may be taken at ``at``: a working day, inside a session."""
    t = local(cfg, at)
    return cfg.hours.is_open(t.date(), t.time().replace(tzinfo=None))


def day_end(cfg: HallConfig, day: date) -> datetime:
    """When the day's last session ends: what still waits then is closed out."""
    last = cfg.hours.sessions[-1][1]
    return datetime.combine(day, last, tzinfo=cfg.tz)


def add_working_days(cfg: HallConfig, start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (holidays and extra working days count)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if cfg.hours.is_working_day(day):
            left -= 1
    return day


def iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def parse_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
