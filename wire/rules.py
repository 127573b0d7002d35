"""The hall's rules in hall.toml, as schemas: ``[hours]``, ``[queue]``, ``[rating]``,
``[alerts]``, ``[web]`` and ``[limits.<class>]`` (docs/node-api.md, docs/call-order.md,
docs/assignment.md, docs/web.md). Each key's default, bounds and choices are stated once, on
its field; :func:`wire.schema.read` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from wire.schema import key, read, read_keys
from wire.section import Section, parse_time

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
POLICIES = ("strict", "ratio", "ageing")
BALANCES = ("preference", "worst_off")   # docs/assignment.md
ASSISTS = ("off", "suggest", "auto")
CAPACITY = ("off", "warn", "refuse")
WEB_USER_ROLES = ("manager", "viewer")
SESSIONS = (("09:00", "12:00"), ("13:00", "17:00"))   # [hours] sessions when the hall names none


@dataclass(frozen=True)
class Hours:
    """Opening sessions of a working day, the working weekdays (0 = Monday) and exceptions.
    Read by :func:`read_hours` (its keys are converted: times, day names, dates)."""

    sessions: tuple[tuple[time, time], ...]
    working_days: tuple[int, ...]
    holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.extra_working_days or day.weekday() in self.working_days

    def is_open(self, day: date, at: time) -> bool:
        return self.is_working_day(day) and any(a <= at < b for a, b in self.sessions)


@dataclass(frozen=True)
class QueueRules:
    """How windows pick the next ticket and the hall's queue limits."""

    policy: str = key("strict", choices=POLICIES)
    ratio_n: int = key(3, min=1, max=50)
    ageing_s: int = key(1800, min=60)
    recall_cap: int = key(3, min=0, max=20)
    appointment_early_s: int = key(1800, min=0)
    appointment_late_s: int = key(900, min=0)
    call_template: str = key("请{no}号到{window_name}办理")
    # worst_off: a multi-service window calls the worst-off service
    balance: str = key("preference", choices=BALANCES)
    # off | suggest | auto: idle skilled clerks help a long queue
    assist: str = key("suggest", choices=ASSISTS)
    # a suggestion for one window and service at most this often
    assist_every_s: int = key(900, min=60, max=86400)
    # off | warn | refuse: tickets the day cannot serve
    capacity: str = key("off", choices=CAPACITY)


@dataclass(frozen=True)
class RatingRules:
    """Rating binding and 差评 follow-up rules (times in seconds, deadline in working days)."""

    bind_s: int = key(300, min=10, max=86400)
    invite_s: int = key(60, min=5, max=3600)
    reasons_s: int = key(15, min=3, max=600)
    follow_up_days: int = key(5, min=1, max=60)
    default_unrated_days: int = key(0, min=0, max=60)  # 0: an unrated service stays unrated


@dataclass(frozen=True)
class AlertRules:
    """Limits that raise an alert to the hall manager."""

    max_wait_s: int = key(1800, min=60)
    clock_step_s: int = key(60, min=5)  # a system clock step larger than this is recorded and alerted


@dataclass(frozen=True)
class WebUser:
    """A console user: name, role (manager acts, viewer only looks) and a salted PBKDF2 hash
    ``pbkdf2_sha256$iterations$salt_hex$hash_hex`` (web.auth.hash_password makes one)."""

    name: str = key()
    role: str = key(choices=WEB_USER_ROLES)
    password: str = key()


@dataclass(frozen=True)
class WebRules:
    """hall-web: the address the ticket QR codes open, when a page says 即将到号, the users."""

    public_url: str = key("")
    soon_ahead: int = key(3, min=0, max=50)
    users: tuple[WebUser, ...] = ()


@dataclass(frozen=True)
class Limit:
    """One ``[limits.<class>]`` table: ``burst`` (requests at once) and ``per_minute`` (the
    refill), both optional (None: the op registry's default stays)."""

    burst: int | None = key(None, min=1, max=100_000)
    per_minute: float | None = key(None, min=0.01, max=1_000_000)


def read_queue(s: Section) -> QueueRules:
    rules = read(QueueRules, s, check=False)
    try:
        rules.call_template.format(no="A001", window=1, window_name="1号窗口", service="企业开办")
    except (KeyError, IndexError, ValueError) as exc:
        s.fail(f"unknown placeholder {exc}; use {{no}}, {{window}}, {{window_name}}, {{service}}",
               "call_template")
    s.check_unused()
    return rules


def read_rating(s: Section) -> RatingRules:
    return read(RatingRules, s)


def read_alerts(s: Section) -> AlertRules:
    return read(AlertRules, s)


def read_limits(s: Section) -> dict[str, dict]:
    """Each ``[limits.<class>]`` table as {"burst": int, "per_minute": float}, set keys only."""
    out = {}
    for name in list(s.data):
        table = s.table(name)
        got = read_keys(Limit, table)
        table.check_unused()
        out[name] = {k: v for k, v in got.items() if v is not None}
    return out


def read_web(s: Section) -> WebRules:
    got = read_keys(WebRules, s)
    url = got["public_url"].rstrip("/")
    if url and not (url.startswith("http://") or url.startswith("https://")):
        s.fail(f"must start with http:// or https://, got {url!r}", "public_url")
    users: dict[str, WebUser] = {}
    for u in s.tables("users"):
        user = read(WebUser, u, check=False)
        if user.name in users:
            u.fail(f"duplicate user {user.name!r}", "name")
        if not 0 < len(user.name) <= 32:
            u.fail("must be 1 to 32 characters", "name")
        parts = user.password.split("$")
        if len(parts) != 4 or parts[0] != "pbkdf2_sha256" or not parts[1].isdigit() \
                or int(parts[1]) < 100_000:
            u.fail("must be a salted hash pbkdf2_sha256$iterations$salt$hash (at least "
                   "100000 iterations; make one with hall-web --hash-password)", "password")
        users[user.name] = user
        u.check_unused()
    s.check_unused()
    return WebRules(url, got["soon_ahead"], tuple(users.values()))


def read_hours(s: Section) -> Hours:
    """``[hours]``: sessions ``[["HH:MM", "HH:MM"], …]`` in order, working_days (day names),
    holidays and extra_working_days (dates YYYY-MM-DD)."""
    raw = s.list("sessions", [list(pair) for pair in SESSIONS])
    sessions = []
    for i, pair in enumerate(raw):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            s.fail(f"item {i} must be [\"HH:MM\", \"HH:MM\"], got {pair!r}", "sessions")
        start, end = parse_time(pair[0], s, "sessions"), parse_time(pair[1], s, "sessions")
        if end <= start or (sessions and start < sessions[-1][1]):
            s.fail(f"item {i} {pair!r} must end after it starts and after the session before",
                   "sessions")
        sessions.append((start, end))
    if not sessions:
        s.fail("needs at least one session", "sessions")
    days = s.str_list("working_days", list(DAY_NAMES[:5]))
    for d in days:
        if d not in DAY_NAMES:
            s.fail(f"unknown day {d!r}; use {', '.join(DAY_NAMES)}", "working_days")
    holidays = tuple(_date(s, "holidays", x) for x in s.str_list("holidays", []))
    extra = tuple(_date(s, "extra_working_days", x) for x in s.str_list("extra_working_days", []))
    s.check_unused()
    return Hours(tuple(sessions), tuple(DAY_NAMES.index(d) for d in days), holidays, extra)


def _date(s: Section, name: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        s.fail(f"{text!r} is not a date YYYY-MM-DD", name)
        raise
