"""FF68 frames: the protocol page's vectors, the frame hunter's three answers, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.legacy import ff68_frame as fr

BEEP_UNIT_1 = bytes.fromhex("FF 68 02 02 68 01 03 04 16")
TICKET_012_UNIT_1 = bytes.fromhex("FF 68 08 08 68 01 02 0A 0A 0A 00 01 02 24 16")
CALL_NEXT_UNIT_3 = bytes.fromhex("FF 68 03 03 68 03 01 0C 10 16")


def hunt(stream: bytes, limits=fr.INBOUND_L):
    """Run the hunter over a whole stream: the frames found and the skip reasons, in order."""
    buf, frames, rejects = bytearray(stream), [], []
    while buf:
        verdict = fr.scan(buf, limits)
        if verdict.n == 0:
            break
        if verdict.n < 0:
            rejects.append(verdict.reason)
            del buf[:-verdict.n]
        else:
            frames.append(verdict.frame)
            del buf[:verdict.n]
    return frames, rejects, bytes(buf)


def test_beep_vector_is_byte_exact():
    assert fr.encode(1, fr.FUNC_BEEP) == BEEP_UNIT_1


def test_ticket_display_vector_is_byte_exact():
    assert fr.encode(1, fr.FUNC_DISPLAY, fr.ticket_digits("A012")) == TICKET_012_UNIT_1


def test_vectors_decode_back():
    assert fr.decode(BEEP_UNIT_1) == fr.Frame(1, 3, b"")
    assert fr.decode(TICKET_012_UNIT_1).data == bytes.fromhex("0A0A0A000102")


@pytest.mark.parametrize("no, shown", [("A012", "   012"), ("B7", "     7"), ("C1234", "   234"),
                                       ("012", "   012")])
def test_ticket_digits(no, shown):
    assert fr.digits_text(fr.ticket_digits(no)) == shown


@pytest.mark.parametrize("bad", ["", "A", "A01B", 12, None, "A０１２"])
def test_ticket_without_digits_is_refused(bad):
    with pytest.raises(ValueError):
        fr.ticket_digits(bad)


@pytest.mark.parametrize("count, shown", [(0, "000   "), (7, "007   "), (999, "999   "),
                                          (5000, "999   ")])
def test_waiting_digits_capped_at_999(count, shown):
    assert fr.digits_text(fr.waiting_digits(count)) == shown


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_waiting_count_must_be_a_natural_number(bad):
    with pytest.raises(ValueError):
        fr.waiting_digits(bad)


@pytest.mark.parametrize("addr, func, data", [(256, 1, b""), (-1, 1, b""), (1, 300, b""),
                                              (1, 1, bytes(7))])
def test_encoder_refuses_what_does_not_fit(addr, func, data):
    with pytest.raises(ValueError):
        fr.encode(addr, func, data)


def test_check_answers_need_more_for_every_prefix_then_the_length():
    for cut in range(len(CALL_NEXT_UNIT_3)):
        assert fr.check(CALL_NEXT_UNIT_3[:cut]) == 0
    assert fr.check(CALL_NEXT_UNIT_3 + b"\xff\x68") == len(CALL_NEXT_UNIT_3)


def test_garbage_is_skipped_up_to_the_next_sync():
    assert fr.check(b"\x01\x02\x03\xff\x68") == -3
    assert fr.check(b"\x01\x02\x03") == -3
    assert fr.check(b"\xff\x00\xff\x68") == -2  # FF not followed by 68


@pytest.mark.parametrize("frame, reason", [
    (bytes.fromhex("FF 68 03 04 68 03 01 0C 10 16"), fr.BAD_LENGTH),   # L twice, differing
    (bytes.fromhex("FF 68 02 02 68 03 01 04 16"), fr.BAD_LENGTH),      # L ≤ 2: no key code
    (bytes.fromhex("FF 68 06 06 68 03 01 0C 0C 0C 0C 28 16"), fr.BAD_LENGTH),  # L > 5 inbound
    (bytes.fromhex("FF 68 03 03 69 03 01 0C 10 16"), fr.BAD_LENGTH),   # third sync byte wrong
    (bytes.fromhex("FF 68 03 03 68 03 01 0C 11 16"), fr.BAD_CHECKSUM),
    (bytes.fromhex("FF 68 03 03 68 03 01 0C 10 17"), fr.BAD_END),
])
def test_bad_frames_are_rejected_with_their_reason(frame, reason):
    verdict = fr.scan(frame)
    assert verdict.n < 0 and verdict.reason == reason and verdict.frame is None


def test_a_bad_header_is_rejected_before_the_rest_arrives():
    assert fr.scan(bytes.fromhex("FF 68 03 04")).reason == fr.BAD_LENGTH


def test_truncated_frame_followed_by_a_whole_one_yields_only_the_whole_one():
    stream = CALL_NEXT_UNIT_3[:6] + CALL_NEXT_UNIT_3
    frames, rejects, rest = hunt(stream)
    assert frames == [fr.decode(CALL_NEXT_UNIT_3)] and rejects and rest == b""


def test_rating_ack_is_func_01_and_checksum_minus_0x10():
    rating = fr.encode(17, fr.FUNC_RATING, b"\x03")
    ack = fr.ack_for(fr.decode(rating))
    assert ack == bytes.fromhex("FF 68 03 03 68 11 01 03 15 16")
    assert ack[-2] == (rating[-2] - 0x10) & 0xFF


def test_key_ack_is_an_echo():
    assert fr.ack_for(fr.decode(CALL_NEXT_UNIT_3)) == CALL_NEXT_UNIT_3


frames = st.builds(fr.Frame, st.integers(0, 255), st.integers(0, 255),
                   st.binary(min_size=0, max_size=6))


@given(frames)
def test_round_trip_any_frame(frame):
    raw = frame.encode()
    assert fr.decode(raw) == frame
    assert fr.check(raw, fr.ANY_L) == len(raw)


@given(frames, st.integers(0, 100), st.integers(1, 255))
def test_any_single_byte_damage_is_never_a_frame(frame, where, xor):
    raw = bytearray(frame.encode())
    raw[where % len(raw)] ^= xor
    assert fr.scan(bytes(raw), fr.ANY_L).n <= 0


@given(st.lists(st.tuples(st.binary(max_size=12).map(lambda b: b.replace(b"\xff", b"")),
                          st.builds(fr.Frame, st.integers(0, 255),
                                    st.integers(0, 255).filter(lambda f: f != 0x11),
                                    st.binary(min_size=1, max_size=3))),
                max_size=6))
def test_frames_are_found_between_noise_without_sync_bytes(pieces):
    stream = b"".join(noise + frame.encode() for noise, frame in pieces)
    found, _rejects, rest = hunt(stream)
    assert found == [frame for _noise, frame in pieces] and rest == b""


@given(st.binary(max_size=200))
def test_hunter_always_progresses_on_arbitrary_bytes(data):
    buf = bytearray(data)
    while buf:
        n = fr.check(buf)
        if n == 0:
            assert len(buf) < 12  # only a possible frame's start is ever held back
            break
        assert n <= len(buf)
        del buf[:abs(n)]


def test_the_docs_byte_examples():
    """docs/legacy-ff68.md quotes these bytes; keep the page honest."""
    assert fr.encode(1, fr.FUNC_DISPLAY, fr.waiting_digits(37)) == bytes.fromhex(
        "FF 68 08 08 68 01 02 00 03 07 0A 0A 0A 2B 16")
    assert fr.encode(1, fr.FUNC_INVITE, b"\x0b") == bytes.fromhex("FF 68 03 03 68 01 01 0B 0D 16")
    assert fr.encode(1, fr.FUNC_DISPLAY, b"\x05") == bytes.fromhex("FF 68 03 03 68 01 02 05 08 16")
