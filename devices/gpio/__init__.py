"""GPIO keys, LEDs and a buzzer: a pin backend (RPi.GPIO or simulated), the debounce/hold rule
above it, and :class:`GpioKeyPad`, the :class:`devices.keys.KeyPad` built on them."""

from devices.gpio.debounce import KeyDebouncer
from devices.gpio.keypad import GpioKeyPad
from devices.gpio.pins import OUTPUT_MODES, PULLS, Pins
from devices.gpio.sim import SimulatedPins

__all__ = ["GpioKeyPad", "KeyDebouncer", "OUTPUT_MODES", "PULLS", "Pins", "SimulatedPins",
           "make_pins"]


def make_pins(backend: str, **kwargs) -> Pins:
    """The pin backend named ``backend`` (``simulated`` or ``rpi``); RPi.GPIO loads only here."""
    if backend == "simulated":
        return SimulatedPins(**kwargs)
    if backend == "rpi":
        from devices.gpio.rpi import RPiGPIOPins

        return RPiGPIOPins(**kwargs)
    raise ValueError(f"unknown GPIO backend {backend!r}: simulated or rpi")
