"""The engine state as JSON, carried by each ``day_closed`` event (private key ``_carry``).

A hub that restarts need not replay its whole history: a fresh engine whose first event is a
``day_closed`` takes its state from the carry (what was left open: tickets still in hand, windows
on post, bookings, open follow-ups, service-time means, unrated services), then applies the
events after it. A full replay ignores the carry and ends in the same state.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from datetime import date, datetime

from hub.engine.bookstate import BookState
from hub.engine.types import Booking, FollowUp, ServiceTimes, Ticket, WindowSlot

_TIMES = {"issued_at", "order_at", "slot", "called_at", "started_at", "finished_at",
          "last_finished_at"}


def _out(obj) -> dict:
    row = dataclasses.asdict(obj)
    for k, v in row.items():
        if isinstance(v, datetime | date):
            row[k] = v.isoformat()
    return row


def _in(cls, row: dict):
    row = dict(row)
    for k, v in row.items():
        if v is not None and k in _TIMES:
            row[k] = datetime.fromisoformat(v)
    if cls is FollowUp:
        row["due"] = date.fromisoformat(row["due"])
    return cls(**row)


def dump(st) -> dict:
    """The state of ``st`` (an EngineState) as JSON-serialisable data."""
    return {
        "tickets": [_out(t) for t in st.tickets.values()],
        "windows": [_out(w) for w in st.windows.values()],
        "seq_day": st.seq_day.isoformat() if st.seq_day else None,
        "seq": dict(st.seq), "serial": st.serial, "daily": st.daily,
        "board": list(st.board),
        "times": {s: [t.total_s, t.count, t.today_s, t.today_n] for s, t in st.times.items()},
        "bookings": [_out(b) for b in st.bookings.values()],
        "follow_ups": [_out(f) for f in st.follow_ups.values()],
        "unrated": st.unrated,
        "last_close": {k: v.isoformat() for k, v in st.last_close.items()},
        "suggested": {k: v.isoformat() for k, v in st.suggested.items()},
        "notice": st.notice,
        "book": st.book.dump(),
    }


def load(st, data: dict) -> None:
    """Replace the state of ``st`` by ``data`` (from :func:`dump`). Windows and services the
    hall's config no longer has are dropped."""
    st.tickets = {t["ticket_id"]: _in(Ticket, t) for t in data["tickets"]
                  if t["service"] in st.cfg.services}
    for w in data["windows"]:
        if w["number"] in st.windows:
            st.windows[w["number"]] = _in(WindowSlot, w)
    st.seq_day = date.fromisoformat(data["seq_day"]) if data["seq_day"] else None
    st.seq = dict(data["seq"])
    st.serial = data["serial"]
    st.daily = {k: dict(v) for k, v in data["daily"].items()}
    st.board = deque((dict(c) for c in data["board"]), maxlen=st.board.maxlen)
    for sid, values in data["times"].items():
        if sid in st.times:
            st.times[sid] = ServiceTimes(*values)
    st.bookings = {b["code"]: _in(Booking, b) for b in data["bookings"]}
    st.follow_ups = {f["ticket_id"]: _in(FollowUp, f) for f in data["follow_ups"]}
    st.unrated = {k: dict(v) for k, v in data["unrated"].items()}
    st.last_close = {k: datetime.fromisoformat(v) for k, v in data["last_close"].items()}
    st.suggested = {k: datetime.fromisoformat(v) for k, v in data.get("suggested", {}).items()}
    st.notice = data.get("notice")  # absent in checkpoints written before the notice op
    st.book = BookState.load(data.get("book"))  # absent before 网上预约
