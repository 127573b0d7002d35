"""hall-web's booking pages ask the hub for a service's slots once per SLOTS_FRESH_S, however
many citizens open them, and afresh after a booking made here changed them."""

from __future__ import annotations

import asyncio

from web import booking
from web.booking import BookingPages


class CountingLink:
    def __init__(self):
        self.asked: list[tuple[str, dict]] = []

    async def request(self, op: str, args: dict, timeout: float = 5.0) -> dict:
        self.asked.append((op, args))
        return {"service": args["service"], "days": []}


def test_a_crowd_of_page_views_costs_one_read(hall_config, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(booking.time, "monotonic", lambda: now[0])
    link = CountingLink()
    pages = BookingPages(hall_config, link, clock=None)

    async def views():
        for _ in range(50):
            await pages.window("A")
        await pages.window("A", "2026-11-24")       # another page: its own read
        now[0] += booking.SLOTS_FRESH_S
        await pages.window("A")                     # stale: read again
        pages.changed("A")
        await pages.window("A")                     # changed here: read again at once
    asyncio.run(views())
    assert [a for _, a in link.asked] == [{"service": "A"},
                                          {"service": "A", "from": "2026-11-24", "days": 1},
                                          {"service": "A"}, {"service": "A"}]
