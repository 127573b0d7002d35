"""Simulated devices are asked for, never fallen back to.

A node runs on simulated devices only when it says so: ``backend = "sim"`` at the top of its
``[nodes.<id>.devices]`` table, or ``--simulate`` on its command line (the demo, the bench and
the tests pass ``simulate=True``). Otherwise every device table must name its backend, and a
node whose config names none refuses to start with one message naming the table and the key.

The helpers read a :class:`wire.config.Section` (duck-typed: devices import no hub module).
"""

from __future__ import annotations

SIM = "sim"


def wants_simulation(top, simulate: bool) -> bool:
    """True when the node asked for simulated devices: ``simulate`` (``--simulate``) or
    ``backend = "sim"`` in its devices table ``top`` (the key is read either way)."""
    asked = top.str("backend", None, choices=(SIM,)) == SIM
    return simulate or asked


def device_backend(table, simulating: bool, sim_default: str, choices: tuple[str, ...],
                   real: tuple[str, ...]) -> str:
    """The ``backend`` key of device ``table``. Unset, it is ``sim_default`` when the node is
    simulating; otherwise the node refuses to start (ConfigError naming table and key)."""
    if simulating or "backend" in table.data:
        return table.str("backend", sim_default, choices=choices)
    parent = table.path.rsplit(".", 1)[0]
    table.fail(f"missing: [{table.path}] names no device; set backend = one of "
               f"{', '.join(real)}, or ask for simulated devices with backend = \"{SIM}\" in "
               f"[{parent}] or --simulate", "backend")
    raise AssertionError("unreachable: fail() raises")
