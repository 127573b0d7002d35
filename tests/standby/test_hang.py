"""Black-box: the serving machine hangs (every process stopped where it stands, its link up: a
kernel hang, a stalled SD card). The standby serves with every acknowledged ticket; when the hung
machine comes back to life its hub stops acting before it says anything (its lease is gone), and
no node hears the old term again."""

from __future__ import annotations

import time

import pytest

from tests.standby.netns_parts import can_run, wait_for
from tests.standby.standby_load import Load, assert_each_acknowledged_once

pytestmark = [pytest.mark.skipif(can_run() is not None, reason=str(can_run())),
              pytest.mark.timeout(60)]

DEPOSED = 75  # hall-hub standby's exit status when its lease is gone (docs/standby.md)


def test_a_hung_serving_machine_is_replaced_and_never_acts_when_it_wakes(standby_hall):
    hall = standby_hall
    load = Load(hall)
    wait_for(lambda: len(load.tickets) >= 5 and len(load.calls) >= 2, 20, "a steady load")
    term_a = load.kiosk.events[-1]["term"]
    hung, acked_before = time.monotonic(), len(load.tickets)
    hall.freeze("hub-a")
    wait_for(lambda: any(t > hung for t, _ in load.tickets[acked_before:]), 30,
             "a ticket acknowledged by the standby")
    first_after = min(t for t, _ in load.tickets[acked_before:] if t > hung) - hung
    print(f"hang: next acknowledged ticket {first_after:.2f} s after the machine hung")
    assert hall.serving() == "hub-b"
    heard_before_wake = len(load.kiosk.events)
    hall.freeze("hub-a", thaw=True)
    assert hall.hub_process("hub-a").wait(20) == DEPOSED
    n = len(load.tickets)
    wait_for(lambda: len(load.tickets) >= n + 3, 20, "tickets after hub-a woke")
    load.finish()
    assert "lease lost" in hall.log("hub-a") and hall.serving() == "hub-b"
    heard_after_wake = load.kiosk.events[heard_before_wake:]
    assert heard_after_wake and all(e["term"] > term_a for e in heard_after_wake)
    assert_each_acknowledged_once(load, hall.db("hub-b"))  # exactly once
