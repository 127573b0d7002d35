"""A node's real screen: the process's one pygame window (or full screen).

pygame has one display per process, so this backend keeps no state of its own about it: it asks
pygame whether a window is already shown and refuses a second one (:class:`DisplayInUse`).
Offscreen screens (:mod:`devices.screen_sim`) open no display, so they never stand in its way.
"""

from __future__ import annotations

from devices.screen import DisplayInUse, Screen, Touch, prepare_sdl


class PygameScreen(Screen):
    """The window (``fullscreen=False``) or the full screen of this process."""

    def __init__(self, size: tuple[int, int], title: str = "hallstack", fullscreen: bool = False):
        prepare_sdl(headless=False)
        super().__init__(size, title)
        pygame = self._pygame
        self.backend = "fullscreen" if fullscreen else "window"
        if pygame.display.get_init() and pygame.display.get_surface() is not None:
            shown = pygame.display.get_caption()[0]
            raise DisplayInUse(
                f"this process already shows {shown!r} in a window; pygame has one window per "
                f"process, so {title!r} needs its own process (or an offscreen screen)")
        pygame.display.init()
        pygame.display.set_caption(title)
        self.surface = pygame.display.set_mode(self.size, pygame.FULLSCREEN if fullscreen else 0)

    def present(self) -> None:
        if not self.closed:
            self._pygame.display.flip()

    def _device_touches(self) -> list[Touch]:
        found = []
        pygame = self._pygame
        for event in pygame.event.get():
            if event.type == pygame.MOUSEBUTTONDOWN:
                found.append(Touch(*event.pos))
            elif event.type == pygame.FINGERDOWN:
                w, h = self.size
                found.append(Touch(int(event.x * w), int(event.y * h)))
        return found

    def _device_error(self) -> str | None:
        pygame = self._pygame
        if not pygame.display.get_init() or pygame.display.get_surface() is not self.surface:
            return "display not initialised"
        return None

    def _release(self) -> None:
        if self._pygame.display.get_surface() is self.surface:
            self._pygame.display.quit()


def window_screen(size: tuple[int, int], title: str = "hallstack") -> PygameScreen:
    return PygameScreen(size, title)


def fullscreen_screen(size: tuple[int, int], title: str = "hallstack") -> PygameScreen:
    return PygameScreen(size, title, fullscreen=True)
