"""BXScreen against the BX emulator over TCP and a pty: text, brightness, status, bad replies."""

from __future__ import annotations

import socket
import threading

import pytest

from devices.ledscreen import WindowScreen
from firmware_bridge.legacy import bx_commands as cmd
from firmware_bridge.legacy import bx_frame as bx
from firmware_bridge.legacy.bx_emulator import BXEmulator
from firmware_bridge.legacy.bx_screen import BXScreen, TcpLink, open_screen
from firmware_bridge.legacy.errors import LegacyConfigError, ScreenError


@pytest.fixture
def out(pictures):
    """Where this module leaves the pictures a person should look at."""
    return pictures("legacy")


@pytest.fixture
def emulator():
    emu = BXEmulator(address=1, tcp=True, serial=True)
    yield emu
    emu.close()


@pytest.fixture
def screen(emulator):
    scr = open_screen({"host": "127.0.0.1", "tcp_port": emulator.tcp_port, "width": 16,
                       "height": 16, "reply_timeout_s": 0.5})
    yield scr
    scr.close()


def test_call_text_is_decoded_from_the_bytes_the_controller_got(out, emulator, screen):
    assert isinstance(screen, WindowScreen)
    screen.show("请A012号", "flash")
    assert emulator.text(0) == "请A012号"
    request = bx.decode(emulator.requests[-1])
    _mode, (area,) = cmd.parse_text_request(request.data)
    assert "请A012号".encode("gb2312") in request.data
    assert area.effect == 7 and area.w == 16
    screen.show("请A012号")
    assert emulator.areas[0].effect == cmd.EFFECTS["static"]
    assert screen.health()["state"] == "ok"
    emulator.render_png(f"{out}/bx_window.png")


def test_brightness_and_status(emulator, screen):
    assert screen.health()["state"] == "unknown"
    screen.set_brightness(100)
    assert emulator.brightness == 16
    reply = screen.ping()
    assert reply.ok and reply.payload[0] == 16
    with pytest.raises(ValueError):
        screen.set_brightness(101)
    with pytest.raises(ValueError):
        screen.show("x", "blink")
    with pytest.raises(ValueError, match="GB2312"):
        screen.show("请A012号😀")
    assert emulator.counts["cmd_A306"] == 0 and emulator.brightness == 16  # nothing was sent


def test_one_bad_crc_reply_is_counted_and_the_request_resent(emulator, screen):
    emulator.corrupt_replies = 1
    screen.show("请A013号")
    health = screen.health()
    assert health["state"] == "ok" and health["counts"]["reply_bad_crc"] == 1
    assert health["counts"]["sent"] == 2 and emulator.text() == "请A013号"


def test_bad_replies_every_time_raise_and_mark_the_screen(emulator, screen):
    emulator.corrupt_replies = 5
    with pytest.raises(ScreenError, match="bad_crc"):
        screen.show("请A014号")
    health = screen.health()
    assert health["state"] == "error" and health["counts"]["reply_bad_crc"] == 2
    assert screen.text is None  # never claimed shown


@pytest.mark.parametrize("status, text", [(12, "no font"), (4, "out of memory")])
def test_error_status_is_raised_with_its_code_and_changes_nothing(emulator, screen, status,
                                                                  text):
    screen.show("请A015号")
    emulator.status_override = status
    with pytest.raises(ScreenError, match=text) as info:
        screen.show("请A016号")
    assert info.value.code == status and emulator.text() == "请A015号"
    health = screen.health()
    assert (health["state"], health["status"], health["status_text"]) == ("error", status, text)
    emulator.status_override = None
    screen.show("请A016号")
    assert screen.health()["state"] == "ok"


def test_busy_is_retried_then_reported(emulator, screen):
    emulator.status_override = cmd.BUSY
    with pytest.raises(ScreenError, match="busy"):
        screen.ping()
    assert emulator.counts["cmd_A200"] == 2


def test_a_silent_controller_is_silent_not_ok():
    server = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    link = TcpLink("127.0.0.1", server.getsockname()[1])
    scr = BXScreen(link, reply_timeout_s=0.05, retries=1)
    try:
        with pytest.raises(ScreenError, match="no reply"):
            scr.show("请A017号")
        assert scr.health()["state"] == "silent" and scr.health()["counts"]["timeouts"] == 2
    finally:
        scr.close()
        server.close()


def test_a_stray_late_reply_is_skipped(emulator):
    """A reply to another command arriving first (a late one) is not taken for this one."""
    stray = bx.BXFrame(bx.HOST_ADDR, 1, cmd.reply_data(cmd.PING, 0)).encode()
    server = socket.create_server(("127.0.0.1", 0))
    received = []

    def controller():
        conn, _ = server.accept()
        with conn:
            received.append(conn.recv(4096))
            conn.sendall(b"\x00\x13" + stray)  # noise, then the stray reply
            conn.sendall(bx.BXFrame(bx.HOST_ADDR, 1, cmd.reply_data(cmd.TEXT, 0)).encode())

    thread = threading.Thread(target=controller, daemon=True)
    thread.start()
    scr = BXScreen(TcpLink("127.0.0.1", server.getsockname()[1]), reply_timeout_s=2)
    scr.show("请A018号")
    counts = scr.health()["counts"]
    assert counts["reply_stray"] == 1 and counts["reply_noise"] == 1 and counts["sent"] == 1
    thread.join(timeout=5)
    assert cmd.parse_text_request(bx.decode(received[0]).data)[1][0].text == "请A018号"
    scr.close()
    server.close()


def test_the_same_screen_over_a_serial_pty(emulator):
    scr = open_screen({"transport": "serial", "port": emulator.path, "baud": 57600})
    try:
        scr.show("请B001号到5号窗口", "scroll")
        assert emulator.text() == "请B001号到5号窗口"
        assert emulator.areas[0].effect == cmd.EFFECTS["left"]
    finally:
        scr.close()


def test_emulator_answers_unknown_commands_with_their_status(emulator, screen):
    link = screen._link
    for data, status in ((cmd.request((0xA3, 0x7F)), 2), (cmd.request((0x10, 0x01)), 1)):
        link.write(bx.BXFrame(1, bx.HOST_ADDR, data).encode())
        reply = bytearray()
        while bx.check(reply) <= 0:
            reply += link.read_some(1.0)
        assert cmd.parse_reply(bx.decode(bytes(reply)).data).status == status


@pytest.mark.parametrize("table, fragment", [
    ({"transport": "usb"}, "bx.transport: must be one of"),
    ({"transport": "tcp"}, "bx.host: is required"),
    ({"host": "10.0.0.5", "tcp_port": 0}, "bx.tcp_port: must be an integer"),
    ({"host": "10.0.0.5", "colour": "red"}, r"bx: unknown key\(s\) colour"),
    ({"host": "10.0.0.5", "retries": 9}, "bx.retries"),
])
def test_bad_settings_name_the_key(table, fragment):
    with pytest.raises(LegacyConfigError, match=fragment):
        open_screen(table)
