"""A raw MQTT peer for tests: publishes exact bytes as a node would, collects what comes back."""

from __future__ import annotations

import json
import threading
import time

from wire.mqtt import new_client, parse_broker_url


class RawPeer:
    """Speaks to the broker with hand-made payloads, as a buggy or hostile node would."""

    def __init__(self, url: str, subscribe: list[str], client_id: str = "raw-peer"):
        host, port = parse_broker_url(url)
        self.log: list[tuple[str, bytes]] = []
        self._taken: set[int] = set()
        self._cond = threading.Condition()
        self.client = new_client(client_id)

        def on_message(_c, _u, m):
            with self._cond:
                self.log.append((m.topic, m.payload))
                self._cond.notify_all()

        self.client.on_message = on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.connect(host, port)
        self.client.loop_start()
        if subscribe:
            self.client.subscribe([(t, 1) for t in subscribe])
            assert subscribed.wait(5), "subscription not acknowledged"

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def next(self, timeout: float = 5.0, topic_prefix: str = "") -> tuple[str, dict]:
        """The next message (as JSON) on a topic starting with ``topic_prefix``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, (topic, payload) in enumerate(self.log):
                    if i not in self._taken and topic.startswith(topic_prefix):
                        self._taken.add(i)
                        return topic, json.loads(payload)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no message on {topic_prefix!r} within {timeout} s")
                self._cond.wait(left)

    def drain(self) -> list[tuple[str, dict]]:
        """Every message not taken by :meth:`next` yet. It does not wait: call it once a marker
        arrived that the hub published after everything expected (e.g. the reply to a request
        whose events come first)."""
        with self._cond:
            out = [(t, json.loads(p) if p else {}) for i, (t, p) in enumerate(self.log)
                   if i not in self._taken]
            self._taken.update(range(len(self.log)))
        return out

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
