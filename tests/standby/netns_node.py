"""A node as an outsider writes one, for the standby hall in network namespaces
(tests/standby/netns_parts.py): paho and nothing of hallstack's."""

from __future__ import annotations

import json
import threading
import time
import uuid

import paho.mqtt.client as mqtt

HALL = "demo"


class Node:
    """A node as an outsider writes one: paho with automatic reconnect, requests re-sent with
    the same id every second until answered (the contract's rule), replies and events kept."""

    def __init__(self, user: str, password: str, host: str):
        self.user = user
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"sb-{user}-{uuid.uuid4().hex[:8]}")
        self.client.username_pw_set(user, password)
        self.client.reconnect_delay_set(0.2, 1)
        self.replies: dict[str, dict] = {}
        self.events: list[dict] = []
        self.state: dict[str, dict] = {}  # retained state by topic, as last received
        self.connected = threading.Event()
        self.reconnected = threading.Event()  # a request in flight is re-sent at once
        self._lock = threading.Lock()
        self._heard = threading.Condition(self._lock)  # a reply came, or the link came back
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *a: self.connected.clear()
        self.client.on_message = self._on_message
        self.client.connect_async(host, 1883, keepalive=5)
        self.client.loop_start()

    def _on_connect(self, client, _u, _f, rc, _p):
        if not rc.is_failure:
            client.subscribe([(f"hall/{HALL}/resp/{self.user}", 1), (f"hall/{HALL}/event/#", 1),
                              (f"hall/{HALL}/state/#", 1)])
            self.connected.set()
            with self._heard:
                self.reconnected.set()
                self._heard.notify_all()

    def _on_message(self, _c, _u, msg):
        try:
            payload = json.loads(msg.payload)
        except ValueError:
            return
        with self._lock:
            if "/resp/" in msg.topic:
                self.replies[str(payload.get("id"))] = payload
                self._heard.notify_all()
            elif "/state/" in msg.topic:
                self.state[msg.topic] = payload
            else:
                self.events.append({"kind": msg.topic.rsplit("/", 1)[1], **payload})

    def request(self, op: str, args: dict, timeout: float = 20.0, resend_s: float = 1.0) -> dict:
        rid = uuid.uuid4().hex
        body = {"id": rid, "op": op, "args": args}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ttl = int(min(10.0, deadline - time.monotonic()) * 1000)
            self.client.publish(f"hall/{HALL}/req/{self.user}",
                                json.dumps({**body, "ttl_ms": max(ttl, 1)}), qos=0)
            until = min(deadline, time.monotonic() + resend_s)
            with self._heard:
                self.reconnected.clear()
                self._heard.wait_for(lambda: rid in self.replies or self.reconnected.is_set(),
                                     max(0.0, until - time.monotonic()))
                if rid in self.replies:
                    return {"rid": rid, **self.replies[rid]}
        raise TimeoutError(f"{self.user}: no reply to {op} within {timeout} s")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
