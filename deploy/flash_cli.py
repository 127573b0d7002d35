"""hall-flash: the technician's tool for the RS-485 peripherals and the Pi nodes.

    hall-flash scan   --port /dev/ttyUSB0                 which devices answer, types, versions
    hall-flash device --port … --image fw.hsfw --pubkey firmware.pub (--id 3 | --type screen)
    hall-flash node   --target /media/bootfs --node rater-3 --role rater --window 3 \\
                      --broker mqtt://10.0.0.2:1883 --username rater-3 --password-file pw.txt
    hall-flash node   --target /media/bootfs --node hub-b --role standby --config hall.toml
                                                          a standby hall's hub machine (or
                                                          --role witness: its etcd witness)
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

from deploy import bundle, firstboot, paths, standby_card, strings
from deploy.provision import NodePlan, ProvisionError, check_plan, write_node
from firmware_bridge import flash_cli as peripherals


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hall-flash", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    peripherals.add_device_commands(sub)
    p = sub.add_parser("node", help="provision a Raspberry Pi node's boot partition")
    p.add_argument("--target", required=True, type=Path, help="directory or mounted bootfs")
    p.add_argument("--node", required=True, help="node id from the hall config, e.g. rater-3")
    p.add_argument("--role", required=True,
                   help="kiosk | callboard | rater | standby | witness (docs/standby.md)")
    p.add_argument("--window", type=int, help="window number (rater only)")
    p.add_argument("--broker", "--hub", help="mqtt://host:port of the hall hub (not for "
                   "standby and witness)")
    p.add_argument("--username", help="broker user (default: the node id)")
    p.add_argument("--password-file", type=Path,
                   help="file holding the node's broker password (never on the command line; "
                        "not for standby and witness)")
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
    peripherals.add_image_commands(sub)
    return parser


def cmd_node(args, out) -> int:
    if args.role in standby_card.ROLES:
        return _standby_node(args, out)
    if args.broker is None or args.password_file is None:
        print(f"hall-flash node: a {args.role} node needs --broker and --password-file", file=out)
        return 2
    try:
        password = args.password_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        print(f"{args.password_file}: {exc}", file=out)
        return 2
    plan = NodePlan(args.node, args.role, args.window, args.broker, args.username or args.node)
    try:
        if args.bundle is not None:
            manifest = _card_bundle(args, plan, password)
            bundle.copy_to_card(args.bundle, Path(args.target) / paths.CARD_FOLDER, manifest)
        folder = write_node(args.target, plan, password, args.config, args.force, args.ca_file)
    except (ProvisionError, bundle.BuildError, OSError) as exc:
        print(f"hall-flash node: {exc}", file=out)
        return 1
    print(strings.NODE_WRITTEN.format(path=folder, unit=plan.unit), file=out)
    return 0


def _standby_node(args, out) -> int:
    """A standby hall's hub machine or witness: its files from hall.toml's [standby]."""
    given = [o for o, v in (("--broker", args.broker), ("--password-file", args.password_file),
                            ("--window", args.window), ("--username", args.username),
                            ("--ca-file", args.ca_file)) if v is not None]
    if given:
        print(f"hall-flash node: {', '.join(given)}: not for a {args.role} machine (its "
              "files come from hall.toml's [standby])", file=out)
        return 2
    try:
        standby_card.check(args.target, args.role, args.node, args.config, args.force)
        if args.bundle is not None:
            manifest = bundle.check_tar(args.bundle)
            if manifest.get("role") != standby_card.BUNDLE_ROLE[args.role]:
                raise ProvisionError(f"bundle {args.bundle}: built for role "
                                     f"{manifest.get('role')!r}, a {args.role} machine needs "
                                     f"{standby_card.BUNDLE_ROLE[args.role]!r}")
            (Path(args.target) / paths.CARD_FOLDER).mkdir(exist_ok=True)
            bundle.copy_to_card(args.bundle, Path(args.target) / paths.CARD_FOLDER, manifest)
        folder = standby_card.write_card(args.target, args.role, args.node, args.config,
                                         args.force)
    except (ProvisionError, bundle.BuildError, OSError) as exc:
        print(f"hall-flash node: {exc}", file=out)
        return 1
    units = " ".join(standby_card.UNITS[args.role])
    print(strings.NODE_WRITTEN.format(path=folder, unit=units), file=out)
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
    node_toml = Path(args.target) / paths.CARD_FOLDER / "node.toml"
    if node_toml.exists() and not args.force:
        raise ProvisionError(f"{node_toml} exists; pass --force "
                             "to replace it")
    (Path(args.target) / paths.CARD_FOLDER).mkdir(exist_ok=True)
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
    if isinstance(done, standby_card.Installed):
        role = strings.STANDBY_ROLE_NAMES[done.role]
        print(strings.FIRSTBOOT_STANDBY.format(node=done.node, role=role,
                                               files="、".join(map(str, done.files)),
                                               units=" ".join(done.units)), file=out)
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


COMMANDS = dict(peripherals.COMMANDS, node=cmd_node, firstboot=cmd_firstboot, bundle=cmd_bundle)


def main(argv=None, out=None) -> int:
    """Entry point of the ``hall-flash`` console script."""
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        return COMMANDS[args.command](args, out)
    except peripherals.LinkError as exc:
        print(f"hall-flash: {exc}", file=out)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
