"""The generated ACL and password file, enforced by a real Mosquitto running the production
config (systemd/mosquitto/hallstack.conf on top of Debian's main config).

Absence is shown without waiting: a refused message is published first and a permitted one
second by the same client on the same connection; Mosquitto handles one client's packets in
order, so when the permitted one has arrived the refused one would have arrived before it.
"""

from __future__ import annotations

import json
import pwd
import queue
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from wire.contract import Topics

T = Topics("demo")
NOT_AUTHORIZED = 0x87
SUBACK_FAILURE = 0x80


def connected(peers, broker, user, protocol=mqtt.MQTTv311):
    peer = peers(broker.port, user, broker.password(user), protocol)
    rc = peer.connect()
    assert not rc.is_failure, f"{user} refused: {rc}"
    return peer


def test_broker_really_runs_the_production_config(prod_broker):
    log = prod_broker.log()
    assert "Config loaded from" in log and "Error" not in log, log
    assert prod_broker.process.poll() is None
    if prod_broker.dropped_to:  # the DESIGN.md §9 trap: files must be readable after the drop
        status = Path(f"/proc/{prod_broker.process.pid}/status").read_text()
        uid = next(ln.split()[1] for ln in status.splitlines() if ln.startswith("Uid:"))
        assert int(uid) == pwd.getpwnam(prod_broker.dropped_to).pw_uid


@pytest.mark.parametrize("user, password", [(None, None), ("kiosk-1", "wrong-password-123456789"),
                                            ("nobody", "x" * 32), ("hub", "")])
def test_anonymous_and_wrong_passwords_are_refused(prod_broker, peers, user, password):
    peer = peers(prod_broker.port, user, password)
    rc = peer.connect()
    assert rc.is_failure
    # paho maps MQTT 3.1.1 CONNACK 4 and 5 to the MQTT 5 codes 0x86 and 0x87
    assert rc.value in (0x86, 0x87), rc


def test_every_generated_user_can_connect(prod_broker, peers):
    for user in ["hub", *prod_broker.config.nodes]:
        connected(peers, prod_broker, user).close()


def test_rater_writes_its_own_req_and_the_hub_reads_it(prod_broker, peers):
    hub = connected(peers, prod_broker, "hub")
    assert hub.subscribe(T.req("+")) == [1]
    rater = connected(peers, prod_broker, "rater-3", mqtt.MQTTv5)
    body = json.dumps({"id": "r3-1", "op": "window.call_next", "args": {"window": 3}}).encode()
    rc = rater.publish(T.req("rater-3"), body)
    assert not rc.is_failure
    hub.receive_until(T.req("rater-3"), body)


def test_kiosk_cannot_publish_as_another_node(prod_broker, peers):
    hub = connected(peers, prod_broker, "hub")
    assert hub.subscribe(T.req("+")) == [1]
    assert hub.subscribe(T.node_status("+")) == [1]
    kiosk = connected(peers, prod_broker, "kiosk-1", mqtt.MQTTv5)
    forged_req = b'{"id":"x","op":"rating.submit","args":{"window":3,"score":1}}'
    forged_status = b'{"online":false,"role":"rater","version":"0"}'
    assert kiosk.publish(T.req("rater-3"), forged_req) == NOT_AUTHORIZED
    assert kiosk.publish(T.node_status("rater-3"), forged_status, retain=True) == NOT_AUTHORIZED
    own = b'{"id":"k1","op":"ticket.status","args":{"no":"A001"}}'
    assert not kiosk.publish(T.req("kiosk-1"), own).is_failure
    seen = hub.receive_until(T.req("kiosk-1"), own)
    assert [s for s in seen if s[1] in (forged_req, forged_status)] == []


def test_kiosk_cannot_forge_hub_events_replies_or_state(prod_broker, peers):
    board = connected(peers, prod_broker, "board-1")
    assert board.subscribe(T.event("+")) == [1]
    rater = connected(peers, prod_broker, "rater-3")
    assert rater.subscribe(T.resp("rater-3")) == [1]
    kiosk = connected(peers, prod_broker, "kiosk-1", mqtt.MQTTv5)
    fake_call = b'{"seq":999999,"no":"A999","window":3,"text":"fake"}'
    assert kiosk.publish(T.event("called"), fake_call) == NOT_AUTHORIZED
    assert kiosk.publish(T.resp("rater-3"), b'{"id":"r","ok":true}') == NOT_AUTHORIZED
    assert kiosk.publish(T.state("board"), b'{"calls":[]}', retain=True) == NOT_AUTHORIZED
    hub = connected(peers, prod_broker, "hub")
    real_call = b'{"seq":1,"no":"A001","window":3}'
    real_reply = b'{"id":"r","ok":true,"result":null}'
    hub.client.publish(T.event("called"), real_call, qos=1).wait_for_publish(5)
    hub.client.publish(T.resp("rater-3"), real_reply, qos=1).wait_for_publish(5)
    assert board.receive_until(T.event("called"), real_call) == [(T.event("called"), real_call,
                                                                   False)]
    assert rater.receive_until(T.resp("rater-3"), real_reply) == [(T.resp("rater-3"), real_reply,
                                                                   False)]


def test_nodes_cannot_read_requests_or_other_nodes_replies(prod_broker, peers):
    # A ticket.take request carries a resident ID number and a phone number. Mosquitto 2.0 may
    # grant the subscription (the acl_file is checked when a message is delivered), so this
    # shows that nothing is delivered: the hub answers after it has the request, and the board
    # gets the hub's later event without the request or the reply before it.
    board = connected(peers, prod_broker, "board-1")
    for topic_filter in (T.req("+"), T.resp("+"), "#", T.event("+")):
        board.subscribe(topic_filter)
    hub = connected(peers, prod_broker, "hub")
    assert hub.subscribe(T.req("+")) == [1]
    kiosk = connected(peers, prod_broker, "kiosk-1")
    assert kiosk.subscribe(T.resp("kiosk-1")) == [1]
    req = b'{"id":"k1","op":"ticket.take","args":{"service":"A","id_no":"11010519491231002X"}}'
    kiosk.client.publish(T.req("kiosk-1"), req, qos=1).wait_for_publish(5)
    hub.receive_until(T.req("kiosk-1"), req)
    reply = b'{"id":"k1","ok":true,"result":{"ticket":{"no":"A001"}}}'
    hub.client.publish(T.resp("kiosk-1"), reply, qos=1).wait_for_publish(5)
    kiosk.receive_until(T.resp("kiosk-1"), reply)
    event = b'{"seq":1,"no":"A001"}'
    hub.client.publish(T.event("issued"), event, qos=1).wait_for_publish(5)
    assert board.receive_until(T.event("issued"), event) == [(T.event("issued"), event, False)]


def test_only_admin_reads_node_status(prod_broker, peers):
    admin = connected(peers, prod_broker, "admin-1")
    assert admin.subscribe(T.node_status("+")) == [1]
    kiosk = connected(peers, prod_broker, "kiosk-1")
    kiosk.subscribe(T.node_status("+"))
    assert kiosk.subscribe(T.node_status("kiosk-1")) in ([1], [SUBACK_FAILURE])
    assert kiosk.subscribe(T.event("+")) == [1]
    status = b'{"online":true,"role":"rater","version":"0.1.0"}'
    connected(peers, prod_broker, "rater-5").client.publish(
        T.node_status("rater-5"), status, qos=1, retain=True).wait_for_publish(5)
    admin.receive_until(T.node_status("rater-5"), status)
    event = b'{"seq":2}'
    connected(peers, prod_broker, "hub").client.publish(
        T.event("window"), event, qos=1).wait_for_publish(5)
    seen = kiosk.receive_until(T.event("window"), event)
    assert [s for s in seen if "/node/" in s[0]] == []


def test_retained_state_survives_a_broker_restart(fresh_prod_broker, peers):
    broker = fresh_prod_broker
    state = json.dumps({"window": 3, "status": "open"}).encode()
    hub = connected(peers, broker, "hub")
    hub.client.publish(T.state("window/3"), state, qos=1, retain=True).wait_for_publish(5)
    hub.close()
    broker.stop()  # Mosquitto saves its database at shutdown (persistence true)
    assert "Saving in-memory database" in broker.log()
    broker.start()
    rater = connected(peers, broker, "rater-3")
    assert rater.subscribe(T.state("#")) == [1]
    assert rater.receive_until(T.state("window/3"), state)[-1] == (T.state("window/3"), state, True)


def test_hub_and_node_clients_work_through_the_acl(prod_broker, peers, hall_clock, tmp_path):
    """The real HubService and HubClient with their generated credentials: every topic they use
    (subscriptions, last will, retained status, req/resp, events) passes the ACL."""
    from hub.service import HubService
    from wire.client import VERSION, HubClient
    from wire.contract import encode

    cfg = prod_broker.config
    admin = connected(peers, prod_broker, "admin-1")
    assert admin.subscribe(T.node_status("+")) == [1]
    hub = HubService(cfg, str(tmp_path / "hall.db"), prod_broker.url, hall_clock,
                     "hub", prod_broker.password("hub"))
    kiosk = HubClient(cfg, "kiosk-1", prod_broker.url, hall_clock,
                      "kiosk-1", prod_broker.password("kiosk-1"))
    board = HubClient(cfg, "board-1", prod_broker.url, hall_clock,
                      "board-1", prod_broker.password("board-1"))
    issued: queue.Queue = queue.Queue()
    board.on_event("issued", lambda kind, payload: issued.put(payload))
    try:
        hub.start()
        board.start()
        kiosk.start()
        assert kiosk.wait_connected(5) and board.wait_connected(5)
        online = encode({"online": True, "role": "kiosk", "version": VERSION})
        admin.receive_until(T.node_status("kiosk-1"), online)
        ticket = kiosk.request("ticket.take", {"service": "A"}, timeout=10)["ticket"]
        assert ticket["no"].startswith("A")
        assert issued.get(timeout=5)["no"] == ticket["no"]
        status = board.request("ticket.status", {"no": ticket["no"]}, timeout=10)
        assert ticket["no"] in json.dumps(status)
        kiosk.stop()  # its "offline" status, written with its own credentials, reaches admin
        offline = encode({"online": False, "role": "kiosk", "version": VERSION})
        admin.receive_until(T.node_status("kiosk-1"), offline)
    finally:
        kiosk.stop()
        board.stop()
        hub.stop()
