"""A ticket the hub no longer holds in memory (its day was closed: 日结, by the manager or the
hub's own close-out), found in the hub's database read-only by its page token, so a reload or a
next-morning scan says what happened instead of 没有找到排队号.

Only today's and yesterday's tickets are searched: a QR from last week answers not found."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from web import figures
from wire.tokens import ticket_token, token_key

DAY_END_REASONS = ("day_end_waiting", "day_end_held", "day_end_no_show", "day_end_unfinished")


def closed_view(base: dict, reason: str | None, day: str | None) -> dict:
    """``base`` (a page's last view) once its day has been closed with ``reason``."""
    return base | {"status": "closed", "day_ended": True, "closed_reason": reason,
                   "date": day or base.get("date"), "waiting_ahead": None,
                   "est_wait_s": None, "can_cancel": False, "can_rate": False, "windows": []}


def _row_view(cfg, row: dict) -> dict:
    # a column the day never filled may be missing from the table: every optional one by get
    svc = cfg.services.get(row["service"])
    status, reason = row.get("status"), row.get("closed_reason")
    view = {"ticket_id": row["ticket_id"], "no": row["no"], "service": row["service"],
            "service_name": svc.name if svc else row["service"], "status": status,
            "window": row.get("window"), "window_name": None, "windows": [],
            "waiting_ahead": None, "est_wait_s": None,
            "transferred": row.get("transferred") or 0, "skipped": row.get("skipped") or 0,
            "recalls": row.get("recalls") or 0, "green": bool(row.get("priority")),
            "rated": False, "can_rate": False, "can_cancel": False,
            "issued_at": row.get("issued_at"), "called_at": row.get("called_at"),
            "finished_at": row.get("finished_at"), "date": row.get("date")}
    if status == "closed" and reason == "cancelled":
        return view | {"status": "cancelled"}
    if status != "finished":
        # closed by 日结, or still open in a day the hub has let go of: the day is over for it
        return closed_view(view, reason if reason in DAY_END_REASONS else None, row.get("date"))
    return view


def find(db_path: str | None, cfg, token: str, today: date) -> dict | None:
    """The view of the ticket of today or yesterday whose token is ``token``, or None."""
    conn = figures.connect(db_path)
    if conn is None:
        return None
    try:
        conn.row_factory = sqlite3.Row
        got = conn.execute("SELECT value FROM meta WHERE key = 'id_key'").fetchone()
        if got is None:
            return None
        key = token_key(bytes.fromhex(got["value"]))
        days = (today.isoformat(), (today - timedelta(days=1)).isoformat())
        for row in conn.execute("SELECT * FROM tickets WHERE date IN (?, ?)", days):
            if ticket_token(key, row["ticket_id"]) == token:
                return _row_view(cfg, dict(row))
        return None
    except sqlite3.Error:  # a database mid-migration or without the tables yet: not found
        return None
    finally:
        conn.close()
