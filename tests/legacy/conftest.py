"""Fixtures of the legacy-peripheral tests: an FF68 line (emulator on a pty + bus) and a clock."""

from __future__ import annotations

import pytest

from firmware_bridge.legacy.ff68_bus import FF68Bus, UnitSettings
from firmware_bridge.legacy.ff68_emulator import FF68Emulator
from firmware_bridge.legacy.ff68_keymap import KeyMap, rating_map
from firmware_bridge.legacy.serial_line import SerialLine
from tests.helpers import FakeTime, eventually


class RecordingLine:
    """A line for feeding a bus by hand: records what the bus writes."""

    def __init__(self):
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(bytes(data))

    def read_some(self) -> bytes:
        return b""

    def close(self) -> None:
        pass


def units(callers, raters, pad: str = "4key"):
    """Callers and raters, unit N at window N (raters at window N - 100 when N > 100)."""
    out = [UnitSettings(a, a, {}) for a in callers]
    out += [UnitSettings(a, a if a < 100 else a - 100, rating_map(pad, None, "t"))
            for a in raters]
    return out


@pytest.fixture
def clock():
    """The driver's injected clock: a test moves it; nothing waits in real time."""
    return FakeTime()


@pytest.fixture
def fed_bus(clock):
    """A bus on a :class:`RecordingLine`: units 1, 2 (callers) and 101 (rater of window 1)."""
    line = RecordingLine()
    bus = FF68Bus(line, units([1, 2], [101]), KeyMap.from_table(), clock=clock)
    presses = []
    for unit in bus.units.values():
        unit.on_press(presses.append)
    return bus, line, presses


@pytest.fixture
def ff68_line(clock):
    """``make(callers, raters, **emulator_options) -> (emulator, bus, presses)`` on a real pty."""
    made = []

    def make(callers, raters, keymap: KeyMap | None = None, **options):
        options.setdefault("before_press", lambda: clock.advance(5.0))
        emulator = FF68Emulator(list(callers) + list(raters), **options)
        line = SerialLine(emulator.path, 9600, gap_s=0.05)
        bus = FF68Bus(line, units(callers, raters), keymap or KeyMap.from_table(), clock=clock)
        presses = []
        for unit in bus.units.values():
            unit.on_press(presses.append)
        bus.start()
        made.append((emulator, bus))
        return emulator, bus, presses

    yield make
    for emulator, bus in made:
        bus.close()
        emulator.close()


@pytest.fixture
def wait_for():
    """``wait_for(predicate, timeout=5.0) -> bool``: for a reader thread to catch up."""
    return eventually


@pytest.fixture(name="make_units")
def make_units_fixture():
    return units


@pytest.fixture(name="recording_line")
def recording_line_fixture():
    return RecordingLine()
