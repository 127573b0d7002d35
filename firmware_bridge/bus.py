"""The bus master: one thread per RS-485 line polls its peripherals and writes what they show.

Public API: ``BusMaster(link).start()``, attach peripherals (:class:`ModbusKeyPad`,
:class:`ModbusWindowScreen` in :mod:`firmware_bridge.modbus_devices`), ``health()``, ``stop()``.
Callers never touch the line: a screen's text or a pad's LED is *desired state* that the bus
thread writes when it can (and writes again after the device reboots); a buzzer signal is a
one-shot that expires if the device cannot take it soon. A device that stops answering is
reported ``silent`` and asked again only every ``silent_retry_s``, so it does not slow the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import Future

from firmware_bridge import registers as reg
from firmware_bridge.link import LinkError, RtuLink
from firmware_bridge.rtu import ModbusException

log = logging.getLogger(__name__)


class BusMaster:
    """Polls the peripherals on one line from a thread of its own.

    ``poll_interval`` is the time between two polls of one keypad; ``silent_after_s`` how long a
    device may fail to answer before it is reported silent; ``clock`` gives the monotonic
    seconds stamped on key presses (the hall clock's ``monotonic`` in a node).
    """

    def __init__(self, link: RtuLink, poll_interval: float = 0.05, silent_after_s: float = 1.0,
                 silent_retry_s: float = 1.0, clock=time.monotonic):
        if poll_interval <= 0 or silent_after_s <= 0 or silent_retry_s <= 0:
            raise ValueError("poll_interval, silent_after_s and silent_retry_s must be positive")
        self.link = link
        self.poll_interval, self.silent_after_s = poll_interval, silent_after_s
        self.silent_retry_s, self.clock = silent_retry_s, clock
        self.devices: dict[int, Peripheral] = {}
        self._calls: deque[tuple[object, Future]] = deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started_at: float | None = None

    def attach(self, device: Peripheral) -> None:
        """Put a peripheral under this master (done by the peripheral's constructor)."""
        if device.device_id in self.devices:
            raise ValueError(f"device id {device.device_id} is already on {self.link.port_name}")
        self.devices[device.device_id] = device
        self.wake()

    def detach(self, device: Peripheral) -> None:
        """Stop polling ``device``."""
        self.devices.pop(device.device_id, None)

    def start(self) -> BusMaster:
        """Open the line if needed and start polling."""
        if self.link._port is None:
            self.link.open()
        self.started_at = self.clock()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"bus {self.link.port_name}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling and close the line; pending calls fail with LinkError."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        while self._calls:
            self._calls.popleft()[1].set_exception(LinkError("bus master stopped"))
        self.link.close()

    def wake(self) -> None:
        """Make the bus thread look at its devices now (new writes are waiting)."""
        self._wake.set()

    def call(self, function) -> Future:
        """Run ``function(link)`` on the bus thread between polls; its result in a Future."""
        if self._thread is None:
            raise RuntimeError("the bus master is not running")
        future: Future = Future()
        self._calls.append((function, future))
        self.wake()
        return future

    def health(self) -> dict:
        """The line's counters and each device's health."""
        return {"port": self.link.port_name, "running": self._thread is not None,
                "line": dict(self.link.counters),
                "devices": {i: d.health() for i, d in sorted(self.devices.items())}}

    def _run(self) -> None:
        while not self._stop.is_set():
            while self._calls:
                function, future = self._calls.popleft()
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(function(self.link))
                    except BaseException as exc:  # the caller gets it; the thread lives on
                        future.set_exception(exc)
            now = self.clock()
            for device in list(self.devices.values()):
                if self._stop.is_set():
                    break
                if device.due(now):
                    try:
                        device.service(self.link, self.clock())
                    except Exception as exc:  # a bug in one device must not deafen the bus
                        log.exception("%s: unexpected error", device.name)
                        device.state, device.error = "error", repr(exc)
                        device.next_due = self.clock() + self.silent_retry_s
            next_due = min((d.next_due for d in self.devices.values()), default=now + 1.0)
            self._wake.wait(max(0.0, min(next_due - self.clock(), 1.0)))
            self._wake.clear()


class Peripheral:
    """What every device on the bus shares: identity check, desired writes, health.

    Subclasses implement :meth:`poll` (their regular read) and may override
    :meth:`on_reboot`. ``kind`` is the device type name the configuration expects.
    """

    def __init__(self, bus: BusMaster, device_id: int, kind: str, name: str | None = None):
        if kind not in reg.TYPE_BY_NAME:
            raise ValueError(f"unknown peripheral kind {kind!r}; one of {sorted(reg.TYPE_BY_NAME)}")
        if not 1 <= device_id <= 247:
            raise ValueError(f"Modbus device id must be 1–247, got {device_id}")
        self.bus, self.device_id, self.kind = bus, device_id, kind
        self.type = reg.TYPE_BY_NAME[kind]
        self.name = name or f"modbus:{bus.link.port_name}#{device_id}"
        self._lock = threading.Condition()
        self._desired: dict[int, list[int]] = {}
        self._dirty: list[int] = []
        self._oneshots: deque[tuple[int, int, float]] = deque()
        self.state, self.error = "unknown", None
        self.firmware: str | None = None
        self.serial: int | None = None
        self.boot: int | None = None
        self.next_due = 0.0
        self._last_reply: float | None = None
        self._failures = 0
        self._mismatch: str | None = None
        self.stats = {"polls": 0, "failures": 0, "refused": 0, "went_silent": 0,
                      "came_back": 0, "reboots": 0, "expired": 0}
        bus.attach(self)

    # --- called by the device's users ----------------------------------------------------

    def want(self, address: int, values: list[int]) -> None:
        """Desired state: keep ``values`` written at ``address``, now and after a reboot."""
        with self._lock:
            self._desired[address] = list(values)
            if address not in self._dirty:
                self._dirty.append(address)
        self.bus.wake()

    def once(self, address: int, value: int, ttl_s: float) -> None:
        """A one-shot write, dropped (and counted) if it cannot be sent within ``ttl_s``."""
        with self._lock:
            self._oneshots.append((address, value, self.bus.clock() + ttl_s))
        self.bus.wake()

    def sync(self, timeout: float = 2.0) -> bool:
        """Wait until every desired write has reached the device; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._dirty and not self._oneshots, timeout)

    def health(self) -> dict:
        """``state`` ok | silent | error | unknown, identity, counters and the line's counters."""
        now = self.bus.clock()
        age = None if self._last_reply is None else round(now - self._last_reply, 3)
        return {"state": self.state, "last_error": self.error, "device_id": self.device_id,
                "kind": self.kind, "firmware": self.firmware, "serial": self.serial,
                "boot": self.boot, "last_reply_age_s": age, **self.stats,
                "line": dict(self.bus.link.counters)}

    def close(self) -> None:
        """Stop polling this device."""
        self.bus.detach(self)

    # --- called on the bus thread --------------------------------------------------------

    def due(self, now: float) -> bool:
        """Time for a turn: the poll is due, or a healthy device has writes waiting."""
        return now >= self.next_due or (self.state == "ok" and bool(self._dirty
                                                                 or self._oneshots))

    def service(self, link: RtuLink, now: float) -> None:
        """One turn on the bus: (re)identify, flush writes, poll. Never raises."""
        self.stats["polls"] += 1
        try:
            if self.boot is None or self.state != "ok":
                self._identify(link)
            if self._mismatch:
                self._alive(now)
                self.state, self.error = "error", self._mismatch
                self.next_due = now + self.bus.silent_retry_s
                return
            self._flush(link)
            again = self.poll(link, now)
        except LinkError as exc:
            self._failed(now, str(exc))
            return
        except ModbusException as exc:  # alive, but refusing what the map says it takes
            self.stats["refused"] += 1
            self._alive(now)
            self.state, self.error = "error", str(exc)
            self.next_due = now + self.bus.silent_retry_s
            return
        self._alive(now)
        self.next_due = now if again else now + self.bus.poll_interval

    def _identify(self, link: RtuLink) -> None:
        regs = link.read(self.device_id, reg.COMMON_BASE, reg.COMMON_COUNT)
        found = reg.DEVICE_TYPES.get(regs[reg.COMMON_TYPE], f"type {regs[reg.COMMON_TYPE]}")
        self.firmware = "{}.{}.{}".format(*regs[reg.COMMON_FW_MAJOR:reg.COMMON_FW_PATCH + 1])
        self.serial = regs[reg.COMMON_SERIAL_HI] << 16 | regs[reg.COMMON_SERIAL_LO]
        self._mismatch = None
        if found != self.kind:
            self._mismatch = f"device {self.device_id} is a {found}, configured as a {self.kind}"
            return
        self.note_boot(regs[reg.COMMON_BOOT])

    def note_boot(self, boot: int) -> None:
        """Record the boot counter; a change means RAM state is gone: rewrite desired state."""
        if self.boot is not None and boot != self.boot:
            self.stats["reboots"] += 1
            with self._lock:
                self._dirty = list(self._desired)
            self.on_reboot()
        self.boot = boot

    def on_reboot(self) -> None:
        """Hook for subclasses: the device restarted."""

    def _flush(self, link: RtuLink) -> None:
        while True:
            with self._lock:
                if not self._dirty:
                    break
                address = self._dirty[0]
                values = self._desired[address]
            try:
                link.write(self.device_id, address, values[0] if len(values) == 1 else values)
            except ModbusException as exc:  # refused: retrying cannot help, say so and drop it
                self.stats["refused"] += 1
                self.error = str(exc)
                log.warning("%s refused a write at 0x%04X: %s", self.name, address, exc)
            with self._lock:
                if self._desired.get(address) == values and self._dirty[:1] == [address]:
                    self._dirty.pop(0)
                self._lock.notify_all()
        while True:
            with self._lock:
                if not self._oneshots:
                    break
                address, value, expires = self._oneshots[0]
            if self.bus.clock() <= expires:
                try:
                    link.write(self.device_id, address, value)
                except ModbusException as exc:
                    self.stats["refused"] += 1
                    self.error = str(exc)
            else:
                self.stats["expired"] += 1
            with self._lock:
                self._oneshots.popleft()
                self._lock.notify_all()

    def poll(self, link: RtuLink, now: float) -> bool:
        """The regular read; True to be served again at once (more data waiting)."""
        raise NotImplementedError

    def _alive(self, now: float) -> None:
        if self.state == "silent":
            self.stats["came_back"] += 1
            log.info("%s answers again", self.name)
        self.state, self._last_reply, self._failures = "ok", now, 0

    def _failed(self, now: float, why: str) -> None:
        self.stats["failures"] += 1
        self._failures += 1
        since = self._last_reply if self._last_reply is not None else self.bus.started_at
        if (self.state != "silent" and self._failures >= 2
                and now - (since or now) >= self.bus.silent_after_s):
            self.state, self.error = "silent", why
            self.stats["went_silent"] += 1
            log.warning("%s went silent: %s", self.name, why)
        if self.state == "silent":
            self.next_due = now + self.bus.silent_retry_s
            # one-shots are for now, not for when the device returns
            with self._lock:
                while self._oneshots and self._oneshots[0][2] < now:
                    self._oneshots.popleft()
                    self.stats["expired"] += 1
                self._lock.notify_all()
        else:
            self.next_due = now + self.bus.poll_interval
