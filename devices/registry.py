"""One registry of device backends: nodes open a device or an RS-485 line by kind and name.

A backend is a factory registered under ``(kind, name)``, e.g. ``("printer", "usb")``,
``("led", "modbus")``, ``("keypad", "ff68")``, ``("line", "modbus")``. The project's own
backends are declared in code by provider modules (each has ``BACKENDS``: ``{(kind, name):
"module:attr"}``), so the editable install needs no reinstall when one is added. A third-party
backend is an entry point in group ``hallstack.devices`` named ``<kind>.<name>`` whose object is
the factory; it is added without touching any node. Factories load on first use, so a hardware
library loads only in the process that opens its device.

The kinds and the arguments their factories take are listed in :data:`KINDS` (docs/devices.md).
"""

from __future__ import annotations

import difflib
import importlib
import threading
from collections.abc import Callable
from importlib.metadata import entry_points

GROUP = "hallstack.devices"
# The project's own backends, lowest layer first. Named by string, as an entry point is:
# devices/ imports no firmware_bridge module (the layers contract), it only looks one up.
PROVIDERS = ("devices.backends", "firmware_bridge.backends")

KINDS = {
    "printer": "factory(**options) -> devices.printer.Printer",
    "pins": "factory(**kwargs) -> devices.gpio.Pins",
    "audio": "factory(settings, node_id) -> devices.audio.base.AudioOut",
    "screen": "factory(size, title) -> devices.screen.Screen",
    "led": "factory(port, *, lines, clock, path, node_id) -> devices.ledscreen.WindowScreen",
    "line": "factory(port, baudrate, clock, options) -> an open line (.close())",
    "keypad": "factory(line, address, *, role, window, options, path) -> devices.keys.KeyPad",
    "keypad_options": "check(table: dict, clerk: bool, path) -> dict (raises ValueError)",
    "scanner": "factory(**options) -> devices.scanner.Scanner",
}


class UnknownBackend(ValueError):
    """A kind or a name nobody registered; the message names what is known."""


def _hint(word: str, known) -> str:
    near = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


class Registry:
    """Backends by kind and name; the providers and entry points load on the first look-up."""

    def __init__(self, providers: tuple[str, ...] = PROVIDERS, group: str | None = GROUP):
        self._providers, self._group = providers, group
        self._entries: dict[str, dict[str, object]] = {}
        self._loaded = False
        self._lock = threading.Lock()

    def add(self, kind: str, name: str, factory: Callable | str) -> None:
        """Register ``factory`` (a callable or ``"module:attr"``) as backend ``name`` of
        ``kind``; a later add of the same pair replaces it (tests, a vendor's override)."""
        if kind not in KINDS:
            raise UnknownBackend(f"unknown device kind {kind!r}{_hint(kind, KINDS)}; kinds are "
                                 f"{', '.join(KINDS)}")
        self._load()
        self._entries.setdefault(kind, {})[name] = factory

    def names(self, kind: str) -> tuple[str, ...]:
        """The backends of ``kind``, the project's own first, then third parties'."""
        self._load()
        return tuple(self._entries.get(kind, {}))

    def factory(self, kind: str, name: str, path: str = "") -> Callable:
        """The factory of ``(kind, name)``; :class:`UnknownBackend` (with "did you mean")."""
        self._load()
        if kind not in KINDS:
            raise UnknownBackend(f"unknown device kind {kind!r}{_hint(kind, KINDS)}")
        known = self._entries.get(kind, {})
        if name not in known:
            where = f"{path}: " if path else ""
            raise UnknownBackend(f"{where}unknown {kind} backend {name!r}{_hint(name, known)}; "
                                 f"known: {', '.join(known) or 'none'}")
        found = known[name]
        if isinstance(found, str):
            module, _, attr = found.partition(":")
            found = getattr(importlib.import_module(module), attr)
        elif hasattr(found, "load") and not callable(found):   # an entry point
            found = found.load()
        return found

    def open(self, kind: str, name: str, /, *args, path: str = "", **kwargs):
        """Build backend ``name`` of ``kind`` with the factory's arguments (:data:`KINDS`)."""
        return self.factory(kind, name, path)(*args, **kwargs)

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for provider in self._providers:
                for (kind, name), target in importlib.import_module(provider).BACKENDS.items():
                    self._entries.setdefault(kind, {})[name] = target
            if self._group:
                for ep in entry_points(group=self._group):
                    kind, _, name = ep.name.partition(".")
                    if kind in KINDS and name:
                        self._entries.setdefault(kind, {}).setdefault(name, ep)
            self._loaded = True


REGISTRY = Registry()


def open_device(kind: str, name: str, /, *args, path: str = "", **kwargs):
    """Open backend ``name`` of ``kind`` from the process's registry."""
    return REGISTRY.open(kind, name, *args, path=path, **kwargs)


def device_factory(kind: str, name: str, path: str = "") -> Callable:
    """The factory of backend ``name`` of ``kind`` in the process's registry."""
    return REGISTRY.factory(kind, name, path)


def backend_names(kind: str) -> tuple[str, ...]:
    """The backends of ``kind`` the process's registry knows (settings' choices)."""
    return REGISTRY.names(kind)
