"""Derived tables from the event log: each event gives (table, row) upserts.

A row names only the columns the event settles; the store upserts it by the table's primary key
(``tickets.ticket_id``, ``ratings.ticket_id``, ``follow_ups.ticket_id``, ``window_sessions.id``),
leaving the other columns as they were. Replaying the log through :func:`rows` rebuilds the
tables. docs/events.md documents every table and column.
"""

from __future__ import annotations

import json
from datetime import datetime

from hub.engine.types import Event

PRIMARY_KEYS = {"tickets": "ticket_id", "ratings": "ticket_id", "follow_ups": "ticket_id",
                "window_sessions": "id"}

#: table -> column -> SQLite type, for the store's schema (sqlite-utils ``create``).
COLUMNS = {
    "tickets": {
        "ticket_id": str, "date": str, "no": str, "service": str, "priority": str,
        "appointment": str, "late_check_in": int, "walk_in": int, "id_masked": str,
        "issued_at": str, "called_at": str, "started_at": str, "finished_at": str,
        "window": int, "staff": str, "status": str, "outcome": str, "case_no": str,
        "recalls": int, "transferred": int, "skipped": int, "no_show": int,
        "closed_reason": str, "wait_s": int, "service_s": int,
    },
    "ratings": {
        "ticket_id": str, "no": str, "service": str, "window": int, "staff": str,
        "score": int, "level": str, "reasons": str, "rated_at": str, "finished_at": str,
        "channel": str, "defaulted": int,
    },
    "follow_ups": {
        "ticket_id": str, "no": str, "window": int, "staff": str, "score": int,
        "reasons": str, "opened_at": str, "due": str, "status": str, "closed_at": str,
        "result": str, "closed_by": str, "late": int,
    },
    "window_sessions": {
        "id": str, "window": int, "staff": str, "post": str, "login_at": str,
        "logout_at": str, "end_reason": str,
    },
}


def _ticket(d: dict, **cols) -> tuple[str, dict]:
    return "tickets", {"ticket_id": d["ticket_id"]} | cols


def _issued(d: dict, at: str) -> list:
    row = {"date": d["date"], "no": d["no"], "service": d["service"],
           "priority": d.get("priority"), "appointment": d.get("appointment"),
           "late_check_in": int(bool(d.get("late"))), "walk_in": int(bool(d.get("walk_in"))),
           "id_masked": d.get("_id_masked"), "issued_at": at, "status": "waiting",
           "recalls": 0, "transferred": 0, "skipped": 0, "no_show": 0}
    if d.get("walk_in"):
        row |= {"status": "serving", "window": d["window"], "staff": d.get("staff"),
                "called_at": at, "started_at": at, "wait_s": 0}
    return [_ticket(d, **row)]


def _called(d: dict, at: str) -> list:
    return [_ticket(d, status="called", window=d["window"], staff=d.get("staff"),
                    called_at=d["called_at"], wait_s=d["wait_s"], recalls=d["recalls"],
                    no_show=0)]


def _finished(d: dict, at: str) -> list:
    return [_ticket(d, status="finished", finished_at=at, window=d["window"],
                    staff=d.get("staff"), outcome=d["outcome"], case_no=d.get("case_no"),
                    started_at=d["started_at"], service_s=d["service_s"])]


def _rated(d: dict, at: str) -> list:
    keys = ("ticket_id", "no", "service", "window", "staff", "score", "level", "rated_at",
            "finished_at", "channel")
    row = {k: d[k] for k in keys}
    row["reasons"] = json.dumps(d["reasons"], ensure_ascii=False)
    row["defaulted"] = int(bool(d["defaulted"]))
    return [("ratings", row)]


def _follow_up(d: dict, at: str) -> list:
    if d["action"] == "opened":
        row = {k: d[k] for k in ("ticket_id", "no", "window", "staff", "score", "due")}
        row |= {"reasons": json.dumps(d.get("reasons", []), ensure_ascii=False),
                "opened_at": at, "status": "open"}
    else:
        row = {"ticket_id": d["ticket_id"], "status": "closed", "closed_at": at,
               "result": d["result"], "closed_by": d.get("by"), "late": int(bool(d["late"]))}
    return [("follow_ups", row)]


def _window(d: dict, at: str) -> list:
    if d["action"] == "login":
        return [("window_sessions", {"id": d["session_id"], "window": d["window"],
                                     "staff": d["staff"], "post": d["post"],
                                     "login_at": at})]
    if d["action"] == "logout":
        return [("window_sessions", {"id": d["session_id"], "logout_at": at,
                                     "end_reason": d.get("reason", "logout")})]
    return []  # pause/resume: the event log is their record


def _day_closed(d: dict, at: str) -> list:
    out = []
    for c in d["closed"]:
        out.append(_ticket(c, status="closed", closed_reason=c["reason"],
                           no_show=int(c["reason"] == "day_end_no_show")))
    for w in d["windows"]:
        out.append(("window_sessions", {"id": w["session_id"], "logout_at": at,
                                        "end_reason": w["reason"]}))
    return out


_RULES = {
    "issued": _issued,
    "called": _called,
    "started": lambda d, at: [_ticket(d, status="serving", started_at=at)],
    "held": lambda d, at: [_ticket(d, status="held")],
    "transferred": lambda d, at: [_ticket(d, status="waiting", service=d["service"],
                                          transferred=d["transferred"], started_at=None)],
    "skipped": lambda d, at: [_ticket(d, status="skipped", skipped=1, no_show=1)],
    "requeued": lambda d, at: [_ticket(d, status="waiting", no_show=0)],
    "finished": _finished,
    "rated": _rated,
    "follow_up": _follow_up,
    "window": _window,
    "day_closed": _day_closed,
    # the citizen left the queue from the ticket page (取消排队): closed, for a reason
    "cancelled": lambda d, at: [_ticket(d, status="closed", closed_reason="cancelled")],
    "moved": lambda d, at: [_ticket(d, service=d["service"])],
}


def rows(event: Event, at: datetime) -> list[tuple[str, dict]]:
    """The (table, row) upserts ``event``, applied at ``at``, makes in the derived tables."""
    rule = _RULES.get(event.kind)
    return [] if rule is None else rule(event.data, at.isoformat())
