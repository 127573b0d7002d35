"""``[booking]`` in hall.toml (wire.bookingconfig): the example's rules and defaults, and every
mistake refused with the file and key named (a typo with its "did you mean")."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from wire.bookingconfig import BookableService, BookingRules, NoShowRule
from wire.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base() -> dict:
    return tomllib.loads((ROOT / "examples" / "hall.toml").read_text(encoding="utf-8"))


def booking_of(base: dict, booking: dict | None) -> BookingRules | None:
    data = copy.deepcopy(base)
    data.pop("booking")
    if booking is not None:
        data["booking"] = booking
    return parse_config(data, "hall.toml").booking


def test_the_example_halls_rules(base):
    rules = parse_config(copy.deepcopy(base), "hall.toml").booking
    assert rules == BookingRules(no_show=NoShowRule(3, 30, 30), services=rules.services)
    assert sorted(rules.services) == ["A", "C", "D"]
    assert rules.materials("D") == ["身份证原件", "社保卡"] and rules.bookable("A")
    assert not rules.bookable("B") and rules.materials("B") == []


def test_no_table_books_nothing_and_an_empty_service_is_bookable_without_materials(base):
    assert booking_of(base, None) is None and booking_of(base, {}) is None
    rules = booking_of(base, {"services": {"A": {}, "C": {"bookable": False}}})
    assert rules.services == {"A": BookableService(True, ()), "C": BookableService(False, ())}
    assert (rules.slot_minutes, rules.days_ahead, rules.walk_in_share) == (30, 7, 0.3)
    assert (rules.cancel_before_minutes, rules.early_minutes, rules.grace_minutes) == (120, 30, 15)
    assert (rules.per_phone, rules.per_id, rules.no_show) == (3, 3, NoShowRule(3, 30, 30))


def test_values_are_read(base):
    got = booking_of(base, {"slot_minutes": 20, "walk_in_share": 0, "per_id": 1,
                            "no_show_block": {"count": 2, "block_days": 0},
                            "services": {"B": {"materials": ["身份证原件"]}}})
    assert (got.slot_minutes, got.walk_in_share, got.per_id) == (20, 0.0, 1)
    assert isinstance(got.walk_in_share, float) and got.no_show == NoShowRule(2, 30, 0)
    assert got.materials("B") == ["身份证原件"]


@pytest.mark.parametrize("booking, expected", [
    ({"slot_minutes": 4}, "hall.toml: booking.slot_minutes: must be ≥ 5, got 4"),
    ({"days_ahead": 91}, "hall.toml: booking.days_ahead: must be ≤ 90, got 91"),
    ({"walk_in_share": 0.96}, "hall.toml: booking.walk_in_share: must be ≤ 0.95, got 0.96"),
    ({"walk_in_share": "30%"}, "hall.toml: booking.walk_in_share: must be a number, got '30%'"),
    ({"cancel_before_minutes": 10081}, "booking.cancel_before_minutes: must be ≤ 10080"),
    ({"early_minutes": -1}, "hall.toml: booking.early_minutes: must be ≥ 0, got -1"),
    ({"grace_minutes": 241}, "hall.toml: booking.grace_minutes: must be ≤ 240, got 241"),
    ({"per_phone": 0}, "hall.toml: booking.per_phone: must be ≥ 1, got 0"),
    ({"per_id": True}, "hall.toml: booking.per_id: must be an integer, got True"),
    ({"no_show_block": {"count": 0}}, "hall.toml: booking.no_show_block.count: must be ≥ 1, got 0"),
    ({"no_show_block": {"within_days": 367}}, "booking.no_show_block.within_days: must be ≤ 366"),
    ({"no_show_block": {"block_days": -1}}, "booking.no_show_block.block_days: must be ≥ 0"),
    ({"no_show_block": {"blocks_days": 9}},
     "hall.toml: booking.no_show_block.blocks_days: unknown key (did you mean 'block_days'?)"),
    ({"no_show_block": 3}, "hall.toml: booking.no_show_block: must be a table, got int"),
    ({"slot_minute": 30}, "hall.toml: booking.slot_minute: unknown key (did you mean 'slot_minutes'?)"),
    ({"services": {"Z": {}}}, "hall.toml: booking.services.Z: unknown service; known: A, B, C, D"),
    ({"services": {"A": {"bookabel": True}}},
     "hall.toml: booking.services.A.bookabel: unknown key (did you mean 'bookable'?)"),
    ({"services": {"A": {"materials": "身份证"}}},
     "hall.toml: booking.services.A.materials: must be a list, got '身份证'"),
    ({"services": {"A": {"materials": [1]}}},
     "hall.toml: booking.services.A.materials: item 0 must be a string, got 1"),
    ({"services": {"A": {"bookable": "yes"}}},
     "hall.toml: booking.services.A.bookable: must be true or false, got 'yes'"),
    ({"services": {"A": 1}}, "hall.toml: booking.services.A: must be a table, got int"),
])
def test_every_mistake_names_the_key(base, booking, expected):
    with pytest.raises(ConfigError) as err:
        booking_of(base, booking)
    assert expected in str(err.value)
