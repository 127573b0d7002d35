"""Issue 10: an FF68 call key at window 1 calls a ticket at the hub, and the callboard (``led``
backend ``bx``) puts the hall's call sentence "请A001号到1号窗口办理" on window 1's emulated BX
controller, on a serial pty; the text is decoded from the bytes the controller received."""

from __future__ import annotations

import dataclasses

import pytest

from callboard.node import build as build_board
from callboard.settings import ScreenPort
from callboard.settings import read_settings as board_settings
from devices.audio.sim import WavAudioOut
from devices.lines import Lines
from firmware_bridge.legacy.demo import LegacyHall
from rater.app import build

pytestmark = pytest.mark.timeout(60)

CALL_NEXT = 0x0C


def test_a_call_key_shows_the_call_on_the_bx_controller(hall_config, broker, hall_clock,
                                                        hub_service, kiosk, voices, tmp_path,
                                                        pump, pictures):
    hall = LegacyHall([1], bx_transport="serial")
    bx = dataclasses.replace(board_settings(hall_config, "board-1", simulate=True), led="bx",
                             screens=(ScreenPort(1, "", bx=hall.bx_settings(1)),))
    board = build_board(hall_config, "board-1", broker.url, hall_clock, headless=True,
                        voices=voices, speaker=WavAudioOut(tmp_path), settings=bx)
    devices = {"staff": "1001", "screen": {"backend": "none"}} | hall.rater_devices(1)
    window1 = build(hall_config, "rater-1", broker.url, hall_clock, simulate=True, devices=devices,
                    lines=Lines())
    try:
        board.start()
        window1.start()
        pump([window1, board], lambda: board.client.connected and
             (window1.staff or {}).get("number") == "1001")
        no = kiosk.request("ticket.take", {"service": "A"})["ticket"]["no"]
        assert hall.press(1, "call_next")
        # the board hears the hub's call event and the window node its reply: two paths, so
        # either display may change first; pump raises if both do not show this call
        pump([window1, board], lambda: hall.shown(1) == {"caller": "   " + no[-3:],
                                                        "led": f"请{no}号到1号窗口办理"})
        assert no.startswith("A")
        hall.screens[1].render_png(str(pictures("rs485") / "bx-window1.png"))  # what the citizen sees
    finally:
        window1.stop()
        board.stop()
        hall.close()
