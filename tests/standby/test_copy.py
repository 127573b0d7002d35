"""The synchronous copy (hub.standby.sender / receiver): every committed transaction is on the
standby's disk before the hub's call returns; a standby that was away is made equal by a
snapshot; a deposed hub (a lower term) cannot write the copy."""

from __future__ import annotations

import sqlite3

import pytest

from hub.service import HubService
from hub.standby import frames
from hub.standby.receiver import CopyReceiver
from hub.standby.sender import CopySender
from tests.helpers import eventually

TABLES = ("events", "tickets", "replies", "contacts", "window_sessions")


def dump(path) -> dict:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
        out["meta"] = conn.execute("SELECT * FROM meta WHERE key != 'published_upto' "
                                   "ORDER BY 1").fetchall()
    return out


@pytest.fixture
def pair(hall_config, hall_clock, tmp_path):
    """A hub (offline: requests run through its real path without a broker) whose commits are
    copied to a receiver on localhost."""
    receiver = CopyReceiver(str(tmp_path / "standby.db"), "127.0.0.1", 0)
    receiver.start()
    hub = HubService(hall_config, str(tmp_path / "serving.db"), "mqtt://127.0.0.1:1", hall_clock)
    seen = []
    sender = CopySender(hub.store, ("127.0.0.1", receiver.port), term=7, ack_timeout_s=2,
                        retry_s=0.05, on_attached=lambda: seen.append("attached"),
                        on_detached=lambda why: seen.append(f"detached: {why}"))
    sender.start()
    yield hub, sender, receiver, seen
    sender.stop()
    receiver.stop()
    hub.store.close()


def take(hub, n: int, service: str = "A") -> list[dict]:
    return hub.run_offline([("kiosk-1", "ticket.take", {"service": service})] * n)


def attach(sender) -> None:
    assert eventually(lambda: (sender.poll(), sender.attached)[1]), sender.why


def test_each_commit_is_on_the_standbys_disk_when_the_call_returns(pair, tmp_path):
    hub, sender, receiver, seen = pair
    take(hub, 2)  # before the standby is attached: the snapshot brings them
    attach(sender)
    for _ in range(5):
        replies = take(hub, 2, "B")
        assert all(r["ok"] for r in replies)
        # no waiting: the copy was committed before run_offline returned
        assert dump(tmp_path / "standby.db") == dump(tmp_path / "serving.db")
    hub.run_offline([("rater-1", "window.login", {"window": 1, "staff": "1001"}),
                     ("rater-1", "window.call_next", {"window": 1})])
    assert dump(tmp_path / "standby.db") == dump(tmp_path / "serving.db")
    assert receiver.last_seq() == hub.store.last_seq() > 0
    assert seen == ["attached"]


def test_a_standby_that_went_away_is_made_equal_by_a_snapshot(pair, tmp_path):
    hub, sender, receiver, seen = pair
    attach(sender)
    take(hub, 1)
    sender._sock.close()  # the link breaks: the next commit cannot be copied
    take(hub, 3)
    assert seen[-1].startswith("detached") and not sender.attached
    assert receiver.last_seq() < hub.store.last_seq()
    assert sender.copy_seq == receiver.last_seq()  # what the console counts the lag from
    attach(sender)  # the dialler reaches it again: a snapshot, then synchronous again
    take(hub, 1)
    assert dump(tmp_path / "standby.db") == dump(tmp_path / "serving.db")
    assert seen[-1] == "attached"


def test_a_copy_of_a_lower_term_is_refused(pair, tmp_path):
    hub, sender, receiver, seen = pair
    attach(sender)
    take(hub, 1)
    before = dump(tmp_path / "standby.db")
    import socket

    with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as old:
        frames.send(old, {"t": "snap", "term": 6, "size": 3}, b"xyz")
        assert "refused" in frames.recv(old)
    assert dump(tmp_path / "standby.db") == before
    assert receiver.term == 7
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=5):
        pass  # a port scan: connects, says nothing, goes
    take(hub, 1)  # the serving hub's stream was never dropped for either of them
    assert sender.attached and receiver.last_seq() == hub.store.last_seq()
    assert not [s for s in seen if s.startswith("detached")]


def test_a_transaction_out_of_order_asks_for_a_snapshot(pair):
    hub, sender, receiver, seen = pair
    attach(sender)
    sender._n += 5  # as if transactions had been lost on the way
    take(hub, 1)
    assert seen[-1].startswith("detached: expected transaction")
    attach(sender)
    take(hub, 1)
    assert receiver.last_seq() == hub.store.last_seq()


def test_a_standby_that_cannot_take_its_snapshot_is_said_missing_once(pair, monkeypatch):
    """Its disk full: each try of the snapshot fails. The serving hub says the standby is
    missing once (one etcd write, one alert), not once per commit, and tries again later."""
    hub, sender, receiver, seen = pair
    attach(sender)

    tries = []

    def disk_full(body, term):
        tries.append(term)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(receiver, "_snapshot", disk_full)
    sender._sock.close()  # the link breaks: the next commit detaches, the dialler tries again
    answered = []
    assert eventually(lambda: len(tries) >= 3,
                      poll=lambda: answered.extend(take(hub, 1)), timeout=20)
    assert answered and all(r["ok"] for r in answered)
    assert len(seen) == 2 and seen[1].startswith("detached")  # said once, not once a try
    assert not sender.attached


def test_a_copy_that_fails_unexpectedly_detaches_and_the_batch_is_still_answered(pair,
                                                                                 monkeypatch):
    hub, sender, receiver, seen = pair
    attach(sender)

    def broken(*_a, **_k):
        raise RuntimeError("a frame that cannot be written")

    monkeypatch.setattr(frames, "send", broken)
    assert all(r["ok"] for r in take(hub, 2))
    assert not sender.attached and seen[-1].startswith("detached: the copy failed")
