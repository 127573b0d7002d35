"""hall-hub: run the hub service (``hall-hub assign|assist …``: set what a window serves,
hub/assign_cli.py). A hub database rebuilt from the county is ``hall-county restore``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from wire.cliargs import common_args
from wire.clock import HallClock
from wire.config import ConfigError, load_config
from wire.memory import limit_arenas
from wire.watchdog import Watchdog


def without_dataframe_libraries() -> None:
    """sqlite-utils imports numpy (and pandas) whenever they are installed, only to store their
    values; the hub stores none, and numpy alone is 15 MB of the hub's 60 MB budget."""
    for name in ("numpy", "pandas"):
        sys.modules.setdefault(name, None)  # a later import fails, and sqlite-utils does without


ADMIN_COMMANDS = ("assign", "assist")
RESTORE_MOVED = "a hub database is rebuilt from the county by hall-county restore (docs/county.md)"
# beside the database, put there by the operator (root may; the unit's user may remove it):
# the next start takes the hall over once, as --take-over does, without editing the unit
TAKE_OVER_SUFFIX = ".take-over"


def main(argv: list[str] | None = None) -> int:
    limit_arenas()  # before any thread (wire/memory.py)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["restore"]:  # moved to the county's command: the hub imports no county
        print(f"hall-hub: {RESTORE_MOVED}", file=sys.stderr)
        return 2
    if argv[:1] == ["standby"]:  # one hub machine of a standby hall (docs/standby.md)
        from hub.standby import cli as standby_cli

        return standby_cli.main(argv[1:])
    if argv and argv[0] in ADMIN_COMMANDS:
        from hub import assign_cli

        return assign_cli.main(argv[0], argv[1:])
    parser = argparse.ArgumentParser(prog="hall-hub", description=__doc__)
    common_args(parser)
    parser.add_argument("--db", default="hall.db", help="the hub's SQLite file")
    parser.add_argument("--take-over", action="store_true",
                        help="serve this hall from this database although the hall's retained "
                             "hub status names another epoch (a new SD card without a restore; "
                             "never over a live hub; recorded as an alert); a file DB.take-over "
                             "does the same once: docs/one-hub.md")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    without_dataframe_libraries()  # after --help, which callers (tests) may run in-process
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s hub %(levelname)s %(message)s")
    try:
        cfg = load_config(args.config)
        clock = HallClock.from_args(cfg.tz, args.clock, args.speed)
    except (ConfigError, ValueError) as exc:
        print(f"hall-hub: {exc}", file=sys.stderr)
        return 2
    from hub.service import HubService

    marker = Path(f"{args.db}{TAKE_OVER_SUFFIX}")
    marked = marker.exists()
    try:
        service = HubService(cfg, args.db, args.broker, clock, args.username, args.password,
                             args.take_over or marked)
    except ValueError as exc:  # the broker URL, its CA file, or the database (StoreError)
        print(f"hall-hub: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    service.start()
    print(f"hall-hub: hall {cfg.hall_id} on {args.broker}, db {args.db} "
          f"(rebuilt in {service.rebuild_s * 1000:.0f} ms)", flush=True)
    watchdog = Watchdog()
    watchdog.ready()
    while not stop.wait(0.2):
        if service.refused.is_set():  # another hub serves this hall: say so and stay down
            print(f"hall-hub: {service.claim.refusal}", file=sys.stderr, flush=True)
            service.stop()
            return 2
        if service.alive():  # a hub whose threads died must be restarted, not fed
            watchdog.alive()
        if marked and service.wait_ready(0):  # taken over: the operator's word is used up
            marker.unlink(missing_ok=True)
            marked = False
    service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
