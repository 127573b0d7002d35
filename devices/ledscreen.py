"""LED window screens: the text above each window (窗口屏)."""

from __future__ import annotations

from abc import ABC, abstractmethod

MODES = ("static", "flash", "scroll")


class WindowScreen(ABC):
    """One window's LED screen.

    A backend must implement :meth:`show`, :meth:`set_brightness` and :meth:`health`; it may
    override :meth:`close`. ``show`` puts ``text`` on the screen in one of :data:`MODES`:
    ``flash`` blinks the text (the caller decides when to switch back to ``static``), ``scroll``
    runs it across. A backend sends what its wire protocol needs and nothing else; a simulated
    backend records exactly those bytes. Bad input raises ValueError and sends nothing. A
    screen that cannot be driven (a dead line, a controller that refuses or does not answer)
    raises OSError from ``show``/``set_brightness``, unless the backend queues commands for a
    line thread of its own (Modbus), which reports it in ``health`` instead. ``health`` returns
    at least ``{"state": "ok" | "silent" | "error" | "unknown"}``; "unknown" when the screen
    cannot be asked. ``tests/contracts/test_window_screen.py`` holds every backend to this.
    """

    #: True for a screen that only records what it would show (node health says so).
    simulated = False

    @abstractmethod
    def show(self, text: str, mode: str = "static") -> None:
        """Display ``text`` in ``mode``; raise ValueError for an unknown mode or unencodable text."""

    @abstractmethod
    def set_brightness(self, level: int) -> None:
        """Set brightness 0–100; raise ValueError outside that range."""

    @abstractmethod
    def health(self) -> dict:
        """Current health of the screen, see the class docstring."""

    def close(self) -> None:
        """Release the line or socket; the default has nothing to release."""


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is one of :data:`MODES`, else raise ValueError."""
    if mode not in MODES:
        raise ValueError(f"unknown screen mode {mode!r}; expected one of {', '.join(MODES)}")
    return mode


def check_brightness(level: int) -> int:
    """Return ``level`` if it is an int 0–100, else raise ValueError."""
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 100:
        raise ValueError(f"brightness must be an integer 0–100, got {level!r}")
    return level
