"""The hall's arrays of tables in hall.toml, as schemas: ``[[services]]`` (with their
``[[services.slot_caps]]``), ``[[windows]]``, ``[[staff]]`` and ``[[nodes]]`` (docs/node-api.md,
docs/assignment.md). Keys are read by :mod:`wire.schema`; what one table says about another
(a window's services, a clerk's windows, a rater's window) is checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from wire.schema import key, read, read_keys
from wire.section import Section

# admin: the hall manager's desk; web: hall-web, the citizens' ticket pages and the manager's
# console; county: the county collector over the bridge (docs/county.md)
ROLES = ("kiosk", "callboard", "rater", "admin", "web", "county")
HUB_NODE = "hub"  # the hub's id on hall/{hall}/node/hub/status and its broker user


@dataclass(frozen=True)
class HallKeys:
    """``[hall]``: who the hall is (the config keeps ``tz`` as a ZoneInfo)."""

    id: str = key()   # ASCII letters, digits, - or _: it is part of MQTT topics
    name: str = key()
    timezone: str = key("Asia/Shanghai")
    hotline: str = key("")
    notice: str = key("")   # the boards' scrolling text


@dataclass(frozen=True)
class SlotCap:
    """At most ``cap`` tickets of a service issued between ``start`` and ``end``."""

    start: time = key(name="from")
    end: time = key(name="to")
    cap: int = key(min=0, max=999)


@dataclass(frozen=True)
class Service:
    """A business category (事项类别) citizens pick on the kiosk."""

    id: str = key()
    prefix: str = key(default_is="the id")   # one capital letter
    name: str = key()
    area: str = key("综合服务")
    daily_cap: int = key(999, min=0, max=999)
    slot_caps: tuple[SlotCap, ...] = ()
    service_s: int = key(300, min=10, max=14400)


@dataclass(frozen=True)
class Window:
    """A service window; ``services`` in the order the window prefers them (until the hub
    assigns others for the day); ``allows``: what its counter can ever serve (default: all)."""

    number: int = key(min=1, max=999)
    name: str = key(default_is='`"<number>号窗口"`')
    services: tuple[str, ...] = key()
    allows: tuple[str, ...] = key((), default_is="every service")

    @property
    def kind(self) -> str:
        return "comprehensive" if len(self.services) > 1 else "single"


@dataclass(frozen=True)
class Staff:
    """A clerk who may take the A (常驻) or B (顶岗) post at ``windows``."""

    number: str = key()
    name: str = key()
    windows: tuple[int, ...] = key(kind="list")
    post: str = key("A", choices=("A", "B"))
    photo: str | None = key(None)
    # services the clerk may serve
    skills: tuple[str, ...] = key((), default_is="the services of their windows")


@dataclass(frozen=True)
class Node:
    """A Pi node: its role, its window (raters) and its own free-form ``devices`` table."""

    id: str = key()
    role: str = key(choices=ROLES)
    window: int | None = key(None)
    devices: dict = field(default_factory=dict, hash=False, compare=False)


def read_services(top: Section) -> dict[str, Service]:
    services: dict[str, Service] = {}
    prefixes: set[str] = set()
    for s in top.tables("services"):
        caps = tuple(read(SlotCap, c) for c in s.tables("slot_caps"))
        svc = read(Service, s, defaults={"prefix": lambda got: got["id"]}, check=False,
                   slot_caps=caps)
        if len(svc.prefix) != 1 or not ("A" <= svc.prefix <= "Z"):
            s.fail(f"must be one capital letter A–Z, got {svc.prefix!r}", "prefix")
        if svc.id in services or svc.prefix in prefixes:
            s.fail(f"duplicate service id or prefix {svc.id!r}/{svc.prefix!r}", "id")
        services[svc.id] = svc
        prefixes.add(svc.prefix)
        s.check_unused()
    if not services:
        top.fail("the hall needs at least one [[services]]", "services")
    return services


def read_windows(top: Section, services: dict[str, Service]) -> dict[int, Window]:
    windows: dict[int, Window] = {}
    for s in top.tables("windows"):
        w = read(Window, s, check=False, defaults={
            "name": lambda got: f"{got['number']}号窗口", "allows": tuple(services)})
        if w.number in windows:
            s.fail(f"duplicate window number {w.number}", "number")
        _known(s, "services", w.services, services)
        if not w.services:
            s.fail("a window must serve at least one service", "services")
        _known(s, "allows", w.allows, services)
        for sid in w.services:
            if sid not in w.allows:
                s.fail(f"serves {sid!r} but its counter does not allow it", "allows")
        windows[w.number] = w
        s.check_unused()
    return windows


def read_staff(top: Section, windows: dict[int, Window],
               services: dict[str, Service]) -> dict[str, Staff]:
    staff: dict[str, Staff] = {}

    def their_services(got: dict) -> list[str]:
        at = [windows[w] for w in got["windows"] if w in windows]
        return list(dict.fromkeys(sid for w in at for sid in w.services))

    for s in top.tables("staff"):
        got = read_keys(Staff, s, defaults={"skills": their_services})
        if got["number"] in staff:
            s.fail(f"duplicate staff number {got['number']!r}", "number")
        for w in got["windows"]:
            if w not in windows:
                s.fail(f"unknown window {w!r}", "windows")
        _known(s, "skills", got["skills"], services)
        staff[got["number"]] = Staff(**got | {"windows": tuple(got["windows"])})
        s.check_unused()
    return staff


def read_nodes(top: Section, windows: dict) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    for s in top.tables("nodes"):
        node = read(Node, s, check=False, devices=s.table("devices").data)
        if node.id in nodes:
            s.fail(f"duplicate node id {node.id!r}", "id")
        if not node.id.replace("-", "").replace("_", "").isalnum() or not node.id.isascii():
            s.fail(f"must be ASCII letters, digits, - or _, got {node.id!r}", "id")
        if node.id == HUB_NODE:
            s.fail(f"{HUB_NODE!r} is the hub's own id (its status topic and broker user); "
                   f"rename the node", "id")
        if node.role == "rater":
            if node.window is None:
                s.fail("a rater node needs the window it sits at", "window")
            if node.window not in windows:
                s.fail(f"unknown window {node.window}", "window")
        elif node.window is not None:
            s.fail(f"only rater nodes sit at a window (this one is a {node.role})", "window")
        nodes[node.id] = node
        s.check_unused()
    return nodes


def _known(s: Section, name: str, ids: tuple[str, ...], services: dict) -> None:
    for sid in ids:
        if sid not in services:
            s.fail(f"unknown service {sid!r}; known: {', '.join(services)}", name)
