"""One hub machine of a standby hall (``hall-hub standby run --machine NAME``).

It starts as the **standby**: it keeps the copy (hub.standby.receiver) and watches the etcd
lease. When nobody holds the hall and the last serving hub said this machine's copy holds every
acknowledged request, it takes the lease and **serves**: the copy is closed, the hub opens the
same file (same epoch, same numbering), every event and status carries the lease's term, every
commit is copied to the other machine before anything of it is published (hub.standby.sender),
and a flag file tells keepalived that this machine may hold the nodes' floating address.

A serving hub that can no longer prove its lease exits at once (exit 75, nothing more stored
or published); systemd starts it again, as a standby, and the serving hub's snapshot replaces
whatever its log held that nobody acknowledged.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hub.standby.lease import Etcd, EtcdError, Lease
from hub.standby.receiver import CopyReceiver
from hub.standby.sender import CopySender
from wire.clock import HallClock, iso
from wire.config import HallConfig

log = logging.getLogger(__name__)

EXIT_DEPOSED = 75  # the lease was lost: stopped acting; systemd restarts it as a standby
CAMPAIGN_S = 0.2  # how often a standby asks whether the hall is free (a local etcd read)
RESAY_S = 1.0  # how soon an "in sync" etcd did not hear is said again
RUN_DIR = "/run/hallstack"  # systemd/standby/hallstack-hub-standby.service: RuntimeDirectory


def flag_path(run_dir: str, hall: str) -> Path:
    """Present while this machine serves: keepalived's track_script checks it."""
    return Path(run_dir) / f"{hall}.serving"


def exit_deposed() -> None:
    os._exit(EXIT_DEPOSED)


class Machine:
    def __init__(self, cfg: HallConfig, machine: str, db: str, broker_url: str, clock: HallClock,
                 username: str | None = None, password: str | None = None,
                 run_dir: str = RUN_DIR, listen: str | None = None,
                 deposed: Callable[[], None] = exit_deposed, take_over: bool = False):
        st = cfg.standby
        if machine not in st.machines:
            raise ValueError(f"[standby] machines names {', '.join(st.machines)}, not {machine!r}")
        self.cfg, self.machine, self.db, self.clock = cfg, machine, db, clock
        self.broker = (broker_url, username, password)
        self.peer, peer_address = st.peer_of(machine)
        self.peer_at = (peer_address, st.copy_port)
        self.listen = listen if listen is not None else st.machines[machine]
        own = [u for u in st.etcd if st.machines[machine] in u]  # the local member first
        self.lease = Lease(Etcd(own + [u for u in st.etcd if u not in own]), cfg.hall_id,
                           machine, st.lease_ttl_s)
        self.flag = flag_path(run_dir, cfg.hall_id)
        self._deposed = deposed
        self.take_over = take_over  # the operator's word (docs/one-hub.md), for the first serve
        self.service = None
        self.sender: CopySender | None = None
        self._health: dict = {}
        self.previous = None  # what the last serving hub said of its copy (None: a new hall)
        self._missing_at: str | None = None  # hall time the standby went missing
        self._unsaid_at: float | None = None  # monotonic: etcd missed "in sync" then

    # -- standby ---------------------------------------------------------------------------
    def stand_by(self, stop: threading.Event) -> bool:
        """Keep the copy until this machine holds the lease (True) or ``stop`` is set."""
        self.flag.unlink(missing_ok=True)
        receiver = CopyReceiver(self.db, self.listen, self.cfg.standby.copy_port)
        receiver.start()
        log.warning("standby %s: keeping the copy of hall %s (seq %s)", self.machine,
                    self.cfg.hall_id, receiver.last_seq())
        try:
            while not stop.wait(CAMPAIGN_S):
                if self._may_take_over() and self._campaign():
                    return True
        finally:
            receiver.stop()
        return False

    def _campaign(self) -> bool:
        try:
            self.previous = self.lease.etcd.get(self.lease.copy_key)
            return self.lease.campaign()
        except EtcdError:
            return False  # asked again on the next round

    def _may_take_over(self) -> bool:
        try:
            return self.lease.holder() is None and self.lease.copy_is_current()
        except EtcdError:
            return False  # no quorum within reach: never decide alone

    # -- serving ---------------------------------------------------------------------------
    def serve(self):
        """Open the hub on the copy under the new term; returns the started HubService."""
        from hub.service import HubService

        term = self.lease.term
        # renewals start now: rebuilding a full day's log may take longer than the lease
        self.lease.keep(self.deposed)
        # before anything is served: the other machine's copy is behind until it is attached
        self.lease.say_copy(self.peer, in_sync=False)
        self._missing_at = iso(self.clock.now())
        url, user, password = self.broker
        service = HubService(self.cfg, self.db, url, self.clock, user, password,
                             self.take_over, term=term)
        service.may_act = self.lease.valid
        service.deposed = self.deposed
        self.sender = CopySender(service.store, self.peer_at, term,
                                 self.cfg.standby.ack_timeout_s, on_attached=self._attached,
                                 on_detached=self._detached)
        service.on_tick = self._tick
        self.service = service
        with service.store.transaction():
            service.store.set_meta("term", str(term))
        threading.Thread(target=self._witness_leads, daemon=True, name="standby-raft").start()
        copy_seq = service.store.last_seq()  # before the hub's thread shares the connection
        self.sender.start()
        service.start()
        self.flag.parent.mkdir(parents=True, exist_ok=True)
        self.flag.write_text(f"{term}\n")
        if self.previous is not None:  # another machine served this hall before: a failover
            # copy_seq, not seq: an event's data is spread over its wire seq when published
            service.note("failover", {"machine": self.machine, "term": term,
                                      "copy_seq": copy_seq})
        log.warning("standby %s: serving hall %s under term %s", self.machine, self.cfg.hall_id,
                    term)
        return service

    def _witness_leads(self) -> None:
        """Keep etcd's raft leader on the witness while this hub serves (Etcd.lead_from)."""
        while True:
            try:
                self.lease.etcd.lead_from(tuple(self.cfg.standby.machines.values()))
            except (EtcdError, KeyError, ValueError):
                pass  # the next round tries again; the lease does not depend on it
            if self.lease._stop.wait(5):
                return

    def deposed(self) -> None:
        """The lease can no longer be proven: stop acting at once."""
        log.error("standby %s: lease lost; this hub stops acting", self.machine)
        self.flag.unlink(missing_ok=True)
        self._deposed()

    def _give_up(self, why: str) -> None:
        """This machine's disk fails (read-only, I/O errors) while the standby holds every
        acknowledged request: hand the hall over now rather than serve refusals. Acting stops
        first (release() ends validity before it revokes), then the lease goes, and the
        standby takes it at once instead of after the TTL."""
        log.error("standby %s: the store fails (%s); handing the hall to %s", self.machine,
                  why, self.peer)
        self.flag.unlink(missing_ok=True)
        self.lease.release()
        self.deposed()

    def _attached(self) -> None:
        self._missing_at = None
        self._say_in_sync()
        self.service.note("alert", {"kind": "standby_in_sync", "standby": self.peer})

    def _say_in_sync(self) -> None:
        """Tell etcd the standby holds every acknowledged request; unheard, it is said again
        on a later tick (meanwhile the safe way round: the standby believes itself behind)."""
        try:
            self.lease.say_copy(self.peer, in_sync=True)
            self._unsaid_at = None
        except EtcdError as exc:
            log.warning("standby %s: etcd did not hear that %s is in sync (%s); saying it again",
                        self.machine, self.peer, exc)
            self._unsaid_at = time.monotonic()

    def _detached(self, why: str) -> None:
        self._missing_at = self._missing_at or iso(self.clock.now())
        self._unsaid_at = None
        try:
            self.lease.say_copy(self.peer, in_sync=False)
        except Exception:  # noqa: BLE001 - whatever etcd's failure, the same answer
            # the standby might take over believing it holds what this hub is about to
            # acknowledge: acknowledge nothing more
            self.deposed()
            return
        self.service.note("alert", {"kind": "standby_missing", "standby": self.peer,
                                    "why": why[:200]})

    def _tick(self) -> None:
        self.sender.poll()
        if (self._unsaid_at is not None and self.sender.attached
                and time.monotonic() - self._unsaid_at >= RESAY_S):
            self._say_in_sync()
        if self.service.store_failure is not None and self.sender.attached:
            self._give_up(self.service.store_failure[0])
            return
        health = self.standby_health()
        # the copy's round trip changes with every commit: said when the rest changes
        if _without_ack(health) != _without_ack(self._health):
            self._health = health
            self.service._health_says({"standby": health})

    def standby_health(self) -> dict:
        """What the console shows: who serves, and the standby's state."""
        sender = self.sender
        out = {"serving": self.machine, "term": self.lease.term, "standby": self.peer,
               "state": "in_sync" if sender.attached else "missing"}
        if sender.attached:
            out["ack_ms"] = round(sender.last_ack_ms, 1)  # the last copy's round trip
        else:
            out["since"] = self._missing_at
            out["why"] = sender.why[:200]
            if sender.copy_seq is not None:  # events the standby's copy lacks
                out["behind"] = max(0, self.service.store.last_seq() - sender.copy_seq)
        return out

    def stop(self) -> None:
        """A clean stop: the hub's last commit is copied while the standby is still attached
        (stopping the copy first made that commit detach it: "behind" in etcd, and neither
        machine could serve), then the lease goes and the standby takes over at once."""
        if self.service is not None:
            self.service.stop()
        if self.sender is not None:
            self.sender.stop()
        self.flag.unlink(missing_ok=True)
        self.lease.release()


def _without_ack(health: dict) -> dict:
    return {k: v for k, v in health.items() if k != "ack_ms"}


def main_loop(machine: Machine, stop: threading.Event) -> int:
    """Stand by, then serve until stopped (the lease's loss exits the process)."""
    if not machine.stand_by(stop):
        return 0
    service = machine.serve()
    print(f"hall-hub standby: {machine.machine} serves hall {machine.cfg.hall_id} "
          f"under term {machine.lease.term}", flush=True)
    while not stop.wait(0.2):
        if service.refused.is_set():
            print(f"hall-hub standby: {service.claim.refusal}", flush=True)
            break
    machine.stop()
    return 0
