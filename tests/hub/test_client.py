"""The node-side client against a real broker and hub: retries through broker loss, duplicate
events dropped by seq, retained state followed, presence and the last will."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from tests.helpers import eventually
from wire.client import HubClient, HubUnreachable
from wire.contract import Forbidden

from .mqtt_peer import RawPeer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def kiosk(node_client, hub_service):
    return node_client("kiosk-1")


def test_a_refusal_raises_the_error_of_its_code(kiosk):
    with pytest.raises(Forbidden) as err:
        kiosk.request("window.call_next", {"window": 1})
    assert err.value.code == "forbidden"


def test_no_hub_means_unreachable_never_a_number(hall_config, broker, hall_clock):
    client = HubClient(hall_config, "kiosk-1", broker.url, hall_clock)
    client.start()
    try:
        started = time.monotonic()
        with pytest.raises(HubUnreachable):
            client.request("ticket.take", {"service": "A"}, timeout=1.0)
        assert time.monotonic() - started > 0.9  # it waited its whole timeout
    finally:
        client.stop()


def test_a_request_made_while_the_broker_is_down_is_answered_once_it_returns(
        kiosk, broker, hub_service):
    broker.kill()
    assert eventually(lambda: not kiosk.connected)
    box = {}
    worker = threading.Thread(target=lambda: box.update(
        r=kiosk.request("ticket.take", {"service": "B"}, timeout=20)))
    worker.start()
    assert eventually(lambda: kiosk._pending)  # asked while the broker is away
    broker.restart()
    worker.join(20)
    assert box["r"]["ticket"]["no"] == "B001"
    # exactly one ticket, although the request may have been sent several times
    reply = kiosk.request("ticket.take", {"service": "B"})
    assert reply["ticket"]["no"] == "B002"


def test_a_sped_up_hall_keeps_a_request_alive_for_its_real_timeout(
        hall_config, broker, tmp_path):
    """At ×600 twenty real seconds are 200 hall minutes: a request the hub first reads 0.8 s late
    (8 hall minutes, far beyond 20 hall seconds) is still inside its deadline and answered, not
    refused as expired. (The 0.8 s is the scenario, not a synchronisation.)"""
    from hub.service import HubService
    from wire.clock import HallClock

    clock = HallClock(hall_config.tz, "2026-11-23T10:00:00+08:00", speed=600)
    client = HubClient(hall_config, "kiosk-1", broker.url, clock)
    client.start()
    hub = HubService(hall_config, str(tmp_path / "hall.db"), broker.url, clock)
    try:
        assert client.wait_connected(5)
        box = {}
        client.request_async("ticket.take", {"service": "A"},
                             lambda result, exc: box.update(result=result, exc=exc), timeout=20)
        time.sleep(0.8)
        hub.start()
        assert hub.wait_ready(10)
        assert eventually(lambda: box, timeout=25)
        assert box["exc"] is None, box["exc"]
        assert box["result"]["ticket"]["no"] == "A001"
    finally:
        client.stop()
        hub.stop()


def test_duplicate_events_are_delivered_once(hall_config, broker, hall_clock):
    client = HubClient(hall_config, "board-1", broker.url, hall_clock)
    got = []
    client.on_event("called", lambda kind, p: got.append(p["seq"]))
    client.start()
    assert client.wait_connected(5) and client.wait_subscribed(5)
    peer = RawPeer(broker.url, [], "fake-hub")

    def publish(seq):
        peer.publish("hall/demo/event/called", json.dumps(
            {"seq": seq, "at": "2026-11-23T10:00:00+08:00", "no": "A001"}).encode())

    try:
        for seq in (5, 6, 5, 6, 7, 5):
            publish(seq)
        peer.publish("hall/demo/event/called", b"{broken")
        peer.publish("hall/demo/event/called", json.dumps({"seq": "8"}).encode())
        publish(9)  # a marker: one publisher, one topic, so everything above arrived before it
        assert eventually(lambda: 9 in got)
        assert got == [5, 6, 7, 9]
    finally:
        peer.close()
        client.stop()


def test_retained_state_is_followed(kiosk, hub_service):
    kiosk.request("ticket.take", {"service": "C"})
    assert eventually(lambda: kiosk.state.get("queue", {}).get("services", {})
                    .get("C", {}).get("waiting") == 1)
    assert "window/12" in kiosk.state


def test_a_node_that_vanishes_is_reported_offline(hall_config, broker, hall_clock, hub_service):
    watcher = RawPeer(broker.url, ["hall/demo/node/rater-5/status", "hall/demo/event/alert"],
                      "watcher")
    client = HubClient(hall_config, "rater-5", broker.url, hall_clock)
    client.start()
    assert client.wait_connected(5)
    topic, status = watcher.next(topic_prefix="hall/demo/node/rater-5/status")
    assert status == {"online": True, "role": "rater", "version": status["version"]}
    # pull the cable: close the socket under paho so the broker sends the last will
    sock = client._mqtt.socket()
    client._loop.stop(clean=False)
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    try:
        _, will = watcher.next(timeout=30, topic_prefix="hall/demo/node/rater-5/status")
        assert will["online"] is False
        _, alert = watcher.next(timeout=5, topic_prefix="hall/demo/event/alert")
        assert alert["kind"] == "node_offline" and alert["node"] == "rater-5"
    finally:
        watcher.close()


def test_a_request_only_client_gets_its_replies_and_nothing_of_the_hall(
        hall_config, broker, hall_clock, hub_service, kiosk):
    tool = HubClient(hall_config, "kiosk-1", broker.url, hall_clock, follow=False)
    events: list[str] = []
    tool.on_event("*", lambda kind, _ev: events.append(kind))
    arrived: list[str] = []  # what the broker delivered, before any filtering by the client
    deliver = tool._mqtt.on_message
    tool._mqtt.on_message = lambda c, u, m: (arrived.append(m.topic), deliver(c, u, m))
    tool.start()
    try:
        assert tool.wait_connected(5) and tool.wait_subscribed(5)
        no = tool.request("ticket.take", {"service": "A"})["ticket"]["no"]
        # the following client sees the issue and the queue; the tool sees neither
        assert eventually(lambda: kiosk.state.get("queue", {}).get("services", {})
                        .get("A", {}).get("waiting") == 1)
        # a marker: the hub answers this after it published the event and the state above, so
        # had the tool been subscribed to them, they would have reached it before this reply
        assert tool.request("ticket.status", {"no": no})["ticket"]["status"] == "waiting"
        assert events == [] and tool.state == {}
        assert set(arrived) == {"hall/demo/resp/kiosk-1"}
    finally:
        tool.stop()


def test_a_client_reads_only_the_event_kinds_it_asked_for(
        hall_config, broker, hall_clock, hub_service, kiosk):
    board = HubClient(hall_config, "board-1", broker.url, hall_clock)
    seen: list[str] = []
    board.on_event("called", lambda kind, _ev: seen.append(kind))
    arrived: list[str] = []  # what the broker delivered, before any filtering by the client
    deliver = board._mqtt.on_message
    board._mqtt.on_message = lambda c, u, m: (arrived.append(m.topic), deliver(c, u, m))
    board.start()
    try:
        assert board.wait_connected(5) and board.wait_subscribed(5)
        kiosk.request("ticket.take", {"service": "B"})  # an `issued` event: not asked for
        board.on_event("finished", lambda kind, _ev: seen.append(kind))  # asked for later
        assert board.wait_subscribed(5)
        clerk = HubClient(hall_config, "rater-3", broker.url, hall_clock, follow=False)
        clerk.start()
        try:
            assert clerk.wait_connected(5)
            clerk.request("window.login", {"window": 3, "staff": "1003"})
            clerk.request("window.call_next", {"window": 3})
            clerk.request("window.finish", {"window": 3})
        finally:
            clerk.stop()
        # the hub publishes in order, so all it sent before `finished` arrived before it
        assert eventually(lambda: "finished" in seen)
        assert seen == ["called", "finished"]
        events = [t.rsplit("/", 1)[1] for t in arrived if "/event/" in t]
        assert events == ["called", "finished"]  # no `issued`: never subscribed to
        assert eventually(lambda: "window/3" in board.state  # state still followed
                          and board.state["window/3"].get("serving") is None)
    finally:
        board.stop()


def test_wait_subscribed_follows_the_brokers_acknowledgements(hall_config, broker, hall_clock):
    board = HubClient(hall_config, "board-1", broker.url, hall_clock)
    board.on_event("called", lambda kind, _ev: None)
    assert not board.wait_subscribed(0)  # not connected yet
    board.start()
    try:
        assert board.wait_connected(5) and board.wait_subscribed(5)
        board.on_event("finished", lambda kind, _ev: None)  # a new SUBSCRIBE, acknowledged too
        assert board.wait_subscribed(5)
        broker.kill()
        assert eventually(lambda: not board.connected)
        assert not board.wait_subscribed(0)  # a lost connection lost its subscriptions
        broker.restart()
        assert board.wait_subscribed(15)
    finally:
        board.stop()
