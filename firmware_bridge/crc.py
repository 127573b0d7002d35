"""CRC-16 with the reflected polynomial 0xA001, the one Modbus RTU and Onbon BX frames share:
Modbus starts from 0xFFFF (CRC-16/MODBUS), BX from 0 (CRC-16/ARC)."""

from __future__ import annotations


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc16_a001(data: bytes, initial: int) -> int:
    """CRC-16, reflected polynomial 0xA001, no final XOR, starting from ``initial``."""
    crc = initial
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc
