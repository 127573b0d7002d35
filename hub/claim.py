"""One hall has one hub: how a hub makes sure no other hub serves its hall before it serves.

Every hub process has an ``instance`` id (random) and its database's ``epoch``; while it serves,
its retained status ``hall/{hall}/node/hub/status`` says ``online`` with both and the time it
started. After each connect a hub first subscribes to that status and to ``hall/{hall}/hub/probe``
and publishes a probe. Mosquitto delivers a subscription's retained messages before anything
published later, so when the hub's own probe comes back it has seen the retained status:

* no other hub online: serve;
* another instance online: a live hub answers every probe by publishing its status again; one
  that does not answer within ``PROBE_WAIT_S`` is a stale retained status (a hub that died with
  the broker), and this hub serves; one that answers is alive, and this hub refuses, loudly.

Two hubs that both serve (a network split healed) keep the one that started first.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

PROBE_WAIT_S = 3.0


@dataclass(frozen=True)
class HubIdentity:
    instance: str
    epoch: str
    since: str  # ISO time the hub started, to settle which of two serving hubs stays

    def status(self, online: bool, version: str) -> dict:
        return {"online": online, "role": "hub", "version": version, "instance": self.instance,
                "epoch": self.epoch, "since": self.since}


def new_instance() -> str:
    return secrets.token_hex(8)


class HallClaim:
    """The hub's claim on its hall, driven from the hub's own thread (not thread-safe).

    ``step()`` returns ``"serve"`` once (per connection) when the hub may serve, and ``"refuse"``
    when another hub is alive; then :attr:`refusal` says why, in one line.
    """

    def __init__(self, me: HubIdentity, hall_id: str):
        self.me = me
        self.hall_id = hall_id
        self.serving = False
        self.refusal: str | None = None
        self._rival: dict | None = None
        self._probe_back = False
        self._wait_until: float | None = None
        self._rival_answered = False
        self.intruders: list[dict] = []  # hubs that probed while this one served (for alerts)

    def connected(self) -> None:
        """A new connection: the claim is made again from the start."""
        self.serving = False
        self._rival = None
        self._probe_back = False
        self._wait_until = None
        self._rival_answered = False

    def probe_payload(self) -> dict:
        return {"instance": self.me.instance, "epoch": self.me.epoch}

    def on_status(self, status: dict, retained: bool) -> str | None:
        """The hub status topic said ``status``. Returns "answer" when this (serving) hub must
        publish its status again, "refuse" when it must stop serving."""
        other = status.get("instance")
        if not isinstance(other, str) or other == self.me.instance:
            return None
        if status.get("online") is not True:
            if self._rival is not None and self._rival.get("instance") == other:
                self._rival = None  # its last will: it is gone
            return None
        if not self.serving:
            if self._rival is not None and self._rival.get("instance") == other and not retained:
                self._rival_answered = True
            self._rival = status
            return None
        if retained:
            return None  # decided already: a retained copy (a new subscription's) is old news
        if (str(status.get("since")), other) < (self.me.since, self.me.instance):
            return self._refuse(status, "started before this one and serves the same hall")
        return "answer"

    def on_probe(self, probe: dict) -> str | None:
        """A probe: this hub's own (the retained status has been seen), or another hub's."""
        other = probe.get("instance")
        if other == self.me.instance:
            self._probe_back = True
            return None
        if self.serving and isinstance(other, str):
            if other not in [i.get("instance") for i in self.intruders]:
                self.intruders.append({"instance": other, "epoch": str(probe.get("epoch"))[:32]})
                log.error("hall %s: another hub (instance %s) tried to serve this hall; it was "
                          "told this hub serves", self.hall_id, other)
            return "answer"
        return None

    def step(self) -> str | None:
        """Called each turn: "serve" or "refuse" once decided, else None."""
        if self.serving or self.refusal is not None or not self._probe_back:
            return None
        if self._rival is None:
            self.serving = True
            return "serve"
        if self._rival_answered:
            return self._refuse(self._rival, "is online and answers")
        now = time.monotonic()
        if self._wait_until is None:
            self._wait_until = now + PROBE_WAIT_S
            return None
        if now >= self._wait_until:
            log.warning("hall %s: the retained status of hub %s is stale (no answer in %.0f s); "
                        "serving", self.hall_id, self._rival.get("instance"), PROBE_WAIT_S)
            self.serving = True
            return "serve"
        return None

    def _refuse(self, rival: dict, why: str) -> str:
        self.serving = False
        self.refusal = (f"another hub (instance {rival.get('instance')}, database epoch "
                        f"{rival.get('epoch')}, started {rival.get('since')}) {why}: this hub "
                        f"does not serve hall {self.hall_id}; one hall has one hub")
        log.error("%s", self.refusal)
        return "refuse"
