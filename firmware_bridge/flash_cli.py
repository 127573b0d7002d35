"""hall-flash: the technician's tool for the RS-485 peripherals and the Pi nodes.

    hall-flash scan   --port /dev/ttyUSB0                 which devices answer, types, versions
    hall-flash device --port … --image fw.hsfw --pubkey firmware.pub (--id 3 | --type screen)
    hall-flash node   --target /media/bootfs --node rater-3 --role rater --window 3 \\
                      --broker mqtt://10.0.0.2:1883 --username rater-3 --password-file pw.txt
    hall-flash firstboot                                  on the Pi, as root: install what `node`
                                                          wrote on the boot partition
    hall-flash bundle --role kiosk --out hallstack-kiosk.tar   the offline install bundle for a
                                                          role's Pi (docs/bundle.md)
    hall-flash keygen --dir keys/                        the hall's firmware signing key pair
    hall-flash image  --key keys/firmware.key --type screen --version 1.2.0 --payload fw.bin \\
                      --out screen-1.2.0.hsfw

Exit status: 0 done, 1 a device or node step failed, 2 bad arguments, 3 image refused (nothing
was sent). Stop the node's service first: the bus has one master.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from firmware_bridge import bundle, firstboot, strings
from firmware_bridge import image as fw_image
from firmware_bridge import registers as reg
from firmware_bridge.flash import Flasher, FlashError, scan
from firmware_bridge.link import LinkError, RtuLink
from firmware_bridge.provision import NodePlan, ProvisionError, check_plan, write_node


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hall-flash", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

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
    p = sub.add_parser("node", help="provision a Raspberry Pi node's boot partition")
    p.add_argument("--target", required=True, type=Path, help="directory or mounted bootfs")
    p.add_argument("--node", required=True, help="node id from the hall config, e.g. rater-3")
    p.add_argument("--role", required=True, help="kiosk | callboard | rater")
    p.add_argument("--window", type=int, help="window number (rater only)")
    p.add_argument("--broker", "--hub", required=True, help="mqtt://host:port of the hall hub")
    p.add_argument("--username", help="broker user (default: the node id)")
    p.add_argument("--password-file", required=True, type=Path,
                   help="file holding the node's broker password (never on the command line)")
    p.add_argument("--config", type=Path, help="hall.toml: check the node and copy the file")
    p.add_argument("--force", action="store_true", help="replace an existing node.toml")
    p.add_argument("--ca-file", type=Path,
                   help="mqtts:// broker: the hall CA (ca.crt in the node's credentials folder)")
    p.add_argument("--bundle", type=Path,
                   help="the role's offline bundle (hall-flash bundle): first boot installs it")
    p = sub.add_parser("firstboot", help="on the node Pi: install the boot partition's node")
    p.add_argument("--root", type=Path, default=Path("/"),
                   help="system root (an image being prepared); not / enables offline")
    p.add_argument("--boot", type=Path,
                   help="the card's hallstack folder (default: <root>/boot/firmware/hallstack, "
                        "then <root>/boot/hallstack)")
    p = sub.add_parser("bundle", help="build the offline install bundle for a role's Pi")
    p.add_argument("--role", required=True, choices=bundle.ROLES)
    p.add_argument("--out", required=True, type=Path, help="the bundle file (.tar)")
    p.add_argument("--source", type=Path, default=Path("."), help="the hallstack source tree")
    p.add_argument("--cache", type=Path, default=bundle.DEFAULT_CACHE,
                   help="where the private arm64 apt keeps its lists and .debs")
    p.add_argument("--no-debs", action="store_true", help="wheels only (the Pi has the .debs)")
    p = sub.add_parser("keygen", help="create the hall's firmware signing key pair")
    p.add_argument("--dir", required=True, type=Path)
    p = sub.add_parser("image", help="build and sign a firmware image")
    p.add_argument("--key", required=True, type=Path, help="firmware.key")
    p.add_argument("--type", required=True, choices=sorted(reg.TYPE_BY_NAME))
    p.add_argument("--version", required=True, type=_version)
    p.add_argument("--payload", required=True, type=Path)
    p.add_argument("--board", default="")
    p.add_argument("--out", required=True, type=Path)
    return parser


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


def cmd_node(args, out) -> int:
    try:
        password = args.password_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        print(f"{args.password_file}: {exc}", file=out)
        return 2
    plan = NodePlan(args.node, args.role, args.window, args.broker, args.username or args.node)
    try:
        if args.bundle is not None:
            manifest = _card_bundle(args, plan, password)
            bundle.copy_to_card(args.bundle, Path(args.target) / "hallstack", manifest)
        folder = write_node(args.target, plan, password, args.config, args.force, args.ca_file)
    except (ProvisionError, bundle.BuildError, OSError) as exc:
        print(f"hall-flash node: {exc}", file=out)
        return 1
    print(strings.NODE_WRITTEN.format(path=folder, unit=plan.unit), file=out)
    return 0


def _card_bundle(args, plan: NodePlan, password: str) -> dict:
    """Check the node and its bundle (whole, and for this role) before anything is written."""
    check_plan(plan, password, args.config)
    manifest = bundle.check_tar(args.bundle)
    if manifest.get("role") != plan.role:
        raise ProvisionError(f"bundle {args.bundle}: built for role {manifest.get('role')!r}, "
                             f"the node is {plan.role!r}")
    if not Path(args.target).is_dir():
        raise ProvisionError(f"target {args.target}: not a directory")
    if (Path(args.target) / "hallstack/node.toml").exists() and not args.force:
        raise ProvisionError(f"{Path(args.target) / 'hallstack/node.toml'} exists; pass --force "
                             "to replace it")
    (Path(args.target) / "hallstack").mkdir(exist_ok=True)
    return manifest


def cmd_firstboot(args, out) -> int:
    try:
        done = firstboot.install(args.root, args.boot)
    except ProvisionError as exc:
        print(f"hall-flash firstboot: {exc}", file=out)
        return 1
    if done is None:
        print(strings.FIRSTBOOT_NOTHING.format(root=args.root), file=out)
        return 0
    print(strings.FIRSTBOOT_DONE.format(node=done.plan.node_id, env=done.env_file,
                                        hall=done.hall_config, unit=done.plan.unit), file=out)
    if done.chrony is not None:
        said = strings.FIRSTBOOT_NO_CHRONY if done.chrony_missing else strings.FIRSTBOOT_TIME
        print(said.format(chrony=done.chrony), file=out)
    return 0


def cmd_bundle(args, out) -> int:
    if not (args.source / "setup.cfg").is_file():
        print(f"hall-flash bundle: {args.source}: not a hallstack source tree", file=out)
        return 2
    try:
        path, manifest = bundle.build(args.source, args.role, args.out, args.cache,
                                      debs=not args.no_debs)
    except (bundle.BuildError, OSError) as exc:
        print(f"hall-flash bundle: {exc}", file=out)
        return 1
    print(strings.BUNDLE_BUILT.format(path=path, size=path.stat().st_size / 2**20,
                                      wheels=len(manifest["wheels"]), debs=len(manifest["debs"]),
                                      sha=manifest["manifest_sha256"]), file=out)
    return 0


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


COMMANDS = {"scan": cmd_scan, "device": cmd_device, "node": cmd_node,
            "firstboot": cmd_firstboot, "bundle": cmd_bundle, "keygen": cmd_keygen, "image": cmd_image}


def main(argv=None, out=None) -> int:
    """Entry point of the ``hall-flash`` console script."""
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        return COMMANDS[args.command](args, out)
    except LinkError as exc:
        print(f"hall-flash: {exc}", file=out)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
