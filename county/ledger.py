"""The county's PostgreSQL copy of every site's event log, and how complete it is.

``events`` holds each event once per (site, epoch, seq), partitioned by month
(county.partitions). ``site_epochs`` is one row per database a site's hub has had: how far the county holds it without a gap (``contig``), the
highest seq the site is known to have (``last_seq``) and, for a restored database, the old epoch
and seq it continues (``restored_from``, ``base_seq``). ``sites`` says each site's current epoch,
what arrived broken or twice, and its lag: events behind, the oldest missing seq, since when.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg

from county import partitions

SCHEMA = partitions.EVENTS + """
CREATE TABLE IF NOT EXISTS site_epochs (
    site text NOT NULL,
    epoch text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    contig bigint NOT NULL DEFAULT 0,
    last_seq bigint NOT NULL DEFAULT 0,
    restored_from text,
    base_seq bigint,
    PRIMARY KEY (site, epoch)
);
CREATE TABLE IF NOT EXISTS sites (
    site text PRIMARY KEY,
    epoch text,
    malformed bigint NOT NULL DEFAULT 0,
    duplicates bigint NOT NULL DEFAULT 0,
    behind bigint NOT NULL DEFAULT 0,
    oldest_missing bigint,
    behind_since timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- county.aggregate: per site and hall day the report's tallies; how far each site's are made
CREATE TABLE IF NOT EXISTS day_tallies (
    site text NOT NULL,
    day date NOT NULL,
    view text NOT NULL,
    key text NOT NULL,
    tally jsonb NOT NULL,
    PRIMARY KEY (site, day, view, key)
);
CREATE TABLE IF NOT EXISTS agg_marks (
    site text PRIMARY KEY,
    epoch text NOT NULL,
    upto bigint NOT NULL
);
ALTER TABLE sites ADD COLUMN IF NOT EXISTS skewed bigint NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN IF NOT EXISTS skew_s bigint;
"""

INSERT_EVENT = partitions.INSERT_EVENT


class Unreachable(ValueError):
    """The database is not there now (down, starting, refusing): worth waiting for."""


def connect(url: str, create: bool = True) -> psycopg.Connection:
    """A connection to the county database, with the schema in place when ``create`` (the
    collector; readers such as a restore may use a role that can only SELECT). Unreachable
    when it cannot be reached now, ValueError when the URL itself is wrong; one line each."""
    try:
        conn = psycopg.connect(url, connect_timeout=10)
        if create:
            with conn.transaction():
                partitions.migrate(conn)  # a county running since before partitions
                conn.execute(SCHEMA)
    except psycopg.OperationalError as exc:
        raise Unreachable(f"county database: {str(exc).strip().splitlines()[0]}") from None
    except psycopg.Error as exc:
        raise ValueError(f"county database: {str(exc).strip().splitlines()[0]}") from None
    return conn


# how far beyond what the county knows a live event may move a site's end by itself (a week
# of a busy hall); a seq beyond waits for the hub's answer, so a forged 2**52 is no lag
JUMP = 100_000


@dataclass
class EpochLedger:
    """How much of one site database's log the county holds."""

    site: str
    epoch: str
    contig: int = 0  # every seq 1..contig is held
    last: int = 0  # the highest seq the site is known to have
    above: set[int] = field(default_factory=set)  # held seqs beyond contig
    base: int | None = None  # a restored database: seqs up to base are the old epoch's

    def hold(self, seq: int) -> None:
        """``seq`` is stored. A live event says the site has at least that much, unless it
        jumps implausibly far: then only the hub's answer moves ``last`` (confirm)."""
        if seq > self.contig:
            self.above.add(seq)
        if seq <= max(self.last, self.contig) + JUMP:
            self.last = max(self.last, seq)
        self._advance()

    def confirm(self, last: int, base: int | None = None) -> None:
        """The hub's own answer: its log ends at ``last`` (what was claimed beyond is not
        counted as missing), and a restored database starts after ``base``."""
        self.last = last
        if base is not None:
            self.base = base
            self.contig = max(self.contig, base)
            self.above = {s for s in self.above if s > self.contig}
        self._advance()

    def _advance(self) -> None:
        while self.contig + 1 in self.above:
            self.contig += 1
            self.above.discard(self.contig)

    @property
    def behind(self) -> int:
        held = sum(1 for s in self.above if s <= self.last)
        return max(0, self.last - self.contig - held)

    def missing_run(self, limit: int) -> tuple[int, int] | None:
        """The first range of missing seqs (at most ``limit`` long), or None."""
        if self.behind == 0:
            return None
        first = self.contig + 1
        later = [s for s in self.above if s > first]
        end = min(min(later) - 1 if later else self.last, first + limit - 1, self.last)
        return first, end


@dataclass
class SiteCounts:
    """What the collector did with a site's messages since it started (the sites table keeps
    duplicates and malformed for good)."""

    landed: int = 0
    duplicates: int = 0
    malformed: int = 0
    refused: int = 0  # replay requests the site's hub refused (no county node configured?)
    replayed: int = 0  # of landed: those that came from a replay answer, not the bridge


def add_epoch(conn: psycopg.Connection, site: str, epoch: str) -> None:
    conn.execute("INSERT INTO site_epochs (site, epoch) VALUES (%s, %s) "
                 "ON CONFLICT (site, epoch) DO NOTHING", (site, epoch))


def follow(conn: psycopg.Connection, site: str, epoch: str) -> None:
    """``epoch`` is the one ``site``'s hub serves."""
    conn.execute("INSERT INTO sites (site, epoch) VALUES (%s, %s) ON CONFLICT (site) "
                 "DO UPDATE SET epoch = excluded.epoch", (site, epoch))


def count(conn: psycopg.Connection, site: str, column: str) -> None:
    """One more of ``column`` (duplicates, malformed) in the sites table."""
    conn.execute(f"INSERT INTO sites (site, {column}) VALUES (%s, 1) ON CONFLICT (site) "
                 f"DO UPDATE SET {column} = sites.{column} + 1", (site,))


def save_epoch(conn: psycopg.Connection, led: EpochLedger) -> None:
    conn.execute("UPDATE site_epochs SET contig = %s, last_seq = %s WHERE site = %s AND "
                 "epoch = %s", (led.contig, led.last, led.site, led.epoch))


def save_site(conn: psycopg.Connection, site: str, led: EpochLedger) -> None:
    """The site's lag as its current epoch's ledger ``led`` has it."""
    behind = led.behind
    conn.execute(
        "UPDATE sites SET behind = %s, oldest_missing = %s, updated_at = now(), "
        "behind_since = CASE WHEN %s = 0 THEN NULL ELSE coalesce(behind_since, now()) "
        "END WHERE site = %s",
        (behind, led.contig + 1 if behind else None, behind, site))


def load(conn: psycopg.Connection) -> dict[tuple[str, str], EpochLedger]:
    """Every site epoch's ledger as the database has it (the collector's memory at start)."""
    out = {}
    for site, epoch, contig, last, base in conn.execute(
            "SELECT site, epoch, contig, last_seq, base_seq FROM site_epochs"):
        led = EpochLedger(site, epoch, contig, last, base=base)
        led.above = {r[0] for r in conn.execute(
            "SELECT seq FROM events WHERE site = %s AND epoch = %s AND seq > %s",
            (site, epoch, contig))}
        led._advance()
        out[(site, epoch)] = led
    return out


def site_log(conn: psycopg.Connection, site: str, epoch: str | None = None,
             after: int = 0) -> Iterator[tuple[int, str, str, dict]]:
    """A site's whole log as its hub had it in ``epoch`` (default: the site's current one):
    (seq, at, kind, data) in seq order, a restored epoch's start taken from the epoch it
    continues; only the seqs beyond ``after`` when given."""
    if epoch is None:
        row = conn.execute("SELECT epoch FROM sites WHERE site = %s", (site,)).fetchone()
        if row is None or row[0] is None:
            raise LookupError(f"the county holds no events of site {site!r}")
        epoch = row[0]
    chain = []  # newest first: (epoch, base, last): its seqs up to base are its parent's
    while epoch is not None and epoch not in {c[0] for c in chain}:
        row = conn.execute("SELECT restored_from, base_seq, last_seq FROM site_epochs "
                           "WHERE site = %s AND epoch = %s", (site, epoch)).fetchone()
        parent, base, last = row or (None, None, 0)
        chain.append((epoch, base or 0, last))
        epoch = parent
    chain.reverse()
    for i, (ep, base, last) in enumerate(chain):
        # up to where the next one took over, and never beyond what the site has (a seq past
        # it was claimed by something other than the hub)
        upto = min(chain[i + 1][1], last) if i + 1 < len(chain) else last
        sql = ("SELECT seq, at, kind, data FROM events WHERE site = %s AND epoch = %s "
               "AND seq > %s AND seq <= %s ORDER BY seq")
        params = (site, ep, max(base, after), upto)
        with conn.cursor(name=f"log_{i}") as cur:
            cur.itersize = 2000
            cur.execute(sql, params)
            for seq, at, kind, data in cur:
                yield seq, at, kind, data if isinstance(data, dict) else json.loads(data)
