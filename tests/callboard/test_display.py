"""The hall display: the model built from retained state and events, and the picture drawn."""

from __future__ import annotations

from datetime import datetime

import pytest

from callboard import display
from callboard.board import BoardState
from devices.screen import open_screen


@pytest.fixture
def board(hall_config):
    return BoardState({n: w.name for n, w in hall_config.windows.items()},
                      {sid: s.name for sid, s in hall_config.services.items()})


@pytest.fixture(scope="module")
def screen():
    return open_screen(display.SIZE, "offscreen")


def _event(seq, no, window, recall=False):
    return {"seq": seq, "at": "2026-11-23T10:00:00+08:00", "no": no, "window": window,
            "window_name": f"{window}号窗口", "service": no[0], "recall": recall}


def test_board_state_from_retained_payloads(board):
    board.apply_board({"calls": [{"no": "A002", "window": 2, "at": "t"}, "junk",
                                 {"no": 5, "window": 1}, {"no": "A001", "window": True},
                                 {"no": "A001", "window": 1, "at": "t", "recall": True}]})
    assert [(c.no, c.window, c.window_name, c.recall) for c in board.calls] == [
        ("A002", 2, "2号窗口", False), ("A001", 1, "1号窗口", True)]
    board.apply_queue({"services": {"C": {"waiting": 4, "est_wait_s": 600}, "D": "junk"}})
    waiting = {sid: (w, est) for sid, _n, w, est in board.waiting()}
    assert waiting["C"] == (4, 600) and waiting["D"] == (0, None) and len(waiting) == 8
    board.apply_window(12, {"status": "paused", "reason": "培训"})
    board.apply_window(1, {"status": "open"})
    assert board.paused() == [(12, "12号综合窗口", "培训", "paused")]
    for bad in ({"services": "junk"}, {}):
        with pytest.raises(ValueError):
            board.apply_queue(bad)
    with pytest.raises(ValueError):
        board.apply_board({"calls": "nope"})
    with pytest.raises(ValueError):
        board.apply_window(3, {"status": "gone"})
    assert waiting["C"] == (4, 600) and len(board.calls) == 2 and 3 not in board.windows


def test_a_called_event_goes_on_top_and_flashes(board):
    board.apply_board({"calls": [{"no": "A001", "window": 1, "at": "t"}]})
    assert board.flash_since is None
    board.on_called(_event(1, "B003", 3), 50.0)
    board.on_called(_event(2, "A001", 1, recall=True), 51.0)
    assert [(c.no, c.recall) for c in board.calls] == [("A001", True), ("B003", False)]
    assert board.flash_since == 51.0
    assert board.on_called({"seq": 3, "no": None, "window": 1}, 52.0) is None
    assert board.flash_since == 51.0
    for i in range(20):
        board.on_called(_event(10 + i, f"C{i:03d}", 4 + i % 5), 60.0)
    assert len(board.calls) == 10


def _px(screen, xy):
    return tuple(screen.surface.get_at(xy))[:3]


def test_the_newest_call_flashes_then_stays(board, screen, hall_config, png_dir):
    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=hall_config.tz)
    board.on_called(_event(1, "A012", 3), 100.0)
    corner = (60, 150)  # inside the big box, outside its text
    seen = []
    for t in (100.0, 100.3, 100.5, 102.9, 103.0, 110.0):
        display.draw(screen.surface, board, hall_config.name, hall_config.notice, now, t)
        seen.append(_px(screen, corner))
        if t == 100.0:
            screen.save_png(f"{png_dir}/display-flash-on.png")
    assert seen[0] == display.GOLD and seen[1] == display.PANEL and seen[2] == display.GOLD
    assert seen[4] == seen[5] == display.PANEL
    screen.save_png(f"{png_dir}/display-steady.png")


def test_the_number_is_what_is_drawn(board, screen, hall_config):
    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=hall_config.tz)
    big = (40, 230, 1200, 300)

    def box_pixels(no):
        board.apply_board({"calls": [{"no": no, "window": 3, "at": "t"}]})
        display.draw(screen.surface, board, hall_config.name, "", now, 0.0)
        sub = screen.surface.subsurface(big)
        return [tuple(sub.get_at((x, y)))[:3] for x in range(0, 1200, 4) for y in range(0, 300, 4)]

    a, b, a2 = box_pixels("A012"), box_pixels("A013"), box_pixels("A012")
    assert a == a2 and a != b
    assert display.GOLD in a  # the call is drawn in gold on the panel


def test_the_notice_scrolls_and_the_clock_ticks(board, screen, hall_config):
    band = (0, 1010, 1920, 70)
    t0 = datetime(2026, 11, 23, 10, 0, 0, tzinfo=hall_config.tz)

    def grab(mono):
        display.draw(screen.surface, board, hall_config.name, hall_config.notice, t0, mono)
        return screen.surface.subsurface(band).copy()

    import pygame

    first, later = grab(5.0), grab(6.0)
    assert pygame.image.tobytes(first, "RGB") != pygame.image.tobytes(later, "RGB")
    assert display.clock_text(t0) == "2026年11月23日 星期一 10:00:00"


def test_offline_is_shown(board, screen, hall_config, png_dir):
    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=hall_config.tz)
    display.draw(screen.surface, board, hall_config.name, "", now, 0.0, online=True)
    online = pygame_bytes(screen)
    display.draw(screen.surface, board, hall_config.name, "", now, 0.0, online=False)
    assert pygame_bytes(screen) != online
    screen.save_png(f"{png_dir}/display-offline-empty.png")


def pygame_bytes(screen):
    import pygame

    return pygame.image.tobytes(screen.surface.subsurface((900, 0, 600, 100)).copy(), "RGB")
