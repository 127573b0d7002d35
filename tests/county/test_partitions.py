"""The events table by month: made ahead, a month nobody made caught and moved, stored once,
months past retention archived then dropped, and a running county's plain table migrated."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date

import psycopg
from psycopg.types.json import Jsonb

from county import cli, ledger, partitions

OLD_EVENTS = """
CREATE TABLE events (
    site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, at text NOT NULL,
    kind text NOT NULL, data jsonb NOT NULL, landed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site, epoch, seq));
"""
EPOCH = "0123456789abcdef"


def _land(conn, seq: int, at: str, site: str = "town-a") -> int:
    return conn.execute(ledger.INSERT_EVENT, (site, EPOCH, seq, at, "issued",
                                              Jsonb({"ticket_id": f"x{seq}"}))).rowcount


def _where(conn) -> dict[int, str]:
    return {seq: table for seq, table in conn.execute(
        "SELECT seq, tableoid::regclass::text FROM events ORDER BY seq")}


def test_a_month_is_made_ahead_and_one_nobody_made_is_caught_then_moved(county_db):
    conn = ledger.connect(county_db)
    done = partitions.maintain(conn, date(2026, 11, 23))
    assert done["made"] == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert _land(conn, 1, "2026-11-23T10:00:00+08:00") == 1
    assert _land(conn, 2, "2027-03-01T09:00:00+08:00") == 1  # no partition yet: not lost
    assert _where(conn) == {1: "events_y2026m11", 2: "events_default"}
    done = partitions.maintain(conn, date(2026, 11, 23))
    assert done["made"] == [date(2027, 3, 1)]
    assert _where(conn) == {1: "events_y2026m11", 2: "events_y2027m03"}
    conn.commit()


def test_an_event_is_stored_once_whatever_month_a_second_copy_claims(county_db):
    conn = ledger.connect(county_db)
    partitions.maintain(conn, date(2026, 11, 23))
    assert _land(conn, 1, "2026-11-30T23:59:00+08:00") == 1
    assert _land(conn, 1, "2026-11-30T23:59:00+08:00") == 0  # the bridge re-sending
    assert _land(conn, 1, "2026-12-01T00:01:00+08:00") == 0  # the same seq, another month
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_months_past_retention_are_archived_then_dropped_and_the_rest_kept(county_db, tmp_path):
    conn = ledger.connect(county_db)
    for seq, at in enumerate(("2026-01-05T10:00:00+08:00", "2026-08-31T23:00:00+08:00",
                              "2026-09-01T08:00:00+08:00", "2026-11-23T10:00:00+08:00"), 1):
        _land(conn, seq, at)
    partitions.maintain(conn, date(2026, 11, 23))
    done = partitions.maintain(conn, date(2026, 11, 23), retain=2, archive=str(tmp_path))
    # kept: this month and the two before it (September, October)
    assert done["dropped"] == [date(2026, 1, 1), date(2026, 8, 1)]
    assert sorted(_where(conn)) == [3, 4]
    with gzip.open(tmp_path / "events-2026-08.csv.gz", "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert [(r["seq"], r["at"]) for r in rows] == [("2", "2026-08-31T23:00:00+08:00")]
    conn.commit()


def test_a_running_county_s_plain_table_is_migrated_with_every_event(county_db):
    with psycopg.connect(county_db, autocommit=True) as old:
        old.execute(OLD_EVENTS)
        for seq in range(1, 121):  # four months of a site's log
            at = f"2026-{8 + seq // 40:02d}-{1 + seq % 28:02d}T10:00:00+08:00"
            old.execute("INSERT INTO events (site, epoch, seq, at, kind, data) "
                        "VALUES ('town-a', %s, %s, %s, 'issued', %s)",
                        (EPOCH, seq, at, Jsonb({"n": seq})))
    conn = ledger.connect(county_db)  # what the collector does when it starts
    assert partitions.partitioned(conn) is True
    assert partitions.months(conn) == [date(2026, m, 1) for m in (8, 9, 10, 11)]
    assert list(conn.execute("SELECT seq, data FROM events ORDER BY seq")) == [
        (seq, {"n": seq}) for seq in range(1, 121)]
    assert _where(conn)[121 - 1] == "events_y2026m11"
    conn.execute("INSERT INTO site_epochs (site, epoch, contig, last_seq) "
                 "VALUES ('town-a', %s, 120, 120)", (EPOCH,))
    conn.execute("INSERT INTO sites (site, epoch) VALUES ('town-a', %s)", (EPOCH,))
    assert [e[0] for e in ledger.site_log(conn, "town-a")] == list(range(1, 121))
    assert _land(conn, 120, "2026-11-01T10:00:00+08:00") == 0  # still stored once
    conn.commit()
    conn.close()
    assert partitions.migrate(ledger.connect(county_db)) == 0  # once only


def test_partitions_command_and_its_bad_input(county_db, capsys):
    assert cli.main(["partitions", "--db", county_db, "--retain-months", "-1"]) == 2
    assert "--retain-months" in capsys.readouterr().err
    assert cli.main(["partitions", "--db", county_db]) == 0
    out = capsys.readouterr().out
    assert "made: " in out and "held: " in out and "dropped: -" in out
