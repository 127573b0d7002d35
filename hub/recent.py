"""Refused requests, remembered in memory for as long as a retry can come.

A request the hub refused changed nothing, so its reply need not be stored on the SD card; but
a retry of it (a copy still in flight after the node had its answer) must get the same refusal,
never a second decision that acts. The hub keeps these replies for ``KEEP_S`` (longer than any
request's time-to-live) and at most ``MAX_KEPT`` of them: junk cannot grow the database, and a
flood of junk costs bounded memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict

KEEP_S = 660.0  # the longest ttl_ms (600 s) plus a minute
MAX_KEPT = 20_000


class RecentReplies:
    """(node, request id) -> reply, forgotten after ``keep_s`` or when over ``max_kept``."""

    def __init__(self, keep_s: float = KEEP_S, max_kept: int = MAX_KEPT):
        self.keep_s, self.max_kept = keep_s, max_kept
        self._replies: OrderedDict[tuple[str, str], tuple[float, dict]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._replies)

    def get(self, node: str, req_id: str) -> dict | None:
        self._expire()
        kept = self._replies.get((node, req_id))
        return None if kept is None else kept[1]

    def put(self, node: str, req_id: str, reply: dict) -> None:
        self._replies[(node, req_id)] = (time.monotonic() + self.keep_s, reply)
        self._replies.move_to_end((node, req_id))
        while len(self._replies) > self.max_kept:
            self._replies.popitem(last=False)

    def _expire(self) -> None:
        now = time.monotonic()
        while self._replies:
            key, (until, _) = next(iter(self._replies.items()))
            if until > now:
                return
            del self._replies[key]
