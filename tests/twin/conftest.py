"""The twin's tests replay a day the real hub recorded (tests/twin/recorded.py): the fixture
rebuilds a hub database from it with the hub's own restore (hub.restore)."""

from __future__ import annotations

import pytest

from hub.restore import restore
from tests.twin.recorded import ROOT, recorded_events
from wire.config import load_config


@pytest.fixture(scope="session")
def hall_cfg():
    return load_config(ROOT / "examples" / "hall.toml")


@pytest.fixture(scope="session")
def recorded_db(tmp_path_factory, hall_cfg) -> str:
    path = str(tmp_path_factory.mktemp("twin") / "hall.db")
    restore(hall_cfg, path, "demoday", recorded_events())
    return path
