"""Reading a hall's event log for the twin: one day's events, the days the log holds, and the
service times measured before a day (read-only, as hall-report reads: safe while the hub runs).
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime
from typing import NamedTuple

#: the kinds the twin replays or measures; the rest of the log is not queue history
KINDS = ("issued", "called", "started", "skipped", "requeued", "held", "transferred",
         "finished", "cancelled", "moved", "rated", "alert", "window", "day_closed")
MIN_COUNTED_S = 10  # the hub's rule (hub.engine.state): shorter services are mis-presses


class LogError(ValueError):
    """The log cannot be read for what was asked (one line for the manager)."""


class LogEvent(NamedTuple):
    at: datetime
    kind: str
    data: dict


def open_log(path: str) -> sqlite3.Connection:
    """The hub's database at ``path``, read-only; LogError when it is missing or no hub log."""
    if not path or not os.path.isfile(path):
        raise LogError(f"no hub database at {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("SELECT seq, at, kind, data FROM events LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        raise LogError(f"{path} is not a hub database ({exc})") from None
    return conn


def days(conn: sqlite3.Connection) -> list[date]:
    """The hall dates on which tickets were issued, oldest first."""
    rows = conn.execute("SELECT DISTINCT json_extract(data, '$.date') FROM events "
                        "WHERE kind = 'issued' ORDER BY 1")
    return [date.fromisoformat(r[0]) for r in rows if r[0]]


def events_between(conn: sqlite3.Connection, first: date, last: date) -> dict[date, list]:
    """Every replayed kind of event of hall dates ``first`` … ``last``, per date, in log order
    (one pass over the log). ``at`` is stored with the hall's offset: its date is its first ten
    characters."""
    marks = ",".join("?" * len(KINDS))
    rows = conn.execute(f"SELECT at, kind, data FROM events WHERE substr(at, 1, 10) BETWEEN ? "
                        f"AND ? AND kind IN ({marks}) ORDER BY seq",
                        (first.isoformat(), last.isoformat(), *KINDS))
    out: dict[date, list[LogEvent]] = {}
    for at, kind, data in rows:
        when = datetime.fromisoformat(at)
        out.setdefault(date.fromisoformat(at[:10]), []).append(
            LogEvent(when, kind, json.loads(data)))
    return out


def day_events(conn: sqlite3.Connection, day: date) -> list[LogEvent]:
    """Every replayed kind of event of hall date ``day``, in log order; LogError when no
    ticket was issued that day."""
    out = events_between(conn, day, day).get(day, [])
    if not any(e.kind == "issued" for e in out):
        known = days(conn)
        held = (f"{known[0]} … {known[-1]} ({len(known)} days)" if len(known) > 1
                else str(known[0]) if known else "none")
        raise LogError(f"the log has no tickets on {day}; days with tickets: {held}")
    return out


def service_history(conn: sqlite3.Connection, before: date) -> dict[str, tuple[float, int]]:
    """service -> (sum, count) of service times finished before ``before``: the long-run mean
    the hub's engine had that morning (hub.engine.types.ServiceTimes)."""
    rows = conn.execute(
        "SELECT json_extract(data, '$.service'), sum(json_extract(data, '$.service_s')), "
        "count(*) FROM events WHERE kind = 'finished' AND substr(at, 1, 10) < ? "
        "AND json_extract(data, '$.service_s') >= ? GROUP BY 1",
        (before.isoformat(), MIN_COUNTED_S))
    return {sid: (float(total), int(n)) for sid, total, n in rows if sid}
