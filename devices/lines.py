"""The RS-485 lines of one process, one per serial port path, opened through the registry.

A line (an FF68 area line, a Modbus row, a third party's protocol) is one serial port, and only
one process can own it, so every device of the process on it shares one open line. Nodes (the
rater's keypads, the callboard's LED screens) ask :class:`Lines` for a device on a port; the
line opens with its first device (the registry's ``line`` backend of that protocol) and closes
when the last lets go. No node names a protocol class: a new protocol is a registry entry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from devices import registry as _registry
from devices.registry import Registry


class LineConfigError(ValueError):
    """Two devices disagree about one port (protocol, speed, a setting the line holds once)."""


@dataclass
class OpenLine:
    """What a ``line`` factory returns: the protocol's bus object, how to close it, and the
    settings the line holds once for every device on it (each device naming one must agree)."""

    bus: object
    close: Callable[[], None]
    shared: dict = field(default_factory=dict)


@dataclass
class _Line:
    protocol: str
    baudrate: int
    opened: OpenLine
    users: int = 0


class Lines:
    """Open lines by port path. Each device taken (:meth:`keypad`, :meth:`device`) must be given
    back with :meth:`release` (the node's stop does that)."""

    def __init__(self, registry: Registry | None = None):
        self._own_registry = registry   # None: the process's (devices.registry.REGISTRY)
        self._lines: dict[str, _Line] = {}
        self._lock = threading.Lock()

    def keypad(self, spec, kind: str, window: int, path: str, clock: Callable[[], float]):
        """The KeyPad of pad ``spec`` (``backend``, ``port``, ``baudrate``, ``address``,
        ``options``); ``kind`` is ``keypad`` (a clerk's) or ``pad`` (a rating pad); ``path``
        names the table in errors; ``clock`` (the hall clock's ``monotonic``) times the line."""
        return self.device("keypad", spec.backend, spec.port, spec.baudrate, spec.address,
                           options=spec.options, clock=clock, path=path,
                           role=kind, window=window)

    def device(self, kind: str, protocol: str, port: str, baudrate: int, address: int, *,
               options: dict, clock: Callable[[], float], path: str, **extra):
        """Device ``(kind, protocol)`` at ``address`` on the line at ``port`` (opened on first
        use); ``extra`` goes to the device's factory (:data:`devices.registry.KINDS`)."""
        with self._lock:
            factory = self._registry.factory(kind, protocol, f"{path}.backend")
            line = self._line(protocol, port, baudrate, options, path, clock)
            try:
                made = factory(line.opened.bus, address, options=options, path=path, **extra)
            except Exception:
                if line.users == 0:
                    self._drop(port)
                raise
            line.users += 1
            return made

    def release(self, port: str) -> None:
        """One device on ``port`` is closed; the line closes with its last device."""
        with self._lock:
            line = self._lines.get(port)
            if line is None:
                return
            line.users -= 1
            if line.users <= 0:
                self._drop(port)

    def ports(self) -> dict[str, str]:
        """Open lines: port path → protocol."""
        with self._lock:
            return {port: line.protocol for port, line in self._lines.items()}

    def close_all(self) -> None:
        with self._lock:
            for port in list(self._lines):
                self._drop(port)

    # ---------------------------------------------------------------------------------------
    @property
    def _registry(self) -> Registry:
        return self._own_registry or _registry.REGISTRY

    def _drop(self, port: str) -> None:
        self._lines.pop(port).opened.close()

    def _line(self, protocol: str, port: str, baudrate: int, options: dict, path: str,
              clock: Callable[[], float]) -> _Line:
        line = self._lines.get(port)
        if line is None:
            opened = self._registry.open("line", protocol, port, baudrate, clock, options,
                                         path=f"{path}.backend")
            line = self._lines[port] = _Line(protocol, baudrate, opened)
            return line
        if line.protocol != protocol:
            raise LineConfigError(f"{path}.backend: port {port} is already a {line.protocol} "
                                  "line in this process")
        if line.baudrate != baudrate:
            raise LineConfigError(f"{path}.baudrate: port {port} is already open at "
                                  f"{line.baudrate} baud")
        for key, held in line.opened.shared.items():
            if key in options and options[key] != held:
                raise LineConfigError(f"{path}.{key}: every caller on port {port} must use the "
                                      f"same {key} (the line holds it once)")
        return line


LINES = Lines()   # this process's RS-485 ports: one hall-rater may host several windows
