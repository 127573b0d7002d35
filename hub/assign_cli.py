"""hall-hub assign / assist: the hall manager sets what a window serves, from the command line.

    hall-hub assign --config hall.toml --broker mqtt://… --window 8 --services E,F --by 张主任
    hall-hub assist --config hall.toml --broker mqtt://… --window 8 --service F --by 张主任

``assign``: the window serves these services from now, in this order of preference, until
changed or the day closes. ``assist``: accept an ``assist_suggested`` alert: the window also
serves one more service, last in its preference. Both ask the hub as an admin node
(docs/assignment.md); a refusal prints its stable code (no_skill, unknown_window, …).
"""

from __future__ import annotations

import argparse
import json
import sys

from wire.cliargs import common_args
from wire.clock import HallClock
from wire.config import ConfigError, load_config


def _parser(command: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"hall-hub {command}", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(p)
    p.add_argument("--node", default=None, help="the admin node to ask as (default: the "
                   "config's first admin node)")
    p.add_argument("--window", type=int, required=True)
    if command == "assign":
        p.add_argument("--services", required=True,
                       help="service ids in order of preference, comma-separated: E,F")
    else:
        p.add_argument("--service", required=True, help="the service to help with: F")
    p.add_argument("--by", required=True, help="who decides (the manager's name)")
    p.add_argument("--timeout", type=float, default=10.0)
    return p


def main(command: str, argv: list[str]) -> int:
    args = _parser(command).parse_args(argv)
    try:
        cfg = load_config(args.config)
        clock = HallClock.from_args(cfg.tz, args.clock, args.speed)
        node = args.node or next((n.id for n in cfg.nodes.values() if n.role == "admin"), None)
        if node is None:
            raise ConfigError(f"{cfg.source}: no node with role admin to ask as")
    except (ConfigError, ValueError) as exc:
        print(f"hall-hub {command}: {exc}", file=sys.stderr)
        return 2
    if command == "assign":
        op = "window.assign"
        op_args = {"window": args.window, "by": args.by,
                   "services": [s.strip() for s in args.services.split(",") if s.strip()]}
    else:
        op = "window.assist"
        op_args = {"window": args.window, "service": args.service, "by": args.by}
    from wire.client import HubClient, HubError, HubUnreachable

    client = HubClient(cfg, node, args.broker, clock, args.username, args.password,
                       follow=False)
    client.start()
    try:
        if not client.wait_connected(timeout=min(args.timeout, 5.0)):
            print(f"hall-hub {command}: no broker at {args.broker}", file=sys.stderr)
            return 3
        result = client.request(op, op_args, timeout=args.timeout)
    except HubError as exc:
        print(f"hall-hub {command}: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    except HubUnreachable as exc:
        print(f"hall-hub {command}: the hub did not answer ({exc})", file=sys.stderr)
        return 3
    finally:
        client.stop()
    print(json.dumps(result, ensure_ascii=False))
    return 0
