"""FF68 key map and bus settings: the protocol page's defaults, overrides, clear errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.legacy.errors import LegacyConfigError
from firmware_bridge.legacy.ff68_config import parse_settings
from firmware_bridge.legacy.ff68_keymap import KeyMap, parse_code, rating_map


@pytest.mark.parametrize("data, key, digit", [
    (b"\x0c", "call_next", None), (b"\x0d", "recall", None), (b"\x0b", "finish", None),
    (b"\x06\x0f", "skip", None), (b"\x00\x0f", "hold", None), (b"\x03\x0f", "call_back", None),
    (b"\x12", "pause", None), (b"\x13", "transfer", None),
    (b"\x04\x13", "transfer", 4),        # a digit typed before a one-step key travels with it
    (b"\x0f", None, None), (b"\x07\x0f", None, None), (b"\x44", None, None), (b"", None, None),
])
def test_default_codes_are_the_protocol_pages(data, key, digit):
    assert KeyMap.from_table().key_for(data) == (key, digit)


def test_a_hall_overrides_one_key_and_keeps_the_others():
    keymap = KeyMap.from_table({"skip": "07+0F", "call_next": ["0C", "0x20"]})
    assert keymap.key_for(b"\x07\x0f") == ("skip", None)
    assert keymap.key_for(b"\x06\x0f") == (None, None)
    assert keymap.key_for(b"\x20") == ("call_next", None)
    assert keymap.key_for(b"\x0d") == ("recall", None)


@pytest.mark.parametrize("table, fragment", [
    ({"dance": "0C"}, "keys.dance: not a key name"),
    ({"recall": "0C"}, "already 'call_next'"),
    ({"recall": "ZZ"}, "not a hex byte"),
    ({"recall": "100"}, "not a byte"),
    ({"recall": "01+02+03"}, "at most digit+code"),
    ({"recall": ""}, "a key code is a hex byte"),
])
def test_bad_key_maps_name_the_key(table, fragment):
    with pytest.raises(LegacyConfigError, match=fragment.replace("+", r"\+")):
        KeyMap.from_table(table)


@given(st.integers(0, 255), st.one_of(st.none(), st.integers(0, 255)))
def test_code_text_round_trip(code, digit):
    text = f"{code:02X}" if digit is None else f"{digit:02x}+0x{code:02X}"
    assert parse_code(text, "k") == (digit, code)


def test_rating_maps():
    assert rating_map("4key", None, "u") == {0: "rate_2", 1: "rate_3", 2: "rate_4", 3: "rate_5"}
    assert rating_map("5key", None, "u")[4] == "rate_5"
    assert rating_map("5key", {"01": 1, "05": 5}, "u") == {1: "rate_1", 5: "rate_5"}


@pytest.mark.parametrize("pad, table, fragment", [
    ("6key", None, "pad: must be one of"), ("4key", {"00": 6}, "score must be 1–5"),
    ("4key", {"x": 1}, "not a hex byte"), ("4key", {"00": True}, "score must be 1–5"),
])
def test_bad_rating_maps(pad, table, fragment):
    with pytest.raises(LegacyConfigError, match=fragment):
        rating_map(pad, table, "u")


GOOD = {"port": "/dev/ttyUSB0", "units": {"1": {"window": 1}, "17": {"window": 1, "pad": "5key"}}}


def test_settings_defaults():
    settings = parse_settings(GOOD, "nodes.area-1.devices.ff68", windows={1, 2})
    assert (settings.baud, settings.parity, settings.repeat_window_s) == (9600, "N", 1.5)
    assert [(u.addr, u.window) for u in settings.units] == [(1, 1), (17, 1)]
    assert settings.units[1].ratings[0] == "rate_1"


@pytest.mark.parametrize("change, fragment", [
    ({"bauds": 9600}, r"ff68: unknown key\(s\) bauds"),
    ({"baud": 300}, "ff68.baud: must be an integer 1200–115200"),
    ({"parity": "X"}, "ff68.parity: must be one of"),
    ({"port": None}, "ff68.port: is required"),
    ({"units": {}}, "ff68.units: must be a table"),
    ({"units": {"x": {"window": 1}}}, "ff68.units.x: a unit address"),
    ({"units": {"300": {"window": 1}}}, "ff68.units.300: a unit address"),
    ({"units": {"1": {"window": 9}}}, "ff68.units.1.window: no window 9"),
    ({"units": {"1": {"widow": 1}}}, r"ff68.units.1: unknown key\(s\) widow"),
    ({"local_echo": "yes"}, "ff68.local_echo: must be true or false"),
    ({"keys": {"recall": "0C"}}, "ff68.keys.recall"),
])
def test_bad_settings_are_refused_naming_the_key(change, fragment):
    table = {**GOOD, **change}
    if change.get("port", "") is None:
        del table["port"]
    with pytest.raises(LegacyConfigError, match=fragment):
        parse_settings(table, "ff68", windows={1, 2})
