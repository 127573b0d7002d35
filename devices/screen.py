"""A node's screen: the :class:`Screen` interface every backend keeps, and how to open one.

Backends (the device registry's kind ``screen``): ``window`` and ``fullscreen``
(:class:`devices.screen_pygame.PygameScreen`, the process's one pygame window) and ``offscreen``
(:class:`devices.screen_sim.SimScreen`, the simulated twin: a plain surface, no display at all,
which keeps what a real screen would show). Nodes draw on :attr:`Screen.surface` with pygame
and never need to know which one they have.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Touch:
    """A touch or click at pixel ``(x, y)`` of the screen."""

    x: int
    y: int


class DisplayInUse(RuntimeError):
    """A second window asked for in a process that already shows one (pygame has one display
    per process: a second window would take the first one's place, and closing either would
    close both)."""


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
    """A drawing surface of ``size`` pixels. Nodes draw on :attr:`surface`, call
    :meth:`present` to show it, :meth:`save_png` to look at it, and read touches with
    :meth:`touches`; tests and the demo's citizens inject touches with :meth:`inject_touch`.
    A backend sets :attr:`surface` and :attr:`backend` and implements :meth:`present`,
    :meth:`_device_touches`, :meth:`_device_error` and :meth:`_release`."""

    backend = "?"
    simulated = False   # an offscreen screen nobody sees (node health says so)

    def __init__(self, size: tuple[int, int], title: str = "hallstack"):
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame

        self._pygame = pygame
        self.size = tuple(size)
        self.title = title
        self.closed = False
        self.surface = None
        self._injected: list[Touch] = []

    def present(self) -> None:
        """Show what was drawn."""
        raise NotImplementedError

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
        if not self.closed:
            found += self._device_touches()
        return found

    def health(self) -> dict:
        """What the screen knows of itself: ``error`` once closed or when its window is gone."""
        out = {"state": "ok", "backend": self.backend}
        problem = "closed" if self.closed else self._device_error()
        if problem:
            out.update(state="error", detail=problem)
        return out

    def close(self) -> None:
        """Close this screen (its window, if it has one); other screens keep working."""
        if not self.closed:
            self.closed = True
            self._release()

    def _device_touches(self) -> list[Touch]:
        return []

    def _device_error(self) -> str | None:
        return None

    def _release(self) -> None:
        pass


def open_screen(size: tuple[int, int], backend: str = "offscreen",
                title: str = "hallstack") -> Screen:
    """The screen ``backend`` names (``window``, ``fullscreen``, ``offscreen`` or a third
    party's), from the device registry; an unknown name is a ValueError with "did you mean"."""
    from devices.registry import open_device

    return open_device("screen", backend, size, title, path="screen backend")


def blit_ready(surface):
    """``surface`` (with per-pixel alpha, e.g. rendered text) in the pixel format screens use,
    so that blitting it is several times faster; needs no display (a simulated screen has
    none), where ``convert_alpha()`` needs a display mode."""
    import pygame

    return pygame.image.frombytes(pygame.image.tobytes(surface, "BGRA"), surface.get_size(),
                                  "BGRA")
