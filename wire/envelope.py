"""The request envelope, built and read in one place: the hub client (and hall-web's link
through it), the county collector and the hub's desk all use these."""

from __future__ import annotations

from wire.contract import BadRequest

MAX_TTL_MS = 600_000  # a request lives at most 10 minutes
REQUEST_FIELDS = frozenset({"id", "op", "args", "ttl_ms"})


def request(req_id: str, op: str, args: dict, ttl_ms: int | None = None) -> dict:
    """A request as sent on ``req/{node}``; ``ttl_ms`` left out: the node waits as long as it
    takes (a sender that re-sends adds a fresh one to each copy with :func:`with_ttl`)."""
    msg = {"id": req_id, "op": op, "args": args}
    return msg if ttl_ms is None else with_ttl(msg, ttl_ms)


def with_ttl(msg: dict, ttl_ms: int) -> dict:
    """``msg`` with the milliseconds its sender still waits (at least 1; the hub refuses more than
    MAX_TTL_MS)."""
    return {**msg, "ttl_ms": max(1, int(ttl_ms))}


def ttl_seconds(msg: dict) -> float | None:
    """The request's time-to-live in seconds (None: the node waits as long as it takes)."""
    if "ttl_ms" not in msg:
        return None
    ttl = msg["ttl_ms"]
    if type(ttl) is not int or not 0 < ttl <= MAX_TTL_MS:
        raise BadRequest(f"ttl_ms must be an integer of 1–{MAX_TTL_MS}, got {ttl!r}")
    return ttl / 1000


def extra_fields(msg: dict) -> set:
    """The fields of a request the envelope does not know."""
    return set(msg) - REQUEST_FIELDS


def reply_id(reply: dict) -> str | None:
    """The id a reply answers (None when it names none)."""
    req_id = reply.get("id")
    return None if req_id is None else str(req_id)
