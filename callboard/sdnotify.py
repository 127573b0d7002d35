"""systemd notifications (READY=1, WATCHDOG=1) over $NOTIFY_SOCKET, without a dependency."""

from __future__ import annotations

import os
import socket


def notify(message: str) -> bool:
    """Send ``message`` to systemd if the node runs under it; False when there is no socket."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return False
    if path.startswith("@"):  # an abstract socket
        path = "\0" + path[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), path)
    except OSError:
        return False
    return True
