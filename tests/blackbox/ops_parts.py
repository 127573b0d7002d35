"""Helpers of the op-registry black-box tests (tokens, reads, rate limits): what every node of
the example hall hears, and counts read from the hub's SQLite file. No hallstack import."""

from __future__ import annotations

import json
import queue

from .outside import HALL

#: one node of each role in examples/hall.toml
ROLE_NODES = {"kiosk": "kiosk-1", "callboard": "board-1", "admin": "admin-1",
              "rater": "rater-1", "web": "web"}
EVERYTHING = (f"hall/{HALL}/event/#", f"hall/{HALL}/state/#")


def heard(node) -> list[tuple[str, str]]:
    """(topic, payload text) of every message ``node`` received so far (replies, events,
    retained state), drained from its queue and kept on the node."""
    kept = node.__dict__.setdefault("heard", [])
    while True:
        try:
            topic, payload, _ = node.messages.get_nowait()
        except queue.Empty:
            return kept
        kept.append((topic, json.dumps(payload, ensure_ascii=False)))


def db_count(hall, sql: str, *params) -> int:
    return next(iter(hall.db_rows(sql, *params)[0].values()))


def data_version(hall) -> tuple[int, int]:
    """(events, replies) rows: what a committed request leaves in the file."""
    return (db_count(hall, "SELECT count(*) FROM events"),
            db_count(hall, "SELECT count(*) FROM replies"))
