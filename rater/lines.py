"""The RS-485 lines of one ``hall-rater`` process, one per serial port path.

An FF68 area line or a Modbus row is one serial port, and only one process can own it, so every
window node of the process that has a pad on it shares one :class:`~firmware_bridge.bus.BusMaster`
or :class:`~firmware_bridge.legacy.ff68_bus.FF68Bus`. :class:`Lines` opens a line on its first
pad and closes it when the last node using it lets go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.keys import KeyPad
from hub.config import ConfigError


@dataclass
class _Line:
    protocol: str  # "modbus" | "ff68"
    baudrate: int
    bus: object
    close: Callable[[], None]
    options: dict = field(default_factory=dict)  # ff68: the line's key map table
    users: int = 0


class Lines:
    """Open lines by port path. ``keypad(spec, ...)`` gives a pad's KeyPad on its line; each
    KeyPad taken must be given back with :meth:`release` (the node's stop does that)."""

    def __init__(self):
        self._lines: dict[str, _Line] = {}
        self._lock = threading.Lock()

    def keypad(self, spec, kind: str, window: int, path: str, clock: Callable[[], float],
               ) -> KeyPad:
        """The KeyPad of pad ``spec`` (a modbus or ff68 :class:`rater.settings.PadSpec`);
        ``kind`` is ``keypad`` or ``pad``; ``path`` names the table in errors; ``clock`` (the
        hall clock's ``monotonic``) times the line (an FF68 line's repeat window, a Modbus row's
        press ages)."""
        with self._lock:
            line = self._line(spec, path, clock)
            try:
                if spec.backend == "modbus":
                    pad = self._modbus_pad(line, spec, kind, window)
                else:
                    pad = self._ff68_unit(line, spec, window, path)
            except Exception:
                if line.users == 0:
                    self._drop(spec.port)
                raise
            line.users += 1
            return pad

    def release(self, port: str) -> None:
        """One pad on ``port`` is closed; the line closes with its last pad."""
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
    def _drop(self, port: str) -> None:
        line = self._lines.pop(port)
        line.close()

    def _line(self, spec, path: str, clock: Callable[[], float]) -> _Line:
        line = self._lines.get(spec.port)
        if line is not None:
            if line.protocol != spec.backend:
                raise ConfigError(f"{path}.backend: port {spec.port} is already a "
                                  f"{line.protocol} line in this process")
            if line.baudrate != spec.baudrate:
                raise ConfigError(f"{path}.baudrate: port {spec.port} is already open at "
                                  f"{line.baudrate} baud")
            keys = spec.ff68.get("keys")
            if keys is not None and keys != line.options.get("keys", {}):
                raise ConfigError(f"{path}.keys: every caller on port {spec.port} must use "
                                  "the same key map (the line decodes keys once)")
            return line
        if spec.backend == "modbus":
            from firmware_bridge.bus import BusMaster
            from firmware_bridge.link import RtuLink

            bus = BusMaster(RtuLink(spec.port, spec.baudrate), clock=clock)
            bus.start()
            line = _Line("modbus", spec.baudrate, bus, bus.stop)
        else:
            from firmware_bridge.legacy.ff68_bus import FF68Bus
            from firmware_bridge.legacy.ff68_keymap import KeyMap
            from firmware_bridge.legacy.serial_line import SerialLine

            keys = spec.ff68.get("keys") or {}
            serial = SerialLine(spec.port, spec.baudrate)
            # The repeat window runs on the hall clock, at a person's pace (docs/legacy-ff68.md):
            # in a sped-up demo a clerk's repeated 呼叫 must stay distinct presses.
            bus = FF68Bus(serial, [], KeyMap.from_table(keys), name=spec.port, clock=clock)
            bus.start()
            # a rater may open the line: then it decodes keys by the default map ({})
            line = _Line("ff68", spec.baudrate, bus, bus.close, {"keys": keys})
        self._lines[spec.port] = line
        return line

    @staticmethod
    def _modbus_pad(line: _Line, spec, kind: str, window: int) -> KeyPad:
        from firmware_bridge.modbus_devices import ModbusKeyPad

        pad_kind = "clerk_pad" if kind == "keypad" else "rating_pad"
        return ModbusKeyPad(line.bus, spec.address, pad_kind, name=f"{kind}-{window}")

    @staticmethod
    def _ff68_unit(line: _Line, spec, window: int, path: str) -> KeyPad:
        from firmware_bridge.legacy.ff68_bus import UnitSettings
        from firmware_bridge.legacy.ff68_keymap import rating_map

        ratings = {}
        if "pad" in spec.ff68:
            ratings = rating_map(spec.ff68["pad"], spec.ff68["ratings"], path)
        if spec.address in line.bus.units:
            raise ConfigError(f"{path}.address: unit {spec.address} on port {spec.port} is "
                              f"already window {line.bus.units[spec.address].window}'s")
        return line.bus.add_unit(UnitSettings(spec.address, window, ratings))
