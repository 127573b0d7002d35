"""Time-driven events: wait-over-limit alerts (once per ticket), overdue follow-ups, defaulted
ratings where the hall counts them, suggestions that an idle clerk help a long queue
(hub.engine.assign), and the day's close-out.

The day closes when its last session ends: what still waits, is held or was skipped is closed
with a reason (``day_closed``, with counts). A ticket still in a clerk's hand then is left to be
finished; if the hall's midnight passes first, it is closed too and the window is logged out.
Nothing is dropped silently: every closed ticket is named in the event.
"""

from __future__ import annotations

from datetime import date, datetime

from hub.engine import checkpoint, closeparts
from hub.engine import strings as S
from hub.engine.assign import assist_events
from hub.engine.calendar import day_end, hall_date, iso, parse_iso
from hub.engine.checkin import no_shows
from hub.engine.ratings import rated_events
from hub.engine.state import EngineState
from hub.engine.types import CALLED, HELD, SERVING, SKIPPED, WAITING, Event

_REASONS = {WAITING: "day_end_waiting", HELD: "day_end_held", SKIPPED: "day_end_no_show",
            CALLED: "day_end_unfinished", SERVING: "day_end_unfinished"}


def _ticket_date(ticket_id: str) -> date:
    return date(int(ticket_id[:4]), int(ticket_id[4:6]), int(ticket_id[6:8]))


def _session_date(session_id: str) -> date:
    return _ticket_date(session_id)


def wait_alerts(st: EngineState, at: datetime) -> list[Event]:
    limit = st.cfg.alerts.max_wait_s
    out = []
    for t in sorted(st.waiting.values(), key=lambda t: t.serial):
        waited = (at - t.issued_at).total_seconds()
        if not t.alerted and waited > limit:
            out.append(Event("alert", {"kind": "wait_over_limit", "ticket_id": t.ticket_id,
                                       "no": t.no, "service": t.service,
                                       "waited_s": round(waited), "limit_s": limit}))
    return out


def follow_up_alerts(st: EngineState, at: datetime) -> list[Event]:
    today = hall_date(st.cfg, at)
    return [Event("alert", {"kind": "follow_up_overdue", "ticket_id": f.ticket_id,
                            "due": f.due.isoformat()})
            for f in st.follow_ups.values() if not f.overdue_alerted and today > f.due]


def default_ratings(st: EngineState, at: datetime) -> list[Event]:
    out = []
    for info in list(st.unrated.values()):
        if parse_iso(info["default_due"]) <= at:
            out += rated_events(st, info, S.DEFAULT_SCORE, [], at, defaulted=True)
    return out


def day_close(st: EngineState, at: datetime, now: bool = False) -> list[Event]:
    """``day_closed`` for the day whose last session has ended, or whose midnight has passed;
    ``now``: today's close-out at ``at`` as if its last session had ended (the manager's)."""
    today = hall_date(st.cfg, at)
    after_hours = now or at >= day_end(st.cfg, today)
    closed, windows = [], []
    days: set[date] = set()
    for t in sorted(st.tickets.values(), key=lambda t: t.serial):
        day = _ticket_date(t.ticket_id)
        if day > today:
            continue  # the clock stepped back over midnight: that day has not even begun
        past = day < today
        if t.status in (WAITING, HELD, SKIPPED) and (past or after_hours) or \
                t.status in (CALLED, SERVING) and past:
            closed.append({"ticket_id": t.ticket_id, "no": t.no, "service": t.service,
                           "status": t.status, "window": t.window,
                           "reason": _REASONS[t.status]})
            days.add(day)
    for w in st.windows.values():
        if w.session_id is not None and _session_date(w.session_id) < today:
            windows.append({"window": w.number, "session_id": w.session_id, "staff": w.staff,
                            "reason": "day_end"})
            days.add(_session_date(w.session_id))
    active_today = st.count(today.isoformat(), "issued") > 0 or any(
        w.session_id and _session_date(w.session_id) == today for w in st.windows.values())
    if after_hours and active_today and today.isoformat() not in st.last_close:
        days.add(today)
    if not days:
        return []
    day = max(days)
    counts = {"issued": st.count(day.isoformat(), "issued"),
              "finished": st.count(day.isoformat(), "finished"), "closed": len(closed)}
    for reason in _REASONS.values():
        counts[reason] = sum(1 for c in closed if c["reason"] == reason)
    # in parts that each fit the wire (closeparts.py); the last carries the counts
    return closeparts.split(day.isoformat(), closed, windows, counts, iso(at))


def tick(st: EngineState, at: datetime) -> list[Event]:
    """The events time alone makes true at ``at`` (to be applied in order by the caller)."""
    events = (wait_alerts(st, at) + follow_up_alerts(st, at) + default_ratings(st, at)
              + assist_events(st, at) + no_shows(st, at))
    closing = day_close(st, at)
    if closing:
        # the state once this tick's events are applied rides on the close (checkpoint.py)
        after = EngineState(st.cfg, st.id_key)
        checkpoint.load(after, checkpoint.dump(st))
        after.applied = st.applied
        for ev in events + closing:
            after.apply(ev, at)
        closing[-1].data["_carry"] = checkpoint.dump(after)
    return events + closing
