"""One body for every GPIO pin backend: simulated pins (as the Pi's header, BCM 0–27) and the
RPi.GPIO backend on a stand-in library that answers as RPi.GPIO does (issue 15 §6).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from devices.gpio.pins import BCM_PINS, Pins
from devices.gpio.rpi import RPiGPIOPins
from devices.gpio.sim import SimulatedPins
from tests.contracts.rpi_gpio_double import RPiGPIODouble
from tests.helpers import eventually


@dataclass
class Rig:
    """``drive(pin, level)``: the outside world sets an input; ``shown(pin)``: what an LED on
    an output shows (off/on/blink)."""

    pins: Pins
    drive: Callable[[int, int], None]
    shown: Callable[[int], str]


@pytest.fixture(params=["simulated", "rpi"])
def rig(request):
    if request.param == "simulated":
        pins = SimulatedPins(valid=BCM_PINS)
        rig = Rig(pins, pins.drive, lambda pin: pins.mode(pin) if pin in pins._modes else "off")
    else:
        gpio = RPiGPIODouble()
        pins = RPiGPIOPins(gpio)
        rig = Rig(pins, gpio.drive, gpio.shown)
    yield rig
    rig.pins.close()


class Edges:
    def __init__(self):
        self.seen: list[tuple[int, int, float]] = []
        self.cond = threading.Condition()

    def __call__(self, pin, level, t):
        with self.cond:
            self.seen.append((pin, level, t))
            self.cond.notify_all()

    def wait(self, n):
        with self.cond:
            self.cond.wait_for(lambda: len(self.seen) >= n, 5.0)
            return [(pin, level) for pin, level, _ in self.seen]


def test_inputs_idle_at_their_pull(rig):
    rig.pins.setup_input(5, "up", Edges())
    rig.pins.setup_input(6, "down", Edges())
    assert rig.pins.level(5) == 1 and rig.pins.level(6) == 0


def test_every_edge_is_reported_with_its_level_none_debounced(rig):
    edges = Edges()
    rig.pins.setup_input(5, "up", edges)
    bouncy = [0, 1, 0, 1, 0, 1]
    for level in bouncy:
        rig.drive(5, level)
    rig.drive(5, 1)  # no change, no edge
    rig.drive(5, 0)
    assert edges.wait(7) == [(5, level) for level in bouncy + [0]]
    times = [t for _, _, t in edges.seen]
    assert all(isinstance(t, float) for t in times) and times == sorted(times)
    assert rig.pins.level(5) == 0


def test_outputs_start_off_and_take_every_mode(rig):
    rig.pins.setup_output(12)
    assert rig.shown(12) == "off"
    for mode in ("on", "blink", "off", "blink", "on"):
        rig.pins.set_output(12, mode)
        assert rig.shown(12) == mode
    rig.pins.setup_output(12)  # an output set up again (two pads, one buzzer): allowed, off
    assert rig.shown(12) in ("off", "on")


def test_a_pattern_plays_without_blocking_and_ends_off(rig):
    rig.pins.setup_output(18)
    rig.pins.play(18, (0.01, 0.01, 0.01))
    rig.pins.play(18, (0.01,))  # a new signal cuts the old one short
    assert eventually(lambda: rig.shown(18) == "off")


@pytest.mark.parametrize("call", [
    lambda p: p.setup_input(28, "up", Edges()),
    lambda p: p.setup_input(-1, "up", Edges()),
    lambda p: p.setup_input(True, "up", Edges()),
    lambda p: p.setup_input("5", "up", Edges()),
    lambda p: p.setup_input(None, "up", Edges()),
    lambda p: p.setup_input(7, "sideways", Edges()),
    lambda p: p.setup_input(5, "up", Edges()),  # already an input
    lambda p: p.setup_input(12, "up", Edges()),  # already an output
    lambda p: p.setup_output(28),
    lambda p: p.setup_output(5),  # already an input
    lambda p: p.level(12),  # an output
    lambda p: p.level(9),  # never set up
    lambda p: p.set_output(12, "dim"),
    lambda p: p.set_output(12, None),
    lambda p: p.set_output(9, "on"),  # never set up
    lambda p: p.set_output(5, "on"),  # an input
    lambda p: p.play(12, ()),
    lambda p: p.play(12, (0.1, -1)),
    lambda p: p.play(12, (6,)),
    lambda p: p.play(12, (True,)),
    lambda p: p.play(9, (0.1,)),  # never set up
])
def test_bad_use_is_a_value_error_and_changes_nothing(rig, call):
    edges = Edges()
    rig.pins.setup_input(5, "up", edges)
    rig.pins.setup_output(12)
    rig.pins.set_output(12, "on")
    with pytest.raises(ValueError):
        call(rig.pins)
    assert rig.shown(12) == "on" and rig.pins.level(5) == 1
    rig.drive(5, 0)
    assert edges.wait(1) == [(5, 0)]  # the input still reports, once


def test_close_releases_every_pin(rig):
    rig.pins.setup_input(5, "up", Edges())
    rig.pins.setup_output(12)
    rig.pins.set_output(12, "blink")
    rig.pins.close()
    assert rig.shown(12) == "off"
    with pytest.raises(ValueError):
        rig.pins.set_output(12, "on")
    with pytest.raises(ValueError):
        rig.pins.level(5)
    rig.pins.setup_output(5)  # free again


def test_health_has_a_known_state(rig):
    assert rig.pins.health()["state"] in ("ok", "error", "unknown")
