"""The FF68 caller/rater bus master: one serial line per area, one :class:`FF68Unit` per unit.

A reader thread hunts frames (:func:`ff68_frame.scan`), acknowledges every valid frame from a
configured unit, and turns it into a :class:`~devices.keys.KeyPress` on that unit's keypad.

The protocol has no sequence number. A unit resends a frame whose acknowledgement it did not
get, so the bus treats a frame *identical* to the unit's previous one, arriving within
``repeat_window_s`` of it (on the injected clock), as that frame again: acknowledged, not acted
on twice. The window slides with each repeat. A person pressing the same key twice inside the
window is therefore counted once; docs/legacy-ff68.md explains the choice::

    unit:   [F]----x(ack lost)--[F]--ack        ... 3 s ...  [F]--ack
    bus:     act        repeat (within 1.5 s)                act (a new press)
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.keys import LED_MODES, SIGNALS, KeyPad, KeyPress, check_invitation

from . import ff68_frame as fr
from .ff68_keymap import KeyMap


@dataclass
class UnitSettings:
    """One unit on the bus: its address, its window and how its rating values read."""

    addr: int
    window: int
    ratings: dict[int, str] = field(default_factory=dict)  # value → "rate_N"


class FF68Unit(KeyPad):
    """One caller or rater unit, seen by its window's node as a :class:`KeyPad`.

    Besides the KeyPad methods: :meth:`show_ticket`, :meth:`show_waiting`, :meth:`beep`,
    :meth:`invite_rating` and :meth:`rater_display` write to the unit. LED names it accepts:
    ``pause`` (mirrors the window's pause state into the "any key resumes" rule) and ``rate``
    (``on``/``blink`` start a rating invitation). ``signal("refused")`` beeps; the units have
    no known "ok" signal, so ``ok`` sends nothing.
    """

    def __init__(self, bus: FF68Bus, settings: UnitSettings):
        self._bus = bus
        self.addr = settings.addr
        self.window = settings.window
        self.ratings = settings.ratings
        self.source = f"ff68:{bus.name}:{settings.addr}"
        self.paused = False
        self.counts: Counter[str] = Counter()
        self.last_seen: float | None = None
        self._callback: Callable[[KeyPress], None] | None = None
        # The unit forgets a press once acknowledged: presses before on_press wait here.
        self._early: list[KeyPress] = []
        self._closed = False
        self._lock = threading.Lock()
        self._last_raw: bytes | None = None
        self._last_at = 0.0

    # KeyPad -------------------------------------------------------------------------------
    def on_press(self, callback: Callable[[KeyPress], None]) -> None:
        with self._lock:  # held while delivering: a press read meanwhile comes after these
            self._callback = callback
            early, self._early = self._early, []
            for press in early:
                self._call(callback, press)

    def set_led(self, name: str, mode: str) -> None:
        if mode not in LED_MODES:
            raise ValueError(f"unknown LED mode {mode!r}; expected one of {', '.join(LED_MODES)}")
        if name == "pause":
            self.paused = mode != "off"
        elif name == "rate":
            if mode != "off":
                self._invite()
        else:
            raise ValueError(f"FF68 unit has no LED {name!r}; it knows 'pause' and 'rate'")

    def signal(self, kind: str) -> None:
        if kind not in SIGNALS:
            raise ValueError(f"unknown signal {kind!r}; expected one of {', '.join(SIGNALS)}")
        if kind == "refused":
            self.beep()

    def health(self) -> dict:
        bus = self._bus.health()
        state = bus["state"] if bus["state"] != "ok" else ("ok" if self.last_seen else "unknown")
        return {"state": state, "addr": self.addr, "window": self.window,
                "paused": self.paused, "counts": dict(self.counts), "bus": bus}

    def close(self) -> None:
        """The bus owns the line; closing one unit's keypad only stops its deliveries."""
        with self._lock:
            self._closed, self._callback, self._early = True, None, []

    # host → unit --------------------------------------------------------------------------
    def show_ticket(self, no: str) -> None:
        """Show the called ticket's last three digits on the caller's 7-segment display."""
        self._bus.send(self.addr, fr.FUNC_DISPLAY, fr.ticket_digits(no))

    def show_call(self, no: str) -> None:
        """KeyPad hook: the called ticket, as :meth:`show_ticket`."""
        self.show_ticket(no)

    def show_waiting(self, count: int) -> None:
        """Show the waiting count (capped at 999) on the caller's display."""
        self._bus.send(self.addr, fr.FUNC_DISPLAY, fr.waiting_digits(count))

    def beep(self) -> None:
        self._bus.send(self.addr, fr.FUNC_BEEP, b"")

    def invite_rating(self, seconds: int) -> None:
        """Ask a rater unit to start its rating invitation (FUNC 01, DATA 0B). The unit keeps
        its own time: ``seconds`` is checked as on every pad but not sent; 0 sends nothing."""
        if check_invitation(seconds):
            self._invite()

    def _invite(self) -> None:
        self._bus.send(self.addr, fr.FUNC_INVITE, bytes([fr.INVITE_CODE]))

    def rater_display(self, mode: int) -> None:
        """Set a rater's display mode (one byte; 0x05 seen in public source, meaning unverified)."""
        if isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0xFF:
            raise ValueError(f"rater display mode must be a byte, got {mode!r}")
        self._bus.send(self.addr, fr.FUNC_DISPLAY, bytes([mode]))

    # bus side -----------------------------------------------------------------------------
    def _is_repeat(self, raw: bytes, now: float, window_s: float) -> bool:
        repeat = raw == self._last_raw and now - self._last_at <= window_s
        self._last_raw, self._last_at = raw, now
        return repeat

    def _press(self, frame: fr.Frame, now: float) -> KeyPress | None:
        """The press a new frame means, or None (counted) when it means nothing known."""
        if frame.is_rating:
            key = self.ratings.get(frame.data[0]) if frame.data else None
            if key is None:
                self.counts["unknown_rating"] += 1
                return None
            return KeyPress(key, now, self.source)
        key, digit = self._bus.keymap.key_for(frame.data)
        if key is None:
            self.counts["unknown_key"] += 1
            return None
        if self.paused and key != "pause" and self._bus.keymap.any_key_resumes:
            key, digit = "resume", None
        if key == "pause":
            self.paused = True
        elif key == "resume":
            self.paused = False
        return KeyPress(key, now, self.source, digit)

    def _deliver(self, press: KeyPress) -> None:
        with self._lock:
            if self._callback is not None:
                self._call(self._callback, press)
            elif self._closed:
                self.counts["undelivered"] += 1
            else:
                self._early.append(press)

    def _call(self, callback: Callable[[KeyPress], None], press: KeyPress) -> None:
        try:
            callback(press)
            self.counts["delivered"] += 1
        except Exception:  # a node's bug must not stop the bus for every other unit
            self.counts["callback_errors"] += 1


class FF68Bus:
    """The host end of one FF68 line. ``line`` has ``read_some()``, ``write()``, ``close()``
    (:class:`~firmware_bridge.legacy.serial_line.SerialLine`); ``clock`` returns seconds and
    drives the repeat window and ``KeyPress.at`` (pass the hall clock's ``monotonic``).
    ``local_echo``: the adapter hears its own transmissions; drop them before parsing.
    """

    def __init__(self, line, units: list[UnitSettings], keymap: KeyMap, *, name: str = "ff68",
                 clock: Callable[[], float] = time.monotonic, repeat_window_s: float = 1.5,
                 local_echo: bool = False):
        self.name = name
        self.keymap = keymap
        self.repeat_window_s = repeat_window_s
        self._line = line
        self._clock = clock
        self._local_echo = local_echo
        self._echo = bytearray()
        self.units: dict[int, FF68Unit] = {}
        for settings in units:
            if settings.addr in self.units:
                raise ValueError(f"unit address {settings.addr} configured twice")
            self.units[settings.addr] = FF68Unit(self, settings)
        self.counts: Counter[str] = Counter()
        self.last_error: str | None = None
        self._buf = bytearray()
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # public -------------------------------------------------------------------------------
    def keypad(self, addr: int) -> FF68Unit:
        """The keypad of unit ``addr``; KeyError names the configured addresses otherwise."""
        if addr not in self.units:
            raise KeyError(f"no FF68 unit {addr} on bus {self.name}; configured: "
                           f"{sorted(self.units)}")
        return self.units[addr]

    def add_unit(self, settings: UnitSettings) -> FF68Unit:
        """Configure one more unit on a running line (another window node of the process)."""
        if settings.addr in self.units:
            raise ValueError(f"unit address {settings.addr} configured twice")
        unit = FF68Unit(self, settings)
        self.units[settings.addr] = unit  # one dict store: the reader sees it whole or not
        return unit

    def keypads_for_window(self, window: int) -> list[FF68Unit]:
        """Every unit of window ``window`` (its caller and its rater), by address."""
        return [u for a, u in sorted(self.units.items()) if u.window == window]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"ff68-{self.name}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._line.close()

    def health(self) -> dict:
        state = "error" if self.last_error else "ok"
        return {"state": state, "bus": self.name, "counts": dict(self.counts),
                "last_error": self.last_error}

    def send(self, addr: int, func: int, data: bytes) -> None:
        """Write one host frame to unit ``addr`` (OSError when the line fails)."""
        self._write(fr.encode(addr, func, data))

    # reader -------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                chunk = self._line.read_some()
            except (OSError, ValueError) as exc:  # pyserial's SerialException is an OSError
                self.last_error = f"read: {exc}"
                self._stop.wait(0.5)
                continue
            self.feed(chunk)

    def feed(self, chunk: bytes) -> None:
        """Process bytes from the line; ``b""`` means a silent gap (drops a partial frame)."""
        if not chunk:
            if self._buf:
                self.counts["truncated"] += 1
                self.counts["skipped_bytes"] += len(self._buf)
                self._buf.clear()
            with self._write_lock:
                self._echo.clear()
            return
        self._buf += chunk
        while self._buf:
            if self._local_echo and self._drop_echo():
                return
            verdict = fr.scan(self._buf, fr.INBOUND_L)
            if verdict.n == 0:
                return
            if verdict.n < 0:
                self.counts[verdict.reason or fr.NOISE] += 1
                self.counts["skipped_bytes"] += -verdict.n
                del self._buf[:-verdict.n]
                continue
            raw = bytes(self._buf[:verdict.n])
            del self._buf[:verdict.n]
            self._frame(raw, verdict.frame)

    def _drop_echo(self) -> bool:
        """Drop our own transmission from the buffer's start; True while it is still arriving."""
        with self._write_lock:
            n = len(self._echo)
            if n and self._buf[:n] == self._echo[:len(self._buf)]:
                if len(self._buf) < n:
                    return True
                del self._buf[:n]
            self._echo.clear()
            return False

    def _frame(self, raw: bytes, frame: fr.Frame) -> None:
        unit = self.units.get(frame.addr)
        if unit is None:
            # Not ours to accept: no acknowledgement, so a misaddressed unit shows the fault.
            self.counts["unknown_unit"] += 1
            return
        now = self._clock()
        unit.last_seen = now
        repeat = unit._is_repeat(raw, now, self.repeat_window_s)
        self.counts["frames"] += 1
        if repeat:
            self.counts["repeats"] += 1
            unit.counts["repeats"] += 1
        else:
            press = unit._press(frame, now)
            if press is None:
                self.counts["unknown_code"] += 1
            else:
                unit._deliver(press)  # before the ack: an acknowledged press is a delivered one
        try:
            self._write(fr.ack_for(frame))
        except OSError:
            pass  # recorded in last_error; the unit will resend and we will know it again

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            try:
                self._line.write(data)
            except (OSError, ValueError) as exc:
                self.last_error = f"write: {exc}"
                raise OSError(f"FF68 bus {self.name}: {exc}") from exc
            self.last_error = None
            if self._local_echo:
                self._echo += data
