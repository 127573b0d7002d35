"""The simulated twin of a node's screen: offscreen, no display, honest about what it shows."""

from __future__ import annotations

from devices.recorder import DISCARD, Recorder
from devices.screen import Screen


class SimScreen(Screen):
    """A plain pygame surface: it opens no display, so any number live in one process beside a
    real window. Like a real screen it shows only what was presented: :meth:`save_shown_png`
    writes the picture as of the last :meth:`present` (what a real screen would show now), and
    each present is recorded (``screen.present``: the frame's number) to :attr:`recorder`.
    Touches come only from :meth:`inject_touch`."""

    backend = "offscreen"
    simulated = True

    def __init__(self, size: tuple[int, int], title: str = "hallstack", keep_shown: bool = False):
        super().__init__(size, title)
        self.surface = self._pygame.Surface(self.size)
        self.presented = 0   # frames presented so far
        self.recorder: Recorder = DISCARD
        self.keep_shown = keep_shown   # copy each presented frame (tests, hallsim: it costs)
        self._shown = None

    def present(self) -> None:
        if self.closed:
            return
        self.presented += 1
        if self.keep_shown:
            self._shown = self.surface.copy()
        self.recorder.record("screen.present", self.presented)

    def save_shown_png(self, path: str) -> str:
        """Write what a real screen would show now (black before the first present) to
        ``path``; needs ``keep_shown``."""
        if not self.keep_shown:
            raise RuntimeError("this screen keeps no shown frame: make it with keep_shown=True")
        shown = self._shown
        if shown is None:
            shown = self._pygame.Surface(self.size)
        self._pygame.image.save(shown, path)
        return path


def sim_screen(size: tuple[int, int], title: str = "hallstack") -> SimScreen:
    """The registry's ``offscreen`` screen."""
    return SimScreen(size, title)
