"""Commit a decision's events the way the hub does (for tests that build a log directly)."""

from __future__ import annotations

from datetime import datetime

from hub import followups
from hub.engine import Event, projection
from hub.service import HubService
from hub.store import Store
from wire.clock import iso


def commit(store: Store, events: list[Event], at: datetime) -> None:
    """Log ``events`` and upsert their derived rows in one transaction, as _commit_event."""
    with store.transaction():
        for ev in events:
            store.append_event(iso(at), ev.kind, "admin-1", None, ev.data)
            for table, row in projection.rows(ev, at) + followups.rows(ev, at):
                store.upsert(table, row)


#: The real hub now routes the follow-up ops and runs the overdue check itself.
WiredHub = HubService
