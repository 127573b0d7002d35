"""One recorded day, replayed: what the log says, the twin under the day's own decisions, and
the twin under an alternative, each as the same figures (twin.figures)."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime

from twin import log
from twin.figures import figures
from twin.measure import Measured, measure
from twin.people import Citizen, citizens
from twin.scenario import Scenario, config_for
from twin.sim import Sim
from wire.config import HallConfig


@dataclass
class Day:
    """A day of the log, ready to replay."""

    day: date
    start: datetime               # the hall's midnight that day
    events: list[log.LogEvent]
    people: list[Citizen]
    decisions: list[log.LogEvent]
    measured: Measured
    history: dict[str, tuple[float, int]]


@dataclass
class Run:
    name: str
    figures: dict
    events: list[log.LogEvent]
    seconds: float = 0.0


def load(conn: sqlite3.Connection, cfg: HallConfig, day: date) -> Day:
    events = log.day_events(conn, day)
    check(cfg, events)
    people = citizens(events)
    start = datetime.combine(day, datetime.min.time(), tzinfo=cfg.tz)
    decisions = [e for e in events if e.kind == "window"]
    return Day(day, start, events, people, decisions,
               measure([(events, people)], cfg.alerts.max_wait_s),
               log.service_history(conn, day))


def check(cfg: HallConfig, events: list[log.LogEvent]) -> None:
    """LogError when the log names services or windows the config lacks (another hall's
    config, or one changed since): replayed, its tickets would be refused as unknown."""
    services = {e.data["service"] for e in events if e.kind == "issued"}
    windows = {e.data["window"] for e in events if e.kind == "window"}
    unknown = sorted(services - set(cfg.services)) + [str(n) for n in
                                                      sorted(windows - set(cfg.windows))]
    if unknown:
        raise log.LogError(f"the log names services or windows {', '.join(unknown)} that "
                           f"{cfg.source} does not have: give the hall's own --config")


def recorded(cfg: HallConfig, d: Day) -> Run:
    """The day as the log has it."""
    return Run("recorded", figures(d.events, cfg.alerts.max_wait_s, d.measured), d.events)


def replay(cfg: HallConfig, d: Day, sc: Scenario, seed: int) -> Run:
    """The twin's run of the day under ``sc`` (its figures judged by the day's measurements)."""
    began = time.perf_counter()
    run_cfg, extra = config_for(cfg, sc)
    sim = Sim(run_cfg, d.start, d.people, d.decisions, d.measured, sc, extra, seed, d.history)
    events = sim.run()
    fig = figures(events, cfg.alerts.max_wait_s, d.measured, sim.told)
    return Run(sc.name, fig, events, time.perf_counter() - began)
