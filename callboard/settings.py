"""The callboard node's own ``devices`` table in the hall config, validated (docs/callboard.md)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from callboard import strings
from callboard.leds import LedRules
from callboard.speech import Template
from hub.config import HallConfig, Section

DISPLAY_BACKENDS = ("offscreen", "window", "fullscreen")
AUDIO_BACKENDS = ("wav", "pygame")
LED_BACKENDS = ("sim", "serial", "modbus", "bx")
DEFAULT_TEMPLATE = strings.ANNOUNCE_TEMPLATE
DEFAULT_VOICE = "cmn-latn-pinyin"


@dataclass(frozen=True)
class ScreenPort:
    """Where one window's LED screen is: a plain serial screen (``port``, ``address``, ``ack``),
    a Modbus one (``port``, ``address`` = device id, one bus per port) or an Onbon BX-5/6
    (``bx``: the table firmware_bridge's ``open_screen`` reads, docs/legacy-bx.md)."""

    window: int
    port: str
    address: int = 1
    baudrate: int = 9600
    ack: bool = False
    bx: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class CallboardSettings:
    display: str = "offscreen"
    fps: int = 10
    audio: str = "wav"
    audio_dir: Path = Path(tempfile.gettempdir()) / "hallstack-audio"
    audio_device: str | None = None
    templates: tuple[Template, ...] = (Template(DEFAULT_TEMPLATE, DEFAULT_VOICE),)
    clips_dir: Path | None = None
    cache_dir: Path | None = None
    repeats: int = 2
    backlog_s: float = 20.0
    max_age_s: float = 60.0
    led: str = "sim"
    led_rules: LedRules = LedRules()
    screens: tuple[ScreenPort, ...] = field(default=())


def read_settings(cfg: HallConfig, node_id: str) -> CallboardSettings:
    """Validate ``[nodes.devices]`` of callboard ``node_id``; ConfigError names the bad key."""
    node = cfg.node(node_id)
    top = Section(node.devices, f"nodes.{node_id}.devices", cfg.source)
    if node.role != "callboard":
        top.fail(f"node {node_id!r} is a {node.role}, not a callboard")

    d = top.table("display")
    display = d.str("backend", "offscreen", choices=DISPLAY_BACKENDS)
    fps = d.int("fps", 10, min=1, max=60)
    d.check_unused()

    a = top.table("audio")
    audio = a.str("backend", "wav", choices=AUDIO_BACKENDS)
    default_dir = Path(tempfile.gettempdir()) / f"hallstack-audio-{node_id}"
    audio_dir = Path(a.str("out_dir", str(default_dir)))
    device = a.str("device", None)
    a.check_unused()

    s = top.table("announce")
    templates = [_template(s, "template", s.str("template", DEFAULT_TEMPLATE),
                           s.str("voice", DEFAULT_VOICE))]
    second = s.str("second_template", None)
    if second:
        templates.append(_template(s, "second_template", second, s.str("second_voice", "en")))
    else:
        s.str("second_voice", None)
    clips_dir = s.str("clips_dir", None)
    cache_dir = s.str("cache_dir", None)
    if clips_dir and not Path(clips_dir).is_dir():
        s.fail(f"folder {clips_dir!r} does not exist", "clips_dir")
    repeats = s.int("repeats", 2, min=1, max=3)
    backlog_s = s.float("backlog_s", 20.0, min=3.0, max=600.0)
    max_age_s = s.float("max_age_s", 60.0, min=5.0, max=3600.0)
    s.check_unused()

    led_s = top.table("led")
    led = led_s.str("backend", "sim", choices=LED_BACKENDS)
    rules = LedRules(
        flash_s=led_s.float("flash_s", 3.0, min=0.0, max=60.0),
        repeat_s=led_s.float("repeat_s", 5.0, min=0.0, max=600.0),
        call_text=_led_text(led_s, "call_text", strings.LED_CALL, call=True),
        idle_text=_led_text(led_s, "idle_text", strings.LED_IDLE),
        paused_text=_led_text(led_s, "paused_text", strings.LED_PAUSED),
        closed_text=_led_text(led_s, "closed_text", strings.LED_CLOSED),
        day_from=led_s.time("day_from", "08:00"),
        day_to=led_s.time("day_to", "18:00"),
        brightness_day=led_s.int("brightness_day", 100, min=0, max=100),
        brightness_night=led_s.int("brightness_night", 30, min=0, max=100),
    )
    screens = []
    for t in led_s.tables("screens"):
        window = t.int("window")
        if window not in cfg.windows:
            t.fail(f"unknown window {window}; the hall has {sorted(cfg.windows)}", "window")
        if any(p.window == window for p in screens):
            t.fail(f"window {window} already has a screen", "window")
        if led == "bx":  # the BX driver checks its own keys when it opens the screen
            screens.append(ScreenPort(window, "", bx={k: v for k, v in t.data.items()
                                                     if k != "window"}))
            continue
        top_address = 247 if led == "modbus" else 255
        screens.append(ScreenPort(window, t.str("port", ""),
                                  t.int("address", 1, min=0 if led != "modbus" else 1,
                                        max=top_address),
                                  t.int("baudrate", 9600, min=300, max=921600),
                                  t.bool("ack", False) if led != "modbus" else False))
        if led in ("serial", "modbus") and not screens[-1].port:
            t.fail(f"a {led} screen needs its port, e.g. /dev/ttyUSB0", "port")
        t.check_unused()
    if led != "sim" and not screens:
        led_s.fail(f"the {led} backend needs [[…led.screens]], one per window", "screens")
    led_s.check_unused()
    top.check_unused()
    return CallboardSettings(display, fps, audio, audio_dir, device, tuple(templates),
                             Path(clips_dir) if clips_dir else None,
                             Path(cache_dir) if cache_dir else None, repeats, backlog_s,
                             max_age_s, led, rules, tuple(screens))


def _template(s: Section, key: str, text: str, voice: str) -> Template:
    try:
        return Template(text, voice)
    except ValueError as exc:
        s.fail(str(exc), key)
        raise


def _led_text(s: Section, key: str, default: str, call: bool = False) -> str:
    text = s.str(key, default)
    try:
        shown = text.format(no="A001") if call else text
        shown.encode("gb2312")
    except (KeyError, IndexError, ValueError) as exc:
        s.fail(f"{text!r} cannot be shown on an LED screen ({exc}); "
               "use {no} and GB2312 text", key)
    if call and "{no}" not in text:
        s.fail(f"{text!r} must contain {{no}}", key)
    return text


