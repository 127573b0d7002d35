"""The node-side client against a real broker and hub: retries through broker loss, duplicate
events dropped by seq, retained state followed, presence and the last will."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from hub.client import HubClient, HubUnreachable
from hub.contract import Forbidden
from tests.helpers import eventually

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
        assert 0.9 < time.monotonic() - started < 3.0
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
    time.sleep(0.5)
    broker.restart()
    worker.join(20)
    assert box["r"]["ticket"]["no"] == "B001"
    # exactly one ticket, although the request may have been sent several times
    reply = kiosk.request("ticket.take", {"service": "B"})
    assert reply["ticket"]["no"] == "B002"


def test_a_sped_up_hall_keeps_a_request_alive_for_its_real_timeout(
        hall_config, broker, tmp_path):
    """At ×600 five real seconds are 50 hall minutes: a request the hub first reads 0.8 s late
    (4 hall minutes) is still inside its deadline and answered, not refused as expired."""
    from hub.clock import HallClock
    from hub.service import HubService

    clock = HallClock(hall_config.tz, "2026-11-23T10:00:00+08:00", speed=600)
    client = HubClient(hall_config, "kiosk-1", broker.url, clock)
    client.start()
    hub = HubService(hall_config, str(tmp_path / "hall.db"), broker.url, clock)
    try:
        assert client.wait_connected(5)
        box = {}
        client.request_async("ticket.take", {"service": "A"},
                             lambda result, exc: box.update(result=result, exc=exc), timeout=5)
        time.sleep(0.8)
        hub.start()
        assert hub.wait_ready(10)
        assert eventually(lambda: box, timeout=6)
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
    assert client.wait_connected(5)
    time.sleep(0.2)
    peer = RawPeer(broker.url, [], "fake-hub")
    try:
        for seq in (5, 6, 5, 6, 7, 5):
            peer.publish("hall/demo/event/called", json.dumps(
                {"seq": seq, "at": "2026-11-23T10:00:00+08:00", "no": "A001"}).encode())
        peer.publish("hall/demo/event/called", b"{broken")
        peer.publish("hall/demo/event/called", json.dumps({"seq": "8"}).encode())
        assert eventually(lambda: len(got) >= 3)
        time.sleep(0.3)
        assert got == [5, 6, 7]
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
    tool.start()
    try:
        assert tool.wait_connected(5)
        no = tool.request("ticket.take", {"service": "A"})["ticket"]["no"]
        assert tool.request("ticket.status", {"no": no})["ticket"]["status"] == "waiting"
        # the following client sees the issue and the queue; the tool sees neither
        assert eventually(lambda: kiosk.state.get("queue", {}).get("services", {})
                        .get("A", {}).get("waiting") == 1)
        time.sleep(0.2)
        assert events == [] and tool.state == {}
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
        assert board.wait_connected(5)
        time.sleep(0.2)
        kiosk.request("ticket.take", {"service": "B"})  # an `issued` event: not asked for
        board.on_event("finished", lambda kind, _ev: seen.append(kind))  # asked for later
        time.sleep(0.2)
        clerk = HubClient(hall_config, "rater-3", broker.url, hall_clock, follow=False)
        clerk.start()
        try:
            assert clerk.wait_connected(5)
            clerk.request("window.login", {"window": 3, "staff": "1003"})
            clerk.request("window.call_next", {"window": 3})
            clerk.request("window.finish", {"window": 3})
        finally:
            clerk.stop()
        assert eventually(lambda: seen == ["called", "finished"])
        time.sleep(0.2)
        assert seen == ["called", "finished"]
        events = [t.rsplit("/", 1)[1] for t in arrived if "/event/" in t]
        assert events == ["called", "finished"]  # no `issued`: never subscribed to
        assert board.state.get("window/3", {}).get("serving") is None  # state still followed
    finally:
        board.stop()
