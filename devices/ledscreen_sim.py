"""Simulated LED window screen: records exactly the bytes a plain serial screen would receive."""

from __future__ import annotations

import time
from collections.abc import Callable

from devices.ledscreen import WindowScreen
from devices.ledscreen_serial import PlainProtocol


class SimWindowScreen(WindowScreen):
    """Keeps ``sent``: ``(monotonic time, frame bytes)`` for every command, in order, encoded by
    ``protocol`` (the plain one unless another is passed), and what it would display now.
    """

    def __init__(self, address: int = 1, protocol: PlainProtocol | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        self.address = address
        self.protocol = protocol or PlainProtocol()
        self.monotonic = monotonic
        self.sent: list[tuple[float, bytes]] = []
        self.text: str | None = None
        self.mode: str | None = None
        self.brightness: int | None = None
        self._unplugged = False
        self._error: str | None = None

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
        self._unplugged = True

    def plug(self) -> None:
        """Put the cable back; the next command goes out again."""
        self._unplugged = False

    def _send(self, frame: bytes) -> None:
        if self._unplugged:
            self._error = "write failed: unplugged"
            raise OSError(f"LED screen sim:{self.address}: {self._error}")
        self._error = None
        self.sent.append((self.monotonic(), frame))

    def health(self) -> dict:
        if self._error:
            return {"state": "error", "detail": self._error}
        return {"state": "ok", "backend": "sim", "frames": len(self.sent)}
