"""An RS-485 bus of emulated peripherals on a pseudo-terminal: tests and hall-demo talk to it
exactly as to a USB RS-485 adapter with real devices behind it.

One pty per bus, several device ids on it (RS-485 is multi-drop). The emulator reads requests
from the pty, hunts frames with :func:`rtu.check_request` (counting skipped bytes), hands each one
to the addressed :class:`EmulatedPeripheral` and writes its reply back, applying that device's
:class:`Faults` (drop, corrupt, noise, silence) with a seeded random generator.

Run a bus by hand: ``python -m firmware_bridge.emulator --link /tmp/hallstack-bus0 screen:1
clerk_pad:2 rating_pad:3``.
"""

from __future__ import annotations

import argparse
import os
import random
import select
import signal
import struct
import threading
import tty

from firmware_bridge import rtu
from firmware_bridge.emulated import EmulatedPeripheral, Refusal


class BusEmulator:
    """Emulated peripherals behind one pseudo-terminal; ``port`` is the path a master opens."""

    def __init__(self, peripherals=(), link: str | None = None, seed: int = 0):
        self.devices: dict[int, EmulatedPeripheral] = {}
        for device in peripherals:
            self.add(device)
        self.link = link
        self.random = random.Random(seed)
        self.port: str | None = None
        self.counters = {"frames": 0, "bytes_in": 0, "skipped_bytes": 0, "replies": 0,
                         "dropped": 0, "corrupted": 0, "noise": 0, "unaddressed": 0, "deaf": 0,
                         "corrupted_requests": 0, "noise_bytes": 0}
        self._master = self._slave = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, device: EmulatedPeripheral) -> EmulatedPeripheral:
        """Put ``device`` on the bus; ValueError when its id is taken."""
        if device.device_id in self.devices:
            raise ValueError(f"device id {device.device_id} is already on this bus")
        self.devices[device.device_id] = device
        return device

    def __getitem__(self, device_id: int) -> EmulatedPeripheral:
        return self.devices[device_id]

    def start(self) -> BusEmulator:
        """Open the pty (raw mode), make the optional symlink and serve from a thread."""
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # a fresh pty is cooked: it would eat and translate bytes
        self.port = os.ttyname(self._slave)
        if self.link:
            if os.path.islink(self.link):
                os.unlink(self.link)
            os.symlink(self.port, self.link)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="bus-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the pty."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = self._thread = None
        if self.link and os.path.islink(self.link):
            os.unlink(self.link)

    def __enter__(self) -> BusEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            # a short wait while a frame is pending: 3.5 quiet characters end a frame
            ready, _, _ = select.select([self._master], [], [], 0.004 if buf else 0.05)
            if ready:
                try:
                    chunk = os.read(self._master, 4096)
                except OSError:
                    continue
                self.counters["bytes_in"] += len(chunk)
                buf += chunk
            elif rtu.unknown_request(buf):  # the silence ends a function we do not know
                self._deliver(bytes(buf))
                buf.clear()
            elif buf:  # quiet inside a "frame": that start was noise, look further on
                skip, n = rtu.hunt_after_silence(buf, rtu.check_request)
                self.counters["skipped_bytes"] += skip
                del buf[:skip]
            while buf:
                n = rtu.check_request(buf)
                if n == 0:
                    break
                if n < 0:
                    self.counters["skipped_bytes"] += -n
                    del buf[:-n]
                    continue
                request = bytes(buf[:n])
                del buf[:n]
                self._deliver(request)

    def _deliver(self, request: bytes) -> None:
        self.counters["frames"] += 1
        reply = self._answer(request)
        if reply:
            os.write(self._master, reply)

    def _answer(self, request: bytes) -> bytes | None:
        device = self.devices.get(request[0])
        if device is None:  # another device's frame, or nobody at that address
            self.counters["unaddressed"] += 1
            return None
        if not device.online:
            return None
        if device.faults.deaf and self.random.random() < device.faults.deaf:
            self.counters["deaf"] += 1
            return None
        if device.faults.corrupt and self.random.random() < device.faults.corrupt:
            # the request was hit on its way in: the device's CRC check throws it away
            damaged = bytearray(request)
            bit = self.random.randrange(8 * len(damaged))
            damaged[bit // 8] ^= 1 << (bit % 8)
            if not rtu.crc_ok(bytes(damaged)):
                self.counters["corrupted_requests"] += 1
                return None
        pdu = request[1:-2]
        try:
            body = handle(device, pdu)
        except Refusal as refusal:
            body = bytes([pdu[0] | 0x80, refusal.code])
        except (struct.error, IndexError, ValueError):
            body = bytes([pdu[0] | 0x80, rtu.ILLEGAL_VALUE])
        faults, rnd = device.faults, self.random
        if rnd.random() < faults.drop:
            self.counters["dropped"] += 1
            return None
        reply = bytearray(rtu.frame(device.device_id, body))
        if rnd.random() < faults.corrupt:
            self.counters["corrupted"] += 1
            reply[rnd.randrange(len(reply))] ^= 1 << rnd.randrange(8)
        if rnd.random() < faults.garbage:
            noise = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
            self.counters["noise"] += 1
            self.counters["noise_bytes"] += len(noise)
            reply[:0] = noise
        self.counters["replies"] += 1
        return bytes(reply)


def handle(device: EmulatedPeripheral, pdu: bytes) -> bytes:
    """Execute one request PDU on ``device`` and return the reply PDU (Refusal on refusal).

    Any function other than 03/06/10/14/15 is refused with 01 (illegal function)."""
    fc = pdu[0]
    if fc == rtu.READ_HOLDING:
        address, count = struct.unpack(">HH", pdu[1:5])
        if not 1 <= count <= rtu.MAX_READ_REGS or len(pdu) != 5:
            raise Refusal(rtu.ILLEGAL_VALUE)
        values = device.read(address, count)
        return struct.pack(f">BB{count}H", fc, 2 * count, *values)
    if fc == rtu.WRITE_SINGLE:
        address, value = struct.unpack(">HH", pdu[1:5])
        device.write(address, [value])
        return pdu
    if fc == rtu.WRITE_MULTIPLE:
        address, count, nbytes = struct.unpack(">HHB", pdu[1:6])
        if not 1 <= count <= rtu.MAX_WRITE_REGS or nbytes != 2 * count or len(pdu) != 6 + nbytes:
            raise Refusal(rtu.ILLEGAL_VALUE)
        device.write(address, list(struct.unpack(f">{count}H", pdu[6:])))
        return pdu[:5]
    if fc == rtu.READ_FILE:
        if pdu[1] != 7 or len(pdu) != 9 or pdu[2] != rtu.FILE_REF_TYPE:
            raise Refusal(rtu.ILLEGAL_VALUE)  # hallstack reads one record per request
        file_no, record, regs = struct.unpack(">HHH", pdu[3:9])
        data = device.read_record(file_no, record, regs)
        return bytes([fc, 2 + len(data), 1 + len(data), rtu.FILE_REF_TYPE]) + data
    if fc == rtu.WRITE_FILE:
        if pdu[1] != len(pdu) - 2 or pdu[2] != rtu.FILE_REF_TYPE:
            raise Refusal(rtu.ILLEGAL_VALUE)
        file_no, record, regs = struct.unpack(">HHH", pdu[3:9])
        data = pdu[9:]
        if len(data) != 2 * regs:
            raise Refusal(rtu.ILLEGAL_VALUE)
        device.write_record(file_no, record, data)
        return pdu
    raise Refusal(rtu.ILLEGAL_FUNCTION)


def main(argv=None) -> int:
    """Serve an emulated bus until interrupted (for hall-demo and for trying hall-flash)."""
    parser = argparse.ArgumentParser(prog="python -m firmware_bridge.emulator")
    parser.add_argument("--link", help="symlink to create for the pty, e.g. /tmp/hallstack-bus0")
    parser.add_argument("devices", nargs="+", help="kind:id, kind = screen|clerk_pad|rating_pad")
    args = parser.parse_args(argv)
    bus = BusEmulator(link=args.link)
    for spec in args.devices:
        kind, _, number = spec.partition(":")
        try:
            bus.add(EmulatedPeripheral(int(number), kind))
        except ValueError as exc:
            parser.error(f"{spec}: {exc}")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())  # systemd and hall-demo stop with TERM
    bus.start()
    print(f"emulated bus on {bus.port}" + (f" ({args.link})" if args.link else ""), flush=True)
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        bus.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
