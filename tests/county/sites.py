"""A site's hub for the county tests, and the two copies of its log to compare."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg

from county import ledger
from hub.service import HubService
from tests.helpers import eventually
from wire.clock import HallClock

MONDAY_10 = "2026-11-23T10:00:00+08:00"


class Site:
    """One site's hub (in-process) on its own broker, with its own hall.db."""

    def __init__(self, cfg, db_path: Path, broker):
        self.cfg, self.db_path, self.broker = cfg, db_path, broker
        self.hub = None
        self.clock = HallClock(cfg.tz, MONDAY_10)  # one clock: hall time goes on over restarts
        self.start()

    @property
    def id(self) -> str:
        return self.cfg.hall_id

    def start(self) -> None:
        self.hub = HubService(self.cfg, str(self.db_path), self.broker.url, self.clock)
        self.hub.start()
        assert self.hub.wait_ready(10), f"hub of {self.id} did not serve within 10 s"

    def stop(self) -> None:
        if self.hub is not None:
            self.hub.stop()
            self.hub = None

    def do(self, node: str, op: str, **args) -> dict:
        reply = self.hub.request_local(node, op, args, timeout=20)
        assert reply["ok"], (op, reply)
        return reply["result"]

    def staff(self, window: int) -> str:
        return next(s.number for s in self.cfg.staff.values() if window in s.windows)

    def day(self, tickets: int = 5, served: int = 3) -> None:
        """Tickets, calls, finishes and ratings: a small hall morning."""
        for _ in range(tickets):
            self.do("kiosk-1", "ticket.take", service="A")
        if self.hub.engine.window_state(1)["staff"] is None:
            self.do("rater-1", "window.login", window=1, staff=self.staff(1))
        for n in range(served):
            self.do("rater-1", "window.call_next", window=1)
            self.do("rater-1", "window.finish", window=1)
            self.do("rater-1", "rating.submit", window=1, score=5 if n else 1,
                    **({} if n else {"reasons": ["材料说明不清"]}))

    def toggle(self, times: int) -> None:
        """``2 * times`` window events (pause, resume): a long stream, cheaply."""
        for _ in range(times):
            self.do("rater-1", "window.pause", window=1)
            self.do("rater-1", "window.resume", window=1)

    def last_seq(self) -> int:
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def log(self) -> list[tuple]:
        return site_log(self.db_path)


def site_log(db_path) -> list[tuple]:
    """(seq, at, kind, public data) of a hub's database, in seq order."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT seq, at, kind, data FROM events ORDER BY seq").fetchall()
    return [(seq, at, kind, {k: v for k, v in json.loads(data).items() if not k.startswith("_")})
            for seq, at, kind, data in rows]


def county_log(url: str, site: str) -> list[tuple]:
    """The county's copy of a site's log (its current epoch, restored starts included)."""
    with psycopg.connect(url) as conn:
        try:
            return list(ledger.site_log(conn, site))
        except LookupError:
            return []


def county_rows(url: str, sql: str, *args) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def caught_up(county_db: str, site: Site, timeout: float = 60) -> bool:
    """Whether the county's copy of the site's log equals the site's own within ``timeout``."""
    return eventually(lambda: county_log(county_db, site.id) == site.log(), timeout=timeout)
