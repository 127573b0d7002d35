"""What the hub records about itself: its store failing and recovering, its clock stepping.

A full disk is said in the hub's retained health, which stays ``failed`` until a write of the
hub's own succeeds (an empty COMMIT succeeds on a full disk and proves nothing); only then are
the failure and the recovery recorded, with their times (docs/one-hub.md). A step of the system
clock over ``[alerts] clock_step_s`` is recorded as a ``clock_step`` event and alert
(docs/events.md); hall time follows it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime

from hub.desk import Batch, Desk, stored_time
from hub.engine import Event
from wire.clock import HallClock, iso
from wire.config import HallConfig

log = logging.getLogger(__name__)


class SelfWatch:
    """Driven from the hub's own thread. ``say_health(dict)`` publishes the hub's retained
    health; ``publish_event(seq, kind, data, at)`` publishes a committed event."""

    def __init__(self, cfg: HallConfig, clock: HallClock, desk: Desk,
                 say_health: Callable[[dict], None], publish_event: Callable[..., None]):
        self.cfg, self.clock, self.desk = cfg, clock, desk
        self.say_health, self.publish_event = say_health, publish_event
        # why and since when the store fails, until a write of the hub's own succeeds
        self.failure: tuple[str, str] | None = None

    def clock_steps(self) -> list:
        """Batch items for the steps the clock saw over ``[alerts] clock_step_s`` (either way):
        a ``clock_step`` event and an alert for the manager."""
        out = []
        for before, after, step in self.clock.take_steps():
            if abs(step) < self.cfg.alerts.clock_step_s:
                continue
            data = {"from": iso(before), "to": iso(after), "step_s": round(step, 1)}
            out.append(("own", None, [Event("clock_step", data),
                                      Event("alert", {"kind": "clock_step", **data})], None))
        return out

    def check_store(self) -> None:
        """On serving, a write of the hub's own, and the health it proves: the retained health a
        previous process (or connection) left may be stale either way."""
        store = self.desk.store
        at = stored_time(self.clock.now())
        try:
            with store.transaction():
                store.set_meta("served_at", iso(at))
        except sqlite3.Error as exc:
            store.abandon()
            self.batch_done(Batch(failure=str(exc), at=at), tick=False)
            return
        if self.failure is None:
            self.say_health({"store": "ok"})

    def batch_done(self, batch: Batch, tick: bool) -> None:
        """After each batch: a failure is said once; a tick while failed tries to recover."""
        if batch.failure is not None:
            if self.failure is None:
                log.error("the hub cannot store (%s): requests are refused until it can",
                          batch.failure)
                self.failure = (batch.failure, iso(batch.at))
                self.say_health({"store": "failed", "error": batch.failure,
                                 "since": self.failure[1]})
            return
        if self.failure is not None and tick:
            self._try_recovery(batch.at)

    def _try_recovery(self, at: datetime) -> None:
        """Record the failure and the recovery (with the failure's time) in one transaction:
        stored, they are the proof that the hub can write again."""
        error, since = self.failure
        after = self.desk.run([
            ("alert", None, {"kind": "store_failed", "error": error, "failed_at": since}, None),
            ("own", None, [Event("store_recovered", {"failed_at": since, "error": error})], None),
        ], False, at)
        if after.failure is not None or len(after.events) != 2:
            return  # still full: health stays failed, the next tick tries again
        log.warning("the hub stores again after: %s (since %s)", error, since)
        self.failure = None
        self.say_health({"store": "ok"})
        for seq, ev in after.events:
            self.publish_event(seq, ev.kind, ev.public(), after.at)
