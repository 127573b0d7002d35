"""``hall-county status``: each site's lag, when it was last heard, and whether that is as it
should be: ``ok``, ``behind``, ``silent`` (nothing heard in its hall hours for ``--alert``
seconds) or ``closed`` (outside its hall hours; a site switched off at night). A standby hall's
lease term and the events of a deposed hub the county refused (county.terms) have their columns;
each site's last ``failover`` event of its current epoch is printed under the table."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from county import hours, ledger

SQL = ("SELECT s.site, s.epoch, coalesce(e.last_seq, 0), s.behind, s.oldest_missing, "
       "s.malformed, s.duplicates, s.skewed, s.updated_at, e.term, s.deposed FROM sites s "
       "LEFT JOIN site_epochs e ON e.site = s.site AND e.epoch = s.epoch ORDER BY s.site")
FAILOVERS = ("SELECT DISTINCT ON (v.site) v.site, v.seq, v.at, v.data FROM events v JOIN sites s "
             "ON s.site = v.site AND s.epoch = v.epoch WHERE v.kind = 'failover' "
             "ORDER BY v.site, v.seq DESC")


def state(cfg, behind: int, heard: datetime | None, now: datetime, alert_s: float) -> str:
    silent = hours.silent_for(cfg, heard, now)
    if behind:
        return "behind"
    if silent is None:
        return "closed"
    return "silent" if silent > alert_s else "ok"


def status(db_url: str, site_hours: dict, alert_s: float) -> int:
    """Print the table; 1 when a site is behind or silent in its hours, 2 without a database."""
    try:
        conn = ledger.connect(db_url)
    except ValueError as exc:
        print(f"hall-county: {exc}", file=sys.stderr)
        return 2
    try:
        rows = conn.execute(SQL).fetchall()
        failovers = conn.execute(FAILOVERS).fetchall()
    finally:
        conn.close()
    now = datetime.now(UTC)
    print(f"{'site':<16} {'epoch':<16} {'last':>8} {'behind':>7} {'oldest':>7} "
          f"{'malformed':>9} {'dup':>6} {'skewed':>6} {'term':>6} {'deposed':>7}  "
          f"{'last heard (UTC)':<19}  state")
    bad = False
    for site, epoch, last, behind, oldest, malformed, dup, skewed, heard, term, deposed in rows:
        st = state(site_hours.get(site), behind, heard, now, alert_s)
        bad |= st in ("behind", "silent")
        print(f"{site:<16} {epoch or '-':<16} {last:>8} {behind:>7} {oldest or '-':>7} "
              f"{malformed:>9} {dup:>6} {skewed:>6} {term or '-':>6} {deposed:>7}  "
              f"{heard.astimezone(UTC):%Y-%m-%d %H:%M:%S}  {st}")
    for site in sorted(set(site_hours) - {r[0] for r in rows}):
        bad = True
        print(f"{site:<16} {'-':<16} {0:>8} {0:>7} {'-':>7} {0:>9} {0:>6} {0:>6} {'-':>6} "
              f"{0:>7}  {'never':<19}  no data")
    for site, seq, at, data in failovers:
        print(f"failover {site}: {data.get('machine', '?')} serves under term "
              f"{data.get('term', '?')} since {at} (seq {seq})")
    return 1 if bad else 0
