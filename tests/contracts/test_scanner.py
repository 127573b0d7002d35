"""One body for every scanner backend: simulated, serial (a real pty), USB HID keyboard wedge
(the kernel's input_event records through a FIFO). Each rig sends what the device would send;
the scanner must deliver each scan once, drop noise, repeats and stale halves, time out with
None, and fail with OSError (and health ``error``) once its device is gone."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from devices.registry import open_device
from devices.scanner import HEALTH_STATES, REPEAT_S, Scanner

# Linux input-event-codes.h, written out here (not taken from the backend under test)
_KEYS = {**{str(d): c for d, c in zip("1234567890", range(2, 12), strict=True)},
         **{ch: c for ch, c in zip("QWERTYUIOP", range(16, 26), strict=True)},
         **{ch: c for ch, c in zip("ASDFGHJKL", range(30, 39), strict=True)},
         **{ch: c for ch, c in zip("ZXCVBNM", range(44, 51), strict=True)},
         "-": 12, "=": 13, ".": 52, "/": 53, "\r": 28, "\n": 28}  # CR LF: two Enters
_SHIFTED = {":": 39, "?": 53, "_": 12}
LEFTSHIFT, EV_KEY, EV_SYN = 42, 1, 0


def key_events(text: str) -> bytes:
    """What a keyboard-wedge scanner's input device yields for ``text`` (US layout)."""
    out = []

    def ev(kind, code, value):
        out.append(struct.pack("llHHi", 0, 0, kind, code, value))
    for ch in text:
        lower = ch.lower()
        if ch in _SHIFTED or (ch.isalpha() and ch.isupper()):
            code = _SHIFTED.get(ch, _KEYS.get(ch))
            ev(EV_KEY, LEFTSHIFT, 1)
            ev(EV_KEY, code, 1)
            ev(EV_KEY, code, 0)
            ev(EV_KEY, LEFTSHIFT, 0)
        else:
            code = _KEYS.get(ch) or _KEYS[lower.upper()]
            ev(EV_KEY, code, 1)
            ev(EV_KEY, code, 0)
        ev(EV_SYN, 0, 0)
    return b"".join(out)


@dataclass
class Rig:
    scanner: Scanner
    send: Callable[[str], None]   # raw characters as the device sends them (with the Enter)
    pull: Callable[[], None]      # the device is gone
    controls: bool = True         # can it send a control character (a keyboard wedge cannot)


def sim_rig(tmp_path) -> Rig:
    s = open_device("scanner", "sim")
    return Rig(s, s.send, s.unplug)


def serial_rig(tmp_path) -> Rig:
    master, slave = os.openpty()
    s = open_device("scanner", "serial", port=os.ttyname(slave), baudrate=9600)
    os.close(slave)
    return Rig(s, lambda text: os.write(master, text.encode()), lambda: os.close(master))


def hid_rig(tmp_path) -> Rig:
    fifo = tmp_path / "event-kbd"
    os.mkfifo(fifo)
    s = open_device("scanner", "hid", device=str(fifo))
    writer = os.open(fifo, os.O_WRONLY)
    return Rig(s, lambda text: os.write(writer, key_events(text)), lambda: os.close(writer),
               controls=False)


@pytest.fixture(params=[sim_rig, serial_rig, hid_rig], ids=["sim", "serial", "hid"])
def rig(request, tmp_path):
    r = request.param(tmp_path)
    yield r
    r.scanner.close()


URL = "HTTPS://HALL.EXAMPLE/BOOK/C/ABCD2345?T=X_Y-Z"


def test_each_scan_comes_once_and_whole(rig):
    rig.send("ABCD2345\r")
    assert rig.scanner.read(5) == "ABCD2345"
    rig.send(URL + "\r\n" + "110105194912310021\r")
    assert rig.scanner.read(5) == URL
    assert rig.scanner.read(5) == "110105194912310021"
    assert rig.scanner.read(0.05) is None
    health = rig.scanner.health()
    assert health["state"] in HEALTH_STATES and health["state"] == "ok"
    assert health["scans"] == 3


def test_the_same_code_held_in_front_reads_once(rig):
    rig.send("ABCD2345\rABCD2345\r")
    assert rig.scanner.read(5) == "ABCD2345"
    assert rig.scanner.read(0.2) is None
    assert rig.scanner.health()["repeats"] == 1
    assert REPEAT_S > 0.2


def test_noise_is_dropped_and_the_next_scan_comes(rig):
    if rig.controls:
        rig.send("\x01AB\r")
    rig.send("x" * 520 + "\r")  # over MAX_SCAN; lower case: fits a FIFO's 64 KB
    rig.send("ZZ99\r")
    assert rig.scanner.read(5) == "ZZ99"
    assert rig.scanner.health()["rejected"] == (2 if rig.controls else 1)


def test_half_a_line_left_lying_is_dropped():
    from devices.scanner import STALE_S, ScanLines

    now = [0.0]
    lines = ScanLines(lambda: now[0])
    assert lines.feed("ABC") == []
    now[0] += STALE_S + 0.1
    assert lines.feed("D2345\r") == ["D2345"]
    assert lines.counts["rejected"] == 1


def test_a_vanished_device_fails_loudly(rig):
    rig.pull()
    with pytest.raises(OSError):
        rig.scanner.read(2)
    assert rig.scanner.health()["state"] == "error"


def test_bad_timeout_is_refused(rig):
    with pytest.raises(ValueError):
        rig.scanner.read(-1)
