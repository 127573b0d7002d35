"""hallstack's Modbus peripherals behind the devices/ interfaces: keypads and LED window screens.

The rater and callboard nodes use these like any other ``KeyPad`` / ``WindowScreen`` backend::

    bus = BusMaster(RtuLink("/dev/ttyUSB0", 9600)).start()
    pad = ModbusKeyPad(bus, 2, kind="clerk_pad"); pad.on_press(node_queue.put)
    screen = ModbusWindowScreen(bus, 1); screen.show("请A012号到3号窗口", "flash")

Bad input raises ValueError in the caller's thread before anything is queued for the line.
"""

from __future__ import annotations

import logging

from devices.keys import KeyPad, KeyPress, check_invitation
from devices.ledscreen import WindowScreen, check_brightness, check_mode
from firmware_bridge import registers as reg
from firmware_bridge.bus import BusMaster, Peripheral
from firmware_bridge.link import RtuLink

log = logging.getLogger(__name__)


class ModbusKeyPad(Peripheral, KeyPad):
    """A clerk keypad (``kind="clerk_pad"``) or rating pad (``"rating_pad"``) on the bus.

    Presses are read from the pad's buffer and acknowledged by sequence number (16-bit, with
    wrap): a lost reply or a lost acknowledgement makes the master read a press again, and the
    sequence number lets it deliver that press once only. Nothing is acknowledged before a
    callback is registered, so presses made before the node is ready wait in the pad.
    ``health()`` adds ``delivered``, ``duplicates`` (read again, not delivered again),
    ``resyncs``, ``unknown_keys``, ``callback_errors`` and ``lost_in_pad`` (buffer overflows).
    """

    def __init__(self, bus: BusMaster, device_id: int, kind: str = "clerk_pad",
                 name: str | None = None):
        if kind not in ("clerk_pad", "rating_pad"):
            raise ValueError(f"a keypad is a clerk_pad or a rating_pad, not {kind!r}")
        super().__init__(bus, device_id, kind, name)
        self._callback = None
        self._next_seq: int | None = None  # sequence number of the next press to deliver
        self.stats.update({"delivered": 0, "duplicates": 0, "resyncs": 0, "unknown_keys": 0,
                           "callback_errors": 0, "lost_in_pad": 0})

    def on_press(self, callback) -> None:
        """Deliver every press, once and in order, to ``callback(KeyPress)`` on the bus thread."""
        self._callback = callback
        self.bus.wake()

    def set_led(self, name: str, mode: str) -> None:
        """Keep LED ``name`` in ``mode`` (off|on|blink); ValueError for unknown name or mode."""
        names = reg.LED_NAMES[self.type]
        if name not in names:
            raise ValueError(f"{self.kind} has no LED {name!r}; it has {', '.join(names)}")
        if mode not in reg.LED_MODES:
            raise ValueError(f"LED mode must be one of {', '.join(reg.LED_MODES)}, not {mode!r}")
        self.want(reg.KEY_LEDS + names.index(name), [reg.LED_MODES.index(mode)])

    def signal(self, kind: str) -> None:
        """Play the ``ok`` or ``refused`` pattern now (dropped if the pad cannot take it in 1 s)."""
        if kind not in reg.SIGNALS:
            raise ValueError(f"signal must be one of {', '.join(reg.SIGNALS)}, not {kind!r}")
        self.once(reg.KEY_SIGNAL, reg.SIGNALS.index(kind) + 1, ttl_s=1.0)

    def invite_rating(self, seconds: int) -> None:
        """Rating pad: accept one rating for ``seconds`` (0 ends the invitation)."""
        check_invitation(seconds)
        if self.kind != "rating_pad":
            raise ValueError("only a rating pad takes a rating invitation")
        self.once(reg.KEY_INVITE, seconds, ttl_s=2.0)

    def on_reboot(self) -> None:
        self._next_seq = None  # the pad starts counting afresh

    def poll(self, link: RtuLink, now: float) -> bool:
        if self._callback is None:
            return False
        regs = link.read(self.device_id, reg.KEY_ACK, reg.KEY_POLL_COUNT)
        first, pending, lost, boot = regs[:4]
        self.note_boot(boot)
        self.stats["lost_in_pad"] = lost
        if self._next_seq is None:
            self._next_seq = first
        seen = reg.seq_ahead(self._next_seq, first)  # buffered presses delivered already
        if seen > pending:  # our count is outside the pad's buffer: trust the pad
            self.stats["resyncs"] += 1
            log.warning("%s: sequence %d outside the pad's %d..+%d, resynchronising",
                        self.name, self._next_seq, first, pending)
            seen = 0
        shown = min(pending, reg.KEY_EVENT_SLOTS)
        self.stats["duplicates"] += min(seen, shown)
        for i in range(seen, shown):
            code, age = regs[4 + 2 * i], regs[5 + 2 * i]
            self._deliver(code, now - age * reg.KEY_AGE_UNIT_S)
        done = (first + max(seen, shown)) % reg.SEQ_MOD
        self._next_seq = done
        if done != first:
            link.write(self.device_id, reg.KEY_ACK, done)
        return pending > shown

    def _deliver(self, code: int, at: float) -> None:
        name = reg.KEY_CODES.get(code)
        if name is None:
            self.stats["unknown_keys"] += 1
            return
        digit = code - 0x30 if name == "digit" else None
        self.stats["delivered"] += 1
        try:
            self._callback(KeyPress(name, at, self.name, digit))
        except Exception:  # a node's bug must not stop the bus for every other device
            self.stats["callback_errors"] += 1
            log.exception("%s: key callback failed", self.name)


class ModbusWindowScreen(Peripheral, WindowScreen):
    """An LED window screen on the bus: GB2312 text, static/flash/scroll, brightness.

    ``show`` and ``set_brightness`` check their input at once and return; the bus thread writes
    the text in one 0x10 request (mode, length and text together, so the screen never shows half
    a text) and writes it again if the screen reboots. ``sync()`` waits until it is written.
    """

    def __init__(self, bus: BusMaster, device_id: int, name: str | None = None,
                 health_every_s: float = 0.5):
        super().__init__(bus, device_id, "screen", name)
        self.health_every_s = health_every_s

    def show(self, text: str, mode: str = "static") -> None:
        """Put ``text`` on the screen; ValueError for a bad mode or text GB2312 cannot carry."""
        check_mode(mode)
        regs = reg.encode_text(text)
        self.want(reg.SCREEN_MODE, [reg.SCREEN_MODES.index(mode), *regs])

    def set_brightness(self, level: int) -> None:
        """Brightness 0–100; ValueError outside."""
        self.want(reg.SCREEN_BRIGHTNESS, [check_brightness(level)])

    def read_back(self, timeout: float = 2.0) -> dict:
        """Read text, mode and brightness back from the screen over the bus."""
        count = 3 + reg.SCREEN_TEXT_REGS
        regs = self.bus.call(lambda link: link.read(self.device_id, reg.SCREEN_BRIGHTNESS,
                                                    count)).result(timeout)
        return {"brightness": regs[0], "mode": reg.SCREEN_MODES[regs[1]],
                "text": reg.decode_text(regs[2], regs[3:])}

    def poll(self, link: RtuLink, now: float) -> bool:
        regs = link.read(self.device_id, reg.COMMON_BASE, reg.COMMON_COUNT)
        self.note_boot(regs[reg.COMMON_BOOT])  # after a reboot, the text is written again
        return False

    def service(self, link: RtuLink, now: float) -> None:
        super().service(link, now)
        if self.state == "ok":  # a screen only needs a health read now and then
            self.next_due = max(self.next_due, now + self.health_every_s)
