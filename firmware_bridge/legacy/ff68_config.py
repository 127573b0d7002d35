"""Build an FF68 bus from a node's ``devices`` table (docs/legacy-ff68.md, "Configuration").

Example (``[nodes.area-1.devices.ff68]`` in hall.toml)::

    port = "/dev/ttyUSB0"      # required
    baud = 9600                # 1200–115200
    parity = "N"               # N | E | O
    repeat_window_s = 1.5      # see ff68_bus
    gap_s = 0.1                # silence that ends a partial frame
    local_echo = false
    any_key_resumes = true
    keys = { skip = "06+0F" }  # overrides of the protocol page's codes
    [nodes.area-1.devices.ff68.units]
    1 = { window = 1 }                         # a caller
    17 = { window = 1, pad = "4key" }          # a rater; ratings = { "00" = 2, … } overrides
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import LegacyConfigError, config_float, config_int, config_str, reject_unknown
from .ff68_bus import FF68Bus, UnitSettings
from .ff68_keymap import KeyMap, rating_map

_KEYS = {"port", "baud", "parity", "stopbits", "repeat_window_s", "gap_s", "local_echo",
         "any_key_resumes", "keys", "units"}
_UNIT_KEYS = {"window", "pad", "ratings"}


@dataclass
class FF68Settings:
    port: str
    baud: int
    parity: str
    stopbits: int
    repeat_window_s: float
    gap_s: float
    local_echo: bool
    keymap: KeyMap
    units: list[UnitSettings]


def _bool(table: dict, key: str, path: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise LegacyConfigError(f"{path}.{key}: must be true or false, got {value!r}")
    return value


def parse_settings(table: dict, path: str = "ff68",
                   windows: set[int] | None = None) -> FF68Settings:
    """Validate the table; ``windows`` (the hall's window numbers) checks each unit's window."""
    if not isinstance(table, dict):
        raise LegacyConfigError(f"{path}: must be a table")
    reject_unknown(table, _KEYS, path)
    any_key_resumes = _bool(table, "any_key_resumes", path, True)
    keys = table.get("keys", {})
    if not isinstance(keys, dict):
        raise LegacyConfigError(f"{path}.keys: must be a table")
    keymap = KeyMap.from_table(keys, f"{path}.keys", any_key_resumes)
    units_table = table.get("units")
    if not isinstance(units_table, dict) or not units_table:
        raise LegacyConfigError(f"{path}.units: must be a table of unit address → "
                                "{ window = N }, with at least one unit")
    units = []
    for addr_text, unit in units_table.items():
        upath = f"{path}.units.{addr_text}"
        try:
            addr = int(addr_text)
        except ValueError:
            raise LegacyConfigError(f"{upath}: a unit address is a number 0–255") from None
        if not 0 <= addr <= 255:
            raise LegacyConfigError(f"{upath}: a unit address is a number 0–255")
        if not isinstance(unit, dict):
            raise LegacyConfigError(f"{upath}: must be a table like {{ window = 1 }}")
        reject_unknown(unit, _UNIT_KEYS, upath)
        window = config_int(unit, "window", upath, -1, 1, 9999)
        if windows is not None and window not in windows:
            raise LegacyConfigError(f"{upath}.window: no window {window} in the hall; "
                                    f"windows are {sorted(windows)}")
        pad = config_str(unit, "pad", upath, "4key")
        ratings = unit.get("ratings")
        if ratings is not None and not isinstance(ratings, dict):
            raise LegacyConfigError(f"{upath}.ratings: must be a table value → score")
        units.append(UnitSettings(addr, window, rating_map(pad, ratings, upath)))
    return FF68Settings(
        port=config_str(table, "port", path, None),
        baud=config_int(table, "baud", path, 9600, 1200, 115200),
        parity=config_str(table, "parity", path, "N", ("N", "E", "O")),
        stopbits=config_int(table, "stopbits", path, 1, 1, 2),
        repeat_window_s=config_float(table, "repeat_window_s", path, 1.5, 0.0, 30.0),
        gap_s=config_float(table, "gap_s", path, 0.1, 0.005, 5.0),
        local_echo=_bool(table, "local_echo", path, False),
        keymap=keymap,
        units=units,
    )


def open_bus(settings: FF68Settings, *, name: str = "ff68",
             clock: Callable[[], float] = time.monotonic) -> FF68Bus:
    """Open the serial line and return a started bus."""
    from .serial_line import SerialLine

    line = SerialLine(settings.port, settings.baud, settings.parity, settings.stopbits,
                      settings.gap_s)
    bus = FF68Bus(line, settings.units, settings.keymap, name=name, clock=clock,
                  repeat_window_s=settings.repeat_window_s, local_echo=settings.local_echo)
    bus.start()
    return bus
