"""The console's live picture of the hall, folded from the hub's events (today's, read back
from the database at start, then as they come) and its retained state."""

from __future__ import annotations

from datetime import datetime

ALERT_KEEP = 200
BAD_KEEP = 50


class HallView:
    """Windows, queues, alerts and today's ratings as the console shows them."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.day: str | None = None
        self.reset()

    def reset(self) -> None:
        self.served: dict[int, list[int]] = {}          # window -> [count, service seconds]
        self.waiting: dict[str, tuple[str, str]] = {}   # ticket id -> (service, issued at)
        self.alerts: list[dict] = []
        self.acks: dict[int, dict] = {}
        self.scores: dict[int, int] = {n: 0 for n in range(1, 6)}
        self.bad: list[dict] = []
        self.notice: str | None = None

    def fold(self, kind: str, d: dict, at: str, seq: int | None) -> None:
        """Take one event (published payload ``d``, at ``at``)."""
        day = at[:10]
        if self.day != day and kind != "alert_ack":
            if self.day is not None and day > self.day:
                self.reset()  # a new hall day: today's figures start again
            self.day = max(day, self.day or day)
        tid = d.get("ticket_id")
        if kind == "issued" and not d.get("walk_in"):
            self.waiting[tid] = (d["service"], at)
        elif kind in ("called", "cancelled", "skipped", "held", "finished") and tid:
            self.waiting.pop(tid, None)
        elif kind in ("transferred", "requeued", "moved") and tid:
            old = self.waiting.get(tid)
            service = d.get("service") or (old[0] if old else None)
            issued = old[1] if old else d.get("issued_at") or at
            if service:
                self.waiting[tid] = (service, issued)
        elif kind == "day_closed":
            for item in d.get("closed", []):
                self.waiting.pop(item.get("ticket_id"), None)
        if kind == "finished":
            row = self.served.setdefault(int(d["window"]), [0, 0])
            row[0] += 1
            row[1] += int(d.get("service_s") or 0)
        elif kind == "rated" and not d.get("defaulted"):
            score = int(d.get("score", 0))
            if score in self.scores:
                self.scores[score] += 1
            if score <= 2:
                self.bad.insert(0, {k: d.get(k) for k in
                                    ("no", "window", "staff", "score", "level", "reasons",
                                     "rated_at", "channel", "ticket_id")})
                del self.bad[BAD_KEEP:]
        elif kind == "alert":
            self.alerts.insert(0, {"seq": seq, "at": at} | d)
            del self.alerts[ALERT_KEEP:]
        elif kind == "alert_ack":
            self.acks[int(d["alert_seq"])] = {"by": d.get("by"), "at": at}
        elif kind == "notice":
            self.notice = d.get("text")

    def snapshot(self, state: dict, nodes: dict, now: datetime) -> dict:
        """What the console's script renders."""
        cfg = self.cfg
        windows = []
        for n, w in cfg.windows.items():
            st = state.get(f"window/{n}") or {}
            count, total = self.served.get(n, [0, 0])
            serving = st.get("serving")
            since = None
            if serving and serving.get("called_at"):
                since = max(0, round((now - datetime.fromisoformat(serving["called_at"]))
                                     .total_seconds()))
            staff = st.get("staff") or {}
            served_now = [sid for sid in st.get("services") or w.services if sid in cfg.services]
            windows.append({"window": n, "name": w.name, "status": st.get("status", "closed"),
                            "services": [{"service": sid, "name": cfg.services[sid].name}
                                         for sid in served_now],
                            "assigned_by": st.get("assigned_by"),
                            "reason": st.get("reason"), "staff": staff.get("name"),
                            "staff_no": staff.get("number"),
                            "current": serving.get("no") if serving else None,
                            "since_s": since, "served": count,
                            "mean_s": round(total / count) if count else None})
        queue = (state.get("queue") or {}).get("services", {})
        longest: dict[str, int] = {}
        for service, issued in self.waiting.values():
            waited = (now - datetime.fromisoformat(issued)).total_seconds()
            longest[service] = max(longest.get(service, 0), round(waited))
        services = [{"service": sid, "name": s.name,
                     "waiting": (queue.get(sid) or {}).get("waiting", 0),
                     "est_wait_s": (queue.get(sid) or {}).get("est_wait_s"),
                     "open_windows": (queue.get(sid) or {}).get("open_windows", 0),
                     "longest_s": longest.get(sid)}
                    for sid, s in cfg.services.items()]
        node_rows = []
        for node_id, node in cfg.nodes.items():
            info = nodes.get(node_id, {})
            health = info.get("health") or {}
            node_rows.append({"node": node_id, "role": node.role,
                              "online": bool((info.get("status") or {}).get("online")),
                              "simulated": _simulated(health), "health": _health_text(health)})
        alerts = [a | {"acked": self.acks.get(a["seq"])} for a in self.alerts]
        rated = sum(self.scores.values())
        good = self.scores[5] + self.scores[4] + self.scores[3]
        return {"at": now.isoformat(timespec="seconds"), "windows": windows,
                "services": services, "nodes": node_rows, "alerts": alerts,
                "ratings": {"count": rated, "scores": self.scores,
                            "satisfaction": round(100 * good / rated, 1) if rated else None,
                            "bad": self.bad},
                "notice": self.notice or cfg.notice}


def _simulated(health: dict) -> bool:
    """Whether any device of the node reports it is simulated."""
    text = repr(health).lower()
    return "simulated" in text or "'sim'" in text


def _health_text(health: dict) -> str:
    """A short line of the node's device health (printer paper, bus errors)."""
    parts = []
    for key, value in sorted(health.items()):
        if isinstance(value, dict):
            inner = ", ".join(f"{k}={v}" for k, v in value.items()
                              if isinstance(v, (str, int, float, bool)))[:80]
            parts.append(f"{key}: {inner}")
        elif isinstance(value, (str, int, float, bool)):
            parts.append(f"{key}={value}")
    return "; ".join(parts)[:200]
