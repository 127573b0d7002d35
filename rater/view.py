"""What the rater's small screen shows: staff photo, name, number, window, the rating prompt,
the 差评 reasons to touch, and the thanks. Drawn from a :class:`View` so a test renders any
state to PNG; :func:`hit` maps a touch to a reason button with the same layout."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from devices.fonts import freetype_font
from rater import strings

BG = (246, 248, 251)
HEADER = (23, 78, 137)
INK = (30, 35, 45)
MUTED = (100, 108, 120)
WHITE = (255, 255, 255)
RED = (196, 43, 28)
CHOSEN = (196, 43, 28)
BUTTON = (226, 232, 240)
SUBMIT = (23, 120, 70)
#: Key colours as printed on the pad, 5 = 非常满意 … 1 = 非常不满意.
SCORE_COLOURS = {5: (22, 128, 60), 4: (76, 160, 70), 3: (200, 150, 20), 2: (220, 100, 30),
                 1: (196, 43, 28)}


@dataclass(frozen=True)
class View:
    """Everything the screen needs for one frame."""

    window_name: str
    hall_name: str
    staff_name: str | None
    staff_number: str | None
    photo: str | None
    state: str  # idle | inviting | reasons | thanks
    seconds_left: int = 0
    score: int | None = None
    chosen: tuple[str, ...] = ()
    online: bool = True
    paused: bool = False


def _scale(size: tuple[int, int]) -> float:
    return min(size[0] / 800, size[1] / 480)


def reason_buttons(size: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """Rectangles ``(x, y, w, h)`` of the five reasons, then 提交, in a 2×3 grid on the right."""
    k = _scale(size)
    x0, y0, w, h, gap = int(260 * k), int(140 * k), int(250 * k), int(80 * k), int(14 * k)
    return [(x0 + (i % 2) * (w + gap), y0 + (i // 2) * (h + gap), w, h) for i in range(6)]


def hit(size: tuple[int, int], x: int, y: int) -> int | None:
    """Index of the reason button under ``(x, y)`` (5 = 提交), or None."""
    for i, (bx, by, bw, bh) in enumerate(reason_buttons(size)):
        if bx <= x < bx + bw and by <= y < by + bh:
            return i
    return None


@functools.lru_cache(maxsize=8)
def _photo(path: str, w: int, h: int):
    import pygame

    try:
        image = pygame.image.load(path)
    except (pygame.error, FileNotFoundError, OSError):
        return None
    return pygame.transform.smoothscale(image, (w, h))


def _text(surface, text: str, size: int, colour, pos, centre: bool = False) -> None:
    font = freetype_font(size)
    rect = font.get_rect(text)
    x, y = pos
    if centre:
        x -= rect.width // 2
    font.render_to(surface, (x, y), text, colour)


def draw(surface, view: View) -> None:
    """Draw ``view`` on a pygame surface of any size (laid out for 800×480, scaled)."""
    import pygame

    w, h = surface.get_size()
    k = _scale((w, h))

    def px(v: float) -> int:
        return int(v * k)

    surface.fill(BG)
    pygame.draw.rect(surface, HEADER, (0, 0, w, px(64)))
    _text(surface, view.window_name, px(34), WHITE, (px(24), px(14)))
    right = strings.PAUSED if view.paused else view.hall_name
    font = freetype_font(px(22))
    _text(surface, right, px(22), WHITE, (w - font.get_rect(right).width - px(24), px(22)))

    photo_rect = (px(32), px(90), px(190), px(250))
    image = _photo(view.photo, photo_rect[2], photo_rect[3]) if view.photo else None
    if image is not None:
        surface.blit(image, photo_rect[:2])
    else:  # no photo on file: the surname on a plain card, never someone else's face
        pygame.draw.rect(surface, BUTTON, photo_rect, border_radius=px(8))
        initial = (view.staff_name or "？")[0]
        _text(surface, initial, px(96), MUTED,
              (photo_rect[0] + photo_rect[2] // 2, photo_rect[1] + px(70)), centre=True)
    if view.staff_name:
        _text(surface, view.staff_name, px(30), INK, (px(32), px(352)))
        _text(surface, strings.STAFF_NUMBER.format(number=view.staff_number), px(22), MUTED,
              (px(32), px(394)))
    else:
        _text(surface, strings.NO_STAFF, px(22), MUTED, (px(32), px(352)))

    if view.state == "reasons":
        _draw_reasons(surface, view, px)
    elif view.state == "inviting":
        _text(surface, strings.INVITE, px(40), INK, (px(260), px(120)))
        for i, score in enumerate((5, 4, 3, 2, 1)):
            x, y = px(260) + i * px(104), px(220)
            pygame.draw.rect(surface, SCORE_COLOURS[score], (x, y, px(96), px(96)),
                             border_radius=px(10))
            label = strings.SCORE_LABELS[score]
            _text(surface, label, px(19 if len(label) > 3 else 22), WHITE,
                  (x + px(48), y + px(38)), centre=True)
        _text(surface, strings.INVITE_LEFT.format(s=view.seconds_left),
              px(20), MUTED, (px(260), px(340)))
    elif view.state == "thanks":
        _text(surface, strings.THANKS, px(48), INK, (px(260), px(180)))
        if view.score is not None and view.score <= 2:
            _text(surface, strings.THANKS_BAD, px(28), MUTED, (px(260), px(260)))
    else:
        _text(surface, strings.WELCOME, px(48), INK, (px(260), px(180)))
    if not view.online:
        pygame.draw.rect(surface, RED, (0, h - px(40), w, px(40)))
        _text(surface, strings.OFFLINE, px(22), WHITE, (px(24), h - px(32)))


def _draw_reasons(surface, view: View, px) -> None:
    import pygame

    _text(surface, strings.CHOOSE_REASONS, px(28), INK, (px(260), px(92)))
    size = surface.get_size()
    for i, rect in enumerate(reason_buttons(size)):
        if i < len(strings.BAD_REASONS):
            label = strings.BAD_REASONS[i]
            chosen = label in view.chosen
            pygame.draw.rect(surface, CHOSEN if chosen else BUTTON, rect, border_radius=px(10))
            colour = WHITE if chosen else INK
            mark = "✓ " if chosen else ""
        else:
            label, mark, colour = strings.SUBMIT, "", WHITE
            pygame.draw.rect(surface, SUBMIT, rect, border_radius=px(10))
        _text(surface, mark + label, px(26), colour,
              (rect[0] + rect[2] // 2, rect[1] + rect[3] // 2 - px(13)), centre=True)
    _text(surface, strings.SECONDS_LEFT.format(s=view.seconds_left), px(20), MUTED,
          (px(260), px(430)))
