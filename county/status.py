"""``hall-county status``: each site's lag, when it was last heard, and whether that is as it
should be: ``ok``, ``behind``, ``silent`` (nothing heard in its hall hours for ``--alert``
seconds) or ``closed`` (outside its hall hours; a site switched off at night)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from county import hours, ledger

SQL = ("SELECT s.site, s.epoch, coalesce(e.last_seq, 0), s.behind, s.oldest_missing, "
       "s.malformed, s.duplicates, s.skewed, s.updated_at FROM sites s LEFT JOIN site_epochs e "
       "ON e.site = s.site AND e.epoch = s.epoch ORDER BY s.site")


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
    finally:
        conn.close()
    now = datetime.now(UTC)
    print(f"{'site':<16} {'epoch':<16} {'last':>8} {'behind':>7} {'oldest':>7} "
          f"{'malformed':>9} {'dup':>6} {'skewed':>6}  {'last heard (UTC)':<19}  state")
    bad = False
    for site, epoch, last, behind, oldest, malformed, dup, skewed, heard in rows:
        st = state(site_hours.get(site), behind, heard, now, alert_s)
        bad |= st in ("behind", "silent")
        print(f"{site:<16} {epoch or '-':<16} {last:>8} {behind:>7} {oldest or '-':>7} "
              f"{malformed:>9} {dup:>6} {skewed:>6}  {heard.astimezone(UTC):%Y-%m-%d %H:%M:%S}  {st}")
    for site in sorted(set(site_hours) - {r[0] for r in rows}):
        bad = True
        print(f"{site:<16} {'-':<16} {0:>8} {0:>7} {'-':>7} {0:>9} {0:>6} {0:>6}  "
              f"{'never':<19}  no data")
    return 1 if bad else 0
