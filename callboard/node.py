"""The callboard node: the hub's retained state and `called` events onto the hall display, the
LED window screens and the loudspeaker.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable

from callboard.announcer import Announcer, Voice
from callboard.board import BoardState, parse_call
from callboard.display import draw, flash_phase
from callboard.leds import LedRules, WindowLed
from callboard.settings import CallboardSettings, read_settings
from devices.audio.base import AudioOut
from devices.ledscreen import WindowScreen
from devices.recorder import DISCARD, Recorder
from wire.clock import HallClock
from wire.config import HallConfig
from wire.memory import NightlyTrim

log = logging.getLogger(__name__)
HEALTH_EVERY_S = 2.0


class CallboardNode:
    """Hall display + LED window screens + announcements, fed only by the hub client.

    ``poll()`` does all pending work once; client callbacks only queue items for it. A call
    takes a fast path of its own (LED and announcement first, then the display): under
    :meth:`run_forever` it runs at once on the client's thread that received the event (no
    handoff to wait for), and a thread of its own starts each waiting announcement once the
    speaker is free, so a frame being drawn never delays either.
    """

    def __init__(self, cfg: HallConfig, node_id: str, client, clock: HallClock, screen,
                 speaker: AudioOut, led_screens: dict[int, WindowScreen], voices: list[Voice],
                 led_rules: LedRules | None = None, fps: int = 10, repeats: int = 2,
                 backlog_s: float = 20.0, max_age_s: float = 60.0,
                 real_monotonic: Callable[[], float] = time.monotonic,
                 closers: list[Callable[[], None]] | tuple = (), simulate: bool = False):
        self.cfg, self.node_id, self.client, self.clock = cfg, node_id, client, clock
        self.trim = NightlyTrim(clock, cfg.hours)  # free pages back once the hall closed
        self.simulate = simulate  # the node asked for simulated devices (health says so)
        self.screen, self.speaker = screen, speaker
        self._closers = list(closers)  # e.g. the Modbus bus masters behind the LED screens
        self.board = BoardState({n: w.name for n, w in cfg.windows.items()},
                                {sid: s.name for sid, s in cfg.services.items()})
        rules = led_rules or LedRules()
        self.leds = {n: WindowLed(n, s, rules, self._sentence(n))
                     for n, s in sorted(led_screens.items())}
        # Audio plays in real time whatever the hall clock's speed: its queue runs on real time.
        self.announcer = Announcer(voices, speaker, real_monotonic, repeats, backlog_s, max_age_s)
        self.fps = fps
        self.online = False
        self.errors: collections.deque[str] = collections.deque(maxlen=20)
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._wake = threading.Event()
        self._calls_wake = threading.Event()
        self._led_lock = threading.Lock()
        self._fast_lock = threading.Lock()  # the announcer is driven from two threads
        self._fast_thread: threading.Thread | None = None
        self._flash_phase: int | None = None
        self._next_draw = float("-inf")
        self._next_health = float("-inf")
        self._health: dict | None = None
        self._dirty = True
        self.recorder: Recorder = DISCARD  # see attach()

    def _sentence(self, window: int) -> Callable[[str, str | None], str]:
        return lambda no, service: self.cfg.call_text(no, window, service)

    def attach(self, recorder: Recorder) -> None:
        """Hand what the board does to ``recorder`` (tests, hall-sim; a board in the hall keeps
        nothing that grows): ``received`` (seq, monotonic instant) of each call, ``drawn`` the
        first frame after it, the announcer's ``said``/``dropped``, the speaker's
        ``audio.start`` (and a simulated one's ``audio.played``), a simulated LED screen's
        ``led.sent/<window>``."""
        self.recorder = self.announcer.recorder = self.speaker.recorder = recorder
        tagged = getattr(recorder, "tagged", None)
        for n, led in self.leds.items():
            if hasattr(led.screen, "recorder"):
                led.screen.recorder = tagged(str(n)) if tagged else recorder

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Subscribe, connect, and take whatever retained state the client already holds."""
        self.client.on_state(lambda key, payload: self._post("state", key, payload))
        self.client.on_event("called", lambda kind, ev: self._post("called", time.monotonic(), ev))
        self.client.on_connection(lambda up: self._post("online", up, None))
        self.client.start()
        for key, payload in list(self.client.state.items()):
            self._post("state", key, payload)

    def _post(self, kind: str, key, payload) -> None:
        """Runs on the client's thread: a call's fast path under :meth:`run_forever`, then queue
        the item for :meth:`poll` and wake the loop."""
        if kind == "called" and self._fast_thread is not None:
            self._guarded_fast(lambda: self._fast_call(key, payload))
        elif kind == "called":
            self._calls.put((key, payload))
            self._calls_wake.set()
        self._inbox.put((kind, key, payload))
        self._wake.set()

    def stop(self) -> None:
        """Disconnect (the client says offline) and release the screens and the speaker."""
        self.client.stop()
        for led in self.leds.values():
            led.screen.close()
        for close in self._closers:
            close()
        self.speaker.close()

    def run_forever(self, should_stop: Callable[[], bool] = lambda: False,
                    tick: Callable[[], None] = lambda: None) -> None:
        """poll() at least 20 times a second, and at once when the client posts an update, so that
        a call is said and shown within milliseconds, until ``should_stop()``."""
        period = 1.0 / max(self.fps, 20)
        done = threading.Event()

        def fast_path():
            while not done.is_set():
                self._calls_wake.wait(0.02)  # also: the next announcement when the speaker is free
                self._calls_wake.clear()
                self._guarded_fast(self._fast_step)

        self._fast_thread = threading.Thread(target=fast_path, name="callboard-calls",
                                             daemon=True)
        self._fast_thread.start()
        try:
            while not should_stop():
                self._wake.clear()
                self.poll()
                tick()
                self._wake.wait(period)
        finally:
            done.set()
            self._fast_thread.join(5)
            self._fast_thread = None

    # -- the work -----------------------------------------------------------------------------
    def poll(self) -> None:
        """Apply queued updates, start an announcement, drive the LEDs, redraw, report health."""
        if self._fast_thread is None:
            self._fast_step()
        # else: a call reached this queue only after its fast path ran on the client's thread
        mono = self.clock.monotonic()
        called = False
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            try:
                called |= self._apply(*item, mono)
            except ValueError as exc:  # a malformed payload: refused, nothing changed
                log.warning("%s %s refused: %s", item[0], item[1], exc)
                self.errors.append(f"{item[0]}: {exc}")
            except Exception as exc:  # a bug must not stop the board either
                log.exception("cannot apply %s", item[0])
                self.errors.append(f"{item[0]}: {type(exc).__name__}: {exc}")
        wall = self.clock.now().time()
        with self._led_lock:
            for led in self.leds.values():
                led.poll(mono, wall)
        phase = flash_phase(self.board, mono)
        if called or self._dirty or mono >= self._next_draw or phase != self._flash_phase:
            self._flash_phase = phase
            self.redraw(mono)
            if called:
                self.recorder.record("drawn", time.monotonic())
        if mono >= self._next_health:
            self._next_health = mono + HEALTH_EVERY_S
            self._report_health()
        self.trim()

    def _apply(self, kind: str, key, payload, mono: float) -> bool:
        if kind == "online":
            self.online, self._dirty = bool(key), True
            return False
        if kind == "state":
            self._dirty = True
            if key == "board":
                self.board.apply_board(payload)
            elif key == "queue":
                self.board.apply_queue(payload)
            elif isinstance(key, str) and key.startswith("window/"):
                number = int(key.split("/", 1)[1])
                self.board.apply_window(number, payload)
                if number in self.leds:
                    with self._led_lock:
                        self.leds[number].apply_state(payload)
            return False
        # A called event, for the display (the fast path has announced it and lit the LED). The
        # hub client delivers each event once per epoch: the one de-duplication (docs/node-api.md).
        if self.board.on_called(payload, mono) is None:
            self.errors.append(f"called event {payload.get('seq')} without a ticket or window")
            return False
        return True

    def _guarded_fast(self, step: Callable[[], None]) -> None:
        with self._fast_lock:
            try:
                step()
            except Exception as exc:  # a bug here must not leave the hall without sound
                log.exception("call fast path failed")
                self.errors.append(f"fast path: {type(exc).__name__}: {exc}")

    def _fast_step(self) -> None:
        """The calls' fast path: queue each new call's announcement, flash its window's LED,
        start the next announcement if the speaker is free."""
        while True:
            try:
                received, event = self._calls.get_nowait()
            except queue.Empty:
                break
            self._fast_call(received, event)
        self.announcer.poll()

    def _fast_call(self, received: float, event: dict) -> None:
        call = parse_call(event)
        if call is None:
            return  # the display path records the malformed event
        no, window = call
        self.recorder.record("received", (event["seq"], received))
        # the LED first: a few bytes, while composing the announcement takes longer
        if window in self.leds:
            mono = self.clock.monotonic()
            with self._led_lock:
                self.leds[window].on_call(no, mono, _text(event), _service(event),
                                          (event.get("epoch"), event.get("seq")))
                self.leds[window].poll(mono, self.clock.now().time())
        try:
            self.announcer.call(no, window, _service(event))
            self.announcer.poll()  # start it now if the speaker is free
        except (ValueError, KeyError) as exc:
            self.errors.append(f"cannot announce {no}: {exc}")

    def redraw(self, mono: float | None = None) -> None:
        mono = self.clock.monotonic() if mono is None else mono
        notice = self.board.notice or self.cfg.notice
        draw(self.screen.surface, self.board, self.cfg.name, notice, self.clock.now(), mono,
             self.online)
        self.screen.present()
        self._dirty = False
        self._next_draw = mono + 1.0 / self.fps

    def health(self) -> dict:
        """Device health as published: one ``state`` per device (asked of the device) plus a
        short detail and whether it is ``simulated``; ``simulated`` on top when any is, or the
        node asked for simulated devices."""
        audio = dict(self.speaker.health())
        out: dict = {"audio": {"state": audio.get("state", "unknown")}}
        if self.announcer.error:
            out["audio"] = {"state": "error", "detail": self.announcer.error}
        elif "detail" in audio:
            out["audio"]["detail"] = audio["detail"]
        out["audio"]["simulated"] = self.speaker.simulated
        for n, led in self.leds.items():
            h = led.screen.health()
            entry = {"state": "error" if led.error else h.get("state", "unknown")}
            if led.error or "detail" in h:
                entry["detail"] = led.error or h["detail"]
            entry["simulated"] = bool(getattr(led.screen, "simulated", False))
            out[f"led/{n}"] = entry
        display = self.screen.health() if hasattr(self.screen, "health") else {"state": "ok"}
        out["display"] = {"state": display.get("state", "unknown"),
                          "simulated": bool(getattr(self.screen, "simulated", False))}
        if "detail" in display:
            out["display"]["detail"] = display["detail"]
        out["simulated"] = self.simulate or any(
            d.get("simulated") for d in out.values() if isinstance(d, dict))
        return out

    def _report_health(self) -> None:
        health = self.health()
        if health != self._health:
            self._health = health
            self.client.publish_health(health)


def _text(event: dict) -> str | None:
    """The hub's call sentence carried by a ``called`` event, when it carries one."""
    text = event.get("text")
    return text if isinstance(text, str) and text else None


def _service(event: dict) -> str | None:
    service = event.get("service")
    return service if isinstance(service, str) and service else None


def build(cfg: HallConfig, node_id: str, broker_url: str, clock: HallClock,
          simulate: bool = False, **overrides):
    """The node as the hall config describes it (simulated devices only where it asks for them,
    or ``simulate``); ``overrides`` replace parts (``client``, ``screen``, ``speaker``,
    ``led_screens``, ``voices``, ``settings``, ``username``, ``password``, ``headless``, ``lines``:
    a :class:`devices.lines.Lines`, default the process's own).
    """
    from callboard.wiring import make_parts

    settings: CallboardSettings = (overrides.pop("settings", None)
                                   or read_settings(cfg, node_id, simulate))
    parts = make_parts(cfg, node_id, broker_url, clock, settings, overrides)
    return CallboardNode(cfg, node_id, parts["client"], clock, parts["screen"], parts["speaker"],
                         parts["led_screens"], parts["voices"], settings.led_rules,
                         settings.fps, settings.repeats, settings.backlog_s, settings.max_age_s,
                         closers=parts["closers"], simulate=settings.simulate)
