"""What a person at a window sees on its LED screen: flash then steady, paused, idle, brightness."""

from __future__ import annotations

from datetime import time

import pytest

from callboard.leds import LedRules, WindowLed
from devices.ledscreen import WindowScreen
from devices.ledscreen_serial import PlainProtocol
from devices.ledscreen_sim import SimWindowScreen
from devices.recorder import Recording

DAY, NIGHT = time(10, 0), time(19, 30)


def _shown(screen: SimWindowScreen) -> list:
    frames, _ = PlainProtocol().decode(b"".join(b for _, b in screen.recorder["led.sent"]))
    return [(f.text, f.mode) if f.command == 0x54 else ("brightness", f.payload[0]) for f in frames]


def recorded(screen: SimWindowScreen) -> SimWindowScreen:
    screen.recorder = Recording()
    return screen


def SENTENCE(no, service):  # noqa: N802 - the hall's call sentence, filled in
    return f"请{no}号"


@pytest.fixture
def led():
    return WindowLed(3, recorded(SimWindowScreen(3)), LedRules(), SENTENCE)


def test_nothing_is_sent_before_the_window_is_known(led):
    led.poll(0.0, DAY)
    assert _shown(led.screen) == [("brightness", 100)]


def test_a_call_flashes_then_stays(led):
    led.apply_state({"status": "open", "serving": None})
    led.poll(0.0, DAY)
    led.on_call("A012", 10.0)
    led.poll(10.0, DAY)
    led.apply_state({"status": "open", "serving": {"no": "A012"}})  # the state follows the event
    led.poll(12.9, DAY)
    led.poll(13.0, DAY)
    led.poll(20.0, DAY)
    assert _shown(led.screen) == [("brightness", 100), ("热情为您服务", "static"),
                                  ("请A012号", "flash"), ("请A012号", "static")]


def test_the_same_call_within_5_s_is_not_sent_again(led):
    led.apply_state({"status": "open"})
    led.on_call("A012", 0.0)
    led.poll(0.0, DAY)
    led.on_call("A012", 4.9)  # a recall pressed at once
    led.poll(4.9, DAY)
    led.on_call("A012", 10.0)  # a recall later flashes again
    led.poll(10.0, DAY)
    modes = [m for _t, m in _shown(led.screen)[1:]]
    assert modes == ["flash", "static", "flash"]


def test_paused_and_closed_windows_say_so(led):
    led.apply_state({"status": "open", "serving": {"no": "B001"}})
    led.poll(0.0, DAY)
    led.apply_state({"status": "paused", "reason": "午休", "serving": None})
    led.poll(1.0, DAY)
    led.apply_state({"status": "closed", "serving": None})
    led.poll(2.0, DAY)
    led.apply_state({"status": "open", "serving": None})
    led.poll(3.0, DAY)
    assert _shown(led.screen)[1:] == [("请B001号", "static"), ("暂停服务", "static"),
                                      ("热情为您服务", "static")]


def test_brightness_follows_the_time_of_day(led):
    rules = LedRules(brightness_day=90, brightness_night=20)
    led = WindowLed(1, recorded(SimWindowScreen(1)), rules, SENTENCE)
    for at in (time(7, 59), time(8, 0), time(17, 59), time(18, 0)):
        led.poll(0.0, at)
    assert _shown(led.screen) == [("brightness", 20), ("brightness", 90), ("brightness", 20)]


class FailingScreen(WindowScreen):
    def __init__(self):
        self.fail = True
        self.shown = []

    def show(self, text, mode="static"):
        if self.fail:
            raise OSError("write timeout")
        self.shown.append((text, mode))

    def set_brightness(self, level):
        pass

    def health(self):
        return {"state": "error" if self.fail else "ok"}


def test_a_failing_screen_is_recorded_and_retried():
    screen = FailingScreen()
    led = WindowLed(2, screen, LedRules(), SENTENCE)
    led.apply_state({"status": "paused"})
    led.poll(0.0, DAY)
    assert "write timeout" in led.error and led.shown is None
    screen.fail = False
    led.poll(4.9, DAY)  # not hammered: the next try waits RETRY_S
    assert screen.shown == [] and led.error
    led.poll(5.0, DAY)
    assert led.error is None and screen.shown == [("暂停服务", "static")]


def test_a_state_older_than_the_call_does_not_put_the_window_back(led):
    """The call lights the LED on the fast path; the window's state from before the login can
    still be waiting on the main loop: its seq says it is older, and it changes nothing."""
    led.on_call("A001", 0.0, seq=("e1", 7))
    led.apply_state({"status": "closed", "serving": None, "epoch": "e1", "seq": 5})
    led.poll(0.0, DAY)
    led.apply_state({"status": "open", "serving": {"no": "A001"}, "epoch": "e1", "seq": 7})
    led.poll(3.0, DAY)
    led.apply_state({"status": "paused", "serving": None, "epoch": "e1", "seq": 9})
    led.poll(4.0, DAY)
    assert _shown(led.screen) == [("brightness", 100), ("请A001号", "flash"),
                                  ("请A001号", "static"), ("暂停服务", "static")]


def test_a_state_of_a_new_epoch_counts_whatever_its_seq(led):
    led.on_call("A001", 0.0, seq=("e1", 70))
    led.apply_state({"status": "closed", "serving": None, "epoch": "e2", "seq": 3})
    led.poll(0.0, DAY)
    assert _shown(led.screen)[-1] == (LedRules().closed_text, "static")
