"""The C allocator's limit every long-running hallstack process sets at its start.

A node's process has many threads (paho's network loop, the hub link's, the device loops, the
watchdog), and glibc's malloc gives each thread that allocates an arena of its own, up to eight
per core. Memory freed in one arena is not given to another thread and seldom back to the
system, so a node's RSS crept up for weeks with nothing growing in its Python heap (docs/month.md:
the month run's nodes +13 % with eight arenas and more, flat with two). Two arenas are plenty for
a Python process: the GIL lets one thread run Python at a time.

The limit is glibc's ``mallopt(M_ARENA_MAX, n)``, the same as ``MALLOC_ARENA_MAX=n`` in the
environment, but set by the program itself so that it holds however the process is started
(the shipped units, hall-flash's cards, a hand-started node, hall-demo). It must run before the
process starts threads: a thread's arena is picked on its first allocation. An operator's own
``MALLOC_ARENA_MAX`` (or ``glibc.malloc.arena_max`` in ``GLIBC_TUNABLES``) wins.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

ARENA_MAX = 2
M_ARENA_MAX = -8  # glibc's malloc.h


def _libc():
    """glibc, or None where the C library is another (musl, macOS) or cannot be loaded."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
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
