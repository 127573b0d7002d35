"""Fencing at the county: a standby hall's events carry the hub's lease ``term``
(docs/standby.md); the county keeps the highest seen per site and epoch and refuses an event
of a lower one seen after it, as the nodes do (wire.client): a deposed hub's.

An event without ``term`` (a hall without a standby) is not compared. A refused event is
counted (``sites.deposed``), logged as an ALERT once per site, epoch and highest term, and
never stored. Replay answers carry no term: they are the serving hub's log, asked for by request id.
"""

from __future__ import annotations

import logging

from county.answers import Malformed
from county.ledger import EpochLedger
from wire.vocab import MAX_SEQ

log = logging.getLogger("county.collector")


def term_of(value: dict) -> int | None:
    """The event's term, None when it has none; Malformed when it is not a positive integer."""
    term = value.get("term")
    if term is None:
        return None
    if not isinstance(term, int) or isinstance(term, bool) or not 0 < term < MAX_SEQ:
        raise Malformed(f"term {str(term)[:24]}")
    return term


class TermWatch:
    def __init__(self):
        self._alerted: set[tuple[str, str, int]] = set()

    def refuses(self, led: EpochLedger, data: dict, seq: int) -> bool:
        """Whether the event ``seq`` with ``data`` is a deposed hub's (Malformed: its term is
        not one); notes a higher term in ``led``."""
        term = term_of(data)
        if term is None:
            return False
        if led.term is not None and term < led.term:
            # once per highest term: as many lines as hubs deposed, not as terms a forger tries
            if (led.site, led.epoch, led.term) not in self._alerted:
                self._alerted.add((led.site, led.epoch, led.term))
                log.error("ALERT site %s: an event of term %s (seq %s) after term %s of epoch "
                          "%s: a deposed hub's, refused", led.site, term, seq,
                          led.term, led.epoch)
            return True
        if led.term is not None and term > led.term:
            log.warning("site %s: term %s (was %s): another hub machine serves epoch %s",
                        led.site, term, led.term, led.epoch)
        led.term = max(term, led.term or 0)
        return False
