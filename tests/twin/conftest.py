"""A day recorded by the real hub: ``data/demo-day.jsonl.gz`` is the event log (public data)
of ``hall-demo --web off`` (seed 20261123, 420 visitors, Monday 2026-11-23, the example hall as
shipped: worst_off, suggest with the duty manager, warn), written as [seq, at, kind, data] lines.
The fixture rebuilds a hub database from it with the hub's own restore (hub.restore)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from hub.restore import restore
from wire.config import load_config

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "demo-day.jsonl.gz"
DAY = "2026-11-23"


def recorded_events():
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        for line in f:
            yield tuple(json.loads(line))


@pytest.fixture(scope="session")
def hall_cfg():
    return load_config(ROOT / "examples" / "hall.toml")


@pytest.fixture(scope="session")
def recorded_db(tmp_path_factory, hall_cfg) -> str:
    path = str(tmp_path_factory.mktemp("twin") / "hall.db")
    restore(hall_cfg, path, "demoday", recorded_events())
    return path
