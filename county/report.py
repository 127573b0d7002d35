"""hall-report on the county database: a site's copy of the log projected into a scratch
``hall.db`` by the hub's own projection (hub.restore), then the same report code as at the site.
One code path for both stores: the county's figures of a site are the site's figures."""

from __future__ import annotations

import os

import psycopg

from county import ledger
from hub.report import strings as S
from hub.restore import RestoreError, restore


def materialize_what_there_is(db_url: str, cfg, folder: str) -> tuple[str | None, str | None]:
    """(path, what is missing) for the county's view of all sites: the site's log up to its
    first hole (None when the county holds none of it), and a note naming what is missing
    (None: the county holds it all). ValueError only when the database cannot be read."""
    conn = ledger.connect(db_url, create=False)
    try:
        row = conn.execute("SELECT epoch FROM sites WHERE site = %s", (cfg.hall_id,)).fetchone()
        if row is None or row[0] is None:
            return None, S.COUNTY_NO_DATA
        (last,) = conn.execute("SELECT last_seq FROM site_epochs WHERE site = %s AND epoch = %s",
                               (cfg.hall_id, row[0])).fetchone()
        gap: list[int] = []
        path = os.path.join(folder, f"{cfg.hall_id}.db")
        try:
            restore(cfg, path, row[0], _until_gap(ledger.site_log(conn, cfg.hall_id, row[0]),
                                                  gap, last))
        except RestoreError:  # nothing before the first hole
            return None, S.COUNTY_GAP.format(first=gap[0] if gap else 1, upto=0)
        return path, S.COUNTY_GAP.format(first=gap[0], upto=gap[0] - 1) if gap else None
    except psycopg.Error as exc:
        raise ValueError(f"county database: {str(exc).strip().splitlines()[0]}") from None
    finally:
        conn.close()


def _until_gap(events, gap: list[int], last: int):
    """The events up to the first missing seq, which is noted in ``gap`` (also a missing tail
    up to ``last``, the seq the site is known to have)."""
    expected = 1
    for ev in events:
        if ev[0] != expected:
            gap.append(expected)
            return
        expected += 1
        yield ev
    if expected <= last:
        gap.append(expected)


def materialize(db_url: str, cfg, folder: str) -> str:
    """The path of a scratch hub database in ``folder`` holding site ``cfg.hall_id``'s log as
    the county has it; ValueError (one line) when the county has none or it has a hole."""
    conn = ledger.connect(db_url, create=False)
    try:
        row = conn.execute("SELECT epoch FROM sites WHERE site = %s", (cfg.hall_id,)).fetchone()
        if row is None or row[0] is None:
            raise ValueError(f"the county holds no events of site {cfg.hall_id!r}")
        path = os.path.join(folder, f"{cfg.hall_id}.db")
        restore(cfg, path, row[0], ledger.site_log(conn, cfg.hall_id, row[0]))
    except psycopg.Error as exc:  # not a county database, a role that may not read it
        raise ValueError(f"county database: {str(exc).strip().splitlines()[0]}") from None
    finally:
        conn.close()
    return path
