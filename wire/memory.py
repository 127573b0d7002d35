"""The C allocator, as every long-running hallstack program sets it: two arenas from its start,
and (the nodes) free pages given back once a day after the hall has closed.

A node's process has many threads (paho's network loop, the hub link's, the device loops, the
watchdog), and glibc's malloc gives each thread that allocates an arena of its own, up to eight
per core. Memory freed in one arena is not given to another thread and seldom back to the
system (docs/month.md: over the month run the cap took the nodes' growth from +26 to +22 MB).
Two arenas are plenty for a Python process: the GIL lets one thread run Python at a time.

The limit is glibc's ``mallopt(M_ARENA_MAX, n)``, the same as ``MALLOC_ARENA_MAX=n`` in the
environment, but set by the program itself so that it holds however the process is started
(the shipped units, hall-flash's cards, a hand-started node, hall-demo). It must run before the
process starts threads: a thread's arena is picked on its first allocation. An operator's own
``MALLOC_ARENA_MAX`` (or ``glibc.malloc.arena_max`` in ``GLIBC_TUNABLES``) wins.

Freed memory inside an arena stays the process's until the allocator trims it, which it does
only at the top of the main arena: the call board renders a text surface every second (the
clock), the nodes' buffers turn over, and the holes they leave keep pages resident. So each node
also gives its free pages back once a day when the hall has closed (:class:`NightlyTrim`,
glibc's ``malloc_trim(0)``): nobody is served then (a trim of ~180 MB of freed chunks took
21 ms on the build machine).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
from datetime import date, time

log = logging.getLogger(__name__)

ARENA_MAX = 2
M_ARENA_MAX = -8  # glibc's malloc.h


@functools.cache
def _libc():
    """glibc, or None where the C library is another (musl, macOS) or cannot be loaded."""
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols: its C library's among them
        libc.gnu_get_libc_version  # noqa: B018 (only glibc has it)
    except (OSError, AttributeError, TypeError):
        return None
    return libc


def limit_arenas(n: int = ARENA_MAX, env: dict | None = None, libc=None) -> int | None:
    """Cap glibc's malloc arenas at ``n`` for this process; return the cap in effect (None:
    no glibc, nothing done). ``env``, ``libc``: for tests."""
    env = os.environ if env is None else env
    own = env.get("MALLOC_ARENA_MAX") or _tunable(env.get("GLIBC_TUNABLES", ""))
    if own:
        log.info("malloc arenas: the environment's limit %s kept", own)
        return int(own) if own.isdigit() else None
    libc = _libc() if libc is None else libc
    if libc is None:
        log.info("malloc arenas: no glibc, the C library's own policy stays")
        return None
    if not libc.mallopt(M_ARENA_MAX, n):
        log.warning("malloc arenas: mallopt(M_ARENA_MAX, %d) refused", n)
        return None
    return n


def _tunable(tunables: str) -> str | None:
    for item in tunables.replace(":", " ").split():
        key, _, value = item.partition("=")
        if key == "glibc.malloc.arena_max":
            return value
    return None


class NightlyTrim:
    """Call it on a node's loop: once per hall day, after the hall's last session, it gives
    the free pages of every arena back to the system (``malloc_trim(0)``; nothing without
    glibc). ``clock``: the node's HallClock; ``hours``: the hall's (wire.rules.Hours)."""

    def __init__(self, clock, hours, libc=None):
        self.clock, self.libc = clock, libc
        self.after: time = max(end for _, end in hours.sessions)
        self.done: date | None = None
        self.trims = 0

    def __call__(self) -> bool:
        """True when it trimmed now."""
        now = self.clock.now()
        if self.done == now.date() or now.time() < self.after:
            return False
        self.done = now.date()
        libc = _libc() if self.libc is None else self.libc
        if libc is not None:
            libc.malloc_trim(0)
        self.trims += 1
        return True
