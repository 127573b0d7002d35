"""QueueEngine: the hall's queue rules as a pure state machine.

``run`` validates and applies one op's rules (its handler, from the op registry hub.ops, which
also says who may call it) to produce events without changing anything; ``apply`` is the only
mutation. The hub logs each decision's events, applies them, and
rebuilds itself after a restart by applying the log again.
"""

from __future__ import annotations

from datetime import datetime

from hub.engine import views
from hub.engine.args import Args
from hub.engine.state import WINDOW_EVENTS, EngineState
from hub.engine.ticking import tick
from hub.engine.types import Context, Decision, Event
from wire.config import HallConfig
from wire.vocab import QUEUE_EVENTS


class QueueEngine:
    """The queue of one hall. ``id_key`` is the HMAC key for resident ID numbers."""

    def __init__(self, cfg: HallConfig, id_key: bytes):
        if not isinstance(id_key, bytes) or len(id_key) < 16:
            raise ValueError("id_key must be at least 16 bytes")
        self.cfg = cfg
        self.state = EngineState(cfg, id_key)

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("engine times must be aware datetimes")
        return at.astimezone(self.cfg.tz)

    def run(self, handler, args: object, ctx: Context) -> Decision:
        """Decide one op with its ``handler`` (hub.ops names it and checks who may call it):
        validate and apply the rules, raise a wire.contract error, change nothing."""
        local_ctx = Context(ctx.node_id, ctx.role, ctx.window, self._local(ctx.at))
        return handler(self.state, Args(args), local_ctx)

    def apply(self, event: Event, at: datetime) -> None:
        """Apply one decided (or logged) event: the only way the engine's state changes."""
        self.state.apply(event, self._local(at))

    def tick(self, at: datetime) -> list[Event]:
        """Events that time alone makes due at ``at`` (not applied: the caller logs them and
        applies them in order). Call it every few seconds; it is cheap when nothing is due."""
        return tick(self.state, self._local(at))

    def queue_state(self, at: datetime) -> dict:
        return views.queue_state(self.state, self._local(at))

    def window_state(self, number: int) -> dict:
        return views.window_state(self.state, number)

    def board_state(self) -> dict:
        return views.board_state(self.state)

    def state_keys(self, events: list[Event]) -> set[str]:
        """Retained state topics (``queue``, ``board``, ``window/3``) these events change."""
        keys: set[str] = set()
        for ev in events:
            d = ev.data
            if ev.kind in QUEUE_EVENTS:
                keys.add("queue")  # waiting counts, open windows and estimates move
            if ev.kind in ("called", "notice"):
                keys.add("board")
            if ev.kind in WINDOW_EVENTS or (ev.kind == "issued" and d.get("walk_in")):
                keys.add(f"window/{d['window']}")
            if ev.kind == "day_closed":
                keys.update(f"window/{item['window']}" for item in d["windows"])
                keys.update(f"window/{item['window']}" for item in d["closed"]
                            if item.get("window") is not None)
        return keys
