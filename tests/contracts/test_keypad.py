"""One body for every key pad backend, clerk keypads and rating pads alike: GPIO keys on
simulated pins, hallstack's Modbus pads on the emulated RS-485 bus (pty), FF68 caller and rater
units on their emulated line (pty).

A person presses keys at the far end; the body pins down what the node gets (issue 15 §6).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from devices.gpio import GpioKeyPad, SimulatedPins
from devices.keys import KeyPad, KeyPress
from firmware_bridge.bus import BusMaster
from firmware_bridge.legacy.ff68_bus import FF68Bus, UnitSettings
from firmware_bridge.legacy.ff68_emulator import FF68Emulator
from firmware_bridge.legacy.ff68_keymap import KeyMap, rating_map
from firmware_bridge.legacy.serial_line import SerialLine
from firmware_bridge.link import RtuLink
from firmware_bridge.modbus_devices import ModbusKeyPad
from tests.helpers import FakeTime, eventually

CLERK = ("call_next", "recall", "finish", "transfer")  # keys every clerk pad here has
FF68_CODES = {"call_next": 0x0C, "recall": 0x0D, "finish": 0x0B, "transfer": 0x13}
FF68_RATINGS = {key: value for value, key in rating_map("4key", None, "t").items()}


@dataclass
class Rig:
    """``press(key)``: a person presses ``key`` and the pad has taken it; ``led``: an LED the
    pad has; ``rating``: a rating pad (``invite_rating`` before each rating press)."""

    pad: KeyPad
    press: Callable[[str], None]
    led: str
    rating: bool


class Got:
    """The node's side: every delivered press, and a wait for a count."""

    def __init__(self):
        self.presses: list[KeyPress] = []
        self._cond = threading.Condition()

    def __call__(self, press: KeyPress) -> None:
        with self._cond:
            self.presses.append(press)
            self._cond.notify_all()

    def wait(self, n: int, timeout: float = 5.0) -> list[str]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.presses) >= n, timeout)
            return [p.key for p in self.presses]


def gpio_rig(request, rating):
    clock = FakeTime()
    pins = SimulatedPins(clock)
    keys = ("rate_5", "rate_3") if rating else CLERK
    pad = GpioKeyPad(pins, {k: 5 + i for i, k in enumerate(keys)}, leds={"online": 20},
                     buzzer=18)
    request.addfinalizer(pad.close)

    def press(key):
        clock.advance(1.0)
        pins.tap(pad.pin_of(key))
        clock.advance(1.0)

    return Rig(pad, press, "online", rating)


def modbus_rig(request, rating):
    kind = "rating_pad" if rating else "clerk_pad"
    emu = request.getfixturevalue("emulated_bus")({4: kind})
    master = BusMaster(RtuLink(emu.port, timeout=0.2), poll_interval=0.005).start()
    request.addfinalizer(master.stop)
    pad = ModbusKeyPad(master, 4, kind=kind)

    def press(key):
        if rating:  # the pad takes a rating only while invited: wait for the invitation
            assert eventually(lambda: emu[4].invite_until > emu[4].clock())
        assert emu[4].press(key)

    return Rig(pad, press, "online", rating)


def ff68_rig(request, rating):
    clock = FakeTime()
    addr = 101 if rating else 1
    emu = FF68Emulator([addr], before_press=lambda: clock.advance(5.0))
    request.addfinalizer(emu.close)
    ratings = rating_map("4key", None, "t") if rating else {}
    bus = FF68Bus(SerialLine(emu.path, 9600, gap_s=0.05), [UnitSettings(addr, 1, ratings)],
                  KeyMap.from_table(), clock=clock)
    bus.start()
    request.addfinalizer(bus.close)

    def press(key):
        sent = emu.rate(addr, FF68_RATINGS[key]) if rating else emu.press(addr, FF68_CODES[key])
        assert sent, "the bus acknowledged the press"

    return Rig(bus.keypad(addr), press, "pause", rating)


@pytest.fixture(params=["gpio", "modbus", "ff68"])
def backend(request):
    return request.param


@pytest.fixture(params=["clerk", "rating"])
def rig(request, backend):
    rating = request.param == "rating"
    return {"gpio": gpio_rig, "modbus": modbus_rig, "ff68": ff68_rig}[backend](request, rating)


def keys_of(rig) -> list[str]:
    return ["rate_5", "rate_3", "rate_5"] if rig.rating else list(CLERK)


def person_presses(rig, key: str) -> None:
    if rig.rating:
        rig.pad.invite_rating(30)
    rig.press(key)


def test_every_press_arrives_once_in_order(rig):
    got = Got()
    rig.pad.on_press(got)
    keys = keys_of(rig)
    for key in keys:
        person_presses(rig, key)
    assert got.wait(len(keys)) == keys
    person_presses(rig, keys[0])  # a marker: nothing else arrived before it
    assert got.wait(len(keys) + 1) == keys + keys[:1]
    sources = {p.source for p in got.presses}
    assert len(sources) == 1 and all(isinstance(s, str) and s for s in sources)
    times = [p.at for p in got.presses]
    assert all(isinstance(t, float) for t in times) and times == sorted(times)
    assert all(p.digit is None for p in got.presses)


def test_presses_before_on_press_wait_for_it(rig):
    keys = keys_of(rig)[:2]
    for key in keys:
        person_presses(rig, key)
    got = Got()
    rig.pad.on_press(got)
    assert got.wait(2) == keys
    person_presses(rig, keys[0])
    assert got.wait(3) == keys + keys[:1]


@pytest.mark.parametrize("call", [
    lambda pad, led: pad.set_led("no_such_led", "on"),
    lambda pad, led: pad.set_led(led, "dim"),
    lambda pad, led: pad.set_led(led, None),
    lambda pad, led: pad.signal("beep"),
    lambda pad, led: pad.signal(None),
    lambda pad, led: pad.invite_rating(-1),
    lambda pad, led: pad.invite_rating(601),
    lambda pad, led: pad.invite_rating(True),
    lambda pad, led: pad.invite_rating("30"),
    lambda pad, led: pad.invite_rating(None),
])
def test_bad_input_is_a_value_error(rig, call):
    with pytest.raises(ValueError):
        call(rig.pad, rig.led)


def test_leds_and_signals_are_taken(rig):
    for mode in ("on", "blink", "off"):
        rig.pad.set_led(rig.led, mode)
    rig.pad.signal("ok")
    rig.pad.signal("refused")


def test_health_has_a_known_state(rig):
    assert rig.pad.health()["state"] in ("ok", "silent", "error", "unknown")
    got = Got()
    rig.pad.on_press(got)
    person_presses(rig, keys_of(rig)[0])
    got.wait(1)
    assert eventually(lambda: rig.pad.health()["state"] == "ok")
