"""One body for every LED window screen backend: simulated, plain serial (pty), Modbus on the
emulated RS-485 bus (pty), Onbon BX over TCP and over a pty.

Each rig reads back what the far end *received*, decoded from its bytes; bad input must raise
ValueError and send nothing, a dead line must show as OSError or in health (issue 15 §6).
"""

from __future__ import annotations

import os
import select
import tty
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from devices.ledscreen import MODES, WindowScreen
from devices.ledscreen_serial import (
    CMD_BRIGHTNESS,
    CMD_TEXT,
    MAX_TEXT_BYTES,
    PlainProtocol,
    SerialWindowScreen,
)
from devices.ledscreen_sim import SimWindowScreen
from devices.recorder import Recording
from firmware_bridge import registers as reg
from firmware_bridge.bus import BusMaster
from firmware_bridge.legacy import bx_commands as cmd
from firmware_bridge.legacy import bx_frame as bx
from firmware_bridge.legacy.bx_emulator import BXEmulator
from firmware_bridge.legacy.bx_screen import BXScreen, SerialLink, TcpLink
from firmware_bridge.link import RtuLink
from firmware_bridge.modbus_devices import ModbusWindowScreen
from tests.helpers import eventually

HEALTH_STATES = ("ok", "silent", "error", "unknown")


@dataclass
class Rig:
    """``texts()``: every (text, mode) the screen received, in order; ``brightness()``: the last
    level it received (0–100 where the wire keeps it, else the controller's step); ``kill()``:
    the line dies; ``queued``: show() returns at once and a line thread sends it."""

    screen: WindowScreen
    texts: Callable[[], list[tuple[str, str]]]
    brightness: Callable[[], int | None]
    kill: Callable[[], None]
    queued: bool = False
    capacity: int | None = None  # GB2312 bytes the screen holds (None: no documented limit)


def plain_frames(frames) -> tuple[list[tuple[str, str]], list[int]]:
    texts = [(f.text, f.mode) for f in frames if f.command == CMD_TEXT]
    levels = [f.payload[0] for f in frames if f.command == CMD_BRIGHTNESS]
    return texts, levels


def sim_rig():
    screen = SimWindowScreen(address=3)
    screen.recorder = rec = Recording()

    def frames():
        return PlainProtocol().decode(b"".join(f for _, f in rec["led.sent"]))[0]

    return Rig(screen, lambda: plain_frames(frames())[0],
               lambda: (plain_frames(frames())[1] or [None])[-1], screen.unplug,
               capacity=MAX_TEXT_BYTES)


class PtyEnd:
    """The screen's side of a pty: everything the driver wrote, read as it comes."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.data = bytearray()

    def received(self) -> bytes:
        while self.master is not None and select.select([self.master], [], [], 0)[0]:
            self.data += os.read(self.master, 4096)
        return bytes(self.data)

    def close(self) -> None:
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None


def serial_rig(request):
    end = PtyEnd()
    request.addfinalizer(end.close)
    screen = SerialWindowScreen(end.path, address=3)
    request.addfinalizer(screen.close)

    def frames():
        return PlainProtocol().decode(end.received())[0]

    return Rig(screen, lambda: plain_frames(frames())[0],
               lambda: (plain_frames(frames())[1] or [None])[-1], end.close,
               capacity=MAX_TEXT_BYTES)


def modbus_rig(request):
    emu = request.getfixturevalue("emulated_bus")({1: "screen"})
    master = BusMaster(RtuLink(emu.port, timeout=0.2), poll_interval=0.01,
                       silent_after_s=0.2).start()
    request.addfinalizer(master.stop)
    screen = ModbusWindowScreen(master, 1, health_every_s=0.05)

    def kill():
        emu[1].faults.silent = True

    return Rig(screen, lambda: list(emu[1].shown), lambda: emu[1].brightness, kill, queued=True,
               capacity=reg.SCREEN_TEXT_MAX)


def bx_rig(request, transport):
    emu = BXEmulator(address=1, tcp=transport == "tcp", serial=transport == "serial")
    request.addfinalizer(emu.close)
    link = TcpLink("127.0.0.1", emu.tcp_port) if transport == "tcp" else SerialLink(emu.path)
    screen = BXScreen(link, reply_timeout_s=0.5)
    request.addfinalizer(screen.close)
    modes = {effect: mode for mode, effect in screen.effects.items()}

    def texts():
        shown = []
        for raw in list(emu.requests):
            data = bx.decode(raw).data
            if tuple(data[:2]) == cmd.TEXT:
                area = cmd.parse_text_request(data)[1][0]
                shown.append((area.text, modes[area.effect]))
        return shown

    return Rig(screen, texts, lambda: emu.brightness, emu.close)


@pytest.fixture(params=["simulated", "serial", "modbus", "bx-tcp", "bx-serial"])
def rig(request):
    kind = request.param
    if kind == "simulated":
        return sim_rig()
    if kind == "serial":
        return serial_rig(request)
    if kind == "modbus":
        return modbus_rig(request)
    return bx_rig(request, kind.split("-")[1])


def test_every_mode_shows_the_text_received(rig):
    wanted = [("请A012号到3号窗口", "flash"), ("请A012号到3号窗口", "static"),
              ("欢迎光临，办事请携带身份证", "scroll"), ("", "static")]
    for text, mode in wanted:
        rig.screen.show(text, mode)
        assert eventually(lambda t=text, m=mode: rig.texts()[-1:] == [(t, m)], timeout=5.0)
    assert rig.texts() == wanted
    assert set(MODES) == {"static", "flash", "scroll"}


@pytest.mark.parametrize("text,mode", [
    ("请A012号", "blink"), ("请A012号", None), ("请A012号", "STATIC"),
    ("请A012号😀", "static"), ("喆\U00020000", "static"),
    (None, "static"), (12, "static"), (b"A012", "static"), (["A012"], "static"),
])
def test_bad_text_or_mode_is_a_value_error_and_sends_nothing(rig, text, mode):
    with pytest.raises(ValueError):
        rig.screen.show(text, mode)
    rig.screen.show("请A013号", "static")
    assert eventually(lambda: rig.texts()[-1:] == [("请A013号", "static")], timeout=5.0)
    assert rig.texts() == [("请A013号", "static")]


def test_text_over_the_screens_capacity_is_a_value_error(rig):
    if rig.capacity is None:
        pytest.skip("no documented capacity (an Onbon BX area takes what its memory holds)")
    fits = "办" * (rig.capacity // 2)
    with pytest.raises(ValueError):
        rig.screen.show(fits + "A", "static")
    rig.screen.show(fits, "static")
    assert eventually(lambda: rig.texts() == [(fits, "static")], timeout=5.0)


def set_level(rig, level: int, marker: str):
    """Set ``level`` and wait until a text sent after it arrived: the level went out first."""
    rig.screen.set_brightness(level)
    rig.screen.show(marker, "static")
    assert eventually(lambda: rig.texts()[-1:] == [(marker, "static")], timeout=5.0)
    return rig.brightness()


@pytest.mark.parametrize("level", [-1, 101, 50.0, True, "50", None])
def test_bad_brightness_is_a_value_error_and_sends_nothing(rig, level):
    before = set_level(rig, 20, "A")
    with pytest.raises(ValueError):
        rig.screen.set_brightness(level)
    rig.screen.show("B", "static")  # sent after the bad call: had it sent anything, it is in
    assert eventually(lambda: rig.texts()[-1:] == [("B", "static")], timeout=5.0)
    assert rig.brightness() == before


def test_brightness_reaches_the_screen(rig):
    levels = [set_level(rig, level, str(level)) for level in (0, 35, 100)]
    assert levels[0] < levels[1] < levels[2]


def test_health_has_a_known_state_and_is_not_bad_after_a_good_write(rig):
    assert rig.screen.health()["state"] in HEALTH_STATES
    rig.screen.show("请A012号", "static")
    assert eventually(lambda: rig.texts()[-1:] == [("请A012号", "static")], timeout=5.0)
    assert eventually(lambda: rig.screen.health()["state"] in ("ok", "unknown"), timeout=5.0)


def test_a_dead_line_raises_os_error_or_shows_in_health(rig):
    rig.screen.show("请A012号", "static")
    assert eventually(lambda: rig.texts()[-1:] == [("请A012号", "static")], timeout=5.0)
    rig.kill()
    if rig.queued:  # the line thread finds out; show() itself cannot
        rig.screen.show("请A013号", "static")
    else:
        with pytest.raises(OSError):
            rig.screen.show("请A013号", "static")
        with pytest.raises(OSError):
            rig.screen.set_brightness(50)
    assert eventually(lambda: rig.screen.health()["state"] in ("silent", "error"), timeout=5.0)
