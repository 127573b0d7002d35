"""Small helpers shared by the test suites: a hand-moved clock, polling waits, hub SQLite rows."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

POLL_S = 0.005


class FakeTime:
    """A monotonic clock a test moves by hand: calling it returns ``t``."""

    def __init__(self, start: float = 1000.0):
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def eventually(predicate: Callable[[], object], poll: Callable[[], object] | None = None, *,
               timeout: float = 5.0) -> bool:
    """Whether ``predicate()`` holds within ``timeout`` s (checked once more at the deadline).

    ``poll()``, when given, is called before each check (e.g. a node's ``poll``). For waiting on
    threads and the network only; never a timing assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if poll is not None:
            poll()
        if predicate():
            return True
        time.sleep(POLL_S)
    if poll is not None:
        poll()
    return bool(predicate())


def rows(db_path, sql: str, *args) -> list[dict]:
    """Rows of the hub's SQLite file, read-only."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]
