"""Black-box: the link between the two hub machines is cut (both still see the nodes and the
witness). Never two hubs acting: only the lease holder serves, the standby never does, nodes
receive one term's events with no seq twice; healed, the standby's log is the serving hub's."""

from __future__ import annotations

import json

import pytest

from tests.standby.netns_parts import can_run, wait_for
from tests.standby.standby_load import Load, events

pytestmark = pytest.mark.skipif(can_run() is not None, reason=str(can_run()))


def test_a_cut_between_the_hubs_never_makes_two_and_heals_into_one_log(standby_hall):
    hall = standby_hall
    load = Load(hall)
    wait_for(lambda: len(load.tickets) >= 3, 20, "a steady load")
    hall.cut("hub-a", "hub-b")
    # hub-a cannot copy: within its ack timeout it says so in etcd and serves alone
    wait_for(lambda: not hall.copy_in_sync(), 20, "hub-a to say the standby is behind")
    cut_at = len(load.tickets)
    wait_for(lambda: len(load.tickets) >= cut_at + 5, 20, "tickets while the link is cut")
    assert hall.serving() == "hub-a"
    # the console's word: hub-b missing, and how many records its copy lacks
    wait_for(lambda: (hall.hub_health().get("standby") or {}).get("behind", 0) >= 5, 20,
             "the hub's health to count what hub-b's copy lacks")
    assert hall.hub_health()["standby"]["state"] == "missing"
    hall.cut("hub-a", "hub-b", heal=True)
    wait_for(hall.copy_in_sync, 20, "hub-b's copy to catch up")
    healed = len(load.tickets)
    wait_for(lambda: len(load.tickets) >= healed + 3, 20, "tickets after the heal")
    load.finish()
    assert "serving hall" not in hall.log("hub-b")  # the standby never acted
    assert hall.serving() == "hub-a"
    # one log: hub-b's copy is hub-a's, event for event (read while hub-a may still commit a
    # tick's alert: equal once both files are read between two commits)
    wait_for(lambda: events(hall.db("hub-b")) == events(hall.db("hub-a")), 10, "one log")
    # what the nodes received: one term, and no seq that stands for two events
    received = load.kiosk.events + load.window.events
    assert len({e["term"] for e in received}) == 1
    by_seq: dict[int, str] = {}
    for e in received:
        key = json.dumps({k: v for k, v in e.items()}, sort_keys=True)
        assert by_seq.setdefault(e["seq"], key) == key, f"seq {e['seq']} stands for two events"
    acked = {r["result"]["ticket"]["no"] for _, r in load.tickets}
    stored = {json.loads(d)["no"] for _, kind, _, _, d in events(hall.db("hub-b"))
              if kind == "issued"}
    assert acked <= stored
