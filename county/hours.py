"""Each site's hall hours at the county: a site switched off at night is closed, not silent.

The county reads the sites' own hall configs (the ones ``hall-county report county`` reads), one
``*.toml`` per site in a folder (``hall-county --sites``). A site is expected on the line from
its first session's start to its last session's end on its working days; outside them, nothing
heard is "closed". A site without a config is expected at any hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from wire.config import ConfigError, HallConfig, load_config


def load_sites(folder: str | None) -> dict[str, HallConfig]:
    """Site id -> hall config of every ``*.toml`` in ``folder`` (none: {}); ValueError naming
    a config that does not load (a configuration error: hall-county exits 2)."""
    if not folder or not Path(folder).is_dir():
        return {}
    out = {}
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            cfg = load_config(path)
        except (ConfigError, OSError) as exc:
            raise ValueError(f"--sites: {path}: {exc}") from None
        out[cfg.hall_id] = cfg
    return out


def opened_at(cfg: HallConfig | None, now: datetime) -> datetime | None:
    """When the site's current working span began (None: it is closed now). A site without a
    config is always expected: its span began long ago."""
    if cfg is None:
        return now - timedelta(days=3650)
    t = now.astimezone(cfg.tz)
    first, last = cfg.hours.sessions[0][0], cfg.hours.sessions[-1][1]
    if not cfg.hours.is_working_day(t.date()) or not first <= t.time().replace(
            tzinfo=None) < last:
        return None
    return datetime.combine(t.date(), first, tzinfo=cfg.tz)


def silent_for(cfg: HallConfig | None, last_heard: datetime | None, now: datetime) -> float | None:
    """Seconds the site has been silent while it should have been heard (None: closed now)."""
    opened = opened_at(cfg, now)
    if opened is None:
        return None
    since = opened if last_heard is None else max(last_heard, opened)
    return max(0.0, (now - since).total_seconds())
