"""QueueEngine: the hall's queue rules as a pure state machine.

``decide`` validates, authorises and applies the rules to produce events without changing
anything; ``apply`` is the only mutation. The hub logs each decision's events, applies them, and
rebuilds itself after a restart by applying the log again.
"""

from __future__ import annotations

from datetime import datetime

from hub.config import HallConfig
from hub.contract import OP_ROLES, Forbidden, UnknownOp
from hub.engine import assign, calling, citizen, manage, ratings, tickets, views, windows
from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.state import WINDOW_EVENTS, EngineState
from hub.engine.ticking import tick
from hub.engine.types import Context, Decision, Event

#: op -> function(state, args, ctx) -> Decision. Who may call each op is hub.contract.OP_ROLES
#: (the contract cannot name handlers: the nodes import it); tests/hub/test_registry.py checks
#: that the two, with hub.followups.FOLLOWUP_OPS, name the same ops.
HANDLERS = {
    "ticket.take": tickets.take,
    "ticket.status": tickets.status,
    "ticket.requeue": tickets.requeue,
    "window.login": windows.login,
    "window.logout": windows.logout,
    "window.pause": windows.pause,
    "window.resume": windows.resume,
    "window.call_next": calling.call_next,
    "window.recall": calling.recall,
    "window.call": calling.call,
    "window.call_back": calling.call_back,
    "window.start": calling.start,
    "window.skip": calling.skip,
    "window.hold": calling.hold,
    "window.transfer": calling.transfer,
    "window.finish": calling.finish,
    "window.walk_in": calling.walk_in,
    "window.assign": assign.assign,
    "window.assist": assign.assist,
    "rating.submit": ratings.submit,
    "appointment.book": tickets.book,
    "ticket.lookup": citizen.lookup,
    "ticket.cancel": citizen.cancel,
    "ticket.rate": citizen.rate,
    "manage.pause": manage.pause,
    "manage.resume": manage.resume,
    "manage.move": manage.move,
    "manage.notice": manage.notice,
    "manage.ack": manage.ack,
    "manage.close_day": manage.close_day,
}

#: events that change the retained ``state/queue``
QUEUE_EVENTS = ("issued", "called", "transferred", "skipped", "requeued", "held", "finished",
                "day_closed", "window", "cancelled", "moved")

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

    def decide(self, op: str, args: dict, ctx: Context) -> Decision:
        """Validate, authorise and decide ``op``; raise a hub.contract error, change nothing."""
        handler = HANDLERS.get(op) if isinstance(op, str) else None
        if handler is None:
            raise UnknownOp(f"unknown op {op!r}")
        # "system" is the hub itself (tick, maintenance); every other role is checked
        if ctx.role != "system" and ctx.role not in OP_ROLES.get(op, ()):
            raise Forbidden(S.ROLE_FORBIDDEN.format(role=ctx.role, op=op))
        local_ctx = Context(ctx.node_id, ctx.role, ctx.window, self._local(ctx.at))
        return handler(self.state, Args(args), local_ctx)

    def apply(self, event: Event, at: datetime) -> None:
        """Apply one decided (or logged) event: the only way the engine's state changes."""
        self.state.apply(event, self._local(at))

    def handle(self, op: str, args: dict, ctx: Context) -> Decision:
        """``decide`` then ``apply`` its events at ``ctx.at``."""
        decision = self.decide(op, args, ctx)
        for event in decision.events:
            self.apply(event, ctx.at)
        return decision

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
