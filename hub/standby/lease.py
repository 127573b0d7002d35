"""Who serves the hall: an etcd lease among three machines (hub A, hub B, a witness), over
etcd's v3 JSON gateway in plain HTTP (no consensus of our own, no client library).

The serving hub holds ``/hallstack/<hall>/leader`` under a lease of ``ttl_s`` seconds, kept
alive every ``ttl_s / 3``. The key's create revision is the **term**: etcd makes it grow with
every new holder, so it is a fencing number nodes, boards and the county compare.

Fencing on the monotonic clock: a keep-alive sent at ``t`` and answered proves the lease until
``t + ttl`` on etcd's side (etcd refreshes it when the request arrives, after ``t``); the hub
acts only until ``t + ttl - margin`` (:meth:`Lease.valid`). The next holder can create the key
only after etcd let the lease expire, which is after that. ``margin`` covers the two machines'
clock rates and the time a reply takes from the check to the wire.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

log = logging.getLogger(__name__)
RETRY_S = 0.2  # after an unanswered keep-alive: the validity is running out, ask again soon


class EtcdError(ConnectionError):
    """No etcd member answered (or answered something that is not etcd)."""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _unb64(text: str) -> str:
    return base64.b64decode(text).decode()


class Etcd:
    """The few calls hallstack makes, tried on each endpoint in turn (the local member first)."""

    def __init__(self, endpoints: list[str], timeout_s: float = 0.5):
        self.endpoints = [e.rstrip("/") for e in endpoints]
        self.timeout_s = timeout_s

    def call(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode()
        last: Exception | None = None
        for endpoint in list(self.endpoints):
            req = urllib.request.Request(f"{endpoint}/v3/{path}", data=data,
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                    return json.loads(resp.read() or b"{}")
            except (OSError, ValueError, urllib.error.URLError, http.client.HTTPException) as exc:
                last = exc
        raise EtcdError(f"no etcd member answered {path}: {last}")

    def grant(self, ttl_s: int) -> str:
        return str(self.call("lease/grant", {"TTL": ttl_s})["ID"])

    def keepalive(self, lease_id: str) -> int:
        """The lease's remaining TTL as etcd now counts it (0: it expired)."""
        result = self.call("lease/keepalive", {"ID": lease_id}).get("result", {})
        return int(result.get("TTL", 0))

    def revoke(self, lease_id: str) -> None:
        self.call("lease/revoke", {"ID": lease_id})

    def create(self, key: str, value: str, lease_id: str) -> int | None:
        """Put ``key`` only if it does not exist; its create revision, or None when it did."""
        out = self.call("kv/txn", {
            "compare": [{"key": _b64(key), "target": "CREATE", "create_revision": "0"}],
            "success": [{"requestPut": {"key": _b64(key), "value": _b64(value),
                                        "lease": lease_id}}]})
        return int(out["header"]["revision"]) if out.get("succeeded") else None

    def get(self, key: str) -> tuple[str, int] | None:
        """``(value, create revision)`` of ``key``, or None."""
        kvs = self.call("kv/range", {"key": _b64(key)}).get("kvs") or []
        if not kvs:
            return None
        return _unb64(kvs[0].get("value", "")), int(kvs[0]["create_revision"])

    def put(self, key: str, value: str) -> None:
        self.call("kv/put", {"key": _b64(key), "value": _b64(value)})

    def lead_from(self, avoid: tuple[str, ...]) -> None:
        """Move etcd's leadership to a member whose client URL names none of ``avoid`` (the
        witness, avoiding both hub machines): a hub machine's power then never takes the raft
        leader with it, so a failover costs no election and no lease extension (etcd gives
        every lease a fresh TTL under a new leader)."""
        members = self.call("cluster/member/list", {}).get("members") or []
        witness = [m for m in members
                   if not any(a in u for u in m.get("clientURLs", []) for a in avoid)]
        if not witness:
            return
        target = str(witness[0]["ID"])
        for m in members:
            for url in m.get("clientURLs", []):
                status = self._at(url, "maintenance/status", {})
                if status is None:
                    continue
                leader = str(status.get("leader"))
                if leader == target:
                    return
                if leader == str(status.get("header", {}).get("member_id")):
                    self._at(url, "maintenance/transfer-leadership", {"targetID": target})
                    return

    def _at(self, url: str, path: str, body: dict) -> dict | None:
        """One call to one member (None: it did not answer)."""
        try:
            return Etcd([url], self.timeout_s).call(path, body)
        except EtcdError:
            return None


class Lease:
    """This machine's claim to serve one hall."""

    def __init__(self, etcd: Etcd, hall: str, name: str, ttl_s: int = 3, margin_s: float = 0.8,
                 clock: Callable[[], float] = time.monotonic):
        self.etcd, self.name, self.ttl_s, self.margin_s, self.clock = etcd, name, ttl_s, margin_s, \
            clock
        self.key = f"/hallstack/{hall}/leader"
        self.copy_key = f"/hallstack/{hall}/copy"
        self.lease_id: str | None = None
        self.term: int | None = None
        self._valid_until = float("-inf")
        self.missed = 0  # keep-alives in a row nobody answered
        self._stop = threading.Event()

    # -- the decision ----------------------------------------------------------------------
    def holder(self) -> tuple[str, int] | None:
        """Who holds the hall now: ``(name, term)`` or None."""
        return self.etcd.get(self.key)

    def campaign(self) -> bool:
        """Take the hall if nobody holds it. True: this machine now serves, under ``term``."""
        sent = self.clock()
        lease_id = self.etcd.grant(self.ttl_s)
        term = self.etcd.create(self.key, self.name, lease_id)
        if term is None:
            self.etcd.revoke(lease_id)
            return False
        self.lease_id, self.term = lease_id, term
        self._valid_until = sent + self.ttl_s - self.margin_s
        return True

    def valid(self) -> bool:
        """Whether this machine may still act (answer, publish, store) as the serving hub."""
        return self.clock() < self._valid_until

    def renew(self) -> bool:
        """One keep-alive; False when the lease is lost (expired, or etcd out of reach)."""
        sent = self.clock()
        try:
            ttl = self.etcd.keepalive(self.lease_id)
        except (EtcdError, KeyError, TypeError, ValueError) as exc:  # nothing etcd-shaped came
            if not self.missed:
                log.warning("lease of %s: keep-alive unanswered (%s); valid %.1f s more",
                            self.name, exc, max(0.0, self._valid_until - sent))
            self.missed += 1
            return self.valid()
        if self.missed:
            log.warning("lease of %s: keep-alive answered again after %d misses", self.name,
                        self.missed)
        self.missed = 0
        if ttl <= 0:
            self._valid_until = float("-inf")
            return False
        self._valid_until = max(self._valid_until, sent + ttl - self.margin_s)
        return self.valid()

    def next_renewal_s(self) -> float:
        """A third of the TTL while keep-alives are answered; soon after one was not."""
        return RETRY_S if self.missed else self.ttl_s / 3

    def keep(self, on_lost: Callable[[], None]) -> threading.Thread:
        """A thread that renews (:meth:`next_renewal_s`) and calls ``on_lost`` once the lease
        can no longer be proven (the caller stops acting at once: hub.standby.run exits)."""
        def loop() -> None:
            while not self._stop.wait(self.next_renewal_s()):
                if not self.renew():
                    on_lost()
                    return
        thread = threading.Thread(target=loop, name="standby-lease", daemon=True)
        thread.start()
        return thread

    def release(self) -> None:
        """A clean stop: the standby may take over at once instead of after the TTL."""
        self._stop.set()
        self._valid_until = float("-inf")
        if self.lease_id is not None:
            try:
                self.etcd.revoke(self.lease_id)
            except EtcdError:
                pass

    # -- whether the standby's copy may serve ----------------------------------------------
    def say_copy(self, standby: str, in_sync: bool) -> None:
        """Written before a reply the standby lacks goes out (hub.standby.sender)."""
        self.etcd.put(self.copy_key, json.dumps({"standby": standby, "in_sync": in_sync,
                                                 "term": self.term}))

    def copy_is_current(self) -> bool:
        """Whether this machine's copy holds every acknowledged request: the last serving hub
        said so (or nobody ever served: a new hall)."""
        said = self.etcd.get(self.copy_key)
        if said is None:
            return True
        try:
            state = json.loads(said[0])
        except ValueError:
            return False
        return state.get("standby") == self.name and state.get("in_sync") is True
