"""What a node did, kept only for whoever attached a recorder: tests and hall-sim.

A node runs for months on a Pi: nothing it keeps may grow with the calls, tickets or ratings it
has seen. So a node and its devices hand each such fact (an announcement started, a ticket
issued, a rating answered) to a :class:`Recorder`; in production that is :data:`DISCARD`, which
keeps nothing. Tests and hall-sim attach a :class:`Recording` (``node.attach(rec)``) and read
``rec["said"]``, ``rec["timing"]`` … Each node's docs page lists what it records.
"""

from __future__ import annotations

from typing import Protocol


class Recorder(Protocol):
    """Takes one fact: ``what`` names its kind, ``item`` is the fact (a value, a tuple)."""

    def record(self, what: str, item: object) -> None: ...


class Discard:
    """The production recorder: keeps nothing."""

    def record(self, what: str, item: object) -> None:
        pass


DISCARD: Recorder = Discard()


class Recording:
    """Keeps every fact, by kind, for as long as it is attached (tests, hall-sim only: it grows)."""

    def __init__(self) -> None:
        self._items: dict[str, list] = {}

    def record(self, what: str, item: object) -> None:
        self._items.setdefault(what, []).append(item)

    def __getitem__(self, what: str) -> list:
        """The facts of kind ``what`` so far, oldest first (the live list; empty if none)."""
        return self._items.setdefault(what, [])

    def kinds(self) -> list[str]:
        return sorted(self._items)

    def tagged(self, tag: str) -> Recorder:
        """A recorder filing ``what`` as ``what/tag`` here (one device of several, e.g. the LED
        screen of window 3: ``rec["led.sent/3"]``)."""
        return _Tagged(self, tag)


class _Tagged:
    def __init__(self, to: Recording, tag: str):
        self._to, self._tag = to, tag

    def record(self, what: str, item: object) -> None:
        self._to.record(f"{what}/{self._tag}", item)


class Recent(list):
    """The last ``size`` items appended, oldest first: a simulated device's own record of what
    it received (tests read it as a list), bounded so that a month's run does not grow with it.
    Only :meth:`append` adds; past ``size`` it drops the oldest."""

    def __init__(self, size: int, items=()):
        if size < 1:
            raise ValueError(f"size must be ≥ 1, got {size!r}")
        super().__init__(items)
        self.size = size
        del self[:-size]

    def append(self, item) -> None:
        super().append(item)
        if len(self) > self.size:
            del self[0]
