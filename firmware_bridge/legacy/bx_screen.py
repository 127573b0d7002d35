"""A window's LED screen on an Onbon BX-5/6 controller, over TCP (port 5005) or serial.

Each command is one request frame and one reply frame. A reply that fails its CRC, answers
another command, or never comes is counted and the request is sent once more (text and
brightness are idempotent); an error status is counted and raised as :class:`ScreenError`
(``busy`` is retried). Nothing is shown from a reply that is not whole and checked.
"""

from __future__ import annotations

import dataclasses
import socket
import termios
import time
from collections import Counter

from devices.ledscreen import WindowScreen, check_brightness, check_mode

from . import bx_commands as cmd
from . import bx_frame as bx
from .errors import (
    LegacyConfigError,
    ScreenError,
    config_float,
    config_int,
    config_str,
    reject_unknown,
)


class TcpLink:
    """A TCP connection to a controller, opened on first use and again after a failure."""

    def __init__(self, host: str, port: int = 5005, connect_timeout_s: float = 2.0):
        self.host, self.port, self.connect_timeout_s = host, port, connect_timeout_s
        self._sock: socket.socket | None = None

    def write(self, data: bytes) -> None:
        if self._sock is None:
            self._sock = socket.create_connection((self.host, self.port), self.connect_timeout_s)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.sendall(data)

    def read_some(self, timeout_s: float) -> bytes:
        if self._sock is None:
            return b""
        self._sock.settimeout(timeout_s)
        try:
            data = self._sock.recv(4096)
        except TimeoutError:
            return b""
        if not data:
            self.close()
            raise ConnectionError("controller closed the connection")
        return data

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class SerialLink:
    """A controller on a serial line (baud *unverified*: configure it). pyserial loads lazily."""

    def __init__(self, port: str, baud: int = 57600):
        import serial  # pyserial

        self.port = port
        self._serial = serial.Serial(port, baudrate=baud, timeout=0.05, write_timeout=2.0)

    def write(self, data: bytes) -> None:
        try:
            self._serial.reset_input_buffer()  # a late reply to an earlier request is stale
            self._serial.write(data)
            self._serial.flush()
        except termios.error as exc:  # pyserial lets tcflush's own error through, not OSError
            raise OSError(f"{self.port}: {exc.args[-1]}") from None

    def read_some(self, timeout_s: float) -> bytes:
        try:
            self._serial.timeout = timeout_s
            first = self._serial.read(1)
            waiting = self._serial.in_waiting if first else 0
            return first + (self._serial.read(waiting) if waiting else b"")
        except termios.error as exc:
            raise OSError(f"{self.port}: {exc.args[-1]}") from None

    def close(self) -> None:
        self._serial.close()


class BXScreen(WindowScreen):
    """One window's text as one dynamic area of a BX-5/6 controller.

    ``link`` has ``write(bytes)``, ``read_some(timeout_s)`` and ``close()``. ``effects`` maps
    the interface's modes to the controller's Effect codes; flash has no documented code, so
    its default (7) is *unverified* — docs/legacy-bx.md says how to check it on site.
    :meth:`health` reports what the last exchange showed ("unknown" before any);
    :meth:`ping` asks the controller (``A2 00``).
    """

    def __init__(self, link, *, address: int = 1, device_type: int = bx.ANY_DEVICE,
                 area: cmd.Area | None = None, effects: dict[str, int] | None = None,
                 reply_timeout_s: float = 1.0, retries: int = 1):
        self._link = link
        self.address = address
        self.device_type = device_type
        self.area = area or cmd.Area(w=8, h=16)
        self.effects = {"static": 1, "flash": 7, "scroll": 3, **(effects or {})}
        self.reply_timeout_s = reply_timeout_s
        self.retries = retries
        self.counts: Counter[str] = Counter()
        self.state = "unknown"
        self.last_status: int | None = None
        self.last_error: str | None = None
        self.text: str | None = None

    # WindowScreen -------------------------------------------------------------------------
    def show(self, text: str, mode: str = "static") -> None:
        check_mode(mode)
        cmd.encode_text(text)  # ValueError before anything is sent
        area = dataclasses.replace(self.area, text=text, effect=self.effects[mode])
        self._exchange(cmd.text_request([area]), cmd.TEXT)
        self.text = text

    def set_brightness(self, level: int) -> None:
        check_brightness(level)
        self._exchange(cmd.brightness_request(level), cmd.BRIGHTNESS)

    def ping(self) -> cmd.Reply:
        """Ask the controller for its status; ScreenError when it does not answer cleanly."""
        return self._exchange(cmd.request(cmd.PING), cmd.PING)

    def health(self) -> dict:
        status = self.last_status
        return {"state": self.state, "address": self.address, "status": status,
                "status_text": None if status is None else cmd.STATUS_TEXT.get(status),
                "last_error": self.last_error, "counts": dict(self.counts)}

    def close(self) -> None:
        self._link.close()

    # wire ---------------------------------------------------------------------------------
    def _exchange(self, data: bytes, command: tuple[int, int]) -> cmd.Reply:
        frame = bx.BXFrame(self.address, bx.HOST_ADDR, data, self.device_type).encode()
        failure = "no reply"
        for _attempt in range(self.retries + 1):
            try:
                self._link.write(frame)
                self.counts["sent"] += 1
                reply = self._read_reply(command)
            except (OSError, ConnectionError) as exc:
                failure = f"link: {exc}"
                self.counts["link_errors"] += 1
                self._link.close()
                continue
            if reply is None:
                self.last_status = None
                failure = self.last_error or "no reply"
                continue
            self.last_status = reply.status
            if reply.ok:
                self.state, self.last_error = "ok", None
                return reply
            self.counts["error_status"] += 1
            self.state = "error"
            self.last_error = f"status {reply.status}: {reply.status_text}"
            if reply.status != cmd.BUSY:
                raise ScreenError(f"BX controller {self.address}: {self.last_error}", reply.status)
            failure = self.last_error
        self.state = "silent" if failure.startswith(("no reply", "link")) else "error"
        self.last_error = failure
        raise ScreenError(f"BX controller {self.address}: {failure}")

    def _read_reply(self, command: tuple[int, int]) -> cmd.Reply | None:
        """One checked reply to ``command``, or None (counted) for a bad or missing one."""
        buf = bytearray()
        deadline = time.monotonic() + self.reply_timeout_s
        while (left := deadline - time.monotonic()) > 0:
            chunk = self._link.read_some(left)
            buf += chunk
            while buf:
                verdict = bx.scan(buf)
                if verdict.n == 0:
                    break
                if verdict.n < 0:
                    self.counts[f"reply_{verdict.reason}"] += 1
                    del buf[:-verdict.n]
                    if verdict.reason != bx.NOISE:
                        self.last_error = f"reply rejected: {verdict.reason}"
                        return None
                    continue
                frame = verdict.frame
                del buf[:verdict.n]
                try:
                    reply = cmd.parse_reply(frame.data)
                except ValueError as exc:
                    self.counts["reply_malformed"] += 1
                    self.last_error = f"reply rejected: {exc}"
                    return None
                if reply.command != command or self.address not in (frame.src, bx.BROADCAST):
                    self.counts["reply_stray"] += 1  # an earlier request's late reply
                    continue
                return reply
        self.counts["timeouts"] += 1
        self.last_error = "no reply"
        return None


_KEYS = {"transport", "host", "tcp_port", "port", "baud", "address", "device_type", "x", "y", "width",
         "height", "reply_timeout_s", "retries", "flash_effect", "scroll_effect"}


def open_screen(table: dict, path: str = "bx") -> BXScreen:
    """Build a screen from a node's settings table (docs/legacy-bx.md, "Configuration")."""
    if not isinstance(table, dict):
        raise LegacyConfigError(f"{path}: must be a table")
    reject_unknown(table, _KEYS, path)
    transport = config_str(table, "transport", path, "tcp", ("tcp", "serial"))
    if transport == "tcp":
        link = TcpLink(config_str(table, "host", path, None),
                       config_int(table, "tcp_port", path, 5005, 1, 65535))
    else:
        link = SerialLink(config_str(table, "port", path, None),
                          config_int(table, "baud", path, 57600, 1200, 921600))
    area = cmd.Area(x=config_int(table, "x", path, 0, 0, 0x7FFF),
                    y=config_int(table, "y", path, 0, 0, 0x7FFF),
                    w=config_int(table, "width", path, 8, 1, 0x7FFF),
                    h=config_int(table, "height", path, 16, 1, 0x7FFF))
    effects = {"flash": config_int(table, "flash_effect", path, 7, 0, 255),
               "scroll": config_int(table, "scroll_effect", path, 3, 0, 255)}
    return BXScreen(link, address=config_int(table, "address", path, 1, 0, 0xFFFE),
                    device_type=config_int(table, "device_type", path, bx.ANY_DEVICE, 0, 255),
                    area=area, effects=effects,
                    reply_timeout_s=config_float(table, "reply_timeout_s", path, 1.0, 0.05, 30),
                    retries=config_int(table, "retries", path, 1, 0, 5))
