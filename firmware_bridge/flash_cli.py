"""hall-flash's RS-485 half: scan a bus, update a device, make keys and signed images.

The front end (``hall-flash``, :mod:`deploy.flash_cli`) adds the Pi node commands (node,
firstboot, bundle); these four touch only the peripherals and their firmware.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from firmware_bridge import image as fw_image
from firmware_bridge import registers as reg
from firmware_bridge import strings
from firmware_bridge.flash import Flasher, FlashError, scan
from firmware_bridge.link import LinkError, RtuLink

__all__ = ["COMMANDS", "LinkError", "add_device_commands", "add_image_commands"]


def _ids(text: str) -> range:
    first, _, last = text.partition("-")
    try:
        ids = range(int(first), int(last or first) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected N or N-M") from None
    if not ids or ids.start < 1 or ids.stop > 248:
        raise argparse.ArgumentTypeError(f"{text!r}: device ids are 1–247")
    return ids


def _version(text: str) -> tuple[int, int, int]:
    parts = text.split(".")
    if len(parts) != 3 or not all(p.isdigit() and int(p) <= 0xFFFF for p in parts):
        raise argparse.ArgumentTypeError(f"{text!r}: expected major.minor.patch")
    return tuple(int(p) for p in parts)


def add_device_commands(sub) -> None:
    """``scan`` and ``device``: the bus."""
    def bus_args(p):
        p.add_argument("--port", required=True, help="serial port of the RS-485 adapter")
        p.add_argument("--baud", type=int, default=9600)
        p.add_argument("--timeout", type=float, default=0.2, help="reply timeout, seconds")

    p = sub.add_parser("scan", help="list the devices that answer on a bus")
    bus_args(p)
    p.add_argument("--ids", type=_ids, default=range(1, 248), help="N or N-M (default 1-247)")
    p = sub.add_parser("device", help="update one device, or all devices of a type")
    bus_args(p)
    p.add_argument("--image", required=True, type=Path)
    p.add_argument("--pubkey", required=True, type=Path, help="the hall's firmware.pub")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--id", type=int, action="append", help="device id (repeatable)")
    target.add_argument("--type", choices=sorted(reg.TYPE_BY_NAME))
    p.add_argument("--ids", type=_ids, default=range(1, 248), help="where --type looks")
    p.add_argument("--force", action="store_true", help="flash even the same version")
    p.add_argument("--allow-downgrade", action="store_true")
    p.add_argument("--reboot-timeout", type=float, default=10.0)


def add_image_commands(sub) -> None:
    """``keygen`` and ``image``: the hall's firmware key and signed images."""
    p = sub.add_parser("keygen", help="create the hall's firmware signing key pair")
    p.add_argument("--dir", required=True, type=Path)
    p = sub.add_parser("image", help="build and sign a firmware image")
    p.add_argument("--key", required=True, type=Path, help="firmware.key")
    p.add_argument("--type", required=True, choices=sorted(reg.TYPE_BY_NAME))
    p.add_argument("--version", required=True, type=_version)
    p.add_argument("--payload", required=True, type=Path)
    p.add_argument("--board", default="")
    p.add_argument("--out", required=True, type=Path)


class ProgressBar:
    """One line per device and step; redrawn in place on a terminal, every 10 % otherwise."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self._last = stream, width, None

    def __call__(self, device_id: int, step: str, done: int, total: int) -> None:
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{device_id:>3} {step:<9} [{bar}] {100 * done // total:3d}% {done}/{total}"
        if self.stream.isatty():
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        elif (10 * done // total) != self._last or done == total:
            self.stream.write(line + "\n")
        self._last = 10 * done // total
        self.stream.flush()


def cmd_scan(args, out) -> int:
    with RtuLink(args.port, args.baud, args.timeout) as link:
        found = scan(link, args.ids, args.timeout)
    if not found:
        print(strings.SCAN_NONE.format(port=args.port, first=args.ids.start,
                                       last=args.ids.stop - 1), file=out)
        return 1
    print(strings.SCAN_HEADER, file=out)
    for info in found:
        kind = strings.KIND_NAMES.get(info.kind, info.kind)
        status = "、".join(strings.STATUS_WORDS[w] for w in info.status_words)
        print(f"{info.device_id:>4}  {info.kind:<10}  {info.version_text:<8}  "
              f"{info.serial:08X}    {status} {kind}", file=out)
    return 0


def cmd_device(args, out) -> int:
    try:  # verify_image: before the port is even opened
        public_key = fw_image.load_public_key(args.pubkey)
    except (OSError, ValueError):
        print(FlashError("verify_image", "no_key"), file=out)
        return 3
    try:
        image = fw_image.load_image(args.image.read_bytes(), public_key)
    except OSError as exc:
        print(f"{args.image}: {exc}", file=out)
        return 3
    except fw_image.ImageError as exc:
        print(FlashError("verify_image", exc.code), file=out)
        return 3
    failed = 0
    with RtuLink(args.port, args.baud, args.timeout) as link:
        targets = args.id or [i.device_id for i in scan(link, args.ids, args.timeout)
                              if i.kind == args.type]
        if not targets:
            print(strings.NO_TARGET.format(kind=args.type), file=out)
            return 1
        flasher = Flasher(link, reboot_timeout=args.reboot_timeout, progress=ProgressBar())
        for device_id in targets:
            try:
                result = flasher.flash(device_id, image, args.force, args.allow_downgrade)
            except FlashError as exc:
                if exc.code == "same_version":
                    print(strings.FLASH_SKIPPED.format(device=device_id, why=exc.advice),
                          file=out)
                    continue
                failed += 1
                print(strings.FLASH_FAILED.format(device=device_id, step=exc.step,
                                                  advice=exc.advice), file=out)
                continue
            if result.resumed_from:
                print(strings.FLASH_RESUMED.format(device=device_id, block=result.resumed_from),
                      file=out)
            print(strings.FLASH_DONE.format(device=device_id, old=result.old_version,
                                            new=result.new_version), file=out)
    return 1 if failed else 0


def cmd_keygen(args, out) -> int:
    try:
        key, pub = fw_image.generate_keys(args.dir)
    except FileExistsError as exc:
        print(f"hall-flash keygen: {exc}", file=out)
        return 1
    print(f"{key}\n{pub}", file=out)
    return 0


def cmd_image(args, out) -> int:
    key = fw_image.load_private_key(args.key)
    data = fw_image.build_image(reg.TYPE_BY_NAME[args.type], args.version,
                                args.payload.read_bytes(), key, board=args.board)
    args.out.write_bytes(data)
    print(f"{args.out}: {len(data)} bytes", file=out)
    return 0


COMMANDS = {"scan": cmd_scan, "device": cmd_device, "keygen": cmd_keygen, "image": cmd_image}
