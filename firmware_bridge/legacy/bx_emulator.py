"""An Onbon BX-5/6 controller emulated over TCP and/or a pseudo-terminal.

It decodes each request frame exactly as sent, keeps each dynamic area's text (decoded from the
GB2312 bytes), its brightness, and answers as a controller does. Faults for tests:
``corrupt_replies`` (the next n replies get a flipped CRC bit), ``status_override`` (answer every
command with that status code). :meth:`render_png` draws the areas as the LED strip would.
"""

from __future__ import annotations

import os
import select
import socket
import threading
from collections import Counter

from . import bx_commands as cmd
from . import bx_frame as bx
from .serial_line import Pty


class BXEmulator:
    """One controller at ``address``. ``tcp_port`` (after :meth:`start`, 0 = any free port)
    and ``path`` (the pty a serial driver opens) are where a driver finds it."""

    def __init__(self, *, address: int = 1, device_type: int = 0x51, tcp: bool = True,
                 serial: bool = False, host: str = "127.0.0.1", tcp_port: int = 0,
                 link: str | None = None):
        self.address = address
        self.device_type = device_type
        self.areas: dict[int, cmd.Area] = {}
        self.brightness: int | None = None
        self.requests: list[bytes] = []  # every whole request frame, as received
        self.counts: Counter[str] = Counter()
        self.corrupt_replies = 0
        self.status_override: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: socket.socket | None = None
        self._pty: Pty | None = None
        self.tcp_port: int | None = None
        self.path: str | None = None
        if tcp:
            self._server = socket.create_server((host, tcp_port))
            self._server.settimeout(0.1)
            self.tcp_port = self._server.getsockname()[1]
            self._spawn(self._accept_loop)
        if serial:
            self._pty = Pty(link)
            self.path = self._pty.path
            self._spawn(self._pty_loop)

    def text(self, area_id: int = 0) -> str | None:
        """The text area ``area_id`` shows, decoded from the bytes received."""
        area = self.areas.get(area_id)
        return None if area is None else area.text

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._server is not None:
            self._server.close()
        if self._pty is not None:
            self._pty.close()

    # transports ---------------------------------------------------------------------------
    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name="bx-emulator", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.1)
            self._spawn(self._conn_loop, conn)

    def _conn_loop(self, conn: socket.socket) -> None:
        buf = bytearray()
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                for reply in self._consume(buf):
                    conn.sendall(reply)

    def _pty_loop(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._pty.master], [], [], 0.05)
            if not ready:
                continue
            try:
                buf += os.read(self._pty.master, 4096)
            except OSError:
                continue
            for reply in self._consume(buf):
                os.write(self._pty.master, reply)

    # the controller -----------------------------------------------------------------------
    def _consume(self, buf: bytearray) -> list[bytes]:
        replies = []
        while buf:
            verdict = bx.scan(buf)
            if verdict.n == 0:
                break
            if verdict.n < 0:
                self.counts[verdict.reason] += 1
                del buf[:-verdict.n]
                continue
            self.requests.append(bytes(buf[:verdict.n]))
            del buf[:verdict.n]
            with self._lock:
                reply = self._handle(verdict.frame)
            if reply is not None:
                replies.append(reply)
        return replies

    def _handle(self, frame: bx.BXFrame) -> bytes | None:
        if frame.dst not in (self.address, bx.BROADCAST) or len(frame.data) < 3:
            self.counts["not_for_me"] += 1
            return None
        command, wants_reply = (frame.data[0], frame.data[1]), frame.data[2] == cmd.REPLY_WANTED
        status, payload = self._execute(command, frame.data)
        if not wants_reply:
            return None
        raw = bx.BXFrame(frame.src, self.address, cmd.reply_data(command, status, payload),
                         self.device_type).encode()
        if self.corrupt_replies > 0:
            self.corrupt_replies -= 1
            body = bx.unescape(raw[8:-1])
            body = body[:-1] + bytes((body[-1] ^ 0x01,))  # flip a CRC bit, keep the framing
            raw = bx.PREAMBLE + bx.escape(body) + bytes((bx.END,))
            self.counts["corrupted_replies"] += 1
        return raw

    def _execute(self, command: tuple[int, int], data: bytes) -> tuple[int, bytes]:
        self.counts[f"cmd_{command[0]:02X}{command[1]:02X}"] += 1
        if self.status_override is not None:
            return self.status_override, b""
        if command == cmd.PING:
            return 0, bytes((self.brightness or 0, len(self.areas)))
        if command == cmd.TEXT:
            try:
                process_mode, areas = cmd.parse_text_request(data)
            except ValueError:
                self.counts["bad_text"] += 1
                return 8, b""  # download error
            if process_mode == 1:
                self.areas.clear()
            for area in areas:
                self.areas[area.area_id] = area
            return 0, b""
        if command == cmd.BRIGHTNESS:
            if len(data) < 7 or not 1 <= data[6] <= 16:
                return 8, b""
            self.brightness = data[6]
            return 0, b""
        if command == cmd.CLEAR:
            self.areas.clear()
            return 0, b""
        return (2, b"") if command[0] in (0xA2, 0xA3, 0xA4) else (1, b"")

    def render_png(self, path: str, scale: int = 4) -> str:
        """Draw each area's text, red on black, at its place (X/W in 8-pixel units)."""
        from PIL import Image, ImageDraw

        from devices.fonts import pillow_font

        areas = list(self.areas.values()) or [cmd.Area()]
        width = max((a.x + a.w) * 8 for a in areas)
        height = max(a.y + a.h for a in areas)
        image = Image.new("RGB", (width * scale, height * scale), "black")
        draw = ImageDraw.Draw(image)
        for area in areas:
            font = pillow_font(max(8, area.h * scale - 2 * scale))
            draw.text((area.x * 8 * scale, area.y * scale), area.text, fill=(255, 40, 20),
                      font=font)
        image.save(path)
        return path
