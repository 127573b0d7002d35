"""Drawing the kiosk's screens with pygame: each method paints one screen on the node's
:class:`~devices.screen.Screen` surface and returns the buttons it drew, for hit-testing.

Large text for elder citizens: the smallest text is ~36 px on a 1080-px-wide portrait screen.
Fonts come from devices.fonts, loaded once per size per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from devices.fonts import freetype_font
from kiosk import strings as S

BG = (244, 246, 249)
HEADER = (11, 79, 156)
WHITE = (255, 255, 255)
INK = (30, 30, 30)
MUTED = (96, 104, 112)
TILE_EDGE = (11, 79, 156)
GREEN = (30, 142, 62)
RED = (200, 40, 40)
ORANGE = (214, 110, 0)
GREY = (180, 184, 190)


@dataclass(frozen=True)
class Button:
    """A touch target: its rectangle ``(x, y, w, h)`` and what touching it means."""

    rect: tuple[int, int, int, int]
    action: tuple

    def hit(self, x: int, y: int) -> bool:
        bx, by, bw, bh = self.rect
        return bx <= x < bx + bw and by <= y < by + bh


class Painter:
    """Paints the kiosk screens on ``screen`` (portrait or landscape, any size)."""

    def __init__(self, screen, hall_name: str):
        import pygame

        self._pg = pygame
        self.screen = screen
        self.hall_name = hall_name
        w, h = screen.size
        self.w, self.h = w, h
        self.portrait = h >= w
        self.last_text_bottom = 0   # lowest y of the last paragraph (tests check overlaps)
        self.u = min(w, h) / 1080  # sizes below are for a 1080-px short side

    # -- primitives --------------------------------------------------------------------------
    def px(self, n: float) -> int:
        return max(1, int(n * self.u))

    def font(self, size: float):
        return freetype_font(self.px(size))

    def text(self, text: str, size: float, pos: tuple[int, int], color=INK,
             anchor: str = "center") -> tuple[int, int, int, int]:
        font = self.font(size)
        rect = font.get_rect(text)
        x, y = pos
        if anchor == "center":
            x -= rect.width // 2
        elif anchor == "right":
            x -= rect.width
        # freetype positions by the top of the ink box: shift so lines share a baseline band
        y = y - self.px(size) // 2 + (self.px(size) - rect.height) // 2
        font.render_to(self.screen.surface, (x, y), text, color)
        return x, y, rect.width, rect.height

    def wrap(self, text: str, size: float, width: int) -> list[str]:
        """Break ``text`` into lines no wider than ``width`` px (any character may break)."""
        font, lines, line = self.font(size), [], ""
        for ch in text:
            if font.get_rect(line + ch).width > width and line:
                # break after a space or a full-width comma when there is one: keeps words
                # (附近, 工作人员) whole
                cut = max(line.rfind(" "), *(line.rfind(p) + 1 for p in "，、；。："))
                if 0 < cut < len(line):
                    lines.append(line[:cut].rstrip())
                    line = line[cut:].lstrip() + ch
                else:
                    lines.append(line)
                    line = ch.lstrip()
            else:
                line += ch
        return lines + ([line] if line else [])

    def paragraph(self, text: str, size: float, top: int, color=INK, left: int = 0,
                  width: int | None = None) -> int:
        """Centred, wrapped text from ``top`` in the band ``left``…``left+width``; returns
        the y below it."""
        width = self.w if width is None else width
        gap = self.px(size * 1.5)
        for line in self.wrap(text, size, width - self.px(120)):
            self.text(line, size, (left + width // 2, top + gap // 2), color)
            top += gap
        self.last_text_bottom = top
        return top

    def box(self, rect, fill, edge=None, radius: float = 18, width: float = 4) -> None:
        pg = self._pg
        pg.draw.rect(self.screen.surface, fill, pg.Rect(rect), border_radius=self.px(radius))
        if edge is not None:
            pg.draw.rect(self.screen.surface, edge, pg.Rect(rect), width=self.px(width),
                         border_radius=self.px(radius))

    def button(self, rect, label: str, action: tuple, size: float = 52, fill=HEADER,
               color=WHITE, edge=None) -> Button:
        self.box(rect, fill, edge)
        x, y, w, h = rect
        self.text(label, size, (x + w // 2, y + h // 2), color)
        return Button(tuple(int(v) for v in rect), action)

    def header(self, now: datetime | None) -> int:
        height = self.px(150)
        self.screen.surface.fill(BG)
        self.box((0, 0, self.w, height), HEADER, radius=0)
        if now is None:
            self.text(self.hall_name, 64, (self.w // 2, height // 2), WHITE)
        else:
            self.text(self.hall_name, 60, (self.w // 2, height * 0.36), WHITE)
            clock = S.CLOCK.format(d=now, weekday=S.WEEKDAYS[now.weekday()])
            self.text(clock, 36, (self.w // 2, height * 0.78), WHITE)
        return height

    # -- screens -----------------------------------------------------------------------------
    def home(self, groups, counts: dict[str, int], capped: set[str], priority: str | None,
             now: datetime) -> list[Button]:
        """The catalogue: areas with their services and waiting counts, the green channel and
        appointment check-in."""
        buttons: list[Button] = []
        top = self.header(now) + self.px(20)
        self.text(S.HOME_PROMPT, 52, (self.w // 2, top + self.px(40)))
        top += self.px(90)

        if not self.portrait:
            return buttons + self._home_landscape(groups, counts, capped, priority, top)
        # green channel: a row of toggles under its label
        self.text(S.GREEN_CHANNEL, 40, (self.px(40), top + self.px(35)), GREEN, anchor="left")
        top += self.px(75)
        gap = self.px(20)
        bw = (self.w - self.px(80) - 3 * gap) // 4
        for i, key in enumerate(S.PRIORITIES):
            rect = (self.px(40) + i * (bw + gap), top, bw, self.px(100))
            buttons.append(self.priority_button(rect, key, priority))
        top += self.px(130)

        bottom = self.h - self.px(150)
        buttons.append(self.button((self.px(40), bottom + self.px(20), self.w - self.px(80),
                                    self.px(110)), S.CHECK_IN, ("check_in",), 52, ORANGE))
        buttons += self.catalogue(groups, counts, capped, top, bottom - self.px(10),
                                  ("service",))
        return buttons

    def _home_landscape(self, groups, counts, capped, priority, top: int) -> list[Button]:
        """Landscape: the catalogue fills the left, green channel and check-in stand at the
        right, so the tiles keep elder-sized text."""
        side_w = self.px(400)
        side_x = self.w - side_w - self.px(40)
        buttons = self.catalogue(groups, counts, capped, top, self.h - self.px(30), ("service",),
                                 right=side_x - self.px(20))
        self.text(S.GREEN_CHANNEL.rstrip("："), 40, (side_x + side_w // 2, top + self.px(30)),
                  GREEN)
        y = top + self.px(70)
        for key in S.PRIORITIES:
            buttons.append(self.priority_button((side_x, y, side_w, self.px(110)), key, priority))
            y += self.px(130)
        rect = (side_x, self.h - self.px(30) - self.px(150), side_w, self.px(150))
        buttons.append(self.button(rect, S.CHECK_IN, ("check_in",), 56, ORANGE))
        return buttons

    def priority_button(self, rect, key: str, priority: str | None) -> Button:
        on = priority == key
        return self.button(rect, ("✓ " if on else "") + S.PRIORITIES[key], ("priority", key), 44,
                           GREEN if on else WHITE, WHITE if on else GREEN, GREEN)

    def catalogue(self, groups, counts, capped, top: int, bottom: int, action: tuple,
                  show_counts: bool = True, right: int | None = None) -> list[Button]:
        """Service tiles under their area headings, in one column of areas (portrait) or
        two (landscape), two tiles a row, sized to fill ``top``…``bottom``."""
        columns = 1 if self.portrait else 2
        per_row = 2
        blocks = [(area, svcs, -(-len(svcs) // per_row)) for area, svcs in groups]
        cols: list[list] = [[] for _ in range(columns)]
        for block in blocks:   # greedy: next area goes to the shortest column
            shortest = min(cols, key=lambda c: sum(1 + b[2] * 2.2 for b in c))
            shortest.append(block)
        units = max(sum(1 + b[2] * 2.2 for b in c) for c in cols)   # heading = 1, tile row = 2.2
        unit = min((bottom - top) / max(units, 1), self.px(90))
        right = self.w - self.px(40) if right is None else right
        col_w = (right - self.px(40) * columns) // columns
        buttons = []
        for ci, col in enumerate(cols):
            x0 = self.px(40) + ci * (col_w + self.px(40))
            y = top
            for area, svcs, rows in col:
                self.text(area, min(40, unit / self.u * 0.6), (x0, y + int(unit * 0.5)), HEADER,
                          anchor="left")
                y += int(unit)
                tile_w = (col_w - self.px(20)) // per_row
                for i, svc in enumerate(svcs):
                    r, c = divmod(i, per_row)
                    rect = (x0 + c * (tile_w + self.px(20)), int(y + r * unit * 2.2), tile_w,
                            int(unit * 2.0))
                    buttons.append(self.tile(rect, svc, counts, capped, action, show_counts))
                y += int(rows * unit * 2.2)
        return buttons

    def tile(self, rect, svc, counts, capped, action, show_counts) -> Button:
        x, y, w, h = rect
        full = svc.id in capped
        self.box(rect, WHITE if not full else (232, 232, 232), GREY if full else TILE_EDGE)
        name_size = min(56, h / self.u * 0.34, w / self.u * 0.88 / max(len(svc.name), 1))
        name_y = y + int(h * (0.36 if show_counts else 0.5))
        self.text(svc.name, name_size, (x + w // 2, name_y), MUTED if full else INK)
        if full:
            note, color = S.CAPPED_TAG, RED
        elif svc.id in counts:
            note, color = S.WAITING_COUNT.format(n=counts[svc.id]), MUTED
        else:
            note, color = S.WAITING_UNKNOWN, GREY
        if show_counts:
            self.text(note, min(38, h / self.u * 0.22), (x + w // 2, y + int(h * 0.74)), color)
        return Button(tuple(int(v) for v in rect), (*action, svc.id))

    def check_in(self, code: str, prompt: str = S.CHECK_IN_PROMPT_BOOKING,
                 keys: str = "1234567890ABCDEFGHJKLMNPQRSTUVWXYZ") -> list[Button]:
        """The keypad for a check-in: a booking code (digits and letters, no I/O), an ID
        number (digits and X), or an older appointment code; booking at the kiosk reuses it
        with its own ``prompt`` and ``keys`` (kiosk.bookoffer)."""
        top = self.header(None) + self.px(30)
        for line in self.wrap(prompt, 44, self.w - self.px(80)):
            self.text(line, 44, (self.w // 2, top + self.px(30)))
            top += self.px(60)
        top += self.px(20)
        field_w = min(self.w - self.px(160), self.px(900))
        self.box(((self.w - field_w) // 2, top, field_w, self.px(120)), WHITE, TILE_EDGE)
        self.text(code or " ", 64 if len(code) <= 12 else 50, (self.w // 2, top + self.px(60)))
        top += self.px(150)
        keys = list(keys) + [S.KEY_DELETE, S.KEY_OK]
        cols = (6 if self.portrait else 12) if len(keys) > 15 else 3  # landscape: wide rows
        rows = -(-len(keys) // cols)
        bottom = self.h - self.px(170)
        gap = self.px(16)
        kw = min((self.w - self.px(80) - (cols - 1) * gap) // cols, self.px(200))
        kh = min((bottom - top - (rows - 1) * gap) // rows, self.px(170))
        x0 = (self.w - cols * kw - (cols - 1) * gap) // 2
        buttons = []
        for i, key in enumerate(keys):
            r, c = divmod(i, cols)
            rect = (x0 + c * (kw + gap), top + r * (kh + gap), kw, kh)
            if key == S.KEY_OK:
                buttons.append(self.button(rect, key, ("key", "ok"), 48, GREEN))
            elif key == S.KEY_DELETE:
                buttons.append(self.button(rect, key, ("key", "delete"), 44, GREY, INK))
            else:
                buttons.append(self.button(rect, key, ("key", key), 60, WHITE, INK, TILE_EDGE))
        buttons.append(self.back_button())
        return buttons

    def check_in_pick(self, code: str, groups) -> list[Button]:
        """After the code: which service was booked."""
        top = self.header(None) + self.px(30)
        self.text(S.CHECK_IN_PICK.format(code=code), 48, (self.w // 2, top + self.px(40)))
        buttons = self.catalogue(groups, {}, set(), top + self.px(100),
                                 self.h - self.px(170), ("check_in_service",), False)
        return buttons + [self.back_button()]

    def back_button(self) -> Button:
        rect = (self.px(40), self.h - self.px(140), self.w - self.px(80), self.px(110))
        return self.button(rect, S.BACK, ("back",), 52, GREY, INK)

    def taking(self) -> list[Button]:
        top = self.header(None)
        self.text(S.TAKING, 64, (self.w // 2, top + (self.h - top) // 2))
        return []

    def result(self, no: str, service_name: str, lines: list[str],
               print_failed: bool) -> list[Button]:
        """The issued number, large, with where to wait; a print failure said plainly.
        Portrait stacks everything; landscape puts the number left and the words right."""
        top = self.header(None) + self.px(50)
        done = (self.px(40), self.h - self.px(160), self.w - self.px(80), self.px(120))
        half = self.w if self.portrait else self.w // 2
        self.text(service_name, 64, (half // 2, top + self.px(40)))
        top += self.px(130)
        self.text(S.YOUR_NUMBER, 52, (half // 2, top + self.px(30)), MUTED)
        top += self.px(70)
        big = 300 if self.portrait else 280
        self.text(no, big, (half // 2, top + self.px(big * 0.55)), HEADER)
        if self.portrait:
            top += self.px(big * 1.15)
            left, width = 0, self.w
        else:
            top = self.px(150) + self.px(120)
            left, width = half, self.w - half
        for line in lines:
            top = self.paragraph(line, 50, top, left=left, width=width)
        top += self.px(30)
        if print_failed:
            top = self.paragraph(S.PRINT_FAILED, 48, top, RED, left=left, width=width)
        else:
            top = self.paragraph(S.TAKE_TICKET, 56, top, GREEN, left=left, width=width)
        self.last_text_bottom = top
        return [self.button(done, S.DONE, ("done",), 56)]

    def message(self, title: str, lines: list[str], color=RED, now: datetime | None = None,
                back: bool = True) -> list[Button]:
        """A screen that stops the citizen: closed, capped, unreachable, printer out."""
        top = self.header(now)
        mid = top + (self.h - top) // 3
        self.text(title, 88, (self.w // 2, mid), color)
        y = mid + self.px(120)
        for line in lines:
            y = self.paragraph(line, 50, y, INK)
        return [self.back_button()] if back else []
