"""A site hub's answer to ``events.replay``, checked field by field before the collector acts on
it: what a site sends is bounded and must agree with what the county knows (DESIGN.md §7)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from wire import payload
from wire.contract import EVENT_KINDS, MAX_PAYLOAD
from wire.vocab import MAX_SEQ, REPLAY_MAX

EPOCH_RE = re.compile(r"[0-9a-f]{16}")
ID_MAX = 64
REPLY_MAX_BYTES = 256 * 1024  # the brokers' max_packet_size; hub.replay answers within it


class Malformed(ValueError):
    """Not something the county can hold or believe."""


@dataclass(frozen=True)
class Answer:
    req_id: str | None
    ok: bool
    error: object = None
    epoch: str | None = None
    last_seq: int | None = None
    base: tuple[str, int] | None = None  # restored from (old epoch, seq)
    events: tuple = ()


def seq_ok(value: object, low: int = 1) -> bool:
    """An integer seq the county can store (bigint) and a hub can have (< 2**53)."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value < MAX_SEQ


def landing_time(seq: object, kind: object, at: object) -> datetime:
    """The time of an event the county is to land (its ``at``, with an offset), or Malformed
    naming its seq, kind or time."""
    if not seq_ok(seq):
        raise Malformed(f"seq {str(seq)[:24]}")
    if kind not in EVENT_KINDS:
        raise Malformed(f"kind {str(kind)[:20]!r}")
    try:
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("no offset")
    except (TypeError, ValueError):
        raise Malformed(f"at {str(at)[:40]!r}") from None
    return when


def epoch_ok(value: object) -> bool:
    return isinstance(value, str) and EPOCH_RE.fullmatch(value) is not None


def parse(raw: bytes) -> Answer:
    """The answer in ``raw``, or Malformed naming the first field out of bounds. Each event is
    checked as a live one where it lands."""
    if len(raw) > REPLY_MAX_BYTES:
        raise Malformed(f"answer of {len(raw)} bytes")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Malformed(f"answer is not JSON: {exc}"[:200]) from None
    if not isinstance(value, dict):
        raise Malformed("answer is not a JSON object")
    req_id = value.get("id")
    if req_id is not None and not (isinstance(req_id, str) and len(req_id) <= ID_MAX):
        raise Malformed("answer id")
    if value.get("ok") is not True:
        return Answer(req_id, False, str(value.get("error"))[:200])
    result = value.get("result")
    if not isinstance(result, dict):
        raise Malformed("answer without a result")
    epoch, last = result.get("epoch"), result.get("last_seq")
    if not epoch_ok(epoch):
        raise Malformed("answer epoch")
    if not seq_ok(last, 0):
        raise Malformed(f"answer last_seq {str(last)[:24]}")
    base = result.get("restored_from")
    if base is not None:
        if not (isinstance(base, dict) and epoch_ok(base.get("epoch"))
                and seq_ok(base.get("seq")) and base["seq"] <= last
                and base["epoch"] != epoch):
            raise Malformed("answer restored_from")
        base = (base["epoch"], base["seq"])
    events = result.get("events")
    if not isinstance(events, list) or len(events) > REPLAY_MAX:
        raise Malformed("answer events")
    return Answer(req_id, True, None, epoch, last, base, tuple(events))


def check_event(value: object) -> None:
    """A replayed event within wire.payload's limits, as a live one."""
    try:
        payload.check(value)
    except payload.PayloadError as exc:
        raise Malformed(str(exc)) from None


def event_object(raw: bytes) -> dict:
    """A live event's payload: within MAX_PAYLOAD and wire.payload's limits, an object."""
    try:
        value = payload.parse(raw, MAX_PAYLOAD)
    except payload.PayloadError as exc:
        raise Malformed(str(exc)) from None
    if not isinstance(value, dict):
        raise Malformed("not a JSON object")
    return value
