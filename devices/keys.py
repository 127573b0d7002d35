"""Keys a person presses: the clerk's call keypad (呼叫器) and the citizen's rating pad (评价器)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

#: Key names the window node understands, whatever the hardware behind them.
CLERK_KEYS = (
    "call_next", "recall", "skip", "finish", "pause", "resume", "transfer",
    "hold", "call_back", "start", "login", "logout",
)
RATING_KEYS = ("rate_1", "rate_2", "rate_3", "rate_4", "rate_5")  # rate_5 = 非常满意
LED_MODES = ("off", "on", "blink")
SIGNALS = ("ok", "refused")


def check_invitation(seconds: object) -> int:
    """``seconds`` if it is an int 0–600 (0 ends an invitation), else ValueError."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 600:
        raise ValueError(f"a rating invitation lasts 0–600 s, got {seconds!r}")
    return seconds


@dataclass(frozen=True)
class KeyPress:
    """One accepted press: the key's name, when it happened (monotonic s), and which pad sent it."""

    key: str
    at: float
    source: str
    digit: int | None = None


class KeyPad(ABC):
    """A set of keys with LEDs and a buzzer: a GPIO keypad, a Modbus pad or a legacy caller.

    A backend must implement :meth:`on_press`, :meth:`set_led`, :meth:`signal` and
    :meth:`health`. ``on_press`` registers the one callback that
    receives each accepted :class:`KeyPress` exactly once (debounced, a held key once), possibly
    on the backend's own thread, so the callback only posts the press to its node. ``set_led``
    takes an LED name (a key name or a pad-specific one) and one of :data:`LED_MODES`.
    ``signal`` gives the clerk feedback: ``ok`` or ``refused`` (a distinct pattern or beep).
    Presses accepted before ``on_press`` wait for it (in the pad or in the backend) and are
    delivered then; after :meth:`close` nothing is delivered. Bad input raises ValueError and
    drives nothing. ``tests/contracts/test_keypad.py`` holds every backend to this.
    A backend may override :meth:`invite_rating`, :meth:`show_call`, :meth:`show_waiting` and
    :meth:`close`.
    """

    #: True for keys no finger can press (node health says so).
    simulated = False

    @abstractmethod
    def on_press(self, callback: Callable[[KeyPress], None]) -> None:
        """Deliver every accepted press to ``callback``."""

    @abstractmethod
    def set_led(self, name: str, mode: str) -> None:
        """Switch LED ``name`` to ``mode``; ValueError for an unknown name or mode."""

    @abstractmethod
    def signal(self, kind: str) -> None:
        """Buzzer/LED feedback, ``ok`` or ``refused``; ValueError otherwise."""

    @abstractmethod
    def health(self) -> dict:
        """At least ``{"state": "ok" | "silent" | "error" | "unknown"}``."""

    def invite_rating(self, seconds: int) -> None:
        """Open the pad's own rating invitation for ``seconds`` (a pad whose firmware refuses
        presses nobody invited, e.g. hallstack's Modbus pad); the default has none. Every
        backend refuses a duration outside 0–600 s with ValueError (:func:`check_invitation`)."""
        check_invitation(seconds)

    def show_call(self, no: str) -> None:
        """Show the ticket just called at this window (e.g. an FF68 caller's 7-segment digits
        of its last three digits); the default shows nothing."""

    def show_waiting(self, count: int) -> None:
        """Show how many citizens wait for this window's services; the default shows nothing."""

    def close(self) -> None:
        """Release pins or the line; the default has nothing to release."""
