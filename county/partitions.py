"""The events table by month: PostgreSQL declarative partitions, one per hall month of the
events' own time (``at``), and a DEFAULT partition that catches a month nobody made yet, so no
event ever waits for a partition. ``maintain`` makes the coming months ahead of time (moving
what the DEFAULT holds of a month into that month's own partition) and, with a retention,
archives then drops the months past it. ``migrate`` turns a county's unpartitioned table into
this in one transaction. See docs/county.md (Years: partitions and retention)."""

from __future__ import annotations

import gzip
import os
import re
from datetime import date

import psycopg

EVENTS = """
CREATE TABLE IF NOT EXISTS events (
    site text NOT NULL,
    epoch text NOT NULL,
    seq bigint NOT NULL,
    at text NOT NULL,
    kind text NOT NULL,
    data jsonb NOT NULL,
    landed_at timestamptz NOT NULL DEFAULT now(),
    month date NOT NULL,
    PRIMARY KEY (site, epoch, seq, month)
) PARTITION BY RANGE (month);
CREATE TABLE IF NOT EXISTS events_default PARTITION OF events DEFAULT;
"""

# the month is the hall's own (the date part of ``at``, which carries the hall's offset); the
# key must hold the partition column, so "stored once" per (site, epoch, seq) is checked here
INSERT_EVENT = (
    "WITH e(site, epoch, seq, at, kind, data) AS (VALUES (%s::text, %s::text, %s::bigint, "
    "%s::text, %s::text, %s::jsonb)) "
    "INSERT INTO events (site, epoch, seq, at, kind, data, month) "
    "SELECT site, epoch, seq, at, kind, data, (left(at, 7) || '-01')::date FROM e "
    "WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.site = e.site AND x.epoch = e.epoch "
    "AND x.seq = e.seq) ON CONFLICT DO NOTHING")

_NAME = re.compile(r"events_y(\d{4})m(\d{2})")


def name(month: date) -> str:
    return f"events_y{month:%Y}m{month:%m}"


def add_months(month: date, n: int) -> date:
    k = month.year * 12 + month.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def months(conn: psycopg.Connection) -> list[date]:
    """The months that have their own partition, oldest first."""
    rows = conn.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        "WHERE i.inhparent = 'events'::regclass").fetchall()
    return sorted(date(int(m[1]), int(m[2]), 1) for (n,) in rows if (m := _NAME.fullmatch(n)))


def partitioned(conn: psycopg.Connection) -> bool | None:
    """True: ``events`` is partitioned; False: the old plain table; None: no table yet."""
    row = conn.execute("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = "
                       "c.relnamespace WHERE c.relname = 'events' AND n.nspname = "
                       "current_schema()").fetchone()
    return None if row is None else row[0] == "p"


def create(conn: psycopg.Connection, month: date) -> bool:
    """Month ``month``'s partition, with what the DEFAULT holds of it moved in (attaching
    beside a DEFAULT holding rows of the range is refused). False when it exists."""
    if month in months(conn):
        return False
    part, nxt = name(month), add_months(month, 1)
    with conn.transaction():
        conn.execute(f"CREATE TABLE {part} (LIKE events INCLUDING DEFAULTS)")
        conn.execute(f"WITH moved AS (DELETE FROM events_default WHERE month = %s RETURNING *) "
                     f"INSERT INTO {part} SELECT * FROM moved", (month,))
        conn.execute(f"ALTER TABLE events ATTACH PARTITION {part} "
                     f"FOR VALUES FROM ('{month}') TO ('{nxt}')")
    return True


def migrate(conn: psycopg.Connection) -> int:
    """A county running since before partitions: its plain ``events`` becomes the partitioned
    table with every row kept, in one transaction (a failure leaves the old table as it was).
    Returns the rows moved; 0 when there was nothing to migrate."""
    if partitioned(conn) is not False:
        return 0
    with conn.transaction():
        conn.execute("ALTER TABLE events RENAME TO events_unpartitioned")
        conn.execute("ALTER TABLE events_unpartitioned "
                     "RENAME CONSTRAINT events_pkey TO events_unpartitioned_pkey")
        conn.execute(EVENTS)
        for (month,) in conn.execute("SELECT DISTINCT (left(at, 7) || '-01')::date "
                                     "FROM events_unpartitioned").fetchall():
            create(conn, month)
        moved = conn.execute(
            "INSERT INTO events (site, epoch, seq, at, kind, data, landed_at, month) "
            "SELECT site, epoch, seq, at, kind, data, landed_at, (left(at, 7) || '-01')::date "
            "FROM events_unpartitioned").rowcount
        (old,) = conn.execute("SELECT count(*) FROM events_unpartitioned").fetchone()
        if moved != old:
            raise RuntimeError(f"partition migration moved {moved} of {old} events")
        conn.execute("DROP TABLE events_unpartitioned")
    return moved


def maintain(conn: psycopg.Connection, today: date, ahead: int = 2, retain: int = 0,
             archive: str | None = None) -> dict:
    """The collector's monthly duty (and ``hall-county partitions``): this month and the next
    ``ahead`` made; any month the DEFAULT caught given its own; with ``retain`` > 0, each month
    older than the ``retain`` months before this one archived to ``archive`` (when named:
    ``events-YYYY-MM.csv.gz``, written and synced before the drop) and dropped."""
    this = today.replace(day=1)
    made = [m for m in (add_months(this, i) for i in range(ahead + 1)) if create(conn, m)]
    for (m,) in conn.execute("SELECT DISTINCT month FROM events_default").fetchall():
        if create(conn, m):
            made.append(m)
    dropped = []
    if retain > 0:
        cut = add_months(this, -retain)
        for m in months(conn):
            if m < cut:
                drop(conn, m, archive)
                dropped.append(m)
    return {"made": sorted(made), "dropped": dropped}


def drop(conn: psycopg.Connection, month: date, archive: str | None) -> None:
    """Month ``month``'s events archived (when ``archive`` names a folder), then dropped."""
    part = name(month)
    if archive:
        os.makedirs(archive, exist_ok=True)
        path = os.path.join(archive, f"events-{month:%Y-%m}.csv.gz")
        with open(path + ".part", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as gz:
            with conn.cursor().copy(f"COPY {part} TO STDOUT WITH (FORMAT csv, HEADER)") as cp:
                for chunk in cp:
                    gz.write(chunk)
            gz.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(path + ".part", path)
    with conn.transaction():
        conn.execute(f"ALTER TABLE events DETACH PARTITION {part}")
        conn.execute(f"DROP TABLE {part}")
