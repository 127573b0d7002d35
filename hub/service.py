"""The hub on MQTT: wire contract v1 served from one thread over the queue engine.

One thread reads the broker's socket, decides, commits and publishes (wire.mqtt.NetworkLoop): a
request never waits for a thread handoff. Requests are taken in batches (all that arrived
while the last batch was committed); each batch is one SQLite transaction holding the events,
the derived rows and the replies, each request in its own savepoint; only after COMMIT are the
replies, events and retained state published (an outbox: events not yet acknowledged by the
broker are published again after a restart or reconnect, and consumers drop a ``seq`` they have
seen).

One truth (the engine changes only with what is stored) is hub.desk's; one hub per hall is
hub.claim's; what the hub records about itself (a full disk, a clock step) is hub.selfwatch's.
"""

from __future__ import annotations

import gc
import logging
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from hub.claim import HallClaim, HubIdentity, connection_id, new_instance
from hub.claimgate import ClaimGate
from hub.desk import Batch, Desk
from hub.engine import Event
from hub.maintenance import Nightly
from hub.nodewatch import NodeWatch
from hub.replay import restored_from
from hub.retained import RetainedState
from hub.selfwatch import SelfWatch
from hub.store import Store
from wire.clock import HallClock, iso
from wire.config import HallConfig
from wire.contract import (
    VERSION,
    Topics,
    encode,
)
from wire.mqtt import NetworkLoop, guarded, new_client, parse_broker_url, use_tls
from wire.vocab import public

log = logging.getLogger(__name__)

BATCH_MAX = 256
TICK_S = 1.0


class HubService:
    """The hub: owns the queue, the database and the hall's retained state."""

    def __init__(self, cfg: HallConfig, db_path: str, broker_url: str, clock: HallClock,
                 username: str | None = None, password: str | None = None,
                 take_over: bool = False, term: int | None = None):
        self.cfg = cfg
        # a standby hall (hub.standby.run): the lease's term rides on every event and status
        self.term = term
        self.clock = clock
        self.topics = Topics(cfg.hall_id)
        self.db_path = db_path
        host, port = parse_broker_url(broker_url)
        # an unguessable client id per connection (hub.claim.connection_id): two hubs never take
        # each other over, and an id a node user learned is worth one takeover at most
        self._mqtt = new_client(connection_id(cfg.hall_id), username, password)
        use_tls(self._mqtt, broker_url)  # mqtts://: CA from HALL_MQTT_CA; before the store opens
        self.store = Store(db_path)
        self.epoch = self.store.epoch
        self.me = HubIdentity(new_instance(), self.epoch, iso(clock.now()))
        base = restored_from(self.store)  # a restore is the operator's act: it continues base
        self.claim = HallClaim(self.me, cfg.hall_id,
                               (str(base["epoch"]),) if base else (), take_over)
        self.desk = Desk(cfg, self.store, clock.speed)
        self.nodes = NodeWatch(cfg, self.desk)   # node presence and health, the hub's alerts
        self.desk.on_node_event = self.nodes.event
        self._local: queue.SimpleQueue = queue.SimpleQueue()  # from other threads (tests, tools)
        self._received: list = []  # filled by paho's callbacks, on the loop's own thread
        self._mqtt.will_set(self.topics.node_status("hub"), self._status(False), 1, True)
        self._mqtt.on_connect = guarded("on_connect", self._on_connect)
        self._mqtt.on_message = guarded("on_message", self._on_message)
        self._mqtt.on_publish = guarded("on_publish", self._on_publish)
        self._mqtt.on_disconnect = guarded("on_disconnect", self._on_disconnect)
        self._ready = threading.Event()
        self.refused = threading.Event()  # another hub serves this hall (reason: claim.refusal)
        self.gate = ClaimGate(self.claim, self._say_serving, self._serve, self._refuse,
                              self.refused)
        self._loop = NetworkLoop(self._mqtt, host, port, self._turn, "hub-loop")
        self._offline = False
        self._acked: set[int] = set()
        self._mid_seq: dict[int, int] = {}
        self.retained = RetainedState(lambda: self.desk.engine, self.topics, cfg.windows,
                                      self.epoch, self._mqtt.publish)
        self._intruders_recorded = 0
        self.watch = SelfWatch(cfg, clock, self.desk, self._health_says, self._publish_event)
        self.nightly = Nightly()  # the upkeep after each close-out (hub.maintenance)
        self._said_health: dict = {"store": "ok"}  # the hub's retained health, as last said
        self.rebuild_s = self.desk.rebuild()
        # the rebuilt day lives until the hub stops: the collector need not walk it again
        gc.collect()
        gc.freeze()
        self._next_tick = 0.0
        self.retained.term = term
        # ``may_act`` says whether the lease is still proven, ``deposed`` is called when it is
        # not (before anything else is stored or published); ``on_tick`` once a second
        self.may_act: Callable[[], bool] | None = None
        self.deposed: Callable[[], None] = lambda: None
        self.on_tick: Callable[[], None] | None = None

    # -- life cycle -------------------------------------------------------------------------
    @property
    def engine(self):
        """The queue engine as the database has it (replaced when rebuilt)."""
        return self.desk.engine

    @property
    def store_failure(self) -> tuple[str, str] | None:
        """Why and since when the store fails (None: it stores)."""
        return self.watch.failure

    @property
    def published_upto(self) -> int:
        return self.desk.published_upto

    def start(self) -> None:
        self._loop.start()

    def alive(self) -> bool:
        """The hub's thread runs and takes its turns (what the watchdog vouches for)."""
        return self._loop.alive()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """True once the hub serves: it holds its hall and is subscribed to the requests."""
        return self._ready.wait(timeout)

    def stop(self) -> None:
        if self.claim.serving and self._mqtt.is_connected():
            # a clean DISCONNECT sends no last will: say offline, or the next hub waits for us
            info = self._mqtt.publish(self.topics.node_status("hub"), self._status(False), 1,
                                      retain=True)
            self._loop.wake()
            try:
                info.wait_for_publish(1.0)
            except (RuntimeError, ValueError):
                pass
        self._loop.stop()
        try:
            with self.store.transaction():
                self.store.set_meta("published_upto", str(self.published_upto))
        except sqlite3.Error:
            log.warning("could not save how far events were published; they go out again")
        self.store.close()

    def _status(self, online: bool) -> bytes:
        status = self.me.status(online, VERSION)
        return encode(status if self.term is None else {**status, "term": self.term})

    def note(self, kind: str, payload: dict) -> None:
        """Record an ``alert`` (or the hub's own event of ``kind``) on the next turn: for other
        threads and for hooks that run inside a commit (hub.standby)."""
        item = ("alert", None, payload, None) if kind == "alert" else \
            ("own", None, [Event(kind, payload)], None)
        self._local.put(item)
        self._loop.wake()

    # -- requests from outside MQTT and paho's callbacks (all only collect work) -------------
    def request_local(self, node_id: str, op: str, args: dict, req_id: str | None = None,
                      timeout: float = 10.0) -> dict:
        """Run one request through the same path as MQTT (same worker, same transaction, same
        events published) and return the reply. For tests, the bench and admin tools."""
        done: queue.Queue = queue.Queue()
        payload = encode({"id": req_id or uuid.uuid4().hex, "op": op, "args": args})
        self._local.put(("local", node_id, (payload, done), time.monotonic()))
        self._loop.wake()
        return done.get(timeout=timeout)

    def run_offline(self, requests: list[tuple[str, str, dict]]) -> list[dict]:
        """Run ``(node, op, args)`` requests as one batch through the real path, without a
        broker (the worker must not be running): the bench builds a whole day's log this way."""
        return self.run_raw_offline([(node, encode({"id": uuid.uuid4().hex, "op": op,
                                                    "args": args}))
                                     for node, op, args in requests])

    def run_raw_offline(self, payloads: list[tuple[str, bytes]]) -> list[dict | None]:
        """Run ``(node, raw request bytes)`` as one batch, without a broker (tests feed hostile
        bytes this way). Returns each reply (None where nothing is answered)."""
        done: queue.Queue = queue.Queue()
        now = time.monotonic()
        items = [("local", node, (raw, done), now) for node, raw in payloads]
        self._offline = True
        try:
            self._process(items, tick=False)
        finally:
            self._offline = False
        return [done.get_nowait() for _ in items]

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            log.error("broker refused the hub: %s", reason_code)
            return
        self._received.append(("connected", None, None, None))
        self.claim.connected()
        self._probe()

    def _probe(self) -> None:
        """Claim the hall: (re)subscribing brings the retained hub status again, the probe
        coming back says it has been seen (hub.claim)."""
        self._mqtt.subscribe([(self.topics.node_status("hub"), 1), (self._probe_topic(), 1)])
        self._mqtt.publish(self._probe_topic(), encode(self.claim.probe_payload()), qos=1)

    def _on_disconnect(self, *_args) -> None:
        self._ready.clear()
        # paho has no setter for the id; reconnect() sends this attribute in its CONNECT
        self._mqtt._client_id = connection_id(self.cfg.hall_id).encode()

    def _probe_topic(self) -> str:
        return f"{self.topics.base}/hub/probe"

    def _on_message(self, _client, _userdata, msg):
        # a request's time-to-live runs from the last moment the socket was seen empty, when it
        # had not arrived yet: a slow commit before it was read does not lengthen its life
        now = self._loop.quiet_at
        if (node := self.topics.tail(msg.topic, "req")) is not None:
            if msg.retain:
                # a request left retained on the broker is stale by definition: clear, never act
                if msg.payload:
                    self._mqtt.publish(msg.topic, b"", qos=1, retain=True)
                return
            self._received.append(("req", node, msg.payload, now))
        elif msg.topic == self._probe_topic():
            self._received.append(("probe", None, msg.payload, now))
        elif (rest := self.topics.tail(msg.topic, "node")) is not None:
            node, _, what = rest.partition("/")
            if node == "hub":
                if what == "status":
                    self._received.append(("hub_status", bool(msg.retain), msg.payload, now))
                return
            self._received.append(("status" if what == "status" else "health", node,
                                   msg.payload, now))

    def _on_publish(self, _client, _userdata, mid, _reason_code, _properties):
        seq = self._mid_seq.pop(mid, None)
        if seq is None:
            return
        self._acked.add(seq)
        desk = self.desk
        while desk.published_upto + 1 in self._acked:
            desk.published_upto += 1
            self._acked.discard(desk.published_upto)

    # -- the hub's turn (on the loop's thread) ------------------------------------------------
    def _turn(self) -> float:
        """One batch: what arrived since the last turn, plus the once-a-second tick. Returns the
        seconds until the next tick."""
        if self.may_act is not None and not self.may_act():
            self.deposed()  # the lease is no longer proven: act on nothing (hub.standby)
            return 0.1
        items, self._received = self._received, []
        while True:
            try:
                items.append(self._local.get_nowait())
            except queue.Empty:
                break
        if self.claim.stalled(time.monotonic()):
            self._ready.clear()
            self._probe()  # what was read meanwhile waits for the claim (hub.claim)
        items = self.gate.work(items)
        now = time.monotonic()
        tick = now >= self._next_tick and self.claim.serving
        if tick:
            self._next_tick = now + TICK_S
            if self.on_tick is not None:
                self.on_tick()
        for start in range(0, max(len(items), 1), BATCH_MAX):
            batch = items[start:start + BATCH_MAX]
            if batch or tick:
                self._process(batch, tick)
                tick = False
        wait = self._next_tick - time.monotonic()
        if not self.claim.serving:
            wait = min(wait, 0.1)  # the claim's probe wait runs on this thread's turns
        if self.retained.pending:
            wait = min(wait, self.retained.flush(self.clock.now()))
        return wait

    def _say_serving(self) -> None:
        self._mqtt.publish(self.topics.node_status("hub"), self._status(True), 1, retain=True)

    def _serve(self) -> None:
        self._mqtt.subscribe([(self.topics.req(), 1), (self.topics.node_status(), 1),
                              (self.topics.node_health(), 1)])
        self._say_serving()
        self.watch.check_store()
        self._ready.set()

    def _refuse(self) -> None:
        self._ready.clear()
        self.refused.set()
        self._mqtt.unsubscribe([self.topics.req(), self.topics.node_status(),
                                self.topics.node_health()])

    def _process(self, items: list, tick: bool) -> None:
        at = self.clock.now()
        items = items + self.watch.clock_steps()
        if self.nightly.pending and self.watch.failure is None:  # between transactions
            items.append(("own", None, self.nightly.run(self.store, self.cfg, at), None))
        if len(self.claim.intruders) > self._intruders_recorded:
            items = items + [("intruder", None, i, None)
                             for i in self.claim.intruders[self._intruders_recorded:]]
            self._intruders_recorded = len(self.claim.intruders)
        batch = self.desk.run(items, tick, at)
        self.nightly.note(batch.events)
        self.watch.batch_done(batch, tick)
        self._send(batch.at, batch)
        if tick and self.desk.limits.refused != self._said_health.get("rate_limited", {}):
            self._health_says({})  # refusals counted: said at most once a tick

    def _send(self, at: datetime, batch: Batch) -> None:
        """After COMMIT: events first (the hall's board, LEDs and speakers wait on them), then
        the replies, then the retained state."""
        if self.may_act is not None and not self.may_act():
            self.deposed()  # the copy took long enough for the lease to lapse: say nothing
            return
        if not self._offline and not batch.reconnected:
            for seq, ev in batch.events:
                self._publish_event(seq, ev.kind, ev.public(), at)
        for node, reply in batch.replies:
            if reply is not None:
                self._mqtt.publish(self.topics.resp(node), encode(reply), qos=1)
        for done, reply in batch.local:
            done.put(reply)
        if self._offline:
            return
        if batch.reconnected:
            self._republish_all()
        else:
            self.retained.changed(self.engine.state_keys([e for _, e in batch.events]),
                                  batch.events[-1][0] if batch.events else None)
            self.retained.flush(at)

    def _health_says(self, health: dict) -> None:
        """The hub's retained health: the store's word (``health``) and the rate-limit
        refusals per class so far (hub.ratelimit)."""
        if "store" in health:
            # the store's word replaces the store's; the others are said by their own owners
            self._said_health = {k: v for k, v in self._said_health.items()
                                 if k in ("rate_limited", "standby")}
        self._said_health.update(health)
        if self.desk.limits.refused:
            self._said_health["rate_limited"] = dict(self.desk.limits.refused)
        if not self._offline:
            self._mqtt.publish(self.topics.node_health("hub"), encode(self._said_health), 1,
                               retain=True)

    # -- publishing -------------------------------------------------------------------------
    def _publish_event(self, seq: int, kind: str, data: dict, at: datetime | str) -> None:
        payload = {"seq": seq, "at": at if isinstance(at, str) else iso(at), "epoch": self.epoch,
                   **data}
        if self.term is not None:
            payload["term"] = self.term
        info = self._mqtt.publish(self.topics.event(kind), encode(payload), qos=1)
        self._mid_seq[info.mid] = seq

    def _republish_all(self) -> None:
        """After (re)connecting: the outbox, then every retained state."""
        for ev in self.store.events_after(self.published_upto):
            data = public(ev.data)
            self._publish_event(ev.seq, ev.kind, data, ev.at)
        self.retained.changed(set(), self.store.last_seq())
        self.retained.publish_all(self.clock.now())

    def flush_published(self, timeout: float = 2.0) -> None:
        """Wait until the broker has acknowledged every event committed so far (tests)."""
        deadline = time.monotonic() + timeout
        while self.published_upto < self.store.last_seq() and time.monotonic() < deadline:
            time.sleep(0.01)
