"""Functions the peripherals do not implement get exception 01, as from a real Modbus device.

Raw RTU frames on the emulator's pty, the CRCs worked out by pymodbus (not by our rtu.py).
"""

from __future__ import annotations

import pytest
import serial
from pymodbus.client import ModbusSerialClient
from pymodbus.framer.rtu import FramerRTU

from firmware_bridge import registers as reg
from firmware_bridge import rtu
from tests.helpers import eventually


def with_crc(body: bytes) -> bytes:
    return body + FramerRTU.compute_CRC(body).to_bytes(2, "big")


# function → a request body as a master would send it
UNIMPLEMENTED = {
    0x01: bytes([0x00, 0x00, 0x00, 0x08]),  # read coils
    0x02: bytes([0x00, 0x00, 0x00, 0x08]),  # read discrete inputs
    0x04: bytes([0x00, 0x00, 0x00, 0x01]),  # read input registers
    0x05: bytes([0x00, 0x00, 0xFF, 0x00]),  # write single coil
    0x08: bytes([0x00, 0x00, 0x12, 0x34]),  # diagnostics, echo
    0x0F: bytes([0x00, 0x00, 0x00, 0x08, 0x01, 0xFF]),  # write multiple coils
    0x11: b"",  # report server id: no data at all
    0x16: bytes([0x02, 0x00, 0xFF, 0x00, 0x00, 0x00]),  # mask write register
    0x17: bytes([0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00]),
    0x2B: bytes([0x0E, 0x01, 0x00]),  # read device identification
    0x41: bytes(range(40)),  # user-defined, long
}


@pytest.fixture
def line(emulated_bus):
    emu = emulated_bus({1: "screen", 5: "clerk_pad"})
    port = serial.Serial(emu.port, 9600, timeout=1.0)
    yield emu, port
    port.close()


def ask(port, frame: bytes, want: int) -> bytes:
    port.reset_input_buffer()
    port.write(frame)
    return port.read(want)


def test_the_exception_reply_is_byte_exact():
    """01 04 00 00 00 01 31 CA → 01 84 01 82 C0 (the CRC of the reply included)."""
    assert with_crc(bytes.fromhex("010400000001")) == bytes.fromhex("010400000001 31CA")
    assert rtu.frame(1, bytes([0x84, 0x01])) == bytes.fromhex("018401 82C0")


@pytest.mark.parametrize("function", sorted(UNIMPLEMENTED))
@pytest.mark.parametrize("device_id", [1, 5])
def test_unimplemented_function_answers_illegal_function(line, device_id, function):
    emu, port = line
    before = dict(emu[device_id]._registers())
    request = with_crc(bytes([device_id, function]) + UNIMPLEMENTED[function])
    reply = ask(port, request, 5)
    assert reply == with_crc(bytes([device_id, function | 0x80, rtu.ILLEGAL_FUNCTION]))
    assert emu[device_id]._registers() == before, "a refused request changes nothing"
    # the line is in step afterwards: the next ordinary request is answered at once
    read = with_crc(bytes([device_id]) + rtu.read_holding(reg.COMMON_TYPE, 1))
    assert ask(port, read, 7)[:4] == bytes([device_id, 0x03, 2, 0])
    assert emu.counters["skipped_bytes"] == 0


def test_nobody_answers_a_broken_crc_or_another_address(line):
    """Silence is proved by order: the first bytes back after each frame answer the read that
    follows it (the read is sent once the emulator has dealt with the frame)."""
    emu, port = line
    broken = bytearray(with_crc(bytes([1, 0x04, 0, 0, 0, 1])))
    broken[-1] ^= 0x01
    others = [with_crc(bytes([9, 0x04, 0, 0, 0, 1])),  # id 9 is not on the bus
              with_crc(bytes([0, 0x04, 0, 0, 0, 1]))]  # broadcast: never answered
    read = with_crc(bytes([1]) + rtu.read_holding(reg.COMMON_TYPE, 1))
    for frame, counter, moves in [(bytes(broken), "skipped_bytes", len(broken)),
                                  (others[0], "unaddressed", 1), (others[1], "unaddressed", 1)]:
        want = emu.counters[counter] + moves
        port.write(frame)
        assert eventually(lambda c=counter, w=want: emu.counters[c] == w)
        assert ask(port, read, 7) == with_crc(bytes([1, 0x03, 2, 0, reg.TYPE_SCREEN]))
    assert emu.counters["replies"] == 3


def test_a_third_party_master_sees_illegal_function(emulated_bus):
    emu = emulated_bus({3: "rating_pad"})
    client = ModbusSerialClient(emu.port, baudrate=9600, timeout=1.0, retries=0)
    assert client.connect()
    try:
        refused = client.read_input_registers(0, count=1, device_id=3)
        assert refused.isError() and refused.exception_code == rtu.ILLEGAL_FUNCTION
        coils = client.read_coils(0, count=8, device_id=3)
        assert coils.isError() and coils.exception_code == rtu.ILLEGAL_FUNCTION
        assert not client.read_holding_registers(0, count=1, device_id=3).isError()
    finally:
        client.close()
