"""systemd's notify protocol in a few lines: READY=1 and WATCHDOG=1 over $NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket


def notifier():
    """A ``notify(message)`` function when run under systemd with a notify socket, else None."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return None
    if address.startswith("@"):  # an abstract socket name
        address = "\0" + address[1:]

    def notify(message: str) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto(message.encode("ascii"), address)
            except OSError:
                pass  # systemd went away: nothing to feed

    return notify
