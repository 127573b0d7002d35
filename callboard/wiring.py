"""Building the callboard's devices from its settings (real, or simulated when asked for), all
through the device registry (:mod:`devices.registry`): no protocol class is named here."""

from __future__ import annotations

from callboard.announcer import Voice
from callboard.display import SIZE
from callboard.settings import CallboardSettings, ScreenPort
from devices.lines import LINES, Lines
from devices.registry import backend_names, device_factory, open_device
from wire.clock import HallClock
from wire.config import HallConfig


def make_voices(cfg: HallConfig, settings: CallboardSettings) -> list[Voice]:
    """Load (making and caching on first use) every clip the hall's templates need."""
    from devices.audio.clips import ClipLibrary

    windows = {n: w.name for n, w in cfg.windows.items()}
    services = {sid: s.name for sid, s in cfg.services.items()}
    return [Voice(t, ClipLibrary.load(t.clip_texts(windows, services), t.voice, settings.cache_dir,
                                      settings.clips_dir))
            for t in settings.templates]


def make_parts(cfg: HallConfig, node_id: str, broker_url: str, clock: HallClock,
               settings: CallboardSettings, overrides: dict) -> dict:
    parts = {}
    if "client" in overrides:
        parts["client"] = overrides["client"]
    else:
        from wire.client import HubClient

        parts["client"] = HubClient(cfg, node_id, broker_url, clock,
                                    overrides.get("username"), overrides.get("password"))
    if "screen" in overrides:
        parts["screen"] = overrides["screen"]
    else:
        from devices.screen import open_screen

        backend = "offscreen" if overrides.get("headless") else settings.display
        parts["screen"] = open_screen(SIZE, backend, title=cfg.name)
    if "speaker" in overrides:
        parts["speaker"] = overrides["speaker"]
    else:
        parts["speaker"] = open_device("audio", settings.audio, out_dir=settings.wav_dir(node_id),
                                       device=settings.audio_device,
                                       path=f"nodes.{node_id}.devices.audio.backend")
    if "led_screens" in overrides:
        parts["led_screens"] = overrides["led_screens"]
    elif settings.led != "none":
        parts["led_screens"], parts["closers"] = led_screens(
            cfg, node_id, settings, clock, overrides.get("lines") or LINES)
    else:
        parts["led_screens"] = {}
    parts["voices"] = overrides.get("voices") or make_voices(cfg, settings)
    parts.setdefault("closers", [])
    return parts


def led_screens(cfg: HallConfig, node_id: str, settings: CallboardSettings, clock: HallClock,
                lines: Lines) -> tuple[dict, list]:
    """Each window's LED screen from the device registry, and what closes them: a screen of a
    protocol the registry has a ``line`` for (modbus, a vendor's) shares that port's line with
    the process's other devices; any other opens on its own (serial, bx, sim)."""
    ports = settings.screens or [ScreenPort(n, "") for n in sorted(cfg.windows)]  # sim: every window
    screens, closers = {}, []
    on_line = settings.led in backend_names("line")
    try:
        for p in ports:
            path = f"nodes.{node_id}.devices.led.screens.window-{p.window}"
            if on_line:
                screens[p.window] = lines.device("led", settings.led, p.port, p.baudrate,
                                                 p.address, options={}, clock=clock.monotonic,
                                                 path=path, name=f"led-{p.window}")
                closers.append(lambda port=p.port: lines.release(port))
            else:
                make = device_factory("led", settings.led, f"{path}.backend")
                screens[p.window] = make(p, path=path, out_dir=settings.led_dir)
    except Exception:
        for close in closers:   # the ports taken so far go back
            close()
        raise
    return screens, closers
