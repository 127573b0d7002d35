"""Black-box: a standby hall in network namespaces (tests/standby/netns_parts.py) under a steady
load of tickets and calls from raw paho nodes. Nothing here imports hallstack: the machines run
the real processes (etcd, Mosquitto, keepalived, ``hall-hub standby run``) and the test judges
by what nodes received and by the SQLite files."""

from __future__ import annotations

import time

import pytest

from tests.standby.netns_parts import HALL, can_run, wait_for
from tests.standby.standby_load import Load, assert_each_acknowledged_once

pytestmark = [pytest.mark.skipif(can_run() is not None, reason=str(can_run())),
              pytest.mark.timeout(60)]


def test_pulling_the_serving_machines_power_loses_no_acknowledged_ticket(standby_hall):
    hall = standby_hall
    load = Load(hall)
    wait_for(lambda: len(load.tickets) >= 5 and len(load.calls) >= 2, 20, "a steady load")
    term_a = load.kiosk.events[-1]["term"]
    pulled = time.monotonic()
    acked_before = len(load.tickets)
    hall.power_off("hub-a")
    wait_for(lambda: any(t > pulled for t, _ in load.tickets[acked_before:]), 30,
             "a ticket acknowledged by the standby")
    first_after = min(t for t, _ in load.tickets[acked_before:] if t > pulled) - pulled
    wait_for(lambda: len(load.tickets) >= acked_before + 5, 20, "more tickets after failover")
    load.finish()
    print(f"failover: next acknowledged ticket {first_after:.2f} s after the power was pulled")
    assert hall.serving() == "hub-b"
    assert first_after <= 10.0
    assert_each_acknowledged_once(load, hall.db("hub-b"))  # exactly once
    acked = [r["result"]["ticket"]["no"] for _, r in load.tickets]
    assert acked == sorted(set(acked))
    # the nodes follow: events and the retained state now come under hub-b's (higher) term, in
    # the same epoch (a failover is not a new lineage)
    last = load.kiosk.events[-1]
    assert last["term"] > term_a and last["epoch"] == load.kiosk.events[0]["epoch"]
    wait_for(lambda: (load.window.state.get(f"hall/{HALL}/state/window/1") or {}).get("term")
             == last["term"], 10, "the window's retained state from hub-b")
