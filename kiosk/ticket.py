"""The printed ticket: a pure function of the hub's reply onto any python-escpos ``Escpos``.

Text is encoded by hallstack (``FS &`` then strict GBK, DESIGN §9) and sized with ``GS !``; the
QR code uses the printer's own command. Nothing here reads the clock or the printer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from devices.printer.commands import CHINESE_ON, INIT, encode_text
from kiosk import strings as S
from wire.schema import key

PRINTABLE_DOTS = {80: 576, 58: 384}


@dataclass(frozen=True)
class TicketLayout:
    """What a hall prints besides the hub's reply: its name, hotline, footer lines, the QR
    template (``{no}``, ``{ticket_id}``, ``{date}``, ``{hall}``, ``{token}`` and ``{public_url}``
    for the ticket page; empty: no QR) and the roll."""

    # the keys of the kiosk's [nodes.devices.ticket] (its reader gives the hall's name, hotline
    # and, with a public_url, the ticket page as their defaults)
    hall_name: str = key(default_is="[hall] name")
    hall_id: str
    hotline: str = key("", default_is="[hall] hotline")
    footer: tuple[str, ...] = key(S.TICKET_FOOTER)
    qr: str = key("{ticket_id}", default_is='`"{public_url}/t/{token}"` with a [web] '
                                           'public_url, else `"{ticket_id}"`')
    width_mm: int = 80
    public_url: str = ""  # the hall's [web] public_url: the QR opens {public_url}/t/{token}

    def check(self) -> None:
        """EncodeError/ValueError now, at start, for text the printer could not print."""
        for text in (self.hall_name, self.hotline, *self.footer):
            encode_text(text)
        if self.width_mm not in PRINTABLE_DOTS:
            raise ValueError(f"paper width must be 80 or 58 mm, got {self.width_mm}")
        self.qr.format(no="A001", ticket_id="x", date="2026-01-01", hall="h", token="t",
                       public_url="u")


def text_dots(text: str) -> int:
    """Width in dots at size 1 (font A: 12 for ASCII, 24 for a Hanzi or full-width char)."""
    return sum(12 if ord(ch) < 0x80 else 24 for ch in text)


def fit(text: str, dots: int, want: int) -> int:
    """The largest size factor ≤ ``want`` at which ``text`` fits on one line of ``dots``."""
    width = max(text_dots(text), 1)
    return max(1, min(want, dots // width))


def split_line(text: str, dots: int) -> list[str]:
    """``text`` in lines of at most ``dots`` at size 1, broken after a space or 、 where one
    fits (the printer itself would break anywhere, even inside 附近)."""
    lines: list[str] = []
    while text_dots(text) > dots:
        cut = 0
        for i, ch in enumerate(text):
            if text_dots(text[:i + 1]) > dots:
                break
            if ch in " 、，":
                cut = i + 1
        if cut == 0:
            cut = max(i, 1)
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return lines + ([text] if text else [])


def _line(p, text: str, size: int = 1, bold: bool = False, align: str = "center",
          height: int | None = None) -> None:
    p.set(align=align, bold=bold, custom_size=True, width=size, height=height or size)
    p._raw(encode_text(text) + b"\n")


def print_ticket(p, layout: TicketLayout, ticket: dict, issued_at: datetime,
                 service_name: str, wait_at: str) -> None:
    """Lay out ``ticket`` (the hub's ``ticket.take`` result) on Escpos ``p`` and cut.

    ``issued_at`` is the ticket's issue time (from the reply), ``wait_at`` the windows to wait
    near. Raises EncodeError (before writing anything) for text the printer cannot print.
    """
    dots = PRINTABLE_DOTS[layout.width_mm]
    no = str(ticket["no"])
    ahead = int(ticket.get("waiting_ahead") or 0)
    lines = [
        (layout.hall_name, fit(layout.hall_name, dots, 2), True),
        (S.TICKET_WELCOME, 1, False),
        (service_name, fit(service_name, dots, 2), True),
        (S.YOUR_NUMBER, 1, False),
        (no, fit(no, dots, 6), True),
        (S.AHEAD.format(n=ahead), fit(S.AHEAD.format(n=ahead), dots, 2), True),
    ]
    est = ticket.get("est_wait_s")
    if isinstance(est, (int, float)) and est > 0:
        lines.append((S.EST_WAIT.format(m=max(1, round(est / 60))), 1, False))
    if ticket.get("priority") in S.PRIORITIES:
        lines.append((S.PRIORITY_TAG.format(name=S.PRIORITIES[ticket["priority"]]), 1, True))
    if ticket.get("appointment"):
        lines.append((S.APPOINTMENT_TAG, 1, True))
        booked = ticket.get("booking")  # booking.checkin's answer (kiosk.booking): its slot
        if isinstance(booked, dict) and str(booked.get("slot_start") or "")[11:16]:
            lines.append((S.TICKET_SLOT.format(start=str(booked["slot_start"])[11:16]), 1, False))
    lines += [(part, 1, False) for part in split_line(wait_at, dots)]
    lines.append((S.TICKET_ISSUED.format(t=issued_at), 1, False))
    footer = [*layout.footer]
    if layout.hotline:
        footer.append(S.TICKET_HOTLINE.format(hotline=layout.hotline))
    for text in [t for t, _, _ in lines] + footer:
        encode_text(text)  # refuse before the first byte goes out, not half way down the paper

    p._raw(INIT + CHINESE_ON)
    for text, size, bold in lines:
        _line(p, text, size, bold)
    qr = layout.qr.format(no=no, ticket_id=ticket.get("ticket_id") or no,
                          date=f"{issued_at:%Y-%m-%d}", hall=layout.hall_id,
                          token=ticket.get("token") or "", public_url=layout.public_url)
    if qr:
        p.set(align="center", bold=False, custom_size=True, width=1, height=1)
        p.qr(qr, native=True, size=6 if layout.width_mm == 80 else 5, ec=1)
        _line(p, S.TICKET_QR_CAPTION)
    for text in footer:
        _line(p, text)
    p.cut()


@dataclass
class TicketTiming:
    """Monotonic timestamps (``time.monotonic()``) of one ticket, for hall-bench."""

    touch: float
    requested: float = 0.0
    replied: float = 0.0
    bytes_out: float = 0.0
    no: str | None = None
    printed: bool | None = None
    extra: dict = field(default_factory=dict)
