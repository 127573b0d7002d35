"""The master's line on a real pty: noise, broken frames and silence are counted, not swallowed."""

from __future__ import annotations

import pytest
from pymodbus.client import ModbusSerialClient

from firmware_bridge import registers as reg
from firmware_bridge.link import CorruptReply, LinkError, ReplyTimeout, RtuLink


def test_noise_before_replies_is_skipped_and_counted_exactly(emulated_bus):
    emu = emulated_bus({7: "clerk_pad"}, seed=4)
    emu[7].faults.garbage = 1.0
    with RtuLink(emu.port, timeout=0.5) as link:
        for _ in range(50):
            assert link.read(7, reg.COMMON_TYPE, 1) == [reg.TYPE_CLERK_PAD]
        assert link.counters["replies"] == 50 and link.counters["timeouts"] == 0
        assert link.counters["skipped_bytes"] == emu.counters["noise_bytes"] > 50


def test_broken_frames_are_counted_and_the_next_request_still_works(emulated_bus):
    emu = emulated_bus({7: "clerk_pad", 8: "screen"}, seed=4)
    emu[7].faults.corrupt = 0.5  # each way: requests the device drops, replies that fail CRC
    outcomes = {"ok": 0, "corrupt": 0, "timeout": 0}
    # a reply a busy machine delays past the timeout would count twice (reply and timeout):
    # room enough for the load; a dropped request costs one timeout
    with RtuLink(emu.port, timeout=0.3) as link:
        for _ in range(30):
            try:
                assert link.read(7, reg.COMMON_TYPE, 1) == [reg.TYPE_CLERK_PAD]
                outcomes["ok"] += 1
            except CorruptReply:
                outcomes["corrupt"] += 1
            except ReplyTimeout:
                outcomes["timeout"] += 1
        counters, line = dict(link.counters), dict(emu.counters)
        assert link.read(8, reg.COMMON_TYPE, 1) == [reg.TYPE_SCREEN]  # the other device answers
    assert outcomes["ok"] == line["replies"] - line["corrupted"] > 0
    # a flip in the address byte makes a reply look like noise: counted as skipped, timed out
    assert 0 < outcomes["corrupt"] == counters["crc_errors"] <= line["corrupted"]
    assert outcomes["timeout"] == line["corrupted_requests"] + (
        line["corrupted"] - counters["crc_errors"]) == counters["timeouts"]


def test_a_missing_port_is_a_clear_error(tmp_path):
    with pytest.raises(LinkError, match="cannot open"):
        RtuLink(str(tmp_path / "ttyUSB9")).open()
    with pytest.raises(ValueError):
        RtuLink("/dev/null", timeout=0)


def test_pymodbus_reads_the_emulator_like_a_real_device(emulated_bus):
    """A third-party master (pymodbus's own client) understands the emulated firmware."""
    emu = emulated_bus({3: "screen"})
    emu[3].text = "请A012号到3号窗口"
    client = ModbusSerialClient(emu.port, baudrate=9600, timeout=0.5, retries=1)
    assert client.connect()
    try:
        common = client.read_holding_registers(0, count=reg.COMMON_COUNT, device_id=3)
        assert not common.isError() and common.registers[0] == reg.TYPE_SCREEN
        text = client.read_holding_registers(reg.SCREEN_LENGTH, count=1 + reg.SCREEN_TEXT_REGS,
                                             device_id=3)
        assert reg.decode_text(text.registers[0], text.registers[1:]) == "请A012号到3号窗口"
        refused = client.write_register(reg.SCREEN_MODE, 9, device_id=3)
        assert refused.isError() and refused.exception_code == 3
    finally:
        client.close()


def test_pymodbus_file_records_reach_the_emulated_bootloader(emulated_bus):
    """Function 0x15/0x14 as pymodbus's client sends them are what the emulator stores."""
    from pymodbus.pdu.file_message import FileRecord

    emu = emulated_bus({3: "screen"})
    client = ModbusSerialClient(emu.port, baudrate=9600, timeout=0.5, retries=1)
    assert client.connect()
    try:
        size = 3 * reg.BLOCK_BYTES
        assert not client.write_registers(reg.FW_SIZE_HI, [0, size, 0, 1], device_id=3).isError()
        assert not client.write_register(reg.FW_COMMAND, reg.FW_CMD_BEGIN, device_id=3).isError()
        block = bytes(range(reg.BLOCK_BYTES))
        written = client.write_file_record(
            [FileRecord(file_number=reg.FILE_IMAGE, record_number=0, record_data=block)],
            device_id=3)
        assert not written.isError() and emu[3].blocks == {0: block}
        out_of_order = client.write_file_record(
            [FileRecord(file_number=reg.FILE_IMAGE, record_number=2, record_data=block)],
            device_id=3)
        assert out_of_order.isError() and emu[3].fw_error == "out_of_order"
        state = client.read_holding_registers(reg.FW_COMMAND, count=reg.FW_BLOCK_COUNT,
                                              device_id=3)
        assert state.registers[1] == 1 and state.registers[reg.FW_BLOCKS - reg.FW_COMMAND] == 1
    finally:
        client.close()
