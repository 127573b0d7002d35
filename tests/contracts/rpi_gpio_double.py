"""A stand-in for the RPi.GPIO library (which cannot run off a Pi), answering as the library
does: its constants, its RuntimeError/ValueError messages, callbacks on a thread of its own.

The person's side: :meth:`drive` sets an input's level (an edge fires the callback);
:meth:`shown` is what an LED on an output shows.
"""

from __future__ import annotations

import threading


class PWM:
    def __init__(self, gpio: RPiGPIODouble, channel: int, frequency: float):
        self.gpio, self.channel, self.frequency = gpio, channel, frequency

    def start(self, duty_cycle: float) -> None:
        self.gpio.pwm[self.channel] = self

    def stop(self) -> None:
        self.gpio.pwm.pop(self.channel, None)


class RPiGPIODouble:
    BOARD, BCM = 10, 11
    OUT, IN = 0, 1
    LOW, HIGH = 0, 1
    PUD_OFF, PUD_DOWN, PUD_UP = 20, 21, 22
    RISING, FALLING, BOTH = 31, 32, 33

    def __init__(self):
        self.mode = None
        self.direction: dict[int, int] = {}
        self.levels: dict[int, int] = {}
        self.callbacks: dict[int, object] = {}
        self.pwm: dict[int, PWM] = {}
        self.lock = threading.Lock()

    def setwarnings(self, flag: bool) -> None:
        pass

    def setmode(self, mode: int) -> None:
        self.mode = mode

    def _channel(self, channel) -> int:
        if self.mode is None:
            raise RuntimeError("Please set pin numbering mode using GPIO.setmode(GPIO.BOARD) "
                               "or GPIO.setmode(GPIO.BCM)")
        if not isinstance(channel, int) or not 0 <= channel <= 27:
            raise ValueError("The channel sent is invalid on a Raspberry Pi")
        return channel

    def setup(self, channel, direction, pull_up_down=PUD_OFF, initial=-1) -> None:
        channel = self._channel(channel)
        self.direction[channel] = direction
        if direction == self.IN:
            self.levels[channel] = 1 if pull_up_down == self.PUD_UP else 0
        else:
            self.levels[channel] = 0 if initial in (-1, self.LOW) else 1

    def input(self, channel) -> int:
        channel = self._channel(channel)
        if channel not in self.direction:
            raise RuntimeError("You must setup() the GPIO channel first")
        return self.levels[channel]

    def output(self, channel, value) -> None:
        channel = self._channel(channel)
        if self.direction.get(channel) != self.OUT:
            raise RuntimeError("The GPIO channel has not been set up as an OUTPUT")
        self.levels[channel] = 1 if value else 0

    def add_event_detect(self, channel, edge, callback=None, bouncetime=None) -> None:
        channel = self._channel(channel)
        if self.direction.get(channel) != self.IN:
            raise RuntimeError("You must setup() the GPIO channel as an input first")
        if channel in self.callbacks:
            raise RuntimeError("Conflicting edge detection already enabled for this GPIO "
                               "channel")
        self.callbacks[channel] = callback

    def PWM(self, channel, frequency) -> PWM:  # noqa: N802 - the library's own name
        channel = self._channel(channel)
        if self.direction.get(channel) != self.OUT:
            raise RuntimeError("You must setup() the GPIO channel as an output first")
        return PWM(self, channel, frequency)

    def cleanup(self, channels=None) -> None:
        for channel in channels if channels is not None else list(self.direction):
            self.direction.pop(channel, None)
            self.callbacks.pop(channel, None)
            self.pwm.pop(channel, None)
            self.levels[channel] = 0

    # the person's side --------------------------------------------------------------------
    def drive(self, channel: int, level: int) -> None:
        """The pin's level changes; the library calls back on its own thread."""
        with self.lock:
            if self.levels.get(channel) == level:
                return
            self.levels[channel] = level
            callback = self.callbacks.get(channel)
        if callback is not None:
            thread = threading.Thread(target=callback, args=(channel,))
            thread.start()
            thread.join()

    def shown(self, channel: int) -> str:
        if channel in self.pwm:
            return "blink"
        return "on" if self.levels.get(channel) else "off"
