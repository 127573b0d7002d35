"""The op registry: every op of wire contract v1 once, with who may call it, whether it is a
read, its rate-limit class and its handler (zigbee2mqtt's op → handler table as the model).

The hub's desk authorizes and dispatches from it (:func:`authorize` once per request, then
:func:`decide`); docs/node-api.md's role table is checked against it (tests/hub/test_registry.py).
Handlers live in three rooms, each called with what it reads:

- ``engine``: ``handler(state, Args, ctx)`` on the queue engine's memory (hub.engine);
- ``followups``: ``handler(Args, ctx, conn, cfg)`` on the 差评 cases in the database;
- ``replay``: ``handler(store, args)``, a read of the event log for the county (hub.replay).

A read (``read=True``) changes nothing: the desk answers it without storing a reply, so a
retry simply reads again. ``own_window``: a rater may name only its own window (the rule is
``hub.engine.windows.window_arg``'s, the one place a window argument is read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hub import followups, replay
from hub.engine import (
    assign,
    bookings,
    calling,
    checkin,
    citizen,
    manage,
    ratings,
    tickets,
    windows,
)
from hub.engine import strings as S
from hub.engine.args import Args
from hub.engine.types import Context, Decision
from wire.contract import Forbidden, UnknownOp

ENGINE, FOLLOWUPS, REPLAY = "engine", "followups", "replay"


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``burst`` requests at once, refilled at ``per_minute`` (hall time).
    ``per``: whose bucket it is, the calling ``node`` or the ticket's ``token`` (hall-web asks
    for every citizen, so its citizen ops are limited per ticket page, not per node)."""

    burst: int
    per_minute: float
    per: str = "node"


#: rate-limit classes and their defaults: numbers a human pace never meets
#: (``[limits.<class>]`` in hall.toml overrides ``burst`` and ``per_minute``: hub.ratelimit)
RATE_CLASSES: dict[str, RateLimit] = {
    "kiosk": RateLimit(60, 30),      # one citizen at a time at the screen, seconds each
    "keypad": RateLimit(120, 240),   # a clerk's keys at a window's keypad
    "pad": RateLimit(20, 30),        # a window's rating pad: one rating per citizen served
    "status": RateLimit(120, 240),   # ticket.status from a kiosk, board or desk
    "page": RateLimit(60, 120, "token"),    # a ticket page's look-ups through hall-web
    "citizen": RateLimit(10, 20, "token"),  # a ticket page's cancel and rating
    "manage": RateLimit(60, 120),    # the manager's console and desk
    "replay": RateLimit(600, 6000),  # the county catching up on a site's log
    # 网上预约 (docs/booking.md): hall-web asks for every citizen, so per node these are a
    # town's pace; hall-web limits per address, the hub per phone and ID (hub.engine.bookrules)
    "book_read": RateLimit(600, 1200),    # booking.slots/show/day: pages opening
    "book": RateLimit(120, 240),          # booking.make/cancel/move/checkin
}


@dataclass(frozen=True)
class Op:
    name: str
    roles: tuple[str, ...]
    handler: Callable[..., Decision]
    rate: str
    read: bool = False
    own_window: bool = False
    room: str = ENGINE


def _window_ops(rate: str, roles: tuple[str, ...], **handlers) -> list[Op]:
    return [Op(f"window.{name}", roles, fn, rate, own_window=True)
            for name, fn in handlers.items()]


_RATER, _RATER_ADMIN, _DESK = ("rater",), ("rater", "admin"), ("admin", "web")
_ALL = [
    Op("ticket.take", ("kiosk", "admin"), tickets.take, "kiosk"),
    Op("ticket.status", ("kiosk", "callboard", "admin"), tickets.status, "status", read=True),
    Op("ticket.requeue", ("kiosk", "rater", "admin"), tickets.requeue, "kiosk"),
    *_window_ops("keypad", _RATER_ADMIN, login=windows.login, logout=windows.logout,
                 pause=windows.pause, resume=windows.resume),
    *_window_ops("keypad", _RATER, call_next=calling.call_next, recall=calling.recall,
                 skip=calling.skip, finish=calling.finish, transfer=calling.transfer,
                 hold=calling.hold, call_back=calling.call_back, call=calling.call,
                 start=calling.start, walk_in=calling.walk_in),
    Op("rating.submit", _RATER, ratings.submit, "pad", own_window=True),
    Op("appointment.book", ("admin",), tickets.book, "manage"),
    Op("window.assign", _DESK, assign.assign, "manage"),
    Op("window.assist", _DESK, assign.assist, "manage"),
    Op("followup.record", _DESK, followups.record, "manage", room=FOLLOWUPS),
    Op("followup.list", _DESK, followups.list_cases, "manage", read=True, room=FOLLOWUPS),
    Op("ticket.lookup", ("web",), citizen.lookup, "page", read=True),
    Op("ticket.cancel", ("web",), citizen.cancel, "citizen"),
    Op("ticket.rate", ("web",), citizen.rate, "citizen"),
    *[Op(f"manage.{name}", ("web",), fn, "manage") for name, fn in (
        ("pause", manage.pause), ("resume", manage.resume), ("move", manage.move),
        ("notice", manage.notice), ("ack", manage.ack), ("close_day", manage.close_day))],
    Op("events.replay", ("county",), replay.read, "replay", read=True, room=REPLAY),
    Op("booking.slots", ("web", "kiosk", "admin"), bookings.slots, "book_read", read=True),
    Op("booking.make", ("web", "kiosk"), bookings.make, "book"),
    Op("booking.show", ("web", "kiosk"), bookings.show, "book_read", read=True),
    Op("booking.cancel", ("web",), bookings.cancel, "book"),
    Op("booking.move", ("web",), bookings.move, "book"),
    Op("booking.checkin", ("kiosk",), checkin.checkin, "book"),
    Op("booking.day", ("admin", "web"), bookings.day, "book_read", read=True),
    Op("booking.close_slots", _DESK, bookings.close_slots, "manage"),
    Op("booking.open_slots", _DESK, bookings.open_slots, "manage"),
]
OPS: dict[str, Op] = {op.name: op for op in _ALL}
assert len(OPS) == len(_ALL), "an op is named twice"
assert all(op.rate in RATE_CLASSES for op in _ALL)


def authorize(name: object, role: str) -> Op:
    """The op ``name`` if ``role`` may call it: UnknownOp (``bad_request``) or Forbidden.
    Role ``system`` is the hub itself (tick, maintenance) and may call any op."""
    op = OPS.get(name) if isinstance(name, str) else None
    if op is None:
        raise UnknownOp(f"unknown op {str(name)[:40]!r}")
    if role != "system" and role not in op.roles:
        raise Forbidden(S.ROLE_FORBIDDEN.format(role=role, op=op.name))
    return op


def run(op: Op, args: object, ctx: Context, *, engine=None, conn=None, cfg=None) -> Decision:
    """Decide an authorized ``op`` in its room (changes nothing): ``engine`` for engine ops,
    ``conn`` (and ``cfg``) for follow-up ops. The desk answers ``events.replay`` itself."""
    if op.room == ENGINE:
        return engine.run(op.handler, args, ctx)
    if op.room == FOLLOWUPS:
        return op.handler(Args(args), ctx, conn, cfg)
    raise UnknownOp(f"{op.name} is answered by the hub's desk only")


def decide(name: object, args: object, ctx: Context, **rooms) -> Decision:
    """:func:`authorize` ``name`` for ``ctx.role``, then :func:`run` it (tools and tests)."""
    return run(authorize(name, ctx.role), args, ctx, **rooms)


def role_table() -> dict[str, tuple[str, ...]]:
    """op → roles, as docs/node-api.md's table lists them."""
    return {op.name: op.roles for op in _ALL}
