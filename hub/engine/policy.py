"""Call order: which waiting ticket a window calls next (docs/call-order.md says it to citizens).

Groups, in order: the green channel (绿色通道), appointments whose slot has come, then the
window's service preference and issue time. A transferred ticket keeps its issue time; a ticket
transferred to this very window goes first among the ordinary ones (the citizen was already
served once and sent here). The hall's ``[queue] policy`` bends the groups:

- ``strict``: green channel always first;
- ``ratio``:  one green-channel ticket, then at least ``ratio_n`` others, while others wait;
- ``ageing``: a ticket that has waited ``ageing_s`` or longer goes ahead of the preference.

``[queue] balance = "worst_off"`` replaces the fixed preference among ordinary tickets: a
multi-service window calls first from the service whose first citizen in line is worst off,
that is whose wait so far plus the time its queue still needs is longest (docs/assignment.md).
What a window serves is the engine state's ``services_of`` (assignment, counter, clerk's skills).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from hub.engine.state import EngineState
from hub.engine.types import WAITING, Ticket, WindowSlot


def serves(st: EngineState, window: int, t: Ticket) -> bool:
    """Whether ticket ``t`` is for ``window``: sent to it, or of a service it handles now."""
    if t.to_window is not None:
        return t.to_window == window
    return t.service in st.services_of(window)


def worst_off(st: EngineState, window: int, mine: Sequence[Ticket], at: datetime) -> list[str]:
    """The window's services, worst off first: the first ordinary citizen's wait so far plus the
    time that service's queue still needs (waiting × mean time ÷ open windows serving it)."""
    heads: dict[str, Ticket] = {}
    counts: dict[str, int] = {}
    for t in mine:
        if t.priority is None and t.to_window is None:
            counts[t.service] = counts.get(t.service, 0) + 1
            head = heads.get(t.service)
            if head is None or (t.order_at, t.serial) < (head.order_at, head.serial):
                heads[t.service] = t
    services = st.services_of(window)

    def need(sid: str) -> float:
        if sid not in heads:
            return -math.inf
        open_n = sum(1 for n, w in st.windows.items()
                     if w.status == "open" and sid in st.services_of(n))
        ahead = st.times[sid].mean_s * counts[sid] / max(1, open_n)
        return (at - heads[sid].order_at).total_seconds() + ahead

    scores = {sid: need(sid) for sid in services}
    # ties keep the window's own preference
    return sorted(services, key=lambda sid: (-scores[sid], services.index(sid)))


def order_key(st: EngineState, window: int, at: datetime,
              preference: Sequence[str] | None = None) -> Callable[[Ticket], tuple]:
    """The sort key of tickets for ``window`` at ``at`` under the strict grouping (smaller calls
    first). Built once per call: call_next weighs every waiting ticket with it."""
    cfg = st.cfg
    order = st.services_of(window) if preference is None else preference
    rank = {s: i for i, s in enumerate(order)}
    unranked = len(rank)
    ageing_s = cfg.queue.ageing_s if cfg.queue.policy == "ageing" else None

    def key(t: Ticket) -> tuple:
        if t.priority is not None:
            return (0, t.order_at, t.serial)
        if t.slot is not None and t.slot <= at:
            return (1, t.slot, t.serial)
        if ageing_s is not None and (at - t.order_at).total_seconds() >= ageing_s:
            return (2, 0, t.order_at, t.serial)  # aged: by time only, ahead of the preference
        pref = -1 if t.to_window == window else rank.get(t.service, unranked)
        return (2, 1, pref, t.order_at, t.serial)

    return key


def next_ticket(st: EngineState, slot: WindowSlot, tickets: Iterable[Ticket],
                at: datetime) -> Ticket | None:
    """The ticket ``slot``'s window calls next from ``tickets`` (any statuses), or None."""
    cfg = st.cfg
    window = slot.number
    services = st.services_of(window)
    # waiting, and for this window: sent to it, or of a service it handles (serves(), inlined)
    mine = [t for t in tickets if t.status == WAITING and (
        t.to_window == window if t.to_window is not None else t.service in services)]
    if not mine:
        return None
    preference = None
    if cfg.queue.balance == "worst_off" and len(services) > 1:
        preference = worst_off(st, window, mine, at)
    key = order_key(st, window, at, preference)
    if cfg.queue.policy == "ratio":
        green = [t for t in mine if t.priority is not None]
        others = [t for t in mine if t.priority is None]
        # since_green None: no green call yet this session, so a green ticket may go first
        green_due = slot.since_green is None or slot.since_green >= cfg.queue.ratio_n
        if green and (green_due or not others):
            return min(green, key=key)
        return min(others, key=key)
    return min(mine, key=key)

