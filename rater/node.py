"""The window node (hall-rater): the clerk's keypad and the citizen's rating pad wired to the hub.

Threads only post typed messages (rater.inbox) to :attr:`RaterNode.inbox`: key presses, hub
events, state and answers; :meth:`poll` does all the work on the caller's thread, so a test or
the demo drives it deterministically. The clerk's keys are rater.clerk, the citizen's
invitation rater.rating, the default login rater.login, the pads' LEDs and display
rater.outputs.

Broker loss (docs/rater.md): clerk keys are **refused** while the hub is unreachable (a
``refused`` beep and a message; the clerk must not get a surprise call minutes later). A rating
press inside an invitation is **queued and delivered once**: the hub client re-sends it with the
same request id on reconnect (the hub answers a repeated id without acting twice) until the
hall's ``rating.bind_s`` runs out, carrying the press's hall time as ``pressed_at``.
"""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import replace

from devices.keys import CLERK_KEYS, RATING_KEYS, KeyPad, KeyPress
from devices.recorder import DISCARD, Recorder
from rater import strings, view
from rater.clerk import ClerkDesk, Send, Tell
from rater.inbox import Answered, HubEvent, HubState, Inbox, Link, Message, Pressed, RatingAnswered
from rater.login import DefaultLogin
from rater.outputs import PadOutputs
from rater.rating import RatingSession, Submission, score_of
from rater.settings import RaterSettings, read_settings
from wire.client import HubUnreachable
from wire.clock import HallClock, iso
from wire.config import HallConfig
from wire.contract import Conflict, HubError
from wire.memory import NightlyTrim

log = logging.getLogger(__name__)

CLERK_TIMEOUT_S = 5.0  # a clerk op unanswered this long is reported "unconfirmed", never retried
LOGIN_RETRY_S = 10.0  # a default login the hub never answered is tried again this often
HEALTH_EVERY_S = 2.0


class RaterNode:
    """One window's node. ``keypad`` is the clerk's KeyPad, ``pad`` the citizen's (may be the
    same object); ``screen`` is a :class:`devices.screen.Screen` or None. :meth:`start` also
    starts ``client``; :meth:`stop` stops it."""

    def __init__(self, cfg: HallConfig, node_id: str, client, clock: HallClock,
                 keypad: KeyPad, pad: KeyPad, screen=None, settings: RaterSettings | None = None):
        self.cfg, self.node_id, self.client, self.clock = cfg, node_id, client, clock
        self.trim = NightlyTrim(clock, cfg.hours)  # free pages back once the hall closed
        # handed its devices, the node reads only staff, transfer and screen from its table;
        # whether a device is simulated, the device itself says (see health())
        self.settings = settings or replace(read_settings(cfg, node_id, simulate=True),
                                            simulate=False)
        self.window = cfg.node(node_id).window
        self.keypad, self.pad, self.screen = keypad, pad, screen
        self.inbox = Inbox()
        self.desk = ClerkDesk(self.window, list(self.settings.transfer))
        self.session = RatingSession(cfg.rating.invite_s, cfg.rating.reasons_s,
                                     has_screen=screen is not None)
        self.clerk_message = ""
        self.online = False
        self.paused = False
        self.serving = False
        self.staff: dict | None = None
        self.ratings_sent = self.ratings_answered = 0  # counts: a window keeps no list of them
        self.recorder: Recorder = DISCARD  # tests, hall-sim: attach()
        self.timeline: collections.deque = collections.deque(maxlen=2000)  # for hall-bench
        self._in_flight: Send | None = None
        self._pressed_at: str | None = None
        self._pressed_offline = False
        self.login = DefaultLogin(self.settings.staff)
        self.outputs = PadOutputs(self.window, keypad, pad)
        self._drawn: view.View | None = None
        self._health: dict | None = None
        self._health_at = -1e9
        self._started = False
        self.loop_at: float | None = None  # monotonic time of run_forever's latest round
        self.closers: list = []  # called by stop() after the pads close (e.g. release a line)
        self._called_no: str | None = None
        self._waiting: int | None = None
        # Stamp each press with the hall time and the link state when it happened, not when
        # poll() gets to it: a rating pressed offline travels with its own time.
        keypad.on_press(lambda p: self.inbox.put(Pressed(p, clock.now(), client.connected,
                                                         keypad)))
        if pad is not keypad:
            pad.on_press(lambda p: self.inbox.put(Pressed(p, clock.now(), client.connected,
                                                          pad)))
        for kind in ("finished", "rated", "held", "called"):
            client.on_event(kind, lambda k, e: self.inbox.put(HubEvent(k, e)))
        client.on_state(lambda key, s: self.inbox.put(HubState(key, s)))
        client.on_connection(lambda up: self.inbox.put(Link(up)))

    # -- life cycle -------------------------------------------------------------------------
    def attach(self, recorder: Recorder) -> None:
        """Hand the ratings this window sends (``submitted``: the args) and their answers
        (``rating_answer``: (args, result, exception)) to ``recorder`` (tests, hall-sim)."""
        self.recorder = recorder

    def start(self) -> None:
        """Start the hub client; the default staff logs in once connected."""
        self._started = True
        self.client.start()
        self.poll()

    def stop(self) -> None:
        self._started = False
        self.client.stop()
        for device in {id(self.keypad): self.keypad, id(self.pad): self.pad}.values():
            device.close()
        for closer in self.closers:
            closer()
        if self.screen is not None:
            self.screen.close()

    def run_forever(self, stop=None, rate_hz: float = 20.0, notify=None) -> None:
        """poll() at ``rate_hz`` until ``stop`` (a threading.Event) is set; ``notify(msg)`` feeds
        the systemd watchdog (READY=1 once, WATCHDOG=1 about once a second)."""
        self.loop_at = time.monotonic()
        if not self._started:
            self.start()
        if notify:
            notify("READY=1")
        last_dog = 0.0
        while stop is None or not stop.is_set():
            self.loop_at = time.monotonic()
            self.poll()
            if notify and time.monotonic() - last_dog >= 1.0:
                notify("WATCHDOG=1")
                last_dog = time.monotonic()
            # sleep until a key, an event or a reply arrives, or the next blink/timeout is due:
            # a clerk's key goes to the hub at once, not at the next 50 ms tick
            self.inbox.wait(1.0 / rate_hz)

    # -- one round of work ------------------------------------------------------------------
    def poll(self) -> None:
        """Do everything pending once: queued presses, events and answers; deadlines; touches;
        LEDs; the screen; health."""
        while (message := self.inbox.take()) is not None:
            try:
                self._handle(message)
            except Exception:  # noqa: BLE001 - one bad message must not stop the window
                log.exception("window %s: failed to handle %s", self.window,
                              type(message).__name__)
        self._default_login()
        now = self.clock.monotonic()
        self._submit(self.session.tick(now))
        if self.screen is not None:
            for touch in self.screen.touches():
                self._touch(touch.x, touch.y, now)
        self.outputs.leds(self.session.leds(), self.online, self.serving, self.paused)
        self.outputs.keypad_display(now, self._called_no if self.serving else None,
                                    self._waiting)
        self._draw(now)
        self._publish_health(now)
        self.trim()

    def _handle(self, message: Message) -> None:
        match message:
            case Pressed(press, at, connected, source):
                self._key(press, at, connected, source)
            case HubEvent(kind, event):
                self._event(kind, event)
            case HubState(key, state):
                self._state(key, state)
            case Link(up):
                self.online = up
            case Answered(send, result, exc, default):
                self._answer(send, result, exc, default)
            case RatingAnswered(args, result, exc):
                self._rating_answer(args, result, exc)
            case _:
                raise TypeError(f"not a window node message: {message!r}")

    # -- keys -------------------------------------------------------------------------------
    def _key(self, press: KeyPress, pressed_at, connected: bool, source: KeyPad) -> None:
        self.timeline.append((time.monotonic(), "key", press.key, press.at))
        if press.key in RATING_KEYS:
            if source is not self.pad:
                log.warning("window %s: rating key %s on the clerk's keypad ignored",
                            self.window, press.key)
                return
            self._rate(score_of(press.key), pressed_at, connected)
        elif press.key in CLERK_KEYS or press.key == "digit":
            if source is not self.keypad:
                return  # a citizen cannot work the clerk's keys
            self._clerk(press)

    def _rate(self, score: int, pressed_at, connected: bool) -> None:
        now = self.clock.monotonic()
        if self.session.state != "inviting":
            return  # outside an invitation a press changes nothing
        self._pressed_at, self._pressed_offline = iso(pressed_at), not connected
        self._submit(self.session.press(score, now))

    def _clerk(self, press: KeyPress) -> None:
        if press.key == "transfer" and press.digit is not None:
            # a pad without digit keys (FF68) sends the choice with the 转移 key: "2 转移"
            if self.desk.mode != "transfer":
                self.desk.key("transfer", None, self.clock.monotonic())
            press = KeyPress("digit", press.at, press.source, press.digit)
        action = self.desk.key(press.key, press.digit, self.clock.monotonic())
        if isinstance(action, Tell):
            self._tell(action)
        else:
            self._send(action)

    def _default_login(self) -> None:
        """Log the default staff in once the hub is reachable. A login the hub never answered
        (it was restarting, the broker went away) is tried again: a window must not stay
        closed because its node booted first."""
        if (not self.login.due(time.monotonic()) or not self.online or not self.client.connected
                or self._in_flight is not None):
            return
        self.login.sent()
        self._send(Send("window.login", {"window": self.window, "staff": self.settings.staff}),
                   default=True)

    def _send(self, send: Send, default: bool = False) -> None:
        if self._in_flight is not None:
            self._tell(Tell("refused", strings.CLERK["busy"]))
            return
        if not self.client.connected:
            self._tell(Tell("refused", strings.CLERK["offline"]))
            return
        self._in_flight = send
        self.timeline.append((time.monotonic(), "sent", send.op, None))
        self.client.request_async(
            send.op, send.args,
            lambda result, exc: self.inbox.put(Answered(send, result, exc, default)),
            timeout=CLERK_TIMEOUT_S)

    def _answer(self, send: Send, result, exc, default: bool) -> None:
        self._in_flight = None
        self.timeline.append((time.monotonic(), "answer", send.op, exc is None))
        if default:
            self.login.answered(isinstance(exc, HubUnreachable), time.monotonic() + LOGIN_RETRY_S)
        if exc is None:
            self._tell(self.desk.answer(send, result))
        elif default and isinstance(exc, Conflict):
            log.info("window %s: default login: %s", self.window, exc)
        elif default and isinstance(exc, HubUnreachable):
            log.warning("window %s: default login unanswered; trying again in %.0f s",
                        self.window, LOGIN_RETRY_S)
        elif isinstance(exc, HubUnreachable):
            self._tell(Tell("refused", strings.CLERK["unconfirmed"]))
        elif isinstance(exc, HubError):
            self._tell(Tell("refused", strings.CLERK["refused"].format(message=exc.message)))
        else:
            log.error("window %s: %s failed: %r", self.window, send.op, exc)
            self._tell(Tell("refused", strings.CLERK["unconfirmed"]))

    def _tell(self, tell: Tell) -> None:
        self.clerk_message = tell.message
        log.info("window %s clerk: %s", self.window, tell.message)
        if tell.signal is not None:
            self.keypad.signal(tell.signal)

    # -- ratings ----------------------------------------------------------------------------
    def _submit(self, sub: Submission | None) -> None:
        if sub is None:
            return
        args: dict = {"window": self.window, "score": sub.score}
        if sub.reasons:
            args["reasons"] = list(sub.reasons)
        if self._pressed_offline and self._pressed_at:
            args["pressed_at"] = self._pressed_at  # delivered late: the press's own hall time
        self.ratings_sent += 1
        self.recorder.record("submitted", args)
        self.timeline.append((time.monotonic(), "rating", sub.score, None))
        self.client.request_async(
            "rating.submit", args,
            lambda result, exc: self.inbox.put(RatingAnswered(args, result, exc)),
            timeout=float(self.cfg.rating.bind_s))

    def _rating_answer(self, args: dict, result, exc) -> None:
        self.ratings_answered += 1
        self.recorder.record("rating_answer", (args, result, exc))
        if exc is None:
            log.info("window %s: rating %s recorded", self.window, args["score"])
        else:  # the citizen has been thanked already; the hall sees it in the log and health
            log.warning("window %s: rating %s not recorded: %r", self.window, args["score"], exc)

    def _touch(self, x: int, y: int, now: float) -> None:
        if self.session.state != "reasons":
            return
        index = view.hit(self.screen.size, x, y)
        if index is None:
            return
        if index < len(strings.BAD_REASONS):
            self.session.toggle_reason(index)
        else:
            self._submit(self.session.confirm(now))

    # -- hub events and state ---------------------------------------------------------------
    def _event(self, kind: str, event: dict) -> None:
        if event.get("window") != self.window:
            return
        no = event.get("no")
        if kind == "finished":
            self.serving = False
            self._submit(self.session.open(no, self.clock.monotonic()))
            try:
                self.pad.invite_rating(self.cfg.rating.invite_s)
            except Exception:  # noqa: BLE001 - the LEDs still invite; the pad may be away
                log.exception("opening the pad's invitation failed")
        elif kind == "rated":
            self.session.rated(no)
        elif kind == "held":
            self.desk.ticket_held(no)
        elif kind == "called":
            self.desk.ticket_called(no)
            self.serving = True
            self._called_no = no

    def _state(self, key: str, state: dict) -> None:
        if key == "queue":
            self._queue_state(state)
            return
        if key != f"window/{self.window}":
            return
        self.desk.window_state(state)
        staff = state.get("staff")
        self.staff = staff if isinstance(staff, dict) else None
        self.paused = state.get("status") == "paused"
        self.serving = bool(state.get("serving"))
        serving = state.get("serving")
        if isinstance(serving, dict) and isinstance(serving.get("no"), str):
            self._called_no = serving["no"]

    def _queue_state(self, state: dict) -> None:
        """Citizens waiting for this window's services (the window state's list, else the
        config's)."""
        window_state = getattr(self.client, "state", {}).get(f"window/{self.window}") or {}
        services = window_state.get("services") or self.cfg.windows[self.window].services
        table = state.get("services")
        if not isinstance(table, dict):
            return
        self._waiting = sum(int(table[s].get("waiting", 0)) for s in services
                            if isinstance(table.get(s), dict))

    # -- outputs ----------------------------------------------------------------------------
    def current_view(self, now: float | None = None) -> view.View:
        """What the screen shows now."""
        now = self.clock.monotonic() if now is None else now
        staff = self.staff or {}
        number = staff.get("number")
        known = self.cfg.staff.get(number) if number else None
        s = self.session
        return view.View(
            window_name=self.cfg.windows[self.window].name, hall_name=self.cfg.name,
            staff_name=staff.get("name") or (known.name if known else None),
            staff_number=number, photo=known.photo if known else None, state=s.state,
            seconds_left=s.seconds_left(now) if s.state in ("inviting", "reasons") else 0,
            score=s.score, chosen=tuple(s.chosen), online=self.online, paused=self.paused)

    def _draw(self, now: float) -> None:
        if self.screen is None:
            return
        current = self.current_view(now)
        if current == self._drawn:
            return
        view.draw(self.screen.surface, current)
        self.screen.present()
        self._drawn = current

    def health(self) -> dict:
        """Device health as published, each asked of its device: the pads' and the screen's,
        each saying whether it is ``simulated``; ``simulated`` on top when any is, or the node
        asked for simulated devices."""
        out: dict = {"window": self.window, "keypad": _device_health(self.keypad)}
        if self.pad is not self.keypad:
            out["pad"] = _device_health(self.pad)
        out["screen"] = {"state": "none"} if self.screen is None else _device_health(self.screen)
        out["simulated"] = self.settings.simulate or any(
            d.get("simulated") for d in out.values() if isinstance(d, dict))
        return out

    def _publish_health(self, now: float) -> None:
        if now - self._health_at < HEALTH_EVERY_S and self._health is not None:
            return
        self._health_at = now
        current = self.health()
        if current != self._health:
            self._health = current
            self.client.publish_health(current)


def _device_health(device) -> dict:
    """``device.health()`` plus whether it is simulated; a health read that fails is an error."""
    try:
        out = dict(device.health())
    except Exception as exc:  # noqa: BLE001 - a device that cannot say is reported, not fatal
        out = {"state": "error", "detail": str(exc) or type(exc).__name__}
    out["simulated"] = bool(getattr(device, "simulated", False))
    return out
