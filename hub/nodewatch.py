"""What the hub records about the nodes and itself between requests, inside a batch's
savepoint: a node going offline, a kiosk's paper running out (or back), and the alerts and
events the hub raises about itself (a second hub, its own checks)."""

from __future__ import annotations

from datetime import datetime

from hub.desk import Desk
from hub.engine import Event
from wire.config import HallConfig
from wire.contract import HubError, decode_object


class NodeWatch:
    """The non-request items of a batch (hub.desk's ``on_node_event``)."""

    def __init__(self, cfg: HallConfig, desk: Desk):
        self.cfg, self.desk = cfg, desk
        self._online: set[str] = set()
        self._paper: dict[str, str] = {}

    def event(self, kind: str, node: str | None, raw, at: datetime, events: list) -> None:
        """Node presence and health, and alerts the hub raises about itself."""
        if kind == "status":
            self._presence(node, raw, at, events)
        elif kind == "health":
            self._health(node, raw, at, events)
        elif kind == "intruder":
            self._record(Event("alert", {"kind": "second_hub", **raw}), at, events)
        elif kind == "alert":
            self._record(Event("alert", raw), at, events)
        elif kind == "own":  # events the hub records about itself
            self.desk.record(raw, "hub", None, at, events)

    def _record(self, event: Event, at: datetime, events: list) -> None:
        self.desk.record([event], "hub", None, at, events)

    def _presence(self, node_id: str, raw: bytes, at: datetime, events: list) -> None:
        try:
            online = decode_object(raw).get("online") is True if raw else False
        except HubError:
            return  # a node's junk status says nothing about it
        if node_id not in self.cfg.nodes:
            return  # only the hall's own nodes are watched (the set stays the config's size)
        if online:
            self._online.add(node_id)
        elif node_id in self._online:
            self._online.discard(node_id)
            self._record(Event("alert", {"kind": "node_offline", "node": node_id,
                                         "role": self.cfg.nodes[node_id].role}), at, events)

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
            self._record(Event("alert", {"kind": "printer_paper", "node": node_id,
                                         "paper": paper}), at, events)
