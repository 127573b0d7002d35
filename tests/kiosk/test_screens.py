"""Every kiosk screen, portrait and landscape: drawn offscreen, saved as PNG, buttons sane."""

from __future__ import annotations

from datetime import datetime

import pytest

from devices.screen import open_screen
from kiosk import catalogue
from kiosk import strings as S
from kiosk.screens import Painter

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


@pytest.fixture(params=list(SIZES))
def painter(request, hall_config, pictures):
    screen = open_screen(SIZES[request.param], "offscreen")
    p = Painter(screen, hall_config.name)
    p.test_pictures = pictures("kiosk")  # where save() leaves this painter's screens
    return request.param, p


def check_buttons(buttons, size):
    w, h = size
    for b in buttons:
        x, y, bw, bh = b.rect
        assert 0 <= x and 0 <= y and x + bw <= w and y + bh <= h, b
        assert bw >= 120 and bh >= 80, f"{b} is too small for a finger"
    for i, a in enumerate(buttons):
        for b in buttons[i + 1:]:
            ax, ay, aw, ah = a.rect
            bx, by, bw, bh = b.rect
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)


def save(painter, name):
    return painter.screen.save_png(f"{painter.test_pictures}/{name}.png")


def test_home_lists_every_service_by_area(painter, hall_config):
    orientation, p = painter
    now = datetime(2026, 11, 23, 10, 0, tzinfo=hall_config.tz)
    buttons = p.home(catalogue.areas(hall_config), {"A": 3, "C": 12}, {"H"}, "elderly", now)
    check_buttons(buttons, p.screen.size)
    services = [b.action[1] for b in buttons if b.action[0] == "service"]
    assert sorted(services) == sorted(hall_config.services)
    assert {b.action for b in buttons if b.action[0] == "priority"} == {
        ("priority", k) for k in S.PRIORITIES}
    assert ("check_in",) in [b.action for b in buttons]
    save(p, f"home-{orientation}")


def test_a_touch_hits_exactly_one_button(painter, hall_config):
    _, p = painter
    now = datetime(2026, 11, 23, 10, 0, tzinfo=hall_config.tz)
    buttons = p.home(catalogue.areas(hall_config), {}, set(), None, now)
    for b in buttons:
        x, y, w, h = b.rect
        assert [c for c in buttons if c.hit(x + w // 2, y + h // 2)] == [b]
    assert [c for c in buttons if c.hit(0, 0)] == []


def test_result_screen(painter):
    orientation, p = painter
    buttons = p.result("A012", "企业开办", ["您前面还有 3 人等候",
                                           "请到 1号窗口、2号窗口、12号综合窗口 附近等候叫号"], False)
    check_buttons(buttons, p.screen.size)
    assert [b.action for b in buttons] == [("done",)]
    assert p.last_text_bottom <= buttons[0].rect[1], "text runs into the 完成 button"
    save(p, f"result-{orientation}")
    p.result("A013", "企业开办", ["您前面还有 4 人等候", "请到 1号窗口 附近等候叫号"], True)
    assert p.last_text_bottom <= buttons[0].rect[1], "text runs into the 完成 button"
    save(p, f"result-print-failed-{orientation}")


def test_check_in_screens(painter, hall_config):
    orientation, p = painter
    buttons = p.check_in("2026")
    check_buttons(buttons, p.screen.size)
    keys = {b.action[1] for b in buttons if b.action[0] == "key"}
    # digits and the letters of booking codes (no I/O) and ID numbers (X): kiosk.booking
    assert keys == set("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") | {"ok", "delete"}
    save(p, f"check-in-{orientation}")
    buttons = p.check_in_pick("2026", catalogue.areas(hall_config))
    check_buttons(buttons, p.screen.size)
    assert len([b for b in buttons if b.action[0] == "check_in_service"]) == 8
    save(p, f"check-in-pick-{orientation}")


@pytest.mark.parametrize("name,title,body", [
    ("closed", S.CLOSED_TITLE, "办理时间：周一至周五 09:00-12:00 13:00-17:00"),
    ("capped", S.CAPPED_TITLE, S.CAPPED_BODY.format(name="企业开办")),
    ("unreachable", S.UNREACHABLE_TITLE, S.UNREACHABLE_BODY),
    ("paper-out", S.PAPER_OUT_TITLE, S.PRINTER_BODY),
])
def test_message_screens(painter, name, title, body):
    orientation, p = painter
    buttons = p.message(title, [body])
    check_buttons(buttons, p.screen.size)
    assert p.last_text_bottom <= buttons[0].rect[1]
    save(p, f"message-{name}-{orientation}")


def test_long_text_wraps_inside_the_screen(painter):
    _, p = painter
    lines = p.wrap("请到 " + "、".join(f"{n}号窗口" for n in range(1, 30)) + " 附近等候叫号", 50,
                   p.w - p.px(120))
    assert len(lines) > 1
    assert all(p.font(50).get_rect(line).width <= p.w - p.px(120) for line in lines)
