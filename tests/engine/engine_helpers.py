"""Engine test helpers (imported as ``engine_helpers``): the example hall at a fixed Monday
10:00 Asia/Shanghai, and a ``Hall`` that runs ops, keeps the event log and moves its clock."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hub import ops
from hub.engine import Context, QueueEngine
from hub.engine.args import id_check_char

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
KEY = b"engine-test-key-0123456789abcdef"
#: the [queue] rules the engine tests were written under, pinned here rather than taken from
#: examples/hall.toml (which ships the rules a hall should use: docs/assignment.md)
RULES = {"balance": "preference", "assist": "suggest", "assist_every_s": 900,
         "capacity": "off"}


def make_id(body17: str = "61010219900307123") -> str:
    """A resident ID number with the right check character."""
    return body17 + id_check_char(body17)


def snapshot(engine: QueueEngine) -> dict:
    """Everything in the engine's state except the config, for equality checks."""
    return copy.deepcopy({k: v for k, v in vars(engine.state).items()
                          if k not in ("cfg", "id_key", "applied")})


class Hall:
    """An engine plus its event log and a clock the test moves by hand."""

    def __init__(self, cfg, at: datetime = MONDAY_10):
        self.cfg = cfg
        self.engine = QueueEngine(cfg, KEY)
        self.at = at
        self.log: list[tuple] = []  # (event, at) in applied order

    def ctx(self, node: str) -> Context:
        n = self.cfg.node(node) if node in self.cfg.nodes else None
        role = n.role if n else node  # "admin" / "system" stand for themselves
        return Context(node, role, n.window if n else None, self.at)

    def do(self, node: str, op: str, **args) -> dict:
        d = ops.decide(op, args, self.ctx(node), engine=self.engine)
        for ev in d.events:
            self.engine.apply(ev, self.at)
            self.log.append((ev, self.at))
        return d.result

    def events(self, node: str, op: str, **args):
        """Run the op and return its events."""
        n = len(self.log)
        self.do(node, op, **args)
        return [ev for ev, _ in self.log[n:]]

    def tick(self):
        evs = self.engine.tick(self.at)
        for ev in evs:
            self.engine.apply(ev, self.at)
            self.log.append((ev, self.at))
        return evs

    def wait(self, seconds: float = 0, **kw) -> None:
        self.at += timedelta(seconds=seconds, **kw)

    def take(self, service: str = "A", **args) -> str:
        return self.do("kiosk-1", "ticket.take", service=service, **args)["ticket"]["no"]

    def open(self, window: int, staff: str | None = None) -> None:
        staff = staff or next(s.number for s in self.cfg.staff.values()
                              if s.post == "A" and window in s.windows)
        self.do(f"rater-{window}", "window.login", window=window, staff=staff)

    def next(self, window: int) -> str | None:
        t = self.do(f"rater-{window}", "window.call_next", window=window)["ticket"]
        return None if t is None else t["no"]

    def win(self, window: int, op: str, **args) -> dict:
        return self.do(f"rater-{window}", f"window.{op}", window=window, **args)

    def kinds(self) -> list[str]:
        return [ev.kind for ev, _ in self.log]


def with_queue(cfg, **changes):
    """The config with some ``[queue]`` rules changed."""
    return dataclasses.replace(cfg, queue=dataclasses.replace(cfg.queue, **changes))


def with_service(cfg, sid: str, **changes):
    services = dict(cfg.services)
    services[sid] = dataclasses.replace(services[sid], **changes)
    return dataclasses.replace(cfg, services=services)

