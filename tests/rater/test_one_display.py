"""devices.screen: one pygame window per process; simulated screens open no display.
Each case runs in a fresh interpreter, since the display is the process's."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, tmp_path) -> str:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=str(tmp_path),
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_second_window_is_refused_and_closing_one_screen_keeps_the_others(tmp_path):
    out = _run("""
        from devices.screen import DisplayInUse, open_screen
        window = open_screen((320, 240), "window", "kiosk")
        board = open_screen((64, 48), "offscreen", "board")
        other = open_screen((64, 48), "offscreen", "other")
        try:
            open_screen((320, 240), "window", "rater-4")
        except DisplayInUse as exc:
            print("refused:", exc)
        window.close()
        print("window:", window.health())
        board.surface.fill((200, 10, 10))
        board.save_png("board.png")
        print("board:", board.health())
        board.close()
        other.surface.fill((10, 200, 10))
        other.present()
        other.save_png("other.png")
        print("other:", other.health())
    """, tmp_path)
    assert "refused: this process already shows 'kiosk' in a window" in out
    assert "'rater-4' needs its own process" in out
    assert "window: {'state': 'error', 'backend': 'window', 'detail': 'closed'}" in out
    assert "board: {'state': 'ok', 'backend': 'offscreen'}" in out
    assert "other: {'state': 'ok', 'backend': 'offscreen'}" in out
    from PIL import Image
    assert Image.open(tmp_path / "other.png").getpixel((1, 1)) == (10, 200, 10)


def test_offscreen_screens_open_no_display_so_a_window_opens_beside_them(tmp_path):
    """The simulated twin is a plain surface: a window opens after it, and it keeps drawing
    when the window closes (before, offscreen screens held the SDL dummy display)."""
    out = _run("""
        import pygame
        from devices.screen import open_screen
        board = open_screen((64, 48), "offscreen", "board")
        print("display after offscreen:", pygame.display.get_init())
        kiosk = open_screen((320, 240), "window", "kiosk")
        print("kiosk:", kiosk.health())
        kiosk.close()
        board.surface.fill((1, 2, 3))
        board.present()
        print("board:", board.health(), board.surface.get_at((0, 0))[:3])
    """, tmp_path)
    assert "display after offscreen: False" in out
    assert "kiosk: {'state': 'ok', 'backend': 'window'}" in out
    assert "board: {'state': 'ok', 'backend': 'offscreen'} (1, 2, 3)" in out
