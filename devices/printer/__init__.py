"""Receipt printers: the :class:`Printer` interface, its backends and the ESC/POS tools.

Backends: :class:`~devices.printer.escpos_backend.EscposPrinter` (USB, serial, network; imports
python-escpos, pyusb and pyserial only when built) and
:class:`~devices.printer.simulated.SimulatedPrinter`. A node chooses one from its config and
passes it in; there is no default printer.
"""

from devices.printer.interface import (
    COVER_STATES,
    LINE_STATES,
    PAPER_STATES,
    UNKNOWN,
    Printer,
    PrinterError,
    PrinterStatus,
)

BACKENDS = ("simulated", "usb", "serial", "network")

__all__ = ["BACKENDS", "COVER_STATES", "LINE_STATES", "PAPER_STATES", "UNKNOWN", "Printer",
           "PrinterError", "PrinterStatus"]
