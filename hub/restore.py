"""Rebuild a site's ``hall.db`` from a copy of its event log (the county's, docs/county.md).

The events go in with their seqs, in order; the derived tables are rebuilt by the same
projection the hub uses; each ``day_closed`` gets its ``_carry`` checkpoint again (it is private
and never left the hall) from an engine that replays the log. So the hub opened on the result
continues numbering: the next ticket follows the last one issued, nothing is issued twice.

The restored database has a NEW epoch (one epoch is one database: docs/one-hub.md). Nodes see
the new epoch and forget the seqs they had; new events continue after the last restored seq.
The meta key ``restored_from`` (``{"epoch", "seq"}``) names the old epoch and its last seq: the
county keeps its record of the old epoch and takes only what follows from the new one
(hub.replay). What never left the hall is not restored: phone numbers, the ID-number hashes
(a new ``id_key``), the replies of requests answered before the loss.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime

from hub import followups
from hub.engine import Event, QueueEngine, checkpoint, closeparts, projection
from hub.store import Store, StoreError
from wire.config import HallConfig

RESTORED_NODE = "restore"  # the node column of restored events (the wire does not carry it)


class RestoreError(ValueError):
    """The log cannot be restored (one line for the operator)."""


def remove_database(path: str) -> None:
    """Delete the SQLite database at ``path`` with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


def append(store: Store, seq: int, at_text: str, ev: Event, at: datetime) -> None:
    """One event of a copy into ``store`` with its seq, and its derived rows by the hub's
    projection (a restore; the county's running projection of a site, county.aggregate)."""
    store.conn.execute("INSERT INTO events(seq, at, kind, node, req_id, data) "
                       "VALUES (?, ?, ?, ?, NULL, ?)",
                       (seq, at_text, ev.kind, RESTORED_NODE,
                        json.dumps(ev.data, ensure_ascii=False)))
    for table, row in projection.rows(ev, at) + followups.rows(ev, at):
        store.upsert(table, row)


def restore(cfg: HallConfig, db_path: str, old_epoch: str,
            events: Iterable[tuple[int, str, str, dict]]) -> dict:
    """Write ``events`` (seq, at, kind, public data), seqs 1..N without a gap, into a NEW
    database at ``db_path``. Returns ``{"epoch", "restored_from", "events"}``."""
    if os.path.exists(db_path):
        raise RestoreError(f"database {db_path} exists: move it away first (a restore never "
                           f"writes over a hub's database)")
    try:
        store = Store(db_path)
    except StoreError as exc:
        raise RestoreError(str(exc)) from None
    engine = QueueEngine(cfg, store.id_key)
    expected = 1
    try:
        with store.transaction():
            for seq, at_text, kind, data in events:
                if seq != expected:
                    raise RestoreError(f"the copy misses events {expected}..{seq - 1} of epoch "
                                       f"{old_epoch}: the county has not caught up")
                expected += 1
                at = datetime.fromisoformat(at_text)
                data = dict(data)
                ev = Event(kind, data)
                engine.apply(ev, at)
                if kind == "day_closed" and closeparts.is_last(data):
                    data["_carry"] = checkpoint.dump(engine.state)  # what a restart needs
                append(store, seq, at_text, ev, at)
            last = expected - 1
            if last == 0:
                raise RestoreError(f"the county holds no events of epoch {old_epoch}")
            base = {"epoch": old_epoch, "seq": last}
            store.set_meta("restored_from", json.dumps(base))
            store.set_meta("published_upto", str(last))  # the nodes saw them; not sent again
        epoch = store.epoch
    except BaseException:
        store.close()
        remove_database(db_path)
        raise
    store.close()
    return {"epoch": epoch, "restored_from": base, "events": last}
