"""Real pins through the RPi.GPIO API (RPi.GPIO on a Pi 1–4, rpi-lgpio on a Pi 5).

The library is imported here, when this backend is built, never at package import: off a Pi it
raises RuntimeError, which becomes :class:`GpioUnavailable` with a line for the technician.
"""

from __future__ import annotations

import logging
import threading
import time

from devices.gpio.pins import (
    BLINK_HZ,
    EdgeCallback,
    GpioUnavailable,
    Pins,
    check_mode,
    check_pattern,
    check_pin,
    check_pull,
)

log = logging.getLogger(__name__)


class RPiGPIOPins(Pins):
    """BCM-numbered pins of this Pi. Inputs get the pull and edge detection on both edges with
    no library bouncetime (RPi.GPIO's bouncetime drops the release edges the key rule needs);
    blinking uses the library's software PWM; buzzer patterns play on a daemon thread."""

    name = "rpi"

    def __init__(self, gpio=None):
        if gpio is None:
            try:
                import RPi.GPIO as gpio  # noqa: N813 - the library's own spelling
            except (ImportError, RuntimeError) as exc:
                raise GpioUnavailable(
                    f"RPi.GPIO cannot be used here ({exc}); on a Pi 1–4 install RPi.GPIO, on a "
                    "Pi 5 rpi-lgpio, or set the pad's backend to \"simulated\"") from None
        self._gpio = gpio
        gpio.setwarnings(False)
        gpio.setmode(gpio.BCM)
        self._pins: set[int] = set()
        # What this backend set up, checked before the library is called: RPi.GPIO would
        # answer RuntimeError, let an input become an output, or fail later on a thread.
        self._inputs: set[int] = set()
        self._outputs: set[int] = set()
        self._pwm: dict[int, object] = {}
        self._players: dict[int, threading.Event] = {}
        self._error: str | None = None

    def setup_input(self, pin: int, pull: str, on_edge: EdgeCallback) -> None:
        g = self._gpio
        check_pin(pin)
        pud = {"up": g.PUD_UP, "down": g.PUD_DOWN, "off": g.PUD_OFF}[check_pull(pull)]
        self._check_free(pin)
        g.setup(pin, g.IN, pull_up_down=pud)

        def edge(channel: int) -> None:
            # Read the level inside the callback: RPi.GPIO reports "an edge", not which one.
            on_edge(channel, int(g.input(channel)), time.monotonic())

        try:
            g.add_event_detect(pin, g.BOTH, callback=edge)
        except RuntimeError as exc:  # "Failed to add edge detection": pin busy elsewhere
            self._error = f"pin {pin}: {exc}"
            raise
        self._pins.add(pin)
        self._inputs.add(pin)

    def _check_free(self, pin: int, output: bool = False) -> None:
        if pin in self._inputs:
            raise ValueError(f"pin {pin} is already an input")
        if pin in self._outputs and not output:  # an output set up again (a shared buzzer)
            raise ValueError(f"pin {pin} is already an output")

    def _check_output(self, pin: int) -> None:
        if check_pin(pin) not in self._outputs:
            raise ValueError(f"pin {pin} is not an output")

    def level(self, pin: int) -> int:
        if check_pin(pin) not in self._inputs:
            raise ValueError(f"pin {pin} is not an input")
        return int(self._gpio.input(pin))

    def setup_output(self, pin: int) -> None:
        g = self._gpio
        self._check_free(check_pin(pin), output=True)
        g.setup(pin, g.OUT, initial=g.LOW)
        self._pins.add(pin)
        self._outputs.add(pin)

    def set_output(self, pin: int, mode: str) -> None:
        g = self._gpio
        check_mode(mode)
        self._check_output(pin)
        pwm = self._pwm.pop(pin, None)
        if pwm is not None:
            pwm.stop()
        if mode == "blink":
            pwm = g.PWM(pin, BLINK_HZ)
            pwm.start(50)
            self._pwm[pin] = pwm
        else:
            g.output(pin, g.HIGH if mode == "on" else g.LOW)

    def play(self, pin: int, pattern: tuple[float, ...]) -> None:
        pattern = check_pattern(pattern)
        self._check_output(pin)
        old = self._players.pop(pin, None)
        if old is not None:
            old.set()  # a new signal cuts the old one short
        stop = threading.Event()
        self._players[pin] = stop
        threading.Thread(target=self._play, args=(pin, pattern, stop), daemon=True,
                         name=f"gpio-play-{pin}").start()

    def _play(self, pin: int, pattern: tuple[float, ...], stop: threading.Event) -> None:
        g = self._gpio
        try:
            for i, seconds in enumerate(pattern):
                if stop.is_set():
                    return  # cut short: a new signal drives the pin now, or close() freed it
                g.output(pin, g.HIGH if i % 2 == 0 else g.LOW)
                stop.wait(seconds)
            if not stop.is_set():
                g.output(pin, g.LOW)
        except RuntimeError:  # close() cleaned the pin up under this thread: nothing to drive
            log.debug("gpio pin %s closed while a signal played", pin)

    def close(self) -> None:
        for stop in self._players.values():
            stop.set()
        for pwm in self._pwm.values():
            pwm.stop()
        if self._pins:
            self._gpio.cleanup(sorted(self._pins))
        self._pins.clear()
        self._inputs.clear()
        self._outputs.clear()
        self._players.clear()
        self._pwm.clear()

    def health(self) -> dict:
        if self._error:
            return {"state": "error", "backend": self.name, "error": self._error}
        return {"state": "ok", "backend": self.name}
