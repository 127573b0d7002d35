"""The console's live picture of the hall, folded from the hub's events (today's, read back
from the database at start, then as they come) and its retained state."""

from __future__ import annotations

from datetime import datetime

from web import strings as S

ALERT_KEEP = 200
BAD_KEEP = 50
#: alerts about a device: every unacknowledged one stays in sight, however many others come
DEVICE_KINDS = ("node_offline", "printer_paper", "standby_missing")
#: the order of the alert groups on the console (a kind not named here comes last)
KIND_ORDER = ("node_offline", "printer_paper", "assist_suggested", "wait_over_limit",
              "bad_rating", "follow_up_overdue")
GROUP_SHOW = 5   # unacknowledged alerts of one other kind shown; the rest are counted


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
            self._trim()
        elif kind == "alert_ack":
            self.acks[int(d["alert_seq"])] = {"by": d.get("by"), "at": at}
        elif kind == "notice":
            self.notice = d.get("text")

    def _unacked_device(self, a: dict) -> bool:
        return a.get("kind") in DEVICE_KINDS and a.get("seq") not in self.acks

    def _trim(self) -> None:
        """Forget the oldest alerts past ALERT_KEEP, never an unacknowledged device alert."""
        extra = len(self.alerts) - ALERT_KEEP
        if extra > 0:
            for i in range(len(self.alerts) - 1, -1, -1):
                if extra == 0:
                    break
                if not self._unacked_device(self.alerts[i]):
                    del self.alerts[i]
                    extra -= 1

    def alert_groups(self) -> list[dict]:
        """The alerts by kind: every unacknowledged device alert, the newest GROUP_SHOW of
        another kind (acknowledged ones only while nothing waits), the rest counted."""
        kinds: dict[str, list[dict]] = {}
        for a in self.alerts:
            kinds.setdefault(a.get("kind"), []).append(a | {"acked": self.acks.get(a["seq"])})
        rank = {k: i for i, k in enumerate(KIND_ORDER)}
        groups = []
        for kind in sorted(kinds, key=lambda k: rank.get(k, len(rank))):
            items = kinds[kind]
            open_ = [a for a in items if not a["acked"]]
            shown = open_ if kind in DEVICE_KINDS else open_[:GROUP_SHOW]
            if not shown:
                shown = items[:1]  # all acknowledged: the newest says so
            groups.append({"kind": kind, "alerts": shown, "unacked": len(open_),
                           "more": len(items) - len(shown)})
        return groups

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
        hub = nodes.get("hub") or {}
        standby = (hub.get("health") or {}).get("standby")
        if isinstance(standby, dict):  # a hall with a standby hub: who serves, the copy's state
            node_rows.insert(0, {"node": "hub", "role": S.STANDBY["role"],
                                 "online": bool((hub.get("status") or {}).get("online")),
                                 "simulated": False, "health": standby_text(standby)})
        rated = sum(self.scores.values())
        good = self.scores[5] + self.scores[4] + self.scores[3]
        return {"at": now.isoformat(timespec="seconds"), "windows": windows,
                "services": services, "nodes": node_rows, "alert_groups": self.alert_groups(),
                "ratings": {"count": rated, "scores": self.scores,
                            "satisfaction": round(100 * good / rated, 1) if rated else None,
                            "bad": self.bad},
                "notice": self.notice or cfg.notice}


def standby_text(standby: dict) -> str:
    """Which machine serves, and whether its standby holds every acknowledged request."""
    fields = {k: str(standby.get(k, "—"))[:80] for k in
              ("serving", "term", "standby", "ack_ms", "since", "why")}
    state = "in_sync" if standby.get("state") == "in_sync" else "missing"
    behind = standby.get("behind")
    lag = S.STANDBY["behind"].format(behind=behind) \
        if state == "missing" and isinstance(behind, int) and not isinstance(behind, bool) else ""
    return (f"{S.STANDBY['serving'].format(**fields)}；{S.STANDBY[state].format(**fields)}"
            f"{lag}")[:200]


def _simulated(health: dict) -> bool:
    """The node's own word (its health's ``simulated``), or any device's (docs/node-api.md)."""
    if health.get("simulated") is True:
        return True
    return any(isinstance(v, dict) and v.get("simulated") is True for v in health.values())


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
