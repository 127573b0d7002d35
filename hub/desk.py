"""The hub's desk: one batch of requests decided and stored as one transaction, one truth.

The engine's memory changes only with what is stored. A request is parsed and checked whole
before the engine sees it (wire.payload); each request is stored in its own savepoint, its events
first and only then applied to the engine, so a request whose storing fails is undone alone and
answered ``internal``; a batch whose COMMIT fails (a full disk) is answered ``unavailable`` and
the engine is rebuilt from the database. Refusals are kept in memory (hub.recent), not stored.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub import followups, ops, replay
from hub.engine import Context, Event, QueueEngine, projection
from hub.engine import strings as S
from hub.ratelimit import Limiter, limits_of
from hub.recent import KEEP_S, RecentReplies
from hub.store import Store
from wire.clock import iso
from wire.config import HallConfig
from wire.contract import (
    BadRequest,
    Forbidden,
    HubError,
    InternalError,
    RateLimited,
    Unavailable,
    decode_object,
    error_reply,
    ok_reply,
)
from wire.envelope import extra_fields, ttl_seconds

log = logging.getLogger(__name__)



@dataclass
class Batch:
    """What one batch leaves to publish once it is committed."""

    replies: list[tuple[str, dict | None]] = field(default_factory=list)  # (node, reply)
    local: list[tuple[object, dict | None]] = field(default_factory=list)  # (done queue, reply)
    events: list[tuple[int, Event]] = field(default_factory=list)
    reconnected: bool = False
    failure: str | None = None  # why the COMMIT failed: nothing of the batch was stored
    at: datetime | None = None  # the batch's hall time, as stored


def stored_time(at: datetime) -> datetime:
    """``at`` as the log stores it (milliseconds): memory must hold exactly what a hub rebuilt
    from the log would hold."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)



class Desk:
    """Decides and stores; the hub (hub.service) brings the batches and publishes."""

    def __init__(self, cfg: HallConfig, store: Store, clock_speed: float = 1.0):
        self.cfg, self.store, self.clock_speed = cfg, store, clock_speed
        self.engine = QueueEngine(cfg, store.id_key)
        self.refusals = RecentReplies()
        self.limits = Limiter(limits_of(cfg.limits, cfg.source))
        self.on_node_event: Callable[[str, str, bytes, datetime, list], None] | None = None
        self._next_minute = datetime.min.replace(tzinfo=cfg.tz)
        self.published_upto = int(store.meta("published_upto") or 0)
        self._written_upto = self.published_upto

    def rebuild(self) -> float:
        """Replay the log into a fresh engine, from the last day close (inclusive: it carries a
        checkpoint of what the day left open) or from the beginning. Returns seconds taken."""
        t0 = time.perf_counter()
        self.engine = QueueEngine(self.cfg, self.store.id_key)
        start = max(0, self.store.last_seq("day_closed") - 1)
        for ev in self.store.events_after(start):
            self.engine.apply(Event(ev.kind, ev.data), datetime.fromisoformat(ev.at))
        return time.perf_counter() - t0

    # -- one batch ----------------------------------------------------------------------------
    def run(self, items: list, tick: bool, at: datetime) -> Batch:
        """``items``: (kind, node, raw, received monotonic) with kind req|local|status|health|
        connected|intruder. One transaction; see the module's docstring."""
        out = Batch(at=stored_time(at))
        at = out.at
        try:
            with self.store.transaction():
                for kind, node, raw, received in items:
                    if kind == "req":
                        out.replies.append((node, self._request(node, raw, at, received,
                                                                out.events)))
                    elif kind == "local":
                        out.local.append((raw[1], self._request(node, raw[0], at, received,
                                                                out.events)))
                    elif kind == "connected":
                        out.reconnected = True
                    elif self.on_node_event is not None:
                        self._guarded(self.on_node_event, kind, node, raw, at, out.events)
                if tick:
                    self._guarded(self._tick, at, out.events)
        except sqlite3.Error as exc:
            self._failed(exc, out)
        return out

    def _failed(self, exc: sqlite3.Error, out: Batch) -> None:
        """A COMMIT that failed: nothing of the batch is stored, so nothing of it may stay in
        memory; every request of it is answered ``unavailable`` (a retry is safe)."""
        self.store.abandon()
        self.rebuild()
        self.refusals = RecentReplies()  # none may stand: the requests were never stored
        out.failure = str(exc)
        out.events = []
        error = Unavailable(f"the hub cannot store requests right now ({exc}); nothing was done")
        out.replies = [(node, None if r is None else error_reply(r.get("id"), error))
                       for node, r in out.replies]
        out.local = [(done, error_reply(None if r is None else r.get("id"), error))
                     for done, r in out.local]

    def _tick(self, at: datetime, events: list) -> None:
        for ev in self.engine.tick(at):
            self.record([ev], "hub", None, at, events)
        if at >= self._next_minute:
            # after the engine's tick: it reads the log and sees alerts made just now
            self._next_minute = at + timedelta(minutes=1)
            self.record(followups.overdue(self.store.conn, at, self.cfg), "hub", None, at, events)
            self.store.prune_replies(iso(at - timedelta(seconds=KEEP_S * self.clock_speed)))
        if self.published_upto != self._written_upto:
            # once a second, not per batch: a stale mark only means a few events re-sent
            # after a restart, which consumers drop by seq
            self.store.set_meta("published_upto", str(self.published_upto))
            self._written_upto = self.published_upto

    def _guarded(self, fn, *args) -> None:
        """One piece of the batch in its own savepoint: when it fails, it alone is undone (the
        engine rebuilt from what is stored) and the rest of the batch goes on."""
        try:
            with self.store.savepoint():
                fn(*args)
        except sqlite3.OperationalError as exc:
            if store_broken(exc):
                raise  # the disk, not this item: the whole batch fails and is answered so
            log.exception("hub failed on %s", getattr(fn, "__name__", fn))
            self.rebuild()
        except Exception:  # noqa: BLE001 - one bad item must cost itself, never the batch
            log.exception("hub failed on %s", getattr(fn, "__name__", fn))
            self.rebuild()

    # -- one request --------------------------------------------------------------------------
    def _request(self, node_id: str, raw: bytes, at: datetime, received: float,
                 events: list) -> dict | None:
        if not raw:
            return None  # an empty message (a cleared retained request): nothing to answer
        try:
            msg = decode_object(raw)
        except HubError as exc:
            return error_reply(None, exc)
        req_id = msg.get("id")
        if not isinstance(req_id, str) or not 0 < len(req_id) <= 64:
            return error_reply(None, BadRequest("id must be a string of 1–64 characters"))
        node = self.cfg.nodes.get(node_id)
        if node is None:
            return error_reply(req_id, Forbidden(f"unknown node {node_id[:64]!r}"))
        spec = ops.OPS.get(msg.get("op")) if isinstance(msg.get("op"), str) else None
        if spec is not None and spec.room == ops.REPLAY:
            return self._replay(node, req_id, spec, msg, at, events)  # a read: nothing kept
        earlier = self.refusals.get(node_id, req_id) or self.store.reply(node_id, req_id)
        if earlier is not None:
            return earlier  # a retry: the same answer, nothing done twice
        reply, remember = self._decide_and_store(node, req_id, msg, at, received, events)
        if remember:
            self.refusals.put(node_id, req_id, reply)
        return reply

    def _replay(self, node, req_id: str, spec: ops.Op, msg: dict, at: datetime,
                events: list) -> dict:
        try:
            self._admit(ops.authorize(spec.name, node.role), node, msg.get("args"), at, events)
        except HubError as exc:
            return error_reply(req_id, exc)
        return replay.answer(msg, self.store)

    def _admit(self, op: ops.Op, node, args: object, at: datetime, events: list) -> None:
        """RateLimited when ``node`` goes faster than ``op``'s class allows (hub.ratelimit);
        the first refusal of a node and class in a while raises an ``alert``."""
        if self.limits.allow(op, node.id, args, at):
            return
        if self.limits.alert_due(node.id, op.rate, at):
            limit = self.limits.limits[op.rate]
            self.record([Event("alert", {"kind": "rate_limited", "node": node.id,
                                         "role": node.role, "class": op.rate, "op": op.name,
                                         "burst": limit.burst,
                                         "per_minute": limit.per_minute})],
                        "hub", None, at, events)
        raise RateLimited(S.RATE_LIMITED)

    def _decide_and_store(self, node, req_id: str, msg: dict, at: datetime, received: float,
                          events: list) -> tuple[dict, bool]:
        """The reply, and whether to remember it in memory as a refusal (hub.recent). A write
        that acted stores its reply with its events; a read and a ``rate_limited`` refusal
        leave nothing behind (a retry reads, or tries, again)."""
        mark = len(events)
        try:
            with self.store.savepoint():
                reply, outcome = self._decide(node, req_id, msg, at, received, events)
                if outcome == "acted":
                    self.store.save_reply(node.id, req_id, iso(at), reply)
            return reply, outcome == "refused"
        except sqlite3.OperationalError as exc:
            if store_broken(exc):
                raise
            failed = exc
        except Exception as exc:  # noqa: BLE001 - a bug must cost one reply, never the batch
            failed = exc
        log.error("storing %s from %s failed: %r", str(msg.get("op"))[:40], node.id, failed)
        del events[mark:]
        self.rebuild()
        return error_reply(req_id, InternalError("the hub failed on this request")), True

    def _decide(self, node, req_id: str, msg: dict, at: datetime, received: float,
                events: list) -> tuple[dict, str]:
        """The reply, and what it was: ``acted`` (its reply is then stored with its events),
        ``read`` (nothing to store), ``refused``, ``limited`` (rate_limited) or ``expired``
        (those two not kept)."""
        op, args = msg.get("op"), msg.get("args", {})
        try:
            spec = ops.authorize(op, node.role)
            if not isinstance(args, dict):
                raise BadRequest("args must be a JSON object")
            extra = extra_fields(msg)
            if extra:
                raise BadRequest(f"unknown request fields: {', '.join(sorted(extra))[:200]}")
            ttl = ttl_seconds(msg)
            if ttl is not None and time.monotonic() > received + ttl:
                # not remembered: a copy re-sent with a fresh ttl_ms is judged on its own (a
                # stall may have aged the first copy while the node still waits)
                return error_reply(req_id, BadRequest(
                    f"expired: the node gave up on this request after {ttl:.1f} s")), "expired"
            self._admit(spec, node, args, at, events)
            ctx = Context(node.id, node.role, node.window, at)
            decision = ops.run(spec, args, ctx, engine=self.engine, conn=self.store.conn,
                               cfg=self.cfg)
        except RateLimited as exc:
            return error_reply(req_id, exc), "limited"
        except HubError as exc:
            return error_reply(req_id, exc), "refused"
        except Exception:  # noqa: BLE001 - a bug must cost one reply, never the hub
            log.exception("op %s from %s failed", op, node.id)
            return error_reply(req_id, InternalError("the hub failed on this request")), "refused"
        self.record(decision.events, node.id, req_id, at, events)
        return ok_reply(req_id, decision.result), "read" if spec.read else "acted"

    def record(self, decided: list[Event], node: str, req_id: str | None, at: datetime,
               events: list) -> None:
        """Store events with their derived rows, then apply them to the engine: memory follows
        the store, never the other way (a failed write leaves the engine as it was)."""
        stored = []
        for ev in decided:
            seq = self.store.append_event(iso(at), ev.kind, node, req_id, ev.data)
            for table, row in projection.rows(ev, at) + followups.rows(ev, at):
                self.store.upsert(table, row)
            stored.append((seq, ev))
        for _, ev in stored:
            self.engine.apply(ev, at)  # kinds the engine does not own (follow_up_step) it ignores
        events.extend(stored)


def store_broken(exc: sqlite3.OperationalError) -> bool:
    """Errors of the disk or the file, not of one request: the batch cannot be stored."""
    text = str(exc)
    return any(s in text for s in ("disk is full", "disk I/O", "readonly", "database is locked",
                                   "unable to open"))
