"""22.8: a kiosk runs for months. With no recorder attached (as in the hall), hundreds more
tickets leave it holding exactly what it held before them (the printer aside: here it is the
simulated one, which keeps its last 256 jobs for the tests to read: tests/devices; in the hall
it is a USB printer)."""

from __future__ import annotations

import dataclasses

from devices.printer.simulated import SimulatedPrinter
from kiosk.app import build
from tests.conftest import RunningHub
from tests.helpers import grown, held, trims_once_after_closing
from wire.clock import HallClock


def test_hundreds_of_tickets_leave_nothing_behind(hall_config, broker, hall_clock, tmp_path):
    # a machine takes the tickets, faster than the kiosk's rate limit lets a person (22.2)
    cfg = dataclasses.replace(hall_config, limits={
        "kiosk": {"burst": 100000, "per_minute": 1000000}})
    hub = RunningHub(cfg, tmp_path / "hall.db", broker, hall_clock)
    node = build(hall_config, "kiosk-1", broker.url, hall_clock, simulate=True,
                 screen_backend="offscreen", printer=SimulatedPrinter())
    node.start()
    services = sorted(hall_config.services)
    taken = 0

    def tickets(n: int) -> None:
        nonlocal taken
        for _ in range(n):
            while not node.client.connected or node.busy:
                node.poll()
            assert node.choose_service(services[taken % len(services)])
            taken += 1
            while node.busy:
                node.poll()
            assert node.last_issued and not node.shown["print_failed"], node.message

    def kept() -> dict[str, int]:
        return {k: n for k, n in held(node).items() if not k.startswith(".printer")}
    try:
        tickets(40)
        before = kept()
        tickets(160)
        assert grown(before, kept()) == {}
        assert len(node.printer.jobs) == 200  # each ticket was printed
    finally:
        node.stop()
        hub.stop()


def test_the_kiosk_gives_its_free_memory_back_once_after_the_hall_closes(hall_config, broker):
    clock = HallClock(hall_config.tz, "2026-11-23T16:59:00+08:00", 1.0)
    node = build(hall_config, "kiosk-1", broker.url, clock, simulate=True,
                 screen_backend="offscreen", printer=SimulatedPrinter())
    node.start()
    try:
        trims_once_after_closing(node, clock)
    finally:
        node.stop()
