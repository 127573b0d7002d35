"""The demo's duty manager accepts the hub's assist suggestion minutes later in hall time, with
the console's op (window.assist) and their own name, so the log says who accepted what."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from hallsim.manager import NAME, DutyManager
from tests.conftest import EXAMPLE
from tests.helpers import eventually, rows
from wire.config import load_config


@pytest.fixture(scope="module")
def hall_config():
    """The example hall with the hub suggesting (assist = "suggest"), whatever it ships."""
    cfg = load_config(EXAMPLE)
    return dataclasses.replace(cfg, queue=dataclasses.replace(cfg.queue, assist="suggest"))


def test_the_duty_manager_accepts_a_suggestion_after_a_human_delay(hub_service, node_client,
                                                                   hall_clock):
    admin = node_client("admin-1")
    manager = DutyManager(admin, hall_clock, delay_s=(180, 180))
    assert admin.wait_subscribed(5)
    rater8 = node_client("rater-8")
    rater8.request("window.login", {"window": 8, "staff": "1008"})
    node_client("rater-9").request("window.login", {"window": 9, "staff": "1009"})
    kiosk = node_client("kiosk-1")
    for _ in range(5):  # 50 minutes expected for 公安户籍 against a 30-minute limit
        kiosk.request("ticket.take", {"service": "F"})
    assert eventually(lambda: manager.seen, timeout=15), "no assist suggestion reached the desk"
    (s,) = manager.seen
    assert (s.window, s.service) == (8, "F")

    manager.step(s.seen_at + timedelta(seconds=170))  # still reading it: nothing sent yet
    assert not eventually(lambda: s.answer, timeout=0.5)
    assert rows(hub_service.db_path, "SELECT 1 FROM events WHERE kind='window' AND "
                "json_extract(data, '$.action')='assign'") == []

    manager.step(s.seen_at + timedelta(seconds=180))
    assert eventually(lambda: s.answer == "accepted"), s.answer
    (ev,) = rows(hub_service.db_path, "SELECT data FROM events WHERE kind='window' AND "
                 "json_extract(data, '$.action')='assign'")
    data = json.loads(ev["data"])
    assert data["by"] == NAME and data["suggested"] and data["services"] == ["E", "F"]
    assert eventually(lambda: rater8.state.get("window/8", {}).get("services") == ["E", "F"])
    assert "1 accepted" in manager.summary()


def test_the_manager_leaves_the_hubs_own_assignments_alone(hall_clock):
    class Desk:
        def on_event(self, kind, callback):
            self.callback = callback

        def request_async(self, *args, **kwargs):
            raise AssertionError("nothing to accept")

    desk = Desk()
    manager = DutyManager(desk, hall_clock)
    desk.callback("alert", {"kind": "assist_suggested", "window": 8, "service": "F",
                            "auto": True})
    desk.callback("alert", {"kind": "wait_over_limit", "service": "F"})
    manager.step(hall_clock.now() + timedelta(hours=1))
    assert manager.seen == []
