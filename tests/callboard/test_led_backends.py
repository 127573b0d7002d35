"""The callboard drives firmware_bridge's Modbus screens and an Onbon BX controller through the
same WindowScreen interface, chosen by the node's config: a call shows on the emulated screen."""

from __future__ import annotations

import dataclasses
import json

import paho.mqtt.client as mqtt
import pytest

from callboard.node import build
from callboard.settings import ScreenPort, read_settings
from devices.audio.sim import WavAudioOut
from firmware_bridge.emulated import EmulatedPeripheral
from firmware_bridge.emulator import BusEmulator
from firmware_bridge.legacy.bx_emulator import BXEmulator
from tests.helpers import eventually
from wire.contract import Topics

pytestmark = pytest.mark.timeout(30)


def _call(hall_config, broker, window: int, no: str, seq: int):
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    topics = Topics(hall_config.hall_id)
    state = {"window": window, "name": f"{window}号窗口", "status": "open", "reason": None,
             "serving": {"no": no, "service": no[0], "called_at": "2026-11-23T10:00:00+08:00"},
             "staff": None, "services": [no[0]]}
    event = {"seq": seq, "at": "2026-11-23T10:00:00+08:00", "no": no, "window": window,
             "window_name": f"{window}号窗口", "service": no[0], "recall": False}
    pub.publish(topics.state(f"window/{window}"), json.dumps(state), qos=1,
                retain=True).wait_for_publish(2)
    pub.publish(topics.event("called"), json.dumps(event), qos=1).wait_for_publish(2)
    pub.loop_stop()
    pub.disconnect()


def _board(hall_config, broker, hall_clock, voices, tmp_path, settings):
    node = build(hall_config, "board-1", broker.url, hall_clock, True, headless=True, voices=voices,
                 speaker=WavAudioOut(tmp_path), settings=settings)
    node.start()
    return node


def test_modbus_screens_on_an_emulated_bus(hall_config, broker, hall_clock, voices, tmp_path):
    emu = BusEmulator([EmulatedPeripheral(3, "screen"), EmulatedPeripheral(4, "screen")]).start()
    settings = dataclasses.replace(read_settings(hall_config, "board-1", simulate=True),
                                   led="modbus",
                                   screens=(ScreenPort(3, emu.port, 3), ScreenPort(4, emu.port, 4)))
    node = _board(hall_config, broker, hall_clock, voices, tmp_path, settings)
    try:
        assert eventually(lambda: node.client.connected, node.poll, timeout=8.0)
        _call(hall_config, broker, 3, "B007", 1)
        assert eventually(lambda: ("请B007号到3号窗口办理", "flash") in emu[3].shown, node.poll, timeout=8.0)
        assert emu[4].shown == []  # only window 3's screen was written
        assert emu[3].brightness == 100  # daytime brightness
    finally:
        node.stop()  # stops the bus master thread too
        emu.stop()


def test_a_bx_controller_over_tcp(hall_config, broker, hall_clock, voices, tmp_path):
    bx_emu = BXEmulator(address=1, tcp=True)
    table = {"host": "127.0.0.1", "tcp_port": bx_emu.tcp_port, "width": 16, "height": 16,
             "reply_timeout_s": 0.5}
    settings = dataclasses.replace(read_settings(hall_config, "board-1", simulate=True),
                                   led="bx",
                                   screens=(ScreenPort(5, "", bx=table),))
    node = _board(hall_config, broker, hall_clock, voices, tmp_path, settings)
    try:
        assert eventually(lambda: node.client.connected, node.poll, timeout=8.0)
        _call(hall_config, broker, 5, "C021", 2)
        assert eventually(lambda: bx_emu.text(0) == "请C021号到5号窗口办理", node.poll, timeout=8.0)
    finally:
        node.stop()
        bx_emu.close()
