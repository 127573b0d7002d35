"""A day recorded by the real hub: ``data/demo-day.jsonl.gz`` is the event log (public data)
of ``hall-demo --web off`` (seed 20261123, 420 visitors, Monday 2026-11-23, the example hall as
shipped: worst_off, suggest with the duty manager, warn), written as [seq, at, kind, data] lines
from its hall.db."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "demo-day.jsonl.gz"


def recorded_events():
    """(seq, at, kind, data) of the recorded log, in seq order."""
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        for line in f:
            yield tuple(json.loads(line))
