"""The hub on MQTT: wire contract v1 served from one thread over the queue engine.

One thread reads the broker's socket, decides, commits and publishes (hub.mqtt.NetworkLoop): a
request never waits for a thread handoff. Requests are taken in batches (all that arrived
while the last batch was committed); each batch is one SQLite transaction holding the events,
the derived rows and the replies; only after COMMIT are the replies, events and retained state
published (an outbox: events not yet acknowledged by the broker are published again after a
restart or reconnect, and consumers drop a ``seq`` they have seen).
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from datetime import datetime, timedelta

from hub import followups
from hub.clock import HallClock, iso
from hub.config import HallConfig
from hub.contract import (
    OP_ROLES,
    BadRequest,
    Forbidden,
    HubError,
    Topics,
    UnknownOp,
    decode_object,
    encode,
    error_reply,
    ok_reply,
)
from hub.engine import Context, Event, QueueEngine, projection
from hub.mqtt import NetworkLoop, guarded, new_client, parse_broker_url, use_tls
from hub.store import Store

log = logging.getLogger(__name__)

BATCH_MAX = 256
# hub and nodes read hall time from NTP-synchronised clocks; allow them this much disagreement
DEADLINE_JITTER = timedelta(seconds=1)
TICK_S = 1.0
# A retained state is the latest value: under load each key goes out at most this often (the
# first change at once, later ones coalesced), so that a busy hall does not spend the hub on it.
STATE_GAP_S = 0.02


class InternalError(HubError):
    code = "internal"


def _deadline(value) -> datetime:
    """The request's give-up time; BadRequest unless ISO 8601 with an offset."""
    try:
        deadline = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRequest(f"deadline must be ISO 8601 with an offset, got {value!r}") from None
    if deadline.tzinfo is None:
        raise BadRequest("deadline needs an offset")
    return deadline


class HubService:
    """The hub: owns the queue, the database and the hall's retained state."""

    def __init__(self, cfg: HallConfig, db_path: str, broker_url: str, clock: HallClock,
                 username: str | None = None, password: str | None = None):
        self.cfg = cfg
        self.clock = clock
        self.topics = Topics(cfg.hall_id)
        self.db_path = db_path
        host, port = parse_broker_url(broker_url)
        self._mqtt = new_client(f"{cfg.hall_id}-hub", username, password)
        use_tls(self._mqtt, broker_url)  # mqtts://: CA from HALL_MQTT_CA; before the store opens
        self.store = Store(db_path)
        self.engine = QueueEngine(cfg, self.store.id_key)
        self._local: queue.SimpleQueue = queue.SimpleQueue()  # from other threads (tests, tools)
        self._received: list = []  # filled by paho's callbacks, on the loop's own thread
        self._mqtt.will_set(self.topics.node_status("hub"),
                            encode({"online": False, "role": "hub", "version": "0.1.0"}), 1, True)
        self._mqtt.on_connect = guarded("on_connect", self._on_connect)
        self._mqtt.on_message = guarded("on_message", self._on_message)
        self._mqtt.on_publish = guarded("on_publish", self._on_publish)
        self._mqtt.on_subscribe = guarded("on_subscribe", lambda *_: self._ready.set())
        self._mqtt.on_disconnect = guarded("on_disconnect", lambda *_: self._ready.clear())
        self._ready = threading.Event()
        self._loop = NetworkLoop(self._mqtt, host, port, self._turn, "hub-loop")
        self._offline = False
        self._next_overdue_check = datetime.min.replace(tzinfo=cfg.tz)
        self._paper: dict[str, str] = {}
        self._acked: set[int] = set()
        self._mid_seq: dict[int, int] = {}
        self._retained: dict[str, bytes] = {}  # the state payloads last published, by key
        self._state_dirty: set[str] = set()  # keys changed and not published yet
        self._state_next: dict[str, float] = {}  # key -> monotonic time it may go out again
        self._online: set[str] = set()
        self.published_upto = int(self.store.meta("published_upto") or 0)
        self._written_upto = self.published_upto
        self.rebuild_s = self._rebuild()
        # the rebuilt day lives until the hub stops: the collector need not walk it again
        gc.collect()
        gc.freeze()
        self._next_tick = 0.0

    # -- life cycle -------------------------------------------------------------------------
    def _rebuild(self) -> float:
        """Replay the log into a fresh engine, from the last day close (inclusive: it carries a
        checkpoint of what the day left open) or from the beginning."""
        t0 = time.perf_counter()
        start = max(0, self.store.last_seq("day_closed") - 1)
        for ev in self.store.events_after(start):
            self.engine.apply(Event(ev.kind, ev.data), datetime.fromisoformat(ev.at))
        return time.perf_counter() - t0

    def start(self) -> None:
        self._loop.start()

    def alive(self) -> bool:
        """The hub's thread runs and takes its turns (what the watchdog vouches for)."""
        return self._loop.alive()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """True once the hub is subscribed to the requests (after each (re)connect)."""
        return self._ready.wait(timeout)

    def stop(self) -> None:
        self._loop.stop()
        if self.published_upto != self._written_upto:
            with self.store.transaction():
                self.store.set_meta("published_upto", str(self.published_upto))
        self.store.close()

    # -- requests from outside MQTT and paho's callbacks (all only collect work) -------------
    def request_local(self, node_id: str, op: str, args: dict, req_id: str | None = None,
                      timeout: float = 10.0) -> dict:
        """Run one request through the same path as MQTT (same worker, same transaction, same
        events published) and return the reply. For tests, the bench and admin tools."""
        import uuid

        done: queue.Queue = queue.Queue()
        payload = encode({"id": req_id or uuid.uuid4().hex, "op": op, "args": args})
        self._local.put(("local", node_id, (payload, done)))
        self._loop.wake()
        return done.get(timeout=timeout)

    def run_offline(self, requests: list[tuple[str, str, dict]]) -> list[dict]:
        """Run ``(node, op, args)`` requests as one batch through the real path, without a
        broker (the worker must not be running): the bench builds a whole day's log this way."""
        import uuid

        done: queue.Queue = queue.Queue()
        items = [("local", node, (encode({"id": uuid.uuid4().hex, "op": op, "args": args}), done))
                 for node, op, args in requests]
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
        client.subscribe([(self.topics.req(), 1), (self.topics.node_status(), 1),
                          (self.topics.node_health(), 1)])
        client.publish(self.topics.node_status("hub"),
                       encode({"online": True, "role": "hub", "version": "0.1.0"}), 1, True)
        self._received.append(("connected", None, None))

    def _on_message(self, _client, _userdata, msg):
        if (node := self.topics.tail(msg.topic, "req")) is not None:
            self._received.append(("req", node, msg.payload))
        elif (rest := self.topics.tail(msg.topic, "node")) is not None:
            node, _, what = rest.partition("/")
            self._received.append(("status" if what == "status" else "health", node, msg.payload))

    def _on_publish(self, _client, _userdata, mid, _reason_code, _properties):
        seq = self._mid_seq.pop(mid, None)
        if seq is None:
            return
        self._acked.add(seq)
        while self.published_upto + 1 in self._acked:
            self.published_upto += 1
            self._acked.discard(self.published_upto)

    # -- the hub's turn (on the loop's thread) ------------------------------------------------
    def _turn(self) -> float:
        """One batch: what arrived since the last turn, plus the once-a-second tick. Returns the
        seconds until the next tick."""
        items, self._received = self._received, []
        while True:
            try:
                items.append(self._local.get_nowait())
            except queue.Empty:
                break
        now = time.monotonic()
        tick = now >= self._next_tick
        if tick:
            self._next_tick = now + TICK_S
        for start in range(0, max(len(items), 1), BATCH_MAX):
            batch = items[start:start + BATCH_MAX]
            if batch or tick:
                self._process(batch, tick)
                tick = False
        wait = self._next_tick - time.monotonic()
        if self._state_dirty:
            wait = min(wait, self._flush_state(self.clock.now()))
        return wait

    def _process(self, items: list, tick: bool) -> None:
        at = self.clock.now()
        replies: list[tuple[str, dict]] = []
        events: list[tuple[int, Event]] = []
        republish = False
        local: list[tuple[queue.Queue, dict]] = []
        with self.store.transaction():
            for kind, node, raw in items:
                if kind == "req":
                    replies.append((node, self._request(node, raw, at, events)))
                elif kind == "local":
                    local.append((raw[1], self._request(node, raw[0], at, events)))
                elif kind == "status":
                    self._presence(node, raw, at, events)
                elif kind == "health":
                    self._health(node, raw, at, events)
                elif kind == "connected":
                    republish = True
            if tick:
                for ev in self.engine.tick(at):
                    self._commit_event(ev, "hub", None, at, events)
                if at >= self._next_overdue_check:
                    # after the engine's tick: it reads the log and sees alerts made just now
                    self._next_overdue_check = at + timedelta(minutes=1)
                    for ev in followups.overdue(self.store.conn, at, self.cfg):
                        self._commit_event(ev, "hub", None, at, events)
            if tick and self.published_upto != self._written_upto:
                # once a second, not per batch: a stale mark only means a few events re-sent
                # after a restart, which consumers drop by seq
                self.store.set_meta("published_upto", str(self.published_upto))
                self._written_upto = self.published_upto
        # Published only now, after COMMIT: nothing a node sees can be lost by a crash. Events
        # first: the hall (board, LEDs, speakers) waits on them; the clerk's reply just after.
        if not self._offline and not republish:
            for seq, ev in events:
                self._publish_event(seq, ev.kind, ev.public(), at)
        for node, reply in replies:
            if reply is not None:
                self._mqtt.publish(self.topics.resp(node), encode(reply), qos=1)
        for done, reply in local:
            done.put(reply)
        if self._offline:
            return
        if republish:
            self._republish_all()
        else:
            self._state_dirty |= self.engine.state_keys([e for _, e in events])
            self._flush_state(at)

    def _request(self, node_id: str, raw: bytes, at: datetime, events: list) -> dict | None:
        try:
            msg = decode_object(raw)
        except HubError as exc:
            return error_reply(None, exc)
        req_id = msg.get("id")
        if not isinstance(req_id, str) or not 0 < len(req_id) <= 64:
            return error_reply(None, BadRequest("id must be a string of 1–64 characters"))
        node = self.cfg.nodes.get(node_id)
        if node is None:
            return error_reply(req_id, Forbidden(f"unknown node {node_id!r}"))
        earlier = self.store.reply(node_id, req_id)
        if earlier is not None:
            return earlier  # a retry: the same answer, nothing done twice
        reply = self._decide(node, req_id, msg, at, events)
        self.store.save_reply(node_id, req_id, iso(at), reply)
        return reply

    def _decide(self, node, req_id: str, msg: dict, at: datetime, events: list) -> dict:
        op, args = msg.get("op"), msg.get("args", {})
        try:
            if not isinstance(op, str) or op not in OP_ROLES:
                raise UnknownOp(f"unknown op {op!r}")
            if not isinstance(args, dict):
                raise BadRequest("args must be a JSON object")
            extra = set(msg) - {"id", "op", "args", "deadline"}
            if extra:
                raise BadRequest(f"unknown request fields: {', '.join(sorted(extra))}")
            if "deadline" in msg:
                deadline = _deadline(msg["deadline"])
                if deadline + DEADLINE_JITTER < at:
                    raise BadRequest(f"expired: the node gave up on this request at "
                                     f"{deadline.isoformat(timespec='seconds')}")
            ctx = Context(node.id, node.role, node.window, at)
            if op in followups.FOLLOWUP_OPS:
                decision = followups.decide(op, args, ctx, self.store.conn, self.cfg)
            else:
                decision = self.engine.decide(op, args, ctx)
        except HubError as exc:
            return error_reply(req_id, exc)
        except Exception:  # noqa: BLE001 - a bug must cost one reply, never the hub
            log.exception("op %s from %s failed", op, node.id)
            return error_reply(req_id, InternalError("the hub failed on this request"))
        for ev in decision.events:
            self._commit_event(ev, node.id, req_id, at, events)
        return ok_reply(req_id, decision.result)

    def _commit_event(self, ev: Event, node: str, req_id: str | None, at: datetime,
                      events: list) -> None:
        self.engine.apply(ev, at)  # kinds the engine does not own (follow_up_step) it ignores
        seq = self.store.append_event(iso(at), ev.kind, node, req_id, ev.data)
        for table, row in projection.rows(ev, at) + followups.rows(ev, at):
            self.store.upsert(table, row)
        events.append((seq, ev))

    def _presence(self, node_id: str, raw: bytes, at: datetime, events: list) -> None:
        try:
            online = decode_object(raw).get("online") is True if raw else False
        except HubError:
            return
        if online:
            self._online.add(node_id)
        elif node_id in self._online and node_id in self.cfg.nodes:
            self._online.discard(node_id)
            self._commit_event(Event("alert", {"kind": "node_offline", "node": node_id,
                                               "role": self.cfg.nodes[node_id].role}),
                               "hub", None, at, events)

    def _health(self, node_id: str, raw: bytes, at: datetime, events: list) -> None:
        """A kiosk's printer going near_end/out (or back to ok) alerts the hall manager once."""
        try:
            health = decode_object(raw) if raw else {}
        except HubError:
            return
        printer = health.get("printer")
        paper = printer.get("paper") if isinstance(printer, dict) else health.get("paper")
        if node_id not in self.cfg.nodes or not isinstance(paper, str):
            return
        before = self._paper.get(node_id)
        self._paper[node_id] = paper
        if before is not None and paper != before and paper in ("near_end", "out", "ok"):
            self._commit_event(Event("alert", {"kind": "printer_paper", "node": node_id,
                                               "paper": paper}), "hub", None, at, events)

    # -- publishing -------------------------------------------------------------------------
    def _publish_event(self, seq: int, kind: str, data: dict, at: datetime | str) -> None:
        payload = {"seq": seq, "at": at if isinstance(at, str) else iso(at), **data}
        info = self._mqtt.publish(self.topics.event(kind), encode(payload), qos=1)
        self._mid_seq[info.mid] = seq

    def _flush_state(self, at: datetime) -> float:
        """Publish the changed state keys whose gap has passed; seconds until the next is due."""
        now = time.monotonic()
        due = {k for k in self._state_dirty if self._state_next.get(k, 0.0) <= now}
        if due:
            self._state_dirty -= due
            self._publish_state(due, at)
            for key in due:
                self._state_next[key] = now + STATE_GAP_S
        return min((self._state_next[k] - now for k in self._state_dirty), default=TICK_S)

    def _publish_state(self, keys, at: datetime, force: bool = False) -> None:
        for key in sorted(keys):
            if key == "queue":
                payload = self.engine.queue_state(at)
            elif key == "board":
                payload = self.engine.board_state()
            elif key.startswith("window/"):
                payload = self.engine.window_state(int(key.split("/")[1]))
            else:
                continue
            raw = encode(payload)
            if not force and self._retained.get(key) == raw:
                continue  # the broker already holds exactly this
            self._retained[key] = raw
            self._mqtt.publish(self.topics.state(key), raw, qos=1, retain=True)

    def _republish_all(self) -> None:
        """After (re)connecting: the outbox, then every retained state."""
        for ev in self.store.events_after(self.published_upto):
            data = {k: v for k, v in ev.data.items() if not k.startswith("_")}
            self._publish_event(ev.seq, ev.kind, data, ev.at)
        keys = {"queue", "board"} | {f"window/{n}" for n in self.cfg.windows}
        self._state_dirty -= keys
        self._publish_state(keys, self.clock.now(), force=True)

    def flush_published(self, timeout: float = 2.0) -> None:
        """Wait until the broker has acknowledged every event committed so far (tests)."""
        deadline = time.monotonic() + timeout
        while self.published_upto < self.store.last_seq() and time.monotonic() < deadline:
            time.sleep(0.01)

