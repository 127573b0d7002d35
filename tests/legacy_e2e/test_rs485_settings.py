"""The window node's RS-485 pad tables (modbus, ff68): a mistake names its key and opens
nothing; several windows on one port share one line, opened once."""

from __future__ import annotations

import argparse
import os
import tty

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.lines import Lines
from rater.app import _node_ids, build, window_range
from rater.settings import read_settings
from wire.config import ConfigError

P = "nodes.rater-3.devices"


@pytest.fixture
def pty_path():
    """A real pseudo-terminal nobody answers on: enough to open a line."""
    master, slave = os.openpty()
    tty.setraw(master)
    yield os.ttyname(slave)
    os.close(master)
    os.close(slave)


def _err(cfg, devices) -> str:
    with pytest.raises(ConfigError) as info:
        read_settings(cfg, "rater-3", devices)
    return str(info.value)


@pytest.mark.parametrize("keypad, where", [
    ({"backend": "modbus", "device_id": 3}, f"{P}.keypad.port: is required"),
    ({"backend": "modbus", "port": "", "device_id": 3}, f"{P}.keypad.port"),
    ({"backend": "modbus", "port": "/dev/x", "device_id": 0}, f"{P}.keypad.device_id"),
    ({"backend": "modbus", "port": "/dev/x", "device_id": 248}, f"{P}.keypad.device_id"),
    ({"backend": "modbus", "port": "/dev/x", "device_id": 3, "baudrate": 300},
     f"{P}.keypad.baudrate"),
    ({"backend": "modbus", "port": "/dev/x", "device_id": 3, "address": 3},
     f"{P}.keypad.address"),  # modbus says device_id: an ff68 key is unknown here
    ({"backend": "ff68", "port": "/dev/x"}, f"{P}.keypad.address: is required"),
    ({"backend": "ff68", "port": "/dev/x", "address": 256}, f"{P}.keypad.address"),
    ({"backend": "ff68", "port": "/dev/x", "address": 3, "keys": {"cal_next": "0C"}},
     f"{P}.keypad.keys.cal_next"),
    ({"backend": "ff68", "port": "/dev/x", "address": 3, "keys": {"skip": "zz"}},
     f"{P}.keypad.keys.skip"),
    ({"backend": "ff68", "port": "/dev/x", "address": 3, "pad": "4key"}, f"{P}.keypad.pad"),
    ({"backend": "ff68", "port": "/dev/x", "adress": 3}, f"{P}.keypad"),
    ({"backend": "rs485"}, f"{P}.keypad.backend"),
])
def test_a_bad_keypad_table_names_its_key(hall_config, keypad, where):
    assert where in _err(hall_config, {"keypad": keypad})


@pytest.mark.parametrize("pad, where", [
    ({"backend": "ff68", "port": "/dev/x", "address": 103, "pad": "6key"}, f"{P}.pad.pad"),
    ({"backend": "ff68", "port": "/dev/x", "address": 103, "ratings": {"zz": 5}},
     f"{P}.pad.ratings.zz"),
    ({"backend": "ff68", "port": "/dev/x", "address": 103, "ratings": {"00": 6}},
     f"{P}.pad.ratings.00"),
    ({"backend": "ff68", "port": "/dev/x", "address": 103, "keys": {}}, f"{P}.pad.keys"),
    ({"backend": "ff68", "port": "/dev/k", "address": 3}, f"{P}.pad.address"),  # the caller's
    ({"backend": "modbus", "port": "/dev/k", "device_id": 153}, f"{P}.pad.port"),  # ff68 line
])
def test_a_bad_pad_table_names_its_key(hall_config, pad, where):
    keypad = {"backend": "ff68", "port": "/dev/k", "address": 3}
    assert where in _err(hall_config, {"keypad": keypad, "pad": pad})


def test_same_needs_rating_keys_on_the_keypad(hall_config):
    keypad = {"backend": "modbus", "port": "/dev/x", "device_id": 103}
    assert f"{P}.pad.backend" in _err(hall_config, {"keypad": keypad,
                                                    "pad": {"backend": "same"}})


def test_good_tables_read_back(hall_config):
    s = read_settings(hall_config, "rater-3", {
        "keypad": {"backend": "ff68", "port": "/dev/ttyUSB1", "baudrate": 4800, "address": 3,
                   "keys": {"skip": "07+0F"}},
        "pad": {"backend": "modbus", "port": "/dev/ttyUSB0", "device_id": 153}})
    assert (s.keypad.backend, s.keypad.port, s.keypad.baudrate, s.keypad.address) == \
        ("ff68", "/dev/ttyUSB1", 4800, 3)
    assert s.keypad.options == {"keys": {"skip": "07+0F"}}
    assert (s.pad.backend, s.pad.port, s.pad.baudrate, s.pad.address) == \
        ("modbus", "/dev/ttyUSB0", 9600, 153)


def _ff68(port, address, **more):
    return {"screen": {"backend": "none"},
            "keypad": {"backend": "ff68", "port": port, "address": address} | more}


def test_two_windows_share_one_line_and_it_closes_with_the_last(hall_config, broker,
                                                                hall_clock, pty_path):
    lines = Lines()
    a = build(hall_config, "rater-1", broker.url, hall_clock, simulate=True, devices=_ff68(pty_path, 1),
              lines=lines)
    b = build(hall_config, "rater-2", broker.url, hall_clock, simulate=True, devices=_ff68(pty_path, 2),
              lines=lines)
    assert a.keypad._bus is b.keypad._bus and lines.ports() == {pty_path: "ff68"}
    a.stop()
    assert lines.ports() == {pty_path: "ff68"}  # window 2 still uses it
    b.stop()
    assert lines.ports() == {}


@pytest.mark.parametrize("second, where", [
    (_ff68("P", 1), "nodes.rater-2.devices.keypad.address: unit 1"),
    (_ff68("P", 2, baudrate=4800), "nodes.rater-2.devices.keypad.baudrate"),
    (_ff68("P", 2, keys={"skip": "07+0F"}), "nodes.rater-2.devices.keypad.keys"),
    ({"screen": {"backend": "none"},
      "keypad": {"backend": "modbus", "port": "P", "device_id": 2}},
     "nodes.rater-2.devices.keypad.backend"),
])
def test_a_second_window_that_disagrees_with_the_line_is_refused(
        hall_config, broker, hall_clock, pty_path, second, where):
    lines = Lines()
    a = build(hall_config, "rater-1", broker.url, hall_clock, simulate=True, devices=_ff68(pty_path, 1),
              lines=lines)
    table = {k: (v | {"port": pty_path} if k == "keypad" else v) for k, v in second.items()}
    with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
        build(hall_config, "rater-2", broker.url, hall_clock, simulate=True, devices=table, lines=lines)
    assert sorted(a.keypad._bus.units) == [1]  # the refused window left nothing behind
    assert lines.ports() == {pty_path: "ff68"}
    a.stop()
    assert lines.ports() == {}


def test_a_pad_that_fails_gives_back_the_keypads_line(hall_config, broker, hall_clock,
                                                      pty_path):
    lines = Lines()
    devices = _ff68(pty_path, 3) | {"pad": {"backend": "modbus", "port": "/nonexistent/tty",
                                            "device_id": 153}}
    with pytest.raises(Exception):  # noqa: B017 - the port cannot open: whatever pyserial says
        build(hall_config, "rater-3", broker.url, hall_clock, simulate=True, devices=devices, lines=lines)
    assert lines.ports() == {}


@given(st.integers(1, 200), st.integers(0, 50))
def test_window_ranges_parse(first, extra):
    assert window_range(f"{first}-{first + extra}") == list(range(first, first + extra + 1))
    assert window_range(f"{first}") == [first]
    assert window_range(f"{first},{first + extra}") == [first, first + extra]


@given(st.text(max_size=8))
def test_window_ranges_refuse_junk(text):
    try:
        got = window_range(text)
    except argparse.ArgumentTypeError:
        return  # the one error it may raise
    assert set(text) <= set("0123456789-, ") and got and min(got) >= 1


@pytest.mark.parametrize("text", ["", "0", "4-1", "1-", "-3", "a", "1_0", "²", "1,,2", "+1"])
def test_window_ranges_refuse_these(text):
    with pytest.raises(argparse.ArgumentTypeError):
        window_range(text)


def test_node_ids_for_several_windows(hall_config):
    assert _node_ids(hall_config, None, [1, 2, 3, 2]) == ["rater-1", "rater-2", "rater-3"]
    assert _node_ids(hall_config, "rater-4", []) == ["rater-4"]
    with pytest.raises(ConfigError, match="no rater node at window 99"):
        _node_ids(hall_config, None, [1, 99])
    with pytest.raises(ConfigError):
        _node_ids(hall_config, "rater-1", [2])


def test_a_caller_with_its_own_key_map_cannot_join_a_line_a_rater_opened(
        hall_config, broker, hall_clock, pty_path):
    lines = Lines()
    rater_only = {"screen": {"backend": "none"},
                  "pad": {"backend": "ff68", "port": pty_path, "address": 101}}
    a = build(hall_config, "rater-1", broker.url, hall_clock, simulate=True, devices=rater_only, lines=lines)
    with pytest.raises(ConfigError, match=r"rater-2\.devices\.keypad\.keys: every caller on port"):
        build(hall_config, "rater-2", broker.url, hall_clock, simulate=True, lines=lines,
              devices=_ff68(pty_path, 2, keys={"skip": "07+0F"}))
    b = build(hall_config, "rater-2", broker.url, hall_clock, simulate=True, devices=_ff68(pty_path, 2),
              lines=lines)  # the default key map: welcome
    assert sorted(a.pad._bus.units) == [2, 101]
    a.stop()
    b.stop()
    assert lines.ports() == {}
