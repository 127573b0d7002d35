"""hall-web's link to the hub: requests awaited from asyncio, and the hub's events, retained
state and node presence handed to the event loop (the client calls back on its own thread)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Callable

from wire.client import HubClient, HubUnreachable
from wire.contract import Topics
from wire.mqtt import new_client, parse_broker_url, use_tls

log = logging.getLogger("hall-web")


class HubLink:
    """One HubClient for the whole web node, plus a watcher of node status and health."""

    def __init__(self, client: HubClient, broker_url: str, username: str | None = None,
                 password: str | None = None):
        self.client = client
        self.loop: asyncio.AbstractEventLoop | None = None
        self._listeners: list[Callable[[str, str, dict], None]] = []
        self.nodes: dict[str, dict] = {}   # node id -> {"status": {...}, "health": {...}}
        self._broker = (broker_url, username, password)
        self._watch = None
        self.broker_up = False   # the node watch's own connection to the broker
        self._silent = False     # a request went unanswered since the hub last spoke

    def hub_online(self) -> bool:
        """Whether the hub is there: the broker reached, the hub's retained status online,
        and no request unanswered since its last event (a stalled or killed hub is seen at
        the first timeout, before its will arrives)."""
        hub = (self.nodes.get("hub") or {}).get("status") or {}
        return (self.broker_up and self.client.connected and hub.get("online") is True
                and not self._silent)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.client.on_event("*", lambda kind, ev: self._post("event", kind, ev))
        self.client.on_state(lambda key, st: self._post("state", key, st))
        self.client.start()
        self._start_node_watch()

    def stop(self) -> None:
        self.client.stop()
        if self._watch is not None:
            self._watch.loop_stop()
            self._watch.disconnect()

    def listen(self, callback: Callable[[str, str, dict], None]) -> None:
        """``callback(what, key, payload)`` on the event loop: what is event|state|node."""
        self._listeners.append(callback)

    def _post(self, what: str, key: str, payload: dict) -> None:
        if what in ("event", "state"):
            self._silent = False  # the hub spoke
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._dispatch, what, key, payload)

    def _dispatch(self, what: str, key: str, payload: dict) -> None:
        for cb in self._listeners:
            try:
                cb(what, key, payload)
            except Exception:  # one bad listener must not stop the others
                log.exception("listener failed on %s %s", what, key)

    async def request(self, op: str, args: dict, timeout: float = 5.0) -> dict:
        """The op's result; raises the hub's HubError or HubUnreachable like the client."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future = loop.create_future()

        def done(result, exc):
            def settle():
                if not fut.done():
                    if exc is not None:
                        fut.set_exception(exc)
                    else:
                        fut.set_result(result)
            loop.call_soon_threadsafe(settle)

        self.client.request_async(op, args, done, timeout)
        try:
            return await fut
        except HubUnreachable:
            self._silent = True
            self._post("link", "hub", {})
            raise

    # -- node presence: the retained node/+/status and node/+/health ------------------------
    def _start_node_watch(self) -> None:
        url, username, password = self._broker
        t = Topics(self.client.cfg.hall_id)
        host, port = parse_broker_url(url)
        c = new_client(f"{self.client.cfg.hall_id}-{self.client.node_id}-nodes-"
                       f"{uuid.uuid4().hex[:6]}", username or os.environ.get("HALL_MQTT_USERNAME"),
                       password or os.environ.get("HALL_MQTT_PASSWORD"))
        use_tls(c, url)

        def on_connect(client, _u, _f, reason_code, _p):
            if not reason_code.is_failure:
                client.subscribe([(t.node_status("+"), 1), (t.node_health("+"), 1)])
                self.broker_up = True
                self._post("link", "broker", {})

        def on_disconnect(_c, _u, _f, _rc, _p):
            self.broker_up = False
            self._post("link", "broker", {})

        def on_message(_c, _u, msg):
            node, _, kind = (t.tail(msg.topic, "node") or "").rpartition("/")
            if not node or kind not in ("status", "health"):
                return
            try:
                payload = json.loads(msg.payload or b"{}")
            except ValueError:
                return
            if isinstance(payload, dict):
                if node == "hub" and kind == "status" and payload.get("online"):
                    self._silent = False
                self.nodes.setdefault(node, {})[kind] = payload
                self._post("node", node, payload)

        c.on_connect = on_connect
        c.on_disconnect = on_disconnect
        c.on_message = on_message
        c.connect_async(host, port, keepalive=30)
        c.loop_start()
        self._watch = c
