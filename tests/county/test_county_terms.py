"""Fencing at the county (county.terms): once a site's event of a lease term is seen, an event of
a lower term in that epoch is refused (counted, alerted, never stored), across a restart of
the collector; a bad term is malformed; hall-county status shows the term and the failover."""

from __future__ import annotations

import json

import pytest

from county import status
from county.collector import Collector
from county.ledger import EpochLedger
from county.terms import TermWatch
from tests.helpers import eventually
from wire.mqtt import new_client

from .sites import caught_up, county_rows


def test_a_lower_term_after_a_higher_is_refused_and_no_term_is_not_compared():
    led, watch = EpochLedger("s", "0123456789abcdef"), TermWatch()
    assert not watch.refuses(led, {}, 1)
    assert not watch.refuses(led, {"term": 6}, 2) and led.term == 6
    assert watch.refuses(led, {"term": 5}, 3) and led.term == 6
    assert not watch.refuses(led, {"term": 6}, 3)
    assert not watch.refuses(led, {}, 4) and not watch.refuses(led, {"term": 9}, 4)
    assert watch.refuses(led, {"term": 6}, 5) and led.term == 9


@pytest.mark.parametrize("bad", ["7", 0, -1, True, 2**60, 1.5])
def test_a_term_that_is_no_term_is_malformed(bad):
    from county.answers import Malformed
    with pytest.raises(Malformed, match="term"):
        TermWatch().refuses(EpochLedger("s", "0123456789abcdef"), {"term": bad}, 1)


def test_the_collector_refuses_a_deposed_hub_s_events(make_county, county_db, capsys, caplog):
    county, sites, collector = make_county(["town-a"])
    a = sites["town-a"]
    a.day(tickets=2, served=1)
    assert caught_up(county_db, a)
    last, epoch = a.last_seq(), a.hub.epoch
    at = a.log()[-1][1]
    client = new_client("town-a-test", "town-a", county.passwords["town-a"])
    client.connect(county.broker.host, county.broker.port)
    client.loop_start()
    try:
        def send(seq: int, term, kind: str = "issued", **data) -> None:
            body = {"seq": seq, "at": at, "epoch": epoch, "term": term, **data}
            client.publish(f"hall/town-a/event/{kind}", json.dumps(body).encode(),
                           qos=1).wait_for_publish(5)
        assert eventually(client.is_connected, timeout=5)
        send(last + 1, 7, "failover", machine="hub-b", copy_seq=last)
        send(last + 2, 5, ticket_id="x-5")  # the deposed hub's
        send(last + 3, "7")  # not a term: malformed
        send(last + 2, 7, ticket_id="x-7")
        counts = collector.counts["town-a"]
        assert eventually(lambda: counts.malformed == 1 and counts.deposed == 1, timeout=10)
        stored = county_rows(county_db, "SELECT seq, data->>'term' FROM events WHERE site = %s "
                             "AND seq > %s ORDER BY seq", "town-a", last)
        assert stored == [(last + 1, "7"), (last + 2, "7")]
        assert "ALERT site town-a: an event of term 5" in caplog.text
        # a restarted collector knows the term from the database
        collector.stop()
        again = Collector(county.broker.url, county_db, "county", county.passwords["county"])
        again.start()
        try:
            assert eventually(lambda: again.connected, timeout=10)
            send(last + 4, 6, ticket_id="x-6")
            assert eventually(lambda: again.counts.get("town-a") is not None
                              and again.counts["town-a"].deposed == 1, timeout=10)
        finally:
            again.stop()
        collector.start = lambda: None  # already stopped: the fixture's stop must not fail
    finally:
        client.loop_stop()
        client.disconnect()
    assert county_rows(county_db, "SELECT deposed FROM sites WHERE site = %s",
                       "town-a") == [(2,)]
    assert county_rows(county_db, "SELECT count(*) FROM events WHERE site = %s AND seq > %s",
                       "town-a", last + 2) == [(0,)]
    capsys.readouterr()
    status.status(county_db, {}, 600.0)
    out = capsys.readouterr().out
    assert "deposed" in out.splitlines()[0]
    row = next(ln for ln in out.splitlines() if ln.startswith("town-a"))
    assert row.split()[8:10] == ["7", "2"], out
    assert f"failover town-a: hub-b serves under term 7 since {at} (seq {last + 1})" in out
