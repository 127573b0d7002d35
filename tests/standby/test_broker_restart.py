"""Black-box: the serving machine's Mosquitto restarts (an upgrade, a crash systemd restarts).
The hub reconnects and says its health again; the standby's part of it (which machine serves,
the copy in sync) must still be there for the console, read here as the console's broker user
reads it."""

from __future__ import annotations

import pytest

from tests.standby.netns_parts import can_run, wait_for
from tests.standby.standby_load import Load

pytestmark = [pytest.mark.skipif(can_run() is not None, reason=str(can_run())),
              pytest.mark.timeout(60)]


def test_the_hubs_health_still_names_its_standby_after_the_broker_restarts(standby_hall):
    hall = standby_hall
    load = Load(hall)
    wait_for(lambda: len(load.tickets) >= 2, 20, "a steady load")
    wait_for(lambda: (hall.hub_health().get("standby") or {}).get("state") == "in_sync", 20,
             "the hub's health to say its standby is in sync")
    hall.restart_broker("hub-a")
    n = len(load.tickets)
    wait_for(lambda: len(load.tickets) >= n + 3, 30, "tickets after the broker restart")
    load.finish()
    health = hall.hub_health()
    assert health.get("store") == "ok"
    assert (health.get("standby") or {}).get("state") == "in_sync", health
