"""The plain serial LED window screen: one framed command per write, text in GB2312.

Frame (all of the plain protocol, swappable as a whole through :class:`PlainProtocol`)::

    STX 0x02 | address | command | length (2 bytes, big-endian) | payload | checksum | ETX 0x03

``checksum`` is the low byte of the sum of address, command, length and payload bytes.
Commands: ``T`` (0x54) text, payload = mode byte (0 static, 1 flash, 2 scroll) + GB2312 text;
``B`` (0x42) brightness, payload = one byte 0–100. A screen may answer ACK 0x06 / NAK 0x15.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.ledscreen import MODES, WindowScreen, check_brightness, check_mode

STX, ETX, ACK, NAK = 0x02, 0x03, 0x06, 0x15
CMD_TEXT, CMD_BRIGHTNESS = 0x54, 0x42
MAX_TEXT_BYTES = 240  # what the plain screens' controllers buffer


@dataclass(frozen=True)
class Frame:
    """One decoded frame."""

    address: int
    command: int
    payload: bytes

    @property
    def text(self) -> str:
        """The text of a ``T`` frame."""
        return self.payload[1:].decode("gb2312")

    @property
    def mode(self) -> str:
        return MODES[self.payload[0]]


class PlainProtocol:
    """Encodes and decodes the plain frames; another protocol can replace it whole."""

    def encode_text(self, address: int, text: str, mode: str) -> bytes:
        """The frame showing ``text`` in ``mode``; ValueError if not GB2312 or too long."""
        check_mode(mode)
        if not isinstance(text, str):
            raise ValueError(f"screen text must be a str, got {type(text).__name__}")
        try:
            data = text.encode("gb2312")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{text!r} has {exc.object[exc.start:exc.end]!r}, which an LED "
                             "screen cannot show (GB2312 only)") from None
        if len(data) > MAX_TEXT_BYTES:
            raise ValueError(f"text of {len(data)} bytes is over the screen's {MAX_TEXT_BYTES}")
        return self._frame(address, CMD_TEXT, bytes([MODES.index(mode)]) + data)

    def encode_brightness(self, address: int, level: int) -> bytes:
        return self._frame(address, CMD_BRIGHTNESS, bytes([check_brightness(level)]))

    @staticmethod
    def _frame(address: int, command: int, payload: bytes) -> bytes:
        if not 0 <= address <= 255:
            raise ValueError(f"screen address must be 0–255, got {address}")
        body = bytes([address, command]) + len(payload).to_bytes(2, "big") + payload
        return bytes([STX]) + body + bytes([sum(body) & 0xFF, ETX])

    @staticmethod
    def check(buf: bytes) -> int:
        """0: need more bytes; n > 0: a whole valid frame of n bytes; -n: skip n bytes."""
        if not buf:
            return 0
        if buf[0] != STX:
            nxt = buf.find(bytes([STX]), 1)
            return -(nxt if nxt > 0 else len(buf))
        if len(buf) < 5:
            return 0
        n = 7 + int.from_bytes(buf[3:5], "big")
        if n > 7 + 1 + MAX_TEXT_BYTES:
            return -1
        if len(buf) < n:
            return 0
        if buf[n - 1] != ETX or sum(buf[1:n - 2]) & 0xFF != buf[n - 2]:
            return -1
        return n

    def decode(self, data: bytes) -> tuple[list[Frame], int]:
        """All whole frames in a finished capture ``data`` and how many bytes were noise."""
        frames, skipped, buf = [], 0, bytes(data)
        while buf:
            n = self.check(buf)
            if n == 0:
                # No more bytes will come: what looked like a frame's start was noise (it may
                # have claimed a length that swallows a real frame behind it).
                n = -1
            if n < 0:
                skipped, buf = skipped - n, buf[-n:]
                continue
            frames.append(Frame(buf[1], buf[2], buf[5:n - 2]))
            buf = buf[n:]
        return frames, skipped


class SerialWindowScreen(WindowScreen):
    """A plain screen on a serial line (pyserial). With ``ack=True`` the screen answers every frame
    and :meth:`health` tells ``ok``/``silent``; without, a write-only screen is ``unknown``.
    """

    def __init__(self, port: str, address: int = 1, baudrate: int = 9600, ack: bool = False,
                 protocol: PlainProtocol | None = None,
                 monotonic: Callable[[], float] = time.monotonic, ack_timeout_s: float = 0.5):
        import serial  # only here: the simulated screen needs no pyserial

        self._serial_error = serial.SerialException
        self.protocol = protocol or PlainProtocol()
        self.address, self.ack = address, ack
        self.monotonic, self.ack_timeout_s = monotonic, ack_timeout_s
        try:
            self._port = serial.Serial(port, baudrate, timeout=0, write_timeout=1.0)
        except (serial.SerialException, OSError) as exc:
            raise OSError(f"cannot open LED screen port {port}: {exc}") from None
        self.port = port
        self._error: str | None = None
        self._waiting: list[float] = []  # send times of frames not yet acknowledged
        self._nak = 0

    def show(self, text: str, mode: str = "static") -> None:
        self._send(self.protocol.encode_text(self.address, text, mode))

    def set_brightness(self, level: int) -> None:
        self._send(self.protocol.encode_brightness(self.address, level))

    def _send(self, frame: bytes) -> None:
        try:
            self._port.write(frame)
            self._port.flush()
        except (self._serial_error, OSError) as exc:
            self._error = str(exc)
            raise OSError(f"LED screen {self.port}: {exc}") from None
        self._error = None
        if self.ack:
            self._waiting.append(self.monotonic())

    def health(self) -> dict:
        if self._error:
            return {"state": "error", "detail": self._error}
        if not self.ack:
            return {"state": "unknown", "detail": "write-only screen"}
        try:
            answers = self._port.read(self._port.in_waiting or 0)
        except (self._serial_error, OSError) as exc:
            return {"state": "error", "detail": str(exc)}
        for byte in answers:
            if byte in (ACK, NAK) and self._waiting:
                self._waiting.pop(0)
                self._nak += byte == NAK
        if self._waiting and self.monotonic() - self._waiting[0] > self.ack_timeout_s:
            return {"state": "silent", "unanswered": len(self._waiting)}
        if self._nak:
            return {"state": "error", "detail": f"{self._nak} frames refused (NAK)"}
        return {"state": "ok"}

    def close(self) -> None:
        self._port.close()
