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


OWN_PACKAGES = ("callboard", "kiosk", "rater", "devices", "hub")


def held(root: object) -> dict[str, int]:
    """What ``root`` holds that could grow: for every list, deque, dict and set reachable from it
    through hallstack objects (their ``__dict__``), its length, by path. A node that runs for
    months must show the same figures after 1,000 more calls as before them."""
    out: dict[str, int] = {}
    seen: set[int] = set()

    def walk(obj: object, path: str) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, dict):
            out[path] = len(obj)
            for key, value in list(obj.items()):
                walk(value, f"{path}[{key!r}]" if len(obj) < 64 else f"{path}[*]")
        elif isinstance(obj, list | tuple | set | frozenset) or type(obj).__name__ == "deque":
            out[path] = len(obj)
            for value in list(obj)[:64]:
                walk(value, f"{path}[*]")
        elif type(obj).__module__.split(".")[0] in OWN_PACKAGES and hasattr(obj, "__dict__"):
            for name, value in vars(obj).items():
                walk(value, f"{path}.{name}")
    walk(root, "")
    return out


def grown(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The containers of :func:`held` that are new or longer in ``after``."""
    return {k: (before.get(k, 0), n) for k, n in after.items() if n > before.get(k, 0)}


def trims_once_after_closing(node, clock) -> None:
    """A node built on ``clock`` at 16:59 gives its free memory back (wire/memory.py
    NightlyTrim) not while the hall is open, then once after it closed, however often it polls."""
    from datetime import datetime

    node.poll()
    assert node.trim.trims == 0  # the hall is open
    clock.skip_to(datetime.fromisoformat("2026-11-23T17:05:00+08:00"))
    node.poll()
    node.poll()
    assert node.trim.trims == 1  # malloc_trim once a hall day
