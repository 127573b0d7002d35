"""The kiosk's node health: the printer's last status and the last ticket it failed to print,
published (retained) through the hub client whenever it changes."""

from __future__ import annotations

import logging

from devices.printer import PrinterStatus

log = logging.getLogger(__name__)


class KioskHealth:
    """Holds and publishes ``{"simulated": …, "printer": {...}, "screen": {...},
    "last_print_failure": {...}}``; ``publish`` is the client's ``publish_health``. The node is
    ``simulated`` when it asked for simulated devices or any device is one."""

    def __init__(self, publish, printer, screen, simulate: bool = False):
        self._publish = publish
        self._printer_device = printer
        self._screen = screen
        self._simulate = simulate
        self.printer = PrinterStatus()
        self.payload: dict | None = None

    def _devices(self) -> dict:
        printer_sim = bool(getattr(self._printer_device, "simulated", False))
        screen = dict(self._screen.health()) if hasattr(self._screen, "health") else {}
        screen_sim = bool(getattr(self._screen, "simulated", False))
        return {"simulated": self._simulate or printer_sim or screen_sim,
                "printer": dict(self.printer.health(), backend=self._printer_device.kind,
                                simulated=printer_sim),
                "screen": dict(screen, simulated=screen_sim)}

    def printer_status(self, status: PrinterStatus) -> bool:
        """Record a status read; publish and return True when it changed (or is the first)."""
        changed = status != self.printer or self.payload is None
        self.printer = status
        if changed:
            self._send(dict(self.payload or {}, **self._devices()))
        return changed

    def print_failed(self, no: str, at: str) -> None:
        """A ticket the hub issued did not come out of the printer."""
        failure = {"no": no, "at": at, "printer": self.printer.state}
        self._send(dict(self.payload or {}, last_print_failure=failure))

    def scanner(self, health: dict) -> None:
        """The booking scanner's health (kiosk.booking.ScannerReader: when it fails)."""
        self._send(dict(self.payload or {}, scanner=health))

    def _send(self, payload: dict) -> None:
        self.payload = payload
        try:
            self._publish(payload)
        except Exception:  # noqa: BLE001 - health is best effort; the ticket flow goes on
            log.exception("publishing health failed")
