"""The kiosk's devices table: defaults, every backend, and errors that name the key."""

from __future__ import annotations

import copy

import pytest

from devices.printer.escpos_backend import EscposPrinter
from devices.printer.simulated import SimulatedPrinter
from kiosk.settings import make_printer, read_settings
from wire.config import ConfigError, parse_config


@pytest.fixture(scope="module")
def base():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    return tomllib.loads((root / "examples" / "hall.toml").read_text(encoding="utf-8"))


def cfg_with(base, devices):
    data = copy.deepcopy(base)
    for node in data["nodes"]:
        if node["id"] == "kiosk-1":
            node["devices"] = devices
    return parse_config(data, "hall.toml")


@pytest.mark.parametrize("devices, simulate", [({}, True), ({"backend": "sim"}, False)])
def test_asked_for_simulation_an_empty_table_is_simulated_and_portrait(base, devices, simulate):
    s = read_settings(cfg_with(base, devices), "kiosk-1", simulate=simulate)
    assert s.printer_backend == "simulated" and s.screen_backend == "offscreen" and s.simulate
    assert s.screen_size == (1080, 1920) and s.orientation == "portrait"
    assert s.layout.hall_name == "示范县政务服务中心" and s.layout.hotline == "0000-12345"
    assert isinstance(make_printer(s), SimulatedPrinter)


@pytest.mark.parametrize("devices", [None, {}, {"screen": {"backend": "fullscreen"}},
                                     {"printer": {"width_mm": 58}}])
def test_a_kiosk_naming_no_printer_refuses_to_start(base, devices):
    data = copy.deepcopy(base)
    if devices is not None:
        next(n for n in data["nodes"] if n["id"] == "kiosk-1")["devices"] = devices
    with pytest.raises(ConfigError) as err:
        read_settings(parse_config(data, "hall.toml"), "kiosk-1")
    message = str(err.value)
    assert message.startswith("hall.toml: nodes.kiosk-1.devices.printer.backend: missing")
    assert "[nodes.kiosk-1.devices.printer]" in message and "--simulate" in message
    assert "backend = \"sim\" in [nodes.kiosk-1.devices]" in message


def test_not_simulating_the_screen_is_a_window_and_sim_must_be_spelt(base):
    s = read_settings(cfg_with(base, {"printer": {"backend": "network", "host": "h"}}),
                      "kiosk-1")
    assert s.screen_backend == "window" and not s.simulate
    with pytest.raises(ConfigError, match="devices.backend: must be one of sim"):
        read_settings(cfg_with(base, {"backend": "simulated"}), "kiosk-1")


def test_landscape_58mm_and_a_custom_ticket(base):
    s = read_settings(cfg_with(base, {
        "screen": {"orientation": "landscape"},
        "printer": {"backend": "simulated", "width_mm": 58},
        "ticket": {"footer": ["过号请重新取号", "请保管好您的号票"], "qr": "{hall}-{no}",
                   "result_s": 8.0}}), "kiosk-1")
    assert s.orientation == "landscape" and s.screen_size == (1920, 1080)
    assert s.layout.width_mm == 58 and s.layout.footer[1] == "请保管好您的号票"
    assert s.result_s == 8.0 and make_printer(s).width_mm == 58


@pytest.mark.parametrize("printer", [
    {"backend": "serial", "device": "/dev/ttyUSB0", "baudrate": 19200},
    {"backend": "network", "host": "192.0.2.10"},
    {"backend": "usb", "vendor_id": 0x0416, "product_id": 0x5011},
])
def test_real_backends_are_built_without_touching_hardware(base, printer):
    s = read_settings(cfg_with(base, {"printer": printer}), "kiosk-1")
    assert not s.simulate
    made = make_printer(s)
    assert isinstance(made, EscposPrinter) and made.kind == printer["backend"]


@pytest.mark.parametrize("devices,where", [
    ({"printer": {"backend": "lp"}}, "nodes.kiosk-1.devices.printer.backend"),
    ({"printer": {"backend": "serial"}}, "nodes.kiosk-1.devices.printer.device"),
    ({"printer": {"width_mm": 76}}, "nodes.kiosk-1.devices.printer.width_mm"),
    ({"printer": {"backend": "network", "host": "h", "port": 0}}, "printer.port"),
    ({"screen": {"orientation": "diagonal"}}, "screen.orientation"),
    ({"screen": {"orientation": "portrait", "width": 1920, "height": 1080}}, "orientation"),
    ({"ticket": {"qr": "{number}"}}, "ticket.qr"),
    ({"ticket": {"footer": ["请扫码😀"]}}, "ticket"),
    ({"ticket": {"result_s": 1.0}}, "ticket.result_s"),
    ({"printr": {}}, "did you mean 'printer'"),
])
def test_bad_tables_name_the_key(base, devices, where):
    with pytest.raises(ConfigError) as err:
        read_settings(cfg_with(base, devices), "kiosk-1", simulate=True)
    assert where in str(err.value) and "hall.toml" in str(err.value)


def test_a_node_of_another_role_is_not_a_kiosk(base):
    with pytest.raises(ConfigError, match="not a kiosk"):
        read_settings(cfg_with(base, {}), "board-1")


@pytest.mark.parametrize("scanner, simulate, backend, options", [
    (None, False, "none", ()),
    (None, True, "none", ()),              # simulating, a kiosk without the table has none
    ({}, True, "none", ()),                # an empty table too: sim must be named
    ({"backend": "sim"}, False, "sim", ()),
    ({"backend": "none"}, True, "none", ()),
    ({"backend": "hid", "device": "/dev/input/event3"}, False, "hid",
     (("device", "/dev/input/event3"), ("grab", True))),
    ({"backend": "hid", "device": "/dev/input/event3", "grab": False}, False, "hid",
     (("device", "/dev/input/event3"), ("grab", False))),
    ({"backend": "serial", "port": "/dev/ttyACM0"}, False, "serial",
     (("baudrate", 9600), ("port", "/dev/ttyACM0"))),
    ({"backend": "serial", "port": "/dev/ttyACM0", "baudrate": 115200}, True, "serial",
     (("baudrate", 115200), ("port", "/dev/ttyACM0"))),
])
def test_the_scanner_table(base, scanner, simulate, backend, options):
    devices = {"printer": {"backend": "simulated"}}
    if scanner is not None:
        devices["scanner"] = scanner
    s = read_settings(cfg_with(base, devices), "kiosk-1", simulate=simulate)
    assert (s.scanner_backend, s.scanner_options) == (backend, options)


@pytest.mark.parametrize("scanner, expected", [
    ({"backend": "usb"}, "devices.scanner.backend: must be one of none, sim, serial, hid, "
                         "got 'usb'"),
    ({"backend": "hd"}, "devices.scanner.backend: must be one of none, sim, serial, hid, "
                        "got 'hd' (did you mean 'hid'?)"),
    ({"backend": "hid"}, "hall.toml: nodes.kiosk-1.devices.scanner.device: is required"),
    ({"backend": "hid", "device": "/dev/x", "grab": "yes"},
     "devices.scanner.grab: must be true or false, got 'yes'"),
    ({"backend": "serial"}, "hall.toml: nodes.kiosk-1.devices.scanner.port: is required"),
    ({"backend": "serial", "port": "/dev/x", "baudrate": 600},
     "devices.scanner.baudrate: must be ≥ 1200, got 600"),
    ({"backend": "serial", "port": "/dev/x", "baudrate": 921601},
     "devices.scanner.baudrate: must be ≤ 921600, got 921601"),
    ({"backend": "hid", "device": "/dev/x", "port": "/dev/y"},
     "devices.scanner.port: unknown key"),
    ({"backend": "serial", "port": "/dev/x", "baud": 9600},
     "devices.scanner.baud: unknown key (did you mean 'baudrate'?)"),
    ({"device": "/dev/x"}, "devices.scanner.device: unknown key"),
    ({"backnd": "hid"}, "devices.scanner.backnd: unknown key (did you mean 'backend'?)"),
])
def test_a_bad_scanner_table_names_the_key(base, scanner, expected):
    with pytest.raises(ConfigError) as err:
        read_settings(cfg_with(base, {"scanner": scanner}), "kiosk-1", simulate=True)
    assert expected in str(err.value)
