"""Fixtures for the firmware_bridge suites: emulated buses on real ptys, signing keys."""

from __future__ import annotations

import pytest

from firmware_bridge import image as fw_image
from firmware_bridge.emulated import EmulatedPeripheral
from firmware_bridge.emulator import BusEmulator


@pytest.fixture
def emulated_bus():
    """Factory: ``emulated_bus({1: "screen", 2: "clerk_pad"}, seed=0)`` → a started BusEmulator."""
    started = []

    def make(devices: dict[int, str], seed: int = 0, **options) -> BusEmulator:
        bus = BusEmulator([EmulatedPeripheral(i, kind, **options) for i, kind in devices.items()],
                          seed=seed)
        started.append(bus.start())
        return bus

    yield make
    for bus in started:
        bus.stop()


@pytest.fixture
def signing_keys(tmp_path):
    """The hall's firmware key pair in tmp_path: (private key, public key, pub path)."""
    key_path, pub_path = fw_image.generate_keys(tmp_path / "keys")
    return (fw_image.load_private_key(key_path), fw_image.load_public_key(pub_path), pub_path)
