"""The report period: one hall day, an ISO week (Monday–Sunday) or a calendar month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from report import strings as S

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class PeriodError(ValueError):
    """A --day/--week/--month value that names no period."""


@dataclass(frozen=True)
class Period:
    """Hall dates ``first`` … ``last`` inclusive; ``kind`` is day, week or month."""

    kind: str
    first: date
    last: date

    def label(self) -> str:
        """The period as the hall says it (2026年11月23日, 2026年11月…)."""
        if self.kind == "day":
            return S.PERIOD_DAY.format(d=self.first)
        if self.kind == "week":
            return S.PERIOD_WEEK.format(a=self.first, b=self.last)
        return S.PERIOD_MONTH.format(d=self.first)

    def slug(self) -> str:
        """A file-name part: 2026-11-23, 2026-W48, 2026-11."""
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first:%Y-%m}"

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise PeriodError(f"--{what} must be a date like 2026-11-23, got {text!r}") from None


def parse_period(kind: str, text: str) -> Period:
    """``day`` 2026-11-23; ``week`` any date of the week (or 2026-W48); ``month`` 2026-11."""
    if kind == "day":
        d = _date(text, "day")
        return Period("day", d, d)
    if kind == "week":
        m = re.fullmatch(r"(\d{4})-W(\d{2})", text or "")
        if m:
            try:
                d = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            except ValueError:
                raise PeriodError(f"--week {text!r} is not a week of that year") from None
        else:
            d = _date(text, "week")
        monday = d - timedelta(days=d.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if kind == "month":
        m = _MONTH.fullmatch(text or "")
        if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1:
            raise PeriodError(f"--month must be like 2026-11, got {text!r}")
        first = date(int(m[1]), int(m[2]), 1)
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Period("month", first, nxt - timedelta(days=1))
    raise PeriodError(f"period kind must be day, week or month, got {kind!r}")
