"""Typing on a terminal presses simulated keys: a real pseudo-terminal, real edges."""

import os
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.gpio import GpioKeyPad, SimulatedPins
from devices.gpio.keyboard import KeyboardKeys
from devices.gpio.keypad import DIGIT


def pads():
    clock = iter(float(t) for t in range(10, 10_000))
    pins = SimulatedPins(lambda: next(clock))
    clerk = GpioKeyPad(pins, {"call_next": 1, "finish": 2}, digits={d: 10 + d for d in range(10)})
    rating = GpioKeyPad(SimulatedPins(lambda: next(clock)), {"rate_5": 1, "rate_1": 2})
    return clerk, rating


def test_feed_taps_keys_on_the_pad_that_has_them():
    clerk, rating = pads()
    got = []
    clerk.on_press(got.append)
    rating.on_press(got.append)
    kb = KeyboardKeys([clerk, rating], fd=-1)
    assert kb.feed(b"n7bz?q") == ["call_next", "7", "rate_5", "rate_1"]
    assert [(p.key, p.digit) for p in got] == [("call_next", None), (DIGIT, 7),
                                               ("rate_5", None), ("rate_1", None)]
    assert "b=rate_5" in kb.legend()


def test_real_keys_cannot_be_typed():
    pad = GpioKeyPad(SimulatedPins(), {"call_next": 1})
    pad.pins = object()
    with pytest.raises(ValueError, match="simulated"):
        KeyboardKeys([pad], fd=-1)


def test_keys_typed_into_a_pty_are_pressed():
    clerk, rating = pads()
    got = []
    clerk.on_press(got.append)
    master, slave = os.openpty()
    kb = KeyboardKeys([clerk, rating], slave)
    kb.start()
    try:
        os.write(master, b"f")
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        kb.stop()
        os.close(master)
        os.close(slave)
    assert [p.key for p in got] == ["finish"]


@given(data=st.binary(max_size=40))
def test_any_bytes_tap_only_known_keys(data):
    clerk, rating = pads()
    got = []
    clerk.on_press(got.append)
    rating.on_press(got.append)
    tapped = KeyboardKeys([clerk, rating], fd=-1).feed(data)
    assert len(got) == len(tapped) <= len(data)
    assert all(p.key in ("call_next", "finish", "rate_5", "rate_1", DIGIT) for p in got)
