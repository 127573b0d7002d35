"""The paper picture: Hanzi drawn with real glyphs (no tofu boxes), sizes, QR, both widths."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageChops

from devices.printer.commands import ALIGN, CHINESE_ON, INIT, encode_text, qr_native, size
from devices.printer.paper import interpret
from devices.printer.render import render


@pytest.fixture
def out(pictures):
    """Where this module leaves the pictures a person should look at."""
    return pictures("kiosk")


def _ink_box(image):
    return ImageChops.invert(image).getbbox()


def test_double_size_text_is_twice_as_big():
    small = render(interpret(INIT + CHINESE_ON + encode_text("号") + b"\n"))
    big = render(interpret(INIT + CHINESE_ON + size(2, 2) + encode_text("号") + b"\n"))
    (x0, y0, x1, y1), (X0, Y0, X1, Y1) = _ink_box(small), _ink_box(big)
    assert 1.7 < (X1 - X0) / (x1 - x0) < 2.3 and 1.7 < (Y1 - Y0) / (y1 - y0) < 2.3


def test_alignment_places_the_ink():
    left = _ink_box(render(interpret(INIT + ALIGN["left"] + b"A001\n")))
    right = _ink_box(render(interpret(INIT + ALIGN["right"] + b"A001\n")))
    assert left[0] < 40 and right[2] > 576 - 8


def test_qr_code_is_drawn_and_scannable_size(tmp_path):
    image = render(interpret(ALIGN["center"] + qr_native("20261123-A001", 6)))
    x0, y0, x1, y1 = _ink_box(image)
    assert x1 - x0 >= 21 * 6 and abs((x0 + x1) / 2 - image.width / 2) < 8


@pytest.mark.parametrize("width_mm", [80, 58])
def test_long_lines_wrap_instead_of_being_cut(out, width_mm):
    text = "请到 1号窗口、2号窗口、3号窗口、4号窗口、12号综合窗口 附近等候叫号"
    paper = interpret(INIT + CHINESE_ON + encode_text(text) + b"\n")
    image = render(paper, width_mm)
    x0, _, x1, _ = _ink_box(image)
    assert x0 >= 16 and x1 <= image.width - 16  # inside the printable area
    image.save(f"{out}/wrap-{width_mm}.png")


def test_render_refuses_other_widths():
    with pytest.raises(ValueError):
        render(interpret(b"A\n"), 76)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([80, 58]))
def test_render_never_crashes_and_keeps_the_paper_width(data, width_mm):
    image = render(interpret(data), width_mm)
    assert image.width == {80: 576, 58: 384}[width_mm] + 32
