"""The node side of wire contract v1: every kiosk, callboard and window node talks through this.

Requests are re-sent with the same id until the hub answers (the hub answers a repeated id from
its reply log and never acts twice), events are deduplicated by ``seq`` within the hub
database's ``epoch``, retained state is followed, and the node's presence is a retained status
with a last will.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from wire import envelope
from wire.clock import HallClock
from wire.config import HallConfig
from wire.contract import (
    VERSION,
    BadRequest,
    HubError,
    Topics,
    decode_object,
    encode,
    error_from_wire,
)
from wire.mqtt import NetworkLoop, guarded, new_client, parse_broker_url, use_tls
from wire.seen import SeenEvents

log = logging.getLogger(__name__)

RESEND_S = (0.5, 1.0, 2.0)  # then every 2 s until the node gives up
RESEND_CHECK_S = 0.05
MAX_TIMEOUT_S = 600.0  # the wire's ttl_ms is at most 600000


class HubUnreachable(RuntimeError):
    """No reply within the timeout: the op may or may not have happened; show "retrying"."""


@dataclass
class _Pending:
    req_id: str
    body: dict  # the request without its ttl_ms, which each send recomputes
    deadline: float  # time.monotonic() when the node gives up
    callback: Callable[[dict | None, Exception | None], None]
    sends: int = 0
    next_send: float = 0.0
    done: bool = field(default=False)


class HubClient:
    """One node's connection to the hub. See docs/node-api.md for the whole API."""

    def __init__(self, cfg: HallConfig, node_id: str, broker_url: str = "mqtt://127.0.0.1:1883",
                 clock: HallClock | None = None, username: str | None = None,
                 password: str | None = None, role: str | None = None, follow: bool = True):
        """``follow=False``: requests only, no events and no retained state (a tool, a load
        generator: every event of the hall is not worth its reading)."""
        self.cfg = cfg
        self.follow = follow
        self.node_id = node_id
        self.role = role or cfg.node(node_id).role
        self.clock = clock or HallClock(cfg.tz)
        self.topics = Topics(cfg.hall_id)
        host, port = parse_broker_url(broker_url)
        username = username or os.environ.get("HALL_MQTT_USERNAME")
        password = password or os.environ.get("HALL_MQTT_PASSWORD")
        self._mqtt = new_client(f"{cfg.hall_id}-{node_id}-{uuid.uuid4().hex[:6]}",
                                username, password)
        use_tls(self._mqtt, broker_url)  # mqtts://: CA from HALL_MQTT_CA
        self._mqtt.will_set(self.topics.node_status(node_id), self._status(False), qos=1,
                            retain=True)
        self._mqtt.on_connect = guarded("on_connect", self._on_connect)
        self._mqtt.on_disconnect = guarded("on_disconnect", self._on_disconnect)
        self._mqtt.on_message = guarded("on_message", self._on_message)
        self._mqtt.on_subscribe = guarded("on_subscribe", self._on_subscribe)
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self._id_prefix = uuid.uuid4().hex[:8]
        self._event_cbs: list[tuple[str, Callable]] = []
        self._event_topics: set[str] | None = None  # event topics subscribed on this connection
        self._state_cbs: list[Callable] = []
        self._conn_cbs: list[Callable] = []
        # seqs seen, per epoch (a hub database): a new database numbers from 1 again
        self._seen = SeenEvents(node_id)
        self.state: dict[str, dict] = {}
        self.health: dict | None = None
        self._connected = threading.Event()
        self._stop = threading.Event()
        # SUBSCRIBE mids sent / acknowledged on this connection (see wait_subscribed)
        self._sub_lock = threading.Lock()
        self._subs_sent: set[int] = set()
        self._subs_acked: set[int] = set()
        self._subscribed = threading.Event()
        # one thread reads, calls back and re-sends; requests are written on the caller's thread
        self._loop = NetworkLoop(self._mqtt, host, port, self._turn, f"hub-client-{node_id}")

    @property
    def epoch(self) -> str | None:
        """The epoch of the last event or state that carried one."""
        return self._seen.epoch

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Connect in the background; reconnects by itself until :meth:`stop`. A second call
        does nothing (a node and its caller may both start it)."""
        if self._loop.started or self._stop.is_set():
            return
        self._loop.start()

    def stop(self) -> None:
        """Say offline, disconnect and fail what still waits. A second call does nothing."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._connected.is_set():
            info = self._publish(self.topics.node_status(self.node_id), self._status(False),
                                 retain=True)
            try:
                info.wait_for_publish(1.0)
            except (RuntimeError, ValueError):
                pass
        self._loop.stop()
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for p in pending:
            self._finish(p, None, HubUnreachable("the node is shutting down"))

    def wait_connected(self, timeout: float = 5.0) -> bool:
        return self._connected.wait(timeout)

    def wait_subscribed(self, timeout: float = 5.0) -> bool:
        """Whether the broker acknowledged every subscription of the current connection
        within ``timeout`` s: from then on, what is published to them reaches this client."""
        return self._subscribed.wait(timeout)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    # -- requests ---------------------------------------------------------------------------
    def request(self, op: str, args: dict, timeout: float = 10.0) -> dict:
        """Ask the hub and wait: the result, or HubError (refused) / HubUnreachable (no answer)."""
        done = threading.Event()
        box: list = [None, None]

        def callback(result, exc):
            box[0], box[1] = result, exc
            done.set()

        req_id = self.request_async(op, args, callback, timeout)
        if not done.wait(timeout):
            if self._loop.alive():
                done.wait(1.0)  # the client's thread gives it up on its next turn
            # else nobody gives it up for us: the client was never started, or its thread died
            with self._lock:
                p = self._pending.pop(req_id, None)
            if p is not None:
                self._finish(p, None, HubUnreachable(
                    f"no answer within {timeout} s (the hub client is not running)"))
            done.wait()  # finished just now, here or by the thread that popped it first
        if box[1] is not None:
            raise box[1]
        return box[0]

    def request_async(self, op: str, args: dict, callback: Callable, timeout: float = 10.0) -> str:
        """Send a request; ``callback(result, exc)`` runs once, on a client thread (at once, on
        the caller's, when the client is stopped). Returns the id. ``timeout``: real seconds,
        more than 0 and at most 600."""
        if not isinstance(args, dict):
            raise BadRequest("args must be a dict")
        if not 0 < timeout <= MAX_TIMEOUT_S:
            raise ValueError(f"timeout must be more than 0 and at most {MAX_TIMEOUT_S:.0f} s, "
                             f"got {timeout!r}")
        req_id = f"{self._id_prefix}-{next(self._ids)}"
        pending = _Pending(req_id, envelope.request(req_id, op, args),
                           time.monotonic() + timeout, callback)
        if self._stop.is_set():
            self._finish(pending, None, HubUnreachable("the node is shutting down"))
            return req_id
        with self._lock:
            self._pending[req_id] = pending
        self._send(pending)
        return req_id

    def _send(self, p: _Pending) -> None:
        """(Re)send at QoS 0 with the milliseconds the node still waits. The hub refuses the
        request once that much time has passed since it read it, so a copy that reaches it after
        the node gave up never acts, whatever the two machines' clocks say. QoS 0: only this
        client re-sends (with a fresh ttl_ms); paho never keeps a copy to re-send after a
        reconnect, when its time-to-live would be stale."""
        now = time.monotonic()
        delay = RESEND_S[min(p.sends, len(RESEND_S) - 1)]
        p.sends += 1
        p.next_send = now + delay
        if self._connected.is_set():
            ttl_ms = max(1, int((p.deadline - now) * 1000))
            self._publish(self.topics.req(self.node_id), encode(envelope.with_ttl(p.body, ttl_ms)),
                          qos=0)

    def _publish(self, topic: str, payload: bytes, retain: bool = False, qos: int = 1):
        info = self._mqtt.publish(topic, payload, qos=qos, retain=retain)
        if self._mqtt.want_write():  # not written at once (the loop is in a callback): wake it
            self._loop.wake()
        return info

    def _turn(self) -> float:
        """On the loop's thread: re-send what is due, give up what waited its whole timeout."""
        now = time.monotonic()
        with self._lock:
            due = [p for p in self._pending.values() if p.next_send <= now or p.deadline <= now]
        for p in due:
            if p.deadline <= now:
                with self._lock:
                    self._pending.pop(p.req_id, None)
                self._finish(p, None, HubUnreachable(
                    f"no answer from the hub after {p.sends} tries"))
            else:
                self._send(p)
        return RESEND_CHECK_S

    def _finish(self, p: _Pending, result, exc) -> None:
        if p.done:
            return
        p.done = True
        try:
            p.callback(result, exc)
        except Exception:  # noqa: BLE001 - a node's bug must not kill the client thread
            log.exception("request callback failed")

    # -- subscriptions ----------------------------------------------------------------------
    def on_event(self, kind: str, callback: Callable[[str, dict], None]) -> None:
        """``callback(kind, payload)`` for each new event of ``kind`` ("*" for all). The client
        subscribes to the kinds asked for, no more: a kiosk reads no events at all."""
        with self._lock:
            self._event_cbs.append((kind, callback))
            topic = self.topics.event("+" if kind == "*" else kind)
            if not self.follow or self._event_topics is None or topic in self._event_topics:
                return  # subscribed already, or at the next connect
            self._event_topics.add(topic)
        self._subscribed.clear()
        self._subscribing(self._mqtt.subscribe(topic, qos=1)[1])
        if self._mqtt.want_write():
            self._loop.wake()

    def on_state(self, callback: Callable[[str, dict], None]) -> None:
        """``callback(key, payload)`` for each retained state update ("queue", "window/3", …)."""
        self._state_cbs.append(callback)

    def on_connection(self, callback: Callable[[bool], None]) -> None:
        self._conn_cbs.append(callback)

    def publish_health(self, payload: dict) -> None:
        """Publish device health (retained); re-published after each reconnect."""
        self.health = dict(payload)
        if self._connected.is_set():
            self._publish(self.topics.node_health(self.node_id), encode(self.health), retain=True)

    # -- paho callbacks (network thread) ----------------------------------------------------
    def _status(self, online: bool) -> bytes:
        return encode({"online": online, "role": self.role, "version": VERSION})

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            log.warning("broker refused %s: %s", self.node_id, reason_code)
            return
        t = self.topics
        topics = [t.resp(self.node_id)]
        if self.follow:
            with self._lock:  # an on_event() from now on subscribes on its own
                kinds = {k for k, _ in self._event_cbs}
                self._event_topics = ({t.event()} if "*" in kinds
                                      else {t.event(k) for k in kinds})
                topics += sorted(self._event_topics) + [t.state()]
        with self._sub_lock:  # a new connection: what an earlier one sent is no concern
            self._subs_sent.clear()
            self._subs_acked.clear()
        self._subscribing(client.subscribe([(topic, 1) for topic in topics])[1])
        client.publish(t.node_status(self.node_id), self._status(True), qos=1, retain=True)
        if self.health is not None:
            client.publish(t.node_health(self.node_id), encode(self.health), qos=1, retain=True)
        self._connected.set()
        with self._lock:
            pending = list(self._pending.values())
        for p in pending:  # what waited while we were away goes out now, with its own id
            self._send(p)
        self._notify_connection(True)

    def _on_disconnect(self, _client, _userdata, _flags, _reason_code, _properties):
        self._connected.clear()
        with self._lock:
            self._event_topics = None
        with self._sub_lock:
            self._subs_sent.clear()
            self._subs_acked.clear()
            self._subscribed.clear()
        self._notify_connection(False)

    def _subscribing(self, mid: int | None) -> None:
        with self._sub_lock:
            if mid is not None:
                self._subs_sent.add(mid)
            self._update_subscribed()

    def _on_subscribe(self, _client, _userdata, mid, _reason_codes, _properties):
        with self._sub_lock:
            self._subs_acked.add(mid)
            self._update_subscribed()

    def _update_subscribed(self) -> None:
        if self._subs_sent and self._subs_sent <= self._subs_acked:
            self._subscribed.set()
        else:
            self._subscribed.clear()

    def _notify_connection(self, up: bool) -> None:
        for cb in self._conn_cbs:
            guarded("on_connection", cb)(up)

    def _on_message(self, _client, _userdata, msg):
        t = self.topics
        if msg.topic == t.resp(self.node_id):
            self._on_reply(msg.payload)
        elif (kind := t.tail(msg.topic, "event")) is not None:
            self._on_event(kind, msg.payload)
        elif (key := t.tail(msg.topic, "state")) is not None:
            self._on_state(key, msg.payload)

    def _on_reply(self, raw: bytes) -> None:
        try:
            reply = decode_object(raw)
        except HubError:
            log.warning("unreadable reply dropped")
            return
        with self._lock:
            p = self._pending.pop(envelope.reply_id(reply), None)
        if p is None:
            return  # a reply to a re-send we already had, or to another incarnation
        if reply.get("ok") is True:
            self._finish(p, reply.get("result"), None)
        else:
            self._finish(p, None, error_from_wire(reply.get("error") or {}))

    def _on_event(self, kind: str, raw: bytes) -> None:
        try:
            event = decode_object(raw)
        except HubError:
            return
        seq = event.get("seq")
        if not isinstance(seq, int) or self._seen.already_seen(event.get("epoch"), seq):
            return
        for want, cb in self._event_cbs:
            if want in ("*", kind):
                guarded("on_event", cb)(kind, event)

    def _on_state(self, key: str, raw: bytes) -> None:
        if not raw:
            self.state.pop(key, None)
            payload: dict = {}
        else:
            try:
                payload = decode_object(raw)
            except HubError:
                return
            self.state[key] = payload
            if isinstance(payload.get("epoch"), str):
                self._seen.note_epoch(payload["epoch"])
        for cb in self._state_cbs:
            guarded("on_state", cb)(key, payload)
