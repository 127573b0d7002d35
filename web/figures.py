"""What hall-web reads from the hub's database, read-only as hall-report does: today's events
for the console's live picture, and hall-report's views for a chosen day or month."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path

from hub.report import export, tables
from hub.report.data import load
from hub.report.figures import compute
from hub.report.period import PeriodError, parse_period
from hub.report.strings import REPORT_TITLE

SEED_KINDS = ("issued", "called", "cancelled", "skipped", "held", "finished", "transferred",
              "requeued", "moved", "day_closed", "rated", "alert", "alert_ack", "notice")


def connect(db_path: str | None) -> sqlite3.Connection | None:
    """A read-only connection (WAL readers never block the hub), or None without a database."""
    if not db_path or not os.path.exists(db_path):
        return None
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def events_since(conn: sqlite3.Connection, day: str):
    """(seq, at, kind, public data) of the console's kinds from hall date ``day`` on."""
    marks = ",".join("?" * len(SEED_KINDS))
    cur = conn.execute(f"SELECT seq, at, kind, data FROM events WHERE at >= ? AND kind IN "
                       f"({marks}) ORDER BY seq", (day, *SEED_KINDS))
    for seq, at, kind, data in cur:
        d = json.loads(data)
        yield seq, at, kind, {k: v for k, v in d.items() if not k.startswith("_")}


def period_of(kind: str, text: str):
    """A hall-report period (day 2026-11-23 or month 2026-11); PeriodError when malformed."""
    if kind not in ("day", "month") or not isinstance(text, str) or len(text) > 10:
        raise PeriodError("bad period")
    return parse_period(kind, text)


def report(conn: sqlite3.Connection, cfg, period) -> tuple:
    """(title, hall-report sheets (name, heads, rows), figures) for ``period``."""
    fig = compute(load(conn, period), cfg)
    return REPORT_TITLE.format(hall=cfg.name, period=period.label()), tables.sheets(fig), fig


def xlsx(conn, cfg, period) -> bytes:
    title, _, fig = report(conn, cfg, period)
    with tempfile.TemporaryDirectory() as tmp:
        path = tables.write_xlsx(fig, Path(tmp) / "report.xlsx", title)
        return path.read_bytes()


def ratings_csv(conn, cfg, period) -> str:
    """The period's ratings as the 好差评 export CSV (hall-report export --format csv)."""
    return export.to_csv(export.records(cfg, load(conn, period)))
