"""``hall-county restore --from postgresql://… --site X --db hall.db``: a site's hub database
rebuilt from the county's copy of its log (hub.restore says what is kept and what is new)."""

from __future__ import annotations

import argparse
import sys

import psycopg

from county import ledger
from hub.restore import RestoreError, restore
from wire.config import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="hall-county restore", description=__doc__.split("\n")[0])
    p.add_argument("--from", dest="source", required=True, help="postgresql://… county database")
    p.add_argument("--site", required=True, help="the site's hall id")
    p.add_argument("--config", required=True, help="the site's hall config (TOML)")
    p.add_argument("--db", default="hall.db", help="the hub database to create")
    args = p.parse_args(argv)
    try:
        cfg = load_config(args.config)
        if cfg.hall_id != args.site:
            raise RestoreError(f"{args.config} is hall {cfg.hall_id!r}, not {args.site!r}")
        conn = ledger.connect(args.source, create=False)
        try:
            row = conn.execute("SELECT epoch, behind FROM sites WHERE site = %s",
                               (args.site,)).fetchone()
            if row is None or row[0] is None:
                raise RestoreError(f"the county holds no events of site {args.site!r}")
            done = restore(cfg, args.db, row[0], ledger.site_log(conn, args.site, row[0]))
        finally:
            conn.close()
    except (ConfigError, ValueError) as exc:  # RestoreError, an unreachable database
        print(f"hall-county restore: {exc}", file=sys.stderr)
        return 2
    except psycopg.Error as exc:  # not a county database (no tables), a role that may not read
        print(f"hall-county restore: county database: {str(exc).strip().splitlines()[0]}",
              file=sys.stderr)
        return 2
    print(f"hall-county restore: {args.db}: {done['events']} events of epoch "
          f"{done['restored_from']['epoch']}, new epoch {done['epoch']}")
    return 0
