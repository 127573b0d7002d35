"""Simulated GPIO pins: tests and a keyboard drive inputs with explicit times; outputs are
recorded exactly as the real pins would be driven."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from devices.gpio.pins import (
    EdgeCallback,
    Pins,
    check_mode,
    check_pattern,
    check_pin,
    check_pull,
)
from devices.recorder import Recent

KEPT = 256  # edges per pin, output commands, buzzer patterns: more than any test reads


class SimulatedPins(Pins):
    """Pins in memory, with the same contract as the real backend.

    Inputs idle at their pull level (``up`` → 1). :meth:`drive` sets a level at an explicit
    time (default: ``time_source()``) and reports the edge like the hardware would, bounces and
    all; :meth:`drive_sequence` plays a timed edge list (a bouncy contact). Input changes are
    kept in :attr:`states` as ``(t, level)`` per pin, output commands in :attr:`outputs` as
    ``(t, pin, mode)`` and buzzer patterns in :attr:`played` as ``(t, pin, pattern)``: each the
    last :data:`KEPT` (a Pi's RPi.GPIO keeps none; a month's run must not grow with them).
    Pin numbers are not limited to the Pi's header (``valid=None``) unless asked.
    """

    name = "simulated"
    simulated = True

    def __init__(self, time_source: Callable[[], float] = time.monotonic,
                 valid: range | None = None):
        self._time = time_source
        self._valid = valid
        self._lock = threading.Lock()
        self._inputs: dict[int, tuple[str, EdgeCallback]] = {}
        self._levels: dict[int, int] = {}
        self._modes: dict[int, str] = {}
        self.states: dict[int, Recent] = {}
        self.outputs: Recent = Recent(KEPT)
        self.played: Recent = Recent(KEPT)
        self.closed = False

    # -- the backend contract ---------------------------------------------------------------
    def setup_input(self, pin: int, pull: str, on_edge: EdgeCallback) -> None:
        check_pin(pin, self._valid)
        check_pull(pull)
        if pin in self._modes:
            raise ValueError(f"pin {pin} is already an output")
        if pin in self._inputs:  # RPi.GPIO refuses a second edge detection on a pin
            raise ValueError(f"pin {pin} is already an input")
        level = 0 if pull == "down" else 1
        with self._lock:
            self._inputs[pin] = (pull, on_edge)
            self._levels[pin] = level
            self.states[pin] = Recent(KEPT, [(self._time(), level)])

    def level(self, pin: int) -> int:
        if pin not in self._inputs:
            raise ValueError(f"pin {pin} is not an input")
        return self._levels[pin]

    def setup_output(self, pin: int) -> None:
        check_pin(pin, self._valid)
        if pin in self._inputs:
            raise ValueError(f"pin {pin} is already an input")
        self._modes[pin] = "off"  # again on an output: allowed, as RPi.GPIO allows it

    def set_output(self, pin: int, mode: str) -> None:
        check_mode(mode)
        if pin not in self._modes:
            raise ValueError(f"pin {pin} is not an output")
        self._modes[pin] = mode
        self.outputs.append((self._time(), pin, mode))

    def play(self, pin: int, pattern: tuple[float, ...]) -> None:
        pattern = check_pattern(pattern)
        if pin not in self._modes:
            raise ValueError(f"pin {pin} is not an output")
        self.played.append((self._time(), pin, pattern))

    def close(self) -> None:
        """Release every pin, as RPi.GPIO's cleanup does: outputs go off and are forgotten."""
        self.closed = True
        self._inputs.clear()
        for pin, mode in list(self._modes.items()):
            if mode != "off":
                self.outputs.append((self._time(), pin, "off"))
        self._modes.clear()

    # -- what a test (or a keyboard) does to the pins ---------------------------------------
    def now(self) -> float:
        """The time source's time: what an edge driven without ``at`` is stamped with."""
        return self._time()

    def drive(self, pin: int, level: int, at: float | None = None) -> None:
        """Set input ``pin`` to ``level`` at time ``at``; an edge is reported if it changed."""
        if level not in (0, 1):
            raise ValueError(f"level must be 0 or 1, got {level!r}")
        if pin not in self._inputs:
            raise ValueError(f"pin {pin} is not an input")
        t = self._time() if at is None else at
        with self._lock:
            if self._levels[pin] == level:
                return
            self._levels[pin] = level
            self.states[pin].append((t, level))
            callback = self._inputs[pin][1]
        callback(pin, level, t)

    def drive_sequence(self, pin: int, edges: Iterable[tuple[float, int]]) -> None:
        """Drive ``(t, level)`` pairs in order: a bouncy contact, a held key, a glitch."""
        for t, level in edges:
            self.drive(pin, level, t)

    def _active(self, pin: int) -> int:
        pull = self._inputs.get(pin, ("up", None))[0]
        return 1 if pull == "down" else 0  # a key shorts the pin against its pull

    def press(self, pin: int, at: float | None = None) -> None:
        """Close the key on ``pin`` (drive it against its pull)."""
        self.drive(pin, self._active(pin), at)

    def release(self, pin: int, at: float | None = None) -> None:
        """Open the key on ``pin`` (back to its pull level)."""
        self.drive(pin, 1 - self._active(pin), at)

    def tap(self, pin: int, at: float | None = None, hold_s: float = 0.1) -> None:
        """Press and release cleanly, the release ``hold_s`` later. Without ``at``: now, or
        once the key has been up for ``hold_s`` if its last release is later (a finger cannot
        press a key before letting it go; two taps in one busy turn of a caller stay two)."""
        if at is None:
            with self._lock:
                edges = self.states[pin]
                t = max(self._time(), edges[-1][0] + hold_s if len(edges) > 1 else 0.0)
        else:
            t = at
        self.press(pin, t)
        self.release(pin, t + hold_s)

    def mode(self, pin: int) -> str:
        """An output's current mode."""
        return self._modes[pin]
