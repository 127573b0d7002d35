"""The ticket layout: a pure function of the hub's reply onto any Escpos object."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from devices.fonts import pillow_font
from devices.printer.commands import EncodeError
from devices.printer.escpos_lib import dummy_printer
from devices.printer.paper import interpret
from devices.printer.render import render
from kiosk import strings as S
from kiosk.ticket import TicketLayout, fit, print_ticket, split_line, text_dots

ISSUED = datetime.fromisoformat("2026-11-23T10:00:05+08:00")
TICKET = {"no": "A012", "ticket_id": "20261123-A012", "service": "A", "service_name": "企业开办",
          "issued_at": ISSUED.isoformat(), "waiting_ahead": 3, "est_wait_s": 540,
          "priority": "elderly", "appointment": False}
WAIT = "请到 1号窗口、2号窗口、12号综合窗口 附近等候叫号"


@pytest.fixture
def out(pictures):
    """Where this module leaves the pictures a person should look at."""
    return pictures("kiosk")


def layout(**kw):
    base = dict(hall_name="示范县政务服务中心", hall_id="demo", hotline="0000-12345")
    return TicketLayout(**{**base, **kw})


def lay_out(ticket=TICKET, lay=None):
    p = dummy_printer()
    print_ticket(p, lay or layout(), ticket, ISSUED, "企业开办", WAIT)
    return p.output


def test_ticket_decodes_to_hall_service_number_and_wait():
    data = lay_out()
    assert data.startswith(b"\x1b@\x1c&")                   # ESC @ then FS &
    paper = interpret(data)
    lines = paper.text_lines
    assert lines[0] == "示范县政务服务中心" and "企业开办" in lines and "A012" in lines
    assert "您前面还有 3 人等候" in lines and "取号时间：2026-11-23 10:00:05" in lines
    assert "绿色通道：老年人" in lines and "过号请重新取号" in lines
    assert "服务热线：0000-12345" in lines and WAIT in lines
    assert paper.unknown == 0 and paper.cuts == 1
    assert paper.qr_codes[0].content == "20261123-A012"


def test_the_number_is_the_largest_text():
    paper = interpret(lay_out())
    biggest = max(paper.lines, key=lambda line: line.runs[0].height if line.runs else 0)
    assert biggest.text == "A012" and biggest.runs[0].height == 6 and biggest.runs[0].bold


def test_same_reply_same_bytes():
    assert lay_out() == lay_out()


def test_issue_time_comes_from_the_argument_not_the_clock():
    p = dummy_printer()
    print_ticket(p, layout(), TICKET, datetime.fromisoformat("2020-01-02T03:04:05+08:00"),
                 "企业开办", WAIT)
    assert "取号时间：2020-01-02 03:04:05" in interpret(p.output).text_lines


def test_qr_template_and_no_qr():
    data = lay_out(lay=layout(qr="https://zwfw.example.cn/q/{hall}/{date}/{no}"))
    assert interpret(data).qr_codes[0].content == "https://zwfw.example.cn/q/demo/2026-11-23/A012"
    assert interpret(lay_out(lay=layout(qr=""))).qr_codes == []


def test_unprintable_text_writes_nothing():
    p = dummy_printer()
    with pytest.raises(EncodeError):
        print_ticket(p, layout(footer=("请扫码😀",)), TICKET, ISSUED, "企业开办", WAIT)
    assert p.output == b""


@pytest.mark.parametrize("width_mm", [80, 58])
def test_every_line_fits_the_roll(out, width_mm):
    paper = interpret(lay_out(lay=layout(width_mm=width_mm)))
    dots = {80: 576, 58: 384}[width_mm]
    for line in paper.lines:
        if line.runs:
            width = sum((12 if ord(c) < 0x80 else 24) * r.width for r in line.runs for c in r.text)
            assert width <= dots, line.text
    render(paper, width_mm).save(f"{out}/ticket-{width_mm}mm.png")


@given(st.text(alphabet="企业开办社会保障ABC123", min_size=1, max_size=30),
       st.sampled_from([384, 576]), st.integers(1, 8))
def test_fit_never_overflows(text, dots, want):
    factor = fit(text, dots, want)
    assert 1 <= factor <= want
    width = sum(12 if ord(c) < 0x80 else 24 for c in text)
    assert factor == 1 or width * factor <= dots


@given(st.text(alphabet="请到 1号窗口、2综合附近等候叫", min_size=0, max_size=80),
       st.sampled_from([384, 576]))
def test_split_line_keeps_every_character_and_fits(text, dots):
    parts = split_line(text, dots)
    assert all(text_dots(p) <= dots for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_wait_hint_breaks_between_windows_on_58mm():
    assert split_line(WAIT, 384) == ["请到 1号窗口、2号窗口、", "12号综合窗口 附近等候叫号"]
    assert split_line(WAIT, 576) == [WAIT]


def _glyph(font, ch):
    im = Image.new("L", (40, 40), 255)
    ImageDraw.Draw(im).text((4, 2), ch, font=font, fill=0)
    return im.tobytes()


def test_every_kiosk_string_has_real_glyphs():
    # a character the font lacks draws the same box as U+FFFF ("tofu"); none may
    font = pillow_font(24)
    tofu = _glyph(font, "\uffff")
    text = "".join(v for v in vars(S).values() if isinstance(v, str))
    text += "".join(S.PRIORITIES.values()) + "".join(S.WEEKDAYS) + "，（）〇￥：示范县政务服务中心"
    missing = {ch for ch in set(text) if ord(ch) > 0x7F and _glyph(font, ch) == tofu}
    assert missing == set()
