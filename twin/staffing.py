"""排班建议: how many windows each service needs in each hour of next week to keep the p90 wait
under the hall's limit, from the last weeks of the log and the twin (docs/twin.md).

For each working day of the target week, the basis is the log's days of the same weekday in
the last ``weeks`` weeks (any weekday when the log has none of it); the design day is the
basis day with the most tickets. Each service is planned on its own, with windows that serve
only it: its design-day arrivals are replayed through the hub's engine (twin.sim) with service
times and no-shows drawn from the basis weeks' measurements, starting from the hour's offered
load (arrivals × mean time ÷ 3600) and adding a window to the first hour whose arrivals' p90
wait is over the limit until none is (or the hall's window count is reached), then taking a
window away wherever the limit still holds. Each plan tried is judged on ``REPLICAS`` draws
together (seeds ``seed``, ``seed + 1`` …): a p90 over a handful of tickets is one draw's luck.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from datetime import date, datetime, timedelta

from report.figures import p90
from twin import log
from twin.log import LogEvent
from twin.measure import Measured, measure
from twin.people import Citizen, citizens
from twin.scenario import Scenario
from twin.sim import Sim
from wire.config import HallConfig, Staff, Window

PLAN_STAFF = "P"   # the planned clerks' numbers: P1, P2 …
TICK_S = 300       # one service, no alerts or suggestions: the tick only closes the day
REPLICAS = 3       # draws per plan tried: a p90 over a handful of tickets is one draw's luck


def hours(cfg: HallConfig) -> list[int]:
    """The clock hours the hall is open in (09, 10, 11, 13 … for 9–12 and 13–17)."""
    out: list[int] = []
    for start, end in cfg.hours.sessions:
        last = end.hour if end.minute else end.hour - 1
        out += [h for h in range(start.hour, last + 1) if h not in out]
    return out


def target_week(days: list[date], week_of: date | None) -> date:
    """The Monday of the week to plan: ``week_of``'s, else the week after the log's last day."""
    d = week_of or days[-1] + timedelta(days=7)
    return d - timedelta(days=d.weekday())


def _decisions(start: datetime, cfg: HallConfig, need: dict[int, int]) -> list[LogEvent]:
    """Logins and logouts that keep ``need[h]`` windows open in each hour ``h``."""
    spans = []
    for s0, s1 in cfg.hours.sessions:
        spans.append([h for h in hours(cfg) if s0.hour <= h < (s1.hour + (s1.minute > 0))])
    out = []
    for j in range(1, max(need.values(), default=0) + 1):
        for span in spans:
            run: list[int] = []
            for h in span + [None]:
                if h is not None and need.get(h, 0) >= j:
                    run.append(h)
                    continue
                if run:  # a session's first clerks come ten minutes early, as the hall's do
                    on = start.replace(hour=run[0]) - timedelta(minutes=10 * (run[0] == span[0]))
                    off = start.replace(hour=run[-1]) + timedelta(hours=1)
                    out += [LogEvent(on, "window", {"window": j, "action": "login",
                                                    "staff": f"{PLAN_STAFF}{j}"}),
                            LogEvent(off, "window", {"window": j, "action": "logout"})]
                run = []
    return sorted(out, key=lambda e: e.at)


def _one_service(cfg: HallConfig, sid: str, most: int) -> HallConfig:
    svc = cfg.services[sid]
    windows = {j: Window(j, f"{j}号窗口", (sid,), (sid,)) for j in range(1, most + 1)}
    staff = {f"{PLAN_STAFF}{j}": Staff(number=f"{PLAN_STAFF}{j}", name="排班", post="A",
                                        windows=(j,), skills=(sid,))
             for j in windows}
    queue = dataclasses.replace(cfg.queue, assist="off", capacity="off")
    return dataclasses.replace(cfg, services={sid: svc}, windows=windows, staff=staff,
                               queue=queue)


def _p90_by_hour(runs: list[list[LogEvent]]) -> dict[int, float]:
    """The p90 wait of the tickets issued in each hour, over all ``runs`` together."""
    by_hour: dict[int, list[float]] = {}
    for events in runs:
        issued: dict[str, datetime] = {}
        waits: dict[str, float] = {}
        for at, kind, d in events:
            tid = d.get("ticket_id")
            if kind == "issued":
                issued[tid] = at
            elif kind == "called" and tid in issued and tid not in waits:
                waits[tid] = (at - issued[tid]).total_seconds()
            elif kind == "day_closed":
                for item in d["closed"]:  # sent home unserved: over any limit
                    if item["ticket_id"] in issued and item["ticket_id"] not in waits:
                        waits[item["ticket_id"]] = math.inf
        for tid, w in waits.items():
            by_hour.setdefault(issued[tid].hour, []).append(w)
    return {h: p90(ws) for h, ws in by_hour.items()}


def plan_service(cfg: HallConfig, sid: str, people: list[Citizen], start: datetime,
                 measured: Measured, seed: int) -> dict:
    """``{"windows": [n per open hour], "p90_min": [minutes per open hour], "short": bool}``:
    the fewest windows per hour found for ``sid`` (short: the hall's count was not enough)."""
    most, limit = len(cfg.windows), cfg.alerts.max_wait_s
    mine = [dataclasses.replace(c, stages=[], leaves_after_s=None) for c in people
            if c.service == sid]
    open_hours = hours(cfg)
    if not mine:  # nobody came for it on the design day
        return {"windows": [0] * len(open_hours), "short": False,
                "p90_min": [None] * len(open_hours)}
    samples = [s for by_hour in measured.serve.get(sid, {}).values() for s in by_hour]
    mean_s = statistics.fmean(samples) if samples else cfg.services[sid].service_s
    need = {h: 0 for h in open_hours}
    for c in mine:
        if c.arrives.hour in need:
            need[c.arrives.hour] += 1
    # from below the hour's offered load, a window more where the first hour fails, then a
    # window less wherever the limit still holds without it
    need = {h: min(most, max(1 if n else 0, math.floor(n * mean_s / 3600)))
            for h, n in need.items()}
    run_cfg = _one_service(cfg, sid, most)

    def over(plan: dict[int, int]) -> tuple[list[int], dict[int, float]]:
        decisions = _decisions(start, cfg, plan)
        events = []
        for r in range(REPLICAS):
            sim = Sim(run_cfg, start, mine, decisions, measured,
                      Scenario(name="staffing", draw_all=True), [], seed + r, tick_s=TICK_S)
            events.append(sim.run())
        waits = _p90_by_hour(events)
        return [h for h in open_hours if waits.get(h, 0) > limit], waits

    failing, waits = over(need)
    while failing and need[failing[0]] < most:
        need[failing[0]] += 1
        failing, waits = over(need)
    for h in open_hours if not failing else ():
        while need[h] > 0:
            trial = need | {h: need[h] - 1}
            still, trial_waits = over(trial)
            if still:
                break
            need, waits = trial, trial_waits
    return {"windows": [need[h] for h in open_hours], "short": bool(failing),
            "p90_min": [_minutes(waits.get(h)) for h in open_hours]}


def _minutes(wait_s: float | None) -> float | None:
    return None if wait_s is None or math.isinf(wait_s) else round(wait_s / 60, 1)


def plan_week(conn, cfg: HallConfig, weeks: int = 4, week_of: date | None = None,
              seed: int = 0) -> dict:
    """The whole 排班建议 as a JSON-ready dict (report.staffing reads it for hall-web)."""
    known = log.days(conn)
    if not known:
        raise log.LogError("the log has no tickets yet: nothing to plan from")
    monday = target_week(known, week_of)
    window = [d for d in known if monday - timedelta(days=7 * weeks) <= d < monday]
    if not window:
        raise log.LogError(f"the log has no tickets in the {weeks} weeks before {monday}; "
                           f"days with tickets: {known[0]} … {known[-1]}")
    loaded = log.events_between(conn, window[0], window[-1])
    loaded = {d: loaded[d] for d in window}
    people = {d: citizens(ev) for d, ev in loaded.items()}
    measured = measure([(loaded[d], people[d]) for d in window], cfg.alerts.max_wait_s)
    days, cache = [], {}
    for k in range(7):
        day = monday + timedelta(days=k)
        if not cfg.hours.is_working_day(day):
            continue
        basis = [d for d in window if d.weekday() == day.weekday()] or window
        design = max(basis, key=lambda d: (len(people[d]), d))
        if design not in cache:
            start = datetime.combine(design, datetime.min.time(), tzinfo=cfg.tz)
            cache[design] = {sid: plan_service(cfg, sid, people[design], start, measured, seed)
                             for sid in cfg.services}
        plan = cache[design]
        days.append({"date": day.isoformat(), "weekday": day.weekday(),
                     "basis": [d.isoformat() for d in basis], "design_day": design.isoformat(),
                     "same_weekday": any(d.weekday() == day.weekday() for d in window),
                     "tickets": len(people[design]),
                     "services": {sid: {"name": cfg.services[sid].name, **p}
                                  for sid, p in plan.items()},
                     "total": [sum(col) for col in
                               zip(*(p["windows"] for p in plan.values()))]})
    return {"hall": cfg.hall_id, "name": cfg.name, "week_of": monday.isoformat(),
            "weeks": weeks, "limit_s": cfg.alerts.max_wait_s, "windows_in_hall": len(cfg.windows),
            "hours": hours(cfg), "days": days, "seed": seed}
