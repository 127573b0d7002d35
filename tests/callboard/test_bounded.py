"""22.8: a call board runs for months. With no recorder attached (as in the hall), hundreds
more calls leave it holding exactly what it held before them: no list, queue or table grows."""

from __future__ import annotations

import numpy as np

from callboard.node import build
from devices.audio.base import AudioOut
from tests.helpers import grown, held, trims_once_after_closing
from wire.clock import HallClock


class QuietSpeaker(AudioOut):
    """A speaker that is never busy and keeps nothing (so every call is said at once)."""

    def _start(self, parts: list[np.ndarray]) -> None:
        pass

    def busy(self) -> bool:
        return False

    def health(self) -> dict:
        return {"state": "ok"}


class QuietClient:
    """Just enough of the hub client: the test hands the node its callbacks' input."""

    def __init__(self):
        self.state: dict = {}
        self.events: list = []

    def on_state(self, cb):
        self.state_cb = cb

    def on_event(self, kind, cb):
        self.event_cb = cb

    def on_connection(self, cb):
        self.conn_cb = cb

    def start(self):
        pass

    def stop(self):
        pass

    def publish_health(self, payload):
        pass


def test_hundreds_of_calls_leave_nothing_behind(hall_config, hall_clock, voices):
    client = QuietClient()
    node = build(hall_config, "board-1", "mqtt://127.0.0.1:1", hall_clock, True, headless=True,
                 voices=voices, speaker=QuietSpeaker(), client=client)
    node.start()
    client.conn_cb(True)
    windows = sorted(hall_config.windows)
    seq = 0

    def calls(n: int) -> None:
        nonlocal seq
        for _ in range(n):
            seq += 1
            window = windows[seq % len(windows)]
            client.event_cb("called", {"seq": seq, "no": f"A{seq % 1000:03d}", "window": window,
                                       "service": "A", "text": f"请A{seq % 1000:03d}号"})
            node.poll()

    calls(200)  # every bounded table full: recent calls, caches, the LED screens' states
    before = held(node)
    calls(600)
    after = held(node)
    assert node.speaker.plays == 800  # each call was said
    assert grown(before, after) == {}
    node.stop()


def test_the_board_gives_its_free_memory_back_once_after_the_hall_closes(hall_config, voices):
    clock = HallClock(hall_config.tz, "2026-11-23T16:59:00+08:00", 1.0)
    node = build(hall_config, "board-1", "mqtt://127.0.0.1:1", clock, True, headless=True,
                 voices=voices, speaker=QuietSpeaker(), client=QuietClient())
    node.start()
    trims_once_after_closing(node, clock)
    node.stop()
