"""A realistic hall day for the demo: who arrives when, for what, and how each visit goes.

Pure and seeded: the same seed gives the same day. Times are hall-local datetimes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from wire.config import HallConfig

#: Share of visitors per service in a county hall (社保 and 户籍 busiest, 工程建设 rare).
SERVICE_MIX = {"A": 0.10, "B": 0.04, "C": 0.14, "D": 0.20, "E": 0.10, "F": 0.16, "G": 0.14,
               "H": 0.12}
PRIORITY_MIX = (("elderly", 0.06), ("disabled", 0.01), ("military", 0.005), ("pregnant", 0.01))
#: A rated visit's score: most are happy; 差评 (1–2) are rare but real.
SCORE_MIX = ((5, 0.66), (4, 0.22), (3, 0.07), (2, 0.035), (1, 0.015))
NO_SHOW = 0.05        # took a ticket, left before being called
RATES = 0.85          # presses a key on the pad when invited
TRANSFER = 0.04       # came to the wrong service: the clerk transfers the ticket


@dataclass(frozen=True)
class Visit:
    """One citizen: arrival, service, priority and how the visit will go."""

    arrives: datetime
    service: str
    priority: str | None
    no_show: bool
    service_s: float
    transfer_to: str | None
    score: int | None       # None: does not press the pad
    reasons: tuple[str, ...] = ()
    booking: str | None = None  # booked ahead: checks in with this code (hallsim/booking.py)


def arrival_rate(at: datetime) -> float:
    """Relative arrival intensity: a mid-morning peak (~10:30), a smaller one after lunch."""
    h = at.hour + at.minute / 60
    morning = math.exp(-((h - 10.4) ** 2) / (2 * 0.8 ** 2))
    afternoon = 0.6 * math.exp(-((h - 14.5) ** 2) / (2 * 1.0 ** 2))
    return 0.15 + morning + afternoon


def plan_day(cfg: HallConfig, day_start: datetime, start: datetime, end: datetime,
             visitors: int, seed: int = 20261123) -> list[Visit]:
    """About ``visitors`` visits over the whole opening day, those arriving in [start, end)."""
    rng = random.Random(seed)
    sessions = [(day_start.replace(hour=a.hour, minute=a.minute),
                 day_start.replace(hour=b.hour, minute=b.minute)) for a, b in cfg.hours.sessions]
    open_minutes = [t for a, b in sessions for t in _minutes(a, b)]
    weights = [arrival_rate(t) for t in open_minutes]
    scale = visitors / sum(weights)
    services = [s for s in SERVICE_MIX if s in cfg.services] or list(cfg.services)
    mix = [SERVICE_MIX.get(s, 0.1) for s in services]
    visits = []
    for minute, w in zip(open_minutes, weights):
        for _ in range(_poisson(rng, w * scale)):
            at = minute + timedelta(seconds=rng.uniform(0, 60))
            if not start <= at < end:
                continue
            service = rng.choices(services, mix)[0]
            visits.append(_visit(cfg, rng, at, service, services))
    visits.sort(key=lambda v: v.arrives)
    return visits


def _minutes(a: datetime, b: datetime):
    t = a
    while t < b:
        yield t
        t += timedelta(minutes=1)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: λ per minute is small here
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _visit(cfg: HallConfig, rng: random.Random, at: datetime, service: str,
           services: list[str]) -> Visit:
    priority = None
    roll = rng.random()
    for name, share in PRIORITY_MIX:
        if roll < share:
            priority = name
            break
        roll -= share
    mean = cfg.services[service].service_s
    service_s = max(30.0, rng.lognormvariate(math.log(mean) - 0.125, 0.5))
    transfer_to = None
    if rng.random() < TRANSFER:
        transfer_to = rng.choice([s for s in services if s != service])
    score = None
    reasons: tuple[str, ...] = ()
    if rng.random() < RATES:
        score = rng.choices([s for s, _ in SCORE_MIX], [w for _, w in SCORE_MIX])[0]
        if score <= 2:
            reasons = (rng.choice(("态度不好", "效率低", "材料要求不清", "让我多跑了路")),)
    return Visit(at, service, priority, rng.random() < NO_SHOW, service_s, transfer_to, score,
                 reasons)
