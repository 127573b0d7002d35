"""The simulated legacy hall: nodes open its emulators through ordinary settings tables."""

from __future__ import annotations

import pytest

from firmware_bridge.legacy.bx_screen import open_screen
from firmware_bridge.legacy.demo import LegacyHall
from firmware_bridge.legacy.ff68_config import open_bus, parse_settings


@pytest.mark.parametrize("bx_transport", ["tcp", "serial"])
def test_a_window_node_drives_the_simulated_legacy_hall(bx_transport, clock, wait_for):
    hall = LegacyHall([1, 3], bx_transport=bx_transport, ack_timeout_s=1.0)
    bus = open_bus(parse_settings(hall.ff68_settings(), windows={1, 2, 3}), clock=clock)
    screen = open_screen(hall.bx_settings(3))
    try:
        presses = []
        for unit in bus.keypads_for_window(3):
            unit.on_press(presses.append)
        assert hall.press(3, "call_next") and hall.press(3, "skip") and hall.rate(3, 3)
        assert [p.key for p in presses] == ["call_next", "skip", "rate_5"]
        caller = bus.keypads_for_window(3)[0]
        caller.show_ticket("A012")
        screen.show("请A012号", "flash")
        assert wait_for(lambda: hall.shown(3) == {"caller": "   012", "led": "请A012号"})
        assert hall.shown(1) == {"caller": "      ", "led": None}
    finally:
        screen.close()
        bus.close()
        hall.close()


def test_demo_refuses_what_it_cannot_emulate():
    with pytest.raises(ValueError):
        LegacyHall([0])
    with pytest.raises(ValueError):
        LegacyHall([1], bx_transport="usb")
    hall = LegacyHall([1])
    try:
        with pytest.raises(ValueError, match="no FF68 code for key 'login'"):
            hall.press(1, "login")
    finally:
        hall.close()
