"""Bad input at the county: another site's prefix (the ACL refuses it), malformed events
(counted, dropped), replayed events (counted, stored once), an epoch that changes."""

from __future__ import annotations

import json

import paho.mqtt.client as mqtt
import pytest

from tests.helpers import eventually
from wire.mqtt import new_client

from .sites import caught_up, county_rows


@pytest.fixture
def as_user():
    made = []

    def connect(broker, user: str, password: str) -> mqtt.Client:
        client = new_client(f"{user}-test", user, password)
        client.connect(broker.host, broker.port)
        client.loop_start()
        made.append(client)
        assert eventually(client.is_connected, timeout=5)
        return client

    yield connect
    for client in made:
        client.loop_stop()
        client.disconnect()


def publish(client: mqtt.Client, topic: str, payload) -> None:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    client.publish(topic, raw, qos=1).wait_for_publish(5)


def test_bad_input_is_refused_counted_or_stored_once(make_county, county_db, as_user):
    county, sites, collector = make_county(["town-a", "town-b"])
    a = sites["town-a"]
    a.day(tickets=3, served=1)
    assert caught_up(county_db, a)
    seq, at, kind, data = a.log()[0]
    real = {"seq": seq, "at": at, "epoch": a.hub.epoch, **data}
    rows_before = a.last_seq()

    # town-b writes under town-a's prefix: the county broker drops it (ACL)
    b = as_user(county.broker, "town-b", county.passwords["town-b"])
    publish(b, "hall/town-a/event/issued", {**real, "seq": 9999})
    publish(b, "hall/town-a/resp/county", {"id": "x", "ok": True, "result": {
        "epoch": a.hub.epoch, "last_seq": 9999, "restored_from": None, "events": []}})

    # town-a's own credentials: malformed events are counted and dropped
    site = as_user(county.broker, "town-a", county.passwords["town-a"])
    bad = [b"not json", b'{"seq": 1}', b"[1, 2]", {**real, "seq": "7"}, {**real, "seq": 0},
           {**real, "epoch": "XYZ"}, {**real, "at": "yesterday"}, {**real, "seq": True}]
    for payload in bad:
        publish(site, "hall/town-a/event/issued", payload)
    publish(site, "hall/town-a/event/no_such_kind", real)
    publish(site, f"hall/town-a/event/{kind}", real)  # the same event again: stored once
    counts = collector.counts["town-a"]
    assert eventually(lambda: counts.malformed == len(bad) + 1 and counts.duplicates >= 1,
                      timeout=10), counts
    assert county_rows(county_db, "SELECT count(*), max(seq) FROM events WHERE site = %s",
                       "town-a") == [(rows_before, rows_before)]
    assert collector.lag("town-a") == 0  # the forged last_seq 9999 never arrived
    assert county_rows(county_db, "SELECT malformed FROM sites WHERE site = %s",
                       "town-a") == [(len(bad) + 1,)]


def test_a_site_whose_epoch_changes_is_followed_by_what_its_hub_says(make_county, county_db,
                                                                    as_user):
    county, sites, collector = make_county(["town-a"])
    a = sites["town-a"]
    a.day(tickets=2, served=1)
    assert caught_up(county_db, a)
    seq, at, kind, data = a.log()[-1]
    site = as_user(county.broker, "town-a", county.passwords["town-a"])
    forged = "0123456789abcdef"
    publish(site, f"hall/town-a/event/{kind}", {"seq": 5, "at": at, "epoch": forged, **data})
    # the county records it under its epoch, asks the hub, and follows the hub's epoch again
    assert eventually(lambda: county_rows(county_db, "SELECT epoch FROM sites WHERE site = %s",
                                          "town-a") == [(a.hub.epoch,)]
                      and forged in {e for (s, e) in collector.ledgers}, timeout=10)
    a.do("kiosk-1", "ticket.take", service="A")
    assert caught_up(county_db, a)
    assert collector.lag("town-a") == 0


def test_a_message_that_cannot_land_is_dropped_once_and_holds_no_other_site(make_county,
                                                                           county_db):
    import psycopg

    _, sites, collector = make_county(["town-a", "town-b"])
    a, b = sites["town-a"], sites["town-b"]
    land, failed = collector._land, []

    def land_failing(site, epoch, seq, *args, **kw):
        if site == "town-a" and seq == 1 and kw.get("live"):
            # what no check foresaw: the database refuses this message, every time
            failed.append(seq)
            raise psycopg.errors.NumericValueOutOfRange("bigint out of range")
        return land(site, epoch, seq, *args, **kw)
    collector._land = land_failing
    a.day(tickets=2, served=0)
    b.day(tickets=2, served=0)
    assert caught_up(county_db, b)
    assert caught_up(county_db, a)  # the dropped event came again from the hub's log
    assert len(failed) == 2  # in its batch, then alone: dropped, never tried again
    assert collector.counts["town-a"].malformed == 1
    assert county_rows(county_db, "SELECT malformed FROM sites WHERE site = 'town-a'") == [(1,)]
