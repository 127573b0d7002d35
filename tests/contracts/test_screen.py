"""One body for every node screen backend: the pygame window and full screen (on SDL's dummy
video driver: what the real display would be given) and the simulated twin (a plain surface).

Nodes only draw on ``surface``, present, save PNGs, read touches and health; each backend must
do the same with them. The twin's own promise is tested below: it shows only what was presented.
"""

from __future__ import annotations

import pytest
from PIL import Image

from devices.recorder import Recording
from devices.registry import UnknownBackend
from devices.screen import DisplayInUse, Screen, Touch, open_screen
from devices.screen_sim import SimScreen

SIZE = (160, 90)


# "fullscreen" is left out: on SDL's dummy driver it is the fake desktop's 1024×768, whatever
# size is asked for, so it cannot keep the size promise here (on a Pi it is the panel's size).
@pytest.fixture(params=["offscreen", "window"])
def screen(request, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    made = open_screen(SIZE, request.param, "contract")
    yield made
    made.close()


def test_a_screen_is_the_size_asked_for_and_says_what_it_is(screen):
    assert isinstance(screen, Screen)
    assert screen.surface.get_size() == SIZE and screen.size == SIZE
    assert screen.simulated == (screen.backend == "offscreen")
    assert screen.health() == {"state": "ok", "backend": screen.backend}


def test_what_is_drawn_and_presented_is_what_the_png_holds(screen, tmp_path):
    screen.surface.fill((10, 200, 30))
    screen.surface.fill((250, 5, 5), (0, 0, 20, 10))
    screen.present()
    path = screen.save_png(str(tmp_path / "shot.png"))
    picture = Image.open(path).convert("RGB")
    assert picture.size == SIZE
    assert picture.getpixel((5, 5)) == (250, 5, 5)
    assert picture.getpixel((100, 60)) == (10, 200, 30)


def test_an_injected_touch_is_read_once_in_order(screen):
    screen.inject_touch(3, 4)
    screen.inject_touch(150, 80)
    assert screen.touches() == [Touch(3, 4), Touch(150, 80)]
    assert screen.touches() == []


def test_a_closed_screen_says_so_and_closing_again_or_presenting_is_harmless(screen):
    screen.close()
    assert screen.health() == {"state": "error", "backend": screen.backend, "detail": "closed"}
    screen.close()
    screen.present()
    assert screen.touches() == []


def test_a_misspelt_backend_is_refused_with_a_suggestion():
    with pytest.raises(UnknownBackend, match=r"unknown screen backend 'ofscreen' \(did you "
                                             r"mean 'offscreen'\?\)"):
        open_screen(SIZE, "ofscreen")


def test_a_second_window_is_refused_but_twins_open_beside_it(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    window = open_screen(SIZE, "window", "kiosk")
    try:
        with pytest.raises(DisplayInUse, match="already shows 'kiosk'"):
            open_screen(SIZE, "fullscreen", "rater-1")
        twin = open_screen(SIZE, "offscreen", "board")
        twin.close()
        assert window.health()["state"] == "ok"
    finally:
        window.close()


def test_the_twin_shows_only_what_was_presented(tmp_path):
    """Honest: drawing that was never presented is not on the real screen, nor in the twin's
    shown picture; every present is recorded."""
    twin = SimScreen(SIZE, keep_shown=True)
    twin.recorder = rec = Recording()
    shown = tmp_path / "shown.png"
    twin.surface.fill((9, 9, 9))
    assert Image.open(twin.save_shown_png(str(shown))).convert("RGB").getpixel((1, 1)) == (0, 0, 0)
    twin.present()
    twin.surface.fill((200, 0, 0))   # drawn, not presented
    assert Image.open(twin.save_shown_png(str(shown))).convert("RGB").getpixel((1, 1)) == (9, 9, 9)
    twin.present()
    assert Image.open(twin.save_shown_png(str(shown))).convert("RGB").getpixel((1, 1)) == (200, 0, 0)
    assert rec["screen.present"] == [1, 2] and twin.presented == 2
    with pytest.raises(RuntimeError, match="keep_shown"):
        SimScreen(SIZE).save_shown_png(str(shown))
