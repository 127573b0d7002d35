"""网上预约 figures for a period (docs/booking.md "Figures"): 预约数, 签到率, 爽约率, and the wait
of booked citizens beside walk-ins', per hall and per service, read from the hub's database.

A booking belongs to the day of its slot (after any move). 签到率 and 爽约率 are of the bookings
decided (checked in, or a no-show at slot start + grace); cancelled and still-open ones are
counted apart. A late arrival is a no-show that still got an ordinary ticket (``late``). A
booked citizen's wait runs from the later of the ticket's issue and the slot's start to the
first call (an early arrival does not wait for the slot on the hall's account); a walk-in's from
issue to the first call (tickets of the window's own walk-ins, served at once, are left out).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from datetime import datetime

from report.figures import p90
from report.period import Period

COLUMNS = {
    "booked": "预约数", "cancelled": "取消数", "checked_in": "签到数", "no_show": "爽约数",
    "late": "迟到改普通号", "open": "待签到", "checkin_rate": "签到率", "no_show_rate": "爽约率",
    "booked_wait_mean_s": "预约等候均值(分)", "booked_wait_p90_s": "预约等候P90(分)",
    "walkin_wait_mean_s": "现场等候均值(分)", "walkin_wait_p90_s": "现场等候P90(分)",
}
HALL = "全厅"


def _bookings(conn: sqlite3.Connection) -> dict[str, dict]:
    """Every booking of the log folded by its public id: service, day, state, late."""
    out: dict[str, dict] = {}
    cur = conn.execute("SELECT kind, data FROM events WHERE kind LIKE 'booking_%' ORDER BY seq")
    for kind, raw in cur:
        d = json.loads(raw)
        b = out.get(d.get("bid"))
        if kind == "booking_made":
            out[d["bid"]] = {"service": d["service"], "day": d["day"], "state": "open",
                             "late": False}
        elif b is None:
            continue
        elif kind == "booking_moved":
            b["day"] = d["day"]
        elif kind == "booking_cancelled":
            b["state"] = "cancelled"
        elif kind == "booking_no_show":
            b["state"] = "no_show"
        elif kind == "booking_checked_in":
            if d.get("late"):
                b["late"] = True
            else:
                b["state"] = "checked_in"
    return out


def _waits(conn: sqlite3.Connection, period: Period) -> list[tuple[str, bool, float]]:
    """(service, booked, wait seconds) of the period's called tickets."""
    lo, hi = f"{period.first:%Y%m%d}-", f"{period.last:%Y%m%d}-~"
    slots = {}
    for tid, raw in conn.execute(
            "SELECT json_extract(data, '$.ticket_id'), data FROM events WHERE kind = 'issued' "
            "AND json_extract(data, '$.ticket_id') BETWEEN ? AND ? "
            "AND json_extract(data, '$.slot') IS NOT NULL", (lo, hi)):
        slots[tid] = json.loads(raw)["slot"]
    have = {row[1] for row in conn.execute("PRAGMA table_info(tickets)")}
    if not {"called_at", "appointment", "walk_in"} <= have:
        return []
    out = []
    for tid, svc, issued, called, walk_in in conn.execute(
            "SELECT ticket_id, service, issued_at, called_at, walk_in FROM tickets "
            "WHERE ticket_id BETWEEN ? AND ? AND called_at IS NOT NULL", (lo, hi)):
        if walk_in:
            continue
        start = datetime.fromisoformat(issued)
        if tid in slots:
            start = max(start, datetime.fromisoformat(slots[tid]))
        out.append((svc, tid in slots,
                    max(0.0, (datetime.fromisoformat(called) - start).total_seconds())))
    return out


def _row(bookings: list[dict], waits: list[tuple[bool, float]]) -> dict:
    count = {s: sum(1 for b in bookings if b["state"] == s)
             for s in ("cancelled", "checked_in", "no_show", "open")}
    decided = count["checked_in"] + count["no_show"]
    booked_w = [w for booked, w in waits if booked]
    walkin_w = [w for booked, w in waits if not booked]
    return {"booked": len(bookings), **count, "late": sum(1 for b in bookings if b["late"]),
            "checkin_rate": count["checked_in"] / decided if decided else None,
            "no_show_rate": count["no_show"] / decided if decided else None,
            "booked_wait_mean_s": statistics.fmean(booked_w) if booked_w else None,
            "booked_wait_p90_s": p90(booked_w),
            "walkin_wait_mean_s": statistics.fmean(walkin_w) if walkin_w else None,
            "walkin_wait_p90_s": p90(walkin_w)}


def figures(conn: sqlite3.Connection, period: Period) -> dict:
    """``{"hall": row, "service": {service id: row}}`` (rows keyed as :data:`COLUMNS`)."""
    first, last = period.first.isoformat(), period.last.isoformat()
    booked = [b for b in _bookings(conn).values() if first <= b["day"] <= last]
    waits = _waits(conn, period)
    services = sorted({b["service"] for b in booked} | {s for s, _, _ in waits})
    return {"hall": _row(booked, [(k, w) for _, k, w in waits]),
            "service": {s: _row([b for b in booked if b["service"] == s],
                                [(k, w) for svc, k, w in waits if svc == s])
                        for s in services}}


def table(fig: dict, names: dict[str, str]) -> tuple[list[str], list[list]]:
    """Heads and display rows (minutes to 0.1, rates in %) for hall-report."""
    def cell(key, value):
        if value is None:
            return "-"
        if key.endswith("_s"):
            return round(value / 60, 1)
        if key.endswith("_rate"):
            return f"{value * 100:.1f}%"
        return value
    rows = [[HALL, *(cell(k, fig["hall"][k]) for k in COLUMNS)]]
    rows += [[names.get(s, s), *(cell(k, row[k]) for k in COLUMNS)]
             for s, row in fig["service"].items()]
    return ["事项", *COLUMNS.values()], rows
