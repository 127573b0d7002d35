"""The rule a person feels on a key: one press fires once, however it bounces or however long
it is held. It lives above the pin backend so real and simulated pins obey the same code.

The rule, for one key (``bounce_s`` = 50 ms by default)::

    pressed  ─┐ ┌┐ ┌┐┌───────── held ──────────┐┌┐ ┌──────────┐ ┌┐   ┌─────
    released  └─┘└─┘└┘                         └┘└─┘          └─┘└───┘
              ▲                                                      ▲
              fires at the first edge                                fires: released for
              (no wait: the clerk hears the call at once)            ≥ bounce_s before it
              │◄── contact bounce: ignored ──►│◄─ release bounce ─►│
                        holding fires nothing more   ignored: each release
                                                     gap < bounce_s

* A press fires on its **first** pressed edge, so the reaction has no debounce delay.
* After that the key is *disarmed*. It re-arms only once it has stayed released for at least
  ``bounce_s`` without interruption; the next pressed edge after that fires again. Bounce on
  press or release (gaps shorter than ``bounce_s``) and holding the key fire nothing.
* A key already pressed when watching starts (stuck, or held at boot) fires only after a clean
  release.
* Edges arrive with their own times (``t``), so the rule needs no timer and no sleeping: a test
  feeds an exact bouncy sequence with explicit timestamps.
"""

from __future__ import annotations

import math

DEFAULT_BOUNCE_S = 0.05


class KeyDebouncer:
    """One key's press rule (see the module's timing diagram)."""

    def __init__(self, bounce_s: float = DEFAULT_BOUNCE_S, pressed: bool = False):
        if isinstance(bounce_s, bool) or not isinstance(bounce_s, (int, float)) \
                or not 0 <= bounce_s <= 1:
            raise ValueError(f"bounce time must be 0–1 s, got {bounce_s!r}")
        self.bounce_s = float(bounce_s)
        self.pressed = pressed
        # A key pressed at start has not been released cleanly: treat it as released "now".
        self._released_at = -math.inf if not pressed else math.inf
        self._last_t = -math.inf

    def feed(self, pressed: bool, t: float) -> bool:
        """Take the key's new raw state at time ``t``; True when this edge is an accepted press.

        A repeated state (no change) is ignored; time going backwards is a ValueError.
        """
        if t < self._last_t:
            raise ValueError(f"edge at {t} is earlier than the previous edge at {self._last_t}")
        self._last_t = t
        if pressed == self.pressed:
            return False
        self.pressed = pressed
        if not pressed:
            self._released_at = t
            return False
        return t - self._released_at >= self.bounce_s
