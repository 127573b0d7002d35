"""systemd's notify protocol (READY=1, WATCHDOG=1) without a dependency: one datagram each.

Every service uses it: the hub and the nodes (it talks to systemd, never to the hub's state).
"""

from __future__ import annotations

import os
import socket


def notify(message: str, env: dict | None = None) -> bool:
    """Send ``message`` to systemd when running under it; False when there is no socket."""
    address = (os.environ if env is None else env).get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket name
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode("ascii"), address)
    except OSError:
        return False  # systemd went away: nothing to tell
    return True


class Watchdog:
    """Tells systemd the service is ready and still alive; does nothing outside systemd."""

    def __init__(self, env: dict | None = None) -> None:
        self.env = dict(os.environ if env is None else env)

    def ready(self) -> None:
        notify("READY=1", self.env)

    def alive(self) -> None:
        notify("WATCHDOG=1", self.env)

    def stopping(self) -> None:
        notify("STOPPING=1", self.env)
