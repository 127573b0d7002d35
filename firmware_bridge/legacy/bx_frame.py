"""Onbon BX-5/6 frames: ``A5×8 | escaped(header | Data | CRC) | 5A``.

Header (14 bytes, little-endian): ``DstAddr u16 | SrcAddr u16 | 00 00 00 | Option | CheckMode |
DisplayMode | DeviceType | ProtoVer | DataLen u16``. The CRC is CRC-16/ARC over header and Data
before escaping; the escapes (``A5→A6 02, A6→A6 01, 5A→5B 02, 5B→5B 01``) apply to every byte
between the preamble and the final ``5A``, so neither sync byte can appear inside a frame.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from firmware_bridge.crc import crc16_a001

PREAMBLE = b"\xa5" * 8
START = 0xA5
END = 0x5A
HOST_ADDR = 0x8000
BROADCAST = 0xFFFE
ANY_DEVICE = 0xFE
PROTO_VER = 0x02
HEADER = struct.Struct("<HH3xBBBBBH")  # 14 bytes
MAX_DATA = 0xFFFF
CHECK_CRC, CHECK_SUM, CHECK_NONE = 0, 1, 2

#: Reasons :func:`scan` gives for skipping bytes.
NOISE = "noise"
TRUNCATED = "truncated"
BAD_ESCAPE = "bad_escape"
BAD_LENGTH = "bad_length"
BAD_CRC = "bad_crc"
TOO_LONG = "too_long"

_ESCAPES = {0xA5: b"\xa6\x02", 0xA6: b"\xa6\x01", 0x5A: b"\x5b\x02", 0x5B: b"\x5b\x01"}
_UNESCAPES = {(0xA6, 0x02): 0xA5, (0xA6, 0x01): 0xA6, (0x5B, 0x02): 0x5A, (0x5B, 0x01): 0x5B}


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC: reflected polynomial 0xA001, initial value 0, no final XOR."""
    return crc16_a001(data, 0)


def sum16(data: bytes) -> int:
    """CheckMode 1: the 16-bit sum of the bytes."""
    return sum(data) & 0xFFFF


def escape(body: bytes) -> bytes:
    return b"".join(_ESCAPES.get(b, bytes((b,))) for b in body)


def unescape(body: bytes) -> bytes:
    """Undo :func:`escape`; ValueError for a lone escape byte or an unknown escape pair."""
    out = bytearray()
    i = 0
    while i < len(body):
        b = body[i]
        if b in (0xA6, 0x5B):
            if i + 1 >= len(body) or (b, body[i + 1]) not in _UNESCAPES:
                raise ValueError(f"bad escape at byte {i}: {body[i:i + 2].hex(' ')}")
            out.append(_UNESCAPES[(b, body[i + 1])])
            i += 2
        elif b in (0xA5, 0x5A):
            raise ValueError(f"unescaped {b:02X} at byte {i}")
        else:
            out.append(b)
            i += 1
    return bytes(out)


@dataclass(frozen=True)
class BXFrame:
    """One frame, decoded (escapes undone, check verified)."""

    dst: int
    src: int
    data: bytes
    device_type: int = ANY_DEVICE
    option: int = 0
    check_mode: int = CHECK_CRC
    display_mode: int = 0
    proto_ver: int = PROTO_VER

    def body(self) -> bytes:
        """Header and Data, before the check and the escapes."""
        if len(self.data) > MAX_DATA:
            raise ValueError(f"Data too long: {len(self.data)} bytes")
        return HEADER.pack(self.dst, self.src, self.option, self.check_mode, self.display_mode,
                           self.device_type, self.proto_ver, len(self.data)) + self.data

    def encode(self) -> bytes:
        body = self.body()
        if self.check_mode == CHECK_CRC:
            check = struct.pack("<H", crc16_arc(body))
        elif self.check_mode == CHECK_SUM:
            check = struct.pack("<H", sum16(body))
        elif self.check_mode == CHECK_NONE:
            check = b""
        else:
            raise ValueError(f"CheckMode must be 0, 1 or 2, got {self.check_mode}")
        return PREAMBLE + escape(body + check) + bytes((END,))


@dataclass(frozen=True)
class Verdict:
    """``n == 0`` need more; ``n > 0`` a frame of n bytes; ``n < 0`` skip −n bytes (``reason``)."""

    n: int
    reason: str | None = None
    frame: BXFrame | None = None


def _decode_body(raw: bytes) -> BXFrame | str:
    """The frame in ``raw`` (escapes undone), or the reason it is rejected."""
    try:
        body = unescape(raw)
    except ValueError:
        return BAD_ESCAPE
    if len(body) < HEADER.size:
        return BAD_LENGTH
    dst, src, option, check_mode, display_mode, device_type, proto_ver, data_len = (
        HEADER.unpack_from(body))
    check_len = 0 if check_mode == CHECK_NONE else 2
    if check_mode not in (CHECK_CRC, CHECK_SUM, CHECK_NONE):
        return BAD_LENGTH
    if len(body) != HEADER.size + data_len + check_len:
        return BAD_LENGTH
    payload = body[:HEADER.size + data_len]
    if check_mode != CHECK_NONE:
        (check,) = struct.unpack_from("<H", body, HEADER.size + data_len)
        expected = crc16_arc(payload) if check_mode == CHECK_CRC else sum16(payload)
        if check != expected:
            return BAD_CRC
    return BXFrame(dst, src, payload[HEADER.size:], device_type, option, check_mode,
                   display_mode, proto_ver)


def scan(buf: bytes, max_len: int = 2 * (HEADER.size + MAX_DATA + 2) + 9) -> Verdict:
    """Look at the start of ``buf``: need more, a whole frame, or skip to the next ``A5``."""
    if not buf:
        return Verdict(0)
    if buf[0] != START:
        nxt = buf.find(START)
        return Verdict(-(nxt if nxt > 0 else len(buf)), NOISE)
    i = 0
    while i < len(buf) and buf[i] == START:
        i += 1
    if i == len(buf):
        return Verdict(0)
    end = buf.find(END, i)
    restart = buf.find(START, i)
    if restart != -1 and (end == -1 or restart < end):
        return Verdict(-restart, TRUNCATED)  # a new preamble before this frame ended
    if end == -1:
        return Verdict(-len(buf), TOO_LONG) if len(buf) > max_len else Verdict(0)
    result = _decode_body(bytes(buf[i:end]))
    if isinstance(result, str):
        return Verdict(-(end + 1), result)
    return Verdict(end + 1, None, result)


def check(buf: bytes) -> int:
    """``0`` need more, ``n`` a frame of n bytes, ``-n`` skip n bytes (see :func:`scan`)."""
    return scan(buf).n


def decode(raw: bytes) -> BXFrame:
    """Decode exactly one whole frame; ValueError naming the fault otherwise."""
    verdict = scan(raw)
    if verdict.n != len(raw) or verdict.frame is None:
        raise ValueError(f"not one whole BX frame ({verdict.reason or 'incomplete'})")
    return verdict.frame
