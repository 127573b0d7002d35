"""Black-box: the serving hub's disk turns read-only mid-day (an ext4 error on its own disk,
mounted errors=remount-ro as a Pi's SD card). The hub hands the hall to the standby, which holds
every acknowledged ticket and call; numbering continues."""

from __future__ import annotations

import pytest

from tests.standby.netns_parts import can_run, wait_for
from tests.standby.standby_load import Load, assert_each_acknowledged_once

pytestmark = pytest.mark.skipif(can_run() is not None, reason=str(can_run()))


def test_a_read_only_disk_on_the_serving_hub_fails_over_and_loses_nothing(standby_hall_own_disk):
    hall = standby_hall_own_disk
    load = Load(hall)
    wait_for(lambda: len(load.tickets) >= 5 and len(load.calls) >= 1, 20, "a steady load")
    before = len(load.tickets)
    hall.disk_fails("hub-a")
    wait_for(lambda: hall.serving() == "hub-b", 20, "hub-b to take over")
    wait_for(lambda: len(load.tickets) >= before + 5, 20, "tickets from hub-b")
    load.finish()
    assert "handing the hall to hub-b" in hall.log("hub-a")
    assert_each_acknowledged_once(load, hall.db("hub-b"))  # exactly once
