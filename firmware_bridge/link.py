"""One RS-485 line: send a request, hunt for its reply, count what went wrong.

The master owns the line (Modbus is master-driven): one request at a time, a reply or a
timeout, then the next. pyserial is imported when the line is opened, so this module loads on a
machine without it. Every byte that is not part of the awaited reply is counted, never silently
eaten: late replies, line noise, frames with a broken CRC.
"""

from __future__ import annotations

import threading
import time

from firmware_bridge import rtu


class LinkError(Exception):
    """The request got no usable reply (the device may or may not have acted on it)."""


class ReplyTimeout(LinkError):
    """No valid reply before the timeout: a silent device, a lost or corrupted frame."""


class CorruptReply(LinkError):
    """The awaited reply arrived with a broken CRC and the line went quiet: it is lost."""


class BadReply(LinkError):
    """A CRC-valid reply that does not fit the request (wrong length, no echo)."""


class RtuLink:
    """A Modbus RTU master on one serial port (a USB RS-485 adapter or a pseudo-terminal).

    ``transact(device_id, pdu)`` returns the parsed reply (see :func:`rtu.parse_reply`),
    raises :class:`rtu.ModbusException` when the device refused, :class:`ReplyTimeout` or
    :class:`BadReply` otherwise. Not thread-safe by design: the bus master's thread or the
    ``hall-flash`` script is the one user of a link. ``counters`` holds the line's totals.
    """

    def __init__(self, port: str, baudrate: int = 9600, timeout: float = 0.2):
        if timeout <= 0:
            raise ValueError(f"reply timeout must be positive, got {timeout}")
        self.port_name = port
        self.baudrate = baudrate
        self.timeout = timeout
        # 3.5 character times of silence end an RTU frame (11 bits a character), at least 4 ms
        # because a USB adapter delivers bytes in bursts
        self.gap_s = max(0.004, 3.5 * 11 / baudrate)
        self._port = None
        self._guard = threading.Lock()
        self.counters = {"requests": 0, "replies": 0, "timeouts": 0, "crc_errors": 0,
                         "bad_replies": 0, "refused": 0, "skipped_bytes": 0,
                         "bytes_out": 0, "bytes_in": 0}

    def open(self) -> RtuLink:
        """Open the serial port (8N1, raw); raises LinkError with the port's name on failure."""
        import serial  # pyserial: only where a line is really opened

        try:
            self._port = serial.Serial(self.port_name, self.baudrate, timeout=self.timeout)
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"cannot open {self.port_name}: {exc}") from exc
        return self

    def close(self) -> None:
        """Close the port; safe to call twice."""
        if self._port is not None:
            self._port.close()
            self._port = None

    def __enter__(self) -> RtuLink:
        return self if self._port is not None else self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def transact(self, device_id: int, pdu: bytes, timeout: float | None = None):
        """Send ``pdu`` to ``device_id`` and return its parsed reply (see class doc)."""
        if self._port is None:
            raise LinkError(f"{self.port_name} is not open")
        with self._guard:
            return self._transact(device_id, pdu, self.timeout if timeout is None else timeout)

    def _transact(self, device_id: int, pdu: bytes, timeout: float):
        port, count = self._port, self.counters
        waiting = port.in_waiting
        if waiting:  # a late reply to an earlier request, or noise: never take it for this one
            count["skipped_bytes"] += len(port.read(waiting))
        out = rtu.frame(device_id, pdu)
        port.write(out)
        count["requests"] += 1
        count["bytes_out"] += len(out)
        deadline = time.monotonic() + timeout
        buf = bytearray()
        broken = False

        def hunt(data):
            return rtu.check_response(data, device_id, pdu[0])

        while True:
            n = hunt(buf)
            if n > 0:
                break
            if n < 0:
                if self._broken_frame(buf, device_id, pdu[0]):
                    count["crc_errors"] += 1
                    broken = True
                count["skipped_bytes"] += -n
                del buf[:-n]
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                count["timeouts"] += 1
                count["skipped_bytes"] += len(buf)
                raise ReplyTimeout(f"device {device_id}: no reply to 0x{pdu[0]:02X} "
                                   f"within {timeout:.3f} s")
            quiet_ends = bool(buf) or broken  # then a short silence decides, not the timeout
            port.timeout = min(remaining, self.gap_s) if quiet_ends else remaining
            chunk = port.read(max(1, port.in_waiting))
            count["bytes_in"] += len(chunk)
            buf += chunk
            if chunk or not quiet_ends:
                continue
            if buf:  # the line went quiet inside a "frame": that start was noise
                skip, n = rtu.hunt_after_silence(buf, hunt)
                count["skipped_bytes"] += skip
                del buf[:skip]
                if n:
                    break
            if broken:  # our reply came damaged; no second one will follow
                raise CorruptReply(f"device {device_id}: reply to 0x{pdu[0]:02X} failed its CRC")
        reply = bytes(buf[:n])
        count["skipped_bytes"] += len(buf) - n
        try:
            result = rtu.parse_reply(pdu, reply[1:-2], device_id)
        except rtu.ModbusException:
            count["refused"] += 1
            raise
        except (ValueError, IndexError) as exc:
            count["bad_replies"] += 1
            raise BadReply(f"device {device_id}: {exc}") from exc
        count["replies"] += 1
        return result

    @staticmethod
    def _broken_frame(buf: bytearray, device_id: int, function: int) -> bool:
        """True when ``buf`` starts with a whole frame from the awaited device whose CRC fails."""
        if len(buf) < 4 or buf[0] != device_id or buf[1] & 0x7F != function:
            return False
        size = rtu.response_length(bytes(buf))
        return 0 < size <= len(buf)

    # Convenience wrappers for the register map's reads and writes.

    def read(self, device_id: int, address: int, count: int, timeout: float | None = None):
        """Read ``count`` holding registers."""
        return self.transact(device_id, rtu.read_holding(address, count), timeout)

    def write(self, device_id: int, address: int, values, timeout: float | None = None) -> None:
        """Write one register (int) with 0x06 or several (list) with 0x10."""
        if isinstance(values, int):
            pdu = rtu.write_single(address, values)
        else:
            pdu = rtu.write_multiple(address, list(values))
        self.transact(device_id, pdu, timeout)
