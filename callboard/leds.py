"""The rules a person at a window sees on its LED screen, above any screen backend.

    call A012 ──► "请A012号" flash ──(flash_s)──► "请A012号" static
    window paused/closed ──► "暂停服务"        open, nobody served ──► "热情为您服务"

The sentence is the hall's one (``[queue] call_template``): the ``called`` event's ``text``, or
for a ticket known only from the retained window state, the same template filled in by
``sentence``. A repeat of the same call within ``repeat_s`` of its flash is not sent again.
Nothing is sent that the screen already shows. Brightness follows the time of day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from callboard import strings
from devices.ledscreen import WindowScreen
from wire.schema import key

RETRY_S = 5.0


@dataclass(frozen=True)
class LedRules:
    """Timings, texts and the brightness schedule of the LED screens: the keys of the
    callboard's ``[nodes.devices.led]`` table (docs/callboard.md)."""

    flash_s: float = key(3.0, min=0.0, max=60.0)
    repeat_s: float = key(5.0, min=0.0, max=600.0)
    idle_text: str = key(strings.LED_IDLE)
    paused_text: str = key(strings.LED_PAUSED)
    closed_text: str = key(strings.LED_CLOSED)
    day_from: time = key(time(8, 0))
    day_to: time = key(time(18, 0))
    brightness_day: int = key(100, min=0, max=100)
    brightness_night: int = key(30, min=0, max=100)

    def brightness(self, at: time) -> int:
        return self.brightness_day if self.day_from <= at < self.day_to else self.brightness_night


class WindowLed:
    """One window's LED screen driven by the window's retained state and its calls.
    ``sentence(no, service)`` is the hall's call sentence for this window."""

    def __init__(self, window: int, screen: WindowScreen, rules: LedRules,
                 sentence: Callable[[str, str | None], str]):
        self.window, self.screen, self.rules = window, screen, rules
        self.sentence = sentence
        self.status: str | None = None  # None until the hub's retained state is seen
        self.serving: str | None = None
        self._serving_text: str | None = None
        self._flash_text: str | None = None
        self._flash_since = float("-inf")
        self._shown: tuple[str, str] | None = None
        self._brightness: int | None = None
        self._retry_at = float("-inf")
        self.error: str | None = None
        self._call_seq: tuple[str | None, int] | None = None  # (epoch, seq) of the last call

    def apply_state(self, payload: dict) -> None:
        """Take the window's retained ``state/window/{n}``, unless it is older than the call
        this screen flashed (the call comes on the fast path, the state after it may still
        wait behind an older one: its ``seq`` says which events it reflects)."""
        seq, epoch = payload.get("seq"), payload.get("epoch")
        if (self._call_seq is not None and epoch == self._call_seq[0]
                and isinstance(seq, int) and seq < self._call_seq[1]):
            return
        self.status = payload.get("status")
        serving = payload.get("serving")
        no = serving.get("no") if isinstance(serving, dict) else None
        if no != self.serving:  # a ticket known from the state alone: the sentence filled in
            service = serving.get("service") if isinstance(serving, dict) else None
            self._serving_text = self.sentence(no, service) if no else None
        self.serving = no

    def on_call(self, no: str, now: float, text: str | None = None,
                service: str | None = None, seq: tuple[str | None, int] | None = None) -> None:
        """A ``called`` event for this window (its ``text``; ``seq``: its epoch and seq): flash
        it unless just flashed."""
        if seq is not None and isinstance(seq[1], int):
            self._call_seq = seq
        text = text or self.sentence(no, service)
        if text == self._flash_text and now - self._flash_since < self.rules.repeat_s:
            return
        self._flash_text, self._flash_since = text, now
        self.serving, self._serving_text = no, text
        if self.status is None:
            self.status = "open"  # a call means the window is open, state will confirm

    def wanted(self, now: float) -> tuple[str, str] | None:
        """``(text, mode)`` the screen should show now, or None while nothing is known."""
        if self.status in ("paused", "closed"):
            text = self.rules.paused_text if self.status == "paused" else self.rules.closed_text
            return text, "static"
        if self.status is None:
            return None
        call = self._serving_text if self.serving else None
        if self._flash_text and now - self._flash_since < self.rules.flash_s:
            return self._flash_text, "flash"
        return (call, "static") if call else (self.rules.idle_text, "static")

    def poll(self, now: float, wall: time) -> None:
        """Send what changed; a failing screen is recorded in :attr:`error`, never raised, and
        tried again after ``RETRY_S`` (a stuck line must not stall the other screens)."""
        if now < self._retry_at:
            return
        try:
            level = self.rules.brightness(wall)
            if level != self._brightness:
                self.screen.set_brightness(level)
                self._brightness = level
            wanted = self.wanted(now)
            if wanted is not None and wanted != self._shown:
                self.screen.show(*wanted)
                self._shown = wanted
            self.error = None
        except (OSError, ValueError) as exc:
            self.error = str(exc)
            self._retry_at = now + RETRY_S

    @property
    def shown(self) -> tuple[str, str] | None:
        """What was last sent to the screen."""
        return self._shown
