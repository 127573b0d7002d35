"""A ticket page's view kept by hall-web between hub look-ups: the ticket's own events change
its state as the hub's ``public_view`` would show it, and its place (前面还有 N 人, the estimate,
the windows' state) comes from the queue mirror and the hub's retained state."""

from __future__ import annotations

import math

#: the ticket's own event -> the view fields it sets (the rest are worked out in ``apply``)
_STATUS = {"called": "called", "started": "serving", "held": "held", "transferred": "waiting",
           "skipped": "skipped", "requeued": "waiting", "finished": "finished",
           "cancelled": "cancelled"}


def apply(view: dict, kind: str, d: dict, at: str, cfg) -> dict | None:
    """``view`` after its ticket's own event ``kind``; None when the event changes nothing
    shown (the page then keeps its view)."""
    v = dict(view)
    if kind == "rated":
        return v | {"rated": True, "can_rate": False}
    if kind == "moved":
        return _service(v, d.get("service") or v["service"], d.get("to_window"), cfg)
    status = _STATUS.get(kind)
    if status is None:
        return None
    v["status"] = status
    if kind == "called":
        v |= {"window": d.get("window"), "window_name": d.get("window_name"),
              "called_at": v.get("called_at") or d.get("called_at") or at,
              "recalls": d.get("recalls", v.get("recalls", 0))}
    elif kind == "transferred":
        v = _service(v, d.get("service") or v["service"], d.get("to_window"), cfg)
        v |= {"transferred": d.get("transferred", v.get("transferred", 0) + 1), "recalls": 0}
    elif kind == "skipped":
        v |= {"skipped": True, "window": None, "window_name": None}
    elif kind == "requeued":
        v |= {"recalls": 0}
    elif kind == "finished":
        v |= {"finished_at": at, "window": d.get("window", v.get("window"))}
    v["can_cancel"] = status in ("waiting", "skipped")
    v["can_rate"] = status == "finished" and not v.get("rated")
    if status != "waiting":
        v |= {"waiting_ahead": None, "est_wait_s": None}
    return v


def _service(v: dict, service: str, to_window: int | None, cfg) -> dict:
    svc = cfg.services.get(service)
    name = cfg.windows[to_window].name if to_window in cfg.windows else None
    return v | {"service": service, "service_name": svc.name if svc else service,
                "window": to_window, "window_name": name}


def place(view: dict, ahead: int, state: dict, cfg) -> dict:
    """A waiting ticket's view with ``ahead`` tickets before it, the estimate scaled from the
    retained queue state (the hub's time per ticket ÷ its windows' share) and the windows'
    retained state."""
    service, to_window = view["service"], view.get("window")
    q = ((state.get("queue") or {}).get("services") or {}).get(service) or {}
    waiting, est = q.get("waiting") or 0, q.get("est_wait_s")
    est_s = math.ceil(est * ahead / waiting) if waiting and est is not None else \
        view.get("est_wait_s")
    windows = [{"window": n, "name": cfg.windows[n].name,
                "status": (state.get(f"window/{n}") or {}).get("status", "closed")}
               for n in cfg.windows_serving(service) if to_window is None or n == to_window]
    return view | {"waiting_ahead": ahead, "est_wait_s": est_s, "windows": windows}
