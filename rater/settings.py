"""The window node's ``devices`` table (docs/rater.md): validated, then turned into the clerk
keypad, the rating pad and the optional screen. The pads must be named (``keypad.backend``,
``pad.backend``); simulated pads are the default only when the node asks for simulated devices
(``backend = "sim"`` in the table, or ``--simulate``): see devices.simulation."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from devices.gpio import GpioKeyPad
from devices.keys import CLERK_KEYS, RATING_KEYS
from devices.lines import LineConfigError
from devices.registry import backend_names, open_device
from devices.simulation import device_backend, wants_simulation
from wire.config import ConfigError, HallConfig, Section
from wire.schema import key, read_keys

GPIO_PADS = ("simulated", "gpio")   # pads on this Pi's pins; the others are on an RS-485 line
MAX_TRANSFER = 9  # chosen with digit keys 1–9

# Virtual pins of the simulated pads (not BCM numbers: a real pad's wiring must be written out).
SIM_CLERK_KEYS = {key: 101 + i for i, key in enumerate(CLERK_KEYS)}
SIM_DIGITS = [120 + d for d in range(10)]
SIM_CLERK_LEDS = {"online": 140, "serving": 141, "paused": 142}
SIM_CLERK_BUZZER = 150
SIM_PAD_KEYS = {key: 201 + i for i, key in enumerate(RATING_KEYS)}
SIM_PAD_LEDS = {key: 211 + i for i, key in enumerate(RATING_KEYS)} | {"invite": 216, "thanks": 217}
SIM_PAD_BUZZER = None


@dataclass(frozen=True)
class LineKeys:
    """An RS-485 pad's line: its port and baud rate (docs/rater.md)."""

    port: str = key()
    baudrate: int = key(9600, min=1200, max=115200)


@dataclass(frozen=True)
class ModbusUnit:
    """Modbus calls a unit's address its device id (docs/rater.md)."""

    address: int = key(name="device_id", min=1, max=247)


@dataclass(frozen=True)
class LineUnit:
    """A unit's address on another RS-485 line (ff68, a vendor's)."""

    address: int = key(min=0, max=255)


@dataclass(frozen=True)
class GpioKeys:
    """A pad on the Pi's pins: its buzzer pin (default: the simulated pad's) and key bounce."""

    buzzer: int | None = key(None, min=0, default_is="none (simulated: a virtual pin)")
    bounce_ms: int = key(50, min=0, max=1000)


@dataclass(frozen=True)
class ScreenSize:
    """``[screen]``'s size in pixels."""

    width: int = key(800, min=320, max=3840)
    height: int = key(480, min=240, max=2160)


@dataclass(frozen=True)
class PadSpec:
    """One pad's table: backend, key → pin, digit pins, LED → pin, buzzer, bounce."""

    backend: str
    keys: dict[str, int]
    digits: list[int]
    leds: dict[str, int]
    buzzer: int | None
    bounce_s: float
    # RS-485 pads (backend modbus|ff68): the line and the unit's address on it
    port: str | None = None
    baudrate: int = LineKeys.baudrate
    address: int | None = None
    # the backend's own keys, checked by its keypad_options (ff68: keys = the line's key map,
    # or a rater's pad kind and ratings)
    options: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RaterSettings:
    """The validated devices table of one window node. A ``key`` field is read by wire.schema
    (from the sub-table it names); the pads, the screen's size and the transfer choices by
    :func:`read_settings`."""

    keypad: PadSpec
    pad: PadSpec | None  # None: the rating keys are on the clerk keypad ("same")
    screen: str = key("window", name="backend", table="screen",
                      choices=lambda: backend_names("screen") + ("none",))
    screen_size: tuple[int, int]
    # logged in at start (window.login once connected); None: the clerk types it
    staff: str | None = key(None)
    transfer: list[tuple[str, str]]
    simulate: bool = False  # the node asked for simulated devices


def read_settings(cfg: HallConfig, node_id: str, devices: dict | None = None,
                  simulate: bool = False) -> RaterSettings:
    """Validate node ``node_id``'s devices table (or ``devices`` instead of it); a pad table
    naming no backend is refused unless the node asks to ``simulate``."""
    node = cfg.node(node_id)
    if node.role != "rater":
        raise ConfigError(f"{cfg.source}: nodes.{node_id}.role: is {node.role!r}, not a rater")
    top = Section(node.devices if devices is None else devices, f"nodes.{node_id}.devices",
                  cfg.source)
    simulate = wants_simulation(top, simulate)
    got = read_keys(RaterSettings, top)
    staff = got["staff"]
    if staff is not None:
        if staff not in cfg.staff:
            top.fail(f"unknown staff number {staff!r}", "staff")
        if node.window not in cfg.staff[staff].windows:
            top.fail(f"staff {staff} does not work at window {node.window}", "staff")
    window = cfg.windows[node.window]
    default_transfer = [s for s in cfg.services if s not in window.services][:MAX_TRANSFER]
    transfer_ids = top.str_list("transfer", default_transfer)
    if len(transfer_ids) > MAX_TRANSFER:
        top.fail(f"at most {MAX_TRANSFER} services (digit keys 1–9)", "transfer")
    for sid in transfer_ids:
        if sid not in cfg.services:
            top.fail(f"unknown service {sid!r}; known: {', '.join(cfg.services)}", "transfer")
    keypad = _pad(top.table("keypad"), CLERK_KEYS, clerk=True, simulate=simulate)
    pad_table = top.table("pad")
    if device_backend(pad_table, simulate, "simulated", *_pad_backends(("same",))) == "same":
        pad_table.check_unused()
        pad = None
        if not any(k in keypad.keys for k in RATING_KEYS):
            pad_table.fail("backend \"same\" needs rate_1 … rate_5 in the keypad's keys",
                           "backend")
    else:
        pad = _pad(pad_table, RATING_KEYS, clerk=False, simulate=simulate)
    if pad is not None and pad.port is not None and pad.port == keypad.port:
        if pad.backend != keypad.backend:
            pad_table.fail(f"port {pad.port} is the keypad's {keypad.backend} line; one line "
                           "speaks one protocol", "port")
        if pad.address == keypad.address:
            pad_table.fail(f"address {pad.address} is the keypad's on the same line",
                           "device_id" if pad.backend == "modbus" else "address")
    if pad is not None and pad.backend == keypad.backend == "gpio":
        shared = set(_all_pins(keypad)) & set(_all_pins(pad))
        if shared:
            pad_table.fail(f"pins also used by the keypad: {', '.join(map(str, sorted(shared)))}",
                           "keys")
    screen_s = top.table("screen")
    got |= read_keys(RaterSettings, screen_s, table="screen")
    size = tuple(read_keys(ScreenSize, screen_s).values())
    screen_s.check_unused()
    top.check_unused()
    return RaterSettings(keypad=keypad, pad=pad, screen_size=size, simulate=simulate,
                         transfer=[(sid, cfg.services[sid].name) for sid in transfer_ids], **got)


def _pad_backends(extra: tuple[str, ...] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every pad backend, and the real ones: the GPIO pads and the registry's RS-485 pads
    (modbus, ff68, a vendor's), then ``extra``."""
    on_line = backend_names("keypad")
    return GPIO_PADS + on_line + extra, GPIO_PADS[1:] + on_line + extra


def _pad(s: Section, own_keys: tuple[str, ...], clerk: bool, simulate: bool) -> PadSpec:
    extra = () if clerk else ("same",)
    backend = device_backend(s, simulate, "simulated", *_pad_backends(extra))
    if backend not in GPIO_PADS:
        return _line_pad(s, backend, clerk)
    simulated = backend == "simulated"
    if clerk:
        defaults = (SIM_CLERK_KEYS, SIM_DIGITS, SIM_CLERK_LEDS, SIM_CLERK_BUZZER)
    else:
        defaults = (SIM_PAD_KEYS, [], SIM_PAD_LEDS, SIM_PAD_BUZZER)
    if not simulated:
        defaults = ({}, [], {}, None)
    keys = _pins(s, "keys", CLERK_KEYS + RATING_KEYS, defaults[0])
    if not simulated and not any(k in keys for k in own_keys):
        s.fail(f"a {backend} pad needs its wiring: key = BCM pin, e.g. {own_keys[0]} = 5", "keys")
    digits = s.list("digits", list(defaults[1]))
    if digits and (len(digits) != 10 or not all(_is_int(p) for p in digits)):
        s.fail("must list the pins of digits 0–9, ten integers", "digits")
    leds = _pins(s, "leds", None, defaults[2])
    gpio = read_keys(GpioKeys, s, defaults={"buzzer": defaults[3]})
    buzzer, bounce_s = gpio["buzzer"], gpio["bounce_ms"] / 1000
    s.check_unused()
    pins = _all_pins(PadSpec(backend, keys, digits, leds, buzzer, bounce_s))
    if not simulated:
        bad = [p for p in pins if not 0 <= p <= 27]
        if bad:
            s.fail(f"BCM pins are 0–27, got {bad[0]}", "keys")
    dup = sorted({p for p in pins if pins.count(p) > 1})
    if dup:
        s.fail(f"pins used twice: {', '.join(map(str, dup))}", "keys")
    return PadSpec(backend, keys, digits, leds, buzzer, bounce_s)


def _line_pad(s: Section, backend: str, clerk: bool) -> PadSpec:
    """An RS-485 pad: port and baudrate of its line, its address there (docs/rater.md)."""
    line = read_keys(LineKeys, s)
    port, baudrate = line["port"], line["baudrate"]
    if not port:
        s.fail("must name the serial port, e.g. \"/dev/ttyUSB0\"", "port")
    address = read_keys(ModbusUnit if backend == "modbus" else LineUnit, s)["address"]
    options: dict = {}
    if backend in backend_names("keypad_options"):
        options = _line_options(s, backend, clerk)
    s.check_unused()
    return PadSpec(backend, {}, [], {}, None, 0.0, port, baudrate, address, options)


def _line_options(s: Section, backend: str, clerk: bool) -> dict:
    """The pad's other keys, checked by its backend's own rules (e.g. the FF68 key map of a
    caller, the rating map of a rater)."""
    try:
        return open_device("keypad_options", backend, s.rest(), clerk, s.path)
    except ValueError as exc:
        raise ConfigError(f"{s.source}: {exc}") from None


def _all_pins(spec: PadSpec) -> list[int]:
    extra = [spec.buzzer] if spec.buzzer is not None else []
    return list(spec.keys.values()) + spec.digits + list(spec.leds.values()) + extra


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pins(s: Section, key: str, names: tuple[str, ...] | None, default: dict) -> dict[str, int]:
    table = s.table(key)
    if key not in s.data:
        return dict(default)
    out = {}
    for name in table.data:
        if names is not None and name not in names:
            near = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            table.fail(f"unknown key{hint}; keys are {', '.join(names)}", name)
        out[name] = table.int(name, min=0)
    return out


def build_pads(settings: RaterSettings, pins_backend=None, *, lines=None, clock=None,
               window: int = 0, path: str = "devices"):
    """The clerk KeyPad and the rating KeyPad (the same object for ``pad.backend = "same"``).

    Real GPIO pads share one RPi.GPIO backend; each simulated pad gets its own simulated pins.
    RS-485 pads (modbus, ff68) come from ``lines`` (a :class:`devices.lines.Lines`, shared by the
    process's window nodes), which opens each port once; ``clock`` is the hall clock's
    ``monotonic`` for those buses. The caller releases each RS-485 pad's port when done.
    """
    shared = {}

    def pins_for(backend: str):
        if backend == "simulated":
            return open_device("pins", "simulated")
        if "rpi" not in shared:
            shared["rpi"] = pins_backend or open_device("pins", "rpi")
        return shared["rpi"]

    def make(spec: PadSpec, source: str):
        if spec.port is not None:
            if lines is None:
                raise ValueError(f"{path}.{source}: a {spec.backend} pad needs the process's "
                                 "lines (devices.lines.Lines)")
            import time

            try:
                return lines.keypad(spec, source, window, f"{path}.{source}",
                                    clock or time.monotonic)
            except LineConfigError as exc:
                raise ConfigError(str(exc)) from None
        return GpioKeyPad(pins_for(spec.backend), spec.keys, dict(enumerate(spec.digits)),
                          spec.leds, spec.buzzer, spec.bounce_s, source=source)

    keypad = make(settings.keypad, "keypad")
    if settings.pad is None:
        return keypad, keypad
    try:
        pad = make(settings.pad, "pad")
    except Exception:
        keypad.close()
        if settings.keypad.port is not None:
            lines.release(settings.keypad.port)
        raise
    return keypad, pad
