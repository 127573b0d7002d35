"""The hub watches the hall's own nodes only: a status from a node id the config does not name
is not kept (the watched set stays the config's size) and raises nothing."""

from __future__ import annotations

from datetime import datetime

from hub.service import HubService


def test_a_status_from_a_node_the_hall_does_not_have_is_not_kept(hall_config, hall_clock,
                                                                    tmp_path):
    hub = HubService(hall_config, str(tmp_path / "hall.db"), "mqtt://127.0.0.1:1", hall_clock)
    try:
        at = datetime(2026, 11, 23, 10, 0, tzinfo=hall_config.tz)
        events: list = []
        for i in range(100):
            hub.nodes.event("status", f"ghost-{i}", b'{"online": true}', at, events)
        hub.nodes.event("status", "rater-5", b'{"online": true}', at, events)
        assert hub.nodes._online == {"rater-5"} and events == []
    finally:
        hub.store.close()
