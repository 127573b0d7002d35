"""LED window screens: the plain frames, the simulated screen, the serial one on a real pty."""

from __future__ import annotations

import os
import select
import tty

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.ledscreen import MODES
from devices.ledscreen_serial import (
    ACK,
    MAX_TEXT_BYTES,
    NAK,
    Frame,
    PlainProtocol,
    SerialWindowScreen,
)
from devices.ledscreen_sim import SimWindowScreen
from devices.recorder import Recording

P = PlainProtocol()
# Characters GB2312 has: ASCII printables and common Hanzi/punctuation of the hall.
gb_text = st.text(st.sampled_from("请号窗口暂停服务热情为您ABC0123456789 ，。（）"), max_size=60)


def test_a_call_frame_byte_for_byte():
    frame = P.encode_text(3, "请A012号", "flash")
    text = "请A012号".encode("gb2312")
    assert text == b"\xc7\xeb" + b"A012" + b"\xba\xc5"
    body = bytes([3, 0x54, 0, 1 + len(text), 1]) + text
    assert frame == b"\x02" + body + bytes([sum(body) & 0xFF]) + b"\x03"
    checksum = (3 + 0x42 + 1 + 80) & 0xFF
    assert P.encode_brightness(3, 80) == b"\x02\x03\x42\x00\x01\x50" + bytes([checksum, 3])


@given(st.integers(0, 255), gb_text, st.sampled_from(MODES))
def test_text_frames_round_trip(address, text, mode):
    frames, skipped = P.decode(P.encode_text(address, text, mode))
    assert skipped == 0
    assert frames == [Frame(address, 0x54, frames[0].payload)]
    assert (frames[0].text, frames[0].mode) == (text, mode)


@given(st.binary(max_size=40), gb_text, st.binary(max_size=40))
def test_frames_are_found_in_noise(before, text, after):
    frame = P.encode_text(1, text, "static")
    frames, skipped = P.decode(before + frame + after)
    assert any(f.text == text for f in frames)
    assert skipped <= len(before) + len(after)


@given(st.binary(max_size=300))
def test_noise_never_crashes_the_parser(data):
    frames, skipped = P.decode(data)
    assert skipped <= len(data)
    for f in frames:
        assert len(f.payload) <= MAX_TEXT_BYTES + 1


def test_a_frame_with_a_bad_checksum_is_skipped():
    frame = bytearray(P.encode_text(1, "暂停服务", "static"))
    frame[-2] ^= 0xFF
    frames, skipped = P.decode(bytes(frame))
    assert frames == [] and skipped == len(frame)
    assert P.check(bytes(frame[:4])) == 0  # a partial frame asks for more


@pytest.mark.parametrize("call, match", [
    (lambda: P.encode_text(1, "请A012号 ☺", "static"), "GB2312"),
    (lambda: P.encode_text(1, "号" * 121, "static"), "over"),
    (lambda: P.encode_text(1, "x", "blink"), "unknown screen mode"),
    (lambda: P.encode_text(256, "x", "static"), "address"),
    (lambda: P.encode_brightness(1, 101), "brightness"),
    (lambda: P.encode_brightness(1, True), "brightness"),
])
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_simulated_screen_records_exact_bytes_and_refuses_bad_text(fake_time):
    s = SimWindowScreen(7, monotonic=fake_time)
    s.recorder = rec = Recording()
    s.show("请A012号", "flash")
    fake_time.advance(3)
    s.set_brightness(30)
    assert rec["led.sent"] == [(1000.0, P.encode_text(7, "请A012号", "flash")),
                               (1003.0, P.encode_brightness(7, 30))]
    with pytest.raises(ValueError):
        s.show("☺")
    assert s.frames == 2 and len(rec["led.sent"]) == 2 and s.text == "请A012号"


def test_the_simulated_screen_can_leave_its_bytes_in_a_file(tmp_path):
    """With ``record_to`` the serial line's capture is a file (hall-callboard's led.out_dir)."""
    s = SimWindowScreen(3, record_to=tmp_path / "led-window-3.bin")
    s.show("请A012号", "flash")
    s.set_brightness(30)
    assert (tmp_path / "led-window-3.bin").read_bytes() == (
        P.encode_text(3, "请A012号", "flash") + P.encode_brightness(3, 30))


def test_the_simulated_screen_reports_what_it_knows(fake_time):
    """Its health is not always ok: a failed line or a closed screen says error, and refuses
    writes as a dead serial line does."""
    s = SimWindowScreen(7, monotonic=fake_time)
    assert s.health() == {"state": "ok", "backend": "sim", "frames": 0} and s.simulated
    s.fail("cable pulled")
    with pytest.raises(OSError, match="cable pulled"):
        s.show("请A012号")
    assert s.health() == {"state": "error", "backend": "sim", "detail": "cable pulled"}
    s.fail(None)
    s.show("请A012号")
    assert s.health()["state"] == "ok" and s.frames == 1
    s.close()
    assert s.health()["state"] == "error" and s.health()["detail"] == "closed"
    with pytest.raises(OSError):
        s.set_brightness(30)
    assert s.frames == 1


@pytest.fixture
def pty_pair():
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


def _read(fd, n_min: int) -> bytes:
    data = b""
    while len(data) < n_min and select.select([fd], [], [], 2.0)[0]:
        data += os.read(fd, 4096)
    return data


def test_the_serial_screen_writes_the_frames_to_the_line(pty_pair):
    master, port = pty_pair
    screen = SerialWindowScreen(port, address=3)
    try:
        screen.show("请A012号", "flash")
        screen.set_brightness(100)
        expected = P.encode_text(3, "请A012号", "flash") + P.encode_brightness(3, 100)
        assert _read(master, len(expected)) == expected
        assert screen.health()["state"] == "unknown"  # write-only: it cannot be asked
    finally:
        screen.close()


def test_an_acknowledging_screen_is_ok_then_silent(pty_pair, fake_time):
    master, port = pty_pair
    screen = SerialWindowScreen(port, ack=True, monotonic=fake_time)
    try:
        screen.show("热情为您服务")
        _read(master, 1)
        os.write(master, bytes([ACK]))
        select.select([], [], [], 0.05)
        assert _wait_health(screen, "ok")
        screen.show("暂停服务")
        fake_time.advance(1.0)
        assert screen.health()["state"] == "silent"
        os.write(master, bytes([NAK]))
        assert _wait_health(screen, "error")
    finally:
        screen.close()


def _wait_health(screen, state):
    for _ in range(100):
        if screen.health()["state"] == state:
            return True
        select.select([], [], [], 0.01)
    return False


def test_a_missing_port_is_a_clear_error(tmp_path):
    with pytest.raises(OSError, match="cannot open LED screen port"):
        SerialWindowScreen(str(tmp_path / "ttyUSB9"))
