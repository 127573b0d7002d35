"""Modbus RTU frames: checked against pymodbus's own encoders, and the frame hunters on noise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymodbus.framer.rtu import FramerRTU
from pymodbus.pdu import file_message, register_message

from firmware_bridge import registers as reg
from firmware_bridge import rtu

addresses = st.integers(0, 0xFF00)
values = st.integers(0, 0xFFFF)
device_ids = st.integers(1, 247)


@given(st.binary(max_size=300))
def test_crc_matches_pymodbus(data):
    assert rtu.crc16(data).to_bytes(2, "little") == FramerRTU.compute_CRC(data).to_bytes(2, "big")


@given(device_ids, addresses, st.integers(1, 125))
def test_read_request_is_the_pymodbus_frame(device_id, address, count):
    theirs = register_message.ReadHoldingRegistersRequest(address=address, count=count)
    assert rtu.read_holding(address, count) == bytes([theirs.function_code]) + theirs.encode()
    assert rtu.frame(device_id, rtu.read_holding(address, count)) == FramerRTU(None).encode(
        theirs.function_code.to_bytes(1, "big") + theirs.encode(), device_id, 0)


@given(addresses, st.lists(values, min_size=1, max_size=123))
def test_write_requests_are_the_pymodbus_pdus(address, regs):
    single = register_message.WriteSingleRegisterRequest(address=address, registers=[regs[0]])
    assert rtu.write_single(address, regs[0]) == b"\x06" + single.encode()
    many = register_message.WriteMultipleRegistersRequest(address=address, registers=regs)
    assert rtu.write_multiple(address, regs) == b"\x10" + many.encode()


@given(st.integers(1, 0xFFFF), st.integers(0, 9999), st.binary(min_size=2, max_size=200)
       .filter(lambda b: len(b) % 2 == 0))
def test_file_record_requests_are_the_pymodbus_pdus(file_no, record, data):
    record_ = file_message.FileRecord(file_number=file_no, record_number=record,
                                      record_data=data)
    write = file_message.WriteFileRecordRequest(records=[record_])
    assert rtu.write_file(file_no, record, data) == b"\x15" + write.encode()
    read = file_message.ReadFileRecordRequest(records=[file_message.FileRecord(
        file_number=file_no, record_number=record, record_length=len(data))])  # bytes
    assert rtu.read_file(file_no, record, len(data) // 2) == b"\x14" + read.encode()


@pytest.mark.parametrize("make", [
    lambda: rtu.read_holding(0, 0), lambda: rtu.read_holding(0, 126),
    lambda: rtu.write_single(0, 0x10000), lambda: rtu.write_multiple(0, []),
    lambda: rtu.write_multiple(0xFFFF, [1, 2]), lambda: rtu.write_file(1, 10000, b"\0\0"),
    lambda: rtu.write_file(1, 0, b"\0"), lambda: rtu.read_file(0, 0, 1),
    lambda: rtu.frame(248, b"\x03"),
])
def test_out_of_range_requests_are_refused(make):
    with pytest.raises(ValueError):
        make()


requests = st.one_of(
    st.builds(rtu.read_holding, addresses, st.integers(1, 125)),
    st.builds(rtu.write_single, addresses, values),
    st.builds(rtu.write_multiple, addresses, st.lists(values, min_size=1, max_size=120)),
    st.builds(rtu.write_file, st.integers(1, 9), st.integers(0, 9999),
              st.binary(min_size=2, max_size=128).filter(lambda b: len(b) % 2 == 0)),
)


@given(device_ids, requests, st.binary(max_size=40))
def test_request_hunter_finds_the_frame_after_noise(device_id, pdu, noise):
    wire = noise + rtu.frame(device_id, pdu)
    buf, skipped = bytearray(wire), 0
    while (n := rtu.check_request(buf)) < 0:
        skipped -= n
        del buf[:-n]
    if n == 0:  # noise that looks like the start of a longer frame: the line goes quiet
        skip, n = rtu.hunt_after_silence(buf, rtu.check_request)
        skipped += skip
        del buf[:skip]
    assert n > 0, "a whole frame must be found"
    # noise can contain a frame by chance only with a valid CRC; otherwise the hunt ends at ours
    if skipped == len(noise):
        assert bytes(buf[:n]) == rtu.frame(device_id, pdu)


@given(device_ids, requests)
def test_request_hunter_needs_more_bytes_for_a_partial_frame(device_id, pdu):
    whole = rtu.frame(device_id, pdu)
    assert rtu.check_request(whole) == len(whole)
    for cut in range(1, len(whole)):
        assert rtu.check_request(whole[:cut]) >= 0  # never skips a frame that is still arriving


@given(device_ids, requests, st.data())
def test_a_flipped_bit_is_never_taken_for_the_frame(device_id, pdu, data):
    whole = bytearray(rtu.frame(device_id, pdu))
    bit = data.draw(st.integers(0, 8 * len(whole) - 1))
    whole[bit // 8] ^= 1 << (bit % 8)
    n = rtu.check_request(whole)
    assert n <= 0 or bytes(whole[:n]) != rtu.frame(device_id, pdu)
    assert not (n == len(whole))  # CRC-16 catches every single-bit error


def test_response_hunter_skips_other_devices_and_functions():
    mine = rtu.frame(3, bytes([3, 2, 0, 7]))
    other = rtu.frame(4, bytes([3, 2, 0, 7]))
    assert rtu.check_response(other + mine, 3, 3) == -1
    assert rtu.check_response(mine, 3, 3) == len(mine)
    assert rtu.check_response(rtu.frame(3, bytes([0x83, 2])), 3, 3) == 5
    assert rtu.check_response(rtu.frame(3, bytes([6, 0, 1, 0, 1])), 3, 3) == -1


def test_parse_reply_checks_what_came_back():
    read = rtu.read_holding(0x200, 2)
    assert rtu.parse_reply(read, bytes([3, 4, 0, 1, 0xAB, 0xCD]), 1) == [1, 0xABCD]
    with pytest.raises(ValueError):
        rtu.parse_reply(read, bytes([3, 2, 0, 1]), 1)
    with pytest.raises(rtu.ModbusException) as refused:
        rtu.parse_reply(read, bytes([0x83, 2]), 1)
    assert refused.value.code == rtu.ILLEGAL_ADDRESS
    assert "illegal data address" in str(refused.value)
    write = rtu.write_single(0x200, 5)
    assert rtu.parse_reply(write, write, 1) is None
    with pytest.raises(ValueError):
        rtu.parse_reply(write, rtu.write_single(0x200, 6), 1)
    record = rtu.read_file(1, 0, 2)
    assert rtu.parse_reply(record, bytes([0x14, 6, 5, 6, 1, 2, 3, 4]), 1) == b"\1\2\3\4"


gb2312_text = st.text(st.sampled_from("请号到窗口办理暂停服务欢迎评价满意ABC0123456789 ：，。"),
                      max_size=64)


@given(gb2312_text)
def test_screen_text_round_trips_through_registers(text):
    regs = reg.encode_text(text)
    assert regs[0] == len(text.encode("gb2312")) and len(regs) - 1 == -(-regs[0] // 2)
    assert reg.decode_text(regs[0], regs[1:]) == text


@pytest.mark.parametrize("text", ["😀", "𠀀", "喆" * 65, b"bytes"])
def test_screen_text_that_cannot_be_shown_is_refused(text):
    with pytest.raises(ValueError):
        reg.encode_text(text)


@given(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF))
def test_sequence_distance_wraps(seq, base):
    assert (base + reg.seq_ahead(seq, base)) % reg.SEQ_MOD == seq


def test_every_key_a_node_knows_has_a_wire_code():
    named = {name for name in reg.KEY_CODES.values() if name != "digit"}
    assert set(reg.WIRE_KEYS) == named, "a key was added to devices.keys: give it a wire code"
    assert len(named) == len(reg.KEY_CODES) - 10  # no two codes for one key
