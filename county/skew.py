"""Events far from the county's clock: a site whose hub clock is wrong (a dead RTC battery, a
hall LAN without NTP) makes events whose times mislead every report. The collector lands them
(the log is the hall's truth) and flags them: ``sites.skewed`` counts them, ``sites.skew_s``
says the last distance, and one warning an hour names the site."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

log = logging.getLogger(__name__)

AHEAD_S = 300.0  # a new event stamped this far in the county's future
BEHIND_S = 86400.0  # or this far in its past (a bridge queue of a short cut is not a day old)


class SkewWatch:
    """Checks the time of each new live event against the county's clock."""

    def __init__(self, ahead_s: float = AHEAD_S, behind_s: float = BEHIND_S):
        self.ahead_s, self.behind_s = ahead_s, behind_s
        self._logged: dict[str, float] = {}
        self._pending: dict[str, list[int]] = {}  # site -> [count, last skew] of this batch

    def check(self, site: str, when: datetime) -> None:
        """Note ``when`` (an aware time) when it is far from now."""
        skew = (when - datetime.now(UTC)).total_seconds()
        if -self.behind_s <= skew <= self.ahead_s:
            return
        pending = self._pending.setdefault(site, [0, 0])
        pending[0] += 1
        pending[1] = round(skew)
        now = time.monotonic()
        if now - self._logged.get(site, -1e9) > 3600:
            self._logged[site] = now
            log.warning("site %s: an event stamped %s is %.0f s %s the county's clock (the "
                        "site's clock?)", site, when.isoformat(), abs(skew),
                        "ahead of" if skew > 0 else "behind")

    def save(self, site: str, db) -> None:
        """Add what this batch noted of ``site`` to its row (one statement per batch)."""
        pending = self._pending.pop(site, None)
        if pending is not None:
            db.execute("UPDATE sites SET skewed = skewed + %s, skew_s = %s WHERE site = %s",
                       (pending[0], pending[1], site))

    def forget(self) -> None:
        """A failed batch: what it noted was never stored."""
        self._pending.clear()
