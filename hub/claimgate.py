"""One hub per hall on the hub's loop thread: the claim's messages (other hubs' status, probes)
are taken out of each turn's items and acted on; the rest is work, held, unanswered, until this
hub serves the hall (a node re-sends it; hub.claim decides, this only routes)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from hub.claim import HallClaim
from hub.desk import Unavailable
from wire.contract import HubError, decode_object, error_reply


class ClaimGate:
    """``say_serving()`` publishes the hub's retained "online" status, ``serve()`` and
    ``refuse()`` start and stop serving; ``refused`` is set once another hub serves."""

    def __init__(self, claim: HallClaim, say_serving: Callable[[], None],
                 serve: Callable[[], None], refuse: Callable[[], None],
                 refused: threading.Event):
        self.claim = claim
        self.say_serving, self.serve, self.refuse, self.refused = \
            say_serving, serve, refuse, refused
        self.held: list = []  # local requests that wait until this hub serves

    def work(self, items: list) -> list:
        """Take the claim's messages out of ``items`` and act on the claim; the rest is work
        (requests wait, unanswered, until the hub serves: a node re-sends them)."""
        work, answer = [], False
        for item in items:
            kind, node, raw, _ = item
            if kind not in ("hub_status", "probe"):
                work.append(item)
                continue
            try:
                payload = decode_object(raw) if raw else {}
            except HubError:
                continue
            said = (self.claim.on_status(payload, retained=node) if kind == "hub_status"
                    else self.claim.on_probe(payload))
            answer |= said == "answer"
            if said == "refuse":
                self.refuse()
        if answer:
            self.say_serving()
        self._step(work)
        if not self.claim.serving:
            # work waits for the claim: after a stall, what was read meanwhile is acted on only
            # if this hub still serves the hall (else another hub answered it)
            self.held += [i for i in work if i[0] != "connected"]  # serving says it again
            if self.refused.is_set():
                self._answer_refused()
            return []
        work, self.held = self.held + work, []
        return work

    def _step(self, work: list) -> None:
        step = self.claim.step()
        if step == "refuse":
            self.refuse()
        elif step == "serve":  # once per connection or re-check
            self.serve()
            work.append(("connected", None, None, None))
            if self.claim.took_from is not None:  # the operator's act, in the log
                work.append(("alert", None, {"kind": "hub_takeover", **self.claim.took_from},
                             None))
                self.claim.took_from = None

    def _answer_refused(self) -> None:
        error = error_reply(None, Unavailable(self.claim.refusal or "another hub serves"))
        for kind, _, raw, _ in self.held:
            if kind == "local":
                raw[1].put(error)
        self.held = []
