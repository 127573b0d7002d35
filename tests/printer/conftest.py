"""A printer emulator on a real pseudo-terminal or TCP socket: it keeps every byte it gets and
answers DLE EOT queries with the bytes a printer in ``status`` would send."""

from __future__ import annotations

import os
import select
import socket
import threading
import tty

import pytest

from devices.printer.interface import PrinterStatus
from devices.printer.status import status_bytes


class PrinterEmulator:
    """Reads from ``read``, answers through ``write``; ``answers=False`` is a printer without
    real-time status."""

    def __init__(self):
        self.status = PrinterStatus(paper="ok", cover="closed", line="online")
        self.answers = True
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _serve(self, read, write, wait_readable) -> None:
        pending = b""
        while not self._stop.is_set():
            if not wait_readable(0.05):
                continue
            chunk = read()
            if not chunk:
                return
            self.received += chunk
            pending += chunk
            while True:
                at = pending.find(b"\x10\x04")
                if at < 0 or at + 2 >= len(pending):
                    pending = pending[at:] if at >= 0 else b""
                    break
                n = pending[at + 2]
                pending = pending[at + 3:]
                if self.answers and 1 <= n <= 4:
                    write(bytes([status_bytes(self.status)[n - 1]]))

    def start(self, read, write, wait_readable) -> PrinterEmulator:
        self._thread = threading.Thread(target=self._serve, args=(read, write, wait_readable),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)

    @property
    def job_bytes(self) -> bytes:
        """What arrived, without the status queries."""
        return bytes(self.received).replace(b"\x10\x04\x01", b"").replace(
            b"\x10\x04\x02", b"").replace(b"\x10\x04\x03", b"").replace(b"\x10\x04\x04", b"")


@pytest.fixture
def pty_printer():
    """(emulator, device path): an emulated serial printer on a pseudo-terminal."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    emu = PrinterEmulator().start(
        lambda: os.read(master, 4096), lambda b: os.write(master, b),
        lambda t: bool(select.select([master], [], [], t)[0]))
    yield emu, os.ttyname(slave)
    emu.stop()
    os.close(slave)
    os.close(master)


@pytest.fixture
def tcp_printer():
    """(emulator, port): an emulated network printer on 127.0.0.1."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    emu = PrinterEmulator()
    conns: list[socket.socket] = []

    def accept():
        try:
            conn, _ = server.accept()
        except OSError:  # the test ended without connecting: the server was closed
            return
        conns.append(conn)
        emu.start(lambda: conn.recv(4096), conn.sendall,
                  lambda t: bool(select.select([conn], [], [], t)[0]))

    threading.Thread(target=accept, daemon=True).start()
    yield emu, server.getsockname()[1]
    emu.stop()
    for c in conns:
        c.close()
    server.close()
