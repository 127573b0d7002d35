"""The kiosk's part of 网上预约 (docs/booking.md): what a scan or a typed text means, what the
screen says after a booking's check-in, and the scanner's reader thread.

A booking is checked in by its 8-character code (typed, or the booking QR: the code itself or
any URL ending in ``/<code>`` or carrying ``code=<code>``) or by the citizen's 18-character ID
number (``booking.checkin``). Anything else typed on the check-in keypad is an appointment code
of the older kind (``ticket.take`` with ``appointment``, after choosing the service).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from kiosk import strings as S

log = logging.getLogger(__name__)

CODE = re.compile(r"[2-9A-HJ-NP-Z]{8}")   # the hub's alphabet: no 0/O/1/I
ID_NUMBER = re.compile(r"\d{17}[\dX]")
REFUSALS = ("not_found", "too_early", "bad_id", "conflict")  # the check-in's own words


def checkin_args(text: str) -> dict | None:
    """``booking.checkin``'s args for a typed or scanned ``text``, or None if it is neither
    a booking code nor an ID number."""
    text = text.strip()
    if ID_NUMBER.fullmatch(text.upper()):
        return {"id_number": text.upper()}
    candidates = [text]
    if "/" in text or "?" in text:
        parts = urlsplit(text)
        candidates = parse_qs(parts.query).get("code", []) + \
            [parts.path.rstrip("/").rsplit("/", 1)[-1]]
    for c in candidates:
        if CODE.fullmatch(c.upper()):
            return {"code": c.upper()}
    return None


def result_lines(booking: dict | None) -> list[str]:
    """What the result screen adds for a booking's ticket (early, on time, late)."""
    if not isinstance(booking, dict):
        return []
    state, start = booking.get("state"), str(booking.get("slot_start") or "")[11:16]
    if state == "early":
        return [S.BOOKED_EARLY.format(start=start)]
    if state == "on_time":
        return [S.BOOKED_ON_TIME]
    if state == "late_walk_in":
        return [S.BOOKED_LATE.format(start=start)]
    return []


class ScannerReader:
    """Reads the scanner on its own thread and hands each scan to ``put`` (the node's queue:
    the node acts on it in its loop). A scanner that fails is reported once and read again
    every ``retry_s`` (a USB scanner re-plugged comes back)."""

    def __init__(self, scanner, put: Callable[[tuple], None], stop: threading.Event,
                 retry_s: float = 5.0):
        self.scanner, self.put, self.stop, self.retry_s = scanner, put, stop, retry_s
        self.thread = threading.Thread(target=self._run, daemon=True, name="scanner")

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        failing = False
        while not self.stop.is_set():
            try:
                scan = self.scanner.read(0.5)
            except OSError as exc:
                if not failing:
                    log.warning("scanner failed: %s", exc)
                    self.put(("scanner", self.scanner.health()))
                failing = True
                self.stop.wait(self.retry_s)
                continue
            except Exception:  # noqa: BLE001 - a reader that dies would leave scans unread
                log.exception("scanner read failed")
                self.stop.wait(self.retry_s)
                continue
            failing = False
            if scan is not None:
                self.put(("scan", scan))
