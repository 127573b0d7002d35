"""The engine's value types: who asks (Context), what happened (Event), what to answer (Decision),
and the in-memory records the events build (Ticket, WindowSlot, Booking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from wire import vocab

# Ticket statuses. ACTIVE ones hold the citizen's place (one per real-name id and service).
WAITING, CALLED, SERVING, HELD, SKIPPED, FINISHED, CLOSED = (
    "waiting", "called", "serving", "held", "skipped", "finished", "closed")
ACTIVE = (WAITING, CALLED, SERVING, HELD)


@dataclass(frozen=True)
class Context:
    """Who asks and when: the node, its role (kiosk|callboard|rater|admin|system), its window
    (raters only) and the hall time of the request."""

    node_id: str
    role: str
    window: int | None
    at: datetime


@dataclass(frozen=True)
class Event:
    """Something that happened. ``data`` is JSON-serialisable; keys beginning ``_`` are private
    (kept in the log, stripped before publishing: id hash, masked id, phone)."""

    kind: str
    data: dict

    def public(self) -> dict:
        """``data`` without its private keys, as published on ``event/{kind}``."""
        return vocab.public(self.data)


@dataclass(frozen=True)
class Decision:
    """The answer to a request (``result``) and the events that make it true."""

    result: dict
    events: list[Event]


@dataclass
class Ticket:
    """One ticket of the day, as the applied events left it."""

    ticket_id: str
    no: str
    service: str
    issued_at: datetime
    order_at: datetime          # sorts the queue: issue time, kept on transfer, reset on requeue
    serial: int                 # hall-wide issue order, breaks ties deterministically
    priority: str | None = None
    appointment: str | None = None
    slot: datetime | None = None
    walk_in: bool = False
    id_hash: str | None = None
    status: str = WAITING
    window: int | None = None   # the window that called / serves / holds it
    to_window: int | None = None  # transferred to one window: only it may call the ticket
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    staff: str | None = None
    recalls: int = 0
    transferred: int = 0
    skipped: bool = False
    alerted: bool = False
    rated: bool = False
    outcome: str | None = None


@dataclass
class WindowSlot:
    """A window's live state: who is on post, what it serves now, what it last finished."""

    number: int
    status: str = "closed"      # open | paused | closed
    reason: str | None = None
    staff: str | None = None
    post: str | None = None
    session_id: str | None = None
    current: str | None = None  # ticket_id in hand
    last_finished: str | None = None
    last_finished_at: datetime | None = None
    since_green: int | None = None  # ordinary calls since the last green call (ratio policy)
    logins: int = 0             # sessions opened today, numbers the next session id
    assigned: list[str] | None = None  # services set by window.assign for the day (None: config)
    assigned_by: str | None = None


@dataclass
class Booking:
    """An appointment (预约): a code, its service and slot; checked in at most once."""

    code: str
    service: str
    slot: datetime
    id_hash: str | None = None
    ticket_id: str | None = None


@dataclass
class FollowUp:
    """A 差评 follow-up case (回访、核实、整改) with its deadline."""

    ticket_id: str
    due: date
    overdue_alerted: bool = False
    closed: bool = False


#: today's measurements replace the long-run mean once there are this many
TODAY_MIN_SAMPLES = 3


@dataclass
class ServiceTimes:
    """Running mean of service time for one service (seeded from the config's service_s), and
    today's measured time a window spends per ticket (call to 办结)."""

    total_s: float
    count: int = 1
    today_s: float = 0.0
    today_n: int = 0

    @property
    def mean_s(self) -> float:
        if self.today_n >= TODAY_MIN_SAMPLES:
            return self.today_s / self.today_n
        return self.total_s / self.count
