"""Issue 28.4: a simulated device runs through a month of hall-demo. It records exactly what the
real device would receive, but only its last entries (a stated size): after many operations
it holds that many, the newest ones, and no more."""

from __future__ import annotations

import pytest

from devices.gpio.sim import KEPT, SimulatedPins
from devices.printer.commands import CUT_FULL
from devices.printer.simulated import JOBS_KEPT, SimulatedPrinter
from devices.recorder import Recent

MANY = 5_000


def test_recent_keeps_the_last_size_items_oldest_first():
    r = Recent(3, [1, 2, 3, 4])
    assert r == [2, 3, 4]
    for i in range(5, 1000):
        r.append(i)
    assert r == [997, 998, 999] and r[-1] == 999 and r[1:] == [998, 999]
    with pytest.raises(ValueError, match="size"):
        Recent(0)


def test_simulated_pins_keep_their_last_edges_outputs_and_patterns():
    pins = SimulatedPins(time_source=lambda: 0.0)
    pins.setup_input(5, "up", lambda pin, level, t: None)
    pins.setup_output(13)
    pins.setup_output(18)
    for i in range(MANY):
        pins.tap(5, at=float(i), hold_s=0.1)
        pins.set_output(13, "on" if i % 2 else "off")
        pins.play(18, (0.1,))
    assert len(pins.states[5]) == KEPT and pins.states[5][-1] == (MANY - 1 + 0.1, 1)
    assert len(pins.outputs) == KEPT and pins.outputs[-1] == (0.0, 13, "on")
    assert len(pins.played) == KEPT and pins.played[-1] == (0.0, 18, (0.1,))
    pins.tap(5)  # without a time: after the last kept release, as before the bound
    assert pins.states[5][-2][0] == pytest.approx(MANY - 1 + 0.2)


def test_simulated_printer_keeps_its_last_jobs_exactly():
    printer = SimulatedPrinter()
    jobs = [b"ticket %d\n" % i + CUT_FULL for i in range(MANY)]
    for job in jobs:
        printer.write(job)
    assert len(printer.jobs) == JOBS_KEPT
    assert [j.data for j in printer.jobs] == jobs[-JOBS_KEPT:]
    assert printer.output == b"".join(jobs[-JOBS_KEPT:])
