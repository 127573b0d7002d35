"""``hall-twin --county-dsn``: a site's day replayed from the county's copy of its log.

The county's command rebuilds the site's hub database from that copy (``hall-county restore``,
county/restore.py: the same events, seqs and derived tables) into a scratch folder, and the
twin reads that file as it reads a hub's. It runs as a process: the twin imports no county.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from twin.log import LogError

RESTORE_TIMEOUT_S = 600  # a year of a busy hall's log, on a slow county link


def site_database(dsn: str, site: str, config: Path, folder: Path) -> str:
    """``folder``/hall.db rebuilt from the county database ``dsn`` for ``site``."""
    db = folder / "hall.db"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "county.cli", "restore", "--from", dsn, "--site", site,
             "--config", str(config), "--db", str(db)],
            capture_output=True, text=True, timeout=RESTORE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise LogError(f"the county's copy of {site} was not read within "
                       f"{RESTORE_TIMEOUT_S} s") from None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise LogError(f"cannot read the county's copy of {site}: {why}")
    return str(db)
