"""差评 follow-up as hub ops: record each step of a case (回访 visit, 核实 verify, 整改 rectify,
办结 close) and list the cases with their deadlines in working days; raise one ``alert`` per
case that goes past its deadline.

A case is opened by the engine when a 差评 is rated (event ``follow_up`` action ``opened``,
deadline ``due`` = the hall's ``rating.follow_up_days`` working days later). Steps are recorded
as events of kind ``follow_up_step`` (nothing private in them); closing also emits the engine's
own ``follow_up`` ``closed`` event, so the engine's state and the ``follow_ups`` row agree.

The hub wires this module in (docs/reports.md): hub.ops names :func:`list_cases` and
:func:`record` as the handlers of ``followup.list`` and ``followup.record`` (and says who may call
them), :func:`rows` runs beside the engine's projection and :func:`overdue` from its tick.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.types import Decision, Event
from wire.contract import BadRequest, Conflict, NoTicket

STEPS = ("visit", "verify", "rectify", "close")
LIST_STATUS = ("open", "overdue", "closed", "all")
NOTE_MAX = 500
RESULT_MAX = 200


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


def working_days_left(cfg, today: date, due: date) -> int:
    """Working days from ``today`` to ``due``: 0 on the deadline day, negative once overdue
    (the working days already past it)."""
    step = 1 if due >= today else -1
    count, day = 0, today
    while day != due:
        day += timedelta(days=step)
        if cfg.hours.is_working_day(day if step > 0 else day + timedelta(days=1)):
            count += 1
    return count * step


def cases(conn: sqlite3.Connection, today: date, cfg=None, status: str = "open") -> list[dict]:
    """Follow-up cases as the manager sees them: ``open`` (default), ``overdue``, ``closed`` or
    ``all``; each with its deadline, overdue flag and, given ``cfg``, working days left."""
    if status not in LIST_STATUS:
        raise ValueError(f"status must be one of {', '.join(LIST_STATUS)}, got {status!r}")
    cols = _columns(conn, "follow_ups")
    if "status" not in cols:
        return []  # no 差评 yet
    wanted = ["ticket_id", "no", "window", "staff", "score", "reasons", "opened_at", "due",
              "status", "closed_at", "result", "last_step"]
    select = ", ".join(f"[{c}]" if c in cols else f"NULL AS [{c}]" for c in wanted)
    out = []
    for row in conn.execute(f"SELECT {select} FROM follow_ups ORDER BY due, ticket_id"):
        case = dict(zip(wanted, row))
        case["reasons"] = json.loads(case["reasons"] or "[]")
        due = date.fromisoformat(case["due"])
        case["overdue"] = case["status"] == "open" and today > due
        if cfg is not None:
            case["days_left"] = working_days_left(cfg, today, due) \
                if case["status"] == "open" else None
        keep = {"open": case["status"] == "open", "overdue": case["overdue"],
                "closed": case["status"] == "closed", "all": True}[status]
        if keep:
            out.append(case)
    return out


def list_cases(a: Args, ctx, conn: sqlite3.Connection, cfg=None) -> Decision:
    """``followup.list``: the cases of ``args.status`` (default open); a read. ``cfg`` (the
    hall config) adds working days left."""
    status = a.str("status", required=False, choices=LIST_STATUS) or "open"
    a.done()
    return Decision({"cases": cases(conn, ctx.at.date(), cfg, status)}, [])


def record(a: Args, ctx, conn: sqlite3.Connection, cfg=None) -> Decision:
    """``followup.record``: one step of a case (reads ``conn``, changes nothing); raises a
    wire.contract error for bad input."""
    today = ctx.at.date()
    ticket_id = a.str("ticket_id", max_len=20)
    step = a.str("step", choices=STEPS)
    note = a.str("note", max_len=NOTE_MAX)
    result = a.str("result", required=False, max_len=RESULT_MAX)
    by = a.str("by", max_len=32) if ctx.role == "web" else ctx.node_id
    a.done()
    found = [c for c in cases(conn, today, None, "all") if c["ticket_id"] == ticket_id]
    if not found:
        raise NoTicket(S.FOLLOWUP_NONE.format(ticket_id=ticket_id))
    case = found[0]
    if case["status"] != "open":
        raise Conflict(S.FOLLOWUP_CLOSED.format(ticket_id=ticket_id))
    if step == "close" and result is None:
        raise BadRequest(S.FOLLOWUP_RESULT_NEEDED)
    late = today > date.fromisoformat(case["due"])
    data = {"ticket_id": ticket_id, "no": case["no"], "window": case["window"],
            "staff": case["staff"], "step": step, "note": note, "result": result,
            "by": by, "due": case["due"], "late": late}
    events = [Event("follow_up_step", data)]
    if step == "close":
        events.append(Event("follow_up", {"ticket_id": ticket_id, "action": "closed",
                                          "result": result, "due": case["due"],
                                          "by": by, "late": late}))
    return Decision({"follow_up": {"ticket_id": ticket_id, "step": step, "late": late,
                                   "closed": step == "close"}}, events)


def rows(event: Event, at: datetime) -> list[tuple[str, dict]]:
    """The ``follow_ups`` upserts of a ``follow_up_step`` event and of a ``follow_up_overdue``
    alert (which marks the case so that it alerts once)."""
    d = event.data
    stamp = at.isoformat()
    if event.kind == "follow_up_step":
        step = d["step"]
        row = {"ticket_id": d["ticket_id"], "last_step": step, f"{step}_at": stamp,
               f"{step}_note": d["note"], f"{step}_by": d["by"]}
        if d.get("result") is not None:
            row[f"{step}_result"] = d["result"]
        return [("follow_ups", row)]
    if event.kind == "alert" and d.get("kind") == "follow_up_overdue":
        return [("follow_ups", {"ticket_id": d["ticket_id"], "overdue_alerted_at": stamp})]
    return []


def overdue(conn: sqlite3.Connection, now: datetime, cfg) -> list[Event]:
    """``alert`` events (kind ``follow_up_overdue``) for open cases past their deadline that
    have not alerted yet: neither marked in ``follow_ups`` nor alerted in the event log (the
    engine's own tick may have raised one first)."""
    today = now.astimezone(cfg.tz).date()
    cols = _columns(conn, "follow_ups")
    if "status" not in cols:
        return []
    marked = "AND overdue_alerted_at IS NULL" if "overdue_alerted_at" in cols else ""
    rows_ = conn.execute(
        f"SELECT ticket_id, no, window, staff, due FROM follow_ups WHERE status = 'open' "
        f"AND due < ? {marked} ORDER BY due, ticket_id", (today.isoformat(),)).fetchall()
    if not rows_:
        return []
    alerted = {r[0] for r in conn.execute(
        "SELECT json_extract(data, '$.ticket_id') FROM events WHERE kind = 'alert' "
        "AND json_extract(data, '$.kind') = 'follow_up_overdue'")}
    return [Event("alert", {"kind": "follow_up_overdue", "ticket_id": tid, "no": no,
                            "window": window, "staff": staff, "deadline": due, "due": due})
            for tid, no, window, staff, due in rows_ if tid not in alerted]
