"""``hall-demo --days N --heap``: the nodes' process's Python heap per package after each day
(tracemalloc), so that the kiosk, the call board, the window nodes and their devices each have a
figure though they share one process in the demo (on a hall they are a process each). It slows
the run (every allocation is traced): a measuring run, not the month's figures."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("kiosk", "callboard", "rater", "devices", "wire", "hallsim")


def start() -> None:
    tracemalloc.start(1)  # the allocating line only: the cheapest that names a package


def by_room() -> dict[str, int] | None:
    """kB of live Python objects allocated by each package's code (the rest: ``other``, e.g.
    json or paho on a node's behalf); None when tracing is off."""
    if not tracemalloc.is_tracing():
        return None
    kb = dict.fromkeys((*ROOMS, "other"), 0)
    for stat in tracemalloc.take_snapshot().statistics("filename"):
        path = Path(stat.traceback[0].filename)
        room = path.relative_to(ROOT).parts[0] if path.is_relative_to(ROOT) else "other"
        kb[room if room in kb else "other"] += stat.size
    return {room: round(size / 1024) for room, size in kb.items()}


def table(lines: list[dict]) -> str:
    """The heap per package per day, and its growth after the first day."""
    days = [d for d in lines if d.get("heap_kb")]
    if not days:
        return ""
    rooms = list(days[0]["heap_kb"])
    rows = ["Python heap kB per package per day (nodes' process)  "
            + " ".join(f"{r:>9}" for r in rooms)]
    rows += [f"{d['day']}                                   "
             + " ".join(f"{d['heap_kb'][r]:>9}" for r in rooms) for d in days]
    first, last = days[0]["heap_kb"], days[-1]["heap_kb"]
    rows.append("growth after the first day                           "
                + " ".join(f"{last[r] - first[r]:>+9}" for r in rooms))
    return "\n".join(rows)
