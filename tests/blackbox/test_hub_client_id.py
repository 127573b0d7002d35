"""A node user who learned the hub's client id (issue 22 item 4, docs/one-hub.md "Client ids and
users"): Mosquitto 2.0.11 with hallstack's password file and ACL cannot bind a client id to a
user, so the hub makes a learned id worth one takeover at most: a new random id per connection.
The thief here is a raw paho client with kiosk-1's credentials (a kiosk's SD card in the wrong
hands) that reads the hub's id where it is visible: the broker's log."""

from __future__ import annotations

import queue

import paho.mqtt.client as mqtt

from .onehub_parts import hub_ids
from .outside import Hall, wait_for


def take_id(hall: Hall, user: str, client_id: str) -> mqtt.Client:
    """Connect once as ``user`` with ``client_id`` and stay (no loop, no reconnect)."""
    acks: queue.Queue = queue.Queue()
    thief = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
    thief.username_pw_set(user, hall.password(user))
    thief.on_connect = lambda c, u, f, rc, p: acks.put(rc)
    thief.connect("127.0.0.1", hall.broker.port, keepalive=60)
    wait_for(lambda: thief.loop(0.05) is not None and not acks.empty(), what="CONNACK")
    rc = acks.get_nowait()
    assert not rc.is_failure, f"CONNACK {rc}"
    return thief


def test_a_node_user_with_the_hubs_client_id_knocks_it_off_at_most_once(make_hall):
    hall = make_hall()
    hub = hall.start_hub()
    (learned,) = wait_for(lambda: hub_ids(hall), what="the hub's connection in the broker log")
    thieves = []
    try:
        for _ in range(5):
            thieves.append(take_id(hall, "kiosk-1", learned))
            hall.wait_serving(hub)  # the hall goes on: the hub is back within its reconnect
        ids = hub_ids(hall)
        assert len(ids) <= 2, f"the hub was knocked off {len(ids) - 1} times: {ids}"
        assert len(set(ids)) == len(ids)  # never the same id twice
    finally:
        for t in thieves:
            t.disconnect()
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A001"
