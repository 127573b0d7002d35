"""hall-bench's load for the hub's durable throughput: a kiosk and every window's clerk, each its
own MQTT client as in the hall, all driven from one thread (select over their sockets) so that
the load generator itself never waits on Python's GIL between a reply and the next request.

Requests are wire contract v1 as a node sends them; every op counted was committed by the hub
before its reply. The clients read only their own replies: the nodes that follow the hall's
events and state are not the load being measured.
"""

from __future__ import annotations

import itertools
import json
import select
import time

from wire.config import HallConfig
from wire.contract import Topics
from wire.mqtt import new_client, parse_broker_url


class _Node:
    """One node's connection: sends requests, hands each reply to ``on_reply``."""

    def __init__(self, cfg: HallConfig, node_id: str, broker_url: str, on_reply):
        self.node_id = node_id
        self.topics = Topics(cfg.hall_id)
        self.client = new_client(f"bench-{node_id}")
        self.client.on_message = lambda _c, _u, msg: on_reply(self, json.loads(msg.payload))
        host, port = parse_broker_url(broker_url)
        self.client.connect(host, port, keepalive=30)
        self.client.subscribe(self.topics.resp(node_id), qos=1)
        self.ids = itertools.count(1)
        self.pending: dict[str, tuple[str, dict]] = {}

    def send(self, op: str, args: dict) -> None:
        req_id = f"{self.node_id}-{next(self.ids)}"
        self.pending[req_id] = (op, args)
        self.client.publish(self.topics.req(self.node_id),
                            json.dumps({"id": req_id, "op": op, "args": args}), qos=1)


class HallLoad:
    """The kiosk keeps up to ``in_flight`` tickets requested and at most ``backlog`` waiting;
    each clerk calls, finishes and gets rated, one request at a time."""

    def __init__(self, cfg: HallConfig, broker_url: str, in_flight: int = 64,
                 backlog: int = 120):
        self.cfg, self.in_flight, self.backlog = cfg, in_flight, backlog
        self.services = sorted(cfg.services)
        self.kiosk = _Node(cfg, "kiosk-1", broker_url, self._reply)
        self.clerks = {n: _Node(cfg, f"rater-{n}", broker_url, self._reply)
                       for n in sorted(cfg.windows)}
        self.nodes = [self.kiosk, *self.clerks.values()]
        self.counts = {"ok": 0, "refused": 0}
        self.waiting = 0
        self.asked = 0
        self.running = False
        self._later: list[tuple[float, int]] = []  # (when, window): look again for a ticket
        self._serial = itertools.count()
        self._logins: set[int] = set()

    def run(self, seconds: float) -> dict:
        """Log every clerk in, then load the hub for ``seconds``; the counts and rates."""
        self._turn_until(lambda: all(n.client.is_connected() for n in self.nodes), 5)
        for n, node in self.clerks.items():
            staff = next(s.number for s in self.cfg.staff.values() if n in s.windows)
            node.send("window.login", {"window": n, "staff": staff})
        self._turn_until(lambda: len(self._logins) == len(self.clerks), 5)
        self.running = True
        t0 = time.perf_counter()
        self._take()
        for n in self.clerks:
            self._clerk(n, "window.call_next")
        self._turn_until(lambda: False, seconds)
        elapsed = time.perf_counter() - t0
        result = dict(self.counts)
        self.running = False
        self._turn_until(lambda: not any(n.pending for n in self.nodes), 2)
        for node in self.nodes:
            node.client.disconnect()
        result["ops_per_s"] = round((result["ok"] + result["refused"]) / elapsed)
        result["ok_per_s"] = round(result["ok"] / elapsed)
        return result

    # -- the hall's behaviour -----------------------------------------------------------------
    def _take(self) -> None:
        while (self.running and self.asked < self.in_flight
               and self.waiting + self.asked < self.backlog):
            self.asked += 1
            self.kiosk.send("ticket.take",
                            {"service": self.services[next(self._serial) % len(self.services)]})

    def _clerk(self, n: int, op: str) -> None:
        if self.running:
            args = {"window": n, "score": 5} if op == "rating.submit" else {"window": n}
            self.clerks[n].send(op, args)

    def _reply(self, node: _Node, reply: dict) -> None:
        sent = node.pending.pop(reply.get("id"), None)
        if sent is None:  # not ours: e.g. a late answer to wait_answered()'s restart probes,
            return        # which a busy hub may still be working through on this node's topic
        op, args = sent
        ok = reply.get("ok") is True
        if op == "window.login":
            self._logins.add(args["window"])
            return
        self.counts["ok" if ok else "refused"] += 1
        if op == "ticket.take":
            self.asked -= 1
            self.waiting += ok
            self._take()
            return
        n = args["window"]
        if op == "window.call_next" and ok and reply["result"]["ticket"] is not None:
            self.waiting -= 1
            self._take()  # room in the queue again
            self._clerk(n, "window.finish")
        elif op == "window.finish" and ok:
            self._clerk(n, "rating.submit")
        elif op == "window.call_next":
            self._later.append((time.monotonic() + 0.05, n))  # nobody waits: look again soon
        else:
            self._clerk(n, "window.call_next")

    # -- the one loop -------------------------------------------------------------------------
    def _turn_until(self, done, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        socks = {}
        while not done() and time.monotonic() < deadline:
            socks = {n.client.socket(): n for n in self.nodes if n.client.socket() is not None}
            writable = [s for s, n in socks.items() if n.client.want_write()]
            ready, can_write, _ = select.select(list(socks), writable, [], 0.01)
            for s in can_write:
                socks[s].client.loop_write()
            for s in ready:
                socks[s].client.loop_read()
            now = time.monotonic()
            for when, n in [item for item in self._later if item[0] <= now]:
                self._later.remove((when, n))
                self._clerk(n, "window.call_next")
            for node in self.nodes:
                node.client.loop_misc()
