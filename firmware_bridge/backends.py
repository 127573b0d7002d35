"""firmware_bridge's backends in the device registry (:mod:`devices.registry`): the RS-485
lines (hallstack's Modbus RTU, the legacy FF68 area line), the devices on them (keypads, LED
screens) and the Onbon BX screen. Factories import their protocol modules only when called."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from devices.lines import LineConfigError, OpenLine
from firmware_bridge.legacy.errors import LegacyConfigError

_HERE = "firmware_bridge.backends"
BACKENDS = {
    ("line", "modbus"): f"{_HERE}:modbus_line",
    ("line", "ff68"): f"{_HERE}:ff68_line",
    ("keypad", "modbus"): f"{_HERE}:modbus_keypad",
    ("keypad", "ff68"): f"{_HERE}:ff68_keypad",
    ("keypad_options", "ff68"): f"{_HERE}:ff68_options",
    ("led", "modbus"): f"{_HERE}:modbus_screen",
    ("led", "bx"): f"{_HERE}:bx_screen",
}


def modbus_line(port: str, baudrate: int, clock: Callable[[], float], options: dict) -> OpenLine:
    """A Modbus RTU row: one bus master (and its polling thread) on the port."""
    from firmware_bridge.bus import BusMaster
    from firmware_bridge.link import RtuLink

    bus = BusMaster(RtuLink(port, baudrate), clock=clock)
    bus.start()
    return OpenLine(bus, bus.stop)


def ff68_line(port: str, baudrate: int, clock: Callable[[], float], options: dict) -> OpenLine:
    """An FF68 area line; it decodes keys once, by the key map every caller on it shares (a
    rater may open it: then by the default map)."""
    from firmware_bridge.legacy.ff68_bus import FF68Bus
    from firmware_bridge.legacy.ff68_keymap import KeyMap
    from firmware_bridge.legacy.serial_line import SerialLine

    keys = options.get("keys") or {}
    serial = SerialLine(port, baudrate)
    # The repeat window runs on the hall clock, at a person's pace (docs/legacy-ff68.md):
    # in a sped-up demo a clerk's repeated 呼叫 must stay distinct presses.
    bus = FF68Bus(serial, [], KeyMap.from_table(keys), name=port, clock=clock)
    bus.start()
    return OpenLine(bus, bus.close, {"keys": keys})


def modbus_keypad(bus, address: int, *, role: str, window: int, options: dict, path: str):
    from firmware_bridge.modbus_devices import ModbusKeyPad

    pad_kind = "clerk_pad" if role == "keypad" else "rating_pad"
    return ModbusKeyPad(bus, address, pad_kind, name=f"{role}-{window}")


def ff68_keypad(bus, address: int, *, role: str, window: int, options: dict, path: str):
    from firmware_bridge.legacy.ff68_bus import UnitSettings
    from firmware_bridge.legacy.ff68_keymap import rating_map

    ratings = {}
    if "pad" in options:
        ratings = rating_map(options["pad"], options["ratings"], path)
    if address in bus.units:
        raise LineConfigError(f"{path}.address: unit {address} on port {bus.name} is already "
                              f"window {bus.units[address].window}'s")
    return bus.add_unit(UnitSettings(address, window, ratings))


def ff68_options(table: dict, clerk: bool, path: str) -> dict:
    """The key map (a caller) or the rating map (a rater), checked by the FF68 driver's rules;
    LegacyConfigError (a ValueError) names the key."""
    from firmware_bridge.legacy.ff68_keymap import KeyMap, rating_map

    own = ("keys",) if clerk else ("pad", "ratings")
    for key in table:
        if key not in own:
            near = difflib.get_close_matches(key, own, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise LegacyConfigError(f"{path}.{key}: unknown key{hint}")
    if clerk:
        keys = table.get("keys", {})
        KeyMap.from_table(keys, f"{path}.keys")
        return {"keys": dict(keys)}
    pad = table.get("pad", "4key")
    ratings = table.get("ratings")
    rating_map(pad, ratings, path)
    return {"pad": pad, "ratings": None if ratings is None else dict(ratings)}


def modbus_screen(bus, address: int, *, options: dict, path: str, name: str):
    from firmware_bridge.modbus_devices import ModbusWindowScreen

    return ModbusWindowScreen(bus, address, name=name)


def bx_screen(port, *, path: str, out_dir=None):
    """An Onbon BX-5/6 screen from the window's ``bx`` table (docs/legacy-bx.md)."""
    from firmware_bridge.legacy.bx_screen import open_screen

    return open_screen(port.bx, path)
