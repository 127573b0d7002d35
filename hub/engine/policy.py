"""Call order: which waiting ticket a window calls next (docs/call-order.md says it to citizens).

Groups, in order: the green channel (绿色通道), appointments whose slot has come, then the
window's service preference and issue time. A transferred ticket keeps its issue time; a ticket
transferred to this very window goes first among the ordinary ones (the citizen was already
served once and sent here). The hall's ``[queue] policy`` bends the groups:

- ``strict``: green channel always first;
- ``ratio``:  one green-channel ticket, then at least ``ratio_n`` others, while others wait;
- ``ageing``: a ticket that has waited ``ageing_s`` or longer goes ahead of the preference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from hub.config import HallConfig
from hub.engine.types import WAITING, Ticket, WindowSlot


def serves(cfg: HallConfig, window: int, t: Ticket) -> bool:
    """Whether ticket ``t`` is for ``window``: sent to it, or of a service it handles."""
    if t.to_window is not None:
        return t.to_window == window
    return t.service in cfg.windows[window].services


def order_key(cfg: HallConfig, window: int, at: datetime) -> Callable[[Ticket], tuple]:
    """The sort key of tickets for ``window`` at ``at`` under the strict grouping (smaller calls
    first). Built once per call: call_next weighs every waiting ticket with it."""
    rank = {s: i for i, s in enumerate(cfg.windows[window].services)}
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


def next_ticket(cfg: HallConfig, slot: WindowSlot, tickets: Iterable[Ticket],
                at: datetime) -> Ticket | None:
    """The ticket ``slot``'s window calls next from ``tickets`` (any statuses), or None."""
    window = slot.number
    services = cfg.windows[window].services
    # waiting, and for this window: sent to it, or of a service it handles (serves(), inlined)
    mine = [t for t in tickets if t.status == WAITING and (
        t.to_window == window if t.to_window is not None else t.service in services)]
    if not mine:
        return None
    key = order_key(cfg, window, at)
    if cfg.queue.policy == "ratio":
        green = [t for t in mine if t.priority is not None]
        others = [t for t in mine if t.priority is None]
        # since_green None: no green call yet this session, so a green ticket may go first
        green_due = slot.since_green is None or slot.since_green >= cfg.queue.ratio_n
        if green and (green_due or not others):
            return min(green, key=key)
        return min(others, key=key)
    return min(mine, key=key)

