"""A simulated printer: keeps the exact bytes of its last :data:`JOBS_KEPT` jobs, with a
monotonic timestamp per job (bounded: a kiosk's month must not grow with its tickets), and can
be put in any status a real printer reports."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from devices.printer.interface import (
    Printer,
    PrinterError,
    PrinterStatus,
    check_job,
    check_width,
)
from devices.printer.paper import Paper, interpret
from devices.recorder import Recent

JOBS_KEPT = 256  # a busy kiosk prints ~500 tickets a day; tests and the demo read the last


@dataclass(frozen=True)
class PrintJob:
    """One write: when it arrived (``time.monotonic()``), its bytes, and whether paper came out
    (False when the printer had no paper or its cover open: it took the bytes but printed
    nothing)."""

    at: float
    data: bytes
    printed: bool


class SimulatedPrinter(Printer):
    """A printer in memory that answers as the ESC/POS backends do (tests/contracts).

    :meth:`set_status` changes what the printer reports (paper out, cover open, offline): like
    a real printer it still takes the bytes and prints nothing. :meth:`unplug` is a dead line:
    status ``offline``/``not_reachable`` and writes refused with :class:`PrinterError`.
    ``answers_status=False`` makes it a printer without ``DLE EOT`` (status unknown)."""

    kind = "simulated"
    simulated = True

    def __init__(self, width_mm: int = 80, answers_status: bool = True):
        self.width_mm = check_width(width_mm)
        self.answers_status = answers_status
        self._status = PrinterStatus(paper="ok", cover="closed", line="online")
        self._lock = threading.Lock()
        self._unplugged = False
        self.jobs: Recent = Recent(JOBS_KEPT)  # the last JOBS_KEPT writes (PrintJob)
        self.status_queries = 0

    def unplug(self) -> None:
        """Pull the cable: the line is dead until :meth:`plug`."""
        with self._lock:
            self._unplugged = True

    def plug(self) -> None:
        """Put the cable back."""
        with self._lock:
            self._unplugged = False

    def set_status(self, paper: str | None = None, cover: str | None = None,
                   line: str | None = None, error: object = ...) -> None:
        """Change what the printer reports (a refill, an opened cover, a pulled cable);
        arguments left out keep their value, ``error=None`` clears an error."""
        with self._lock:
            s = self._status
            self._status = PrinterStatus(
                paper=paper or s.paper, cover=cover or s.cover, line=line or s.line,
                error=s.error if error is ... else error)

    def write(self, data: bytes) -> None:
        data = check_job(data)
        with self._lock:
            if self._unplugged:
                raise PrinterError("simulated printer not reachable: unplugged")
            printed = not self._status.blocks_printing
            self.jobs.append(PrintJob(time.monotonic(), data, printed))

    def status(self) -> PrinterStatus:
        with self._lock:
            self.status_queries += 1
            if self._unplugged:
                return PrinterStatus(line="offline", error="not_reachable")
            if not self.answers_status:
                return PrinterStatus()
            return self._status

    @property
    def output(self) -> bytes:
        """The bytes of the jobs kept, in order (every byte received, up to JOBS_KEPT jobs)."""
        with self._lock:
            return b"".join(j.data for j in self.jobs)

    def paper(self, job: int | None = None) -> Paper:
        """What the printer made of job ``job`` (index), or of all jobs when None."""
        return interpret(self.output if job is None else self.jobs[job].data)

    def render_png(self, path: str, job: int | None = None) -> str:
        """Draw job ``job`` (or everything) on paper of this printer's width; write PNG."""
        from devices.printer.render import render

        render(self.paper(job), self.width_mm).save(path)
        return path

    def render_last_ticket_png(self, path: str) -> str:
        """Draw the last ticket cut off the roll (cut at the last ``GS V`` in everything
        received, whatever the jobs were); write PNG."""
        from devices.printer.render import render

        render(self.paper().last_ticket(), self.width_mm).save(path)
        return path
