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

    def show(self, text: str, mode: str = "static") -> None:
        frame = self.protocol.encode_text(self.address, text, mode)  # raises before recording
        self.sent.append((self.monotonic(), frame))
        self.text, self.mode = text, mode

    def set_brightness(self, level: int) -> None:
        frame = self.protocol.encode_brightness(self.address, level)
        self.sent.append((self.monotonic(), frame))
        self.brightness = level

    def health(self) -> dict:
        return {"state": "ok", "backend": "sim", "frames": len(self.sent)}
