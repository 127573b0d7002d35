"""A day's close-out in parts that each fit the wire (DESIGN.md §7: every event fits the
transport it travels on, checked where it is made).

One ``day_closed`` naming every ticket left open outgrows the 16 KiB payload limit at about 140
tickets and wire.payload's 1,000-item limit soon after, and then never reaches the county. So
the close-out is one or more ``day_closed`` events made in one transaction, each with
``part`` and ``parts`` (1-based) and its share of ``closed`` and ``windows``. Every part is a
close-out of the same ``date`` and is applied the same way (the tickets it names are closed);
only the last one carries the day's ``counts`` (and the manager's ``by``) (and, privately, the engine's checkpoint), so a
reader that adds up days reads :func:`is_last` parts only. An event without ``parts`` (logs
written before) is a whole close-out in one.
"""

from __future__ import annotations

import json

from hub.engine.types import Event
from wire import payload, vocab
from wire.contract import MAX_PAYLOAD

# what the published form adds: seq (18 digits), at (ISO with offset), epoch; part/parts/date;
# counts and closed_at, by on the last part; JSON punctuation. Measured well under this.
_HEAD_BYTES = 1024
_HEAD_ITEMS = 40
BYTE_BUDGET = MAX_PAYLOAD - _HEAD_BYTES
ITEM_BUDGET = payload.MAX_ITEMS - _HEAD_ITEMS


class TooBig(ValueError):
    """An event that cannot travel (a bug where it was made, never sent)."""


def is_last(d: dict) -> bool:
    """Whether this ``day_closed`` is the last (or only) part of its close-out."""
    return d.get("part", 1) == d.get("parts", 1)


def _cost(item: dict) -> tuple[int, int]:
    return (len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()) + 1,
            1 + len(item))


def split(date: str, closed: list[dict], windows: list[dict], counts: dict,
          closed_at: str) -> list[Event]:
    """The close-out of ``date`` at ``closed_at`` as parts: ``closed`` and ``windows`` spread
    in order over as few parts as fit; the day's ``counts`` on the last part."""
    entries = [("closed", c) for c in closed] + [("windows", w) for w in windows]
    parts: list[dict] = [{"closed": [], "windows": []}]
    used = [0, 0]
    for key, item in entries:
        size, items = _cost(item)
        if used[0] + size > BYTE_BUDGET or used[1] + items > ITEM_BUDGET:
            parts.append({"closed": [], "windows": []})
            used = [0, 0]
        parts[-1][key].append(item)
        used = [used[0] + size, used[1] + items]
    events = []
    for n, body in enumerate(parts, 1):
        data = {"date": date, **body, "closed_at": closed_at}
        if len(parts) > 1:
            data |= {"part": n, "parts": len(parts)}
        if n == len(parts):
            data["counts"] = counts
        check(data)
        events.append(Event("day_closed", data))
    return events


def check(data: dict) -> None:
    """TooBig unless ``data`` published as an event (with seq, at, epoch) fits MAX_PAYLOAD
    and wire.payload's limits."""
    public = vocab.public(data)
    wire = {"seq": 10**17, "at": "2026-11-23T10:00:00.000000+08:00", "epoch": "f" * 16,
            **public}
    size = len(json.dumps(wire, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_PAYLOAD:
        raise TooBig(f"event of {size} bytes is over the {MAX_PAYLOAD}-byte limit")
    try:
        payload.check(wire)
    except payload.PayloadError as exc:
        raise TooBig(str(exc)) from None
