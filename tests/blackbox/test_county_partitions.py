"""The county over years (issue 23 item 6): hall-county, started on a county that ran before
partitions, migrates its plain events table with every event and lands new ones in their
month; hall-county partitions archives and drops the months past retention, nothing newer."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date

import psycopg
import pytest

from .county_parts import County, bridge_site, last_seq, wait_landed, with_county_node
from .outside import HALL

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
OLD = "oldsite"  # a site whose October the county held before partitions
PLAIN = """
CREATE TABLE events (
    site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, at text NOT NULL,
    kind text NOT NULL, data jsonb NOT NULL, landed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site, epoch, seq));
"""


@pytest.fixture
def county(bb_workdir):
    c = County(bb_workdir, [HALL])
    yield c
    c.close()


def _relkind(county: County) -> str | None:
    rows = county.rows("SELECT relkind FROM pg_class WHERE relname = 'events'")
    return rows[0][0] if rows else None


def test_a_running_county_is_migrated_and_months_past_retention_archived_then_dropped(
        county, make_hall, bb_workdir):
    with psycopg.connect(county.db, autocommit=True) as conn:
        conn.execute(PLAIN)
        for seq in range(1, 51):
            conn.execute("INSERT INTO events (site, epoch, seq, at, kind, data) VALUES "
                         "(%s, 'aaaaaaaaaaaaaaaa', %s, %s, 'issued', %s)",
                         (OLD, seq, f"2026-10-{1 + seq % 28:02d}T10:00:00+08:00",
                          json.dumps({"ticket_id": f"202610{1 + seq % 28:02d}-A{seq:03d}"})))
    hall = make_hall(with_county_node)
    bridge_site(county, hall, HALL)
    hall.start_hub()
    county.start_collector()
    county.wait_subscribed()
    # the collector migrated the table as it started: partitioned, October's 50 events kept
    assert _relkind(county) == "p"
    parts = {name: n for name, n in county.rows(
        "SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1")}
    assert parts == {"events_y2026m10": 50}
    held = {r[0] for r in county.rows("SELECT c.relname FROM pg_inherits i JOIN pg_class c "
                                      "ON c.oid = i.inhrelid WHERE i.inhparent = "
                                      "'events'::regclass")}
    this = date.today()
    assert f"events_y{this:%Y}m{this:%m}" in held  # this month made ahead of any event
    # a live event of the hall (its clock: Monday 2026-11-23, a month nobody made) is caught
    # by the DEFAULT partition, never lost
    assert hall.node("kiosk-1").request("ticket.take", {"service": "A"})["ok"]
    wait_landed(county, HALL, last_seq(hall))

    def where() -> list[str]:
        return [r[0] for r in county.rows("SELECT DISTINCT tableoid::regclass::text "
                                          "FROM events WHERE site = %s", HALL)]

    assert where() == ["events_default"]
    # retention 1 month on 2026-12-07: November made and its event moved in; October goes to
    # the archive and is dropped, November (the month before this one) and anything newer kept
    archive = bb_workdir / "archive"
    out = county.run("hall-county", "partitions", "--db", county.db, "--retain-months", "1",
                     "--archive", str(archive),
                     env={"LD_PRELOAD": FAKETIME, "FAKETIME": "@2026-12-07 12:00:00"})
    assert out.returncode == 0, out.stderr
    assert "made: 2026-11" in out.stdout and "dropped: 2026-10" in out.stdout
    assert where() == ["events_y2026m11"]  # November given its own partition, rows moved
    with gzip.open(archive / "events-2026-10.csv.gz", "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert sorted(int(r["seq"]) for r in rows) == list(range(1, 51))
    assert {r["site"] for r in rows} == {OLD}
    assert county.rows("SELECT count(*) FROM events WHERE site = %s", OLD) == [(0,)]
    assert county.rows("SELECT count(*) FROM events WHERE site = %s", HALL) == [(
        last_seq(hall),)]
    assert county.run("hall-county", "partitions", "--db", county.db, "--retain-months",
                      "-2").returncode == 2
