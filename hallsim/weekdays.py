"""A month of hall days for the demo: weekday-shaped arrivals, the month-end rush, and what goes
wrong on given days (a clerk absent, the printer out of paper, a node rebooting, the hub
restarted one night).

Pure and seeded, like hallsim.day (whose single day it shapes): the same seed gives the same
month. The lunch dip is the hall's own: no session over lunch, and arrivals ebb around it
(hallsim.day.arrival_rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hallsim.day import Visit, plan_day

#: visitors relative to an ordinary day: Monday's backlog from the weekend, a quieter Friday
WEEKDAY_FACTOR = {0: 1.3, 1: 1.05, 2: 1.0, 3: 0.95, 4: 0.85, 5: 0.6, 6: 0.6}
#: the month's last working days: contributions and taxes fall due (社保, 税务, 缴费)
MONTH_END_RUSH = {"D": 1.6, "G": 1.8, "H": 1.4}
MONTH_END_DAYS = 3


@dataclass(frozen=True)
class Incidents:
    """What happens on one day (windows by number, times hall-local)."""

    absent: tuple[int, ...] = ()              # the clerk does not come: the window stays shut
    reboot: tuple[int, time] | None = None    # window's node restarts at that time
    paper_out: tuple[time, time] | None = None  # the kiosk printer is empty, then refilled
    hub_restart_after: bool = False           # the hub is restarted in the night that follows


#: by the day's index in the run: early enough that a short month meets each kind once
SCHEDULE = {
    1: Incidents(absent=(5,), reboot=(7, time(14, 0)), hub_restart_after=True),
    2: Incidents(paper_out=(time(10, 30), time(10, 50))),
    6: Incidents(absent=(9,)),
    11: Incidents(absent=(2, 10), reboot=(11, time(10, 15))),
    16: Incidents(absent=(6,), paper_out=(time(15, 0), time(15, 25))),
}


def working_days(cfg, first: date, n: int) -> list[date]:
    """The hall's next ``n`` working days from ``first`` (inclusive)."""
    days, day = [], first
    while len(days) < n:
        if cfg.hours.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def month_end(cfg, day: date) -> bool:
    """Whether ``day`` is one of its month's last ``MONTH_END_DAYS`` working days."""
    later, probe = 0, day + timedelta(days=1)
    while probe.month == day.month:
        later += cfg.hours.is_working_day(probe)
        probe += timedelta(days=1)
    return later < MONTH_END_DAYS


def plan_month_day(cfg, day: date, start: datetime, end: datetime, visitors: int,
                   seed: int) -> list[Visit]:
    """One day of the month: ``visitors`` scaled by the weekday, plus the month-end rush of the
    services in MONTH_END_RUSH (their usual share × the rush factor)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    n = round(visitors * WEEKDAY_FACTOR[day.weekday()])
    visits = plan_day(cfg, midnight, start, end, n, seed + day.toordinal())
    if month_end(cfg, day):
        for service, factor in MONTH_END_RUSH.items():
            extra = plan_day(cfg, midnight, start, end, round(n * (factor - 1)),
                             seed + day.toordinal() * 7 + ord(service))
            visits += [v for v in extra if v.service == service]
        visits.sort(key=lambda v: v.arrives)
    return visits
