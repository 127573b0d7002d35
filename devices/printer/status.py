"""Real-time status (``DLE EOT n``): the queries and the meaning of each answer byte.

Every answer byte of a conforming printer has bits 1 and 4 set and bits 0 and 7 clear; a byte
that does not (line noise, a printer that echoes) is not trusted and reads as unknown.
"""

from __future__ import annotations

from devices.printer.commands import DLE, EOT
from devices.printer.interface import PrinterStatus

QUERY_PRINTER = DLE + EOT + b"\x01"   # bit 3: offline
QUERY_OFFLINE = DLE + EOT + b"\x02"   # bit 2: cover open, 5: stopped for paper end, 6: error
QUERY_ERROR = DLE + EOT + b"\x03"     # bit 3: cutter, bit 5: unrecoverable, bit 6: auto-recoverable
QUERY_PAPER = DLE + EOT + b"\x04"     # bits 2+3: near end, bits 5+6: paper out
QUERIES = (QUERY_PRINTER, QUERY_OFFLINE, QUERY_ERROR, QUERY_PAPER)


def is_status_byte(value: int | None) -> bool:
    """True for a byte with the fixed bits every DLE EOT answer carries."""
    return value is not None and 0 <= value <= 0xFF and value & 0x93 == 0x12


def parse_status(printer: int | None, offline: int | None, error: int | None,
                 paper: int | None) -> PrinterStatus:
    """Combine the answers to the four queries (None: no answer) into a PrinterStatus."""
    ok = [is_status_byte(b) for b in (printer, offline, error, paper)]
    line = ("offline" if printer & 0x08 else "online") if ok[0] else "unknown"
    cover = ("open" if offline & 0x04 else "closed") if ok[1] else "unknown"
    problem = None
    if ok[2]:
        if error & 0x08:
            problem = "cutter"
        elif error & 0x20:
            problem = "unrecoverable"
        elif error & 0x40:
            problem = "auto_recoverable"
    if ok[3]:
        paper_state = "out" if paper & 0x60 else "near_end" if paper & 0x0C else "ok"
    elif ok[1] and offline & 0x20:
        paper_state = "out"   # the printer stopped for paper end even if its sensor is silent
    else:
        paper_state = "unknown"
    return PrinterStatus(paper=paper_state, cover=cover, line=line, error=problem)


def status_bytes(status: PrinterStatus) -> tuple[int, int, int, int]:
    """The four answer bytes a printer in ``status`` gives (for emulators; unknown → fine)."""
    printer = 0x12 | (0x08 if status.line == "offline" else 0)
    offline = 0x12 | (0x04 if status.cover == "open" else 0) | (
        0x20 if status.paper == "out" else 0)
    error = 0x12 | {"cutter": 0x08, "unrecoverable": 0x20, "auto_recoverable": 0x40}.get(
        status.error or "", 0)
    paper = 0x12 | (0x60 if status.paper == "out" else 0x0C if status.paper == "near_end" else 0)
    return printer, offline, error, paper
