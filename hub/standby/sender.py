"""The serving hub's end of the copy: each committed transaction reaches the standby's disk
before the hub publishes anything of it (hub.store calls :meth:`CopySender.ship` right after
COMMIT, on the hub's own thread, and the replies go out only after it returns).

When the standby does not acknowledge within ``ack_timeout_s`` (gone, powered off, cut off) the
hub says so first (``on_detached``: the standby is then known to be behind, hub.standby.lease
writes it to etcd so that it never takes over with a stale copy) and then serves alone. A thread
keeps trying to reach the standby; once it answers, the next turn of the hub sends it a snapshot
of the whole database (the catch-up: one step, whatever the standby held before) and the copy is
synchronous again (``on_attached``).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

from hub.standby import frames
from hub.store import Store

log = logging.getLogger(__name__)
RETRY_MAX_S = 30.0  # the longest pause between two tries of a standby that fails its snapshot


class CopySender:
    def __init__(self, store: Store, peer: tuple[str, int], term: int,
                 ack_timeout_s: float = 1.0, retry_s: float = 1.0,
                 on_attached: Callable[[], None] = lambda: None,
                 on_detached: Callable[[str], None] = lambda why: None):
        self.store, self.peer, self.term = store, peer, term
        self.ack_timeout_s, self.retry_s = ack_timeout_s, retry_s
        self._retry = retry_s  # grows after each snapshot the standby failed to take
        self.on_attached, self.on_detached = on_attached, on_detached
        self._sock: socket.socket | None = None  # attached: every commit is copied
        self._dialled: socket.socket | None = None  # reached, waiting for its snapshot
        self._n = 0
        self.missing_since: float | None = time.monotonic()  # monotonic; None: attached
        self.why = "not attached yet"
        self.last_ack_ms = 0.0  # the last copy's round trip (the console's "lag")
        self.copy_seq: int | None = None  # the last event seq the standby said it holds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._dialler = threading.Thread(target=self._dial, name="standby-dial", daemon=True)
        store.journal = []
        store.after_commit = self.ship

    @property
    def attached(self) -> bool:
        return self._sock is not None

    def start(self) -> None:
        self._dialler.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for s in (self._sock, self._dialled):
            if s is not None:
                s.close()

    # -- on the hub's thread ---------------------------------------------------------------
    def ship(self, stmts: list) -> None:
        """One committed transaction: on the standby's disk when this returns, or the standby
        is marked missing (and ``on_detached`` has run) when it cannot be."""
        if self._sock is None:
            self.poll()  # a standby reached meanwhile gets a snapshot holding this transaction
            return
        self._n += 1
        try:
            self._exchange({"t": "txn", "n": self._n, "term": self.term, "stmts": stmts}, None)
        except Exception as exc:  # noqa: BLE001 - after COMMIT: never out of the hub's batch
            self._detach(f"the copy failed: {exc!r}"[:200])

    def poll(self) -> None:
        """Attach a standby the dialler reached (the hub calls this once a tick, too)."""
        if self._sock is not None or self._dialled is None:
            return
        self._sock, self._n = self._dialled, 0
        self._dialled = None  # after _sock: the dialler never sees both empty meanwhile
        try:
            # serialize() reads through SQLite's pager: the WAL's committed pages are in it
            body = self.store.conn.serialize()
            sent = self._exchange({"t": "snap", "term": self.term, "size": len(body)}, body)
        except Exception as exc:  # noqa: BLE001 - inside a commit's hook: detach, never raise
            self._detach(f"the snapshot failed: {exc!r}"[:200])
            return
        if sent:
            self.missing_since = None
            self.why = ""
            self._retry = self.retry_s
            log.warning("standby %s:%s attached (snapshot of %d bytes)", *self.peer, len(body))
            self.on_attached()

    def _exchange(self, frame: dict, body: bytes | None) -> bool:
        t0 = time.monotonic()
        try:
            # a whole snapshot may take a moment to write on a Pi's SD card
            self._sock.settimeout(self.ack_timeout_s if body is None else
                                  max(self.ack_timeout_s, 10.0))
            frames.send(self._sock, frame, body)
            reply = frames.recv(self._sock)
        except (OSError, frames.StreamClosed) as exc:
            self._detach(f"no acknowledgement: {exc or 'timed out'}")
            return False
        if "ack" not in reply:
            self._detach(str(reply.get("refused") or reply.get("resync") or reply))
            return False
        self.last_ack_ms = (time.monotonic() - t0) * 1000
        if isinstance(reply.get("seq"), int):
            self.copy_seq = reply["seq"]
        return True

    def _detach(self, why: str) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self.why = why
        if self.missing_since is not None:
            # a snapshot the standby could not take (its disk full, read-only): try again
            # later and later, not on the next commit; it is known to be behind already
            self._retry = min(self._retry * 2, RETRY_MAX_S)
            log.warning("standby %s:%s not attached: %s; next try in %.1f s", *self.peer, why,
                        self._retry)
            return
        log.warning("standby %s:%s detached: %s; serving alone", *self.peer, why)
        self.missing_since = time.monotonic()
        self.on_detached(why)  # before any reply of the uncopied transaction goes out
        self._wake.set()

    # -- the dialler's thread --------------------------------------------------------------
    def _dial(self) -> None:
        while not self._stop.is_set():
            if self._sock is None and self._dialled is None:
                try:
                    sock = socket.create_connection(self.peer, timeout=self.retry_s)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self._dialled = sock
                except OSError:
                    pass
            self._wake.wait(self._retry)
            self._wake.clear()
