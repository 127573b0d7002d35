"""``events.replay`` at the hub: who may ask, what a bad request gets, what leaves the hall."""

from __future__ import annotations

import json
import sqlite3

import pytest

from hub import replay
from hub.service import HubService
from wire.clock import HallClock

from .parts import site_config
from .sites import MONDAY_10


@pytest.fixture
def hub(tmp_path, broker):
    cfg = site_config(tmp_path, "town-a")
    service = HubService(cfg, str(tmp_path / "hall.db"), broker.url, HallClock(cfg.tz, MONDAY_10))
    service.start()
    assert service.wait_ready(10)
    yield service
    service.stop()


def ask(hub, node="county", **args):
    return hub.request_local(node, "events.replay", args)


def test_the_county_reads_a_bounded_range_of_public_events(hub, tmp_path):
    assert hub.request_local("kiosk-1", "ticket.take", {"service": "A",
                                                        "id_no": "11010519491231002X"})["ok"]
    for _ in range(2):
        assert hub.request_local("kiosk-1", "ticket.take", {"service": "A"})["ok"]
    reply = ask(hub, epoch=hub.epoch, from_seq=2, to_seq=10)
    assert reply["ok"], reply
    result = reply["result"]
    assert result["epoch"] == hub.epoch and result["last_seq"] == 3
    assert result["restored_from"] is None
    assert [e["seq"] for e in result["events"]] == [2, 3]
    assert all(e["kind"] == "issued" for e in result["events"])
    stored = json.loads(sqlite3.connect(tmp_path / "hall.db").execute(
        "SELECT data FROM events WHERE seq = 2").fetchone()[0])
    assert "_id_hash" in stored  # private in the hall …
    assert not any(k.startswith("_") for e in result["events"] for k in e["data"])  # … stays
    with sqlite3.connect(tmp_path / "hall.db") as conn:  # a read: no reply is stored
        assert conn.execute("SELECT count(*) FROM replies WHERE node = 'county'").fetchone() \
            == (0,)


def test_a_reply_holds_at_most_replay_max_events(hub, monkeypatch):
    monkeypatch.setattr(replay, "REPLAY_MAX", 2)
    for _ in range(5):
        hub.request_local("kiosk-1", "ticket.take", {"service": "A"})
    events = ask(hub, from_seq=1, to_seq=100)["result"]["events"]
    assert [e["seq"] for e in events] == [1, 2]


def test_a_reply_holds_at_most_reply_bytes_of_events_and_at_least_one(hub, monkeypatch):
    for _ in range(5):
        hub.request_local("kiosk-1", "ticket.take", {"service": "A"})
    one = len(json.dumps(ask(hub, from_seq=1, to_seq=1)["result"]["events"][0],
                         ensure_ascii=False, separators=(",", ":")).encode())
    monkeypatch.setattr(replay, "REPLY_BYTES", 2 * one + one // 2)
    assert [e["seq"] for e in ask(hub, from_seq=1, to_seq=5)["result"]["events"]] == [1, 2]
    monkeypatch.setattr(replay, "REPLY_BYTES", 10)  # a range goes on even past the budget
    assert [e["seq"] for e in ask(hub, from_seq=3, to_seq=5)["result"]["events"]] == [3]


def test_another_epoch_gets_no_events_but_learns_the_hubs(hub):
    hub.request_local("kiosk-1", "ticket.take", {"service": "A"})
    result = ask(hub, epoch="0123456789abcdef", from_seq=1, to_seq=10)["result"]
    assert result["events"] == [] and result["epoch"] == hub.epoch and result["last_seq"] == 1


@pytest.mark.parametrize("node, args, code", [
    ("kiosk-1", {"from_seq": 1, "to_seq": 2}, "forbidden"),
    ("admin-1", {"from_seq": 1, "to_seq": 2}, "forbidden"),
    ("county", {"to_seq": 2}, "bad_request"),
    ("county", {"from_seq": 0, "to_seq": 2}, "bad_request"),
    ("county", {"from_seq": "1", "to_seq": 2}, "bad_request"),
    ("county", {"from_seq": 1, "to_seq": 2, "all": True}, "bad_request"),
    ("county", {"from_seq": 1, "to_seq": 2, "epoch": ""}, "bad_request"),
    ("county", {"from_seq": 1, "to_seq": 2**60}, "bad_request"),
])
def test_bad_replay_requests_are_refused(hub, node, args, code):
    reply = ask(hub, node, **args)
    assert not reply["ok"] and reply["error"]["code"] == code, reply


def test_a_replay_with_unknown_request_fields_is_refused(tmp_path, broker):
    cfg = site_config(tmp_path, "town-a")
    service = HubService(cfg, str(tmp_path / "x.db"), broker.url, HallClock(cfg.tz, MONDAY_10))
    try:
        raw = json.dumps({"id": "r1", "op": "events.replay", "deadline": 5,
                          "args": {"from_seq": 1, "to_seq": 1}}).encode()
        [reply] = service.run_raw_offline([("county", raw)])
    finally:
        service.stop()
    assert reply["error"]["code"] == "bad_request" and "deadline" in reply["error"]["message"]
