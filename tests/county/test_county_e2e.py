"""End to end with real parts: site hubs on their own Mosquitto, bridged to the county's
Mosquitto (credentials and ACL from hall-broker-config county), the collector landing in a real
PostgreSQL; links cut, brokers restarted, a hub restored from the county."""

from __future__ import annotations

import os

import psycopg
import pytest

from county import cli as county_cli
from county.collector import Collector
from tests.helpers import eventually

from .sites import caught_up, county_rows


def test_three_sites_land_in_the_county_each_event_once(make_county, county_db):
    _, sites, collector = make_county(["town-a", "town-b", "village-c"])
    for n, site in enumerate(sites.values()):
        site.day(tickets=4 + n, served=2 + n)
    for site in sites.values():
        assert caught_up(county_db, site), site.id
        assert collector.lag(site.id) == 0
        kinds = {k for _, _, k, _ in site.log()}
        assert {"issued", "called", "finished", "rated"} <= kinds
    rows = dict(county_rows(county_db, "SELECT site, count(*) FROM events GROUP BY site"))
    assert rows == {s.id: s.last_seq() for s in sites.values()}
    assert all(c.malformed == 0 for c in collector.counts.values())


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_cut_link_with_more_than_1000_queued_events_and_a_broker_restart_catches_up_once(
        make_county, county_db):
    county, sites, collector = make_county(["town-a", "town-b"])
    a, b = sites["town-a"], sites["town-b"]
    a.day()
    assert caught_up(county_db, a)
    before = a.last_seq()
    collector.alert_s = 1.0  # (600 s in production) the probes go unanswered: an alert
    county.links["town-a"].down()  # the site's line to the county is cut; the hall serves on
    a.toggle(350)  # 700 events: queued on the site's broker (its limit is 1000)
    county.sites["town-a"].restart()  # the queue dies with the broker (persistence off, 2.0.11)
    assert a.hub.wait_ready(10)
    a.toggle(600)  # 1200 more: Mosquitto keeps 1000 and drops the rest silently
    a.day(tickets=3, served=1)
    b.day()  # the other site is not held up by the cut one
    assert caught_up(county_db, b)
    assert a.last_seq() > 1900
    assert eventually(lambda: "town-a" in collector.silent, timeout=10)
    # nothing of the cut reached the county, which knows only what it was told
    assert county_rows(county_db, "SELECT max(seq) FROM events WHERE site = %s",
                       "town-a") == [(before,)]
    county.links["town-a"].up()
    led = collector.ledgers[("town-a", a.hub.epoch)]
    assert caught_up(county_db, a, timeout=120), (
        led.contig, led.last, len(led.above), collector.counts, collector._asked,
        county.broker.log_path.read_text()[-1500:],
        county.sites["town-a"].log_path.read_text()[-1500:])
    assert eventually(lambda: collector.lag("town-a") == 0)
    assert "town-a" not in collector.silent
    counts = collector.counts["town-a"]
    assert counts.landed == a.last_seq()  # each event inserted exactly once
    # the 700 queued before the broker restart died with it: they came from the hub's log
    assert counts.replayed >= 700
    assert county_rows(county_db, "SELECT count(*), max(seq) FROM events WHERE site = %s",
                       "town-a") == [(a.last_seq(), a.last_seq())]
    assert county_rows(county_db, "SELECT behind, oldest_missing FROM sites WHERE site = %s",
                       "town-a") == [(0, None)]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_dead_hub_is_restored_from_the_county_and_numbering_continues(
        make_county, county_db, tmp_path, capsys):
    county, sites, collector = make_county(["town-a"])
    a = sites["town-a"]
    a.day(tickets=6, served=2)
    last_no = a.do("kiosk-1", "ticket.take", service="A")["ticket"]["no"]
    assert caught_up(county_db, a)
    old_epoch, old_log = a.hub.epoch, a.log()
    a.stop()  # the SD card dies
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{a.db_path}{suffix}"):
            os.unlink(f"{a.db_path}{suffix}")
    config = tmp_path / "town-a.toml"
    assert county_cli.main(["restore", "--from", county_db, "--site", "town-a", "--config",
                         str(config), "--db", str(a.db_path)]) == 0
    assert f"{len(old_log)} events of epoch {old_epoch}" in capsys.readouterr().out
    assert a.log() == old_log  # the same events with the same seqs
    a.start()
    assert a.hub.epoch != old_epoch  # a new database is a new epoch (docs/one-hub.md)
    ticket = a.do("kiosk-1", "ticket.take", service="A")["ticket"]
    assert ticket["no"] == f"A{int(last_no[1:]) + 1:03d}"  # the next number, none twice
    # the queue survived: the waiting tickets are still called in order
    assert a.do("rater-1", "window.call_next", window=1)["ticket"]["no"] == "A003"
    # the county keeps the old epoch's record and takes only what follows from the new one
    assert caught_up(county_db, a)
    assert eventually(lambda: collector.lag("town-a") == 0)
    assert county_rows(county_db, "SELECT epoch, restored_from, base_seq FROM site_epochs "
                       "WHERE site = %s ORDER BY first_seen", "town-a") == [
        (old_epoch, None, None), (a.hub.epoch, old_epoch, len(old_log))]
    assert county_rows(county_db, "SELECT min(seq) FROM events WHERE site = %s AND epoch = %s",
                       "town-a", a.hub.epoch) == [(len(old_log) + 1,)]


def test_restore_refuses_what_would_lose_or_overwrite(make_county, county_db, tmp_path, capsys,
                                                      postgres):
    county, sites, collector = make_county(["town-a"])
    a = sites["town-a"]
    a.day(tickets=2, served=1)
    assert caught_up(county_db, a)
    config = str(tmp_path / "town-a.toml")

    def restore(*extra) -> int:
        return county_cli.main(["restore", "--from", county_db, "--config", config, *extra])

    assert restore("--site", "town-a", "--db", str(a.db_path)) == 2  # the hub's own file
    assert "exists" in capsys.readouterr().err
    assert restore("--site", "town-z", "--db", str(tmp_path / "z.db")) == 2
    assert "is hall 'town-a'" in capsys.readouterr().err
    holed = tmp_path / "new.db"
    with psycopg.connect(county_db) as conn:  # a hole in the county's copy
        conn.execute("DELETE FROM events WHERE site = 'town-a' AND seq = 2")
    collector.stop()
    assert restore("--site", "town-a", "--db", str(holed)) == 2
    assert "misses events 2..2" in capsys.readouterr().err
    assert not holed.exists()  # nothing half-written
    assert restore("--site", "town-a", "--db", str(tmp_path / "x.db"), "--from",
                   "postgresql://nobody@/nowhere?host=/nonexistent") == 2
    capsys.readouterr()
    assert restore("--site", "town-a", "--db", str(tmp_path / "y.db"), "--from",
                   postgres.url()) == 2  # a database without the county's tables
    assert 'relation "sites" does not exist' in capsys.readouterr().err
    assert not (tmp_path / "y.db").exists()
    del county, sites


def test_a_restarted_collector_goes_on_from_what_the_database_holds(make_county, county_db):
    county, sites, collector = make_county(["town-a"])
    a = sites["town-a"]
    a.day(tickets=3, served=1)
    assert caught_up(county_db, a)
    held = a.last_seq()
    collector.stop()  # the county machine reboots; the site serves on
    a.toggle(20)
    again = Collector(county.broker.url, county_db, "county", county.passwords["county"],
                      probe_s=0.3, ask_timeout_s=2.0)
    assert again.ledgers[("town-a", a.hub.epoch)].contig == held
    again.start()
    try:
        assert caught_up(county_db, a)
        assert eventually(lambda: again.lag("town-a") == 0)
        assert again.counts["town-a"].landed == a.last_seq() - held
    finally:
        again.stop()


def test_hall_report_reads_the_county_copy_through_the_same_code(make_county, county_db,
                                                                 tmp_path, capsys):
    from county import report_cli as county_report
    from report import cli as report

    _, sites, _ = make_county(["town-a", "village-b"])
    for n, site in enumerate(sites.values()):
        site.day(tickets=3 + n, served=2 + n)
    for site in sites.values():
        assert caught_up(county_db, site)
        config = str(tmp_path / f"{site.id}.toml")
        for command in (["figures", "--day", "2026-11-23"],
                        ["export", "--day", "2026-11-23", "--format", "csv"]):
            capsys.readouterr()
            assert report.main([*command, "--config", config, "--db", str(site.db_path)]) == 0
            at_site = capsys.readouterr().out
            assert county_report.main([*command, "--config", config, "--db", county_db]) == 0
            assert capsys.readouterr().out == at_site
            assert len(at_site.splitlines()) >= 3  # figures, or a header and the ratings
    assert county_report.main(["figures", "--day", "2026-11-23", "--config",
                               str(tmp_path / "town-a.toml"), "--db",
                               county_db.replace("county_", "nope_")]) == 2
    assert "county database" in capsys.readouterr().err
    # hall-report itself reads no county (the reports import no county): it names the command
    assert report.main(["figures", "--day", "2026-11-23", "--config",
                        str(tmp_path / "town-a.toml"), "--db", county_db]) == 2
    assert "hall-county report" in capsys.readouterr().err


def test_the_county_view_ranks_every_site(make_county, county_db, tmp_path, capsys):
    from county import report_cli as county_report

    _, sites, _ = make_county(["town-a", "village-b"])
    sites["town-a"].day(tickets=3, served=3)  # one 非常不满意 of three ratings
    sites["village-b"].day(tickets=2, served=1)  # its only rating is 非常不满意
    sites["village-b"].do("rater-1", "window.call_next", window=1)
    sites["village-b"].do("rater-1", "window.finish", window=1)
    sites["village-b"].do("rater-1", "rating.submit", window=1, score=5)
    for site in sites.values():
        assert caught_up(county_db, site)
    out = tmp_path / "county.csv"
    configs = [a for s in sites for a in ("--config", str(tmp_path / f"{s}.toml"))]
    assert county_report.main(["county", "--db", county_db, "--day", "2026-11-23", *configs,
                               "--csv", str(out), "--cache", str(tmp_path / "cache")]) == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("名次,站点,名称,办结数,评价数,满意率,差评数,差评件")
    assert [line.split(",")[:7] for line in lines[1:]] == [
        ["1", "town-a", "示范县政务服务中心", "3", "3", "66.7%", "1"],
        ["2", "village-b", "示范县政务服务中心", "2", "2", "50.0%", "1"]]
    assert "各站点服务评价排名" in capsys.readouterr().out
    assert county_report.main(["county", "--db", county_db, "--day", "2026-11-23", "--config",
                               str(tmp_path / "nowhere.toml")]) == 2
    assert county_report.main(["county", "--db", str(sites["town-a"].db_path), "--day",
                               "2026-11-23", *configs]) == 2
    assert "postgresql://" in capsys.readouterr().err


def test_the_collector_waits_out_a_stopped_database_and_lands_everything(
        make_county, county_db, postgres, caplog):
    _, sites, collector = make_county(["town-a"])
    a = sites["town-a"]
    a.day(tickets=2, served=1)
    assert caught_up(county_db, a)
    postgres.halt()  # the county's database goes away; events keep coming
    try:
        a.toggle(30)
        assert eventually(lambda: "county database" in caplog.text, timeout=10)
    finally:
        postgres.start()
    assert collector.alive()
    assert caught_up(county_db, a)
    assert eventually(lambda: collector.lag("town-a") == 0)
    assert county_rows(county_db, "SELECT count(*) FROM events WHERE site = %s",
                       "town-a") == [(a.last_seq(),)]


@pytest.mark.timeout(120)
def test_a_busy_close_out_lost_by_the_bridge_comes_back_by_replay(make_county, county_db):
    county, sites, collector = make_county(["town-a"])
    a = sites["town-a"]
    a.day(tickets=1, served=0)
    assert caught_up(county_db, a)
    county.links["town-a"].down()
    for _ in range(300):
        a.do("kiosk-1", "ticket.take", service="D")
    a.do("web", "manage.close_day", by="王主任")
    county.sites["town-a"].restart()  # the bridge's queue dies with the broker
    assert a.hub.wait_ready(10)
    county.links["town-a"].up()
    assert caught_up(county_db, a, timeout=60)
    parts = county_rows(county_db, "SELECT data->'part', data->'parts' FROM events WHERE "
                        "site = 'town-a' AND kind = 'day_closed' ORDER BY seq")
    assert len(parts) > 1 and parts[-1][0] == parts[-1][1] == len(parts)
    assert collector.counts["town-a"].replayed >= 300
    assert collector.counts["town-a"].malformed == 0
