"""The simulated scanner: a test or the demo hands it what a scanner would send; it records
every scan it delivers and fails as a real one does when its cable is pulled."""

from __future__ import annotations

import queue

from devices.scanner import Scanner


class SimScanner(Scanner):
    simulated = True

    def __init__(self, **kw):
        super().__init__(**kw)
        self._chars: queue.Queue[str] = queue.Queue()
        self._unplugged = False

    def scan(self, text: str, end: str = "\r") -> None:
        """A code held in front of the scanner: its characters and the Enter it sends."""
        self.send(text + end)

    def send(self, chars: str) -> None:
        """Raw characters as the wire would carry them (noise, half lines)."""
        self._chars.put(chars)

    def unplug(self) -> None:
        """Pull the cable: reading fails with OSError, as a vanished input device does."""
        self._unplugged = True
        self._chars.put("")

    def plug(self) -> None:
        self._unplugged, self.error = False, None

    def _chunk(self, timeout: float) -> str:
        if self._unplugged:
            raise OSError("scanner unplugged")
        try:
            chars = self._chars.get(timeout=timeout) if timeout > 0 else self._chars.get_nowait()
        except queue.Empty:
            return ""
        if self._unplugged:
            raise OSError("scanner unplugged")
        return chars
