"""What a window shows on its pads: the LEDs (written on change only) and the clerk keypad's own
display (the ticket being served, else the waiting count, at most once a second)."""

from __future__ import annotations

import logging

from devices.keys import KeyPad

log = logging.getLogger(__name__)

CLERK_LEDS = ("online", "serving", "paused")
WAITING_EVERY_S = 1.0  # the keypad's waiting count follows the queue at most this often


class PadOutputs:
    """Drives ``keypad`` (the clerk's) and ``pad`` (the citizen's; may be the same object)."""

    def __init__(self, window: int, keypad: KeyPad, pad: KeyPad):
        self.window, self.keypad, self.pad = window, keypad, pad
        self._leds: dict[tuple[int, str], str] = {}
        self._no_led: set[tuple[int, str]] = set()
        self._display: tuple | None = None  # what the keypad's own display shows now
        self._display_at = -1e9

    def leds(self, rating: dict[str, str], online: bool, serving: bool, paused: bool) -> None:
        """The rating pad's LEDs as the session wants them; the clerk's status LEDs."""
        for name, mode in rating.items():
            self._set_led(self.pad, name, mode)
        clerk = {"online": "on" if online else "blink",
                 "serving": "on" if serving else "off",
                 "paused": "on" if paused else "off"}
        for name in CLERK_LEDS:
            self._set_led(self.keypad, name, clerk[name])

    def _set_led(self, device: KeyPad, name: str, mode: str) -> None:
        key = (id(device), name)
        if key in self._no_led or self._leds.get(key) == mode:
            return
        try:
            device.set_led(name, mode)
        except ValueError:
            self._no_led.add(key)  # this pad has no such LED: fine, it shows what it can
            return
        self._leds[key] = mode

    def keypad_display(self, now: float, called_no: str | None, waiting: int | None) -> None:
        """The keypad's own display (KeyPad.show_call / show_waiting hooks): ``called_no`` while
        it is served, else the ``waiting`` count; on change only, the count at most every
        second."""
        if called_no:
            want: tuple = ("call", called_no)
        elif waiting is not None:
            want = ("waiting", waiting)
        else:
            return
        if want == self._display:
            return
        if want[0] == "waiting" and now - self._display_at < WAITING_EVERY_S:
            return
        self._display, self._display_at = want, now
        try:
            if want[0] == "call":
                self.keypad.show_call(want[1])
            else:
                self.keypad.show_waiting(want[1])
        except Exception:  # noqa: BLE001 - a display that cannot show this is not a reason to stop
            log.exception("window %s: keypad display %r failed", self.window, want)
