"""Window assignment (docs/assignment.md): the hall manager sets what a window serves for the
day (``window.assign``), accepts a suggestion to help a long queue (``window.assist``), and the
hub suggests it, or applies it itself, when a service's expected wait is over the limit while a
skilled clerk sits idle elsewhere (``alert`` kind ``assist_suggested``).

An assignment is a ``window`` event with action ``assign``: it names the services in the
window's new preference order and who decided; it lasts until changed or until the day closes.
"""

from __future__ import annotations

from datetime import datetime

from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.policy import next_ticket
from hub.engine.state import EngineState
from hub.engine.tickets import service_arg
from hub.engine.types import Decision, Event, WindowSlot
from hub.engine.views import est_wait_s, serving_share, window_state
from hub.engine.windows import window_arg
from wire.contract import BadRequest, Conflict, Forbidden, NoSkill

HUB = "hub"  # ``by`` of an assignment the hub applied itself (``[queue] assist = "auto"``)


def check_services(st: EngineState, w: WindowSlot, services: list[str]) -> None:
    """Refuse services the window's counter or its clerk on post cannot serve."""
    cfg_w = st.cfg.windows[w.number]
    staff = st.cfg.staff.get(w.staff) if w.staff is not None else None
    for sid in services:
        name = st.cfg.services[sid].name
        if sid not in cfg_w.allows:
            raise Forbidden(S.COUNTER_NOT_ALLOWED.format(window=w.number, name=name))
        if staff is not None and sid not in staff.skills:
            raise NoSkill(S.NO_SKILL.format(staff=staff.number, name=name))


def assign_event(st: EngineState, w: WindowSlot, services: list[str], by: str,
                 suggested: bool = False) -> Event:
    return Event("window", {"window": w.number, "action": "assign", "session_id": w.session_id,
                            "staff": w.staff, "services": list(services),
                            "previous": list(st.services_of(w.number)), "by": by,
                            "suggested": suggested})


def _answer(st: EngineState, w: WindowSlot, ev: Event) -> Decision:
    state = window_state(st, w.number)
    state["services"] = [s for s in ev.data["services"] if s in _servable(st, w)]
    state["assigned_by"] = ev.data["by"]
    return Decision({"window": state}, [ev])


def _servable(st: EngineState, w: WindowSlot) -> set[str]:
    staff = st.cfg.staff.get(w.staff) if w.staff is not None else None
    allows = set(st.cfg.windows[w.number].allows)
    return allows if staff is None else allows & set(staff.skills)


def assign(st: EngineState, a: Args, ctx) -> Decision:
    """``window.assign`` (admin, web): the services ``window`` serves from now, in preference
    order, until changed or the day closes; ``by`` is the manager who decided."""
    w = window_arg(st, a, ctx)
    raw = a.data.get("services")
    if not isinstance(raw, list) or not raw:
        raise BadRequest(S.ASSIGN_SERVICES)
    sids = a.str_list("services", max_items=len(st.cfg.services), max_len=16)
    by = a.str("by", max_len=32)
    a.done()
    if len(set(sids)) != len(sids):
        raise BadRequest(S.ASSIGN_SERVICES)
    for sid in sids:
        service_arg(st, Args({"service": sid}))  # UnknownService
    check_services(st, w, sids)
    return _answer(st, w, assign_event(st, w, sids, by))


def assist(st: EngineState, a: Args, ctx) -> Decision:
    """``window.assist`` (admin, web): accept a suggestion in one action: ``window`` also serves
    ``service`` (last in its preference) until changed or the day closes."""
    w = window_arg(st, a, ctx)
    svc = service_arg(st, a)
    by = a.str("by", max_len=32)
    a.done()
    current = list(st.services_of(w.number))
    if svc.id in current:
        raise Conflict(S.ALREADY_SERVES.format(window=w.number, name=svc.name))
    check_services(st, w, [svc.id])
    return _answer(st, w, assign_event(st, w, current + [svc.id], by, suggested=True))


def _idle(st: EngineState, w: WindowSlot, at: datetime) -> bool:
    """Open, nothing in hand and nothing it serves now waiting."""
    return (w.status == "open" and w.current is None
            and next_ticket(st, w, st.waiting.values(), at) is None)


def assist_events(st: EngineState, at: datetime) -> list[Event]:
    """Suggestions (and, with ``assist = "auto"``, assignments) for services whose expected wait
    is over the hall's limit while a clerk who may serve them is idle at another window.

    At most one window per service and one service per window each time; the same window and
    service are suggested again only after ``assist_every_s``.
    """
    q = st.cfg.queue
    if q.assist == "off" or not st.waiting:
        return []
    limit = st.cfg.alerts.max_wait_s
    waiting: dict[str, int] = {}
    for t in st.waiting.values():
        if t.to_window is None:
            waiting[t.service] = waiting.get(t.service, 0) + 1
    busy = set(waiting)
    over = []
    for sid, n in waiting.items():
        est = est_wait_s(st, sid, n, serving_share(st, sid, busy))
        if est > limit:
            over.append((-est, sid))
    events: list[Event] = []
    used: set[int] = set()
    for neg_est, sid in sorted(over):
        for n, w in sorted(st.windows.items()):
            if n in used or sid in st.services_of(n) or sid not in _servable(st, w):
                continue
            last = st.suggested.get(f"{n}:{sid}")
            if last is not None and (at - last).total_seconds() < q.assist_every_s:
                continue
            if not _idle(st, w, at):
                continue
            used.add(n)
            name = st.cfg.services[sid].name
            events.append(Event("alert", {
                "kind": "assist_suggested", "window": n, "service": sid, "staff": w.staff,
                "est_wait_s": -neg_est, "limit_s": limit, "auto": q.assist == "auto",
                "text": S.ASSIST_TEXT.format(window_name=st.cfg.windows[n].name, name=name)}))
            if q.assist == "auto":
                events.append(assign_event(st, w, list(st.services_of(n)) + [sid], HUB,
                                           suggested=True))
            break
    return events
