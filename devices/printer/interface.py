"""The receipt printer interface every backend implements, and the status it reports."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

PAPER_STATES = ("ok", "near_end", "out", "unknown")
COVER_STATES = ("closed", "open", "unknown")
LINE_STATES = ("online", "offline", "unknown")


class PrinterError(RuntimeError):
    """The printer could not take a job (unplugged, offline, refused); nothing was printed."""


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself. Each field may be ``unknown``: a printer that cannot
    be read is unknown, never out of paper. ``error`` is a short English tag or None."""

    paper: str = "unknown"
    cover: str = "unknown"
    line: str = "unknown"
    error: str | None = None

    def __post_init__(self) -> None:
        if self.paper not in PAPER_STATES:
            raise ValueError(f"paper must be one of {PAPER_STATES}, got {self.paper!r}")
        if self.cover not in COVER_STATES:
            raise ValueError(f"cover must be one of {COVER_STATES}, got {self.cover!r}")
        if self.line not in LINE_STATES:
            raise ValueError(f"line must be one of {LINE_STATES}, got {self.line!r}")

    @property
    def blocks_printing(self) -> bool:
        """True when the printer said it cannot print now (unknown never blocks)."""
        return (self.paper == "out" or self.cover == "open" or self.line == "offline"
                or self.error is not None)

    @property
    def state(self) -> str:
        """One word for node health: out, cover_open, offline, error, near_end, ok or unknown."""
        if self.paper == "out":
            return "out"
        if self.cover == "open":
            return "cover_open"
        if self.line == "offline":
            return "offline"
        if self.error is not None:
            return "error"
        if self.paper == "near_end":
            return "near_end"
        if self.paper == "ok":
            return "ok"
        return "unknown"

    def health(self) -> dict:
        """The printer's part of the node's health payload."""
        return {"state": self.state, "paper": self.paper, "cover": self.cover,
                "line": self.line, "error": self.error}


UNKNOWN = PrinterStatus()


def check_job(data: object) -> bytes:
    """``data`` as bytes if it is bytes-like, else PrinterError: a printer takes bytes only,
    whatever its line would make of a str or a list (pyusb would print a str, pyserial a list)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PrinterError(f"a printer takes ESC/POS bytes, got {type(data).__name__}; "
                           "nothing was sent")
    return bytes(data)


def check_width(width_mm: object) -> int:
    """``width_mm`` if it is 80 or 58, else ValueError."""
    if width_mm not in (80, 58) or isinstance(width_mm, bool):
        raise ValueError(f"paper width must be 80 or 58 mm, got {width_mm!r}")
    return int(width_mm)


class Printer(ABC):
    """A receipt printer that takes ESC/POS bytes.

    A backend must implement :meth:`write` (hand ``data`` to the printer whole, or raise
    :class:`PrinterError` having sent nothing it knows of; anything but bytes-like data is a
    PrinterError before the line is touched, see :func:`check_job`) and :meth:`status` (ask the printer
    now; answer :data:`UNKNOWN` fields for what it cannot tell, never guess ``out``). It may
    override :meth:`close`. Both methods may be called from two threads (the node's loop and
    its status watcher), so a backend serialises access to its line itself. Encoding, layout
    and the choice to refuse a ticket live above the backend.
    """

    #: Paper width in millimetres (80 or 58): the layout uses it for line widths.
    width_mm: int = 80
    #: A short name for health and logs (``usb``, ``serial``, ``network``, ``simulated``).
    kind: str = "printer"
    #: True for a printer in memory (node health says so: a simulation never passes for paper).
    simulated: bool = False

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send one job's ESC/POS bytes."""

    @abstractmethod
    def status(self) -> PrinterStatus:
        """The printer's real-time status, read now."""

    def close(self) -> None:
        """Release the line; the default has nothing to release."""
        return None
