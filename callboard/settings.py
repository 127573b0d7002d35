"""The callboard node's own ``devices`` table in the hall config, validated (docs/callboard.md)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from callboard.leds import LedRules
from callboard.speech import Template
from devices.registry import backend_names
from devices.simulation import device_backend, wants_simulation
from wire.config import HallConfig, QueueRules, Section
from wire.schema import key, read_keys

DEFAULT_TEMPLATE = QueueRules.call_template  # the hall's one call sentence, [queue] call_template
ONE_SENTENCE = ("the call's sentence is the hall's [queue] call_template (one for the speaker, "
                "the screens and the hub's events): edit it there")
DEFAULT_VOICE = "cmn-latn-pinyin"
SECOND_VOICE = "en"


@dataclass(frozen=True)
class ScreenPort:
    """Where one window's LED screen is: a plain serial screen (``port``, ``address``, ``ack``),
    a Modbus one (``port``, ``address`` = device id, one bus per port) or an Onbon BX-5/6
    (``bx``: the table firmware_bridge's ``open_screen`` reads, docs/legacy-bx.md)."""

    window: int = key()
    port: str = key("", default_is="required by a serial or Modbus screen")
    address: int = key(1, min=0, max=255)
    baudrate: int = key(9600, min=300, max=921600)
    ack: bool = key(False)   # not on a Modbus screen
    bx: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ModbusScreen:
    """A Modbus screen's keys where they differ from a serial one's: its device id (and no
    ``ack``)."""

    address: int = key(ScreenPort.address, min=1, max=247)


@dataclass(frozen=True)
class CallboardSettings:
    """The validated devices table; every default of the table is stated here, once (the
    device backends' defaults are the simulated ones, used only when the node simulates).
    A ``key`` field is read by wire.schema from the sub-table it names; the others (backends
    the simulation decides, the templates, the LED rules and screens) by :func:`read_settings`."""

    # [display] backend: the registry's screens; "window" unless the node simulates
    display: str = key("offscreen", name="backend", table="display",
                       choices=lambda: backend_names("screen"),
                       default_is='`"window"` (`"offscreen"` when simulating)')
    fps: int = key(10, table="display", min=1, max=60)
    audio: str = "wav"
    # None: the temp folder's hallstack-audio-<node id>
    audio_dir: Path | None = key(None, name="out_dir", table="audio",
                                 default_is="the temp folder's hallstack-audio-<node id>")
    audio_device: str | None = key(None, name="device", table="audio")
    templates: tuple[Template, ...] = (Template(DEFAULT_TEMPLATE, DEFAULT_VOICE),)
    clips_dir: Path | None = key(None, table="announce")
    cache_dir: Path | None = key(None, table="announce")
    repeats: int = key(2, table="announce", min=1, max=3)
    backlog_s: float = key(20.0, table="announce", min=3.0, max=600.0)
    max_age_s: float = key(60.0, table="announce", min=5.0, max=3600.0)
    led: str = "sim"
    # sim only: each screen's frames go to led-window-<n>.bin
    led_dir: Path | None = key(None, name="out_dir", table="led")
    led_rules: LedRules = LedRules()
    screens: tuple[ScreenPort, ...] = field(default=())
    simulate: bool = False   # the node asked for simulated devices

    def wav_dir(self, node_id: str) -> Path:
        """Where the ``wav`` audio backend writes its announcements."""
        return self.audio_dir or Path(tempfile.gettempdir()) / f"hallstack-audio-{node_id}"


@dataclass(frozen=True)
class Voices:
    """``[announce]``'s sentences: the hall's template in ``voice``, optionally a second one."""

    voice: str = key(DEFAULT_VOICE)
    second_template: str | None = key(None)
    second_voice: str = key(SECOND_VOICE)   # read, and only used, with a second template


def read_settings(cfg: HallConfig, node_id: str, simulate: bool = False) -> CallboardSettings:
    """Validate ``[nodes.devices]`` of callboard ``node_id``; ConfigError names the bad key, or
    the first device table naming no backend when the node did not ask to ``simulate``."""
    node = cfg.node(node_id)
    top = Section(node.devices, f"nodes.{node_id}.devices", cfg.source)
    if node.role != "callboard":
        top.fail(f"node {node_id!r} is a {node.role}, not a callboard")
    simulate = wants_simulation(top, simulate)

    d = top.table("display")
    # a real display defaults to a window, as hall-kiosk's screen does
    got = read_keys(CallboardSettings, d, table="display",
                    defaults=None if simulate else {"display": "window"})
    d.check_unused()

    a = top.table("audio")
    audio = device_backend(a, simulate, CallboardSettings.audio, backend_names("audio"),
                           ("pygame", "wav"))
    got |= read_keys(CallboardSettings, a, table="audio")
    a.check_unused()

    s = top.table("announce")
    got |= _announce(s, cfg)
    s.check_unused()

    led_s = top.table("led")
    # the registry's screens (sim, serial, modbus, bx, a vendor's); none: the hall has none
    leds = backend_names("led") + ("none",)
    led = device_backend(led_s, simulate, CallboardSettings.led, leds,
                         tuple(b for b in leds if b != "sim"))
    got |= read_keys(CallboardSettings, led_s, table="led")
    if got["led_dir"] and led != "sim":
        led_s.fail(f"out_dir is for the simulated screens (backend = \"sim\"), not {led}",
                   "out_dir")
    if "call_text" in led_s.data:
        led_s.fail(ONE_SENTENCE, "call_text")
    if led != "none":
        _showable(led_s, cfg)
    rules = LedRules(**read_keys(LedRules, led_s))
    for name in ("idle_text", "paused_text", "closed_text"):
        _gb2312(led_s, name, getattr(rules, name))
    screens = [] if led == "none" else _screens(led_s, led, cfg)
    if led not in ("sim", "none") and not screens:
        led_s.fail(f"the {led} backend needs [[…led.screens]], one per window", "screens")
    led_s.check_unused()
    top.check_unused()
    return CallboardSettings(audio=audio, led=led, led_rules=rules, screens=tuple(screens),
                             simulate=simulate, **got)


def _announce(s: Section, cfg: HallConfig) -> dict:
    """``[announce]``: the templates (the hall's sentence first) and the speech keys."""
    if "template" in s.data:
        s.fail(ONE_SENTENCE, "template")
    voices = read_keys(Voices, s)
    try:
        templates = [Template(cfg.queue.call_template, voices["voice"])]
    except ValueError as exc:
        s.fail(f"cannot say the hall's [queue] call_template: {exc}", "voice")
    if voices["second_template"]:
        templates.append(_template(s, "second_template", voices["second_template"],
                                   voices["second_voice"]))
    got = read_keys(CallboardSettings, s, table="announce")
    if got["clips_dir"] and not got["clips_dir"].is_dir():
        s.fail(f"folder {str(got['clips_dir'])!r} does not exist", "clips_dir")
    return got | {"templates": tuple(templates)}


def _screens(led_s: Section, led: str, cfg: HallConfig) -> list[ScreenPort]:
    screens: list[ScreenPort] = []
    for t in led_s.tables("screens"):
        window = read_keys(ScreenPort, t, only=("window",))["window"]
        if window not in cfg.windows:
            t.fail(f"unknown window {window}; the hall has {sorted(cfg.windows)}", "window")
        if any(p.window == window for p in screens):
            t.fail(f"window {window} already has a screen", "window")
        if led == "bx":  # the BX driver checks its own keys when it opens the screen
            screens.append(ScreenPort(window, "", bx={k: v for k, v in t.data.items()
                                                     if k != "window"}))
            continue
        modbus = led == "modbus"
        got = read_keys(ScreenPort, t, skip=("window", "address", "ack") if modbus else ("window",))
        if modbus:
            got |= read_keys(ModbusScreen, t)
        screens.append(ScreenPort(window, **got))
        if led in ("serial", "modbus") and not screens[-1].port:
            t.fail(f"a {led} screen needs its port, e.g. /dev/ttyUSB0", "port")
        t.check_unused()
    return screens


def _template(s: Section, key: str, text: str, voice: str) -> Template:
    try:
        return Template(text, voice)
    except ValueError as exc:
        s.fail(str(exc), key)
        raise


def _gb2312(s: Section, name: str, text: str) -> None:
    try:
        text.encode("gb2312")
    except ValueError as exc:
        s.fail(f"{text!r} cannot be shown on an LED screen ({exc}); use GB2312 text", name)


def _showable(led_s: Section, cfg: HallConfig) -> None:
    """The LED screens show the hall's call sentence: it must be GB2312 for every window."""
    for window in cfg.windows:
        for service in cfg.services:
            text = cfg.call_text("A001", window, service)
            try:
                text.encode("gb2312")
            except ValueError as exc:
                led_s.fail(f"[queue] call_template gives {text!r}, which an LED screen cannot "
                           f"show ({exc}); use GB2312 text or backend = \"none\"", "backend")


