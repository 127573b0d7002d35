"""Black-box: the old serving hub comes back after its power was pulled. It joins as the standby,
its copy is replaced by the serving hub's (whatever its own log held), it never serves while the
other one does; and when the other machine's power goes in turn, it takes over with every
acknowledged ticket."""

from __future__ import annotations

import pytest

from tests.standby.netns_parts import can_run, wait_for
from tests.standby.standby_load import Load, assert_each_acknowledged_once, events

pytestmark = pytest.mark.skipif(can_run() is not None, reason=str(can_run()))


def test_the_old_hub_returns_as_standby_catches_up_and_never_serves_stale(standby_hall):
    hall = standby_hall
    load = Load(hall)
    wait_for(lambda: len(load.tickets) >= 3, 20, "a steady load")
    hall.power_off("hub-a")
    wait_for(lambda: hall.serving() == "hub-b", 20, "hub-b to take over")
    n = len(load.tickets)
    wait_for(lambda: len(load.tickets) >= n + 3, 20, "tickets from hub-b")
    serving_lines = hall.log("hub-a").count("serving hall")
    hall.power_on("hub-a")
    wait_for(hall.copy_in_sync, 20, "hub-a's copy to catch up")
    assert hall.serving() == "hub-b"
    n = len(load.tickets)
    wait_for(lambda: len(load.tickets) >= n + 3, 20, "tickets while hub-a stands by")
    wait_for(lambda: events(hall.db("hub-a")) == events(hall.db("hub-b")), 10, "one log")
    assert hall.log("hub-a").count("serving hall") == serving_lines  # it stood by
    # now hub-b's power goes: hub-a serves with every acknowledged ticket
    hall.power_off("hub-b")
    wait_for(lambda: hall.serving() == "hub-a", 20, "hub-a to take over again")
    n = len(load.tickets)
    wait_for(lambda: len(load.tickets) >= n + 3, 20, "tickets from hub-a again")
    load.finish()
    assert_each_acknowledged_once(load, hall.db("hub-a"))  # exactly once


def test_a_machine_that_boots_before_its_link_does_not_unseat_the_serving_hub(standby_hall):
    """A hub machine whose link comes up late (a switch port still learning, a cable plugged in
    after boot) has its etcd member call elections alone meanwhile. When the link comes up, the
    shipped settings (pre-vote) keep that member from forcing an election on the others: the
    raft term does not move and the serving hub keeps its lease."""
    hall = standby_hall
    hall.power_off("hub-a")
    wait_for(lambda: hall.serving() == "hub-b", 20, "hub-b to take over")
    wait_for(hall.etcd_leader_is_witness, 20, "the witness to lead etcd")
    term = hall.raft_term()
    said = hall.log("hub-a", "etcd").count("starting a new election")
    hall.start_etcd(only="hub-a", wait=False)  # the machine boots; its link is still down
    wait_for(lambda: hall.log("hub-a", "etcd").count("starting a new election") >= said + 2, 30,
             "hub-a's member to call elections alone")
    hall.lan.plug_again(hall.ns["hub-a"])
    hall.start_machine("hub-a")
    wait_for(hall.copy_in_sync, 20, "hub-a's copy to catch up")
    assert hall.raft_term() == term
    assert hall.serving() == "hub-b"
    assert "lease lost" not in hall.log("hub-b")
