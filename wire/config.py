"""The hall config (TOML): services, windows, staff, nodes, hours and the hall's rules.

Loaded once at start and validated whole: a mistake names the file, the key and what is wrong.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wire.bookingconfig import BookingRules, read_booking
from wire.hall_tables import HUB_NODE, ROLES, HallKeys, Node, Service, SlotCap, Staff, Window
from wire.hall_tables import read_nodes as _nodes
from wire.hall_tables import read_services as _services
from wire.hall_tables import read_staff as _staff
from wire.hall_tables import read_windows as _windows
from wire.month import MonthRules, read_month
from wire.rules import (
    ASSISTS,
    BALANCES,
    CAPACITY,
    DAY_NAMES,
    POLICIES,
    WEB_USER_ROLES,
    AlertRules,
    Hours,
    QueueRules,
    RatingRules,
    WebRules,
    WebUser,
    read_alerts,
    read_hours,
    read_queue,
    read_rating,
)
from wire.rules import read_limits as _limits  # the parser's lines below stay as they were
from wire.rules import read_web as _web
from wire.schema import read
from wire.section import ConfigError, Section
from wire.standby import StandbySettings, read_standby

__all__ = [
    "ASSISTS", "BALANCES", "CAPACITY", "DAY_NAMES", "HUB_NODE", "POLICIES", "ROLES",
    "WEB_USER_ROLES", "AlertRules", "ConfigError", "HallConfig", "Hours", "Node", "QueueRules",
    "RatingRules", "Section", "Service", "SlotCap", "Staff", "WebRules", "WebUser", "Window",
    "load_config", "parse_config",
]


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
    booking: BookingRules | None = None  # ``[booking]``: wire.bookingconfig (None: no booking)
    standby: StandbySettings = StandbySettings()  # ``[standby]``: wire.standby (docs/standby.md)
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
    keys = read(HallKeys, hall)
    hall_id, name, hotline, notice = keys.id, keys.name, keys.hotline, keys.notice
    if not hall_id.replace("-", "").replace("_", "").isalnum() or not hall_id.isascii():
        hall.fail(f"must be ASCII letters, digits, - or _ (it is part of MQTT topics), got {hall_id!r}", "id")
    try:
        tz = ZoneInfo(keys.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        hall.fail(f"unknown time zone {keys.timezone!r}", "timezone")

    hours = read_hours(top.table("hours"))
    queue = read_queue(top.table("queue"))
    rating = read_rating(top.table("rating"))
    alerts = read_alerts(top.table("alerts"))

    services = _services(top)
    windows = _windows(top, services)
    staff = _staff(top, windows, services)
    nodes = _nodes(top, windows)
    web = _web(top.table("web"))
    limits = _limits(top.table("limits"))
    booking = read_booking(top.table("booking"), services)
    standby = read_standby(top.table("standby"))
    month = read_month(top)
    top.check_unused()
    return HallConfig(hall_id, name, tz, hotline, notice, hours, queue, rating, alerts,
                      services, windows, staff, nodes, source, web, limits, booking, standby,
                      month)

