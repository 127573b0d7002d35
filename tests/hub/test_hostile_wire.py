"""Hostile bytes at the wire, through a real Mosquitto: on request, status and health topics,
retained or not, the hub answers what it can, acts on nothing bad and keeps serving."""

from __future__ import annotations

import json

import pytest

from tests.helpers import eventually, rows

from .mqtt_peer import RawPeer

pytestmark = pytest.mark.timeout(60)

DEEP = b'{"id":"deep","op":"ticket.take","args":{"service":' + b"[" * 5000 + b"]" * 5000 + b"}}"
HUGE_INT = b'{"id":"huge","op":"ticket.take","args":{"service":"A","n":' + b"9" * 5000 + b"}}"
SURROGATE = b'{"id":"sur","op":"ticket.take","args":{"service":"\\ud800"}}'
POISON = [DEEP, HUGE_INT, SURROGATE, b'{"online":' + b"[" * 5000 + b"]" * 5000 + b"}",
          b'{"online":true,"x":"\\udc00"}', b"\xff" * 10]


@pytest.fixture
def peer(hub_service, broker):
    p = RawPeer(broker.url, ["hall/demo/resp/kiosk-1", "hall/demo/event/#"], "hostile-peer")
    yield p
    p.close()


def take(peer: RawPeer, req_id: str) -> dict:
    body = {"id": req_id, "op": "ticket.take", "args": {"service": "A"}}
    peer.publish("hall/demo/req/kiosk-1", json.dumps(body).encode())
    while True:
        reply = peer.next(topic_prefix="hall/demo/resp/kiosk-1")[1]
        if reply.get("id") == req_id:
            return reply


def test_poison_on_every_topic_changes_nothing_and_the_hub_keeps_serving(hub_service, peer):
    assert take(peer, "before")["result"]["ticket"]["no"] == "A001"
    for payload in POISON:
        peer.publish("hall/demo/req/kiosk-1", payload)
        peer.publish("hall/demo/node/kiosk-1/status", payload)
        peer.publish("hall/demo/node/kiosk-1/health", payload)
    after = take(peer, "after")
    assert after["result"]["ticket"]["no"] == "A002"  # no number lost, none invented
    issued = [r["data"] for r in rows(hub_service.db_path,
                                      "SELECT data FROM events WHERE kind = 'issued'")]
    assert [json.loads(d)["no"] for d in issued] == ["A001", "A002"]
    assert hub_service.service.alive()


def test_a_retained_request_is_cleared_and_never_acted_on(hub_service, broker, peer):
    hub_service.stop()  # while no hub runs, a node leaves a request and poison retained
    body = json.dumps({"id": "stale", "op": "ticket.take", "args": {"service": "A"}}).encode()
    peer.client.publish("hall/demo/req/kiosk-1", body, qos=1, retain=True).wait_for_publish(5)
    peer.client.publish("hall/demo/node/kiosk-1/status", DEEP, qos=1,
                        retain=True).wait_for_publish(5)
    hub_service.start()  # a hub started later meets the retained request and the poison
    assert take(peer, "fresh")["result"]["ticket"]["no"] == "A001"
    watcher = RawPeer(broker.url, ["hall/demo/req/#"], "retained-watcher")
    try:
        # the hub cleared it: a new subscriber gets no retained request
        marker = b'{"id":"marker","op":"ticket.status","args":{"no":"A001"}}'
        watcher.publish("hall/demo/req/kiosk-1", marker)
        topic, first = watcher.next(topic_prefix="hall/demo/req/")
        assert first["id"] == "marker"
    finally:
        watcher.close()
    nos = [json.loads(r["data"])["no"] for r in rows(
        hub_service.db_path, "SELECT data FROM events WHERE kind = 'issued'")]
    assert nos == ["A001"]  # only the fresh request acted; "stale" never did
    assert rows(hub_service.db_path, "SELECT * FROM replies WHERE req_id = 'stale'") == []


def test_refused_junk_is_not_stored_but_a_retry_gets_the_same_refusal(hub_service, peer):
    before = rows(hub_service.db_path, "SELECT count(*) AS n FROM replies")[0]["n"]
    for i in range(200):
        body = {"id": f"junk-{i}", "op": "ticket.take", "args": {"service": "NOPE"}}
        peer.publish("hall/demo/req/kiosk-1", json.dumps(body).encode())
    assert eventually(lambda: sum(1 for t, p in peer.log if t.endswith("resp/kiosk-1")) >= 200)
    assert rows(hub_service.db_path, "SELECT count(*) AS n FROM replies")[0]["n"] == before
    # a retry of a refused request is answered the same, even once the service would exist
    body = {"id": "junk-7", "op": "ticket.take", "args": {"service": "NOPE"}}
    peer.publish("hall/demo/req/kiosk-1", json.dumps(body).encode())
    assert eventually(lambda: sum(1 for t, p in peer.log if t.endswith("resp/kiosk-1")) >= 201)
    replies = [json.loads(p) for t, p in peer.log if t.endswith("resp/kiosk-1")]
    sevens = [r for r in replies if r.get("id") == "junk-7"]
    assert len(sevens) == 2 and sevens[0] == sevens[1]
    assert sevens[0]["error"]["code"] == "unknown_service"
