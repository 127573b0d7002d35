"""The device registry: kinds and names, "did you mean", and a third party's backend added by
an entry point (group ``hallstack.devices``) that a node opens without a line of its own."""

from __future__ import annotations

import copy
import sys
import tomllib
from pathlib import Path

import pytest

from devices import registry
from devices.lines import LineConfigError, Lines, OpenLine
from devices.registry import GROUP, KINDS, Registry, UnknownBackend
from wire.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[2]

ACME = '''
class AcmePrinter:
    def __init__(self, **options):
        self.options = options

def make(**options):
    return AcmePrinter(**options)
'''


@pytest.fixture
def acme(tmp_path, monkeypatch):
    """A third party's package, installed as pip would: a module and a dist-info whose
    entry_points.txt names printer backend ``acme``; the process's registry is fresh."""
    (tmp_path / "acme_printer.py").write_text(ACME, encoding="utf-8")
    info = tmp_path / "acme_printer-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-printer\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\nprinter.acme = acme_printer:make\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "REGISTRY", Registry())
    yield
    sys.modules.pop("acme_printer", None)


def kiosk_config(devices: dict):
    data = tomllib.loads((ROOT / "examples" / "hall.toml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for node in data["nodes"]:
        if node["id"] == "kiosk-1":
            node["devices"] = devices
    return parse_config(data, "hall.toml")


def test_the_projects_own_backends_are_registered_in_code():
    reg = Registry(group=None)   # no entry point at all: the project's own are all there
    assert reg.names("printer") == ("simulated", "usb", "serial", "network")
    assert reg.names("led") == ("sim", "serial", "modbus", "bx")
    assert reg.names("line") == ("modbus", "ff68")
    assert reg.names("keypad") == ("modbus", "ff68")
    assert reg.names("audio") == ("wav", "pygame")
    assert set(reg.names("pins")) == {"simulated", "rpi"}
    assert set(KINDS) >= {"printer", "led", "line", "keypad", "audio", "pins", "screen"}


def test_an_unknown_name_says_what_is_known_and_what_was_meant():
    reg = Registry(group=None)
    with pytest.raises(UnknownBackend) as info:
        reg.factory("led", "modbsu", "nodes.board-1.devices.led.backend")
    text = str(info.value)
    assert text.startswith("nodes.board-1.devices.led.backend: unknown led backend 'modbsu'")
    assert "(did you mean 'modbus'?)" in text and "known: sim, serial, modbus, bx" in text
    with pytest.raises(UnknownBackend, match=r"unknown device kind 'printr' \(did you mean "
                                             r"'printer'\?\)"):
        reg.factory("printr", "usb")


def test_a_misspelt_backend_in_the_hall_config_is_a_config_error_with_a_suggestion():
    from kiosk.settings import read_settings

    cfg = kiosk_config({"printer": {"backend": "ubs"}})
    with pytest.raises(ConfigError, match=r"kiosk-1\.devices\.printer\.backend: must be one of "
                                          r"simulated, usb, serial, network, got 'ubs' \(did "
                                          r"you mean 'usb'\?\)"):
        read_settings(cfg, "kiosk-1", simulate=False)


def test_a_third_partys_printer_is_opened_by_the_kiosk_untouched(acme):
    from kiosk.settings import make_printer, read_settings

    assert registry.backend_names("printer")[-1] == "acme"
    cfg = kiosk_config({"printer": {"backend": "acme", "model": "X-1"}})
    printer = make_printer(read_settings(cfg, "kiosk-1", simulate=False))
    assert type(printer).__name__ == "AcmePrinter"
    assert printer.options["model"] == "X-1" and printer.options["width_mm"] == 80


def test_a_registered_factory_replaces_and_a_callable_works(monkeypatch):
    reg = Registry(group=None)
    reg.add("audio", "null", lambda **kw: ("null", kw))
    assert reg.open("audio", "null", out_dir="x") == ("null", {"out_dir": "x"})
    with pytest.raises(UnknownBackend):
        reg.add("speakers", "null", print)


def test_lines_share_a_port_and_refuse_a_second_protocol_on_it():
    """The line registry by itself, on a made-up protocol: opened once, closed with its last
    device; another protocol or speed on the same port is refused and opens nothing."""
    reg = Registry(group=None)
    opened, closed = [], []

    def line(port, baudrate, clock, options):
        opened.append(port)
        return OpenLine({"port": port}, lambda: closed.append(port), {"keys": options.get("keys", {})})

    reg.add("line", "toy", line)
    reg.add("keypad", "toy", lambda bus, address, **kw: (bus["port"], address, kw["role"]))
    lines = Lines(reg)

    def pad(address, baudrate=9600, **options):
        return lines.device("keypad", "toy", "/dev/p", baudrate, address, options=options,
                            clock=lambda: 0.0, path="p", role="keypad", window=1)

    assert pad(1) == ("/dev/p", 1, "keypad") and pad(2) == ("/dev/p", 2, "keypad")
    with pytest.raises(LineConfigError, match="already open at 9600 baud"):
        pad(3, baudrate=19200)
    with pytest.raises(LineConfigError, match=r"p\.keys: every caller on port /dev/p"):
        pad(3, keys={"call": "01"})
    with pytest.raises(UnknownBackend, match="did you mean 'toy'"):
        lines.device("keypad", "tyo", "/dev/p", 9600, 4, options={}, clock=lambda: 0.0,
                     path="p", role="keypad", window=1)
    assert opened == ["/dev/p"] and lines.ports() == {"/dev/p": "toy"}
    lines.release("/dev/p")
    assert closed == []
    lines.release("/dev/p")
    assert closed == ["/dev/p"] and lines.ports() == {}


def test_a_vendor_rs485_protocol_serves_the_rater_and_the_callboard_untouched(
        hall_config, hall_clock, monkeypatch):
    """A new protocol is a registry entry (line, keypad, led, its keypad options): the rater's
    settings accept it, its pads and the callboard's screens share one line on a port."""
    from callboard.settings import ScreenPort
    from callboard.wiring import led_screens
    from rater.settings import build_pads, read_settings

    reg = Registry(group=None)
    opened = []

    def line(port, baudrate, clock, options):
        opened.append((port, baudrate))
        return OpenLine({"port": port}, lambda: opened.append(("closed", port)))

    def options(table, clerk, path):
        if set(table) - {"tone"}:
            raise ValueError(f"{path}.{sorted(set(table) - {'tone'})[0]}: unknown key")
        return dict(table)

    reg.add("line", "toy", line)
    reg.add("keypad", "toy", lambda bus, address, **kw: ("pad", bus["port"], address,
                                                         kw["role"], kw["options"]))
    reg.add("keypad_options", "toy", options)
    reg.add("led", "toy", lambda bus, address, **kw: ("led", bus["port"], address, kw["name"]))
    monkeypatch.setattr(registry, "REGISTRY", reg)
    devices = {"keypad": {"backend": "toy", "port": "/dev/toy0", "address": 7, "tone": "low"},
               "pad": {"backend": "toy", "port": "/dev/toy0", "address": 8}}
    settings = read_settings(hall_config, "rater-3", devices)
    lines = Lines(reg)
    keypad, pad = build_pads(settings, lines=lines, window=3, path="d")
    assert keypad == ("pad", "/dev/toy0", 7, "keypad", {"tone": "low"})
    assert pad == ("pad", "/dev/toy0", 8, "pad", {})
    with pytest.raises(ConfigError, match=r"keypad\.colour: unknown key"):
        read_settings(hall_config, "rater-3", {"keypad": {**devices["keypad"], "colour": 1}})

    class Board:   # the callboard's settings, as far as led_screens reads them
        led, led_dir = "toy", None
        screens = [ScreenPort(3, "/dev/toy0", address=21), ScreenPort(4, "/dev/toy0", address=22)]

    screens, closers = led_screens(hall_config, "board-1", Board, hall_clock, lines)
    assert screens == {3: ("led", "/dev/toy0", 21, "led-3"), 4: ("led", "/dev/toy0", 22, "led-4")}
    assert opened == [("/dev/toy0", 9600)]   # one line for the four devices on the port
    for close in closers:
        close()
    lines.release("/dev/toy0")
    lines.release("/dev/toy0")
    assert opened[-1] == ("closed", "/dev/toy0") and lines.ports() == {}
