"""The hub's nightly upkeep, after each day's close-out (docs/month.md): a WAL checkpoint (the
``-wal`` file back to nothing), a backup of the database to the second medium the config names
(``[maintenance] backup_dir``: SQLite's online backup, written aside and renamed, the oldest
beyond ``keep`` removed) and an integrity check; recorded as a ``maintenance`` event, and an
``alert`` of kind ``maintenance_failed`` when a step failed (a full or missing backup disk, a
damaged file).

Run on the hub's own thread between batches (outside any transaction: a checkpoint cannot run
inside one); the hall is closed, so a backup taking a second delays nobody.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from hub.engine import Event
from hub.engine.closeparts import is_last
from hub.store import Store

log = logging.getLogger(__name__)


def closed_days(events) -> list[str]:
    """The dates whose close-out ended in ``events`` (a batch's (seq, Event) pairs)."""
    return [ev.data["date"] for _, ev in events
            if ev.kind == "day_closed" and is_last(ev.data)]


def _checkpoint(conn: sqlite3.Connection) -> dict:
    busy, wal, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return {"busy": bool(busy), "wal_pages": wal, "checkpointed": done}


def _backup(conn: sqlite3.Connection, folder: Path, stem: str, day: str, keep: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{stem}-{day}.db"
    target, part = folder / name, folder / (name + ".part")
    try:
        dest = sqlite3.connect(part)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        with open(part, "rb") as f:
            os.fsync(f.fileno())  # on the medium before it replaces yesterday's name
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)  # a failed night leaves no half copy on a full disk
        raise
    old = sorted(folder.glob(f"{stem}-????-??-??.db"))[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return {"backup": str(target), "backup_bytes": target.stat().st_size, "removed": len(old)}


def _integrity(conn: sqlite3.Connection) -> str:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
    return "ok" if rows == ["ok"] else "; ".join(rows)


def upkeep(store: Store, cfg, day: str) -> list[Event]:
    """Checkpoint, back up and check ``store`` after the close-out of ``day``; the events that
    record it (a ``maintenance`` event, and an alert when a step failed)."""
    t0 = time.perf_counter()
    rules = cfg.month.maintenance
    data: dict = {"date": day}
    errors = []
    conn = store.conn
    try:
        data["checkpoint"] = _checkpoint(conn)
    except sqlite3.Error as exc:
        errors.append(f"checkpoint: {exc}")
    if rules.backup_dir:
        try:
            data |= _backup(conn, Path(rules.backup_dir), cfg.hall_id, day, rules.keep)
        except (OSError, sqlite3.Error) as exc:
            errors.append(f"backup: {exc}")
    try:
        data["integrity"] = _integrity(conn)
        if data["integrity"] != "ok":
            errors.append(f"integrity: {data['integrity']}")
        data["db_bytes"] = sum(os.path.getsize(p) for p in (store.path, store.path + "-wal")
                               if os.path.exists(p))
        data["replies"] = conn.execute("SELECT count(*) FROM replies").fetchone()[0]
    except (OSError, sqlite3.Error) as exc:
        errors.append(f"integrity: {exc}")
    data["took_s"] = round(time.perf_counter() - t0, 3)
    events = [Event("maintenance", data | ({"errors": errors} if errors else {}))]
    if errors:
        log.error("nightly maintenance of %s: %s", day, "; ".join(errors))
        events.append(Event("alert", {"kind": "maintenance_failed", "date": day,
                                      "errors": errors}))
    return events


class Nightly:
    """Which close-outs still want their upkeep; the hub asks after each batch."""

    def __init__(self):
        self.pending: list[str] = []

    def note(self, events) -> None:
        self.pending += [d for d in closed_days(events) if d not in self.pending]

    def run(self, store: Store, cfg, at: datetime) -> list[Event]:
        """The events of every pending upkeep (run now, one per closed day)."""
        out = []
        while self.pending:
            out += upkeep(store, cfg, self.pending.pop(0))
        return out
