"""What the home screen lists: services grouped by area, live waiting counts, opening hours
and where to wait. Pure functions of the hall config and the hub's retained state."""

from __future__ import annotations

from datetime import datetime

from kiosk import strings as S
from wire.config import HallConfig, Hours, Service


def areas(cfg: HallConfig) -> list[tuple[str, list[Service]]]:
    """Services grouped by area, areas and services in the config's order."""
    groups: dict[str, list[Service]] = {}
    for svc in cfg.services.values():
        groups.setdefault(svc.area, []).append(svc)
    return list(groups.items())


def waiting_counts(queue_state: dict | None) -> dict[str, int]:
    """``{service: waiting}`` from the retained ``state/queue``; services without a valid
    count are left out (shown as unknown, never as 0)."""
    services = (queue_state or {}).get("services")
    if not isinstance(services, dict):
        return {}
    counts = {}
    for sid, entry in services.items():
        n = entry.get("waiting") if isinstance(entry, dict) else None
        if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
            counts[sid] = n
    return counts


def is_open(hours: Hours, at: datetime) -> bool:
    """True when ``at`` (hall time) is inside a session of a working day."""
    return hours.is_open(at.date(), at.time())


def period(hours: Hours, at: datetime) -> tuple:
    """``(date, session index or None)`` of ``at``: a 号已取完 mark lasts while this holds."""
    index = next((i for i, (a, b) in enumerate(hours.sessions) if a <= at.time() < b), None)
    return at.date(), index


def hours_text(hours: Hours) -> str:
    """``办理时间：周一至周五 09:00-12:00 13:00-17:00``."""
    days = sorted(hours.working_days)
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        day_text = f"{S.WEEKDAYS[days[0]]}至{S.WEEKDAYS[days[-1]]}"
    else:
        day_text = "、".join(S.WEEKDAYS[d] for d in days)
    sessions = " ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in hours.sessions)
    return S.CLOSED_HOURS.format(days=day_text, sessions=sessions)


def wait_at(cfg: HallConfig, service_id: str) -> str:
    """Where to wait: ``请到 1号窗口、2号窗口 附近等候叫号``."""
    names = [cfg.windows[n].name for n in cfg.windows_serving(service_id)]
    return S.WAIT_AT.format(windows=S.WINDOW_JOIN.join(names))
