"""The hall display (综合屏), 1920×1080: the newest call large, recent calls, waiting counts,
paused windows, the hall's name and clock, and the hall's notice scrolling along the bottom.
"""

from __future__ import annotations

import functools
from datetime import datetime

from callboard import strings
from callboard.board import BoardState
from devices.fonts import freetype_font
from devices.screen import blit_ready

SIZE = (1920, 1080)
FLASH_S = 3.0
FLASH_HZ = 2.0
SCROLL_PX_S = 120

BG = (8, 28, 58)
PANEL = (16, 48, 92)
BAND = (160, 22, 26)
WHITE = (255, 255, 255)
GOLD = (255, 206, 64)
DIM = (170, 190, 215)
RED = (200, 20, 20)


def clock_text(now: datetime) -> str:
    return strings.CLOCK.format(y=now.year, m=now.month, d=now.day,
                                weekday=strings.WEEKDAYS[now.weekday()],
                                hh=now.hour, mm=now.minute, ss=now.second)


def flashing(board: BoardState, mono: float) -> bool:
    """True while the newest call is in its flash phase (for ``FLASH_S`` after its event)."""
    return board.flash_since is not None and 0 <= mono - board.flash_since < FLASH_S


def flash_phase(board: BoardState, mono: float) -> int | None:
    """Which half-period of the flash ``mono`` falls in (even: highlighted), None when steady;
    the picture only changes when this does (or the clock or the notice moves)."""
    if not flashing(board, mono):
        return None
    return int((mono - board.flash_since) * FLASH_HZ * 2)


@functools.lru_cache(maxsize=2048)
def _measure(text: str, size: int, bold: bool) -> tuple[int, int]:
    """``(width, top)`` of ``text``: measuring is most of a frame's cost, and texts repeat."""
    rect = freetype_font(size, bold).get_rect(text)
    return rect.width, rect.y


@functools.lru_cache(maxsize=512)
def _rendered(text: str, size: int, bold: bool, color: tuple):
    """The text drawn once on its own transparent surface; a frame then only blits it."""
    surface, _rect = freetype_font(size, bold).render(text, color)
    return blit_ready(surface)  # the screens' pixel format blits several times faster


@functools.lru_cache(maxsize=64)
def _ascender(size: int, bold: bool) -> int:
    return freetype_font(size, bold).get_sized_ascender()


def text_width(text: str, size: int, bold: bool = False) -> int:
    return _measure(text, size, bold)[0]


def _text(surface, xy, text, size, color, bold=False, anchor="left", max_width=None):
    """Draw ``text``; shrink the size until it fits ``max_width``. Returns the drawn width."""
    width, top = _measure(text, size, bold)
    while max_width and width > max_width and size > 12:
        size = int(size * 0.9)
        width, top = _measure(text, size, bold)
    x, y = xy
    if anchor == "center":
        x -= width // 2
    elif anchor == "right":
        x -= width
    # render_to places the glyphs' own box at y: shift by its top so every text of a row
    # shares one baseline (a dash would otherwise float to the top of the line).
    surface.blit(_rendered(text, size, bold, tuple(color)),
                 (x, y + _ascender(size, bold) - top))
    return width


def draw(surface, board: BoardState, hall_name: str, notice: str, now: datetime, mono: float,
         online: bool = True) -> None:
    """Draw the whole display for hall time ``now`` and monotonic instant ``mono``."""
    import pygame

    surface.fill(BG)
    _header(pygame, surface, hall_name, now, online)
    _newest(pygame, surface, board, mono)
    _recent(pygame, surface, board)
    side = pygame.Rect(1280, 130, 600, 860)
    _not_serving(surface, board, side, _waiting(pygame, surface, board, side))
    _notice(pygame, surface, notice, mono)


def _header(pygame, surface, hall_name: str, now: datetime, online: bool) -> None:
    """Hall name and clock."""
    w = surface.get_width()
    pygame.draw.rect(surface, BAND, (0, 0, w, 100))
    _text(surface, (40, 14), hall_name, 52, WHITE, bold=True, max_width=1000)
    _text(surface, (w - 40, 20), clock_text(now), 42, WHITE, anchor="right")
    if not online:
        _text(surface, (890, 30), strings.OFFLINE, 32, GOLD, anchor="center")


def _newest(pygame, surface, board: BoardState, mono: float) -> None:
    """The newest call, large; it flashes for FLASH_S after it arrives."""
    box = pygame.Rect(40, 130, 1200, 430)
    phase = flash_phase(board, mono)
    on = phase is not None and phase % 2 == 0
    pygame.draw.rect(surface, GOLD if on else PANEL, box, border_radius=16)
    _text(surface, (box.x + 30, box.y + 24), strings.NOW_CALLING, 48, RED if on else GOLD, True)
    newest = board.newest
    if newest is not None:
        big = strings.CALL_LINE.format(no=newest.no, window_name=newest.window_name)
        _text(surface, (box.centerx, box.y + 170), big, 160, RED if on else GOLD, True,
              anchor="center", max_width=box.width - 60)
    else:
        _text(surface, (box.centerx, box.y + 200), strings.NO_CALL_YET, 96, DIM,
              anchor="center")


def _recent(pygame, surface, board: BoardState) -> None:
    """Recent calls below the newest, two columns."""
    recent = pygame.Rect(40, 590, 1200, 400)
    pygame.draw.rect(surface, PANEL, recent, border_radius=16)
    _text(surface, (recent.x + 30, recent.y + 20), strings.RECENT_CALLS, 40, GOLD, True)
    for i, call in enumerate(board.calls[1:10]):
        col, row = divmod(i, 5)
        line = strings.CALL_LINE.format(no=call.no, window_name=call.window_name)
        if call.recall:
            line += strings.RECALL_MARK
        _text(surface, (recent.x + 40 + col * 590, recent.y + 90 + row * 60), line, 46, WHITE,
              max_width=560)


def _waiting(pygame, surface, board: BoardState, side) -> int:
    """Waiting counts per service; returns the y below them."""
    pygame.draw.rect(surface, PANEL, side, border_radius=16)
    _text(surface, (side.x + 30, side.y + 20), strings.WAITING_TITLE, 40, GOLD, True)
    head_y = side.y + 80
    for text, x in zip(strings.WAITING_HEAD, (side.x + 30, side.x + 370, side.right - 30)):
        _text(surface, (x, head_y), text, 30, DIM, anchor="right" if x > side.x + 400 else "left")
    y = head_y + 48
    for _sid, name, waiting, est in board.waiting()[:10]:
        _text(surface, (side.x + 30, y), name, 34, WHITE, max_width=320)
        _text(surface, (side.x + 370, y), str(waiting), 34, GOLD)
        if est is None or not waiting:
            wait = strings.WAITING_NONE
        else:
            wait = strings.WAITING_ROW_WAIT.format(minutes=max(0, round(est / 60)))
        _text(surface, (side.right - 30, y), wait, 34, WHITE, anchor="right")
        y += 50
    return y


def _not_serving(surface, board: BoardState, side, y: int) -> None:
    """Windows not serving: paused ones by name (with the reason), closed ones on one line."""
    y = max(y + 20, side.y + 620)
    _text(surface, (side.x + 30, y), strings.PAUSED_TITLE, 36, GOLD, True)
    paused = board.paused()
    names = [strings.PAUSED_REASON.format(name=name, reason=reason) if reason else name
             for _n, name, reason, st in paused if st == "paused"]
    closed = [str(n) for n, _name, _reason, st in paused if st == "closed"]
    if not names and not closed:
        names = [strings.PAUSED_NONE]
    y += 52
    x = side.x + 30
    for name in names:
        width = text_width(name, 32)
        if x + width > side.right - 20 and x > side.x + 30:
            x, y = side.x + 30, y + 44
        if y > side.bottom - 88:
            break
        _text(surface, (x, y), name, 32, WHITE, max_width=side.width - 60)
        x += width + 28
    if closed:
        y = y + 44 if names else y
        _text(surface, (side.x + 30, y), strings.CLOSED_LINE.format(numbers="、".join(closed)),
              32, DIM, max_width=side.width - 60)


def _notice(pygame, surface, notice: str, mono: float) -> None:
    """The hall's notice (滚动公示), right to left, forever."""
    w, h = surface.get_size()
    pygame.draw.rect(surface, BAND, (0, h - 72, w, 72))
    if notice:
        width = text_width(notice, 42)
        offset = (mono * SCROLL_PX_S) % (width + w)
        _text(surface, (int(w - offset), h - 60), notice, 42, WHITE)
