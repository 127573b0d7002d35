"""The citizen's own ops from the ticket page (role ``web``), all by the ticket's token: look the
ticket up (its public fields only), cancel it (取消排队), and rate it by QR (二维码评价).

A token that is malformed or names no ticket in memory answers ``no_ticket`` alike, so a caller
learns nothing from the difference.
"""

from __future__ import annotations

from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.calendar import iso
from hub.engine.ratings import rated_events
from hub.engine.state import EngineState
from hub.engine.tokens import is_token
from hub.engine.types import CLOSED, FINISHED, SKIPPED, WAITING, Decision, Event, Ticket
from hub.engine.views import est_wait_s, waiting_ahead
from wire.contract import Conflict, NoTicket

QR_CHANNEL = "EWM"  # 二维码: the channel code of a rating by QR on the provincial platforms
CANCEL_REASONS = ("citizen", "left", "duplicate", "other")


def ticket_by_token(st: EngineState, a: Args) -> Ticket:
    token = a.str("token", max_len=64)
    if not is_token(token):
        raise NoTicket(S.NO_TICKET_FOR_TOKEN)
    tid = st.tokens.ticket_id(token, st.tickets)
    if tid is None:
        raise NoTicket(S.NO_TICKET_FOR_TOKEN)
    return st.tickets[tid]


def public_view(st: EngineState, t: Ticket) -> dict:
    """What the ticket page may show: this ticket only, no personal data."""
    svc = st.cfg.services[t.service]
    window = t.window if t.window is not None else t.to_window
    serving = [{"window": n, "name": st.cfg.windows[n].name, "status": st.windows[n].status}
               for n in st.cfg.windows_serving(t.service)
               if t.to_window is None or n == t.to_window]
    status = "cancelled" if t.status == CLOSED and t.outcome == "cancelled" else t.status
    view = {
        "ticket_id": t.ticket_id, "no": t.no, "service": t.service, "service_name": svc.name,
        "status": status, "issued_at": iso(t.issued_at), "called_at": iso(t.called_at),
        "finished_at": iso(t.finished_at), "window": window,
        "window_name": st.cfg.windows[window].name if window in st.cfg.windows else None,
        "windows": serving, "transferred": t.transferred, "skipped": t.skipped,
        "recalls": t.recalls, "green": t.priority is not None, "rated": t.rated,
        "can_rate": t.status == FINISHED and not t.rated,
        "can_cancel": t.status in (WAITING, SKIPPED),
        "waiting_ahead": None, "est_wait_s": None,
    }
    if t.slot is not None:  # issued under a booking: called with priority from the slot's start
        view["slot"] = iso(t.slot)
        view["slot_start"] = f"{t.slot.astimezone(st.cfg.tz):%H:%M}"
    if t.status == WAITING:
        ahead = waiting_ahead(st, t.service, t.priority, t)
        view["waiting_ahead"] = ahead
        view["est_wait_s"] = est_wait_s(st, t.service, ahead)
    return view


def lookup(st: EngineState, a: Args, ctx) -> Decision:
    """``ticket.lookup``: the ticket named by ``args.token``, as its page shows it."""
    t = ticket_by_token(st, a)
    a.done()
    return Decision({"ticket": public_view(st, t)}, [])


def cancel(st: EngineState, a: Args, ctx) -> Decision:
    """``ticket.cancel`` (取消排队): a waiting or skipped ticket leaves the queue; its number is
    not given again. The event records who asked (the node) and why."""
    t = ticket_by_token(st, a)
    reason = a.str("reason", required=False, choices=CANCEL_REASONS) or "citizen"
    a.done()
    if t.status not in (WAITING, SKIPPED):
        raise Conflict(S.CANNOT_CANCEL.format(no=t.no))
    ev = Event("cancelled", {"ticket_id": t.ticket_id, "no": t.no, "service": t.service,
                             "status": t.status, "reason": reason, "by": ctx.node_id})
    view = public_view(st, t) | {"status": "cancelled", "can_cancel": False,
                                 "waiting_ahead": None, "est_wait_s": None}
    return Decision({"ticket": view}, [ev])


def rate(st: EngineState, a: Args, ctx) -> Decision:
    """``ticket.rate`` (二维码评价): score 1–5 and optional reasons for a finished ticket; one
    rating per ticket whichever channel comes first (the pad's or this one)."""
    t = ticket_by_token(st, a)
    score = a.int("score", min=1, max=5)
    reasons = a.str_list("reasons")
    a.done()
    if t.status != FINISHED:
        raise Conflict(S.NOT_FINISHED.format(no=t.no))
    if t.rated:
        raise Conflict(S.ALREADY_RATED.format(no=t.no))
    info = {"ticket_id": t.ticket_id, "no": t.no, "service": t.service, "window": t.window,
            "staff": t.staff, "finished_at": iso(t.finished_at)}
    events = rated_events(st, info, score, reasons, ctx.at, defaulted=False)
    events[0].data["channel"] = QR_CHANNEL
    return Decision({"rating": events[0].public()}, events)


