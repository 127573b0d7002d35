"""A window's work on tickets: call next, recall, call out of order, call back a held ticket,
start, skip (过号), hold (挂起), transfer (转办), finish (办结) and serve a walk-in."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.calendar import hall_date, iso
from hub.engine.policy import next_ticket, serves
from hub.engine.state import EngineState
from hub.engine.tickets import issued_event, service_arg, ticket_by_no
from hub.engine.types import (
    CALLED,
    HELD,
    SERVING,
    SKIPPED,
    WAITING,
    Decision,
    Event,
    Ticket,
    WindowSlot,
)
from hub.engine.windows import in_hand, require_free, require_open, window_arg
from wire.contract import OUTCOMES, BadRequest, Conflict, UnknownWindow


def _seconds(a: datetime | None, b: datetime | None) -> int | None:
    return None if a is None or b is None else max(0, round((b - a).total_seconds()))


def _ticket_data(t: Ticket, w: WindowSlot) -> dict:
    return {"ticket_id": t.ticket_id, "no": t.no, "window": w.number, "service": t.service,
            "staff": w.staff}


def called_event(st: EngineState, t: Ticket, w: WindowSlot, at: datetime, how: str,
                 reason: str | None = None) -> Event:
    """The ``called`` event: what the board shows and the speaker says."""
    cfg_w = st.cfg.windows[w.number]
    text = st.cfg.call_text(t.no, w.number, t.service)
    recall = how == "recall"
    first_call = t.called_at or at
    return Event("called", _ticket_data(t, w) | {
        "window_name": cfg_w.name, "recall": recall, "recalls": t.recalls + (1 if recall else 0),
        "text": text, "how": how, "reason": reason, "green": t.priority is not None,
        "called_at": iso(first_call), "wait_s": _seconds(t.issued_at, first_call)})


def _answer(st: EngineState, t: Ticket, w: WindowSlot, ev: Event, status: str) -> Decision:
    return Decision({"ticket": {"no": t.no, "ticket_id": t.ticket_id, "service": t.service,
                                "service_name": st.cfg.services[t.service].name,
                                "window": w.number, "status": status,
                                "priority": t.priority}}, [ev])


def call_next(st: EngineState, a: Args, ctx) -> Decision:
    """``window.call_next``: the next ticket by the hall's policy, or ``None`` when none waits."""
    w = window_arg(st, a, ctx)
    a.done()
    require_open(w)
    require_free(st, w)
    t = next_ticket(st, w, st.waiting.values(), ctx.at)
    if t is None:
        return Decision({"ticket": None}, [])
    return _answer(st, t, w, called_event(st, t, w, ctx.at, "next"), CALLED)


def recall(st: EngineState, a: Args, ctx) -> Decision:
    """``window.recall``: call the ticket in hand again, at most ``recall_cap`` times."""
    w = window_arg(st, a, ctx)
    a.done()
    t = in_hand(st, w)
    if t.status != CALLED:
        raise Conflict(S.ALREADY_STARTED.format(no=t.no))
    if t.recalls >= st.cfg.queue.recall_cap:
        raise Conflict(S.RECALL_CAPPED.format(no=t.no, n=t.recalls))
    return _answer(st, t, w, called_event(st, t, w, ctx.at, "recall"), CALLED)


def call(st: EngineState, a: Args, ctx) -> Decision:
    """``window.call``: call one waiting (or skipped) ticket out of order, with a reason."""
    w = window_arg(st, a, ctx)
    t = ticket_by_no(st, a, ctx.at)
    reason = a.str("reason", max_len=64)
    a.done()
    require_open(w)
    require_free(st, w)
    if t.status not in (WAITING, SKIPPED):
        raise Conflict(S.NOT_WAITING.format(no=t.no))
    if not serves(st, w.number, t):
        raise Conflict(S.NOT_FOR_WINDOW.format(no=t.no))
    return _answer(st, t, w, called_event(st, t, w, ctx.at, "call", reason), CALLED)


def call_back(st: EngineState, a: Args, ctx) -> Decision:
    """``window.call_back`` (回呼): call a ticket this window held, the same day."""
    w = window_arg(st, a, ctx)
    t = ticket_by_no(st, a, ctx.at)
    a.done()
    require_open(w)
    require_free(st, w)
    if t.status != HELD or t.window != w.number:
        raise Conflict(S.NOT_HELD_HERE.format(no=t.no))
    return _answer(st, t, w, called_event(st, t, w, ctx.at, "call_back"), CALLED)


def start(st: EngineState, a: Args, ctx) -> Decision:
    """``window.start``: the citizen is at the window; service time runs from now."""
    return _from_called(st, a, ctx, "started", SERVING)


def skip(st: EngineState, a: Args, ctx) -> Decision:
    """``window.skip`` (过号): the called citizen did not come."""
    return _from_called(st, a, ctx, "skipped", SKIPPED)


def _from_called(st: EngineState, a: Args, ctx, kind: str, status: str) -> Decision:
    """The window's called (not yet started) ticket to ``status``, said as event ``kind``."""
    w = window_arg(st, a, ctx)
    a.done()
    t = in_hand(st, w)
    if t.status != CALLED:
        raise Conflict(S.ALREADY_STARTED.format(no=t.no))
    return _answer(st, t, w, Event(kind, _ticket_data(t, w)), status)


def hold(st: EngineState, a: Args, ctx) -> Decision:
    """``window.hold`` (挂起): set the ticket in hand aside at this window."""
    w = window_arg(st, a, ctx)
    a.done()
    t = in_hand(st, w)
    return _answer(st, t, w, Event("held", _ticket_data(t, w)), HELD)


def transfer(st: EngineState, a: Args, ctx) -> Decision:
    """``window.transfer`` (转办): the ticket queues again for another service or one window,
    keeping its issue time."""
    w = window_arg(st, a, ctx)
    svc = service_arg(st, a, required=False)
    to = a.int("to_window", required=False)
    a.done()
    if (svc is None) == (to is None):
        raise BadRequest(S.TRANSFER_ONE)
    if to is not None:
        if to not in st.cfg.windows:
            raise UnknownWindow(S.UNKNOWN_WINDOW.format(window=to))
        if to == w.number:
            raise BadRequest(S.SAME_WINDOW)
    t = in_hand(st, w)
    if svc is not None and svc.id == t.service:
        raise BadRequest(S.SAME_SERVICE)
    ev = Event("transferred", _ticket_data(t, w) | {
        "from_service": t.service, "service": svc.id if svc else t.service, "to_window": to,
        "transferred": t.transferred + 1})
    return _answer(st, t, w, ev, WAITING)


def finish(st: EngineState, a: Args, ctx) -> Decision:
    """``window.finish`` (办结): the ticket is done; the window's rating pad is invited."""
    w = window_arg(st, a, ctx)
    outcome = a.str("outcome", required=False, choices=OUTCOMES) or "done"
    case_no = a.str("case_no", required=False, max_len=64)
    a.done()
    t = in_hand(st, w)
    at = ctx.at
    begun = t.started_at or t.called_at  # from the call when start was never pressed
    days = st.cfg.rating.default_unrated_days
    ev = Event("finished", _ticket_data(t, w) | {
        "date": hall_date(st.cfg, at).isoformat(), "outcome": outcome, "case_no": case_no,
        "priority": t.priority, "issued_at": iso(t.issued_at), "called_at": iso(t.called_at),
        "started_at": iso(begun), "wait_s": _seconds(t.issued_at, t.called_at),
        "service_s": _seconds(begun, at), "window_s": _seconds(t.called_at, at),
        "transferred": t.transferred, "skipped": t.skipped,
        "walk_in": t.walk_in,
        "default_due": iso(at + timedelta(days=days)) if days else None})
    return _answer(st, t, w, ev, "finished")


def walk_in(st: EngineState, a: Args, ctx) -> Decision:
    """``window.walk_in``: serve someone without a ticket; a ticket is issued to this window
    so that the figures and the rating bind to it."""
    w = window_arg(st, a, ctx)
    svc = service_arg(st, a)
    a.done()
    require_open(w)
    require_free(st, w)
    if svc.id not in st.services_of(w.number):
        raise Conflict(S.NOT_SERVED_HERE.format(name=svc.name))
    ev = issued_event(st, svc, ctx.at, walk_in=True, window=w.number, staff=w.staff)
    d = ev.data
    return Decision({"ticket": {"no": d["no"], "ticket_id": d["ticket_id"], "service": svc.id,
                                "service_name": svc.name, "window": w.number,
                                "status": SERVING, "priority": None}}, [ev])
