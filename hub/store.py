"""The hub's SQLite file: the append-only event log (the record, 步步留痕), the replies that make
requests idempotent, and the tables derived from the events (tickets, ratings, follow-ups …).

sqlite-utils creates and migrates the schema and serves reads; the hot path writes with prepared
SQL inside one explicit transaction per batch (``table.insert()`` would re-read the schema and
commit on every call).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlite_utils

#: Primary key of each derived table.
DERIVED_PKS = {
    "tickets": "ticket_id",
    "ratings": "ticket_id",
    "follow_ups": "ticket_id",
    "window_sessions": "id",
}
#: Event kinds after which a ticket's phone number is forgotten (DESIGN.md §3, personal data).
TICKET_ENDS = ("finished", "skipped", "closed", "cancelled", "day_closed")


@dataclass(frozen=True)
class StoredEvent:
    """One row of the event log."""

    seq: int
    at: str
    kind: str
    node: str
    data: dict


class StoreError(ValueError):
    """The database cannot be used (one line for the operator, naming the path)."""


class Store:
    """The hub's database. One writer (the hub); readers (hall-report) open it read-only.

    The writer holds an exclusive lock on the file for its whole life: a second hub on the same
    file is refused (StoreError) instead of issuing the same numbers again.
    """

    def __init__(self, path: str):
        self.path = path
        # the standby copy (hub.standby): each committed transaction's writes, as statements
        # that give the same database when run in order on a copy of it; None: not recorded
        self.journal: list[tuple[str, tuple]] | None = None
        self.after_commit: Callable[[list[tuple[str, tuple]]], None] | None = None
        self._lock_fd = lock_file(path)
        try:
            self._open()
        except BaseException:
            os.close(self._lock_fd)
            raise

    def _open(self) -> None:
        path = self.path
        try:
            # One writer thread uses it, but not the one that opened it; autocommit mode so that
            # transaction() alone decides where a transaction begins and ends.
            self.conn: sqlite3.Connection = sqlite3.connect(path, check_same_thread=False,
                                                            isolation_level=None)
            self.db = sqlite_utils.Database(self.conn)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(path, exc)) from None
        self._columns = {t: set(self.db[t].columns_dict) for t in DERIVED_PKS}
        self._upserts: dict[tuple[str, tuple[str, ...]], str] = {}

    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        """Every write of the hot path: run, and recorded for the standby when it is kept."""
        cur = self.conn.execute(sql, params)
        if self.journal is not None:
            self.journal.append((sql, tuple(params)))
        return cur

    # -- schema -----------------------------------------------------------------------------
    def _migrate(self) -> None:
        db = self.db
        db["events"].create({"seq": int, "at": str, "kind": str, "node": str, "req_id": str,
                             "data": str}, pk="seq", if_not_exists=True)
        db["events"].create_index(["kind", "seq"], if_not_exists=True)
        db["replies"].create({"node": str, "req_id": str, "at": str, "reply": str},
                             pk=("node", "req_id"), if_not_exists=True)
        db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        db["contacts"].create({"ticket_id": str, "phone": str}, pk="ticket_id",
                              if_not_exists=True)
        for table, pk in DERIVED_PKS.items():
            db[table].create({pk: str}, pk=pk, if_not_exists=True)
        if self.meta("id_key") is None:
            # The key of the ID-number hashes: random per hall, never leaves this file.
            with self.transaction():
                self.set_meta("id_key", secrets.token_hex(32))
        if self.meta("epoch") is None:
            # The event stream's epoch: a new or restored database numbers its events from 1
            # again, and a node that sees a new epoch forgets the seqs it has seen.
            with self.transaction():
                self.set_meta("epoch", secrets.token_hex(8))

    def _ensure_columns(self, table: str, row: dict) -> None:
        known = self._columns[table]
        for col, value in row.items():
            if col not in known:
                kind = {bool: int, int: int, float: float}.get(type(value), str)
                self._write(f'ALTER TABLE [{table}] ADD COLUMN [{col}] '
                            f'{ {int: "INTEGER", float: "REAL", str: "TEXT"}[kind] }')
                known.add(col)

    # -- meta -------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                    "SET value = excluded.value", (key, value))

    @property
    def id_key(self) -> bytes:
        return bytes.fromhex(self.meta("id_key"))

    @property
    def epoch(self) -> str:
        return self.meta("epoch")

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One durable transaction: committed (fsync) on exit, rolled back on error."""
        self.conn.execute("BEGIN IMMEDIATE")
        if self.journal is not None:
            self.journal.clear()
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            self._reread_schema()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error:
            self.abandon()
            raise
        if self.journal and self.after_commit is not None:
            # on the standby's disk before any reply of this transaction goes out (hub.standby)
            self.after_commit(list(self.journal))

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One request's writes inside :meth:`transaction`: undone alone when it fails."""
        self.conn.execute("SAVEPOINT one")
        mark = None if self.journal is None else len(self.journal)
        try:
            yield
        except BaseException:
            if mark is not None:
                del self.journal[mark:]
            self.conn.execute("ROLLBACK TO one")
            self.conn.execute("RELEASE one")
            self._reread_schema()
            raise
        self.conn.execute("RELEASE one")

    def abandon(self) -> None:
        """After a failed COMMIT (a full disk): make sure no transaction stays open."""
        if self.journal is not None:
            self.journal.clear()
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        self._reread_schema()

    def _reread_schema(self) -> None:
        """A rollback also undoes columns added in it: forget what was cached about them."""
        self._columns = {t: set(self.db[t].columns_dict) for t in DERIVED_PKS}
        self._upserts.clear()

    def append_event(self, at: str, kind: str, node: str, req_id: str | None, data: dict) -> int:
        """Append one event (inside :meth:`transaction`); returns its hall-wide ``seq``.
        A phone number goes to the contacts table, not into the permanent log."""
        data = dict(data)
        phone = data.pop("_phone", None)
        text = json.dumps(data, ensure_ascii=False)
        seq = self.conn.execute(
            "INSERT INTO events(at, kind, node, req_id, data) VALUES (?, ?, ?, ?, ?)",
            (at, kind, node, req_id, text)).lastrowid
        if self.journal is not None:  # the copy gets the seq itself, not a rule to find it
            self.journal.append(("INSERT INTO events(seq, at, kind, node, req_id, data) "
                                 "VALUES (?, ?, ?, ?, ?, ?)", (seq, at, kind, node, req_id, text)))
        ticket_id = data.get("ticket_id")
        if phone and ticket_id:
            self._write("INSERT OR REPLACE INTO contacts(ticket_id, phone) VALUES (?, ?)",
                        (ticket_id, phone))
        if kind in TICKET_ENDS and ticket_id:
            self._write("DELETE FROM contacts WHERE ticket_id = ?", (ticket_id,))
        if kind == "day_closed":
            self._write("DELETE FROM contacts")
        return seq

    def upsert(self, table: str, row: dict) -> None:
        """Insert or update one derived row (inside :meth:`transaction`)."""
        if table not in DERIVED_PKS:
            raise ValueError(f"unknown derived table {table!r}")
        row = {k: _cell(v) for k, v in row.items()}
        cols = tuple(row)
        sql = self._upserts.get((table, cols))
        if sql is None:  # the same few row shapes come back all day: build each statement once
            self._ensure_columns(table, row)
            pk = DERIVED_PKS[table]
            updates = (", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != pk)
                       or f"[{pk}] = [{pk}]")
            sql = self._upserts[(table, cols)] = (
                f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                f"VALUES ({', '.join('?' for _ in cols)}) ON CONFLICT([{pk}]) DO UPDATE SET "
                f"{updates}")
        self._write(sql, tuple(row.values()))

    def save_reply(self, node: str, req_id: str, at: str, reply: dict) -> None:
        self._write("INSERT OR REPLACE INTO replies(node, req_id, at, reply) VALUES (?,?,?,?)",
                    (node, req_id, at, json.dumps(reply, ensure_ascii=False)))

    def prune_replies(self, before: str) -> int:
        """Forget the replies saved before ``before`` (hall time, ISO): no retry can reach them
        any more once every request's time-to-live has passed. Returns how many went."""
        return self._write("DELETE FROM replies WHERE at < ?", (before,)).rowcount

    # -- reading ----------------------------------------------------------------------------
    def reply(self, node: str, req_id: str) -> dict | None:
        row = self.conn.execute("SELECT reply FROM replies WHERE node = ? AND req_id = ?",
                                (node, req_id)).fetchone()
        return json.loads(row[0]) if row else None

    def events_after(self, seq: int) -> Iterable[StoredEvent]:
        """Every event with a greater ``seq``, in order."""
        cur = self.conn.execute("SELECT seq, at, kind, node, data FROM events WHERE seq > ? "
                                "ORDER BY seq", (seq,))
        for s, at, kind, node, data in cur:
            yield StoredEvent(s, at, kind, node, json.loads(data))

    def last_seq(self, kind: str | None = None) -> int:
        if kind is None:
            row = self.conn.execute("SELECT max(seq) FROM events").fetchone()
        else:
            row = self.conn.execute("SELECT max(seq) FROM events WHERE kind = ?", (kind,)).fetchone()
        return row[0] or 0

    def close(self) -> None:
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # after the connection: closing it drops SQLite's own locks
            self._lock_fd = None


def lock_file(path: str) -> int:
    """Check that ``path`` can be the hub's database and lock it for this process alone;
    StoreError with one line naming the path otherwise."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise StoreError(f"database {path}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise StoreError(f"database {path}: is a folder, not a database file")
    if not os.access(folder, os.W_OK | os.X_OK):
        # WAL mode keeps two files beside the database: the folder must be writable too
        raise StoreError(f"database {path}: folder {folder} is not writable (read-only mount?)")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    except OSError as exc:
        raise StoreError(f"database {path}: cannot be opened for writing: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise StoreError(f"database {path}: another hub is using it; one hall has one hub "
                             f"(stop the other one first)") from None
        raise StoreError(f"database {path}: cannot be locked: {exc.strerror}") from None
    return fd


def _explain(path: str, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text:
        return f"database {path}: is not a SQLite database (a wrong file?)"
    if "readonly" in text or "read-only" in text:
        return f"database {path}: cannot be written (read-only file or mount)"
    if "disk is full" in text:
        return f"database {path}: the disk is full"
    return f"database {path}: cannot be used: {text}"


def _cell(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def open_readonly(path: str) -> sqlite3.Connection:
    """A read-only connection that is safe while the hub writes (WAL readers never block it)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no hub database at {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn
