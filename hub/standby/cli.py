"""``hall-hub standby run|status``: one hub machine of a standby hall (docs/standby.md)."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading

from wire.cliargs import common_args
from wire.clock import HallClock
from wire.config import ConfigError, load_config


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="hall-hub standby", description=__doc__)
    parser.add_argument("command", choices=("run", "status"),
                        help="run: this machine's hub (standby until it holds the lease); "
                             "status: who serves and whether the standby's copy is current")
    common_args(parser)
    parser.add_argument("--machine", required=True, help="this machine's name in [standby]")
    parser.add_argument("--db", default="hall.db", help="the hub's SQLite file (or its copy)")
    parser.add_argument("--run-dir", default="/run/hallstack",
                        help="where the 'serving' flag for keepalived is kept")
    parser.add_argument("--listen", default=None,
                        help="the copy stream's listening address (default: this machine's)")
    parser.add_argument("--take-over", action="store_true",
                        help="serve the hall from this database although the hall's retained "
                             "hub status names another epoch (docs/one-hub.md)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format=f"%(asctime)s hub[{args.machine}] %(levelname)s %(message)s")
    try:
        cfg = load_config(args.config)
        if not cfg.standby.enabled:
            raise ConfigError(f"{args.config}: no [standby] section: this hall has one hub")
        clock = HallClock.from_args(cfg.tz, args.clock, args.speed)
        from hub.standby.run import Machine

        machine = Machine(cfg, args.machine, args.db, args.broker, clock, args.username,
                          args.password, args.run_dir, args.listen, take_over=args.take_over)
    except (ConfigError, ValueError) as exc:
        print(f"hall-hub standby: {exc}", file=sys.stderr)
        return 2
    if args.command == "status":
        return _status(machine)
    from hub.standby.run import main_loop

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return main_loop(machine, stop)


def _status(machine) -> int:
    from hub.standby.lease import EtcdError

    try:
        holder = machine.lease.holder()
        copy = machine.lease.etcd.get(machine.lease.copy_key)
    except EtcdError as exc:
        print(f"hall-hub standby: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"serving": holder[0] if holder else None,
                      "term": holder[1] if holder else None,
                      "copy": json.loads(copy[0]) if copy else None}, ensure_ascii=False))
    return 0
