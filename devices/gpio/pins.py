"""The pin backend interface: input pins that report every edge, output pins for LEDs/buzzers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

PULLS = ("up", "down", "off")
OUTPUT_MODES = ("off", "on", "blink")
BLINK_HZ = 2.0  # an LED inviting a press: slow enough to read as "blinking", not flicker
BCM_PINS = range(0, 28)

#: ``on_edge(pin, level, t)``: the pin's level (0/1) after the edge, monotonic seconds.
EdgeCallback = Callable[[int, int, float], None]


class GpioUnavailable(RuntimeError):
    """The real GPIO library cannot be used on this machine (not a Pi, or not installed)."""


class Pins(ABC):
    """A set of GPIO pins, numbered BCM.

    A backend must implement :meth:`setup_input`, :meth:`level`, :meth:`setup_output`,
    :meth:`set_output`, :meth:`play` and :meth:`close`; it may override :meth:`health`.

    Inputs: ``setup_input`` enables the pull and edge detection on both edges and then calls
    ``on_edge(pin, level, t)`` once per edge, possibly on its own thread, with the level after
    the edge and ``t`` from the backend's monotonic time source. A backend reports edges as they
    come: it must **not** debounce or drop edges; the rules a person feels (bounce, a held key
    firing once) live above it in :mod:`devices.gpio.debounce`, so real and simulated pins obey
    the same code.

    Outputs: ``set_output(pin, mode)`` with a mode of :data:`OUTPUT_MODES` (``blink`` at
    :data:`BLINK_HZ`, driven by the backend so that it keeps blinking without the node's help);
    ``play(pin, pattern)`` drives the pin through alternating on/off durations in seconds,
    starting with on, then leaves it off (a buzzer's beeps), without blocking the caller.
    Bad pin numbers, pulls or modes raise ValueError and change nothing.
    """

    name = "pins"
    simulated = False

    @abstractmethod
    def setup_input(self, pin: int, pull: str, on_edge: EdgeCallback) -> None:
        """Make ``pin`` an input with ``pull`` and report its edges to ``on_edge``."""

    @abstractmethod
    def level(self, pin: int) -> int:
        """The input's level now, 0 or 1."""

    @abstractmethod
    def setup_output(self, pin: int) -> None:
        """Make ``pin`` an output, off."""

    @abstractmethod
    def set_output(self, pin: int, mode: str) -> None:
        """Switch an output ``off``, ``on`` or ``blink``."""

    @abstractmethod
    def play(self, pin: int, pattern: tuple[float, ...]) -> None:
        """Drive ``pin`` on/off through ``pattern`` (seconds), then off; returns at once."""

    @abstractmethod
    def close(self) -> None:
        """Release every pin this backend set up."""

    def health(self) -> dict:
        """At least ``{"state": "ok" | "error" | "unknown"}``."""
        return {"state": "ok", "backend": self.name}


def check_pin(pin: object, valid: range | None = BCM_PINS) -> int:
    """``pin`` if it is a usable pin number, else ValueError."""
    if isinstance(pin, bool) or not isinstance(pin, int) or (valid is not None and pin not in valid):
        where = f" {valid.start}–{valid.stop - 1}" if valid is not None else ""
        raise ValueError(f"GPIO pin must be an integer{where} (BCM numbering), got {pin!r}")
    return pin


def check_pull(pull: str) -> str:
    if pull not in PULLS:
        raise ValueError(f"unknown pull {pull!r}; expected one of {', '.join(PULLS)}")
    return pull


def check_mode(mode: str) -> str:
    if mode not in OUTPUT_MODES:
        raise ValueError(f"unknown output mode {mode!r}; expected one of {', '.join(OUTPUT_MODES)}")
    return mode


def check_pattern(pattern: tuple[float, ...]) -> tuple[float, ...]:
    pattern = tuple(pattern)
    if not pattern or any(isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x <= 5
                          for x in pattern):
        raise ValueError(f"pattern must be durations in seconds, each 0–5 s, got {pattern!r}")
    return pattern
