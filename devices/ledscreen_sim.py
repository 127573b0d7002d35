"""Simulated LED window screen: records exactly the bytes a plain serial screen would receive."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from devices.ledscreen import WindowScreen
from devices.ledscreen_serial import PlainProtocol
from devices.recorder import DISCARD, Recorder


class SimWindowScreen(WindowScreen):
    """Hands ``("led.sent", (monotonic time, frame bytes))`` for every command, in
    order, encoded by ``protocol`` (the plain one unless another is passed), to its
    :attr:`recorder`, counts them in :attr:`frames`, and keeps what it would display now.

    Its health is what it knows, as a serial screen's would be: ``error`` once closed or after
    :meth:`fail` (a pulled cable, for tests), when writes also raise OSError as a dead line's do.
    With ``record_to`` every frame is also appended to that file, byte for byte what the line
    would carry, so a process outside can judge what a window's screen received.
    """

    simulated = True

    def __init__(self, address: int = 1, protocol: PlainProtocol | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 record_to: str | Path | None = None):
        self.address = address
        self.record_to = Path(record_to) if record_to is not None else None
        self.protocol = protocol or PlainProtocol()
        self.monotonic = monotonic
        self.frames = 0
        self.recorder: Recorder = DISCARD
        self.text: str | None = None
        self.mode: str | None = None
        self.brightness: int | None = None
        self.error: str | None = None  # a failed line (fail(), unplug()) or a closed screen

    def show(self, text: str, mode: str = "static") -> None:
        frame = self.protocol.encode_text(self.address, text, mode)  # raises before recording
        self._send(frame)
        self.text, self.mode = text, mode

    def set_brightness(self, level: int) -> None:
        frame = self.protocol.encode_brightness(self.address, level)
        self._send(frame)
        self.brightness = level

    def unplug(self) -> None:
        """Pull the cable: sending fails with OSError, as on a serial screen's dead line."""
        self.fail("write failed: unplugged")

    def plug(self) -> None:
        """Put the cable back; the next command goes out again."""
        self.fail(None)

    def _send(self, frame: bytes) -> None:
        if self.error is not None:
            raise OSError(f"simulated LED screen {self.address}: {self.error}")
        self.frames += 1
        self.recorder.record("led.sent", (self.monotonic(), frame))
        if self.record_to is not None:  # the serial line's capture: appended, never rewritten
            with open(self.record_to, "ab") as f:
                f.write(frame)

    def fail(self, detail: str | None = "line down") -> None:
        """Make the line fail (``detail``) or work again (None)."""
        self.error = detail

    def health(self) -> dict:
        if self.error is not None:
            return {"state": "error", "backend": "sim", "detail": self.error}
        return {"state": "ok", "backend": "sim", "frames": self.frames}

    def close(self) -> None:
        self.error = "closed"
