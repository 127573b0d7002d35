"""A hub whose day is too short for service F: the kiosk's 约满 and later-day offers."""

from __future__ import annotations

import contextlib
import copy
import tomllib
from pathlib import Path

from wire.config import parse_config

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def slow_f_hub(capacity: str, name: str, broker, clock, tmp_path, edit=None):
    """A hub serving the example hall with ``[queue] capacity`` set and service F at 4 h a
    ticket (two tickets ahead need 8 h; 6 h of Monday's day are left); yields (cfg, hub)."""
    from hub.service import HubService

    data = copy.deepcopy(tomllib.loads((ROOT / "examples" / "hall.toml").read_text("utf-8")))
    data["queue"]["capacity"] = capacity
    for svc in data["services"]:
        if svc["id"] == "F":
            svc["service_s"] = 14400
    if edit is not None:
        edit(data)
    cfg = parse_config(data, name)
    hub = HubService(cfg, str(tmp_path / "hall.db"), broker.url, clock)
    hub.start()
    try:
        assert hub.wait_ready(5)
        yield cfg, hub
    finally:
        hub.stop()
