"""A USB HID scanner in keyboard-wedge mode, read from its own evdev input device
(/dev/input/by-id/…-event-kbd): key events become characters (US layout, as scanners type),
and the device is grabbed (EVIOCGRAB) so its keystrokes reach no other program on the kiosk.

Read straight from the kernel's ``struct input_event`` records, no library: a test drives it
with the same records through a FIFO.
"""

from __future__ import annotations

import fcntl
import os
import select
import stat
import struct

from devices.scanner import Scanner

EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux: timeval, type, code, value
EV_KEY = 1
EVIOCGRAB = 0x40044590
SHIFTS = (42, 54)  # KEY_LEFTSHIFT, KEY_RIGHTSHIFT
ENTER = (28, 96)   # KEY_ENTER, KEY_KPENTER
_ROWS = {2: "1!", 3: "2@", 4: "3#", 5: "4$", 6: "5%", 7: "6^", 8: "7&", 9: "8*", 10: "9(",
         11: "0)", 12: "-_", 13: "=+", 26: "[{", 27: "]}", 39: ";:", 40: "'\"", 41: "`~",
         43: "\\|", 51: ",<", 52: ".>", 53: "/?", 57: "  "}
_LETTERS = dict(zip((16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35, 36, 37,
                     38, 44, 45, 46, 47, 48, 49, 50), "qwertyuiopasdfghjklzxcvbnm", strict=True))
KEYMAP = {**_ROWS, **{code: ch + ch.upper() for code, ch in _LETTERS.items()}}


def key_char(code: int, shifted: bool) -> str | None:
    """The character key ``code`` types (with shift held or not); None for other keys."""
    if code in ENTER:
        return "\r"
    pair = KEYMAP.get(code)
    return None if pair is None else pair[1 if shifted else 0]


class HidScanner(Scanner):
    def __init__(self, device: str, grab: bool = True, **kw):
        super().__init__(**kw)
        self._fd = os.open(device, os.O_RDONLY | os.O_NONBLOCK)
        if grab and stat.S_ISCHR(os.fstat(self._fd).st_mode):
            fcntl.ioctl(self._fd, EVIOCGRAB, 1)
        self._held: set[int] = set()
        self._rest = b""

    def _chunk(self, timeout: float) -> str:
        if self._fd < 0:
            raise OSError("scanner closed")
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return ""
        try:
            data = os.read(self._fd, EVENT.size * 64)
        except BlockingIOError:
            return ""
        if not data:
            raise OSError("scanner gone (end of its event stream)")
        data, out = self._rest + data, []
        whole = len(data) - len(data) % EVENT.size
        self._rest = data[whole:]
        for _sec, _usec, kind, code, value in EVENT.iter_unpack(data[:whole]):
            if kind != EV_KEY:
                continue
            if code in SHIFTS:
                (self._held.add if value else self._held.discard)(code)
            elif value == 1:  # key down; 2 (auto-repeat) and 0 (up) type nothing
                ch = key_char(code, bool(self._held))
                if ch is not None:
                    out.append(ch)
        return "".join(out)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self.error = self.error or "closed"
