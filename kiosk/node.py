"""The kiosk node: a touch screen, a printer and the hub client, driven by :meth:`poll`.

touch → printer status read → ``ticket.take`` → ticket bytes to the printer → the number on
screen. No ticket is asked for while the printer says it cannot print; a number the hub did not
issue is never shown. Client callbacks only put items on the node's queue. What the screen
shows is kiosk.views; the printer's part of the node's health, kiosk.health.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import datetime

from devices.printer import Printer, PrinterError, PrinterStatus
from devices.printer.commands import EncodeError
from devices.printer.escpos_lib import dummy_printer
from devices.recorder import DISCARD, Recorder
from kiosk import booking, catalogue
from kiosk import strings as S
from kiosk.answers import refusal_screen, ticket_lines
from kiosk.bookoffer import BookingOffer
from kiosk.health import KioskHealth
from kiosk.screens import ORANGE, RED, Painter
from kiosk.settings import KioskSettings
from kiosk.ticket import TicketLayout, TicketTiming, print_ticket
from kiosk.views import HallFacts, View, ViewState
from wire.client import HubClient, HubUnreachable
from wire.clock import HallClock
from wire.config import HallConfig
from wire.contract import PRIORITIES, HubError
from wire.memory import NightlyTrim

log = logging.getLogger(__name__)

FPS = 20
REQUEST_TIMEOUT_S = 8.0
REPLY_WAIT_S = 0.1


class KioskNode:
    """The ticket kiosk (取号机) built from explicit parts; see docs/kiosk.md."""

    role = "kiosk"

    def __init__(self, cfg: HallConfig, node_id: str, client: HubClient, clock: HallClock,
                 screen, printer: Printer, settings: KioskSettings | None = None,
                 scanner=None):
        self.cfg, self.node_id, self.client, self.clock = cfg, node_id, client, clock
        self.trim = NightlyTrim(clock, cfg.hours)  # free pages back once the hall closed
        self.scanner = scanner  # 扫码枪 for 预约签到 (devices.scanner), or None
        self.screen, self.printer = screen, printer
        self.settings = settings or KioskSettings(
            screen_size=screen.size,
            layout=TicketLayout(cfg.name, cfg.hall_id, cfg.hotline, width_mm=printer.width_mm))
        self.layout = self.settings.layout
        self.painter = Painter(screen, cfg.name)
        self.groups = catalogue.areas(cfg)
        self._queue: queue.Queue = queue.Queue()
        self._sink = dummy_printer()   # the Escpos the ticket is laid out on, reused
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

        self.request_timeout_s = REQUEST_TIMEOUT_S
        self.views = ViewState(self.settings.result_s)
        self.capped: set[str] = set()            # 号已取完 marks, until the session ends
        self._capped_period: tuple | None = None
        self.counts: dict[str, int] = {}
        self.connected = False
        self._health = KioskHealth(client.publish_health, printer, screen,
                                   self.settings.simulate)
        self.last_issued: dict | None = None    # the latest ticket the hub issued here
        self.recorder: Recorder = DISCARD        # tests, hall-sim: attach()
        self._pending: TicketTiming | None = None
        self._pending_service: str | None = None
        self.offer = BookingOffer(self)          # 已约满: the next free slot, booked here

    # -- what the screen shows (kiosk.views) -------------------------------------------------
    @property
    def view(self) -> View:
        return self.views.view

    @property
    def message(self):
        """The message view's (title, lines, colour), or None."""
        return self.views.message

    @property
    def shown(self) -> dict | None:
        """The ticket on screen: no, service_name, lines, print_failed."""
        return self.views.shown

    @property
    def priority(self) -> str | None:
        """The green channel chosen for the next ticket."""
        return self.views.priority

    # -- life cycle --------------------------------------------------------------------------
    def attach(self, recorder: Recorder) -> None:
        """Hand each ticket's :class:`TicketTiming` (``timing``, filed at the hub's reply and
        completed when printed) and each issued ticket (``issued``) to ``recorder`` (tests,
        hall-sim: a kiosk in the hall keeps only the last)."""
        self.recorder = recorder

    def start(self) -> None:
        """Follow the hub's state and connection, read the printer once, start its watcher."""
        self.client.on_state(lambda key, payload: self._queue.put(("state", key, payload)))
        self.client.on_connection(lambda up: self._queue.put(("connection", up)))
        queue_state = self.client.state.get("queue")
        if queue_state:
            self.counts = catalogue.waiting_counts(queue_state)
        self.connected = self.client.connected
        self._set_printer_status(self.printer.status())
        self._watcher = threading.Thread(target=self._watch_printer, daemon=True,
                                         name=f"printer-watch-{self.node_id}")
        self._watcher.start()
        if self.scanner is not None:
            booking.ScannerReader(self.scanner, self._queue.put, self._stop).start()
        self.views.dirty = True
        self.client.start()

    def stop(self) -> None:
        """Stop the watcher, the hub client, and release the printer."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self.client.stop()
        self.printer.close()
        if self.scanner is not None:
            self.scanner.close()

    def run_forever(self, notify=None) -> None:
        """Loop :meth:`poll` until :meth:`stop`; a reply is handled as soon as it arrives.
        ``notify()`` is called every loop (the systemd watchdog)."""
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=1 / FPS)
            except queue.Empty:
                item = None
            if item is not None:
                self._apply(item)
            self.poll()
            if notify is not None:
                notify()

    def _watch_printer(self) -> None:
        while not self._stop.wait(self.settings.status_interval_s):
            try:
                self._queue.put(("printer", self.printer.status()))
            except Exception:  # noqa: BLE001 - a watcher that dies would leave health stale
                log.exception("printer status read failed")

    # -- the loop ----------------------------------------------------------------------------
    def poll(self) -> None:
        """Do all pending work once: queued callbacks, touches, timeouts, redraw."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            self._apply(item)
        for touch in self.screen.touches():
            self._touch(touch.x, touch.y)
        if self._pending is not None:
            # a hub that answers within this wait prints without first drawing "taking"
            try:
                self._apply(self._queue.get(timeout=REPLY_WAIT_S))
            except queue.Empty:
                pass
        if self.views.expired():
            self.views.home()
        self._draw_if_needed()
        self.trim()

    def _apply(self, item: tuple) -> None:
        kind = item[0]
        if kind == "state":
            if item[1] == "queue":
                self.counts = catalogue.waiting_counts(item[2])
                self.views.dirty = self.views.dirty or self.view == View.HOME
        elif kind == "connection":
            self.connected = bool(item[1])
            self.views.dirty = True
        elif kind == "printer":
            self._set_printer_status(item[1])
        elif kind == "reply":
            self._on_reply(*item[1:])
        elif kind == "scan" and self.view in (View.HOME, View.CHECK_IN) and not self.busy:
            if booking.checkin_args(item[1]) is None:
                self._message(S.CHECK_IN_TITLE, [S.SCAN_NOT_BOOKING], ORANGE)
            else:  # refused before asking (closed, printer): check_in_booking says why
                self.check_in_booking(item[1])
        elif kind == "scanner":
            self._health.scanner(item[1])
        elif kind in ("offer_slots", "offer_made"):
            self.offer.on_reply(*item)

    # -- what a citizen does -----------------------------------------------------------------
    def touch(self, x: int, y: int) -> None:
        """A touch at ``(x, y)``, handled at the next :meth:`poll` (as a finger's would be)."""
        self.screen.inject_touch(x, y)

    def _touch(self, x: int, y: int) -> None:
        button = self.views.button_at(x, y)
        if button is None:
            return
        action = button.action
        self.views.touched()
        if self.view == View.BOOK:
            self.offer.touch(action)
        elif action[0] == "service":
            self.choose_service(action[1], self.priority, touched_at=time.monotonic())
        elif action[0] == "priority":
            self.views.toggle_priority(action[1])
        elif action[0] == "check_in":
            self.views.start_check_in()
        elif action[0] == "key" and action[1] == "ok" and booking.checkin_args(self.views.code):
            self.check_in_booking(self.views.code, touched_at=time.monotonic())
        elif action[0] == "key":
            self.views.key(action[1])
        elif action[0] == "check_in_service":
            self.check_in(self.views.code, action[1], touched_at=time.monotonic())
        elif action[0] in ("back", "done"):
            self.views.home()

    @property
    def busy(self) -> bool:
        """A ticket is being taken or printed: the next citizen waits for the screen."""
        return self._pending is not None

    def choose_service(self, service_id: str, priority: str | None = None,
                       touched_at: float | None = None) -> bool:
        """Take a ticket for ``service_id`` (green channel ``priority``), as a touch on its
        tile does. False when the kiosk refused before asking the hub (closed, hub
        unreachable, printer out, a ticket already being taken); the screen says why.
        ValueError for an unknown service or priority (nothing changes)."""
        return self._take(service_id, priority, None, touched_at)

    def check_in(self, code: str, service_id: str, touched_at: float | None = None) -> bool:
        """Check in appointment ``code`` for ``service_id`` (the hub requires the service);
        otherwise as :meth:`choose_service`."""
        if not isinstance(code, str) or not code.strip() or len(code) > 32:
            raise ValueError(f"an appointment code is 1–32 characters, got {code!r}")
        return self._take(service_id, None, code.strip(), touched_at)

    def check_in_booking(self, text: str, touched_at: float | None = None) -> bool:
        """Check in a 网上预约 booking by its code (typed or scanned, kiosk.booking) or the
        citizen's ID number: ``booking.checkin``, its ticket printed under the booking. False
        when ``text`` is neither, or the kiosk refused before asking (as choose_service)."""
        args = booking.checkin_args(text) if isinstance(text, str) else None
        if args is None:
            return False
        return self._ask("booking.checkin", args, None, touched_at)

    def _take(self, service_id: str, priority: str | None, code: str | None,
              touched_at: float | None) -> bool:
        if service_id not in self.cfg.services:
            known = ", ".join(self.cfg.services)
            raise ValueError(f"unknown service {service_id!r}; known: {known}")
        if priority is not None and priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}; one of {', '.join(PRIORITIES)}")
        args: dict = {"service": service_id}
        if priority is not None:
            args["priority"] = priority
        if code is not None:
            args["appointment"] = code
        return self._ask("ticket.take", args, service_id, touched_at)

    def _ask(self, op: str, args: dict, service_id: str | None,
             touched_at: float | None) -> bool:
        touched_at = time.monotonic() if touched_at is None else touched_at
        if self._pending is not None:
            return False
        if not catalogue.is_open(self.cfg.hours, self.clock.now()):
            self._message(S.CLOSED_TITLE, [catalogue.hours_text(self.cfg.hours)], ORANGE)
            return False
        if not self.client.connected:
            self._message(S.UNREACHABLE_TITLE, [S.UNREACHABLE_BODY], ORANGE)
            return False
        # read before asking the hub: no ticket is taken for a printer that cannot print it
        status = self.printer.status()
        self._set_printer_status(status)
        if status.blocks_printing:
            self._printer_message(status)
            return False
        timing = TicketTiming(touch=touched_at)
        self._pending, self._pending_service = timing, service_id
        timing.requested = time.monotonic()
        self.client.request_async(
            op, args, lambda result, exc: self._queue.put(("reply", result, exc)),
            timeout=self.request_timeout_s)
        self.views.show(View.TAKING, None)
        return True

    def _on_reply(self, result: dict | None, exc: Exception | None) -> None:
        timing, service_id = self._pending, self._pending_service
        self._pending = self._pending_service = None
        if timing is None:
            return
        timing.replied = time.monotonic()
        self.recorder.record("timing", timing)
        self.views.priority = None
        if isinstance(exc, HubUnreachable) or (exc is None and not isinstance(result, dict)):
            self._message(S.UNREACHABLE_TITLE, [S.UNREACHABLE_BODY], ORANGE)
            return
        if isinstance(exc, HubError):
            name = self.cfg.services[service_id].name if service_id in self.cfg.services else None
            if exc.code == "capped" and name is not None:
                self.capped.add(service_id)
                self._capped_period = catalogue.period(self.cfg.hours, self.clock.now())
            elif exc.code == "full":
                self.offer.full(service_id)  # and the next free slot, bookable here
            self._message(*refusal_screen(exc, name, catalogue.hours_text(self.cfg.hours),
                                          checking_in=service_id is None))
            return
        ticket = result.get("ticket") if exc is None else None
        if isinstance(ticket, dict) and isinstance(result.get("booking"), dict):
            ticket = dict(ticket, booking=result["booking"])  # booking.checkin's answer
        if not isinstance(ticket, dict) or not ticket.get("no"):
            log.error("ticket.take answered without a ticket: %r %r", result, exc)
            self._message(S.REFUSED_TITLE, [S.REFUSED_BODY], RED)
            return
        self._print_and_show(ticket, service_id, timing)

    def _print_and_show(self, ticket: dict, service_id: str, timing: TicketTiming) -> None:
        no = str(ticket.get("no", ""))
        sid = ticket.get("service") if ticket.get("service") in self.cfg.services else service_id
        service_name = ticket.get("service_name") or self.cfg.services[sid].name
        wait_at = catalogue.wait_at(self.cfg, sid)
        try:
            issued_at = datetime.fromisoformat(ticket["issued_at"])
        except (KeyError, TypeError, ValueError):
            issued_at = self.clock.now()   # a reply without a time still gets a ticket
        printed = True
        try:
            self._sink.clear()
            print_ticket(self._sink, self.layout, ticket, issued_at, service_name, wait_at)
            data = self._sink.output
            timing.bytes_out = time.monotonic()
            self.printer.write(data)
        except (PrinterError, EncodeError, ValueError) as exc:
            log.warning("ticket %s not printed: %s", no, exc)
            printed = False
        status = self.printer.status()   # paper can run out during the job
        self._set_printer_status(status)
        if status.blocks_printing:
            printed = False
        timing.no, timing.printed = no, printed
        self.last_issued = dict(ticket, printed=printed)
        self.recorder.record("issued", self.last_issued)
        if not printed:
            self._health.print_failed(no, self.clock.now().isoformat(timespec="seconds"))
        lines = ticket_lines(ticket, wait_at)
        self.views.result({"no": no, "service_name": service_name, "lines": lines,
                           "print_failed": not printed})

    # -- printer health ----------------------------------------------------------------------
    def _set_printer_status(self, status: PrinterStatus) -> None:
        if self._health.printer_status(status):
            self.views.dirty = True

    @property
    def printer_status(self) -> PrinterStatus:
        """The printer's last status read."""
        return self._health.printer

    @property
    def health(self) -> dict | None:
        """The health payload last published."""
        return self._health.payload

    def _printer_message(self, status: PrinterStatus) -> None:
        title = S.PAPER_OUT_TITLE if status.paper == "out" else S.PRINTER_DOWN_TITLE
        self._message(title, [S.PRINTER_BODY], RED)

    # -- views -------------------------------------------------------------------------------
    def _message(self, title: str, lines: list[str], color) -> None:
        self.views.say(title, lines, color)

    def _draw_if_needed(self) -> None:
        now = self.clock.now()
        if self.capped and catalogue.period(self.cfg.hours, now) != self._capped_period:
            self.capped.clear()   # a new session or day: the hub may issue again

        def facts() -> HallFacts:
            return HallFacts(self.connected, catalogue.is_open(self.cfg.hours, now),
                             catalogue.hours_text(self.cfg.hours), self.printer_status,
                             self.groups, self.counts)

        if self.views.draw(self.painter, now, facts, self.capped):
            self.screen.present()

    def save_png(self, path: str) -> str:
        """Draw what is due and write the screen to ``path``."""
        self._draw_if_needed()
        return self.screen.save_png(path)

