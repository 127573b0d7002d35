"""One hall has one hub: how a hub makes sure no other hub serves its hall before it serves.

Every hub process has an ``instance`` id (random) and its database's ``epoch``; while it serves,
its retained status ``hall/{hall}/node/hub/status`` says ``online`` with both (and, for people,
the time it started). After each connect a hub first subscribes to that status and to
``hall/{hall}/hub/probe`` and publishes a probe. Mosquitto delivers a subscription's retained
messages before anything published later, so when the hub's own probe comes back it has seen the
retained status, which names the hall's current epoch:

* the retained status names an epoch this database does not continue (not its own, not the one
  it was restored from): refuse, unless the operator said ``--take-over``; seniority follows
  the database, never a clock;
* no other hub online: serve;
* another instance online: a live hub answers every probe by publishing its status again; one
  that does not answer within ``PROBE_WAIT_S`` is a stale retained status (a hub that died with
  the broker), and this hub serves; one that answers is alive, and this hub refuses, loudly.

A serving hub that did not take a turn for ``STALL_S`` (SIGSTOP, swap, an SD card write) may
have missed a probe: another hub may serve now. It makes its claim again before it acts on
anything it read meanwhile. Two hubs that both serve (they started together) keep the one whose
status the broker ordered first.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

PROBE_WAIT_S = 3.0
# a serving hub silent this long may have let another hub's probe wait out PROBE_WAIT_S
STALL_S = PROBE_WAIT_S / 2


@dataclass(frozen=True)
class HubIdentity:
    instance: str
    epoch: str
    since: str  # ISO time the hub started: for people reading the status, never for deciding

    def status(self, online: bool, version: str) -> dict:
        return {"online": online, "role": "hub", "version": version, "instance": self.instance,
                "epoch": self.epoch, "since": self.since}


def new_instance() -> str:
    return secrets.token_hex(8)


def connection_id(hall_id: str) -> str:
    """A new random MQTT client id for each of the hub's connections. Mosquitto 2.0's password
    file and ACL cannot bind an id to a user, so any user who learned an id may take it over
    (docs/one-hub.md); an id used once is worth one takeover at most. Random, so two hubs never
    take each other over either."""
    return f"{hall_id}-hub-{secrets.token_hex(16)}"


class HallClaim:
    """The hub's claim on its hall, driven from the hub's own thread (not thread-safe).

    ``lineage``: the epochs this database continues besides its own (the one it was restored
    from). ``take_over``: the operator's word that this database now serves the hall even though
    the retained status names another epoch (never over a live hub).

    ``step()`` returns ``"serve"`` once (per connection or re-check) when the hub may serve, and
    ``"refuse"`` when it must not; then :attr:`refusal` says why, in one line.
    """

    def __init__(self, me: HubIdentity, hall_id: str, lineage: tuple[str, ...] = (),
                 take_over: bool = False):
        self.me = me
        self.hall_id = hall_id
        self.lineage = {me.epoch, *lineage}
        self.take_over = take_over
        self.serving = False
        self.refusal: str | None = None
        self.took_from: dict | None = None  # the other epoch's status when this hub served over it
        self.intruders: list[dict] = []  # hubs that probed while this one served (for alerts)
        self._last_turn: float | None = None
        self.connected()

    def connected(self) -> None:
        """A new connection (or a re-check): the claim is made again from the start."""
        self.serving = False
        self._hall: dict | None = None  # the last status of another hub: the hall's epoch
        self._rival: dict | None = None
        self._probe_back = False
        self._wait_until: float | None = None
        self._rival_answered = False
        self._echo = False  # this hub's own status came back since it served
        self._answered: set[str] = set()

    def probe_payload(self) -> dict:
        return {"instance": self.me.instance, "epoch": self.me.epoch}

    def stalled(self, now: float) -> bool:
        """Called at the start of each turn: True when this hub served but took no turn for
        ``STALL_S``; the claim then starts again (the caller probes), and nothing read meanwhile
        may be acted on before ``step()`` says "serve"."""
        last, self._last_turn = self._last_turn, now
        if not self.serving or last is None or now - last < STALL_S:
            return False
        log.warning("hall %s: this hub took no turn for %.1f s; another hub may serve now: "
                     "checking before acting on anything read meanwhile", self.hall_id, now - last)
        self.connected()
        return True

    def on_status(self, status: dict, retained: bool) -> str | None:
        """The hub status topic said ``status``. Returns "answer" when this (serving) hub must
        publish its status again, "refuse" when it must stop serving."""
        other = status.get("instance")
        if not isinstance(other, str):
            return None
        if other == self.me.instance:
            self._echo |= self.serving and not retained
            return None
        if not self.serving:
            self._hall = status
            if status.get("online") is not True:
                if self._rival is not None and self._rival.get("instance") == other:
                    self._rival = None  # its last will: it is gone
                return None
            if self._rival is not None and self._rival.get("instance") == other and not retained:
                self._rival_answered = True
            self._rival = status
            return None
        if retained or status.get("online") is not True:
            return None  # decided already: a retained copy (a new subscription's) is old news
        return self._another_serves(status, other)

    def _another_serves(self, status: dict, other: str) -> str:
        """A live status of another hub while this one serves: only a hub that serves says so."""
        if not self._echo:  # the broker ordered its status before this hub's: it came first
            return self._refuse(status, "served first (the broker ordered its status first)")
        if other in self._answered and other < self.me.instance:
            # it was told and still serves: a tie only the ids can break the same way on both
            return self._refuse(status, "still serves after being told")
        self._answered.add(other)
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
        foreign = self._hall is not None and self._hall.get("epoch") not in self.lineage
        if foreign and not self.take_over:
            return self._refuse(self._hall, "holds the hall's current epoch, which this hub's "
                                f"database (epoch {self.me.epoch}) does not continue; serving "
                                "the hall from this database is an operator's act: "
                                "hall-hub --take-over, or a file <db>.take-over beside the "
                                "database (docs/one-hub.md)", live=False)
        if self._rival is not None:
            if self._rival_answered:
                return self._refuse(self._rival, "is online and answers")
            now = time.monotonic()
            if self._wait_until is None:
                self._wait_until = now + PROBE_WAIT_S
                return None
            if now < self._wait_until:
                return None
            log.warning("hall %s: the retained status of hub %s is stale (no answer in %.0f s); "
                        "serving", self.hall_id, self._rival.get("instance"), PROBE_WAIT_S)
        if self._hall is not None and self._hall.get("epoch") != self.me.epoch:
            self.took_from = {"epoch": str(self._hall.get("epoch"))[:32],
                              "instance": str(self._hall.get("instance"))[:32],
                              "how": "take_over" if foreign else "restore"}
            log.warning("hall %s: this hub serves it from epoch %s after epoch %s (%s)",
                        self.hall_id, self.me.epoch, self.took_from["epoch"],
                        self.took_from["how"])
        self.serving = True
        return "serve"

    def _refuse(self, rival: dict, why: str, live: bool = True) -> str:
        self.serving = False
        state = "" if live else ", now offline" if rival.get("online") is not True else ""
        self.refusal = (f"another hub (instance {rival.get('instance')}, database epoch "
                        f"{rival.get('epoch')}, started {rival.get('since')}{state}) {why}: "
                        f"this hub does not serve hall {self.hall_id}; one hall has one hub")
        log.error("%s", self.refusal)
        return "refuse"
