"""hub.ratelimit: token buckets in hall time per node (or ticket page) and class; hall.toml's
``[limits.<class>]`` overrides, checked with suggestions."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hub.ops import OPS, RATE_CLASSES, RateLimit
from hub.ratelimit import ALERT_EVERY_S, Limiter, limits_of
from wire.config import ConfigError, parse_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hall.toml"
T0 = datetime.fromisoformat("2026-11-23T10:00:00+08:00")


def config(extra: str):
    return parse_config(tomllib.loads(EXAMPLE.read_text(encoding="utf-8") + extra), "hall.toml")


def test_hall_toml_overrides_a_class_and_keeps_the_other_defaults():
    cfg = config("\n[limits.kiosk]\nburst = 5\n")
    limits = limits_of(cfg.limits, cfg.source)
    assert limits["kiosk"] == RateLimit(5, RATE_CLASSES["kiosk"].per_minute)
    assert {k: v for k, v in limits.items() if k != "kiosk"} == {
        k: v for k, v in RATE_CLASSES.items() if k != "kiosk"}


@pytest.mark.parametrize("extra, said", [
    ("\n[limits.kiosks]\nburst = 5\n", "did you mean 'kiosk'"),
    ("\n[limits.kiosk]\nbrust = 5\n", "did you mean 'burst'"),
    ("\n[limits.kiosk]\nburst = 0\n", "limits.kiosk.burst: must be ≥ 1"),
    ("\n[limits.kiosk]\nper_minute = \"fast\"\n", "must be a number"),
])
def test_a_wrong_limit_is_refused_with_what_to_write(extra, said):
    with pytest.raises(ConfigError, match=said):
        cfg = config(extra)
        limits_of(cfg.limits, cfg.source)


def test_a_bucket_refills_in_hall_time_and_never_from_a_clock_stepped_back():
    limiter = Limiter({**RATE_CLASSES, "kiosk": RateLimit(2, 60)})
    take = OPS["ticket.take"]
    assert [limiter.allow(take, "kiosk-1", {}, T0) for _ in range(3)] == [True, True, False]
    assert limiter.allow(take, "kiosk-2", {}, T0)  # per node
    assert not limiter.allow(take, "kiosk-1", {}, T0 - timedelta(hours=1))
    assert limiter.allow(take, "kiosk-1", {}, T0 + timedelta(seconds=1))  # 60/min: one a second
    assert limiter.refused == {"kiosk": 2}


def test_citizen_classes_are_per_ticket_page():
    limiter = Limiter({**RATE_CLASSES, "page": RateLimit(1, 1, "token")})
    lookup = OPS["ticket.lookup"]
    assert limiter.allow(lookup, "web", {"token": "a" * 22}, T0)
    assert not limiter.allow(lookup, "web", {"token": "a" * 22}, T0)
    assert limiter.allow(lookup, "web", {"token": "b" * 22}, T0)


def test_one_alert_per_node_and_class_per_while():
    limiter = Limiter(RATE_CLASSES)
    assert limiter.alert_due("kiosk-1", "kiosk", T0)
    assert not limiter.alert_due("kiosk-1", "kiosk", T0 + timedelta(seconds=ALERT_EVERY_S - 1))
    assert limiter.alert_due("kiosk-1", "status", T0)
    assert limiter.alert_due("kiosk-1", "kiosk", T0 + timedelta(seconds=ALERT_EVERY_S))


def _find(limiter, id_no: str, phone: str, at=T0) -> bool:
    return limiter.allow(OPS["booking.find"], "web", {"id_number": id_no, "phone": phone}, at)


def test_person_buckets_stay_within_max_buckets(monkeypatch):
    """booking.find's buckets refill in 10 minutes a token: a flood of new people holds at most
    MAX_BUCKETS of them (counted, never timed), the least recently used forgotten first."""
    monkeypatch.setattr("hub.ratelimit.MAX_BUCKETS", 50)
    limiter = Limiter(dict(RATE_CLASSES))
    for i in range(200):
        assert _find(limiter, f"ID{i:05d}", f"139{i:08d}")
        assert len(limiter._buckets) <= 50


def test_a_flood_does_not_reset_a_bucket_still_being_drained(monkeypatch):
    monkeypatch.setattr("hub.ratelimit.MAX_BUCKETS", 50)
    limiter = Limiter(dict(RATE_CLASSES))
    burst = RATE_CLASSES["book_find"].burst
    assert all(_find(limiter, "TARGET", f"150{i:08d}") for i in range(burst))
    for i in range(22):  # 44 new buckets: the target's are now among the oldest
        _find(limiter, f"ID{i:05d}", f"139{i:08d}")
    assert not _find(limiter, "TARGET", "15099999999")  # guessing on: its bucket is the newest
    for i in range(22, 40):  # 36 more: the least recently used go, the target's stays
        _find(limiter, f"ID{i:05d}", f"139{i:08d}")
    assert not _find(limiter, "TARGET", "15099999998")
