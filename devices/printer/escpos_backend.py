"""Real printers through python-escpos: USB (pyusb), serial (pyserial) and network (port 9100).

python-escpos opens a device lazily on first access and closes it in ``__del__``; here the
line is opened explicitly, reopened after a failure, and status is read one byte per query with
a short timeout, so a printer that does not answer ``DLE EOT`` costs one timeout and reads as
unknown.
"""

from __future__ import annotations

import threading

from devices.printer.escpos_lib import escpos_module
from devices.printer.interface import (
    UNKNOWN,
    Printer,
    PrinterError,
    PrinterStatus,
    check_job,
    check_width,
)
from devices.printer.status import QUERIES, parse_status


class EscposPrinter(Printer):
    """A printer reached through a python-escpos printer object ``device`` of kind
    ``usb``/``serial``/``network``. Build one with :meth:`usb`, :meth:`serial` or
    :meth:`network`."""

    def __init__(self, kind: str, device, width_mm: int = 80, status_timeout_s: float = 0.3):
        if kind not in ("usb", "serial", "network"):
            raise ValueError(f"unknown printer kind {kind!r}")
        self.kind = kind
        self.width_mm = check_width(width_mm)
        self.status_timeout_s = status_timeout_s
        self._escpos = device
        self._open = False
        self._lock = threading.Lock()

    @classmethod
    def usb(cls, vendor_id: int, product_id: int, width_mm: int = 80,
            status_timeout_s: float = 0.3, in_ep: int = 0x82, out_ep: int = 0x01,
            write_timeout_ms: int = 5000) -> EscposPrinter:
        """A USB printer by vendor and product id (needs pyusb and libusb-1.0-0). Endpoints
        differ between models (``lsusb -v``); a write that stalls fails after
        ``write_timeout_ms`` instead of hanging the kiosk (python-escpos's default waits
        forever)."""
        printer = escpos_module("escpos.printer").Usb(
            vendor_id, product_id, timeout=write_timeout_ms, in_ep=in_ep, out_ep=out_ep)
        return cls("usb", printer, width_mm, status_timeout_s)

    @classmethod
    def serial(cls, devfile: str, baudrate: int = 9600, width_mm: int = 80,
               status_timeout_s: float = 0.3) -> EscposPrinter:
        """A serial printer on ``devfile`` (needs pyserial); RTS/CTS off, as most kiosks wire it."""
        printer = escpos_module("escpos.printer").Serial(
            devfile=devfile, baudrate=baudrate, timeout=status_timeout_s, dsrdtr=False)
        return cls("serial", printer, width_mm, status_timeout_s)

    @classmethod
    def network(cls, host: str, port: int = 9100, width_mm: int = 80,
                status_timeout_s: float = 0.3, timeout_s: float = 5.0) -> EscposPrinter:
        """A network printer at ``host:port`` (raw TCP, usually 9100)."""
        printer = escpos_module("escpos.printer").Network(host=host, port=port, timeout=timeout_s)
        return cls("network", printer, width_mm, status_timeout_s)

    # -- line handling (callers hold the lock) ---------------------------------------------

    def _ensure_open(self) -> None:
        if self._open:
            return
        try:
            self._escpos.open()
        except Exception as exc:  # DeviceNotFoundError, USBError, OSError …: all mean "not there"
            reason = " ".join(str(exc).split())   # python-escpos messages span lines
            raise PrinterError(f"{self.kind} printer not reachable: {reason}") from None
        self._open = True

    def _drop(self) -> None:
        self._open = False
        try:
            self._escpos.close()
        except Exception:
            pass  # closing a line that already failed may fail again; it is closed either way

    def _read_byte(self) -> int | None:
        raw = self._escpos.device
        if self.kind == "serial":
            data = raw.read(1)
        elif self.kind == "network":
            raw.settimeout(self.status_timeout_s)
            try:
                data = raw.recv(1)
            except (TimeoutError, BlockingIOError):
                data = b""
            finally:
                raw.settimeout(self._escpos.timeout)
        else:
            dev = self._escpos
            try:
                data = bytes(raw.read(dev.in_ep, 16, int(self.status_timeout_s * 1000)))
            except Exception:  # usb.core.USBTimeoutError: no answer
                data = b""
        return data[0] if data else None

    def _drain(self) -> None:
        raw = self._escpos.device
        if self.kind == "serial":
            raw.reset_input_buffer()
        elif self.kind == "network":
            raw.setblocking(False)
            try:
                while raw.recv(64):
                    pass
            except (BlockingIOError, OSError):
                pass
            finally:
                raw.settimeout(self._escpos.timeout)

    # -- the interface ------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        data = check_job(data)
        with self._lock:
            self._ensure_open()
            try:
                self._escpos._raw(data)
            except Exception as exc:
                self._drop()
                reason = " ".join(str(exc).split())
                raise PrinterError(f"{self.kind} printer write failed: {reason}") from None

    def status(self) -> PrinterStatus:
        with self._lock:
            try:
                self._ensure_open()
            except PrinterError:
                return PrinterStatus(line="offline", error="not_reachable")
            answers: list[int | None] = []
            try:
                self._drain()
                for query in QUERIES:
                    self._escpos._raw(query)
                    answer = self._read_byte()
                    answers.append(answer)
                    if answer is None:
                        break  # a printer that ignores one query ignores them all
            except Exception:
                self._drop()
                return PrinterStatus(line="offline", error="not_reachable")
            answers += [None] * (4 - len(answers))
            if all(a is None for a in answers):
                return UNKNOWN
            return parse_status(*answers)

    def close(self) -> None:
        with self._lock:
            self._drop()
