"""What the kiosk's screen shows, kept as state: which view and until when, what a citizen
typed or chose, what the screen says, the buttons last drawn. :class:`~kiosk.node.KioskNode`
changes it as tickets are taken; :meth:`ViewState.draw` paints it with the Painter.

::

    home ──touch a tile──► taking ──reply──► result ──result_s──► home
      │                      └──refused / unreachable──► message ──result_s──► home
      └──预约取号──► check_in ──确定──► check_in_pick ──a service──► taking …
                       (each waits IDLE_S for the next touch, then goes home)
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from devices.printer import PrinterStatus
from kiosk import strings as S
from kiosk.screens import ORANGE, RED, Button, Painter

IDLE_S = 60.0   # an abandoned check-in returns to the catalogue
MAX_CODE = 18  # a booking code is 8, an ID number 18 (kiosk.booking)


class View(enum.StrEnum):
    HOME = "home"
    CHECK_IN = "check_in"
    CHECK_IN_PICK = "check_in_pick"
    TAKING = "taking"
    RESULT = "result"
    MESSAGE = "message"
    BOOK = "book"   # booking the next free slot at the kiosk, drawn by kiosk.bookoffer


class Message(NamedTuple):
    """What a message view says: a title, lines, the title's colour."""

    title: str
    lines: list[str]
    color: tuple


@dataclass(frozen=True)
class HallFacts:
    """What the home view depends on besides the view state itself."""

    connected: bool
    open: bool
    hours_text: str
    printer: PrinterStatus
    groups: list
    counts: dict[str, int]


class ViewState:
    """The screen's state. ``result_s``: how long a result or a message stays."""

    def __init__(self, result_s: float):
        self.result_s = result_s
        self.view = View.HOME
        self.until: float | None = None   # monotonic time the view goes home, or None
        self.priority: str | None = None  # the green channel chosen for the next ticket
        self.code = ""                    # the appointment code being typed
        self.message: Message | None = None
        self.shown: dict | None = None    # the ticket on screen: no, service_name, lines, …
        self.buttons: list[Button] = []
        self.custom: Callable[[Painter], list[Button]] | None = None  # the BOOK view's painter
        self.dirty = True
        self._drawn_minute: int | None = None

    # -- changes -----------------------------------------------------------------------------
    def show(self, view: View, seconds: float | None) -> None:
        self.view = view
        self.until = None if seconds is None else time.monotonic() + seconds
        self.dirty = True

    def say(self, title: str, lines: list[str], color) -> None:
        """Show a message for ``result_s``."""
        self.message = Message(title, lines, color)
        self.show(View.MESSAGE, self.result_s)

    def result(self, shown: dict) -> None:
        """Show a ticket for ``result_s``."""
        self.shown = shown
        self.show(View.RESULT, self.result_s)

    def home(self) -> None:
        """Back to the catalogue; nothing chosen or typed passes to the next citizen."""
        self.code = ""
        self.priority = None
        self.message = None
        self.show(View.HOME, None)

    def touched(self) -> None:
        """A touch during check-in keeps it open another IDLE_S."""
        if self.view in (View.CHECK_IN, View.CHECK_IN_PICK, View.BOOK):
            self.until = time.monotonic() + IDLE_S

    def toggle_priority(self, priority: str) -> None:
        self.priority = None if self.priority == priority else priority
        # a choice left behind must not pass to the next citizen
        self.until = time.monotonic() + IDLE_S if self.priority else None
        self.dirty = True

    def start_check_in(self) -> None:
        self.show(View.CHECK_IN, IDLE_S)
        self.code = ""

    def key(self, key: str) -> None:
        """A key of the check-in keypad: a digit or letter, ``delete`` or ``ok``."""
        if key == "delete":
            self.code = self.code[:-1]
        elif key == "ok":
            if self.code:
                self.show(View.CHECK_IN_PICK, IDLE_S)
        elif len(self.code) < MAX_CODE:
            self.code += key
        self.dirty = True

    def expired(self) -> bool:
        return self.until is not None and time.monotonic() >= self.until

    def button_at(self, x: int, y: int) -> Button | None:
        return next((b for b in self.buttons if b.hit(x, y)), None)

    # -- drawing -----------------------------------------------------------------------------
    def draw(self, painter: Painter, now: datetime, facts: Callable[[], HallFacts],
             capped: set[str]) -> bool:
        """Paint the view when something changed (or the home clock's minute did); True when
        it painted (the caller presents the screen). ``facts()`` is asked only then."""
        if self.view == View.HOME and now.minute != self._drawn_minute:
            self.dirty = True
        if not self.dirty:
            return False
        self.dirty = False
        self._drawn_minute = now.minute
        p = painter
        if self.view == View.HOME:
            self.buttons = self._home(p, now, facts(), capped)
        elif self.view == View.CHECK_IN:
            self.buttons = p.check_in(self.code)
        elif self.view == View.CHECK_IN_PICK:
            self.buttons = p.check_in_pick(self.code, facts().groups)
        elif self.view == View.BOOK and self.custom is not None:
            self.buttons = self.custom(p)
        elif self.view == View.TAKING:
            self.buttons = p.taking()
        elif self.view == View.RESULT and self.shown is not None:
            s = self.shown
            self.buttons = p.result(s["no"], s["service_name"], s["lines"], s["print_failed"])
        else:
            title, lines, color = self.message or (S.REFUSED_TITLE, [], RED)
            self.buttons = p.message(title, lines, color)
        return True

    def _home(self, p: Painter, now: datetime, hall: HallFacts, capped: set[str]) -> list:
        if not hall.connected:
            return p.message(S.UNREACHABLE_TITLE, [S.UNREACHABLE_BODY], ORANGE, now, back=False)
        if not hall.open:
            return p.message(S.CLOSED_TITLE, [hall.hours_text], ORANGE, now, back=False)
        if hall.printer.blocks_printing:
            title = S.PAPER_OUT_TITLE if hall.printer.paper == "out" else S.PRINTER_DOWN_TITLE
            return p.message(title, [S.PRINTER_BODY], RED, now, back=False)
        return p.home(hall.groups, hall.counts, capped, self.priority, now)
