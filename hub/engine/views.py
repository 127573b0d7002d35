"""Read-only views of the engine state: the retained ``state/*`` payloads of docs/node-api.md,
a ticket as a node sees it, and the estimated wait."""

from __future__ import annotations

import math
from datetime import datetime

from hub.engine.calendar import iso
from hub.engine.state import EngineState
from hub.engine.types import WAITING, Ticket


def open_windows(st: EngineState, service: str) -> int:
    """Windows serving ``service`` now with a clerk on post and not paused."""
    return sum(1 for n, w in st.windows.items()
               if w.status == "open" and service in st.services_of(n))


def serving_share(st: EngineState, service: str, busy: set[str] | None = None) -> float:
    """How many windows' worth of time ``service`` gets now: each open window serving it counts
    1 ÷ the number of its services with someone waiting (``busy``; ``service`` always counts).
    0 when no open window serves it."""
    busy = {t.service for t in st.waiting.values()} if busy is None else busy
    share = 0.0
    for n, w in st.windows.items():
        mine = st.services_of(n) if w.status == "open" else ()
        if service in mine:
            share += 1 / sum(1 for s in mine if s == service or s in busy)
    return share


def est_wait_s(st: EngineState, service: str, ahead: int, share: float | None = None) -> int:
    """Today's measured time per ticket × tickets ahead ÷ the windows' share serving it (as one
    window when none is open)."""
    share = serving_share(st, service) if share is None else share
    return math.ceil(st.times[service].mean_s * ahead / (share if share > 0 else 1))


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
    """A ticket as ``ticket.status`` answers it: no personal data and no page token (the token
    goes only to the kiosk that prints the ticket: docs/node-api.md, "Who may learn what")."""
    svc = st.cfg.services[t.service]
    view = {
        "no": t.no, "ticket_id": t.ticket_id, "service": t.service, "service_name": svc.name,
        "issued_at": iso(t.issued_at), "priority": t.priority, "status": t.status,
        "window": t.window if t.window is not None else t.to_window,
        "called_at": iso(t.called_at), "started_at": iso(t.started_at),
        "finished_at": iso(t.finished_at), "transferred": t.transferred, "skipped": t.skipped,
        "appointment": t.appointment is not None,
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
    busy = {sid for sid, n in waiting.items() if n}
    for sid, svc in st.cfg.services.items():
        share = serving_share(st, sid, busy)
        services[sid] = {"name": svc.name, "waiting": waiting[sid],
                         "est_wait_s": est_wait_s(st, sid, waiting[sid], share),
                         "open_windows": open_windows(st, sid)}
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
            "serving": serving, "staff": staff, "services": list(st.services_of(number)),
            "assigned_by": w.assigned_by}


def board_state(st: EngineState) -> dict:
    calls = list(st.board)
    return {"at": calls[0]["at"] if calls else None, "calls": calls, "notice": st.notice}
