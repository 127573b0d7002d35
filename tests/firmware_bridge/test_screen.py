"""LED window screens on a real pty bus: what is written is what the screen holds and reads back."""

from __future__ import annotations

import pytest

from firmware_bridge import registers as reg
from firmware_bridge.bus import BusMaster
from firmware_bridge.link import RtuLink
from firmware_bridge.modbus_devices import ModbusWindowScreen
from firmware_bridge.rtu import ModbusException
from tests.helpers import eventually

TEXTS = [("请A012号到3号窗口办理", "flash"), ("3号窗口 暂停服务", "static"),
         ("欢迎光临示范县政务服务中心，办事请携带本人有效身份证件。", "scroll"),
         ("办" * 64, "static"), ("", "static")]


@pytest.fixture
def screen_bus(emulated_bus):
    emu = emulated_bus({1: "screen", 2: "screen"}, seed=11)
    master = BusMaster(RtuLink(emu.port, timeout=0.03), poll_interval=0.002).start()
    yield emu, master
    master.stop()


def test_text_read_back_equals_what_was_written(screen_bus):
    emu, master = screen_bus
    screen = ModbusWindowScreen(master, 1)
    for text, mode in TEXTS:
        screen.show(text, mode)
        assert screen.sync()
        assert screen.read_back() == {"text": text, "mode": mode, "brightness": 80}
        assert emu[1].text == text and emu[1].shown[-1] == (text, mode)
    screen.set_brightness(35)
    assert screen.sync() and screen.read_back()["brightness"] == 35
    assert emu[2].shown == []  # the other screen on the line was never written


def test_text_survives_a_corrupting_line(screen_bus):
    emu, master = screen_bus
    emu[1].faults.corrupt, emu[1].faults.drop = 0.3, 0.1
    screen = ModbusWindowScreen(master, 1)
    for n in range(20):
        screen.show(f"请A{n:03d}号到1号窗口办理", "flash")
    assert screen.sync(timeout=10)
    assert emu[1].text == "请A019号到1号窗口办理"  # the latest text wins; none is half written
    assert all(text.startswith("请A0") and text.endswith("办理") for text, _ in emu[1].shown)


def test_a_rebooted_screen_gets_its_text_back(screen_bus):
    emu, master = screen_bus
    screen = ModbusWindowScreen(master, 1, health_every_s=0.02)
    screen.show("3号窗口 张敏 为您服务")
    assert screen.sync()
    with emu[1].lock:
        emu[1]._reboot()
    assert emu[1].text == ""
    assert eventually(lambda: emu[1].text == "3号窗口 张敏 为您服务", timeout=10)
    assert screen.health()["reboots"] == 1


@pytest.mark.parametrize("call", [
    lambda s: s.show("请A012号", "blink"), lambda s: s.show("😀"), lambda s: s.show("号" * 65),
    lambda s: s.set_brightness(101), lambda s: s.set_brightness(-1),
    lambda s: s.set_brightness(True),
])
def test_bad_screen_input_is_refused_and_nothing_is_sent(screen_bus, call):
    emu, master = screen_bus
    screen = ModbusWindowScreen(master, 1)
    screen.show("原文")
    assert screen.sync()
    frames = emu.counters["frames"]
    with pytest.raises(ValueError):
        call(screen)
    assert not screen._dirty and emu[1].text == "原文"
    assert emu.counters["frames"] - frames < 5  # only health reads, no write


@pytest.mark.parametrize("values", [
    [0, 2, 0xB0A1],            # length 2, valid (啊) – the control case
    [3, 2, 0xB0A1],            # mode 3 does not exist
    [0, 129],                  # longer than the text area
    [0, 2, 0xFFFF],            # not GB2312
    [0, 1, 0xB000],            # half a Hanzi
])
def test_the_screen_refuses_a_bad_write_and_keeps_its_text(emulated_bus, values):
    emu = emulated_bus({1: "screen"})
    emu[1].text = "原文"
    with RtuLink(emu.port, timeout=0.5) as link:
        if values == [0, 2, 0xB0A1]:
            link.write(1, reg.SCREEN_MODE, values)
            assert emu[1].text == "啊"
            return
        with pytest.raises(ModbusException) as refused:
            link.write(1, reg.SCREEN_MODE, values)
    assert refused.value.code == 3 and emu[1].text == "原文" and emu[1].shown == []


def test_reads_outside_the_map_are_refused(emulated_bus):
    emu = emulated_bus({1: "screen"})
    with RtuLink(emu.port, timeout=0.5) as link:
        with pytest.raises(ModbusException) as refused:
            link.read(1, reg.KEY_ACK, 4)  # a screen has no keypad block
        assert refused.value.code == 2
        assert link.read(1, reg.COMMON_TYPE, 1) == [reg.TYPE_SCREEN]


def test_writes_to_a_device_of_the_wrong_type_do_not_flood_the_line(emulated_bus):
    emu = emulated_bus({1: "clerk_pad"})
    master = BusMaster(RtuLink(emu.port, timeout=0.03), poll_interval=0.002,
                       silent_retry_s=0.2).start()
    screen = ModbusWindowScreen(master, 1)
    try:
        screen.show("请A012号")
        assert eventually(lambda: screen.health()["state"] == "error")
        # identified as the wrong type: now at least two silent_retry_s pass, polled on
        polls = screen.stats["polls"]
        assert eventually(lambda: screen.stats["polls"] >= polls + 2)
        health = screen.health()
    finally:
        master.stop()
    assert health["state"] == "error" and "is a clerk_pad" in health["last_error"]
    assert emu.counters["frames"] <= 5  # re-identified every silent_retry_s, nothing written
    assert emu[1].shown == [] and screen._dirty  # the text waits for the right device
