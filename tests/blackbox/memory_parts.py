"""What a running process's memory map says about its C allocator, read from /proc.

glibc's malloc gives a thread that allocates an arena of its own; every arena but the main one
lives in heaps that are mmap'd 64 MiB regions aligned to 64 MiB (HEAP_MAX_SIZE on 64-bit: the
part in use read-write, the rest reserved ``---p``). Counting those regions in
/proc/<pid>/maps counts the process's thread arenas from outside, without its code.
"""

from __future__ import annotations

from pathlib import Path

HEAP_MAX = 64 << 20


def _maps(pid: int) -> list[tuple[int, int, str, bool]]:
    """(start, end, permissions, backed by a file or named) per mapping."""
    rows = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        rows.append((start, end, fields[1], len(fields) > 5))
    return rows


def thread_arena_heaps(pid: int) -> int:
    """How many malloc heaps of thread arenas the process has mapped."""
    rows = _maps(pid)
    heaps = 0
    for i, (start, end, perm, named) in enumerate(rows):
        if start % HEAP_MAX or named or perm != "rw-p":
            continue
        if i + 1 < len(rows) and rows[i + 1][:1] == (end,) and rows[i + 1][2] == "---p" \
                and not rows[i + 1][3]:
            end = rows[i + 1][1]  # the heap's reserved rest
        heaps += end - start == HEAP_MAX
    return heaps


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))
