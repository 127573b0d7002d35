"""FF68 callers and raters emulated on one pseudo-terminal: the bus a driver opens by its path.

Each emulated unit behaves as a unit does: it sends a key or rating frame and resends it until
the host acknowledges it (up to ``retries`` times). Faults for tests: ``corrupt_rate`` damages a
frame on the wire (a flipped bit or a cut-off tail), ``noise_rate`` puts garbage before it,
``drop_ack_rate`` loses the host's acknowledgement, ``repeat_rate`` sends a frame twice back to
back (a resend crossing the host's ack). Host frames are decoded honestly: the
7-segment digits each unit shows, its beeps and rating invitations, and every raw frame.

Timing: when the emulator itself damaged the frame or lost the ack it knows no ack will come,
so it resends after ``damaged_wait_s`` instead of the unit's ``ack_timeout_s``; the host sees
the same bytes either way, and the repeat window runs on the driver's clock, which a test
advances through ``before_press`` (a person's pace) without waiting in real time.
"""

from __future__ import annotations

import os
import random
import select
import threading
from collections import Counter, defaultdict
from collections.abc import Callable

from . import ff68_frame as fr
from .serial_line import Pty


class FF68Emulator:
    """Units ``addrs`` on one emulated line. ``path`` is the port a driver opens."""

    def __init__(self, addrs, *, key_func: int = 0x01, ack_timeout_s: float = 0.3,
                 damaged_wait_s: float | None = None, retries: int = 20,
                 corrupt_rate: float = 0.0, noise_rate: float = 0.0,
                 drop_ack_rate: float = 0.0, repeat_rate: float = 0.0, seed: int = 0,
                 link: str | None = None,
                 before_press: Callable[[], None] | None = None):
        self.addrs = set(addrs)
        self.key_func = key_func
        self.ack_timeout_s = ack_timeout_s
        self.damaged_wait_s = ack_timeout_s if damaged_wait_s is None else damaged_wait_s
        self.retries = retries
        self.corrupt_rate, self.noise_rate, self.drop_ack_rate, self.repeat_rate = (
            corrupt_rate, noise_rate, drop_ack_rate, repeat_rate)
        self.before_press = before_press
        self._rng = random.Random(seed)
        self._pty = Pty(link)
        self.path = self._pty.path
        self.displays: dict[int, str] = {a: " " * 6 for a in self.addrs}
        self.beeps: Counter[int] = Counter()
        self.invitations: Counter[int] = Counter()
        self.rater_modes: dict[int, int] = {}
        self.received: dict[int, list[bytes]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self._expect: tuple[int, bytes] | None = None
        self._acks = 0
        self._acked = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ff68-emulator", daemon=True)
        self._thread.start()

    # a person at a unit -------------------------------------------------------------------
    def press(self, addr: int, code: int, digit: int | None = None) -> bool:
        """Press key ``code`` (after typing ``digit``) on unit ``addr``; True once acknowledged."""
        data = bytes([code] if digit is None else [digit, code])
        return self.send_frame(fr.encode(addr, self.key_func, data))

    def rate(self, addr: int, value: int) -> bool:
        """Press rating key ``value`` on rater ``addr``; True once acknowledged."""
        return self.send_frame(fr.encode(addr, fr.FUNC_RATING, bytes([value])))

    def send_frame(self, frame: bytes) -> bool:
        """Send one unit frame and resend it until acknowledged, as a unit does."""
        decoded = fr.decode(frame)
        if decoded.addr not in self.addrs:
            raise ValueError(f"unit {decoded.addr} is not on this emulated line")
        if self.before_press is not None:
            self.before_press()
        ack = fr.ack_for(decoded)
        for _attempt in range(self.retries + 1):
            with self._acked:
                self._expect, self._acks = (decoded.addr, ack), 0
            wire, damaged = self._on_the_wire(frame)
            copies = 1
            if not damaged and self._rng.random() < self.repeat_rate:
                copies = 2
                wire += frame
                self.counts["repeated"] += 1
            os.write(self._pty.master, wire)
            self.counts["sent"] += copies
            with self._acked:
                # Every copy the host accepts is acknowledged: wait for all of them, so that no
                # late ack can be taken for the next press's.
                self._acked.wait_for(lambda n=copies: self._acks >= n,
                                     self.damaged_wait_s if damaged else self.ack_timeout_s)
                got = self._acks
            if got:
                if self._rng.random() < self.drop_ack_rate:
                    self.counts["acks_dropped"] += 1
                    continue
                self.counts["acked"] += 1
                return True
            self.counts["timeouts"] += 1
        self.counts["gave_up"] += 1
        return False

    def render_png(self, path: str) -> str:
        """Draw each unit's 6-digit display, as the clerk sees it (address at the left)."""
        from PIL import Image, ImageDraw

        from devices.fonts import pillow_font

        addrs = sorted(self.addrs)
        font, small = pillow_font(48), pillow_font(16)
        image = Image.new("RGB", (260, 64 * len(addrs)), (20, 20, 20))
        draw = ImageDraw.Draw(image)
        for row, addr in enumerate(addrs):
            top = row * 64
            draw.rectangle((40, top + 4, 255, top + 60), fill="black")
            draw.text((4, top + 22), str(addr), fill="gray", font=small)
            for i, ch in enumerate(self.displays[addr]):
                draw.text((48 + i * 34, top + 2), ch, fill=(255, 40, 20), font=font)
        image.save(path)
        return path

    def inject(self, data: bytes) -> None:
        """Put raw bytes on the line (noise, a hand-made frame)."""
        os.write(self._pty.master, data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._pty.close()

    # faults -------------------------------------------------------------------------------
    def _on_the_wire(self, frame: bytes) -> tuple[bytes, bool]:
        wire, damaged = frame, False
        if self._rng.random() < self.corrupt_rate:
            damaged = True
            if self._rng.random() < 0.5:
                pos = self._rng.randrange(len(frame))
                wire = bytearray(frame)
                wire[pos] ^= 1 << self._rng.randrange(8)
                wire = bytes(wire)
                self.counts["bit_flips"] += 1
            else:
                wire = frame[:self._rng.randrange(1, len(frame))]
                self.counts["truncations"] += 1
        if self._rng.random() < self.noise_rate:
            noise = bytes(self._rng.randrange(256) for _ in range(self._rng.randrange(1, 8)))
            wire = noise + wire
            self.counts["noise_bursts"] += 1
        return wire, damaged

    # host → units -------------------------------------------------------------------------
    def _run(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._pty.master], [], [], 0.05)
            if not ready:
                buf.clear()  # a silent gap ends any partial frame
                continue
            try:
                chunk = os.read(self._pty.master, 4096)
            except OSError:
                continue
            buf += chunk
            while buf:
                verdict = fr.scan(buf, fr.OUTBOUND_L)
                if verdict.n == 0:
                    break
                if verdict.n < 0:
                    self.counts["host_" + (verdict.reason or fr.NOISE)] += 1
                    del buf[:-verdict.n]
                    continue
                raw = bytes(buf[:verdict.n])
                del buf[:verdict.n]
                self._host_frame(raw, verdict.frame)

    def _host_frame(self, raw: bytes, frame: fr.Frame) -> None:
        if frame.addr not in self.addrs:
            return
        self.received[frame.addr].append(raw)
        with self._acked:
            if self._expect == (frame.addr, raw):
                self._acks += 1
                self._acked.notify_all()
                return
        if frame.func == fr.FUNC_DISPLAY and len(frame.data) == 6:
            self.displays[frame.addr] = fr.digits_text(frame.data)
        elif frame.func == fr.FUNC_DISPLAY and len(frame.data) == 1:
            self.rater_modes[frame.addr] = frame.data[0]
        elif frame.func == fr.FUNC_BEEP:
            self.beeps[frame.addr] += 1
        elif frame.func == fr.FUNC_INVITE and frame.data == bytes([fr.INVITE_CODE]):
            self.invitations[frame.addr] += 1
        else:
            self.counts["host_unknown"] += 1
