"""Chinese text encoding and the command bytes hallstack sends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer.commands import (
    CHINESE_ON,
    INIT,
    EncodeError,
    encode_text,
    qr_native,
    size,
)
from devices.printer.escpos_lib import dummy_printer
from devices.printer.paper import interpret


def _printable_gbk(ch: str) -> bool:
    if ch in "¥\u00a0\u2014\u2212\u301c\u2022":
        return False  # substituted on purpose (tested on its own)
    try:
        encode_text(ch)
        return ch != "\n"
    except EncodeError:
        return False


gbk_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFFE5).filter(_printable_gbk),
    min_size=1, max_size=40,
).filter(lambda t: t.strip() == t)  # a printer line keeps inner spaces; edges are layout


def test_full_width_punctuation_is_two_byte_gbk():
    text = "，（办理）〇￥：；！？“”、《》"
    data = encode_text(text)
    assert len(data) == 2 * len(text)
    assert data.decode("gbk") == text
    assert b"?" not in data


def test_yen_sign_prints_as_full_width_yuan():
    assert encode_text("¥5") == "￥5".encode("gbk")


@pytest.mark.parametrize("text", ["€1", "😀", "\x1b@", "a\tb", "\x00", "\x85"])
def test_unprintable_text_is_refused_with_the_character_named(text):
    with pytest.raises(EncodeError) as err:
        encode_text(text)
    assert "U+" in str(err.value)


@given(gbk_text)
def test_encode_then_interpret_gives_the_text_back(text):
    paper = interpret(INIT + CHINESE_ON + encode_text(text) + b"\n")
    assert paper.text_lines == [text]
    assert paper.unknown == 0


@given(st.integers(1, 8), st.integers(1, 8))
def test_size_round_trips_through_the_interpreter(w, h):
    paper = interpret(INIT + CHINESE_ON + size(w, h) + encode_text("号") + b"\n")
    run = paper.lines[0].runs[0]
    assert (run.width, run.height) == (w, h)


@pytest.mark.parametrize("w,h", [(0, 1), (1, 9), (9, 9)])
def test_size_out_of_range_is_an_error(w, h):
    with pytest.raises(ValueError):
        size(w, h)


# no deadline: python-escpos builds its capabilities pickle on the first call of a run (a fresh
# folder, tests/conftest.py), which takes longer than hypothesis' 200 ms on a busy machine
@settings(deadline=None)
@given(st.text(min_size=1, max_size=200), st.integers(1, 16), st.integers(0, 3))
def test_qr_native_matches_python_escpos(content, module, ec):
    p = dummy_printer()
    p.qr(content, native=True, size=module, ec=ec)
    assert qr_native(content, module, ec) == p.output
    [qr] = interpret(p.output).qr_codes
    assert qr.content == content and qr.module == module and qr.ec == "LMQH"[ec]
