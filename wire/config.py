"""The hall config (TOML): services, windows, staff, nodes, hours and the hall's rules.

Loaded once at start and validated whole: a mistake names the file, the key and what is wrong.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wire.month import MonthRules, read_month
from wire.section import ConfigError, Section, parse_time

__all__ = [
    "AlertRules", "ConfigError", "HallConfig", "Hours", "Node", "QueueRules", "RatingRules",
    "Section", "Service", "SlotCap", "Staff", "Window", "load_config", "parse_config",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# admin: the hall manager's desk; web: hall-web, the citizens' ticket pages and the manager's
# console; county: the county collector over the bridge (docs/county.md)
ROLES = ("kiosk", "callboard", "rater", "admin", "web", "county")
POLICIES = ("strict", "ratio", "ageing")
BALANCES = ("preference", "worst_off")   # docs/assignment.md
ASSISTS = ("off", "suggest", "auto")
CAPACITY = ("off", "warn", "refuse")


@dataclass(frozen=True)
class SlotCap:
    """At most ``cap`` tickets of a service issued between ``start`` and ``end``."""

    start: time
    end: time
    cap: int


@dataclass(frozen=True)
class Service:
    """A business category (事项类别) citizens pick on the kiosk."""

    id: str
    prefix: str
    name: str
    area: str
    daily_cap: int
    slot_caps: tuple[SlotCap, ...] = ()
    service_s: int = 300


@dataclass(frozen=True)
class Window:
    """A service window; ``services`` in the order the window prefers them (until the hub
    assigns others for the day); ``allows``: what its counter can ever serve (default: all)."""

    number: int
    name: str
    services: tuple[str, ...]
    allows: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "comprehensive" if len(self.services) > 1 else "single"


@dataclass(frozen=True)
class Staff:
    """A clerk who may take the A (常驻) or B (顶岗) post at ``windows``."""

    number: str
    name: str
    post: str
    windows: tuple[int, ...]
    photo: str | None = None
    skills: tuple[str, ...] = ()  # services the clerk may serve (default: those of the windows)


@dataclass(frozen=True)
class Node:
    """A Pi node: its role, its window (raters) and its own free-form ``devices`` table."""

    id: str
    role: str
    window: int | None = None
    devices: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Hours:
    """Opening sessions of a working day, the working weekdays (0 = Monday) and exceptions."""

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

    policy: str = "strict"
    ratio_n: int = 3
    ageing_s: int = 1800
    recall_cap: int = 3
    appointment_early_s: int = 1800
    appointment_late_s: int = 900
    call_template: str = "请{no}号到{window_name}办理"
    balance: str = "preference"   # worst_off: a multi-service window calls the worst-off service
    assist: str = "suggest"       # off | suggest | auto: idle skilled clerks help a long queue
    assist_every_s: int = 900     # a suggestion for one window and service at most this often
    capacity: str = "off"         # off | warn | refuse: tickets the day cannot serve


@dataclass(frozen=True)
class RatingRules:
    """Rating binding and 差评 follow-up rules (times in seconds, deadline in working days)."""

    bind_s: int = 300
    invite_s: int = 60
    reasons_s: int = 15
    follow_up_days: int = 5
    default_unrated_days: int = 0  # 0: an unrated service stays unrated


@dataclass(frozen=True)
class AlertRules:
    """Limits that raise an alert to the hall manager."""

    max_wait_s: int = 1800
    clock_step_s: int = 60  # a system clock step larger than this is recorded and alerted


@dataclass(frozen=True)
class WebUser:
    """A console user: name, role (manager acts, viewer only looks) and a salted PBKDF2 hash
    ``pbkdf2_sha256$iterations$salt_hex$hash_hex`` (web.auth.hash_password makes one)."""

    name: str
    role: str
    password: str


@dataclass(frozen=True)
class WebRules:
    """hall-web: the address the ticket QR codes open, when a page says 即将到号, the users."""

    public_url: str = ""
    soon_ahead: int = 3
    users: tuple[WebUser, ...] = ()


@dataclass(frozen=True)
class HallConfig:
    """The whole hall, as loaded from its TOML file."""

    hall_id: str
    name: str
    tz: ZoneInfo
    hotline: str
    notice: str
    hours: Hours
    queue: QueueRules
    rating: RatingRules
    alerts: AlertRules
    services: dict[str, Service]
    windows: dict[int, Window]
    staff: dict[str, Staff]
    nodes: dict[str, Node]
    source: str = "config"
    web: WebRules = WebRules()
    #: ``[limits.<class>]``: rate-limit overrides, class -> {"burst": int, "per_minute": float};
    #: the class names and defaults are the op registry's (hub.ops), checked by the hub at start
    limits: dict = field(default_factory=dict, hash=False)
    month: MonthRules = MonthRules()  # [kaohe] and [maintenance] (wire/month.py)

    def node(self, node_id: str) -> Node:
        """The node ``node_id``; ConfigError when the hall has no such node."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise ConfigError(f"{self.source}: nodes: no node {node_id!r}") from None

    def call_text(self, no: str, window: int, service: str | None) -> str:
        """The hall's one call sentence (``[queue] call_template``) for ticket ``no`` of
        ``service`` (an id; unknown: its id stands in) called to ``window``: the `called`
        event's ``text``, the LED screens and the announcement all say this."""
        known = self.services.get(service) if service is not None else None
        name = self.windows[window].name if window in self.windows else f"{window}"
        return self.queue.call_template.format(
            no=no, window=window, window_name=name,
            service=known.name if known else (service or ""))

    def windows_serving(self, service_id: str) -> tuple[int, ...]:
        """The windows that serve ``service_id`` (asked on every queue update: worked out once)."""
        return self._serving.get(service_id, ())

    @functools.cached_property
    def _serving(self) -> dict[str, tuple[int, ...]]:
        return {sid: tuple(n for n, w in self.windows.items() if sid in w.services)
                for sid in self.services}


def load_config(path: str | Path) -> HallConfig:
    """Read and validate the hall config at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, str(path))


def parse_config(data: dict, source: str = "config") -> HallConfig:
    """Validate a parsed TOML document into a :class:`HallConfig`."""
    top = Section(data, "", source)
    hall = top.table("hall", required=True)
    hall_id = hall.str("id")
    if not hall_id.replace("-", "").replace("_", "").isalnum() or not hall_id.isascii():
        hall.fail(f"must be ASCII letters, digits, - or _ (it is part of MQTT topics), got {hall_id!r}", "id")
    try:
        tz = ZoneInfo(hall.str("timezone", "Asia/Shanghai"))
    except (ZoneInfoNotFoundError, ValueError):
        hall.fail(f"unknown time zone {hall.data['timezone']!r}", "timezone")
    name, hotline = hall.str("name"), hall.str("hotline", "")
    notice = hall.str("notice", "")
    hall.check_unused()

    hours = _hours(top.table("hours"))
    queue = _queue(top.table("queue"))
    rating = _rating(top.table("rating"))
    alerts_s = top.table("alerts")
    alerts = AlertRules(max_wait_s=alerts_s.int("max_wait_s", 1800, min=60),
                        clock_step_s=alerts_s.int("clock_step_s", 60, min=5))
    alerts_s.check_unused()

    services = _services(top)
    windows = _windows(top, services)
    staff = _staff(top, windows, services)
    nodes = _nodes(top, windows)
    web = _web(top.table("web"))
    limits = _limits(top.table("limits"))
    month = read_month(top)
    top.check_unused()
    return HallConfig(hall_id, name, tz, hotline, notice, hours, queue, rating, alerts,
                      services, windows, staff, nodes, source, web, limits, month)


def _limits(s: Section) -> dict[str, dict]:
    """Each ``[limits.<class>]`` table: ``burst`` (requests at once) and ``per_minute`` (the
    refill), both optional (the registry's default stays)."""
    out = {}
    for name in list(s.data):
        t = s.table(name)
        got = {"burst": t.int("burst", None, min=1, max=100_000),
               "per_minute": t.float("per_minute", None, min=0.01, max=1_000_000)}
        t.check_unused()
        out[name] = {k: v for k, v in got.items() if v is not None}
    return out


def _hours(s: Section) -> Hours:
    raw = s.list("sessions", [["09:00", "12:00"], ["13:00", "17:00"]])
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


def _date(s: Section, key: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        s.fail(f"{text!r} is not a date YYYY-MM-DD", key)
        raise


def _queue(s: Section) -> QueueRules:
    rules = QueueRules(
        policy=s.str("policy", "strict", choices=POLICIES),
        ratio_n=s.int("ratio_n", 3, min=1, max=50),
        ageing_s=s.int("ageing_s", 1800, min=60),
        recall_cap=s.int("recall_cap", 3, min=0, max=20),
        appointment_early_s=s.int("appointment_early_s", 1800, min=0),
        appointment_late_s=s.int("appointment_late_s", 900, min=0),
        call_template=s.str("call_template", QueueRules.call_template),
        balance=s.str("balance", "preference", choices=BALANCES),
        assist=s.str("assist", "suggest", choices=ASSISTS),
        assist_every_s=s.int("assist_every_s", 900, min=60, max=86400),
        capacity=s.str("capacity", "off", choices=CAPACITY),
    )
    try:
        rules.call_template.format(no="A001", window=1, window_name="1号窗口", service="企业开办")
    except (KeyError, IndexError, ValueError) as exc:
        s.fail(f"unknown placeholder {exc}; use {{no}}, {{window}}, {{window_name}}, {{service}}",
               "call_template")
    s.check_unused()
    return rules


WEB_USER_ROLES = ("manager", "viewer")


def _web(s: Section) -> WebRules:
    url = s.str("public_url", "").rstrip("/")
    if url and not (url.startswith("http://") or url.startswith("https://")):
        s.fail(f"must start with http:// or https://, got {url!r}", "public_url")
    soon = s.int("soon_ahead", 3, min=0, max=50)
    users: dict[str, WebUser] = {}
    for u in s.tables("users"):
        name = u.str("name")
        if name in users:
            u.fail(f"duplicate user {name!r}", "name")
        if not 0 < len(name) <= 32:
            u.fail("must be 1 to 32 characters", "name")
        password = u.str("password")
        parts = password.split("$")
        if len(parts) != 4 or parts[0] != "pbkdf2_sha256" or not parts[1].isdigit() \
                or int(parts[1]) < 100_000:
            u.fail("must be a salted hash pbkdf2_sha256$iterations$salt$hash (at least "
                   "100000 iterations; make one with hall-web --hash-password)", "password")
        users[name] = WebUser(name, u.str("role", choices=WEB_USER_ROLES), password)
        u.check_unused()
    s.check_unused()
    return WebRules(url, soon, tuple(users.values()))


def _rating(s: Section) -> RatingRules:
    rules = RatingRules(
        bind_s=s.int("bind_s", 300, min=10, max=86400),
        invite_s=s.int("invite_s", 60, min=5, max=3600),
        reasons_s=s.int("reasons_s", 15, min=3, max=600),
        follow_up_days=s.int("follow_up_days", 5, min=1, max=60),
        default_unrated_days=s.int("default_unrated_days", 0, min=0, max=60),
    )
    s.check_unused()
    return rules


def _services(top: Section) -> dict[str, Service]:
    services: dict[str, Service] = {}
    prefixes: set[str] = set()
    for s in top.tables("services"):
        sid = s.str("id")
        prefix = s.str("prefix", sid)
        if len(prefix) != 1 or not ("A" <= prefix <= "Z"):
            s.fail(f"must be one capital letter A–Z, got {prefix!r}", "prefix")
        if sid in services or prefix in prefixes:
            s.fail(f"duplicate service id or prefix {sid!r}/{prefix!r}", "id")
        caps = []
        for c in s.tables("slot_caps"):
            caps.append(SlotCap(c.time("from"), c.time("to"), c.int("cap", min=0, max=999)))
            c.check_unused()
        services[sid] = Service(
            id=sid, prefix=prefix, name=s.str("name"), area=s.str("area", "综合服务"),
            daily_cap=s.int("daily_cap", 999, min=0, max=999), slot_caps=tuple(caps),
            service_s=s.int("service_s", 300, min=10, max=14400),
        )
        prefixes.add(prefix)
        s.check_unused()
    if not services:
        top.fail("the hall needs at least one [[services]]", "services")
    return services


def _windows(top: Section, services: dict[str, Service]) -> dict[int, Window]:
    windows: dict[int, Window] = {}
    for s in top.tables("windows"):
        number = s.int("number", min=1, max=999)
        if number in windows:
            s.fail(f"duplicate window number {number}", "number")
        serves = s.str_list("services")
        for sid in serves:
            if sid not in services:
                s.fail(f"unknown service {sid!r}; known: {', '.join(services)}", "services")
        if not serves:
            s.fail("a window must serve at least one service", "services")
        allows = s.str_list("allows", list(services))
        for sid in allows:
            if sid not in services:
                s.fail(f"unknown service {sid!r}; known: {', '.join(services)}", "allows")
        for sid in serves:
            if sid not in allows:
                s.fail(f"serves {sid!r} but its counter does not allow it", "allows")
        windows[number] = Window(number, s.str("name", f"{number}号窗口"), tuple(serves),
                                 tuple(allows))
        s.check_unused()
    return windows


def _staff(top: Section, windows: dict[int, Window],
           services: dict[str, Service]) -> dict[str, Staff]:
    staff: dict[str, Staff] = {}
    for s in top.tables("staff"):
        number = s.str("number")
        if number in staff:
            s.fail(f"duplicate staff number {number!r}", "number")
        at = s.list("windows")
        for w in at:
            if w not in windows:
                s.fail(f"unknown window {w!r}", "windows")
        default = list(dict.fromkeys(sid for w in at for sid in windows[w].services))
        skills = s.str_list("skills", default)
        for sid in skills:
            if sid not in services:
                s.fail(f"unknown service {sid!r}; known: {', '.join(services)}", "skills")
        staff[number] = Staff(number, s.str("name"), s.str("post", "A", choices=("A", "B")),
                              tuple(at), s.str("photo", None), tuple(skills))
        s.check_unused()
    return staff


HUB_NODE = "hub"  # the hub's id on hall/{hall}/node/hub/status and its broker user


def _nodes(top: Section, windows: dict[int, Window]) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    for s in top.tables("nodes"):
        node_id = s.str("id")
        if node_id in nodes:
            s.fail(f"duplicate node id {node_id!r}", "id")
        if not node_id.replace("-", "").replace("_", "").isalnum() or not node_id.isascii():
            s.fail(f"must be ASCII letters, digits, - or _, got {node_id!r}", "id")
        if node_id == HUB_NODE:
            s.fail(f"{HUB_NODE!r} is the hub's own id (its status topic and broker user); "
                   f"rename the node", "id")
        role = s.str("role", choices=ROLES)
        window = s.int("window", None)
        if role == "rater":
            if window is None:
                s.fail("a rater node needs the window it sits at", "window")
            if window not in windows:
                s.fail(f"unknown window {window}", "window")
        elif window is not None:
            s.fail(f"only rater nodes sit at a window (this one is a {role})", "window")
        devices = s.table("devices").data
        nodes[node_id] = Node(node_id, role, window, devices)
        s.check_unused()
    return nodes
