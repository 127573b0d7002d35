"""The kiosk's node health: the printer's last status and the last ticket it failed to print,
published (retained) through the hub client whenever it changes."""

from __future__ import annotations

import logging

from devices.printer import PrinterStatus

log = logging.getLogger(__name__)


class KioskHealth:
    """Holds and publishes ``{"printer": {...}, "last_print_failure": {...}}``; ``publish`` is
    the client's ``publish_health``."""

    def __init__(self, publish, printer_kind: str):
        self._publish = publish
        self._kind = printer_kind
        self.printer = PrinterStatus()
        self.payload: dict | None = None

    def printer_status(self, status: PrinterStatus) -> bool:
        """Record a status read; publish and return True when it changed (or is the first)."""
        changed = status != self.printer or self.payload is None
        self.printer = status
        if changed:
            self._send(dict(self.payload or {}, printer=dict(status.health(), backend=self._kind)))
        return changed

    def print_failed(self, no: str, at: str) -> None:
        """A ticket the hub issued did not come out of the printer."""
        failure = {"no": no, "at": at, "printer": self.printer.state}
        self._send(dict(self.payload or {}, last_print_failure=failure))

    def _send(self, payload: dict) -> None:
        self.payload = payload
        try:
            self._publish(payload)
        except Exception:  # noqa: BLE001 - health is best effort; the ticket flow goes on
            log.exception("publishing health failed")
