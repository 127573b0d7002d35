"""The standby's end of the copy: a TCP server that keeps ``hall.db`` equal to the serving hub's.

The serving hub connects, sends a snapshot of its whole database (on every (re)attach: a
standby that was away, or an old serving hub whose log has a tail nobody acknowledged, is made
equal in one step, never patched), then each committed transaction's statements. Each one is
committed here (``synchronous=FULL``: on disk) before its acknowledgement goes back, and the
serving hub replies to its nodes only after that (hub.standby.sender).

Fencing: a frame of a lower term than this copy has seen is refused, so a deposed hub cannot
write the copy the new one serves from. The database file is locked (hub.store.lock_file) for
the receiver's whole life: no hub process on this machine serves from it meanwhile.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading

from hub.standby import frames
from hub.store import lock_file

log = logging.getLogger(__name__)
FIRST_FRAME_S = 30.0  # a serving hub sends its snapshot within a tick of connecting


class CopyReceiver:
    """Serves one serving hub at a time (a newer connection replaces the older one)."""

    def __init__(self, db_path: str, host: str, port: int):
        self.db_path = db_path
        self._lock_fd = lock_file(db_path)
        self._conn: sqlite3.Connection | None = None
        self._open()
        self.term = int(self._meta("term") or 0)
        self.applied = 0  # transactions applied since the last snapshot
        self.attached = threading.Event()  # a serving hub is attached and this copy is equal
        self._server = socket.create_server((host, port), reuse_port=False)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="standby-copy", daemon=True)
        self._peer: socket.socket | None = None
        self._lock = threading.Lock()  # one stream writes at a time (an older one may linger)

    # -- life ------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Close the server and the database (the hub of this machine may then open it)."""
        self._stop.set()
        for s in (self._server, self._peer):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        self._thread.join(5)
        with self._lock:  # a stream thread may be applying a frame
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        os.close(self._lock_fd)

    def last_seq(self) -> int:
        row = self._conn.execute("SELECT max(seq) FROM events").fetchone() if self._has_events() \
            else None
        return (row[0] or 0) if row else 0

    # -- the stream ------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                peer, addr = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._stream, args=(peer, addr), daemon=True,
                             name="standby-stream").start()

    def _adopt(self, peer: socket.socket, frame: dict) -> bool:
        """Whether ``peer``'s frame is a serving hub's (a frame of a known kind and a term not
        below this copy's): only then does it replace the stream before it (a port scan or a
        stray connection never drops the serving hub's)."""
        term = frame.get("term")
        if frame.get("t") not in ("snap", "txn") or not isinstance(term, int) or term < self.term:
            return False
        if self._peer is not None:
            self._peer.close()  # a newer serving hub (or the same one, reconnected)
        self._peer = peer
        peer.settimeout(None)
        return True

    def _stream(self, peer: socket.socket, addr) -> None:
        peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer.settimeout(FIRST_FRAME_S)  # a connection that says nothing goes
        adopted = False
        try:
            while not self._stop.is_set():
                frame = frames.recv(peer)
                with self._lock:
                    if adopted and self._peer is not peer:
                        break  # replaced by a newer stream
                    adopted = adopted or self._adopt(peer, frame)
                    if not adopted and self._peer is not None:
                        reply = self._refusal(frame)
                    else:
                        reply = self._frame(frame, peer)
                frames.send(peer, reply)
                if "refused" in reply:
                    break
        except (OSError, frames.StreamClosed) as exc:
            log.info("standby: copy stream from %s ended: %s", addr, exc)
        finally:
            if self._peer is peer:
                self.attached.clear()
            peer.close()

    def _refusal(self, frame: dict) -> dict:
        term = frame.get("term")
        log.warning("standby: refused a copy of term %r (this copy has seen term %s)", term,
                    self.term)
        return {"refused": f"term {term} is older than {self.term}"
                if isinstance(term, int) else f"not a copy frame: {frame.get('t')!r}"}

    def _frame(self, frame: dict, peer: socket.socket) -> dict:
        term = frame.get("term")
        if not isinstance(term, int) or term < self.term:
            return self._refusal(frame)
        if frame.get("t") == "snap":
            self._snapshot(frames.recv_bytes(peer), term)
            return {"ack": 0, "seq": self.last_seq()}
        if frame.get("t") == "txn":
            n = frame.get("n")
            if n != self.applied + 1 or not self.attached.is_set():
                return {"resync": f"expected transaction {self.applied + 1}, got {n}"}
            self._apply(frame.get("stmts") or [])
            self.applied, self.term = n, term
            return {"ack": n, "seq": self.last_seq()}  # what the copy holds: the console's lag
        return {"refused": f"unknown frame {frame.get('t')!r}"}

    def _apply(self, stmts: list) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in stmts:
                conn.execute(sql, params)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")  # synchronous=FULL: the WAL is fsync'd before the ack

    def _snapshot(self, body: bytes, term: int) -> None:
        """Replace the database by the serving hub's, atomically (a crash leaves the old or the
        new file, never half of one)."""
        self.attached.clear()
        self._conn.close()
        tmp = f"{self.db_path}.incoming"
        with open(tmp, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        for suffix in ("-wal", "-shm"):  # the old file's WAL must not be read into the new one
            try:
                os.unlink(self.db_path + suffix)
            except FileNotFoundError:
                pass
        os.replace(tmp, self.db_path)
        dir_fd = os.open(os.path.dirname(os.path.abspath(self.db_path)), os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        self._open()
        self.term, self.applied = term, 0
        self.attached.set()
        log.info("standby: copy replaced by a snapshot of term %s (seq %s)", term,
                 self.last_seq())

    # -- the file --------------------------------------------------------------------------
    def _open(self) -> None:
        self._conn = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")

    def _has_events(self) -> bool:
        return self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone() \
            is not None

    def _meta(self, key: str) -> str | None:
        if self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
            return None
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
