"""The ESC/POS interpreter: what hallstack sends, and what it must survive."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer.commands import ALIGN, BOLD, CHINESE_ON, CUT_FULL, INIT, encode_text, size
from devices.printer.paper import Cut, Feed, QRBlock, interpret


def test_styles_alignment_and_cut():
    data = (INIT + CHINESE_ON + ALIGN["center"] + size(2, 3) + BOLD[True]
            + encode_text("企业开办") + b"\n" + ALIGN["right"] + size(1, 1) + BOLD[False]
            + encode_text("A001") + b"\n" + b"\x1bd\x03" + CUT_FULL)
    paper = interpret(data)
    first, second = paper.lines
    assert first.align == "center" and second.align == "right"
    assert first.runs[0].width == 2 and first.runs[0].height == 3 and first.runs[0].bold
    assert second.runs[0].bold is False and second.text == "A001"
    assert isinstance(paper.items[-2], Feed) and paper.items[-2].lines == 3
    assert isinstance(paper.items[-1], Cut) and paper.cuts == 1
    assert paper.unknown == 0


def test_without_chinese_mode_gbk_bytes_are_not_hanzi():
    paper = interpret(INIT + encode_text("号") + b"\n")
    assert paper.text_lines == [""]
    assert paper.unknown == 2


def test_esc_init_resets_size_and_chinese_mode():
    paper = interpret(CHINESE_ON + size(4, 4) + INIT + b"A\n")
    assert paper.lines[0].runs[0].width == 1


def test_unknown_commands_are_counted_not_fatal():
    paper = interpret(b"\x07\x1b\x70\x00\x19\x19AB\n")
    assert paper.text_lines == ["AB"]
    assert paper.unknown >= 3


def test_truncated_qr_block_swallows_the_rest():
    data = b"\x1d(k\x20\x001P0abc"
    paper = interpret(data)
    assert paper.qr_codes == [] and paper.unknown == len(data)


def test_qr_printed_at_the_current_alignment():
    from devices.printer.commands import qr_native

    paper = interpret(ALIGN["center"] + qr_native("20261123-A001") + b"\n")
    assert paper.items[0] == QRBlock("20261123-A001", 6, "M", "center")


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_interpreter_never_crashes_on_random_bytes(data):
    paper = interpret(data)
    assert paper.unknown >= 0
    assert all(isinstance(line.text, str) for line in paper.lines)


@given(st.lists(st.sampled_from([INIT, CHINESE_ON, CUT_FULL, b"\n", b"\x1d!", b"\x1d(k",
                                 b"\x1b", b"\x1ba", encode_text("号"), b"\x81"]), max_size=30))
def test_interpreter_survives_commands_cut_anywhere(parts):
    interpret(b"".join(parts))
