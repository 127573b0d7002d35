"""今日该事项已约满 → the next free slot, booked at the kiosk (issue 26 item 6, docs/booking.md).

After the hub refuses a ticket as ``full``, the kiosk asks ``booking.slots`` for the service and,
while the refusal is still on screen, offers the first slot with a free place. The citizen
touches 预约此时段, types the ID number (the kiosk's real-name step, as for a ticket) and a phone
number, and ``booking.make`` books it; the screen shows the booking code and a slip with the code
(its QR checks it in at any kiosk) is printed.

    message(full) ──slots──► offer ──预约此时段──► id ──确定──► phone ──确定──► sending ──► booked
"""

from __future__ import annotations

import re
from datetime import date

from devices.printer.commands import CHINESE_ON, INIT
from kiosk import strings as S
from kiosk.screens import GREEN, HEADER, MUTED, RED, Button, Painter
from kiosk.ticket import PRINTABLE_DOTS, _line, split_line
from kiosk.views import IDLE_S, View

PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


class BookingOffer:
    """The offer's state and its screens; the node hands it replies and touches."""

    def __init__(self, node):
        self.node = node
        self.reset()

    def reset(self) -> None:
        self.service: str | None = None
        self.slot: dict | None = None   # {day, start, end}
        self.stage: str | None = None   # offer | id | phone | sending | booked
        self.id_number = self.phone = ""
        self.booked: dict | None = None
        self.printed = True

    # -- from the node -----------------------------------------------------------------------
    def full(self, service_id: str) -> None:
        """The hub refused a ticket for ``service_id`` as full: look for a slot to offer."""
        self.reset()
        if self.node.cfg.booking is None or not self.node.cfg.booking.bookable(service_id):
            return
        self.service = service_id
        self._ask("booking.slots", {"service": service_id}, "offer_slots")

    def on_reply(self, kind: str, result, exc) -> None:
        if kind == "offer_slots":
            self._on_slots(result, exc)
        elif kind == "offer_made":
            self._on_made(result, exc)

    def touch(self, action: tuple) -> None:
        if action[0] in ("back", "done"):
            self.reset()
            self.node.views.home()
        elif action == ("book_yes",) and self.stage == "offer":
            self._stage("id")
        elif action[0] == "key" and self.stage in ("id", "phone"):
            self._key(action[1])

    # -- steps -------------------------------------------------------------------------------
    def _ask(self, op: str, args: dict, kind: str) -> None:
        self.node.client.request_async(
            op, args, lambda result, exc: self.node._queue.put((kind, result, exc)),
            timeout=self.node.request_timeout_s)

    def _stage(self, stage: str) -> None:
        """Show ``stage``: each step waits IDLE_S for a touch, the booked screen result_s."""
        self.stage = stage
        views = self.node.views
        views.custom = self.draw
        views.show(View.BOOK, views.result_s if stage == "booked" else IDLE_S)

    def _on_slots(self, result, exc) -> None:
        if exc is not None or not isinstance(result, dict) or self.service is None:
            return  # the refusal stays as it is
        if self.node.view != "message":
            return  # the citizen has gone on
        for day in result.get("days", []):
            for s in day.get("slots", []):
                if s.get("free", 0) > 0 and not s.get("closed"):
                    self.slot = {"day": day["day"], "start": s["start"], "end": s["end"]}
                    self._stage("offer")
                    return

    def _key(self, key: str) -> None:
        field = "id_number" if self.stage == "id" else "phone"
        value = getattr(self, field)
        if key == "delete":
            setattr(self, field, value[:-1])
        elif key == "ok":
            if self.stage == "id" and ID_NUMBER.fullmatch(value):
                self._stage("phone")
            elif self.stage == "phone" and PHONE.fullmatch(value):
                self._send()
        elif len(value) < 18:
            setattr(self, field, value + key)
        self.node.views.dirty = True

    def _send(self) -> None:
        self._stage("sending")
        slot = {"day": self.slot["day"], "start": self.slot["start"]}
        self._ask("booking.make", {"service": self.service, **slot, "by": self.node.node_id,
                                   "id_number": self.id_number, "phone": self.phone},
                  "offer_made")
        self.id_number = self.phone = ""  # nothing typed stays on the kiosk

    def _on_made(self, result, exc) -> None:
        if exc is not None or not isinstance(result, dict) or "code" not in result:
            message = getattr(exc, "message", "") or ""
            if not any("\u4e00" <= ch <= "\u9fff" for ch in message):
                message = S.REFUSED_BODY  # argument errors are English, for developers
            self.reset()
            self.node._message(S.BOOK_REFUSED_TITLE, [message], RED)
            return
        self.booked = result
        self.printed = self._print(result)
        self._stage("booked")

    def _print(self, booked: dict) -> bool:
        node = self.node
        sink = node._sink
        try:
            sink.clear()
            sink._raw(INIT + CHINESE_ON)
            for text, size, bold in self._slip_lines(booked):
                for part in split_line(text, PRINTABLE_DOTS[node.layout.width_mm] // size):
                    _line(sink, part, size, bold)
            sink.set(align="center", bold=False, custom_size=True, width=1, height=1)
            sink.qr(booked["code"], native=True, size=6, ec=1)
            sink.cut()
            node.printer.write(sink.output)
        except Exception:  # noqa: BLE001 - the code is on the screen: a slip lost is said there
            return False
        return True

    def _slip_lines(self, b: dict) -> list[tuple[str, int, bool]]:
        day = date.fromisoformat(b["day"])
        early = self.node.cfg.booking.early_minutes
        return [(self.node.cfg.name, 1, True), (S.BOOKED_TITLE, 2, True),
                (b["service_name"], 2, True), (S.BOOKED_CODE, 1, False), (b["code"], 3, True),
                (S.BOOKED_WHEN.format(day=day, start=b["start"], end=b["end"], early=early),
                 1, False)] + ([(S.BOOKED_BRING.format(materials="、".join(b["materials"])),
                                 1, False)] if b.get("materials") else [])

    # -- the screens -------------------------------------------------------------------------
    def draw(self, p: Painter) -> list[Button]:
        if self.stage == "offer":
            name = self.node.cfg.services[self.service].name
            top = p.header(None) + p.px(120)
            p.text(S.FULL_TITLE, 80, (p.w // 2, top), RED)
            top = p.paragraph(name, 56, top + p.px(100))
            top = p.paragraph(S.OFFER_SLOT.format(day=date.fromisoformat(self.slot["day"]),
                                                  start=self.slot["start"],
                                                  end=self.slot["end"]), 52, top + p.px(20))
            rect = (p.px(80), top + p.px(60), p.w - p.px(160), p.px(150))
            return [p.button(rect, S.OFFER_BOOK, ("book_yes",), 60, GREEN), p.back_button()]
        if self.stage == "id":
            return p.check_in(self.id_number, S.BOOK_ID_PROMPT, "1234567890X")
        if self.stage == "phone":
            return p.check_in(self.phone, S.BOOK_PHONE_PROMPT, "1234567890")
        if self.stage == "booked" and self.booked is not None:
            return self._draw_booked(p, self.booked)
        return p.taking()

    def _draw_booked(self, p: Painter, b: dict) -> list[Button]:
        k = 1.0 if p.portrait else 0.75  # a landscape screen has 1080 px for all of it
        top = p.header(None) + p.px(90 * k)
        p.text(S.BOOKED_TITLE, 80 * k, (p.w // 2, top), GREEN)
        top = p.paragraph(b["service_name"], 56 * k, top + p.px(80 * k))
        p.text(S.BOOKED_CODE, 48 * k, (p.w // 2, top + p.px(40 * k)), MUTED)
        p.text(b["code"], 150 * k, (p.w // 2, top + p.px(150 * k)), HEADER)
        top += p.px(260 * k)
        for line in [text for text, _, _ in self._slip_lines(b)[5:]]:
            top = p.paragraph(line, 46 * k, top)
        p.paragraph(S.PRINT_FAILED_SLIP if not self.printed else S.TAKE_SLIP, 52 * k,
                    top + p.px(30 * k), RED if not self.printed else GREEN)
        done = (p.px(40), p.h - p.px(160), p.w - p.px(80), p.px(120))
        return [p.button(done, S.DONE, ("done",), 56)]
