"""Rate limits per node (or per ticket page, or per person: one bucket per ID number and one
per phone, a request paying both) and per op class: a token bucket each.

The classes and their defaults are the op registry's (hub.ops.RATE_CLASSES); ``[limits.<class>]``
in hall.toml overrides ``burst`` and ``per_minute`` (an unknown class fails the hub's start with
a suggestion). Buckets refill in hall time (the batch's time): a sped-up simulation keeps its
pace, and a clock stepped back refills nothing. A refusal (``rate_limited``) is never stored and
never remembered (the node may try the same request again once it slows down); the desk counts
refusals per class for the hub's health and raises one ``alert`` per node and class at most
every ALERT_EVERY_S.
"""

from __future__ import annotations

import difflib
import hashlib
from datetime import datetime

from hub.ops import RATE_CLASSES, Op, RateLimit
from wire.section import ConfigError

ALERT_EVERY_S = 300  # one alert per node and class per 5 minutes, not a storm
MAX_BUCKETS = 20_000  # per page/person buckets: the least recently used go beyond this


def limits_of(overrides: dict, source: str = "config") -> dict[str, RateLimit]:
    """The registry's defaults with hall.toml's ``[limits.<class>]`` overrides."""
    out = dict(RATE_CLASSES)
    for name, values in overrides.items():
        base = RATE_CLASSES.get(name)
        if base is None:
            near = difflib.get_close_matches(name, sorted(RATE_CLASSES), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ConfigError(f"{source}: limits.{name}: unknown rate-limit class{hint}; "
                              f"the classes are {', '.join(RATE_CLASSES)}")
        out[name] = RateLimit(values.get("burst", base.burst),
                              values.get("per_minute", base.per_minute), base.per)
    return out


class Limiter:
    """Token buckets keyed by (class, node[, token]) or (class, "id"|"phone", digest)."""

    def __init__(self, limits: dict[str, RateLimit]):
        self.limits = limits
        self._buckets: dict[tuple, list] = {}  # key -> [tokens, hall time of the last fill]
        self._alerted: dict[tuple[str, str], datetime] = {}
        self.refused: dict[str, int] = {}  # class -> refusals since the hub started

    def allow(self, op: Op, node: str, args: object, at: datetime) -> bool:
        """Take one token for ``op`` from ``node`` at ``at`` (from each of its buckets); False
        (and counted) when any of them has none."""
        limit = self.limits[op.rate]
        buckets = [self._bucket(key, limit, at) for key in _keys(op.rate, limit, node, args)]
        if all(b[0] >= 1 for b in buckets):
            for b in buckets:
                b[0] -= 1
            return True
        self.refused[op.rate] = self.refused.get(op.rate, 0) + 1
        return False

    def _bucket(self, key: tuple, limit: RateLimit, at: datetime) -> list:
        # popped and put back: the dict runs from the least to the most recently used bucket,
        # so the one to forget at MAX_BUCKETS is its first (no scan). A bucket still being
        # drained is the newest: flushing it takes MAX_BUCKETS new ones after its last use.
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            while len(self._buckets) >= MAX_BUCKETS:
                del self._buckets[next(iter(self._buckets))]
            bucket = [float(limit.burst), at]
        self._buckets[key] = bucket
        elapsed = max(0.0, (at - bucket[1]).total_seconds())
        bucket[0] = min(float(limit.burst), bucket[0] + elapsed * limit.per_minute / 60)
        bucket[1] = max(at, bucket[1])
        return bucket

    def alert_due(self, node: str, rate: str, at: datetime) -> bool:
        """Whether a refusal of ``node`` in ``rate`` should raise an alert now (and note it)."""
        last = self._alerted.get((node, rate))
        if last is not None and 0 <= (at - last).total_seconds() < ALERT_EVERY_S:
            return False
        self._alerted[(node, rate)] = at
        return True


def _keys(rate: str, limit: RateLimit, node: str, args: object) -> list[tuple]:
    """The buckets a request pays: its node's, its ticket page's, or (``person``) one per ID
    number and one per phone, kept as hashes (the limiter holds no ID or phone number)."""
    given = args if isinstance(args, dict) else {}
    if limit.per == "token":
        token = given.get("token")
        return [(rate, node, token if isinstance(token, str) else "")]
    if limit.per == "person":
        return [(rate, what, _digest(given.get(arg), upper))
                for what, arg, upper in (("id", "id_number", True), ("phone", "phone", False))]
    return [(rate, node)]


def _digest(value: object, upper: bool) -> str:
    """The bucket name of an ID or phone as the hub would read it (spaces, case: one bucket)."""
    text = value.strip() if isinstance(value, str) else ""
    return hashlib.sha256((text.upper() if upper else text).encode()).hexdigest()[:32]
