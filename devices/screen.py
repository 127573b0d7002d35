"""A node's screen: a real pygame window, or an offscreen surface for tests and the demo."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Touch:
    """A touch or click at pixel ``(x, y)`` of the screen."""

    x: int
    y: int


def prepare_sdl(headless: bool) -> None:
    """Set SDL's drivers before pygame is imported (pygame.init() never raises)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    # SDL would turn SIGTERM/SIGINT into a quit event nobody reads: systemd's stop would hang
    # until SIGKILL. The nodes handle signals themselves.
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


class Screen:
    """A drawing surface of ``size`` pixels shown in a window (``backend="window"``) or kept
    offscreen (``backend="offscreen"``, SDL dummy driver).

    Nodes draw on :attr:`surface`, call :meth:`present` to show it, :meth:`save_png` to look at
    it, and read touches with :meth:`touches`; tests inject touches with :meth:`inject_touch`.
    """

    def __init__(self, size: tuple[int, int], backend: str = "offscreen", title: str = "hallstack"):
        if backend not in ("window", "offscreen", "fullscreen"):
            raise ValueError(f"unknown screen backend {backend!r}: window, fullscreen or offscreen")
        prepare_sdl(headless=backend == "offscreen")
        import pygame

        self._pygame = pygame
        pygame.display.init()
        self.backend = backend
        self.size = size
        flags = pygame.FULLSCREEN if backend == "fullscreen" else 0
        if backend == "offscreen":
            # The dummy driver still needs a display mode for convert(); draw on our own surface.
            pygame.display.set_mode((1, 1))
            self.surface = pygame.Surface(size)
        else:
            pygame.display.set_caption(title)
            self.surface = pygame.display.set_mode(size, flags)
        self._injected: list[Touch] = []

    def present(self) -> None:
        """Show what was drawn (a no-op offscreen)."""
        if self.backend != "offscreen":
            self._pygame.display.flip()

    def save_png(self, path: str) -> str:
        """Write the current picture to ``path`` as PNG and return the path."""
        self._pygame.image.save(self.surface, path)
        return path

    def inject_touch(self, x: int, y: int) -> None:
        """Queue a touch as a finger would make it (tests, the demo's simulated citizens)."""
        self._injected.append(Touch(x, y))

    def touches(self) -> list[Touch]:
        """Touches and clicks since the last call, injected ones included."""
        found, self._injected = self._injected, []
        if self.backend != "offscreen":
            for event in self._pygame.event.get():
                if event.type == self._pygame.MOUSEBUTTONDOWN:
                    found.append(Touch(*event.pos))
                elif event.type == self._pygame.FINGERDOWN:
                    w, h = self.size
                    found.append(Touch(int(event.x * w), int(event.y * h)))
        return found

    def close(self) -> None:
        """Close the window."""
        self._pygame.display.quit()
