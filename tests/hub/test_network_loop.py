"""wire.mqtt.NetworkLoop: one thread for the network and its owner's work."""

from __future__ import annotations

import threading
import time

from tests.helpers import eventually
from wire.mqtt import MAX_WAIT_S, NetworkLoop, _stall, new_client, parse_broker_url


def make_loop(broker_url: str, turn, name: str) -> NetworkLoop:
    host, port = parse_broker_url(broker_url)
    return NetworkLoop(new_client(name), host, port, turn, name)


def test_a_failing_turn_is_logged_and_the_loop_goes_on(broker, caplog):
    turns = []

    def turn():
        turns.append(time.monotonic())
        if len(turns) == 2:
            raise ValueError("a bug in the owner")
        return 0.01

    loop = make_loop(broker.url, turn, "loop-bug")
    loop.start()
    try:
        assert eventually(lambda: len(turns) >= 5, timeout=10) and loop.alive()
        assert "turn failed" in caplog.text
    finally:
        loop.stop()
    assert not loop.alive()


def test_a_stuck_turn_is_not_alive_for_the_watchdog(broker):
    release, stuck = threading.Event(), threading.Event()

    def turn():
        stuck.set()
        return release.wait(30) and 0.01

    loop = make_loop(broker.url, turn, "loop-stuck")
    loop.start()
    try:
        assert stuck.wait(10)
        # a hub stuck in a turn must not feed systemd: stale once 0.2 s passed in the turn
        assert eventually(lambda: not loop.alive(stale_s=0.2), timeout=10)
        release.set()
        assert eventually(lambda: loop.alive(stale_s=0.2), timeout=10)
    finally:
        release.set()
        loop.stop()


def test_a_publish_from_another_thread_goes_out_at_once_and_in_order(broker):
    host, port = parse_broker_url(broker.url)
    got: list[bytes] = []
    done = threading.Event()
    sub = new_client("loop-sub")
    sub.on_message = lambda _c, _u, m: (got.append(m.payload), len(got) == 200 and done.set())
    subscribed = threading.Event()
    sub.on_subscribe = lambda *_: subscribed.set()
    sub.connect(host, port)
    sub.loop_start()
    sub.subscribe("loop/test", qos=1)
    assert subscribed.wait(5)
    loop = make_loop(broker.url, lambda: 10.0, "loop-pub")
    loop.start()
    try:
        assert eventually(loop.client.is_connected, timeout=10)
        loop.client.publish("loop/first", b"x", qos=1)
        assert not loop.client.want_write()  # written by publish() itself, not left for the loop
        writers = [threading.Thread(target=lambda k=k: [
            loop.client.publish("loop/test", f"{k}-{i}".encode(), qos=1) for i in range(100)])
            for k in range(2)]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
        assert done.wait(20), f"only {len(got)} of 200 arrived"
        for k in range(2):  # each writer's messages whole and in its order
            mine = [p for p in got if p.startswith(f"{k}-".encode())]
            assert mine == [f"{k}-{i}".encode() for i in range(100)]
    finally:
        loop.stop()
        sub.disconnect()
        sub.loop_stop()


def test_an_exception_out_of_paho_reconnects_instead_of_going_deaf(broker, caplog):
    host, port = parse_broker_url(broker.url)
    got: list[bytes] = []
    loop = make_loop(broker.url, lambda: 0.05, "loop-deaf")

    def on_message(_c, _u, msg):  # not guarded: paho lets the exception out of loop_read
        if msg.payload == b"boom":
            raise RuntimeError("a callback bug")
        got.append(msg.payload)

    subacks: list[int] = []  # one per connection: the client subscribes in on_connect
    loop.client.on_message = on_message
    loop.client.on_connect = lambda c, *_: c.subscribe("loop/deaf", qos=1)
    loop.client.on_subscribe = lambda _c, _u, mid, *_: subacks.append(mid)
    loop.start()
    pub = new_client("loop-deaf-pub")
    pub.connect(host, port)
    pub.loop_start()
    try:
        assert eventually(lambda: subacks, timeout=10)
        pub.publish("loop/deaf", b"boom", qos=1).wait_for_publish(5)
        assert eventually(lambda: "network error" in caplog.text, timeout=10)
        # reconnected and subscribed again: the broker acknowledged a new SUBSCRIBE
        assert eventually(lambda: len(subacks) >= 2, timeout=20)
        pub.publish("loop/deaf", b"after", qos=1).wait_for_publish(5)
        assert eventually(lambda: got, timeout=10)
        assert got == [b"after"] and loop.alive()
    finally:
        loop.stop()
        pub.disconnect()
        pub.loop_stop()


def test_only_a_wait_far_longer_than_asked_is_a_stall():
    assert _stall(MAX_WAIT_S + 0.01, MAX_WAIT_S) == 0.0  # an idle loop's full wait
    assert _stall(0.0, 0.0) == 0.0
    assert _stall(1.6, MAX_WAIT_S) > 1.0  # SIGSTOP during the wait
