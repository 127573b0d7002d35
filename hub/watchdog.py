"""systemd's notify protocol (READY=1, WATCHDOG=1) without a dependency: one datagram each."""

from __future__ import annotations

import os
import socket


class Watchdog:
    """Tells systemd the service is ready and still alive; does nothing outside systemd."""

    def __init__(self) -> None:
        self.address = os.environ.get("NOTIFY_SOCKET")

    def _send(self, message: str) -> None:
        if not self.address:
            return
        address = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto(message.encode(), address)
            except OSError:
                pass  # systemd gone: nothing to tell

    def ready(self) -> None:
        self._send("READY=1")

    def alive(self) -> None:
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1")
