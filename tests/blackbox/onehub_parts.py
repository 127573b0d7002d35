"""Parts of the one-hall-one-hub black-box tests: a second hub's database, signals, waiting for a
hub to exit. Nothing here imports hallstack; databases are read and copied with ``sqlite3``."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

from .outside import HALL, Hall, wait_for

CONNECTED = re.compile(r"New client connected from \S+ as (\S+) \(.*u'hub'\)")
LATER = "2026-11-23T10:01:00+08:00"  # a hub started a minute after the first one
LAST_WEEK = "2026-11-16T10:00:00+08:00"  # a spare Pi whose clock is a week behind


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a live hub's database (SQLite's backup API), as a technician's
    ``sqlite3 hall.db .backup`` makes one: same epoch, same log."""
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    b.close()


def meta(hall: Hall, db: Path, key: str) -> str | None:
    rows = hall.db_rows("SELECT value FROM meta WHERE key = ?", key, db=db)
    return rows[0]["value"] if rows else None


def tickets(hall: Hall, db: Path) -> list[str]:
    """Ticket numbers a database holds (a database that never served has no such column)."""
    return sorted(r["no"] for r in hall.db_rows("SELECT * FROM tickets", db=db))


def alerts(hall: Hall, db: Path, kind: str) -> list[dict]:
    rows = hall.db_rows("SELECT data FROM events WHERE kind = 'alert'", db=db)
    return [d for d in (json.loads(r["data"]) for r in rows) if d.get("kind") == kind]


def exit_code(proc: subprocess.Popen, timeout: float = 20.0) -> int:
    """Wait for a hub to exit on its own; its log tail in the failure."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"hall-hub still runs after {timeout} s: "
                             f"{proc.log_path.read_text()[-2000:]}") from None


def terminate(proc: subprocess.Popen) -> None:
    """A clean stop, as systemctl stop does it (the hub says offline first)."""
    proc.terminate()
    assert proc.wait(10) == 0, proc.log_path.read_text()[-2000:]


def hub_status(hall: Hall) -> dict:
    """The retained hub status, as a fresh subscriber gets it."""
    watcher = hall.node("admin-1", f"hall/{HALL}/node/hub/status")
    topic = f"hall/{HALL}/node/hub/status"
    return wait_for(lambda: watcher.retained.get(topic), what="the retained hub status")


def hub_ids(hall: Hall) -> list[str]:
    """Client ids the hub user connected with, in order (Mosquitto logs each connection)."""
    return CONNECTED.findall(hall.broker.log_path.read_text())
