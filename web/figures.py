"""What hall-web reads from the hub's database, read-only as hall-report does: today's events
for the console's live picture, and hall-report's views for a chosen day or month."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

from report import charts, export, kaohe_view, summary, tables
from report.data import load
from report.figures import compute
from report.kaohe import kaohe
from report.period import PeriodError, parse_period
from report.strings import KAOHE_GROUPS, REPORT_TITLE
from wire.vocab import public

SEED_KINDS = ("issued", "called", "cancelled", "skipped", "held", "finished", "transferred",
              "requeued", "moved", "day_closed", "rated", "alert", "alert_ack", "notice")


def connect(db_path: str | None) -> sqlite3.Connection | None:
    """A read-only connection (WAL readers never block the hub), or None without a database."""
    if not db_path or not os.path.exists(db_path):
        return None
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def epoch(conn: sqlite3.Connection) -> str | None:
    """The database's epoch (its meta), which the hub's events carry."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def events_since(conn: sqlite3.Connection, day: str):
    """(seq, at, kind, public data) of the console's kinds from hall date ``day`` on."""
    marks = ",".join("?" * len(SEED_KINDS))
    cur = conn.execute(f"SELECT seq, at, kind, data FROM events WHERE at >= ? AND kind IN "
                       f"({marks}) ORDER BY seq", (day, *SEED_KINDS))
    for seq, at, kind, data in cur:
        d = json.loads(data)
        yield seq, at, kind, public(d)


def period_of(kind: str, text: str):
    """A hall-report period (day 2026-11-23 or month 2026-11); PeriodError when malformed."""
    if kind not in ("day", "month") or not isinstance(text, str) or len(text) > 10:
        raise PeriodError("bad period")
    return parse_period(kind, text)


def _kaohe(conn, cfg, period, today: date | None) -> dict:
    """hall-report's 考核 for ``period``; a 差评 case is late once open past its deadline on
    ``today`` (the hall's date; default the period's last day)."""
    return kaohe(conn, period, cfg, min(today or period.last, period.last))


def report(conn: sqlite3.Connection, cfg, period, today: date | None = None) -> tuple:
    """(title, hall-report sheets (name, heads, rows) and the 考核's, figures) for
    ``period``."""
    fig = compute(load(conn, period), cfg)
    sheets = tables.sheets(fig) + [(KAOHE_GROUPS[g], *kaohe_view.table(rows))
                                   for g, rows in _kaohe(conn, cfg, period, today).items()]
    return REPORT_TITLE.format(hall=cfg.name, period=period.label()), sheets, fig


def xlsx(conn, cfg, period, today: date | None = None) -> bytes:
    title, _, fig = report(conn, cfg, period)
    with tempfile.TemporaryDirectory() as tmp:
        path = tables.write_xlsx(fig, Path(tmp) / "report.xlsx", title,
                                 _kaohe(conn, cfg, period, today))
        return path.read_bytes()


def ratings_csv(conn, cfg, period) -> str:
    """The period's ratings as the 好差评 export CSV (hall-report export --format csv)."""
    return export.to_csv(export.records(cfg, load(conn, period)))


#: the charts the figures page shows (hall-report's, drawn on demand)
CHARTS = ("arrivals", "waits", "satisfaction")


def chart_png(conn, cfg, period, name: str) -> bytes:
    """One of hall-report's charts for ``period`` as PNG bytes; KeyError for an unknown name."""
    draw = {"arrivals": charts.arrivals, "satisfaction": charts.satisfaction,
            "waits": lambda fig, path: charts.wait_distribution(fig, path,
                                                                cfg.alerts.max_wait_s)}[name]
    fig = compute(load(conn, period), cfg)
    with tempfile.TemporaryDirectory() as tmp:
        return draw(fig, Path(tmp) / f"{name}.png").read_bytes()


def bulletin_html(conn, cfg, period, today: date | None = None) -> str:
    """hall-report's 月通报 page for ``period`` (with the 考核), one file with its charts inside
    (a download)."""
    fig = compute(load(conn, period), cfg)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        drawn = charts.all_charts(fig, folder, cfg.alerts.max_wait_s)
        page = summary.write_html(fig, cfg, folder / "summary.html", drawn,
                                  _kaohe(conn, cfg, period, today)).read_text("utf-8")
        for chart in drawn:
            data = base64.b64encode(chart.read_bytes()).decode("ascii")
            page = re.sub(f'src="{re.escape(chart.name)}"', f'src="data:image/png;base64,{data}"',
                          page)
    return page
