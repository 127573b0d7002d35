"""Kiosk test helpers: a kiosk built on the real broker and hub, driven by poll()."""

from __future__ import annotations

import time

import pytest

from devices.printer.simulated import SimulatedPrinter
from devices.recorder import Recording
from devices.screen import open_screen
from kiosk.app import build
from wire.client import HubClient


class KioskRig:
    """A kiosk node, its simulated printer and screen, and a real HubClient."""

    def __init__(self, cfg, broker_url, clock, size=(1080, 1920), printer=None):
        self.printer = printer or SimulatedPrinter()
        self.screen = open_screen(size, "offscreen")
        self.client = HubClient(cfg, "kiosk-1", broker_url, clock)
        self.node = build(cfg, "kiosk-1", broker_url, clock, simulate=True, screen=self.screen,
                          printer=self.printer, client=self.client)
        self.record = Recording()  # its tickets and timings (the kiosk keeps only the last)
        self.node.attach(self.record)

    def start(self, wait_state: bool = True) -> KioskRig:
        self.client.start()
        assert self.client.wait_connected(5), "kiosk could not reach the broker"
        self.node.start()
        if wait_state:
            self.poll_until(lambda: "A" in self.node.counts, what="retained queue state")
        return self

    def poll_until(self, predicate, timeout: float = 5.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.node.poll()
            if predicate():
                return
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting for {what}; view={self.node.view}")

    def take(self, service_id: str, n: int) -> None:
        """Take ``n`` tickets of ``service_id``, each to its result screen and home again."""
        for _ in range(n):
            assert self.node.choose_service(service_id)
            self.poll_until(lambda: self.node.view == "result")
            self.node.views.home()

    def tap_service(self, service_id: str) -> None:
        """Touch the centre of ``service_id``'s tile on the home screen."""
        self.node.poll()
        button = next(b for b in self.node.views.buttons if b.action == ("service", service_id))
        x, y, w, h = button.rect
        self.node.touch(x + w // 2, y + h // 2)

    def stop(self) -> None:
        self.node.stop()
        self.client.stop()


@pytest.fixture
def rig_factory(hall_config, broker, hall_clock):
    """Build kiosk rigs with other parts (``cfg``, ``clock``, ``printer``, ``broker_url``);
    each is stopped after the test."""
    rigs: list[KioskRig] = []

    def make(cfg=None, clock=None, printer=None, broker_url=None, size=(1080, 1920)):
        rig = KioskRig(cfg or hall_config, broker_url or broker.url, clock or hall_clock, size,
                       printer)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.stop()


@pytest.fixture
def kiosk(rig_factory, hub_service):
    """A kiosk on the real broker and hub with a simulated printer, portrait 1080×1920."""
    return rig_factory()

