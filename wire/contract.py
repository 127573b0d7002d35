"""Wire contract v1: topics, error codes and message shapes (the ops, who may call them and
what they are, are the op registry's: hub.ops).

Shared by the hub and every node; the only place these names are spelled.
"""

from __future__ import annotations

import json

from wire import payload

VERSION = "0.1.0"  # hallstack's version, as every node and the hub say it in their status
MAX_PAYLOAD = 16 * 1024  # a request larger than this is refused unread

ERROR_CODES = (
    "bad_request", "unknown_service", "unknown_window", "forbidden", "closed", "capped",
    "no_ticket", "conflict",
    "no_skill",  # window.assign: the clerk on post may not serve that service
    "full",      # ticket.take: the day cannot serve this ticket before closing (capacity check)
    "internal",  # not bad input: a hub bug, answered instead of crashing
    "unavailable",  # not bad input: the hub cannot store right now (disk full); nothing done
    "rate_limited",  # faster than a person: this node (or ticket page) must slow down; nothing done
    # 网上预约 (docs/booking.md): refusals a citizen's booking page explains
    "slot_full", "already_booked", "blocked", "bad_id", "not_found", "too_late", "too_early",
)

EVENT_KINDS = (
    "issued", "called", "started", "held", "transferred", "finished", "skipped", "requeued",
    "rated", "window", "follow_up", "follow_up_step", "booked", "day_closed", "alert",
    "cancelled", "moved", "notice", "alert_ack",
    "store_recovered", "clock_step",  # the hub's own (hub.selfwatch)
    "maintenance",  # the hub's nightly upkeep (hub.maintenance)
    "booking_made", "booking_cancelled", "booking_moved", "booking_checked_in",  # docs/booking.md
    "booking_no_show", "booking_slots_changed",
    "failover",  # a standby hub took the hall over (hub.standby, docs/standby.md)
    "booking_relinked",  # booking.find gave a booking a new token (docs/booking.md)
)
PRIORITIES = ("elderly", "disabled", "military", "pregnant")
OUTCOMES = ("done", "supplement", "refused", "consult")


class HubError(Exception):
    """An op refused with a stable wire ``code`` and a message for the person in front."""

    code = "bad_request"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code is not None:
            if code not in ERROR_CODES:
                raise ValueError(f"unknown error code {code!r}")
            self.code = code
        self.message = message

    def to_wire(self) -> dict:
        return {"code": self.code, "message": self.message}


class BadRequest(HubError, ValueError):
    code = "bad_request"


class UnknownOp(BadRequest):
    """An op the contract does not know (wire code bad_request)."""


class UnknownService(HubError, LookupError):
    code = "unknown_service"


class UnknownWindow(HubError, LookupError):
    code = "unknown_window"


class Forbidden(HubError, PermissionError):
    code = "forbidden"


class Closed(HubError):
    code = "closed"


class Capped(HubError):
    code = "capped"


class NoTicket(HubError, LookupError):
    code = "no_ticket"


class Conflict(HubError):
    code = "conflict"


class InternalError(HubError):
    """A hub bug, answered instead of crashing; the request did nothing."""

    code = "internal"


class Unavailable(HubError):
    """The hub cannot store right now (a full disk), or does not serve (another hub does);
    the request did nothing and may be tried again."""

    code = "unavailable"


class NoSkill(HubError):
    code = "no_skill"


class Full(HubError):
    code = "full"


class RateLimited(HubError):
    """Requests faster than a human pace (hub.ratelimit); nothing done, never stored: the same
    request may be tried again once the node slows down."""

    code = "rate_limited"


class Blocked(HubError):
    """booking.make refused by the 爽约 rule: ``until`` (a date) says when booking opens again."""

    code = "blocked"

    def __init__(self, message: str, until: str):
        super().__init__(message)
        self.until = until

    def to_wire(self) -> dict:
        return {**super().to_wire(), "until": self.until}


_BY_CODE = {cls.code: cls for cls in (BadRequest, UnknownService, UnknownWindow, Forbidden,
                                      Closed, Capped, NoTicket, Conflict, NoSkill, Full,
                                      InternalError, Unavailable, RateLimited)}


def error_from_wire(error: dict) -> HubError:
    """The HubError subclass for a reply's ``error`` object."""
    code, message = error.get("code"), str(error.get("message", ""))
    cls = _BY_CODE.get(code)
    if cls is None:  # codes without a class of their own (网上预约's) keep their code
        return HubError(message, code if code in ERROR_CODES else None)
    return cls(message)


class Topics:
    """Topic names of one hall."""

    def __init__(self, hall_id: str):
        self.base = f"hall/{hall_id}"

    def req(self, node: str = "+") -> str:
        return f"{self.base}/req/{node}"

    def resp(self, node: str) -> str:
        return f"{self.base}/resp/{node}"

    def event(self, kind: str = "+") -> str:
        return f"{self.base}/event/{kind}"

    def state(self, key: str = "#") -> str:
        return f"{self.base}/state/{key}"

    def node_status(self, node: str = "+") -> str:
        return f"{self.base}/node/{node}/status"

    def node_health(self, node: str = "+") -> str:
        return f"{self.base}/node/{node}/health"

    def tail(self, topic: str, kind: str) -> str | None:
        """The part after ``{base}/{kind}/`` of ``topic``, or None when it is not such a topic."""
        prefix = f"{self.base}/{kind}/"
        return topic[len(prefix):] if topic.startswith(prefix) else None


def encode(payload: dict) -> bytes:
    """A payload as compact UTF-8 JSON (Chinese kept readable)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_object(raw: bytes) -> dict:
    """Parse and check a payload that must be a JSON object (wire.payload's limits: depth,
    integers, UTF-8 strings without control characters); BadRequest otherwise."""
    try:
        value = payload.parse(raw, MAX_PAYLOAD)
    except payload.PayloadError as exc:
        raise BadRequest(str(exc)) from None
    if not isinstance(value, dict):
        raise BadRequest(f"payload must be a JSON object, got {type(value).__name__}")
    return value


def ok_reply(req_id: str, result: dict | None) -> dict:
    return {"id": req_id, "ok": True, "result": result}


def error_reply(req_id: str | None, error: HubError) -> dict:
    return {"id": req_id, "ok": False, "error": error.to_wire()}
