"""Barcode/QR scanners (扫码枪) at the kiosk: a booking's QR on a phone, a code on paper.

A scanner delivers each code as a line of characters ended by Enter (CR and/or LF): a USB HID
"keyboard wedge" types it (backend ``hid``: the kernel's evdev events of the scanner's own input
device, grabbed so the keystrokes reach no other program), a serial scanner sends it (``serial``,
pyserial), and the simulated twin (``sim``) is handed it by a test or the demo.

:class:`Scanner` is the interface. A backend implements :meth:`Scanner._chunk` (characters that
arrived within a timeout, "" when none; OSError once the device is gone) and may override
:meth:`close`. The rules a person feels live here, above every backend (:class:`ScanLines`): a
line is one scan; a line with a control character or longer than ``MAX_SCAN`` is noise and is
dropped whole; half a line left lying longer than ``STALE_S`` is dropped (a scanner sends a code
in milliseconds); the same code again within ``REPEAT_S`` is the phone still held in front of
the scanner and is dropped. ``tests/contracts/test_scanner.py`` holds every backend to this.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable

from devices.recorder import DISCARD, Recorder

MAX_SCAN = 512     # characters: a booking URL is ~80; a longer line is not ours
STALE_S = 0.5      # a partial line older than this when more arrives is dropped
REPEAT_S = 2.0     # the same code again within this is the same scan, held in front
HEALTH_STATES = ("ok", "error", "unknown")


class ScanLines:
    """Assembles characters into scans by the rules of the module docstring."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self.monotonic = monotonic
        self._part = ""
        self._part_at = 0.0
        self._last: tuple[str, float] | None = None
        self.counts = {"scans": 0, "rejected": 0, "repeats": 0}

    def feed(self, chars: str) -> list[str]:
        """The scans completed by ``chars`` (maybe none)."""
        now = self.monotonic()
        if self._part and now - self._part_at > STALE_S:
            self._part = ""
            self.counts["rejected"] += 1
        out = []
        for ch in chars:
            if ch in "\r\n":
                line, self._part = self._part, ""
                scan = self._accept(line, now)
                if scan is not None:
                    out.append(scan)
            else:
                if not self._part:
                    self._part_at = now
                self._part += ch
        return out

    def _accept(self, line: str, now: float) -> str | None:
        if not line:
            return None  # CR LF, or a bare Enter
        if len(line) > MAX_SCAN or any(not ch.isprintable() for ch in line):
            self.counts["rejected"] += 1
            return None
        if self._last is not None and self._last[0] == line and now - self._last[1] < REPEAT_S:
            self._last = (line, now)
            self.counts["repeats"] += 1
            return None
        self._last = (line, now)
        self.counts["scans"] += 1
        return line


class Scanner(ABC):
    """One scanner. :meth:`read` returns the next scan or None after ``timeout`` seconds;
    it raises OSError once the device is gone (unplugged, closed), and :meth:`health` then
    says ``error``. Thread use: one reader thread."""

    simulated = False

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self.lines = ScanLines(monotonic)
        self.monotonic = monotonic
        self.recorder: Recorder = DISCARD
        self.error: str | None = None
        self._ready: deque[str] = deque()

    def read(self, timeout: float) -> str | None:
        if not isinstance(timeout, int | float) or timeout < 0:
            raise ValueError(f"timeout must be seconds ≥ 0, got {timeout!r}")
        deadline = self.monotonic() + timeout
        while not self._ready:
            left = deadline - self.monotonic()
            try:
                chars = self._chunk(max(0.0, left))
            except OSError as exc:
                self.error = str(exc) or type(exc).__name__
                raise
            self._ready.extend(self.lines.feed(chars))
            if left <= 0 and not self._ready:
                return None
        scan = self._ready.popleft()
        self.recorder.record("scanner.read", scan)
        return scan

    def health(self) -> dict:
        state = "error" if self.error is not None else "ok"
        out = {"state": state, **self.lines.counts}
        if self.simulated:
            out["simulated"] = True
        if self.error is not None:
            out["error"] = self.error
        return out

    @abstractmethod
    def _chunk(self, timeout: float) -> str:
        """Characters that arrive within ``timeout`` s ("" if none); OSError when gone."""

    def close(self) -> None:
        """Release the device; the default has nothing to release."""
