"""wire.schema: a dataclass's key fields are read through Section's getters (bounds, choices,
"did you mean"), each default stated once on its field."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time
from pathlib import Path

import pytest

from callboard.leds import LedRules
from wire.config import AlertRules, QueueRules, RatingRules, WebRules
from wire.schema import key, keys, read, read_keys
from wire.section import ConfigError, Section


@dataclass(frozen=True, kw_only=True)
class Sample:
    mode: str = key("fast", choices=("fast", "slow"))
    count: int = key(3, min=1, max=9)
    ratio: float = key(0.5, min=0.0, max=1.0)
    at: time = key(time(8, 0), name="from")
    names: tuple[str, ...] = key(("a",))
    where: Path | None = key(None, table="files")
    label: str = key()
    free: int = 0      # not a key: never read


def section(data: dict) -> Section:
    return Section(data, "thing", "h.toml")


def test_an_empty_table_gives_the_defaults_and_a_required_key_is_required():
    assert read(Sample, section({"label": "x"})) == Sample(label="x")
    with pytest.raises(ConfigError, match=r"h.toml: thing.label: is required"):
        read(Sample, section({}))


@pytest.mark.parametrize("data, expected", [
    ({"mode": "slw"}, "thing.mode: must be one of fast, slow, got 'slw' (did you mean 'slow'?)"),
    ({"count": 10}, "thing.count: must be ≤ 9, got 10"),
    ({"ratio": -1}, "thing.ratio: must be ≥ 0.0, got -1"),
    ({"from": "8h"}, "thing.from: must be a time HH:MM"),
    ({"names": [1]}, "thing.names: item 0 must be a string"),
    ({"cuont": 2}, "thing.cuont: unknown key (did you mean 'count'?)"),
])
def test_every_mistake_names_the_key(data, expected):
    with pytest.raises(ConfigError) as err:
        read(Sample, section({"label": "x", **data}))
    assert expected in str(err.value)


def test_values_are_converted_and_a_sub_table_is_read_apart():
    got = read(Sample, section({"label": "x", "from": "09:30", "names": ["b", "c"], "ratio": 1}))
    assert (got.at, got.names, got.ratio) == (time(9, 30), ("b", "c"), 1.0)
    assert read_keys(Sample, section({"where": "/srv"}), table="files") == {"where": Path("/srv")}


def test_a_default_may_depend_on_what_was_read_before():
    got = read_keys(Sample, section({"count": 4}),
                    defaults={"label": lambda read: f"n{read['count']}", "mode": "slow"})
    assert (got["label"], got["mode"]) == ("n4", "slow")


def test_choices_may_be_named_by_a_callable():
    @dataclass(frozen=True)
    class Backend:
        backend: str = key("a", choices=lambda: ("a", "b"))

    with pytest.raises(ConfigError, match="did you mean 'b'"):
        read(Backend, section({"backend": "bb"}))


def test_a_field_of_a_kind_it_cannot_read_is_refused_when_listed():
    @dataclass(frozen=True)
    class Odd:
        table: dict = key(None)

    with pytest.raises(TypeError, match="Odd.table: cannot read a dict"):
        keys(Odd)


@pytest.mark.parametrize("cls", [QueueRules, RatingRules, AlertRules, WebRules, LedRules])
def test_each_rule_table_states_its_defaults_once(cls):
    """An empty table gives exactly the dataclass's defaults, and every key is a field."""
    assert read(cls, section({})) == cls()
    assert {k.field for k in keys(cls)} <= {f.name for f in fields(cls)}
