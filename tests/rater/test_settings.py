"""The window node's devices table: defaults, real wiring, and every mistake named."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.gpio import SimulatedPins
from rater.app import _node_id, build
from rater.settings import build_pads, read_settings
from wire.config import ConfigError


def test_empty_table_gives_simulated_pads_a_screen_and_the_other_services_to_transfer(hall_config):
    s = read_settings(hall_config, "rater-3", {}, simulate=True)
    assert s.keypad.backend == "simulated" and s.pad.backend == "simulated" and s.simulate
    assert read_settings(hall_config, "rater-3", {"backend": "sim"}) == s
    assert s.screen == "window" and s.staff is None
    assert [sid for sid, _ in s.transfer] == ["A", "C", "D", "E", "F", "G", "H"]
    keypad, pad = build_pads(s)
    assert keypad is not pad and isinstance(keypad.pins, SimulatedPins)
    assert "call_next" in keypad.keys and len(keypad.digits) == 10 and "rate_5" in pad.keys


def test_real_wiring_shared_pins_and_same_pad(hall_config):
    devices = {"staff": "1003", "transfer": ["A"],
               "keypad": {"backend": "gpio", "keys": {"call_next": 5, "finish": 6, "rate_5": 13,
                                                      "rate_1": 19},
                          "leds": {"online": 22}, "buzzer": 27, "bounce_ms": 30},
               "pad": {"backend": "same"}, "screen": {"backend": "none"}}
    s = read_settings(hall_config, "rater-3", devices)
    assert s.pad is None and s.staff == "1003" and s.keypad.bounce_s == 0.03
    pins = SimulatedPins()  # stands in for the Pi's pins
    keypad, pad = build_pads(s, pins_backend=pins)
    assert keypad is pad and keypad.pins is pins


@pytest.mark.parametrize("devices, where", [
    ({"staff": "9999"}, "devices.staff: unknown staff"),
    ({"staff": "1001"}, "does not work at window 3"),
    ({"transfer": ["Z"]}, "devices.transfer: unknown service"),
    ({"keypad": {"backend": "gpoi"}}, "did you mean 'gpio'"),
    ({"keypad": {"backend": "gpio"}}, "devices.keypad.keys: a gpio pad needs its wiring"),
    ({"keypad": {"backend": "gpio", "keys": {"call_next": 40}}}, "BCM pins are 0–27"),
    ({"keypad": {"keys": {"cal_next": 4}}}, "did you mean 'call_next'"),
    ({"keypad": {"keys": {"call_next": 4, "recall": 4}}}, "pins used twice"),
    ({"keypad": {"digits": [1, 2]}}, "digits: must list the pins of digits 0–9"),
    ({"pad": {"backend": "same"}}, "needs rate_1"),
    ({"screen": {"backend": "hdmi"}}, "devices.screen.backend"),
    ({"screen": {"width": 100}}, "devices.screen.width"),
    ({"scren": {}}, "did you mean 'screen'"),
])
def test_mistakes_name_the_key(hall_config, devices, where):
    with pytest.raises(ConfigError, match=where) as err:
        read_settings(hall_config, "rater-3", devices, simulate=True)
    assert "nodes.rater-3.devices" in str(err.value)


@pytest.mark.parametrize("devices, table", [
    ({}, "keypad"),
    ({"keypad": {"backend": "gpio", "keys": {"call_next": 5}}}, "pad"),
    ({"keypad": {"keys": {"call_next": 5}}, "pad": {"backend": "same"}}, "keypad"),
])
def test_naming_no_pad_refuses_to_start(hall_config, devices, table):
    with pytest.raises(ConfigError) as err:
        read_settings(hall_config, "rater-3", devices)
    assert f"nodes.rater-3.devices.{table}.backend: missing" in str(err.value)
    assert "backend = \"sim\" in [nodes.rater-3.devices]" in str(err.value)


def test_not_a_rater_and_unknown_node_are_config_errors(hall_config):
    with pytest.raises(ConfigError, match="not a rater"):
        read_settings(hall_config, "kiosk-1", {})
    with pytest.raises(ConfigError, match="no node"):
        read_settings(hall_config, "rater-99", {})


def test_node_choice_from_flags(hall_config):
    assert _node_id(hall_config, None, None) == "rater-1"
    assert _node_id(hall_config, None, 7) == "rater-7"
    with pytest.raises(ConfigError, match="window 99"):
        _node_id(hall_config, None, 99)


def test_build_refuses_unknown_overrides(hall_config, hall_clock):
    with pytest.raises(TypeError, match="printer"):
        build(hall_config, "rater-3", "mqtt://127.0.0.1:1", hall_clock, simulate=True,
              printer=None)


def test_the_documented_example_table_is_valid(hall_config):
    import re
    import tomllib
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "rater.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    devices = tomllib.loads(block)["nodes"][0]["devices"]
    s = read_settings(hall_config, "rater-3", devices)
    assert s.keypad.backend == s.pad.backend == "gpio" and s.screen == "fullscreen"
    keypad, pad = build_pads(s, pins_backend=SimulatedPins(valid=range(28)))
    assert keypad.pins is pad.pins and pad.pin_of("rate_5") == 24


def test_two_gpio_pads_may_not_share_a_pin(hall_config):
    devices = {"keypad": {"backend": "gpio", "keys": {"call_next": 5}},
               "pad": {"backend": "gpio", "keys": {"rate_5": 5}}}
    with pytest.raises(ConfigError, match="devices.pad.keys: pins also used by the keypad: 5"):
        read_settings(hall_config, "rater-3", devices, simulate=True)


_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 300), st.text(max_size=6),
                    st.lists(st.integers(-1, 40), max_size=11))
_keys = st.sampled_from(["backend", "keys", "digits", "leds", "buzzer", "bounce_ms", "width",
                         "height", "staff", "transfer", "x"])
_leaf = st.dictionaries(_keys, _values, max_size=4)
_pins = st.dictionaries(st.sampled_from(["call_next", "rate_5", "online", "nope"]),
                        st.one_of(st.integers(-2, 40), st.text(max_size=2)), max_size=3)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.fixed_dictionaries({}, optional={
    "staff": st.sampled_from(["1003", "2001", "1001", "x", 3]),
    "transfer": st.one_of(st.lists(st.sampled_from(["A", "C", "Z", ""]), max_size=10),
                          st.text(max_size=2)),
    "keypad": st.one_of(_leaf, st.builds(lambda d, k: d | {"keys": k}, _leaf, _pins)),
    "pad": st.one_of(_leaf, st.just({"backend": "same"}), st.integers()),
    "screen": _leaf,
}))
def test_any_table_is_either_valid_or_a_config_error(hall_config, table):
    try:
        s = read_settings(hall_config, "rater-3", table)
    except ConfigError as exc:
        assert "nodes.rater-3.devices" in str(exc)
        return
    assert s.keypad.backend in ("simulated", "gpio") and s.screen_size[0] >= 320
