"""What the kiosk screen says to the hub's answer: a ticket's lines, or why it was refused
(a ticket or a booking's check-in)."""

from __future__ import annotations

from kiosk import booking
from kiosk import strings as S
from kiosk.screens import ORANGE, RED
from wire.contract import HubError


def refusal_screen(exc: HubError, service_name: str | None, hours_text: str,
                   checking_in: bool) -> tuple[str, list[str], tuple]:
    """The title, lines and colour of the screen for the hub's refusal ``exc``."""
    if exc.code == "capped" and service_name is not None:
        return S.CAPPED_TITLE, [exc.message or S.CAPPED_BODY.format(name=service_name)], RED
    if exc.code == "full":   # the hub's message names a later day to book
        return S.FULL_TITLE, [exc.message or S.FULL_BODY], RED
    if exc.code == "closed":
        return S.CLOSED_TITLE, [hours_text], ORANGE
    if exc.code in booking.REFUSALS and checking_in:
        return S.CHECK_IN_TITLE, [for_citizen(exc.message)], ORANGE
    return S.REFUSED_TITLE, [for_citizen(exc.message)], RED


def for_citizen(message: str) -> str:
    """The hub's refusal when it is written for a citizen (Chinese), else a plain zh-CN line:
    argument errors are English, for developers."""
    if message and any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return message
    return S.REFUSED_BODY


def ticket_lines(ticket: dict, wait_at: str) -> list[str]:
    """The lines under an issued ticket's number: who is ahead, the wait, a warning, the
    booking's slot, the priority."""
    lines = [S.AHEAD.format(n=ticket.get("waiting_ahead", 0)), wait_at]
    if ticket.get("warning"):  # capacity = "warn": the day may not reach it; a later day
        lines.append(for_citizen(str(ticket["warning"])))
    lines += booking.result_lines(ticket.get("booking"))
    if ticket.get("priority") in S.PRIORITIES:
        lines.insert(0, S.PRIORITY_TAG.format(name=S.PRIORITIES[ticket["priority"]]))
    return lines
