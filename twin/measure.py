"""The hall's own measured behaviour, from its log: how long a window spends on a citizen of
each service in each hour, how often a called citizen is not there, how soon a clerk calls the
next one, how long the duty manager takes to accept a suggestion, and how citizens rate after
each length of wait. The twin draws what the record lacks from these, with a fixed seed.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field

from report.figures import SATISFIED_SCORES
from twin.log import LogEvent
from twin.people import SERVE, SKIP, Citizen, Stage

MIN_SAMPLES = 3        # fewer in a service-hour: use the service's whole day
TURN_MAX_S = 120       # a gap longer than this between two calls at a window is not a turn-over
DEFAULT_TURN_S = 20.0
DEFAULT_SKIP_S = 180.0
DEFAULT_MANAGER_S = 240.0
DEFAULT_WALK_S = 40.0
#: wait bands for satisfaction: up to the hall's limit, up to twice it, beyond
BANDS = 3


def band(wait_s: float, limit_s: float) -> int:
    return 0 if wait_s <= limit_s else 1 if wait_s <= 2 * limit_s else 2


@dataclass
class Measured:
    """Samples and rates; ``serve[service][hour]`` are seconds call → 办结."""

    serve: dict[str, dict[int, list[float]]] = field(default_factory=dict)
    calls: dict[str, dict[int, list[int]]] = field(default_factory=dict)  # [called, no-shows]
    skip_s: float = DEFAULT_SKIP_S
    turn_s: float = DEFAULT_TURN_S
    manager_s: float = DEFAULT_MANAGER_S
    satisfied: list[float] = field(default_factory=list)  # per band: share ≥ 基本满意; [] none
    rated: list[int] = field(default_factory=list)        # per band: ratings behind the share

    def serve_s(self, service: str, hour: int, rng: random.Random, fallback_s: float) -> float:
        """One window time for ``service`` called at ``hour``, drawn from what was measured."""
        hours = self.serve.get(service, {})
        pool = hours.get(hour, [])
        if len(pool) < MIN_SAMPLES:
            pool = [s for samples in hours.values() for s in samples]
        return rng.choice(pool) if pool else fallback_s + DEFAULT_WALK_S

    def no_show(self, service: str, hour: int, rng: random.Random) -> bool:
        hours = self.calls.get(service, {})
        called, absent = hours.get(hour, [0, 0])
        if called < MIN_SAMPLES:
            called = sum(v[0] for v in hours.values())
            absent = sum(v[1] for v in hours.values())
        return called > 0 and rng.random() < absent / called

    def draw(self, service: str, hour: int, rng: random.Random, fallback_s: float) -> Stage:
        """A turn the record lacks: a no-show or a service, as the hall's own were."""
        if self.no_show(service, hour, rng):
            return Stage(SKIP, self.skip_s)
        return Stage(SERVE, self.serve_s(service, hour, rng, fallback_s))

    def satisfaction(self, wait_s: float, limit_s: float) -> float:
        return self.satisfied[band(wait_s, limit_s)]


def _median(values: list[float], default: float) -> float:
    return float(statistics.median(values)) if values else default


def measure(days: list[tuple[list[LogEvent], list[Citizen]]], limit_s: float) -> Measured:
    """What the hall's days (each: its events and its citizens) measured."""
    m = Measured()
    skips: list[float] = []
    for _events, people in days:
        for c in people:
            for i, st in enumerate(c.stages):
                if st.called_at is None:
                    continue
                hour = st.called_at.hour
                if st.kind == SERVE:
                    samples = m.serve.setdefault(_service_at(c, i), {})
                    samples.setdefault(hour, []).append(st.seconds)
                elif st.kind == SKIP:
                    skips.append(st.seconds)
                if i == 0:
                    counts = m.calls.setdefault(c.service, {}).setdefault(hour, [0, 0])
                    counts[0] += 1
                    counts[1] += st.kind == SKIP
    m.skip_s = _median(skips, DEFAULT_SKIP_S)
    m.turn_s = _median([g for ev, _ in days for g in _turns(ev)], DEFAULT_TURN_S)
    m.manager_s = _median([g for ev, _ in days for g in _manager_delays(ev)], DEFAULT_MANAGER_S)
    m.satisfied, m.rated = _satisfaction([ev for ev, _ in days], limit_s)
    return m


def _service_at(c: Citizen, i: int) -> str:
    """The service ``c`` held at turn ``i`` (after the transfers before it)."""
    service = c.service
    for st in c.stages[:i]:
        if st.to_service:
            service = st.to_service
    return service


def _turns(events: list[LogEvent]) -> list[float]:
    """Seconds from a window's end of a turn to its next call, when it called at once."""
    ended: dict[int, object] = {}
    out = []
    for at, kind, d in events:
        w = d.get("window")
        if kind in ("finished", "skipped", "transferred"):
            ended[w] = at
        elif kind == "called" and d.get("how") == "next" and w in ended:
            gap = (at - ended.pop(w)).total_seconds()
            if gap <= TURN_MAX_S:
                out.append(gap)
    return out


def _manager_delays(events: list[LogEvent]) -> list[float]:
    """Seconds from an ``assist_suggested`` alert to the manager's accepting assignment."""
    seen: dict[tuple, object] = {}
    out = []
    for at, kind, d in events:
        if kind == "alert" and d.get("kind") == "assist_suggested" and not d.get("auto"):
            seen.setdefault((d.get("window"), d.get("service")), at)
        elif kind == "window" and d.get("action") == "assign" and d.get("suggested") \
                and d.get("by") != "hub":
            for sid in set(d.get("services", [])) - set(d.get("previous", [])):
                start = seen.pop((d["window"], sid), None)
                if start is not None:
                    out.append((at - start).total_seconds())
    return out


def _satisfaction(days: list[list[LogEvent]], limit_s: float) -> tuple[list[float], list[int]]:
    """Per wait band, the share of ratings (presses, not defaulted) at 基本满意 or better."""
    good, n = [0] * BANDS, [0] * BANDS
    for events in days:
        waits: dict[str, float] = {}
        for _at, kind, d in events:
            if kind == "called" and d.get("wait_s") is not None:
                waits.setdefault(d["ticket_id"], d["wait_s"])
            elif kind == "rated" and not d.get("defaulted") and d["ticket_id"] in waits:
                b = band(waits[d["ticket_id"]], limit_s)
                n[b] += 1
                good[b] += d["score"] in SATISFIED_SCORES
    if not sum(n):
        return [], n  # no ratings to judge by: no estimate
    overall = sum(good) / sum(n)
    shares, last = [], overall
    for b in range(BANDS):  # a band without ratings: as the shorter band before it
        last = good[b] / n[b] if n[b] else last
        shares.append(last)
    return shares, n
