"""Wire contract v1 through a real Mosquitto and a real SQLite file: replies, idempotency,
hostile input, events and retained state."""

from __future__ import annotations

import json
import sqlite3

import pytest

from wire.contract import MAX_PAYLOAD

from .mqtt_peer import RawPeer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def kiosk_peer(hub_service, broker):
    peer = RawPeer(broker.url, ["hall/demo/resp/kiosk-1", "hall/demo/event/#"], "kiosk-1-raw")
    yield peer
    peer.close()


def counts(db_path: str) -> tuple[int, int]:
    conn = sqlite3.connect(db_path)
    try:
        return (conn.execute("SELECT count(*) FROM events").fetchone()[0],
                conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
    finally:
        conn.close()


def take(peer: RawPeer, req_id: str, **args) -> dict:
    body = {"id": req_id, "op": "ticket.take", "args": {"service": "A", **args}}
    peer.publish("hall/demo/req/kiosk-1", json.dumps(body).encode())
    return peer.next(topic_prefix="hall/demo/resp/kiosk-1")[1]


def test_the_same_request_id_twice_gives_the_same_reply_and_one_ticket(hub_service, kiosk_peer):
    first = take(kiosk_peer, "req-1")
    again = take(kiosk_peer, "req-1")
    assert first["ok"] is True and first["result"]["ticket"]["no"] == "A001"
    assert again == first
    other = take(kiosk_peer, "req-2")
    assert other["result"]["ticket"]["no"] == "A002"
    events, tickets = counts(hub_service.db_path)
    assert tickets == 2
    # the hub publishes an op's events before its reply: they are here already
    issued = [p["no"] for t, p in kiosk_peer.drain() if t == "hall/demo/event/issued"]
    assert issued == ["A001", "A002"]
    conn = sqlite3.connect(hub_service.db_path)
    assert conn.execute("SELECT count(*) FROM events WHERE kind='issued'").fetchone()[0] == 2


HOSTILE = [
    (b"{not json", None, "bad_request"),
    (b"\xff\xfe\x00", None, "bad_request"),
    (b"[1, 2, 3]", None, "bad_request"),
    (b'"a string"', None, "bad_request"),
    (json.dumps({"id": 7, "op": "ticket.take", "args": {}}).encode(), None, "bad_request"),
    (json.dumps({"id": "h1", "op": "ticket.fly", "args": {}}).encode(), "h1", "bad_request"),
    (json.dumps({"id": "h2", "op": "ticket.take", "args": []}).encode(), "h2", "bad_request"),
    (json.dumps({"id": "h3", "op": "ticket.take", "args": {}}).encode(), "h3", "bad_request"),
    (json.dumps({"id": "h4", "op": "ticket.take", "args": {"service": 1}}).encode(), "h4",
     "bad_request"),
    (json.dumps({"id": "h5", "op": "ticket.take", "args": {"service": "Z"}}).encode(), "h5",
     "unknown_service"),
    (json.dumps({"id": "h6", "op": "window.call_next", "args": {"window": 1}}).encode(), "h6",
     "forbidden"),
    (json.dumps({"id": "h7", "op": "ticket.take", "args": {"service": "A",
                                                           "priority": "vip"}}).encode(), "h7",
     "bad_request"),
    (json.dumps({"id": "h8", "op": "ticket.take", "args": {"service": "A",
                                                           "id_no": "110101199003077777"}}).encode(),
     "h8", "bad_request"),
    (json.dumps({"id": "h9", "op": "ticket.take", "args": {"service": "A"},
                 "extra": 1}).encode(), "h9", "bad_request"),
    (json.dumps({"id": "x" * 100, "op": "ticket.take", "args": {"service": "A"}}).encode(), None,
     "bad_request"),
    (json.dumps({"id": "h10", "op": "ticket.take",
                 "args": {"service": "A", "pad": "x" * MAX_PAYLOAD}}).encode(), None,
     "bad_request"),
]


@pytest.mark.parametrize("payload, req_id, code", HOSTILE)
def test_hostile_input_gets_a_stable_error_and_changes_nothing(hub_service, kiosk_peer, payload,
                                                               req_id, code):
    before = counts(hub_service.db_path)
    kiosk_peer.publish("hall/demo/req/kiosk-1", payload)
    reply = kiosk_peer.next(topic_prefix="hall/demo/resp/kiosk-1")[1]
    assert reply["ok"] is False
    assert reply["id"] == req_id
    assert reply["error"]["code"] == code
    assert reply["error"]["message"]
    assert counts(hub_service.db_path) == before
    # and the hub still serves the next honest request
    assert take(kiosk_peer, f"after-{code}-{req_id}")["ok"] is True


def test_a_node_not_in_the_hall_config_is_refused(hub_service, broker):
    peer = RawPeer(broker.url, ["hall/demo/resp/intruder"], "intruder")
    try:
        peer.publish("hall/demo/req/intruder",
                     json.dumps({"id": "1", "op": "ticket.take",
                                 "args": {"service": "A"}}).encode())
        reply = peer.next(topic_prefix="hall/demo/resp/intruder")[1]
        assert reply["error"]["code"] == "forbidden"
        assert counts(hub_service.db_path)[1] == 0
    finally:
        peer.close()


def test_events_carry_increasing_seq_and_no_personal_data(hub_service, kiosk_peer):
    reply = take(kiosk_peer, "p-1", id_no="11010519491231002X", phone="13800138000")
    assert reply["ok"] is True, reply
    take(kiosk_peer, "p-2")
    events = [p for t, p in kiosk_peer.drain() if t.startswith("hall/demo/event/")]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) >= 2
    text = json.dumps(events, ensure_ascii=False)
    assert "11010519491231002X" not in text and "13800138000" not in text
    assert "1949" not in text  # not even the masked form leaves the hub
    conn = sqlite3.connect(hub_service.db_path)
    log = " ".join(r[0] for r in conn.execute("SELECT data FROM events"))
    assert "11010519491231002X" not in log and "13800138000" not in log


def test_retained_state_reaches_a_late_subscriber(hub_service, kiosk_peer, broker):
    take(kiosk_peer, "s-1")
    late = RawPeer(broker.url, ["hall/demo/state/#"], "late-board")
    try:
        want = {"hall/demo/state/queue"} | {f"hall/demo/state/window/{n}" for n in range(1, 13)}
        states: dict = {}
        def waiting_a():
            return states.get("hall/demo/state/queue", {}).get("services", {}).get(
                "A", {}).get("waiting")

        # retained messages follow the SUBACK, one by one; the queue state after the take is
        # published after its reply, so the retained one may still be the one before it, with
        # the new one following live
        while not want <= set(states) or waiting_a() != 1:
            topic, payload = late.next(topic_prefix="hall/demo/state/")
            states[topic] = payload
        assert set(states) >= {f"hall/demo/state/window/{n}" for n in range(1, 13)}
        assert states["hall/demo/state/window/3"]["status"] in ("open", "closed")
    finally:
        late.close()


def test_restart_rebuilds_the_queue_and_continues_numbering(hub_service, kiosk_peer):
    for i in range(3):
        take(kiosk_peer, f"r-{i}")
    hub_service.restart()
    reply = take(kiosk_peer, "r-after")
    assert reply["result"]["ticket"]["no"] == "A004"
    assert reply["result"]["ticket"]["waiting_ahead"] == 3
    # a retry of a request answered before the restart still gets the old answer
    assert take(kiosk_peer, "r-1")["result"]["ticket"]["no"] == "A002"


def test_a_time_to_live_is_checked_and_an_absolute_deadline_is_refused(hub_service, kiosk_peer):
    """The give-up point is relative (ttl_ms, measured by the hub from when it reads the
    request): no request depends on two machines agreeing about the time."""
    before = counts(hub_service.db_path)
    body = {"id": "late-1", "op": "ticket.take", "args": {"service": "A"},
            "deadline": "2026-11-23T10:05:00+08:00"}
    for req_id, extra in (("late-1", {"deadline": "2026-11-23T10:05:00+08:00"}),
                          ("late-2", {"ttl_ms": 0}), ("late-3", {"ttl_ms": 600_001}),
                          ("late-4", {"ttl_ms": "5000"}), ("late-5", {"ttl_ms": 1.5})):
        body = {"id": req_id, "op": "ticket.take", "args": {"service": "A"}, **extra}
        kiosk_peer.publish("hall/demo/req/kiosk-1", json.dumps(body).encode())
        reply = kiosk_peer.next(topic_prefix="hall/demo/resp/kiosk-1")[1]
        assert reply["ok"] is False and reply["error"]["code"] == "bad_request", reply
    assert counts(hub_service.db_path) == before
    body = {"id": "ok-1", "op": "ticket.take", "args": {"service": "A"}, "ttl_ms": 5000}
    kiosk_peer.publish("hall/demo/req/kiosk-1", json.dumps(body).encode())
    assert kiosk_peer.next(topic_prefix="hall/demo/resp/kiosk-1")[1]["ok"] is True


def test_a_request_read_longer_ago_than_its_ttl_is_refused(hall_config, hall_clock, tmp_path):
    import time

    from hub.desk import Desk
    from hub.store import Store

    store = Store(str(tmp_path / "hall.db"))
    desk = Desk(hall_config, store)
    done = __import__("queue").Queue()
    raw = json.dumps({"id": "r1", "op": "ticket.take", "args": {"service": "A"},
                      "ttl_ms": 1000}).encode()
    long_ago = time.monotonic() - 2.0  # read 2 s ago, e.g. behind a busy batch
    batch = desk.run([("local", "kiosk-1", (raw, done), long_ago)], False, hall_clock.now())
    reply = batch.local[0][1]
    assert reply["ok"] is False and "expired" in reply["error"]["message"]
    assert batch.events == [] and store.last_seq() == 0
    # the node re-sends the same id with a fresh ttl_ms: judged anew, not answered "expired"
    batch = desk.run([("local", "kiosk-1", (raw, done), time.monotonic())], False,
                     hall_clock.now())
    assert batch.local[0][1]["ok"] is True, batch.local[0][1]
    store.close()


def test_a_kiosk_running_out_of_paper_alerts_the_manager_once(hub_service, broker):
    peer = RawPeer(broker.url, ["hall/demo/event/alert"], "kiosk-1-health")
    try:
        for paper in ("ok", "ok", "near_end", "near_end", "out", "ok"):
            peer.publish("hall/demo/node/kiosk-1/health",
                         json.dumps({"printer": {"state": "ok", "paper": paper}}).encode())
        peer.publish("hall/demo/node/kiosk-1/health", b"{garbage")
        peer.publish("hall/demo/node/nobody/health", json.dumps({"printer": {"paper": "out"}}).encode())
        alerts = [peer.next(topic_prefix="hall/demo/event/alert")[1] for _ in range(3)]
        assert [(a["kind"], a["node"], a["paper"]) for a in alerts] == [
            ("printer_paper", "kiosk-1", "near_end"), ("printer_paper", "kiosk-1", "out"),
            ("printer_paper", "kiosk-1", "ok")]
        # a marker: one more change, published after the rest; no other alert came before it
        peer.publish("hall/demo/node/kiosk-1/health",
                     json.dumps({"printer": {"state": "ok", "paper": "out"}}).encode())
        assert peer.next(topic_prefix="hall/demo/event/alert")[1]["paper"] == "out"
        assert not peer.drain()
    finally:
        peer.close()


def test_an_unchanged_window_state_is_not_published_again(hub_service, broker, kiosk_peer):
    window = RawPeer(broker.url, ["hall/demo/state/window/3"], "window-3-watch")
    clerk = RawPeer(broker.url, ["hall/demo/resp/rater-3"], "rater-3-raw")
    try:
        window.next(topic_prefix="hall/demo/state/window/3")  # the retained one
        take(kiosk_peer, "t-1", service="B")

        def ask(req_id: str, op: str, **args) -> dict:
            body = {"id": req_id, "op": op, "args": {"window": 3, **args}}
            clerk.publish("hall/demo/req/rater-3", json.dumps(body).encode())
            reply = clerk.next(topic_prefix="hall/demo/resp/rater-3")[1]
            assert reply["ok"] is True, reply
            return reply

        ask("r-1", "window.login", staff="1003")
        ask("r-2", "window.call_next")
        while (window.next(topic_prefix="hall/demo/state/window/3")[1]["serving"] or {}).get(
                "no") != "B001":
            pass  # the login's state first, unless coalesced with the call's
        # the citizen reaches the window: a `started` event, but the window shows the same
        ask("r-3", "window.start")
        ask("r-4", "window.finish")
        # the next window state is the finish's: none went out for the unchanged start
        assert window.next(topic_prefix="hall/demo/state/window/3")[1]["serving"] is None
    finally:
        window.close()
        clerk.close()


def test_a_burst_coalesces_the_queue_state_and_its_last_value_goes_out(hub_service, broker,
                                                                        kiosk_peer):
    watch = RawPeer(broker.url, ["hall/demo/state/queue"], "queue-watch")
    try:
        watch.next(topic_prefix="hall/demo/state/queue")  # the retained one
        for i in range(40):
            body = {"id": f"burst-{i}", "op": "ticket.take", "args": {"service": "A"}}
            kiosk_peer.client.publish("hall/demo/req/kiosk-1", json.dumps(body).encode(), qos=1)
        replies = [kiosk_peer.next(topic_prefix="hall/demo/resp/kiosk-1")[1] for _ in range(40)]
        assert all(r["ok"] for r in replies)
        states = [watch.next(topic_prefix="hall/demo/state/queue")[1]]
        while states[-1]["services"]["A"]["waiting"] != 40:  # the last word comes, at last
            states.append(watch.next(topic_prefix="hall/demo/state/queue")[1])
        assert len(states) < 40  # not one per ticket
        assert all(s["services"]["A"]["waiting"] < 40 for s in states[:-1])
    finally:
        watch.close()
