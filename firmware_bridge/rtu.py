"""Modbus RTU frames: CRC-16/MODBUS, the PDUs hallstack uses, and the frame hunters.

A frame hunter answers one of three things about a receive buffer (DESIGN §6): ``0`` need more
bytes, ``n > 0`` a whole, CRC-checked frame of n bytes at the start, or ``-n`` skip n bytes (noise
or a broken frame) and hunt again. Both the bus master and the emulator use them, and both count
what they skip. The PDU layouts follow the Modbus Application Protocol v1.1b3; tests check them
byte for byte against pymodbus's encoders.
"""

from __future__ import annotations

import struct

from firmware_bridge.crc import crc16_a001

READ_HOLDING = 0x03
WRITE_SINGLE = 0x06
WRITE_MULTIPLE = 0x10
READ_FILE = 0x14
WRITE_FILE = 0x15
FILE_REF_TYPE = 6
FUNCTIONS = (READ_HOLDING, WRITE_SINGLE, WRITE_MULTIPLE, READ_FILE, WRITE_FILE)

# Exception codes a hallstack peripheral answers with.
ILLEGAL_FUNCTION = 1
ILLEGAL_ADDRESS = 2
ILLEGAL_VALUE = 3
DEVICE_FAILURE = 4
EXCEPTION_NAMES = {1: "illegal function", 2: "illegal data address", 3: "illegal data value",
                   4: "device failure", 6: "device busy"}

MAX_PDU = 253
MAX_ADU = 256  # address + PDU + CRC: no RTU frame is longer
MAX_READ_REGS = 125
MAX_WRITE_REGS = 123


def crc16(data: bytes) -> int:
    """CRC-16/MODBUS of ``data`` (poly 0xA001 reflected, init 0xFFFF); sent low byte first."""
    return crc16_a001(data, 0xFFFF)


def frame(device_id: int, pdu: bytes) -> bytes:
    """An RTU frame: address, PDU, CRC low byte first."""
    if not 0 <= device_id <= 247:
        raise ValueError(f"Modbus device id must be 0–247, got {device_id}")
    if not 1 <= len(pdu) <= MAX_PDU:
        raise ValueError(f"PDU length {len(pdu)} outside 1–{MAX_PDU}")
    body = bytes([device_id]) + pdu
    return body + crc16(body).to_bytes(2, "little")


def crc_ok(whole: bytes) -> bool:
    """True when the last two bytes of ``whole`` are the CRC of the rest."""
    return len(whole) >= 4 and crc16(whole[:-2]) == int.from_bytes(whole[-2:], "little")


# --- request PDUs (master side) ------------------------------------------------------------

def _check_regs(address: int, values: list[int]) -> None:
    if not 0 <= address <= 0xFFFF or address + len(values) > 0x10000:
        raise ValueError(f"register address {address} out of range")
    for value in values:
        if not 0 <= value <= 0xFFFF:
            raise ValueError(f"register value {value} is not 16-bit")


def read_holding(address: int, count: int) -> bytes:
    """PDU 0x03: read ``count`` holding registers from ``address``."""
    if not 1 <= count <= MAX_READ_REGS:
        raise ValueError(f"read count must be 1–{MAX_READ_REGS}, got {count}")
    _check_regs(address, [0] * count)
    return struct.pack(">BHH", READ_HOLDING, address, count)


def write_single(address: int, value: int) -> bytes:
    """PDU 0x06: write one holding register."""
    _check_regs(address, [value])
    return struct.pack(">BHH", WRITE_SINGLE, address, value)


def write_multiple(address: int, values: list[int]) -> bytes:
    """PDU 0x10: write consecutive holding registers."""
    if not 1 <= len(values) <= MAX_WRITE_REGS:
        raise ValueError(f"write count must be 1–{MAX_WRITE_REGS}, got {len(values)}")
    _check_regs(address, values)
    return struct.pack(f">BHHB{len(values)}H", WRITE_MULTIPLE, address, len(values),
                       2 * len(values), *values)


def read_file(file_no: int, record: int, regs: int) -> bytes:
    """PDU 0x14 with one sub-request: ``regs`` registers of ``record`` in ``file_no``."""
    _check_file(file_no, record, regs)
    return struct.pack(">BBBHHH", READ_FILE, 7, FILE_REF_TYPE, file_no, record, regs)


def write_file(file_no: int, record: int, data: bytes) -> bytes:
    """PDU 0x15 with one sub-request: ``data`` (even length) into ``record`` of ``file_no``."""
    if len(data) % 2 or not data:
        raise ValueError("file record data must be a non-empty even number of bytes")
    _check_file(file_no, record, len(data) // 2)
    body = struct.pack(">BHHH", FILE_REF_TYPE, file_no, record, len(data) // 2) + data
    if len(body) > 251:
        raise ValueError(f"file record of {len(data)} bytes does not fit one PDU")
    return bytes([WRITE_FILE, len(body)]) + body


def _check_file(file_no: int, record: int, regs: int) -> None:
    if not 1 <= file_no <= 0xFFFF:
        raise ValueError(f"file number must be 1–65535, got {file_no}")
    if not 0 <= record <= 0x270F:
        raise ValueError(f"record number must be 0–9999, got {record}")
    if not 1 <= regs <= 122:
        raise ValueError(f"record length must be 1–122 registers, got {regs}")


# --- frame hunters -------------------------------------------------------------------------

def _request_length(buf: bytes) -> int:
    """Length of the request frame starting at buf[0]: 0 = need more, -1 = not a request.

    A function hallstack does not implement has no length we know: only the line's silence
    ends it (:func:`unknown_request`), so the hunt waits for that unless no frame is that long.
    """
    if len(buf) < 2:
        return 0
    fc = buf[1]
    if fc in (READ_HOLDING, WRITE_SINGLE):
        return 8
    if fc == WRITE_MULTIPLE:
        return 0 if len(buf) < 7 else 9 + buf[6]
    if fc in (READ_FILE, WRITE_FILE):
        return 0 if len(buf) < 3 else 5 + buf[2]
    return 0 if len(buf) <= MAX_ADU else -1


def response_length(buf: bytes) -> int:
    """Length of the response frame starting at buf[0]: 0 = need more, -1 = not a response."""
    if len(buf) < 2:
        return 0
    fc = buf[1]
    if fc & 0x80 and fc & 0x7F in FUNCTIONS:
        return 5
    if fc in (READ_HOLDING, READ_FILE, WRITE_FILE):
        return 0 if len(buf) < 3 else 5 + buf[2]
    if fc in (WRITE_SINGLE, WRITE_MULTIPLE):
        return 8
    return -1


def _hunt(buf: bytes, length_of) -> int:
    if not buf:
        return 0
    if buf[0] > 247:
        return -1
    size = length_of(buf)
    if size < 0:
        return -1
    if size == 0 or len(buf) < size:
        return 0
    # A broken frame tells us nothing about where the next one starts: skip one byte only.
    return size if crc_ok(buf[:size]) else -1


def check_request(buf: bytes) -> int:
    """Frame hunter for a peripheral reading requests: ``0``, ``n`` or ``-n`` (module doc)."""
    return _hunt(bytes(buf), _request_length)


def unknown_request(buf: bytes) -> bool:
    """The line went quiet after ``buf``: is it one whole request of a function hallstack does
    not implement (04, 0x2B, 0x11, …)? As on a real device, the silence ends the frame and its
    CRC decides; the device then answers exception 01 (illegal function)."""
    buf = bytes(buf)
    return (4 <= len(buf) <= MAX_ADU and buf[0] <= 247 and buf[1] not in FUNCTIONS
            and crc_ok(buf))


def check_response(buf: bytes, device_id: int | None = None, function: int | None = None) -> int:
    """Frame hunter for the master reading replies: ``0``, ``n`` or ``-n`` (module doc).

    With ``device_id`` and ``function`` given, only a reply from that device to that function
    (or its exception) counts as a frame start: noise that merely looks like some frame is
    skipped at once instead of holding the hunt until a timeout.
    """
    buf = bytes(buf)
    if device_id is not None and buf and buf[0] != device_id:
        return -1
    if function is not None and len(buf) >= 2 and buf[1] not in (function, function | 0x80):
        return -1
    return _hunt(buf, response_length)


def hunt_after_silence(buf: bytes, check) -> tuple[int, int]:
    """The line went quiet while ``check`` still wanted more bytes: the pending candidate was
    noise that only looked like a frame start. Return ``(skip, n)``: the first whole frame
    after the start is ``n`` bytes at offset ``skip``; ``n == 0`` means none, skip everything.
    """
    buf = bytes(buf)
    for start in range(1, len(buf)):
        n = check(buf[start:])
        if n > 0:
            return start, n
    return len(buf), 0


# --- response parsing (master side) --------------------------------------------------------

class ModbusException(Exception):
    """The peripheral answered with a Modbus exception response."""

    def __init__(self, device_id: int, function: int, code: int):
        self.device_id, self.function, self.code = device_id, function, code
        name = EXCEPTION_NAMES.get(code, f"code {code}")
        super().__init__(f"device {device_id} refused function 0x{function:02X}: {name}")


def parse_reply(request: bytes, reply_pdu: bytes, device_id: int):
    """Check a reply PDU against its request PDU; return registers, bytes or None.

    0x03 → list of registers; 0x14 → the record's bytes; writes → None after checking the echo.
    Raises ModbusException for an exception reply and ValueError for a reply that does not fit.
    """
    fc = request[0]
    if reply_pdu[0] == fc | 0x80:
        raise ModbusException(device_id, fc, reply_pdu[1])
    if reply_pdu[0] != fc:
        raise ValueError(f"reply function 0x{reply_pdu[0]:02X} to request 0x{fc:02X}")
    if fc == READ_HOLDING:
        count = struct.unpack(">H", request[3:5])[0]
        if reply_pdu[1] != 2 * count or len(reply_pdu) != 2 + 2 * count:
            raise ValueError(f"read reply carries {reply_pdu[1]} bytes, expected {2 * count}")
        return list(struct.unpack(f">{count}H", reply_pdu[2:]))
    if fc == READ_FILE:
        regs = struct.unpack(">H", request[7:9])[0]
        want = bytes([READ_FILE, 2 + 2 * regs, 1 + 2 * regs, FILE_REF_TYPE])
        if reply_pdu[:4] != want or len(reply_pdu) != 4 + 2 * regs:
            raise ValueError("file record reply does not match the request")
        return bytes(reply_pdu[4:])
    if fc == WRITE_MULTIPLE:
        if reply_pdu != request[:5]:
            raise ValueError("write reply does not echo address and count")
        return None
    if reply_pdu != request:  # 0x06 and 0x15 echo the request
        raise ValueError("write reply does not echo the request")
    return None
