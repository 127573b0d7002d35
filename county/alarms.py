"""The collector's alerts: a site behind (events missing) or silent (nothing heard) for longer
than ``alert_s``, each logged once as an ALERT until it is over; both counted only within the
site's hall hours (county.hours: a site switched off after hours is closed, not late)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from county import hours

log = logging.getLogger("county.collector")


class Alarms:
    """``alert_s`` is the collector's, read at each check (a test shortens it)."""

    def __init__(self, alert_s: Callable[[], float], site_hours: dict):
        self._alert_s, self.site_hours = alert_s, site_hours
        self.alerted: set[str] = set()  # sites behind for longer than alert_s
        self.silent: set[str] = set()  # sites not heard (events, answers) for alert_s
        self._behind_since: dict[str, float] = {}
        self.heard_at: dict[str, datetime] = {}  # wall time: compared with hall hours

    def heard(self, site: str, now: datetime) -> float:
        """``site`` was heard at ``now``; the seconds of silence before (0: first heard)."""
        quiet = (now - self.heard_at.get(site, now)).total_seconds()
        self.heard_at[site] = now
        self.silent.discard(site)
        return quiet

    @property
    def alert_s(self) -> float:
        return self._alert_s()

    def check_silent(self, site: str) -> None:
        wall = datetime.now(UTC)
        silent = hours.silent_for(self.site_hours.get(site),
                                  self.heard_at.setdefault(site, wall), wall)
        # outside its hall hours a site switched off is closed, not silent (county.hours)
        if silent is not None and silent > self.alert_s and site not in self.silent:
            # a cut line: the county cannot know what it misses, only that nothing comes
            self.silent.add(site)
            log.error("ALERT site %s: nothing heard for over %.0f s (its line to the "
                      "county?)", site, self.alert_s)

    def behind(self, site: str, behind: int, oldest_missing: int, epoch: str) -> None:
        """``site`` misses ``behind`` events of its current ``epoch`` (0: none)."""
        if behind == 0:
            self._behind_since.pop(site, None)
            self.alerted.discard(site)
            return
        since = self._behind_since.setdefault(site, time.monotonic())
        expected = hours.opened_at(self.site_hours.get(site), datetime.now(UTC))
        if (time.monotonic() - since > self.alert_s and site not in self.alerted
                and expected is not None):  # a site switched off behind: closed
            self.alerted.add(site)
            log.error("ALERT site %s is %d events behind (oldest missing seq %d of epoch "
                      "%s) for over %.0f s", site, behind, oldest_missing, epoch, self.alert_s)
