"""Read-only views of the engine state: the retained ``state/*`` payloads of docs/node-api.md,
a ticket as a node sees it, and the estimated wait."""

from __future__ import annotations

import math
from datetime import datetime

from hub.engine.calendar import iso
from hub.engine.state import EngineState
from hub.engine.types import WAITING, Ticket


def open_windows(st: EngineState, service: str) -> int:
    """Windows serving ``service`` with a clerk on post and not paused."""
    return sum(1 for n in st.cfg.windows_serving(service) if st.windows[n].status == "open")


def est_wait_s(st: EngineState, service: str, ahead: int, open_n: int | None = None) -> int:
    """Mean service time × tickets ahead ÷ open windows serving the service (at least one)."""
    open_n = open_windows(st, service) if open_n is None else open_n
    return math.ceil(st.times[service].mean_s * ahead / max(1, open_n))


def waiting_ahead(st: EngineState, service: str, priority: str | None,
                  ticket: Ticket | None = None) -> int:
    """Tickets of ``service`` that wait before a (new or given) ticket of that priority.

    Green-channel tickets count only the green ones; everyone else counts all that wait: the
    window's preference and policy decide the real order, this is what a citizen is told.
    """
    mine_green = priority is not None
    n = 0
    for o in st.waiting.values():
        if o.service != service or o is ticket:
            continue
        o_green = o.priority is not None
        if mine_green and not o_green:
            continue
        earlier = ticket is None or (o.order_at, o.serial) < (ticket.order_at, ticket.serial)
        if (o_green and not mine_green) or earlier:
            n += 1
    return n


def ticket_view(st: EngineState, t: Ticket) -> dict:
    """A ticket as ``ticket.status`` answers it (no personal data)."""
    svc = st.cfg.services[t.service]
    view = {
        "no": t.no, "ticket_id": t.ticket_id, "service": t.service, "service_name": svc.name,
        "issued_at": iso(t.issued_at), "priority": t.priority, "status": t.status,
        "window": t.window if t.window is not None else t.to_window,
        "called_at": iso(t.called_at), "started_at": iso(t.started_at),
        "finished_at": iso(t.finished_at), "transferred": t.transferred, "skipped": t.skipped,
        "appointment": t.appointment is not None, "token": st.tokens.token(t.ticket_id),
    }
    if t.status == WAITING:
        ahead = waiting_ahead(st, t.service, t.priority, t)
        view["waiting_ahead"] = ahead
        view["est_wait_s"] = est_wait_s(st, t.service, ahead)
    return view


def queue_state(st: EngineState, at: datetime) -> dict:
    services = {}
    waiting: dict[str, int] = {s: 0 for s in st.cfg.services}
    for t in st.waiting.values():
        waiting[t.service] += 1
    for sid, svc in st.cfg.services.items():
        open_n = open_windows(st, sid)
        services[sid] = {"name": svc.name, "waiting": waiting[sid],
                         "est_wait_s": est_wait_s(st, sid, waiting[sid], open_n),
                         "open_windows": open_n}
    return {"at": iso(at), "services": services}


def window_state(st: EngineState, number: int) -> dict:
    w = st.windows[number]
    cfg_w = st.cfg.windows[number]
    t = st.current(number)
    serving = None if t is None else {"no": t.no, "service": t.service,
                                      "called_at": iso(t.called_at)}
    staff = None
    if w.staff is not None:
        staff = {"number": w.staff, "name": st.cfg.staff[w.staff].name, "post": w.post}
    return {"window": number, "name": cfg_w.name, "status": w.status, "reason": w.reason,
            "serving": serving, "staff": staff, "services": list(cfg_w.services)}


def board_state(st: EngineState) -> dict:
    calls = list(st.board)
    return {"at": calls[0]["at"] if calls else None, "calls": calls, "notice": st.notice}
