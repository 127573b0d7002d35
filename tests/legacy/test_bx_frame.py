"""BX-5/6 frames and commands: the CRC check vector, escapes, the hunter, text round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.legacy import bx_commands as cmd
from firmware_bridge.legacy import bx_frame as bx

CHECK_BODY = bytes.fromhex("01 00 00 80 00 00 00 00 00 00 FE 02 05 00 A2 00 01 00 00")
PING_FRAME = bytes.fromhex(
    "A5 A5 A5 A5 A5 A5 A5 A5 01 00 00 80 00 00 00 00 00 00 FE 02 05 00 A2 00 01 00 00 68 F8 5A")
SPECIAL = (0xA5, 0xA6, 0x5A, 0x5B)


def test_crc_check_vector():
    assert bx.crc16_arc(CHECK_BODY) == 0xF868
    assert bx.crc16_arc(b"123456789") == 0xBB3D  # CRC-16/ARC's catalogue check value


def test_ping_frame_is_byte_exact():
    frame = bx.BXFrame(1, bx.HOST_ADDR, cmd.request(cmd.PING))
    assert frame.body() == CHECK_BODY
    assert frame.encode() == PING_FRAME
    assert bx.decode(PING_FRAME) == frame


def test_escapes_of_each_special_byte():
    assert bx.escape(bytes(SPECIAL) + b"\x00") == bytes.fromhex("A6 02 A6 01 5B 02 5B 01 00")
    assert bx.unescape(bytes.fromhex("A6 02 A6 01 5B 02 5B 01 00")) == bytes(SPECIAL) + b"\x00"


@pytest.mark.parametrize("bad", ["A6", "A6 03", "5B 00", "A5", "01 5A"])
def test_bad_escapes_are_refused(bad):
    with pytest.raises(ValueError):
        bx.unescape(bytes.fromhex(bad))


@given(st.binary(max_size=64))
def test_escape_round_trip_and_no_sync_byte_inside(data):
    escaped = bx.escape(data)
    assert 0xA5 not in escaped and 0x5A not in escaped
    assert bx.unescape(escaped) == data


def test_hunter_answers():
    assert bx.check(PING_FRAME[:-1]) == 0
    assert bx.check(PING_FRAME + b"\xa5") == len(PING_FRAME)
    assert bx.scan(b"\x00\x01" + PING_FRAME) == bx.Verdict(-2, bx.NOISE)
    cut = PING_FRAME[:15] + PING_FRAME
    assert bx.scan(cut) == bx.Verdict(-15, bx.TRUNCATED)


@pytest.mark.parametrize("damage, reason", [
    (lambda f: f[:-3] + bytes((f[-3] ^ 1,)) + f[-2:], bx.BAD_CRC),         # CRC byte
    (lambda f: f[:24] + bytes((f[24] ^ 0x10,)) + f[25:], bx.BAD_CRC),      # a Data byte
    (lambda f: f[:11] + b"\x00" + f[12:], bx.BAD_CRC),                     # SrcAddr
    (lambda f: f[:22] + b"\x00" + f[22:], bx.BAD_LENGTH),                  # a byte too many
    (lambda f: f[:20] + b"\xa6\x07" + f[21:], bx.BAD_ESCAPE),
])
def test_damaged_frames_are_rejected_with_their_reason(damage, reason):
    verdict = bx.scan(damage(PING_FRAME))
    assert verdict.n < 0 and verdict.reason == reason


def test_sum_and_no_check_modes():
    for mode in (bx.CHECK_SUM, bx.CHECK_NONE):
        frame = bx.BXFrame(1, bx.HOST_ADDR, b"\xa2\x00\x01\x00\x00", check_mode=mode)
        assert bx.decode(frame.encode()) == frame


# GB2312 text whose bytes contain A5 (katakana row), A6 (Greek row), 5A ("Z") and 5B ("[").
GB2312_CHARS = st.sampled_from(
    "请号到窗口办理ァアΑΒ不动产登记社会保障缴费税务中心示范县政务服务０１２ABZ[0123456789 ")


@given(st.text(GB2312_CHARS, max_size=40), st.integers(0, 255), st.integers(0, 3),
       st.sampled_from(sorted(cmd.EFFECTS.values())))
def test_text_request_round_trip(text, area_id, x, effect):
    assert "ァ".encode("gb2312")[0] == 0xA5 and "Α".encode("gb2312")[0] == 0xA6
    area = cmd.Area(area_id=area_id, x=x, w=16, h=16, text=text, effect=effect)
    frame = bx.BXFrame(1, bx.HOST_ADDR, cmd.text_request([area]))
    decoded = bx.decode(frame.encode())
    assert decoded == frame
    assert cmd.parse_text_request(decoded.data) == (1, [area])


@given(st.binary(max_size=80).map(lambda b: bytes(SPECIAL) + b), st.integers(0, 0xFFFE))
def test_any_data_round_trips(data, dst):
    frame = bx.BXFrame(dst, bx.HOST_ADDR, data)
    assert bx.decode(frame.encode()) == frame


@pytest.mark.parametrize("special", SPECIAL)
def test_a_text_whose_crc_holds_a_special_byte_survives(special):
    for n in range(2000):
        text = f"请A{n:03d}号"
        frame = bx.BXFrame(1, bx.HOST_ADDR, cmd.text_request([cmd.Area(text=text)]))
        body = frame.body()
        crc = bx.crc16_arc(body).to_bytes(2, "little")
        if special in crc:
            break
    else:
        pytest.fail(f"no ticket text with {special:02X} in its CRC")
    raw = frame.encode()
    assert special not in raw[8:-1] or special in (0xA6, 0x5B)
    assert cmd.parse_text_request(bx.decode(raw).data)[1][0].text == text


def test_text_that_gb2312_cannot_encode_is_refused():
    with pytest.raises(ValueError, match="GB2312"):
        cmd.encode_text("请A012号😀")
    with pytest.raises(ValueError):
        cmd.encode_text(12)


@pytest.mark.parametrize("data", [b"\xa3\x06", b"\xa3\x06\x01\x01\x00\x00\x01\x00",
                                  cmd.text_request([cmd.Area(text="请")])[:-1],
                                  cmd.text_request([cmd.Area(text="请")]) + b"\x00"])
def test_malformed_text_requests_are_refused(data):
    with pytest.raises(ValueError):
        cmd.parse_text_request(data)


@pytest.mark.parametrize("level, step", [(0, 1), (50, 9), (100, 16)])
def test_brightness_steps(level, step):
    assert cmd.brightness_request(level) == bytes((0xA3, 0x02, 0x01, 0, 0, 0, step))


@pytest.mark.parametrize("level", [-1, 101, 50.0, True])
def test_bad_brightness_is_refused(level):
    with pytest.raises(ValueError):
        cmd.brightness_request(level)


def test_reply_status_codes():
    reply = cmd.parse_reply(cmd.reply_data(cmd.TEXT, 12))
    assert (reply.ok, reply.status_text, reply.command) == (False, "no font", cmd.TEXT)
    assert cmd.parse_reply(cmd.reply_data(cmd.PING, 0, b"\x05")).payload == b"\x05"
    with pytest.raises(ValueError):
        cmd.parse_reply(b"\xa2\x00")
