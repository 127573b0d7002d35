"""The demo's RS-485 rows: hallstack's own Modbus peripherals, emulated on pseudo-terminals and
driven by the real bus master, exactly as the nodes would drive them on a Pi."""

from __future__ import annotations

from dataclasses import dataclass, field

from firmware_bridge.bus import BusMaster
from firmware_bridge.emulated import EmulatedPeripheral
from firmware_bridge.emulator import BusEmulator
from firmware_bridge.link import RtuLink
from firmware_bridge.modbus_devices import ModbusKeyPad, ModbusWindowScreen

CLERK_ID = 100   # device id of window n's clerk keypad: 100 + n
RATING_ID = 150  # and of its rating pad: 150 + n


@dataclass
class Rs485Hall:
    """One bus of LED window screens (device id = window number) and one bus of keypads."""

    screen_windows: list[int]
    pad_windows: list[int]
    emulators: list[BusEmulator] = field(default_factory=list)
    masters: list[BusMaster] = field(default_factory=list)
    screens: dict[int, ModbusWindowScreen] = field(default_factory=dict)
    pads: dict[int, tuple[ModbusKeyPad, ModbusKeyPad]] = field(default_factory=dict)

    def start(self) -> Rs485Hall:
        if self.screen_windows:
            emu = BusEmulator([EmulatedPeripheral(n, "screen") for n in self.screen_windows])
            master = self._row(emu)
            self.screens = {n: ModbusWindowScreen(master, n, name=f"窗口屏{n}")
                            for n in self.screen_windows}
        if self.pad_windows:
            devices = [EmulatedPeripheral(CLERK_ID + n, "clerk_pad") for n in self.pad_windows]
            devices += [EmulatedPeripheral(RATING_ID + n, "rating_pad") for n in self.pad_windows]
            master = self._row(BusEmulator(devices))
            self.pads = {n: (ModbusKeyPad(master, CLERK_ID + n, "clerk_pad"),
                             ModbusKeyPad(master, RATING_ID + n, "rating_pad"))
                         for n in self.pad_windows}
        return self

    def _row(self, emulator: BusEmulator) -> BusMaster:
        emulator.start()
        master = BusMaster(RtuLink(emulator.port, timeout=0.1), poll_interval=0.05)
        master.start()
        self.emulators.append(emulator)
        self.masters.append(master)
        return master

    def press(self, window: int, key: str, digit: int | None = None) -> None:
        """A person presses ``key`` on window ``window``'s keypad or rating pad."""
        device_id = (RATING_ID if key.startswith("rate_") else CLERK_ID) + window
        for emulator in self.emulators:
            if device_id in emulator.devices:
                emulator[device_id].press(key, digit)
                return
        raise KeyError(f"window {window} has no RS-485 pads")

    def stop(self) -> None:
        for master in self.masters:
            master.stop()
        for emulator in self.emulators:
            emulator.stop()
