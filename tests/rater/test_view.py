"""The rater's screen, rendered offscreen to PNG in the session's pictures folder."""

import os

import pytest

from rater import strings, view


@pytest.fixture(scope="module")
def screen():
    from devices.screen import open_screen

    s = open_screen((800, 480), "offscreen")
    yield s


def base(**kw):
    fields = dict(window_name="3号窗口", hall_name="示范县政务服务中心", staff_name="王芳",
                  staff_number="1003", photo=None, state="idle")
    fields.update(kw)
    return view.View(**fields)


def centre(rect):
    x, y, w, h = rect
    return x + 8, y + 8  # inside the button, clear of its rounded corner and label


@pytest.mark.parametrize("name, v", [
    ("idle", base()),
    ("inviting", base(state="inviting", seconds_left=57)),
    ("reasons", base(state="reasons", score=2, seconds_left=12, chosen=("效率低",))),
    ("thanks", base(state="thanks", score=5)),
    ("thanks_bad", base(state="thanks", score=1)),
    ("offline_paused", base(online=False, paused=True, staff_name=None, staff_number=None)),
])
def test_every_state_renders(screen, name, v, pictures):
    view.draw(screen.surface, v)
    path = screen.save_png(f"{pictures('rater')}/{name}.png")
    assert os.path.getsize(path) > 5000
    bottom = screen.surface.get_at((400, 470))[:3]
    # nothing runs off the right edge: the last columns below the header stay background
    edge = {screen.surface.get_at((x, y))[:3] for x in (796, 799) for y in range(64, 430)}
    assert edge == {view.BG}
    assert (bottom == view.RED) == (not v.online)


def test_chosen_reason_is_marked_and_buttons_match_hit_testing(screen):
    v = base(state="reasons", score=2, seconds_left=12, chosen=(strings.BAD_REASONS[1],))
    view.draw(screen.surface, v)
    buttons = view.reason_buttons((800, 480))
    assert screen.surface.get_at(centre(buttons[1]))[:3] == view.CHOSEN
    assert screen.surface.get_at(centre(buttons[0]))[:3] == view.BUTTON
    assert screen.surface.get_at(centre(buttons[5]))[:3] == view.SUBMIT
    for i, rect in enumerate(buttons):
        assert view.hit((800, 480), *centre(rect)) == i
    assert view.hit((800, 480), 5, 5) is None


def test_inviting_shows_the_five_levels_in_their_key_colours(screen):
    view.draw(screen.surface, base(state="inviting", seconds_left=60))
    colours = {screen.surface.get_at((264 + i * 104, 224))[:3] for i in range(5)}
    assert colours == set(view.SCORE_COLOURS.values())


def test_staff_photo_is_drawn_when_on_file(screen, tmp_path):
    import pygame

    photo = pygame.Surface((60, 80))
    photo.fill((10, 200, 10))
    path = str(tmp_path / "1003.png")
    pygame.image.save(photo, path)
    view.draw(screen.surface, base(photo=path))
    assert screen.surface.get_at((100, 200))[:3] == (10, 200, 10)
    view.draw(screen.surface, base(photo=str(tmp_path / "missing.png")))
    assert screen.surface.get_at((100, 200))[:3] != (10, 200, 10)
