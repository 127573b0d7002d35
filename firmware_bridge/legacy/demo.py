"""The legacy peripherals of a simulated hall, for ``hall-demo --legacy`` and end-to-end tests.

One emulated FF68 line carries a caller (address N) and a rater (address 100 + N) for each
window N; each window's LED text sits on its own emulated BX controller (TCP, or a pty).
:meth:`LegacyHall.rater_devices` and :meth:`LegacyHall.bx_settings` give the ``devices``
tables a node reads, so the node opens the emulators exactly as it would open real hardware.
"""

from __future__ import annotations

from .bx_emulator import BXEmulator
from .ff68_emulator import FF68Emulator
from .ff68_keymap import KeyMap

RATER_OFFSET = 100


class LegacyHall:
    """Emulated callers, raters and LED controllers for ``windows`` (numbers 1–155)."""

    def __init__(self, windows, *, bx_transport: str = "tcp", ff68_link: str | None = None,
                 keymap: KeyMap | None = None, **ff68_options):
        self.windows = sorted(windows)
        if not self.windows or self.windows[0] < 1 or self.windows[-1] > 255 - RATER_OFFSET:
            raise ValueError(f"windows must be numbers 1–{255 - RATER_OFFSET}")
        if bx_transport not in ("tcp", "serial"):
            raise ValueError("bx_transport must be 'tcp' or 'serial'")
        self.keymap = keymap or KeyMap.from_table()
        self._codes = {name: code for code, name in self.keymap.keys.items()}
        self.ff68 = FF68Emulator(
            self.windows + [w + RATER_OFFSET for w in self.windows], link=ff68_link,
            **ff68_options)
        self.bx_transport = bx_transport
        self.screens = {w: BXEmulator(tcp=bx_transport == "tcp",
                                      serial=bx_transport == "serial")
                        for w in self.windows}

    def ff68_settings(self, pad: str = "4key") -> dict:
        """The ``[devices.ff68]`` table of the node that owns the line."""
        units = {str(w): {"window": w} for w in self.windows}
        units |= {str(w + RATER_OFFSET): {"window": w, "pad": pad} for w in self.windows}
        return {"port": self.ff68.path, "units": units}

    def rater_devices(self, window: int, pad: str = "4key") -> dict:
        """The ``keypad`` and ``pad`` tables of window ``window``'s node (docs/rater.md): its
        caller and rater on the one emulated line."""
        if window not in self.windows:
            raise ValueError(f"window {window} has no emulated FF68 units; {self.windows}")
        line = {"backend": "ff68", "port": self.ff68.path}
        return {"keypad": line | {"address": window},
                "pad": line | {"address": window + RATER_OFFSET, "pad": pad}}

    def bx_settings(self, window: int) -> dict:
        """The ``[devices.bx]`` table of window ``window``'s screen."""
        emulator = self.screens[window]
        if self.bx_transport == "tcp":
            return {"transport": "tcp", "host": "127.0.0.1", "tcp_port": emulator.tcp_port}
        return {"transport": "serial", "port": emulator.path}

    def press(self, window: int, key: str) -> bool:
        """The clerk of ``window`` presses hall key ``key`` (its code from the key map)."""
        if key not in self._codes:
            raise ValueError(f"no FF68 code for key {key!r}; mapped: {sorted(self._codes)}")
        digit, code = self._codes[key]
        return self.ff68.press(window, code, digit)

    def rate(self, window: int, value: int) -> bool:
        """The citizen at ``window`` presses rating value ``value`` (pad-specific, 0–3 on 4-key)."""
        return self.ff68.rate(window + RATER_OFFSET, value)

    def shown(self, window: int) -> dict:
        """What a person sees at ``window``: caller digits and the LED text."""
        return {"caller": self.ff68.displays[window], "led": self.screens[window].text()}

    def close(self) -> None:
        self.ff68.close()
        for emulator in self.screens.values():
            emulator.close()
