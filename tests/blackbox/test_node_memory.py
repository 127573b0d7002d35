"""Each hallstack process, started as its unit starts it, runs with glibc's malloc limited to two
arenas (issue 28.4: a node's RSS over a month; docs/month.md), read from /proc/<pid>/maps: at
most one thread arena's heap however many threads the process has."""

from __future__ import annotations

from .devices_parts import run_node, stop, wait_health
from .memory_parts import thread_arena_heaps, threads
from .web_parts import WebProc

NODES = (("hall-kiosk", "kiosk-1"), ("hall-callboard", "board-1"), ("hall-rater", "rater-1"))


def test_the_hub_the_nodes_and_hall_web_keep_one_thread_arena(make_hall):
    hall = make_hall()
    hub = hall.start_hub()
    web = WebProc(hall)
    started = []
    try:
        for script, node in NODES:
            started.append(run_node(hall, script, node, "--simulate", log_name=node))
        for (_, node), proc in zip(NODES, started):
            wait_health(hall, proc, node)  # serving: its threads have run and allocated
        pids = {"hub": hub.pid, "web": web.process.pid,
                **{node: proc.pid for (_, node), proc in zip(NODES, started)}}
        seen = {name: (threads(pid), thread_arena_heaps(pid)) for name, pid in pids.items()}
        # the nodes and hall-web run two threads or more beside the main one, each of which
        # would take an arena of its own (the hub's second thread may share the main one's)
        assert all(n >= 3 for name, (n, _) in seen.items() if name != "hub"), seen
        assert all(heaps <= 1 for _, heaps in seen.values()), seen
    finally:
        for proc in started:
            stop(proc)
        web.stop()
