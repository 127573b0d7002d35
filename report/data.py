"""Reading a period's record from the hub's database (read-only).

Each ticket's facts come from the derived ``tickets`` table (docs/events.md) plus the event log
for what the table keeps only last: where a ticket was first called (its wait belongs to that
window), where it was skipped and from where it was transferred. Ratings come from ``ratings``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime

from report.period import Period


@dataclass
class TicketFacts:
    """One ticket of the period, each fact with the window and staff where it happened."""

    ticket_id: str
    day: date
    no: str
    service_issued: str           # what the citizen took at the kiosk
    service_final: str            # after transfers: what was served
    issued_at: datetime
    walk_in: bool
    status: str
    wait_s: int | None = None     # issue → first call
    first_window: int | None = None
    first_staff: str | None = None
    called_at: list[tuple[int, str | None]] = field(default_factory=list)  # (window, staff)
    finished: bool = False
    window: int | None = None     # where it was finished
    staff: str | None = None
    service_s: int | None = None
    no_show: bool = False
    skip_window: int | None = None
    skip_staff: str | None = None
    transfers: list[tuple[int, str | None, str]] = field(default_factory=list)  # window, staff, from
    case_no: str | None = None
    closed_reason: str | None = None  # closed by the day's close-out: waiting, held, unfinished
    unserved_wait_s: int | None = None  # issue → close-out, for one never called


@dataclass(frozen=True)
class Rating:
    """One rating record (a press, or a defaulted record where the hall counts one)."""

    ticket_id: str
    no: str
    service: str
    window: int
    staff: str | None
    score: int
    level: str
    reasons: tuple[str, ...]
    rated_at: str
    finished_at: str | None
    channel: str
    defaulted: bool


@dataclass
class PeriodRecord:
    """What hall-report knows about one period."""

    period: Period
    tickets: dict[str, TicketFacts]
    ratings: dict[str, Rating]


def _ticket_day(ticket_id: str) -> date:
    return date(int(ticket_id[:4]), int(ticket_id[4:6]), int(ticket_id[6:8]))


def _id_range(period: Period) -> tuple[str, str]:
    # ticket ids are YYYYMMDD-A012: the hall date orders them, so a range is an index scan
    return f"{period.first:%Y%m%d}-", f"{period.last:%Y%m%d}-~"


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


def load(conn: sqlite3.Connection, period: Period) -> PeriodRecord:
    """Every ticket issued and every rating given for a ticket of ``period``."""
    lo, hi = _id_range(period)
    needed = ("ticket_id", "no", "service", "issued_at", "status")
    later = ("wait_s", "window", "staff", "service_s", "no_show", "walk_in", "case_no")
    have = _columns(conn, "tickets")
    tickets: dict[str, TicketFacts] = {}
    if have <= {"ticket_id"}:
        return PeriodRecord(period, {}, {})  # a hub that has issued nothing yet
    missing = set(needed) - have
    if missing:
        raise ValueError(f"tickets table lacks columns {', '.join(sorted(missing))}")
    # a column appears with the first event that sets it: a day of tickets never called (all
    # closed at the day's end) has no wait_s yet, and its figures are still the day's figures
    cols = ", ".join(c if c in have else f"NULL AS {c}" for c in needed + later)
    cur = conn.execute(
        f"SELECT {cols} FROM tickets WHERE ticket_id BETWEEN ? AND ? ORDER BY ticket_id",
        (lo, hi))
    for tid, no, svc, issued, status, wait_s, window, staff, service_s, no_show, walk_in, case \
            in cur:
        t = TicketFacts(tid, _ticket_day(tid), no, svc, svc, datetime.fromisoformat(issued),
                        bool(walk_in), status, wait_s=wait_s, case_no=case)
        if status == "finished":
            t.finished, t.window, t.staff, t.service_s = True, window, staff, service_s
        t.no_show = bool(no_show)
        tickets[tid] = t
    _apply_events(conn, lo, hi, tickets)
    return PeriodRecord(period, tickets, _ratings(conn, lo, hi))


def _closed(d: dict, at: datetime, tickets: dict[str, TicketFacts]) -> None:
    for item in d.get("closed", []):
        t = tickets.get(item["ticket_id"])
        if t is None or item["reason"] == "day_end_no_show":
            continue  # a no-show is counted as such
        t.closed_reason = item["reason"]
        if t.first_window is None:
            t.unserved_wait_s = max(0, round((at - t.issued_at).total_seconds()))


def _apply_events(conn: sqlite3.Connection, lo: str, hi: str,
                  tickets: dict[str, TicketFacts]) -> None:
    lo_d = f"{lo[:4]}-{lo[4:6]}-{lo[6:8]}"
    cur = conn.execute(
        "SELECT seq, kind, at, data FROM events WHERE kind IN ('issued', 'called', 'skipped', "
        "'transferred') AND json_extract(data, '$.ticket_id') BETWEEN ? AND ? "
        # a close-out may come on a later day (midnight) and name earlier tickets
        "UNION ALL SELECT seq, kind, at, data FROM events WHERE kind = 'day_closed' "
        "AND json_extract(data, '$.date') >= ? ORDER BY 1", (lo, hi, lo_d))
    for _seq, kind, at, raw in cur:
        d = json.loads(raw)
        if kind == "day_closed":
            _closed(d, datetime.fromisoformat(at), tickets)
            continue
        t = tickets.get(d.get("ticket_id"))
        if t is None:
            continue
        if kind == "issued":
            t.service_issued = d["service"]
        elif kind == "called":
            if t.first_window is None:
                t.first_window, t.first_staff = d["window"], d.get("staff")
            if (d["window"], d.get("staff")) not in t.called_at:
                t.called_at.append((d["window"], d.get("staff")))
        elif kind == "skipped":
            t.skip_window, t.skip_staff = d["window"], d.get("staff")
        elif kind == "transferred":
            t.transfers.append((d["window"], d.get("staff"), d.get("from_service", t.service_final)))
    for t in tickets.values():
        if t.walk_in and t.first_window is None and t.finished:
            t.first_window, t.first_staff = t.window, t.staff  # issued straight to the window


def _ratings(conn: sqlite3.Connection, lo: str, hi: str) -> dict[str, Rating]:
    if _columns(conn, "ratings") <= {"ticket_id"}:
        return {}
    cur = conn.execute(
        "SELECT ticket_id, no, service, window, staff, score, level, reasons, rated_at, "
        "finished_at, channel, defaulted FROM ratings WHERE ticket_id BETWEEN ? AND ? "
        "ORDER BY ticket_id", (lo, hi))
    out = {}
    for row in cur:
        reasons = tuple(json.loads(row[7] or "[]"))
        out[row[0]] = Rating(row[0], row[1], row[2], row[3], row[4], row[5], row[6], reasons,
                             row[8], row[9], row[10] or "PJQ", bool(row[11]))
    return out
