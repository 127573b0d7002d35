"""Simulated pins and the GPIO KeyPad: real edges through the key rule, LEDs and buzzer recorded
exactly as the pins would be driven."""

import sys
import types

import pytest

from devices.gpio import GpioKeyPad, SimulatedPins, make_pins
from devices.gpio.keypad import SIGNAL_PATTERNS
from devices.gpio.pins import GpioUnavailable
from devices.keys import KeyPress
from tests.helpers import FakeTime


def pad_on(pins, **kw):
    keys = kw.pop("keys", {"call_next": 5, "finish": 6, "rate_5": 7})
    return GpioKeyPad(pins, keys, digits={0: 20, 1: 21}, leds={"online": 12, "rate_5": 13},
                      buzzer=18, **kw)


def test_bouncy_press_on_a_pin_gives_one_keypress_with_its_first_edge_time():
    pins = SimulatedPins(FakeTime(100.0))
    pad = pad_on(pins, bounce_s=0.05)
    got = []
    pad.on_press(got.append)
    # 20 ms of contact bounce, pulled-up pin shorted to ground: 0 = pressed
    pins.drive_sequence(5, [(1.000, 0), (1.003, 1), (1.006, 0), (1.011, 1), (1.015, 0),
                            (1.020, 1), (1.020, 1), (1.021, 0), (2.0, 1), (2.004, 0), (2.01, 1)])
    assert got == [KeyPress("call_next", 1.000, "gpio", None)]
    assert pins.states[5][1:4] == [(1.000, 0), (1.003, 1), (1.006, 0)]


def test_held_key_fires_once_and_digits_carry_their_value():
    pins = SimulatedPins(FakeTime(100.0))
    pad = pad_on(pins)
    got = []
    pad.on_press(got.append)
    pins.press(6, at=1.0)
    pins.release(6, at=61.0)  # held a minute
    pins.tap(21, at=62.0)
    assert [(p.key, p.digit) for p in got] == [("finish", None), ("digit", 1)]


def test_taps_in_one_instant_are_two_presses_a_finger_apart():
    """A caller that taps the same key twice before time moves (hall-demo's clerk after a busy
    turn): the second press waits until the key was up for as long as it was held."""
    clock = FakeTime(100.0)
    pins = SimulatedPins(clock)
    pad = pad_on(pins)
    got = []
    pad.on_press(got.append)
    pins.tap(5)
    pins.tap(5)  # its release at 100.1 is still ahead: this press comes at 100.2
    assert [(p.key, round(p.at, 6)) for p in got] == [("call_next", 100.0), ("call_next", 100.2)]
    assert [round(t, 6) for t, _ in pins.states[5][1:]] == [100.0, 100.1, 100.2, 100.3]


def test_presses_before_a_callback_are_kept_and_delivered_once():
    pins = SimulatedPins(FakeTime(100.0))
    pad = pad_on(pins)
    pins.tap(7, at=1.0)
    got = []
    pad.on_press(got.append)
    pad.on_press(got.append)
    assert [p.key for p in got] == ["rate_5"]


def test_leds_and_signals_are_recorded_as_driven():
    clock = FakeTime(5.0)
    pins = SimulatedPins(clock)
    pad = pad_on(pins)
    pad.set_led("rate_5", "blink")
    clock.t = 6.0
    pad.set_led("rate_5", "off")
    pad.signal("ok")
    pad.signal("refused")
    assert pins.outputs == [(5.0, 13, "blink"), (6.0, 13, "off")]
    assert pins.played == [(6.0, 18, SIGNAL_PATTERNS["ok"]), (6.0, 18, SIGNAL_PATTERNS["refused"])]
    assert SIGNAL_PATTERNS["ok"] != SIGNAL_PATTERNS["refused"]


@pytest.mark.parametrize("call, message", [
    (lambda pad: pad.set_led("nope", "on"), "no LED"),
    (lambda pad: pad.set_led("online", "dim"), "LED mode"),
    (lambda pad: pad.signal("loud"), "signal"),
])
def test_bad_led_or_signal_is_refused_and_drives_nothing(call, message):
    pins = SimulatedPins(FakeTime(100.0))
    pad = pad_on(pins)
    with pytest.raises(ValueError, match=message):
        call(pad)
    assert pins.outputs == [] and pins.played == []


@pytest.mark.parametrize("kwargs, message", [
    ({"keys": {"call_nxt": 5}}, "unknown key"),
    ({"keys": {"call_next": 5, "finish": 5}}, "used twice"),
    ({"keys": {"call_next": 12}}, "used twice"),  # the online LED's pin
    ({"bounce_s": 2}, "bounce"),
])
def test_bad_wiring_is_refused_before_any_pin_is_set_up(kwargs, message):
    pins = SimulatedPins(FakeTime(100.0))
    with pytest.raises(ValueError, match=message):
        pad_on(pins, **kwargs)
    assert pins.states == {} and pins.outputs == []


def test_simulated_pins_refuse_bad_use():
    pins = SimulatedPins(FakeTime(100.0), valid=range(28))
    with pytest.raises(ValueError, match="BCM"):
        pins.setup_input(40, "up", lambda *a: None)
    pins.setup_input(4, "up", lambda *a: None)
    with pytest.raises(ValueError, match="already an input"):
        pins.setup_output(4)
    with pytest.raises(ValueError, match="level"):
        pins.drive(4, 2)
    with pytest.raises(ValueError, match="not an input"):
        pins.drive(5, 0)
    with pytest.raises(ValueError, match="pull"):
        pins.setup_input(6, "sideways", lambda *a: None)
    pins.setup_output(7)
    with pytest.raises(ValueError, match="pattern"):
        pins.play(7, (0.1, -1))
    assert pins.played == [] and pins.states == {4: [(100.0, 1)]}


def test_pull_down_key_is_pressed_high():
    pins = SimulatedPins(FakeTime(100.0))
    pad = GpioKeyPad(pins, {"recall": 3}, active_low=False)
    got = []
    pad.on_press(got.append)
    pins.press(3, at=1.0)
    assert pins.level(3) == 1 and [p.key for p in got] == ["recall"]


def test_rpi_backend_off_a_pi_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "RPi", None)  # import fails as off a Pi
    with pytest.raises(GpioUnavailable, match="simulated"):
        make_pins("rpi")
    with pytest.raises(ValueError, match="unknown GPIO backend"):
        make_pins("wiringpi")


class FakeGPIO(types.SimpleNamespace):
    """Records the RPi.GPIO calls the backend makes (the library cannot run off a Pi)."""

    BCM, IN, OUT, BOTH, HIGH, LOW = "BCM", "IN", "OUT", "BOTH", 1, 0
    PUD_UP, PUD_DOWN, PUD_OFF = "PUD_UP", "PUD_DOWN", "PUD_OFF"

    def __init__(self):
        super().__init__(calls=[], levels={}, callbacks={})

    def setwarnings(self, flag):
        self.calls.append(("setwarnings", flag))

    def setmode(self, mode):
        self.calls.append(("setmode", mode))

    def setup(self, pin, direction, **kw):
        self.calls.append(("setup", pin, direction, kw))

    def add_event_detect(self, pin, edge, callback):
        self.calls.append(("add_event_detect", pin, edge))
        self.callbacks[pin] = callback

    def input(self, pin):
        return self.levels.get(pin, 1)

    def output(self, pin, level):
        self.calls.append(("output", pin, level))

    def cleanup(self, pins):
        self.calls.append(("cleanup", pins))


def test_rpi_backend_sets_pull_ups_and_both_edges_and_feeds_the_key_rule():
    from devices.gpio.rpi import RPiGPIOPins

    gpio = FakeGPIO()
    pad = GpioKeyPad(RPiGPIOPins(gpio), {"call_next": 17}, leds={"online": 22})
    got = []
    pad.on_press(got.append)
    assert ("setmode", "BCM") in gpio.calls
    assert ("setup", 17, "IN", {"pull_up_down": "PUD_UP"}) in gpio.calls
    assert ("add_event_detect", 17, "BOTH") in gpio.calls
    for level in (0, 1, 0):  # bouncing within microseconds of real time
        gpio.levels[17] = level
        gpio.callbacks[17](17)
    pad.set_led("online", "on")
    pad.close()
    assert [p.key for p in got] == ["call_next"]
    assert ("output", 22, 1) in gpio.calls and ("cleanup", [17, 22]) in gpio.calls
