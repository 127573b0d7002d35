"""What the node client puts on the wire and how it reads it, against a fake hub (a raw MQTT
peer): requests carry ``ttl_ms`` at QoS 0, a stopped client never blocks, and events are
de-duplicated per epoch of the hub's database."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.helpers import eventually
from wire.client import HubClient, HubUnreachable
from wire.mqtt import new_client, parse_broker_url

from .mqtt_peer import RawPeer

pytestmark = pytest.mark.timeout(60)
REQ = "hall/demo/req/kiosk-1"


class FakeHub:
    """Reads kiosk-1's requests with the QoS they were published at (a QoS 1 subscription
    delivers min(published, subscribed))."""

    def __init__(self, url: str):
        host, port = parse_broker_url(url)
        self.got: list[tuple[int, dict]] = []
        self.client = new_client("fake-hub")
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = lambda _c, _u, m: self.got.append((m.qos, json.loads(m.payload)))
        self.client.connect(host, port)
        self.client.loop_start()
        self.client.subscribe(REQ, qos=1)
        assert subscribed.wait(5)

    def answer(self, req_id: str, result: dict) -> None:
        body = json.dumps({"id": req_id, "ok": True, "result": result}).encode()
        self.client.publish("hall/demo/resp/kiosk-1", body, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def kiosk(node_client):
    return node_client("kiosk-1")


def test_a_request_carries_the_time_the_node_still_waits_and_goes_out_at_qos_0(broker, kiosk):
    hub = FakeHub(broker.url)
    box = {}
    try:
        req_id = kiosk.request_async("ticket.take", {"service": "A"},
                                     lambda result, exc: box.update(result=result, exc=exc),
                                     timeout=3.0)
        assert eventually(lambda: len(hub.got) >= 2)  # the first send and its re-send
        (qos1, first), (qos2, again) = hub.got[:2]
        assert qos1 == qos2 == 0
        for body in (first, again):
            assert set(body) == {"id", "op", "args", "ttl_ms"}  # no absolute deadline
            assert body["id"] == req_id and body["op"] == "ticket.take"
            assert isinstance(body["ttl_ms"], int)
        assert 0 < again["ttl_ms"] < first["ttl_ms"] <= 3000  # recomputed at each send
        hub.answer(req_id, {"ticket": {"no": "A001"}})
        assert eventually(lambda: box)
        assert box == {"result": {"ticket": {"no": "A001"}}, "exc": None}
    finally:
        hub.close()


def test_a_client_never_started_raises_after_its_timeout(hall_config, broker, hall_clock):
    client = HubClient(hall_config, "kiosk-1", broker.url, hall_clock)
    started = time.monotonic()
    with pytest.raises(HubUnreachable):
        client.request("ticket.take", {"service": "A"}, timeout=0.5)
    assert time.monotonic() - started >= 0.5
    client.stop()


def test_a_stopped_client_raises_at_once_and_stopping_frees_who_waits(kiosk):
    box = {}
    waiter = threading.Thread(target=lambda: box.update(exc=pytest.raises(
        HubUnreachable, kiosk.request, "ticket.take", {"service": "A"}, timeout=30)))
    waiter.start()  # nobody answers: it waits until the node stops
    assert eventually(lambda: kiosk._pending)
    kiosk.stop()
    waiter.join(5)
    assert not waiter.is_alive() and "shutting down" in str(box["exc"].value)
    with pytest.raises(HubUnreachable, match="shutting down"):
        kiosk.request("ticket.take", {"service": "A"}, timeout=30)
    got = []
    kiosk.request_async("ticket.take", {"service": "A"}, lambda r, e: got.append(e))
    assert isinstance(got[0], HubUnreachable)  # called back at once, on the caller's thread


@pytest.mark.parametrize("timeout", [0, -1, 600.5, float("nan")])
def test_a_timeout_the_wire_cannot_carry_is_refused_and_nothing_is_sent(kiosk, timeout):
    with pytest.raises(ValueError, match="timeout must be"):
        kiosk.request("ticket.take", {"service": "A"}, timeout=timeout)
    assert kiosk._pending == {}


def test_a_new_epoch_starts_the_seq_de_duplication_afresh(hall_config, broker, hall_clock):
    peer = RawPeer(broker.url, [], "fake-hub")

    def retain_queue(epoch):
        peer.client.publish("hall/demo/state/queue", json.dumps(
            {"at": "2026-11-23T10:00:00+08:00", "services": {}, "epoch": epoch}).encode(),
            qos=1, retain=True).wait_for_publish(5)

    def event(epoch, seq):
        body = {"seq": seq, "at": "2026-11-23T10:00:00+08:00", "no": "A001"}
        if epoch is not None:
            body["epoch"] = epoch
        peer.publish("hall/demo/event/called", json.dumps(body).encode())

    retain_queue("e1")
    board = HubClient(hall_config, "board-1", broker.url, hall_clock)
    got = []
    board.on_event("called", lambda _kind, ev: got.append((ev.get("epoch"), ev["seq"])))
    board.start()
    try:
        # retained state comes after the SUBACK of the same SUBSCRIBE: the events are followed
        assert eventually(lambda: "queue" in board.state)
        assert board.epoch == "e1"
        for seq in (5, 6, 5):
            event("e1", seq)
        retain_queue("e2")  # a hub on a new database republishes its state first …
        for seq in (1, 2, 1):  # … and numbers its events from 1 again
            event("e2", seq)
        event("e1", 6)  # a late copy from the old database: still a duplicate there
        event("e3", 1)  # an event alone may bring the new epoch, too
        event("e3", 2)  # the last one: everything before it has been read
        assert eventually(lambda: got[-1:] == [("e3", 2)])
        assert got == [("e1", 5), ("e1", 6), ("e2", 1), ("e2", 2), ("e3", 1), ("e3", 2)]
        assert board.epoch == "e3"
    finally:
        board.stop()
        peer.close()


def test_events_without_an_epoch_are_de_duplicated_as_before(hall_config, broker, hall_clock):
    """A hub from before epochs: one stream, duplicates dropped by seq alone."""
    peer = RawPeer(broker.url, [], "old-hub")
    peer.client.publish("hall/demo/state/queue", b'{"services": {}}', qos=1,
                        retain=True).wait_for_publish(5)
    board = HubClient(hall_config, "board-1", broker.url, hall_clock)
    got = []
    board.on_event("called", lambda _kind, ev: got.append(ev["seq"]))
    board.start()
    try:
        assert eventually(lambda: "queue" in board.state)
        for seq in (3, 4, 3, 4, 5):
            peer.publish("hall/demo/event/called", json.dumps({"seq": seq}).encode())
        assert eventually(lambda: got[-1:] == [5])
        assert got == [3, 4, 5] and board.epoch is None
    finally:
        board.stop()
        peer.close()
