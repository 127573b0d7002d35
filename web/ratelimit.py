"""Per-address limits for the citizens' booking pages (issue 26 item 5, the web side).

hall-web is published to citizens through the hall's reverse proxy, so the peer of every
request is the proxy: only a peer named with ``--trusted-proxy`` is believed about the
citizen's address (``X-Forwarded-For``, read from the right, skipping trusted hops); any
other peer is the client itself and its header is ignored (a phone cannot pick its own
address to dodge the limit)."""

from __future__ import annotations

import ipaddress
import time
from collections import deque

MAX_KEYS = 20_000   # addresses remembered; beyond, the stalest are forgotten


def parse_proxies(items: list[str]) -> tuple:
    """``--trusted-proxy`` values (an address or a network) as ip_network objects;
    a bad value raises ValueError with the value named."""
    nets = []
    for item in items:
        try:
            nets.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError(f"--trusted-proxy: not an address or network: {item!r}") from None
    return tuple(nets)


def _trusted(address: str, proxies: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded: str | None, proxies: tuple) -> str:
    """The citizen's address: the peer, or behind a trusted proxy the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy."""
    peer = peer or "?"
    if not forwarded or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed header: count it against the proxy's own address
    return peer


class Limiter:
    """Sliding windows: ``allow(kind, key)`` is False once ``key`` used ``kind``'s allowance
    within its window (nothing is counted for a refused try)."""

    def __init__(self, rules: dict[str, tuple[int, float]], clock=time.monotonic):
        self.rules, self.clock = rules, clock
        self._seen: dict[tuple[str, str], deque] = {}

    def allow(self, kind: str, key: str) -> bool:
        if self.exhausted(kind, key):
            return False
        self._seen[(kind, key)].append(self.clock())
        return True

    def exhausted(self, kind: str, key: str) -> bool:
        """Whether ``key`` used up ``kind`` for now (counts nothing)."""
        count, window = self.rules[kind]
        now = self.clock()
        q = self._seen.get((kind, key))
        if q is None:
            if len(self._seen) >= MAX_KEYS:
                self._forget(now)
            q = self._seen[(kind, key)] = deque()
        while q and now - q[0] >= window:
            q.popleft()
        return len(q) >= count

    def retry_after(self, kind: str, key: str) -> int:
        """Seconds until ``key`` may try ``kind`` again (0: now)."""
        _, window = self.rules[kind]
        q = self._seen.get((kind, key))
        return max(0, int(window - (self.clock() - q[0])) + 1) if q else 0

    def _forget(self, now: float) -> None:
        longest = max(w for _, w in self.rules.values())
        self._seen = {k: q for k, q in self._seen.items() if q and now - q[-1] < longest}
        while len(self._seen) >= MAX_KEYS:
            self._seen.pop(next(iter(self._seen)))
