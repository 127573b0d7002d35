"""One serial line for the legacy drivers, and pseudo-terminals for their emulators."""

from __future__ import annotations

import os
import tty

PARITIES = ("N", "E", "O")


class SerialLine:
    """A serial port read in bursts: :meth:`read_some` returns what came, or ``b""`` after
    ``gap_s`` of silence (which is how a frame's end, or a truncated frame, is noticed).

    pyserial is imported when the port is opened, so importing this module needs no hardware.
    """

    def __init__(self, port: str, baud: int = 9600, parity: str = "N", stopbits: int = 1,
                 gap_s: float = 0.1):
        import serial  # pyserial

        if parity not in PARITIES:
            raise ValueError(f"parity must be one of {', '.join(PARITIES)}, got {parity!r}")
        self.port = port
        self._serial = serial.Serial(port, baudrate=baud, bytesize=8, parity=parity,
                                     stopbits=stopbits, timeout=gap_s, write_timeout=2.0)

    def read_some(self) -> bytes:
        first = self._serial.read(1)
        if not first:
            return b""
        waiting = self._serial.in_waiting
        return first + (self._serial.read(waiting) if waiting else b"")

    def write(self, data: bytes) -> None:
        self._serial.write(data)
        self._serial.flush()

    def close(self) -> None:
        self._serial.close()


class Pty:
    """A pseudo-terminal pair in raw mode: an emulator holds ``master``; a driver opens ``path``.

    ``link``, when given, is a stable symlink to the slave (``/tmp/hall-ff68``), as Klipper's
    Linux MCU does, so a config can name the same port every run.
    """

    def __init__(self, link: str | None = None):
        self.master, self._slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self._slave)  # cooked mode would echo and translate line ends
        self.path = os.ttyname(self._slave)
        self.link = link
        if link:
            if os.path.islink(link):
                os.unlink(link)
            os.symlink(self.path, link)

    def close(self) -> None:
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.link and os.path.islink(self.link):
            os.unlink(self.link)
