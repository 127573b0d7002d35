"""hall-report on the county database: a site's copy of the log projected into a scratch
``hall.db`` by the hub's own projection (hub.restore), then the same report code as at the site.
One code path for both stores: the county's figures of a site are the site's figures. (The
county view of all sites reads per-day aggregates of the same code: county.aggregate.)"""

from __future__ import annotations

import os

import psycopg

from county import ledger
from county.aggregate import county_records, county_rows  # noqa: F401 - hall-county report county
from hub.restore import restore


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
