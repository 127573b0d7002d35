"""The hall manager's ops from the console (role ``web``), each recorded with the manager's name
(``args.by``) in its event: pause and resume a window, move a waiting ticket to another service
or window, set the boards' scrolling notice, acknowledge an alert and close the day."""

from __future__ import annotations

from hub.engine import checkpoint, windows
from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.state import EngineState
from hub.engine.tickets import service_arg, ticket_by_no
from hub.engine.ticking import day_close
from hub.engine.types import WAITING, Decision, Event
from wire.contract import BadRequest, Conflict, UnknownWindow

NOTICE_MAX = 200


def _by(a: Args) -> str:
    return a.str("by", max_len=32)


def _as_manager(handler, st: EngineState, a: Args, ctx) -> Decision:
    """``handler``'s decision on the other args, with ``by`` written into its events."""
    by = _by(a)
    decision = handler(st, Args({k: v for k, v in a.data.items() if k != "by"}), ctx)
    for ev in decision.events:
        ev.data["by"] = by
    return decision


def pause(st: EngineState, a: Args, ctx) -> Decision:
    """``manage.pause``: the manager pauses a window (``window``, optional ``reason``)."""
    return _as_manager(windows.pause, st, a, ctx)


def resume(st: EngineState, a: Args, ctx) -> Decision:
    """``manage.resume``: the manager reopens a paused window."""
    return _as_manager(windows.resume, st, a, ctx)


def move(st: EngineState, a: Args, ctx) -> Decision:
    """``manage.move``: a waiting ticket (``no``) queues for another ``service`` or only at one
    window (``to_window``), keeping its place by issue time."""
    by = _by(a)
    t = ticket_by_no(st, a, ctx.at)
    svc = service_arg(st, a, required=False)
    to = a.int("to_window", required=False)
    a.done()
    if (svc is None) == (to is None):
        raise BadRequest(S.TRANSFER_ONE)
    if t.status != WAITING:
        raise Conflict(S.NOT_WAITING_MOVE.format(no=t.no))
    service = t.service if svc is None else svc.id
    if svc is not None and service == t.service:
        raise BadRequest(S.SAME_SERVICE)
    if to is not None:
        if to not in st.cfg.windows:
            raise UnknownWindow(S.UNKNOWN_WINDOW.format(window=to))
        if service not in st.cfg.windows[to].services:
            raise Conflict(S.NOT_FOR_WINDOW.format(no=t.no))
    ev = Event("moved", {"ticket_id": t.ticket_id, "no": t.no, "from_service": t.service,
                         "service": service, "to_window": to, "by": by})
    return Decision({"ticket": {"no": t.no, "service": service, "to_window": to,
                                "status": WAITING}}, [ev])


def notice(st: EngineState, a: Args, ctx) -> Decision:
    """``manage.notice``: the boards' scrolling notice; an empty ``text`` restores the hall
    config's."""
    by = _by(a)
    text = a.data.get("text")
    a._read.add("text")
    a.done()
    if not isinstance(text, str):
        raise BadRequest("args.text must be a string")
    text = " ".join(text.split())
    if len(text) > NOTICE_MAX:
        raise BadRequest(S.NOTICE_TOO_LONG.format(n=NOTICE_MAX))
    ev = Event("notice", {"text": text or None, "by": by})
    return Decision({"notice": text or st.cfg.notice}, [ev])


def ack(st: EngineState, a: Args, ctx) -> Decision:
    """``manage.ack``: the manager has seen the alert published as event ``alert_seq`` (not
    ``seq``: that is every published event's own number)."""
    by = _by(a)
    seq = a.int("alert_seq", min=1)
    note = a.str("note", required=False, max_len=200)
    a.done()
    ev = Event("alert_ack", {"alert_seq": seq, "note": note, "by": by})
    return Decision({"ack": {"alert_seq": seq, "by": by}}, [ev])


def close_day(st: EngineState, a: Args, ctx) -> Decision:
    """``manage.close_day`` (日结): today's close-out now, as the hub makes it after the last
    session: what waits, is held or was skipped is closed with its reason; tickets in a clerk's
    hand are left to be finished and windows stay as they are. A ticket taken later is closed
    by the hub's own close-out."""
    by = _by(a)
    a.done()
    closing = day_close(st, ctx.at, now=True)
    if not closing:
        raise Conflict(S.NOTHING_TO_CLOSE)
    ev = closing[-1]  # the last part (closeparts.py): the day's counts
    ev.data["by"] = by
    # like the tick's close, the last part carries the state once all are applied
    after = EngineState(st.cfg, st.id_key)
    checkpoint.load(after, checkpoint.dump(st))
    after.applied = st.applied
    for part in closing:
        after.apply(part, ctx.at)
    ev.data["_carry"] = checkpoint.dump(after)
    # the answer is the last part (it fits a reply as it fits an event): the day's counts
    return Decision({"day_closed": ev.public()}, closing)
