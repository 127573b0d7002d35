"""A node's screen: a real pygame window, or an offscreen surface for tests and the demo."""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass

_SET_DUMMY = []   # prepare_sdl chose the dummy driver (not the user's environment)


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
        if os.environ.get("SDL_VIDEODRIVER") != "dummy":
            _SET_DUMMY.append(True)
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


class DisplayInUse(RuntimeError):
    """A second window asked for in a process that already shows one (pygame has one display
    per process: a second window would take the first one's place, and closing either would
    close both)."""


class _Display:
    """The process's one pygame display and the screens using it. Offscreen screens share it
    (they only need a display mode for ``convert()``); at most one screen shows in a window, and
    only in a process whose display is not the SDL dummy driver. The display closes with the
    last screen."""

    def __init__(self) -> None:
        self.users: weakref.WeakSet[Screen] = weakref.WeakSet()   # a dropped screen leaves
        self.window: Screen | None = None
        self.driver: str | None = None   # "dummy" or "window", while users remain

    def open(self, screen: Screen, pygame) -> None:
        windowed = screen.backend != "offscreen"
        if windowed and self.window is not None:
            raise DisplayInUse(
                f"this process already shows {self.window.title!r} in a window; pygame has one "
                f"window per process, so {screen.title!r} needs its own process (or an "
                "offscreen screen)")
        if windowed and self.driver == "dummy":
            raise DisplayInUse(
                f"this process draws offscreen (SDL dummy driver); {screen.title!r} cannot open "
                "a window in it: run it in its own process, or offscreen")
        if not self.users:
            self._start(pygame, windowed)
        if windowed:
            pygame.display.set_caption(screen.title)
            flags = pygame.FULLSCREEN if screen.backend == "fullscreen" else 0
            screen.surface = pygame.display.set_mode(screen.size, flags)
            self.window = screen
        else:
            screen.surface = pygame.Surface(screen.size)
        self.users.add(screen)

    def close(self, screen: Screen, pygame) -> None:
        if screen not in self.users:
            return
        self.users.discard(screen)
        if self.window is screen:
            self.window = None
            if self.users:   # the window goes; the offscreen screens stay on a dummy display
                self._start(pygame, windowed=False)
        if not self.users:
            pygame.display.quit()
            self.driver = None

    def _start(self, pygame, windowed: bool) -> None:
        pygame.display.quit()   # a display left by screens dropped without close()
        if windowed and _SET_DUMMY and os.environ.get("SDL_VIDEODRIVER") == "dummy":
            del os.environ["SDL_VIDEODRIVER"]   # an earlier offscreen display set it
            _SET_DUMMY.clear()
        prepare_sdl(headless=not windowed)
        pygame.display.init()
        self.driver = "window" if windowed else "dummy"
        if not windowed:
            pygame.display.set_mode((1, 1))


_DISPLAY = _Display()


class Screen:
    """A drawing surface of ``size`` pixels shown in a window (``backend="window"`` or
    ``"fullscreen"``) or kept offscreen (``backend="offscreen"``, SDL dummy driver).

    Nodes draw on :attr:`surface`, call :meth:`present` to show it, :meth:`save_png` to look at
    it, and read touches with :meth:`touches`; tests inject touches with :meth:`inject_touch`.
    A process has one pygame display: any number of offscreen screens, at most one window
    (a second raises :class:`DisplayInUse`); closing one screen leaves the others working.
    """

    def __init__(self, size: tuple[int, int], backend: str = "offscreen", title: str = "hallstack"):
        if backend not in ("window", "offscreen", "fullscreen"):
            raise ValueError(f"unknown screen backend {backend!r}: window, fullscreen or offscreen")
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame

        self._pygame = pygame
        self.backend = backend
        self.size = size
        self.title = title
        self.closed = False
        _DISPLAY.open(self, pygame)
        self._injected: list[Touch] = []

    @property
    def simulated(self) -> bool:
        """An offscreen screen nobody sees (node health says so)."""
        return self.backend == "offscreen"

    def present(self) -> None:
        """Show what was drawn (a no-op offscreen)."""
        if self.backend != "offscreen" and not self.closed:
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
        if self.backend != "offscreen" and not self.closed:
            for event in self._pygame.event.get():
                if event.type == self._pygame.MOUSEBUTTONDOWN:
                    found.append(Touch(*event.pos))
                elif event.type == self._pygame.FINGERDOWN:
                    w, h = self.size
                    found.append(Touch(int(event.x * w), int(event.y * h)))
        return found

    def health(self) -> dict:
        """What the screen knows of itself: ``error`` once closed or when its window is gone."""
        out = {"state": "ok", "backend": self.backend}
        if self.closed:
            out.update(state="error", detail="closed")
        elif self.backend != "offscreen" and not self._pygame.display.get_init():
            out.update(state="error", detail="display not initialised")
        return out

    def close(self) -> None:
        """Close this screen (its window, if it has one); other screens keep the display."""
        if not self.closed:
            self.closed = True
            _DISPLAY.close(self, self._pygame)
