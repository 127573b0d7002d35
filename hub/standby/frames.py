"""The copy stream's frames: a 4-byte big-endian length, then a JSON object (or raw bytes for a
snapshot's body). One module so that both ends read and write the same thing."""

from __future__ import annotations

import json
import socket
import struct

MAX_FRAME = 256 * 1024 * 1024  # a day's database is a few MB; a longer length is garbage


class StreamClosed(ConnectionError):
    """The other end closed the stream (or sent something that is no frame)."""


def send(sock: socket.socket, obj: dict, body: bytes | None = None) -> None:
    """One JSON frame, followed by ``body`` as a frame of its own when given."""
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    parts = [struct.pack(">I", len(data)), data]
    if body is not None:
        parts += [struct.pack(">I", len(body)), body]
    sock.sendall(b"".join(parts))


def recv_bytes(sock: socket.socket) -> bytes:
    size = struct.unpack(">I", _exactly(sock, 4))[0]
    if size > MAX_FRAME:
        raise StreamClosed(f"frame of {size} bytes refused")
    return _exactly(sock, size)


def recv(sock: socket.socket) -> dict:
    try:
        obj = json.loads(recv_bytes(sock))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StreamClosed(f"not a frame: {exc}") from None
    if not isinstance(obj, dict):
        raise StreamClosed("not a frame: a JSON object was expected")
    return obj


def _exactly(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise StreamClosed("the other end closed the stream")
        buf += chunk
    return bytes(buf)
