"""Print the decoded frames on a legacy line, for a technician finding out what a unit sends.

    python -m firmware_bridge.legacy.sniff --port /dev/ttyUSB0                # FF68, 9600 8N1
    python -m firmware_bridge.legacy.sniff --port /dev/ttyUSB0 --protocol bx --baud 57600

It only listens (it never acknowledges), so run it *instead of* the node on that line to see
what a unit sends and how often it resends, or beside a working host on a second adapter.
Each line: time, hex, and the decoding, or ``REJECT <reason>`` with the bytes skipped.
"""

from __future__ import annotations

import argparse
import sys
import time

from . import bx_commands as cmd
from . import bx_frame as bx
from . import ff68_frame as fr
from .ff68_keymap import KeyMap


def describe_ff68(frame: fr.Frame, keymap: KeyMap) -> str:
    head = f"unit {frame.addr} func {frame.func:02X} data {frame.data.hex(' ') or '-'}"
    if frame.is_rating:
        return f"{head}: rating value {frame.data[0] if frame.data else '?'}"
    if frame.func == fr.FUNC_DISPLAY and len(frame.data) == 6:
        return f"{head}: host shows [{fr.digits_text(frame.data)}]"
    if frame.func == fr.FUNC_BEEP and not frame.data:
        return f"{head}: host beep"
    key, digit = keymap.key_for(frame.data)
    return f"{head}: key {key or 'UNKNOWN'}" + (f" digit {digit}" if digit is not None else "")


def describe_bx(frame: bx.BXFrame) -> str:
    head = f"{frame.src:04X}→{frame.dst:04X} type {frame.device_type:02X}"
    data = frame.data
    if len(data) < 3:
        return f"{head}: data {data.hex(' ')}"
    command = (data[0], data[1])
    if frame.src != bx.HOST_ADDR:
        reply = cmd.parse_reply(data) if len(data) >= 5 else None
        return f"{head}: reply {data[0]:02X} {data[1]:02X} " + (
            f"status {reply.status} ({reply.status_text})" if reply else "short")
    if command == cmd.TEXT:
        try:
            _mode, areas = cmd.parse_text_request(data)
            return f"{head}: text " + "; ".join(
                f"area {a.area_id} effect {a.effect}: {a.text!r}" for a in areas)
        except ValueError as exc:
            return f"{head}: text, malformed: {exc}"
    return f"{head}: command {data[0]:02X} {data[1]:02X} data {data[2:].hex(' ')}"


def sniff(chunks, protocol: str, out=sys.stdout, keymap: KeyMap | None = None) -> None:
    """Decode an iterable of byte chunks (``b""`` = a silent gap) and print each frame."""
    keymap = keymap or KeyMap.from_table()
    buf = bytearray()
    for chunk in chunks:
        if not chunk:
            if buf:
                print(f"{time.strftime('%H:%M:%S')} REJECT truncated {buf.hex(' ')}", file=out)
                buf.clear()
            continue
        buf += chunk
        while buf:
            verdict = fr.scan(buf, fr.ANY_L) if protocol == "ff68" else bx.scan(buf)
            if verdict.n == 0:
                break
            stamp = time.strftime("%H:%M:%S")
            raw = bytes(buf[:abs(verdict.n)])
            del buf[:abs(verdict.n)]
            if verdict.n < 0:
                print(f"{stamp} REJECT {verdict.reason} {raw.hex(' ')}", file=out)
            elif protocol == "ff68":
                print(f"{stamp} {raw.hex(' ')}  {describe_ff68(verdict.frame, keymap)}",
                      file=out)
            else:
                print(f"{stamp} {raw.hex(' ')}  {describe_bx(verdict.frame)}", file=out)
            out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", required=True, help="serial device, e.g. /dev/ttyUSB0")
    parser.add_argument("--protocol", choices=("ff68", "bx"), default="ff68")
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--parity", choices=("N", "E", "O"), default="N")
    args = parser.parse_args(argv)
    from .serial_line import SerialLine

    try:
        line = SerialLine(args.port, args.baud, args.parity)
    except (OSError, ValueError) as exc:
        print(f"cannot open {args.port}: {exc}", file=sys.stderr)
        return 2
    print(f"listening on {args.port} ({args.protocol}, {args.baud} 8{args.parity}1); Ctrl-C stops")

    def chunks():
        while True:
            yield line.read_some()

    try:
        sniff(chunks(), args.protocol)
    except KeyboardInterrupt:
        pass
    finally:
        line.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
