"""Ratings (好差评): a press on the window's pad binds to the window's last finished ticket
within the hall's binding time, once per ticket; a 差评 opens a follow-up case with a deadline in
working days (its steps and its close are hub.followups' ops). Also the defaulted rating some provinces count for an unrated service."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.calendar import add_working_days, hall_date, iso
from hub.engine.state import EngineState
from hub.engine.types import Decision, Event
from hub.engine.windows import window_arg
from wire.contract import BadRequest, Conflict, NoTicket

CHANNEL = "PJQ"  # 评价器: the channel code the provincial 好差评 platforms use for a pad
BAD = (1, 2)     # 不满意, 非常不满意
PRESS_SKEW_S = 5  # a pad's clock may run this far ahead of the hub's


def rated_events(st: EngineState, info: dict, score: int, reasons: list[str],
                 at: datetime, defaulted: bool) -> list[Event]:
    """``rated``, and for a 差评 the ``follow_up`` it opens and the manager's ``alert``."""
    rated = Event("rated", {
        "ticket_id": info["ticket_id"], "no": info["no"], "service": info["service"],
        "window": info["window"], "staff": info["staff"], "score": score,
        "level": S.LEVELS[score], "reasons": reasons, "rated_at": iso(at),
        "finished_at": info["finished_at"], "channel": CHANNEL, "defaulted": defaulted})
    if score not in BAD or defaulted:
        return [rated]
    due = add_working_days(st.cfg, hall_date(st.cfg, at), st.cfg.rating.follow_up_days)
    common = {"ticket_id": info["ticket_id"], "no": info["no"], "window": info["window"],
              "staff": info["staff"], "score": score}
    return [rated,
            Event("follow_up", common | {"action": "opened", "due": due.isoformat(),
                                         "reasons": reasons}),
            Event("alert", common | {"kind": "bad_rating", "due": due.isoformat()})]


def submit(st: EngineState, a: Args, ctx) -> Decision:
    """``rating.submit``: score 1–5 (5 = 非常满意) and optional reasons from the pad."""
    w = window_arg(st, a, ctx)
    score = a.int("score", min=1, max=5)
    reasons = a.str_list("reasons")
    # A press the pad kept while the broker was away arrives late with the time it was made;
    # it binds by that time, and only to the ticket that had just finished then.
    pressed = a.datetime("pressed_at", st.cfg.tz, required=False)
    a.done()
    if pressed is not None and pressed > ctx.at + timedelta(seconds=PRESS_SKEW_S):
        raise BadRequest(f"args.pressed_at {pressed.isoformat()} is in the future")
    when = pressed or ctx.at
    bind_s = st.cfg.rating.bind_s
    t = st.tickets.get(w.last_finished) if w.last_finished else None
    if t is None or when < w.last_finished_at or \
            when - w.last_finished_at > timedelta(seconds=bind_s):
        raise NoTicket(S.NOTHING_TO_RATE.format(s=bind_s))
    if t.rated:
        raise Conflict(S.ALREADY_RATED.format(no=t.no))
    info = {"ticket_id": t.ticket_id, "no": t.no, "service": t.service, "window": w.number,
            "staff": t.staff, "finished_at": iso(t.finished_at)}
    events = rated_events(st, info, score, reasons, when, defaulted=False)
    rating = events[0].public()
    return Decision({"rating": rating}, events)

