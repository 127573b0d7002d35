"""A KeyPad on GPIO pins: keys wired to pins with pull-ups, an LED per key, and a buzzer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from devices.gpio.debounce import DEFAULT_BOUNCE_S, KeyDebouncer
from devices.gpio.pins import Pins
from devices.keys import CLERK_KEYS, LED_MODES, RATING_KEYS, SIGNALS, KeyPad, KeyPress

log = logging.getLogger(__name__)

#: Buzzer/LED feedback a clerk tells apart without looking: one short beep, or three.
SIGNAL_PATTERNS = {
    "ok": (0.08,),
    "refused": (0.08, 0.08, 0.08, 0.08, 0.08),
}
DIGIT = "digit"


class GpioKeyPad(KeyPad):
    """Keys, digit keys, LEDs and a buzzer on one :class:`~devices.gpio.pins.Pins` backend.

    ``keys`` maps key names (:data:`~devices.keys.CLERK_KEYS`, :data:`~devices.keys.RATING_KEYS`)
    to input pins, ``digits`` maps 0–9 to input pins (presses come as key ``"digit"`` with
    :attr:`KeyPress.digit`), ``leds`` maps LED names to output pins, ``buzzer`` is an output pin
    or None. Keys short the pin to ground against the pull-up (``active_low``). Each key obeys
    :class:`~devices.gpio.debounce.KeyDebouncer`. Presses that arrive before :meth:`on_press`
    are kept and delivered when it is called.
    """

    def __init__(self, pins: Pins, keys: dict[str, int], digits: dict[int, int] | None = None,
                 leds: dict[str, int] | None = None, buzzer: int | None = None,
                 bounce_s: float = DEFAULT_BOUNCE_S, active_low: bool = True,
                 source: str = "gpio"):
        digits = dict(digits or {})
        leds = dict(leds or {})
        for name in keys:
            if name not in CLERK_KEYS + RATING_KEYS:
                raise ValueError(f"unknown key {name!r}; keys are {', '.join(CLERK_KEYS + RATING_KEYS)}")
        for d in digits:
            if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 9:
                raise ValueError(f"digit keys are 0–9, got {d!r}")
        used = list(keys.values()) + list(digits.values()) + list(leds.values())
        used += [buzzer] if buzzer is not None else []
        dup = sorted({p for p in used if used.count(p) > 1}, key=str)
        if dup:
            raise ValueError(f"pins used twice: {', '.join(map(str, dup))}")
        KeyDebouncer(bounce_s)  # validates bounce_s before any pin is touched
        self.pins = pins
        self.source = source
        self.keys = dict(keys)
        self.digits = digits
        self.leds = leds
        self.buzzer = buzzer
        self._active = 0 if active_low else 1
        self._by_pin: dict[int, tuple[str, int | None]] = {p: (k, None) for k, p in keys.items()}
        self._by_pin.update({p: (DIGIT, d) for d, p in digits.items()})
        self._lock = threading.Lock()
        self._callback: Callable[[KeyPress], None] | None = None
        self._early: list[KeyPress] = []
        self._debouncers: dict[int, KeyDebouncer] = {}
        pull = "up" if active_low else "down"
        for pin in self._by_pin:
            pins.setup_input(pin, pull, self._edge)
            self._debouncers[pin] = KeyDebouncer(bounce_s, pressed=pins.level(pin) == self._active)
        for pin in list(leds.values()) + ([buzzer] if buzzer is not None else []):
            pins.setup_output(pin)
        self.led_modes = {name: "off" for name in leds}

    def pin_of(self, key: str, digit: int | None = None) -> int:
        """The input pin of ``key`` (or of digit key ``digit``): for tests and the demo."""
        if key == DIGIT:
            return self.digits[digit]
        return self.keys[key]

    def _edge(self, pin: int, level: int, t: float) -> None:
        with self._lock:
            accepted = self._debouncers[pin].feed(level == self._active, t)
            if not accepted:
                return
            key, digit = self._by_pin[pin]
            press = KeyPress(key, t, self.source, digit)
            callback = self._callback
            if callback is None:
                self._early.append(press)
                return
        callback(press)

    # -- KeyPad -----------------------------------------------------------------------------
    def on_press(self, callback: Callable[[KeyPress], None]) -> None:
        with self._lock:
            self._callback = callback
            early, self._early = self._early, []
        for press in early:
            callback(press)

    def set_led(self, name: str, mode: str) -> None:
        if mode not in LED_MODES:
            raise ValueError(f"unknown LED mode {mode!r}; expected one of {', '.join(LED_MODES)}")
        if name not in self.leds:
            raise ValueError(f"this pad has no LED {name!r}; it has {', '.join(self.leds) or 'none'}")
        self.pins.set_output(self.leds[name], mode)
        self.led_modes[name] = mode

    def signal(self, kind: str) -> None:
        if kind not in SIGNALS:
            raise ValueError(f"unknown signal {kind!r}; expected one of {', '.join(SIGNALS)}")
        if self.buzzer is not None:
            self.pins.play(self.buzzer, SIGNAL_PATTERNS[kind])
        if "signal" in self.leds:  # a pad without a buzzer shows the same rhythm on an LED
            self.pins.play(self.leds["signal"], SIGNAL_PATTERNS[kind])

    @property
    def simulated(self) -> bool:
        return self.pins.simulated

    def health(self) -> dict:
        state = self.pins.health()
        return {"state": state.get("state", "unknown"), "backend": state.get("backend"),
                "keys": len(self._by_pin)}

    def close(self) -> None:
        self.pins.close()
