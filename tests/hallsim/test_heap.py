"""hall-demo --days N --heap (hallsim/heap.py): the nodes' process's Python heap by package, a
figure per room though the demo runs the nodes in one process."""

import tracemalloc

from devices.recorder import Recent
from hallsim import heap


def test_the_heap_is_counted_by_package_and_tabled_per_day():
    assert not tracemalloc.is_tracing() and heap.by_room() is None
    heap.start()
    try:
        before = heap.by_room()
        kept = [Recent(10, range(10)) for _ in range(20_000)]  # allocated by devices' code
        after = heap.by_room()
    finally:
        tracemalloc.stop()
    assert set(after) == {*heap.ROOMS, "other"} and len(kept) == 20_000
    assert after["devices"] - before["devices"] > 100  # kB
    lines = [{"day": "2026-12-01", "heap_kb": before}, {"day": "2026-12-02", "heap_kb": after}]
    text = heap.table(lines).splitlines()
    assert text[1].startswith("2026-12-01") and text[2].startswith("2026-12-02")
    assert text[-1].startswith("growth") and heap.table([{"day": "x"}]) == ""
