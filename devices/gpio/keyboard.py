"""Press simulated GPIO keys from a terminal: the demo's and a developer's hands.

Each character typed taps the pin of one key on whichever simulated pad has that key, so the
presses go through the same edges and key rule as a test's.
"""

from __future__ import annotations

import os
import select
import termios
import threading
import tty

from devices.gpio.keypad import DIGIT, GpioKeyPad
from devices.gpio.sim import SimulatedPins

#: Character → key. Bottom row z…b is the rating pad, worst to best (b = rate_5 = 非常满意).
DEFAULT_KEYMAP = {
    "n": "call_next", "r": "recall", "k": "skip", "f": "finish", "p": "pause", "u": "resume",
    "t": "transfer", "h": "hold", "y": "call_back", "s": "start", "l": "login", "o": "logout",
    "z": "rate_1", "x": "rate_2", "c": "rate_3", "v": "rate_4", "b": "rate_5",
}


class KeyboardKeys:
    """Taps keys of simulated ``pads`` for characters read from ``fd`` (a terminal or pty)."""

    def __init__(self, pads: list[GpioKeyPad], fd: int, keymap: dict[str, str] | None = None):
        for pad in pads:
            if not isinstance(pad.pins, SimulatedPins):
                raise ValueError("keyboard keys only drive simulated pins")
        self.pads, self.fd = pads, fd
        self.keymap = dict(DEFAULT_KEYMAP if keymap is None else keymap)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved = None

    def legend(self) -> str:
        """One line listing the keys, for the console."""
        return " ".join(f"{ch}={key}" for ch, key in self.keymap.items()) + " 0-9=digits"

    def feed(self, data: bytes) -> list[str]:
        """Tap the key of each known character in ``data``; the keys tapped, in order."""
        tapped = []
        for ch in data.decode("utf-8", "ignore"):
            key, digit = (DIGIT, int(ch)) if ch.isdigit() and ch.isascii() else \
                (self.keymap.get(ch), None)
            for pad in self.pads:
                if key == DIGIT and digit in pad.digits or key in pad.keys:
                    # press and release at the same instant: a keystroke has no length
                    pin, t = pad.pin_of(key, digit), pad.pins.now()
                    pad.pins.tap(pin, at=t, hold_s=0.0)
                    tapped.append(key if key != DIGIT else str(digit))
                    break
        return tapped

    def start(self) -> None:
        """Read ``fd`` on a daemon thread (a terminal is put in cbreak mode until stop)."""
        if os.isatty(self.fd):
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        self._thread = threading.Thread(target=self._run, daemon=True, name="keyboard-keys")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.fd, 64)
                except OSError:
                    return
                if not data:
                    return
                self.feed(data)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None
