"""systemd notifications without a dependency: READY=1 once, WATCHDOG=1 from the main loop."""

from __future__ import annotations

import os
import socket
import time


class Notifier:
    """Sends to ``$NOTIFY_SOCKET`` when set (a no-op otherwise); watchdog pings at most
    once a second."""

    def __init__(self, environ=os.environ):
        address = environ.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):
            address = "\0" + address[1:]   # abstract namespace
        self.address = address or None
        self._last = 0.0

    def send(self, message: str) -> None:
        if not self.address:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto(message.encode(), self.address)
            except OSError:
                pass  # systemd gone or restarting us: nothing useful to do

    def ready(self) -> None:
        self.send("READY=1")

    def watchdog(self) -> None:
        now = time.monotonic()
        if now - self._last >= 1.0:
            self._last = now
            self.send("WATCHDOG=1")
