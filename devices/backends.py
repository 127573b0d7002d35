"""devices' own backends in the device registry (:mod:`devices.registry`): printers, GPIO pins,
audio outputs, LED window screens on their own serial port or simulated, node screens (a
pygame window, or its simulated twin).
Factories import their hardware library only when called."""

from __future__ import annotations

from pathlib import Path

_HERE = "devices.backends"
BACKENDS = {
    ("printer", "simulated"): f"{_HERE}:simulated_printer",
    ("printer", "usb"): f"{_HERE}:escpos_printer_usb",
    ("printer", "serial"): f"{_HERE}:escpos_printer_serial",
    ("printer", "network"): f"{_HERE}:escpos_printer_network",
    ("pins", "simulated"): "devices.gpio.sim:SimulatedPins",
    ("pins", "rpi"): "devices.gpio.rpi:RPiGPIOPins",
    ("audio", "wav"): f"{_HERE}:wav_audio",
    ("audio", "pygame"): f"{_HERE}:mixer_audio",
    ("led", "sim"): f"{_HERE}:sim_led",
    ("led", "serial"): f"{_HERE}:serial_led",
    ("screen", "offscreen"): "devices.screen_sim:sim_screen",
    ("screen", "window"): "devices.screen_pygame:window_screen",
    ("screen", "fullscreen"): "devices.screen_pygame:fullscreen_screen",
    ("scanner", "sim"): "devices.scanner.sim:SimScanner",
    ("scanner", "serial"): "devices.scanner.serial_scanner:SerialScanner",
    ("scanner", "hid"): "devices.scanner.hid:HidScanner",
}


def simulated_printer(width_mm: int, **_ignored):
    from devices.printer.simulated import SimulatedPrinter

    return SimulatedPrinter(width_mm=width_mm)


def escpos_printer_usb(**options):
    from devices.printer.escpos_backend import EscposPrinter

    return EscposPrinter.usb(**options)


def escpos_printer_serial(**options):
    from devices.printer.escpos_backend import EscposPrinter

    return EscposPrinter.serial(**options)


def escpos_printer_network(**options):
    from devices.printer.escpos_backend import EscposPrinter

    return EscposPrinter.network(**options)


def wav_audio(*, out_dir: Path, device: str | None = None):
    """Announcements written as WAV files (the simulated speaker)."""
    from devices.audio.sim import WavAudioOut

    return WavAudioOut(out_dir)


def mixer_audio(*, out_dir: Path, device: str | None = None):
    """The Pi's speaker through pygame's mixer."""
    from devices.audio.mixer import MixerAudioOut

    return MixerAudioOut(device)


def sim_led(port, *, path: str, out_dir: Path | None = None):
    """A simulated window screen; with ``out_dir`` its frames go to led-window-<n>.bin."""
    from devices.ledscreen_sim import SimWindowScreen

    record_to = None
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        record_to = Path(out_dir) / f"led-window-{port.window}.bin"
    return SimWindowScreen(port.address, record_to=record_to)


def serial_led(port, *, path: str, out_dir: Path | None = None):
    """A plain serial window screen on its own port."""
    from devices.ledscreen_serial import SerialWindowScreen

    return SerialWindowScreen(port.port, port.address, port.baudrate, port.ack)
