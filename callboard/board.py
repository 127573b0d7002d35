"""What the hall display shows, as plain data built only from retained state and `called` events."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_CALLS = 10


@dataclass(frozen=True)
class CallLine:
    """One call on the board."""

    no: str
    window: int
    window_name: str
    at: str
    recall: bool = False


@dataclass
class BoardState:
    """The hall display's picture of the hall. ``flash_since`` is the monotonic time the newest
    call arrived as an event (None after a restart: retained calls never flash).
    """

    window_names: dict[int, str]
    service_names: dict[str, str]
    calls: list[CallLine] = field(default_factory=list)
    queue: dict[str, dict] = field(default_factory=dict)
    windows: dict[int, dict] = field(default_factory=dict)
    flash_since: float | None = None
    notice: str | None = None  # the manager's scrolling notice (None: the hall config's)

    def _name(self, window: int, given: object = None) -> str:
        if isinstance(given, str) and given:
            return given
        return self.window_names.get(window, f"{window}号窗口")

    def apply_board(self, payload: dict) -> None:
        """Take the retained ``state/board`` (newest first); malformed calls are skipped, a
        payload without a list of calls is refused (ValueError) and changes nothing."""
        calls = payload.get("calls")
        if not isinstance(calls, list):
            raise ValueError(f"state/board without a list of calls: {calls!r:.60}")
        lines = []
        for call in calls:
            line = _line(call, self._name)
            if line is not None:
                lines.append(line)
        self.calls = lines[:MAX_CALLS]
        notice = payload.get("notice")
        self.notice = notice if isinstance(notice, str) and notice else None

    def apply_queue(self, payload: dict) -> None:
        """Take the retained ``state/queue``; ValueError (nothing changed) when malformed."""
        services = payload.get("services")
        if not isinstance(services, dict):
            raise ValueError(f"state/queue without a table of services: {services!r:.60}")
        self.queue = dict(services)

    def apply_window(self, window: int, payload: dict) -> None:
        """Take the retained ``state/window/{n}``; ValueError (nothing changed) when malformed."""
        if payload.get("status") not in ("open", "paused", "closed"):
            raise ValueError(f"state/window/{window} with status {payload.get('status')!r:.30}")
        self.windows[window] = payload

    def on_called(self, event: dict, now: float) -> CallLine | None:
        """A ``called`` event: the newest call goes on top and flashes; None if malformed."""
        line = _line(event, self._name)
        if line is None:
            return None
        self.calls = [line] + [c for c in self.calls if (c.no, c.window) != (line.no, line.window)]
        del self.calls[MAX_CALLS:]
        self.flash_since = now
        return line

    @property
    def newest(self) -> CallLine | None:
        return self.calls[0] if self.calls else None

    def paused(self) -> list[tuple[int, str, str | None, str]]:
        """``(number, name, reason, status)`` of windows not open, by number."""
        out = []
        for n in sorted(self.windows):
            w = self.windows[n]
            if w.get("status") in ("paused", "closed"):
                out.append((n, self._name(n, w.get("name")), w.get("reason"), w["status"]))
        return out

    def waiting(self) -> list[tuple[str, str, int, int | None]]:
        """``(service id, name, waiting, est_wait_s)`` for every service of the hall, in order."""
        out = []
        for sid, name in self.service_names.items():
            q = self.queue.get(sid) if isinstance(self.queue.get(sid), dict) else {}
            waiting = q.get("waiting") if isinstance(q.get("waiting"), int) else 0
            est = q.get("est_wait_s") if isinstance(q.get("est_wait_s"), int) else None
            out.append((sid, q.get("name") or name, waiting, est))
        return out

    def picture(self) -> dict:
        """Everything the display shows except the clock and the notice's scroll position."""
        return {
            "calls": [(c.no, c.window, c.window_name, c.recall) for c in self.calls],
            "waiting": self.waiting(),
            "paused": self.paused(),
        }


def parse_call(call: object) -> tuple[str, int] | None:
    """``(no, window)`` of a call payload, or None when it has no ticket or window number."""
    if not isinstance(call, dict):
        return None
    no, window = call.get("no"), call.get("window")
    if not isinstance(no, str) or not no or isinstance(window, bool) or not isinstance(window, int):
        return None
    return no, window


def _line(call: object, name) -> CallLine | None:
    parsed = parse_call(call)
    if parsed is None:
        return None
    no, window = parsed
    return CallLine(no, window, name(window, call.get("window_name")), str(call.get("at", "")),
                    bool(call.get("recall", False)))
