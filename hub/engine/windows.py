"""Window posts: staff login/logout (A 常驻 / B 顶岗), pause and resume, and the checks every
window op shares (which window, is it this node's, is it open, what is in hand)."""

from __future__ import annotations

from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.calendar import hall_date
from hub.engine.state import EngineState
from hub.engine.types import Decision, Event, Ticket, WindowSlot
from hub.engine.views import window_state
from wire.contract import BadRequest, Conflict, Forbidden, NoTicket, UnknownWindow


def window_arg(st: EngineState, a: Args, ctx, key: str = "window") -> WindowSlot:
    """The window named by ``args.window``; a rater may only name its own (Forbidden)."""
    n = a.int(key)
    if n not in st.cfg.windows:
        raise UnknownWindow(S.UNKNOWN_WINDOW.format(window=n))
    if ctx.role == "rater" and ctx.window != n:
        raise Forbidden(S.NOT_YOUR_WINDOW.format(window=ctx.window))
    return st.windows[n]


def require_open(w: WindowSlot) -> None:
    if w.status != "open":
        raise Conflict(S.WINDOW_NOT_OPEN)


def require_free(st: EngineState, w: WindowSlot) -> None:
    t = st.current(w.number)
    if t is not None:
        raise Conflict(S.WINDOW_BUSY.format(no=t.no))


def in_hand(st: EngineState, w: WindowSlot) -> Ticket:
    t = st.current(w.number)
    if t is None:
        raise NoTicket(S.NOTHING_IN_HAND)
    return t


def window_event(w: WindowSlot, action: str, **data) -> Event:
    return Event("window", {"window": w.number, "action": action,
                            "session_id": w.session_id, "staff": w.staff} | data)


def _with_state(st: EngineState, w: WindowSlot, ev: Event) -> Decision:
    """A window op's answer: the window state as it will be once ``ev`` is applied."""
    state = window_state(st, w.number)
    d = ev.data
    if d["action"] == "login":
        state["status"] = "open"
        state["staff"] = {"number": d["staff"], "name": d["staff_name"], "post": d["post"]}
    elif d["action"] == "logout":
        state["status"], state["staff"], state["reason"] = "closed", None, None
    elif d["action"] == "pause":
        state["status"], state["reason"] = "paused", d.get("reason")
    else:
        state["status"], state["reason"] = "open", None
    return Decision({"window": state}, [ev])


def login(st: EngineState, a: Args, ctx) -> Decision:
    """``window.login``: a clerk takes the post; the window opens."""
    w = window_arg(st, a, ctx)
    number = a.str("staff", max_len=16)
    a.done()
    staff = st.cfg.staff.get(number)
    if staff is None:
        raise BadRequest(S.UNKNOWN_STAFF.format(staff=number))
    if w.number not in staff.windows:
        raise Forbidden(S.STAFF_NOT_HERE.format(staff=number, window=w.number))
    if w.staff is not None:
        raise Conflict(S.WINDOW_TAKEN.format(window=w.number, staff=w.staff))
    for other in st.windows.values():
        if other.staff == number:
            raise Conflict(S.STAFF_ELSEWHERE.format(staff=number, window=other.number))
    logins = w.logins + 1
    session_id = f"{hall_date(st.cfg, ctx.at):%Y%m%d}-{w.number}-{logins}"
    ev = Event("window", {"window": w.number, "action": "login", "session_id": session_id,
                          "staff": number, "staff_name": staff.name, "post": staff.post,
                          "logins": logins})
    return _with_state(st, w, ev)


def logout(st: EngineState, a: Args, ctx) -> Decision:
    """``window.logout``: the clerk leaves the post (finish or hold the ticket in hand first)."""
    w = window_arg(st, a, ctx)
    number = a.str("staff", max_len=16)
    a.done()
    if w.staff != number:
        raise Conflict(S.WINDOW_LOGOUT_OTHER.format(staff=number))
    require_free(st, w)
    return _with_state(st, w, window_event(w, "logout", reason="logout"))


def pause(st: EngineState, a: Args, ctx) -> Decision:
    """``window.pause`` (暂停): the window stops calling; a reason is shown when given."""
    w = window_arg(st, a, ctx)
    reason = a.str("reason", required=False, max_len=32)
    a.done()
    require_open(w)
    return _with_state(st, w, window_event(w, "pause", reason=reason))


def resume(st: EngineState, a: Args, ctx) -> Decision:
    """``window.resume``: a paused window calls again."""
    w = window_arg(st, a, ctx)
    reason = a.str("reason", required=False, max_len=32)
    a.done()
    if w.status != "paused":
        raise Conflict(S.WINDOW_NOT_PAUSED)
    return _with_state(st, w, window_event(w, "resume", reason=reason))
