"""Building the callboard's devices from its settings (real, or simulated when asked for)."""

from __future__ import annotations

from callboard.announcer import Voice
from callboard.display import SIZE
from callboard.settings import CallboardSettings
from hub.clock import HallClock
from hub.config import HallConfig


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
        from hub.client import HubClient

        parts["client"] = HubClient(cfg, node_id, broker_url, clock,
                                    overrides.get("username"), overrides.get("password"))
    if "screen" in overrides:
        parts["screen"] = overrides["screen"]
    else:
        from devices.screen import Screen

        backend = "offscreen" if overrides.get("headless") else settings.display
        parts["screen"] = Screen(SIZE, backend, title=cfg.name)
    if "speaker" in overrides:
        parts["speaker"] = overrides["speaker"]
    elif settings.audio == "pygame":
        from devices.audio.mixer import MixerAudioOut

        parts["speaker"] = MixerAudioOut(settings.audio_device)
    else:
        from devices.audio.sim import WavAudioOut

        parts["speaker"] = WavAudioOut(settings.wav_dir(node_id))
    if "led_screens" in overrides:
        parts["led_screens"] = overrides["led_screens"]
    elif settings.led == "serial":
        from devices.ledscreen_serial import SerialWindowScreen

        parts["led_screens"] = {p.window: SerialWindowScreen(p.port, p.address, p.baudrate, p.ack)
                                for p in settings.screens}
    elif settings.led == "modbus":
        parts["led_screens"], parts["closers"] = _modbus_screens(settings, clock)
    elif settings.led == "bx":
        from firmware_bridge.legacy.bx_screen import open_screen

        parts["led_screens"] = {
            p.window: open_screen(p.bx, f"nodes.{node_id}.devices.led.screens.window-{p.window}")
            for p in settings.screens}
    elif settings.led == "none":
        parts["led_screens"] = {}
    else:
        from devices.ledscreen_sim import SimWindowScreen

        numbers = [p.window for p in settings.screens] or sorted(cfg.windows)
        addresses = {p.window: p.address for p in settings.screens}
        if settings.led_dir is not None:
            settings.led_dir.mkdir(parents=True, exist_ok=True)
        parts["led_screens"] = {n: SimWindowScreen(addresses.get(n, 1), record_to=(
            settings.led_dir / f"led-window-{n}.bin" if settings.led_dir else None))
            for n in numbers}
    parts["voices"] = overrides.get("voices") or make_voices(cfg, settings)
    parts.setdefault("closers", [])
    return parts


def _modbus_screens(settings: CallboardSettings, clock: HallClock):
    """hallstack's own Modbus screens: one bus master (and its thread) per serial port."""
    from firmware_bridge.bus import BusMaster
    from firmware_bridge.link import RtuLink
    from firmware_bridge.modbus_devices import ModbusWindowScreen

    buses: dict[str, BusMaster] = {}
    screens = {}
    for p in settings.screens:
        if p.port not in buses:
            buses[p.port] = BusMaster(RtuLink(p.port, p.baudrate), clock=clock.monotonic)
        screens[p.window] = ModbusWindowScreen(buses[p.port], p.address, name=f"led-{p.window}")
    for bus in buses.values():
        bus.start()
    return screens, [bus.stop for bus in buses.values()]
