"""hall-county: land every site's events in the county's PostgreSQL (``run``, the default),
show each site's lag and when it was last heard (``status``), or see to the monthly partitions
of the events (``partitions``: made ahead, past retention archived and dropped), or rebuild a
site's hub database from the county's copy (``restore``, county/restore.py), or run
hall-report's commands on the county's database (``report``, county/report_cli.py). See docs/county.md."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

from county import hours, ledger
from wire.watchdog import Watchdog

WAIT_LOG_S = 60.0  # one line a minute while the database is away, not one a try
PROBE_S = 30.0  # the shipped --probe (hall-bench county prints it)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["restore"]:  # a new SD card: a site's hall.db rebuilt from the county's copy
        from county.restore import main as restore_main

        return restore_main(argv[1:])
    if argv[:1] == ["report"]:  # hall-report's commands on the county's copy of the sites' logs
        from county.report_cli import main as report_main

        return report_main(argv[1:])
    parser = argparse.ArgumentParser(prog="hall-county", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "status", "partitions"))
    parser.add_argument("--db", default=os.environ.get("HALL_COUNTY_DB"),
                        help="postgresql://… the county database (else HALL_COUNTY_DB)")
    parser.add_argument("--broker", default=os.environ.get("HALL_BROKER",
                                                           "mqtt://127.0.0.1:1883"))
    parser.add_argument("--username", default=os.environ.get("HALL_MQTT_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("HALL_MQTT_PASSWORD"))
    parser.add_argument("--probe", type=float, default=PROBE_S,
                        help="seconds between asking each site what follows its last event")
    parser.add_argument("--alert", type=float, default=600.0,
                        help="a site behind (or silent in its hall hours) this many seconds "
                             "is logged as an alert")
    parser.add_argument("--sites", default=None,
                        help="a folder of the sites' hall configs (*.toml): their hall hours")
    parser.add_argument("--retain-months", type=int, default=0,
                        help="months of events kept before this one (0: all, the default)")
    parser.add_argument("--archive", default=None,
                        help="a folder where a month past retention is written before its drop")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not args.db or not args.db.startswith(("postgresql://", "postgres://")):
        print("hall-county: --db must be a postgresql:// URL", file=sys.stderr)
        return 2
    if args.retain_months < 0:
        print("hall-county: --retain-months must be 0 (keep all) or more", file=sys.stderr)
        return 2
    try:
        site_hours = hours.load_sites(args.sites)
    except ValueError as exc:
        print(f"hall-county: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s county %(levelname)s %(message)s")
    if args.command == "status":
        from county.status import status

        return status(args.db, site_hours, args.alert)
    if args.command == "partitions":
        return see_to_partitions(args)
    return run(args, site_hours)


def see_to_partitions(args) -> int:
    """What the collector does each hour, once, now: prints the months made and dropped."""
    from datetime import date

    import psycopg

    from county import partitions

    try:
        conn = ledger.connect(args.db)
    except ValueError as exc:
        print(f"hall-county: {exc}", file=sys.stderr)
        return 2
    try:
        done = partitions.maintain(conn, date.today(), retain=args.retain_months,
                                   archive=args.archive)
        conn.commit()
        held = partitions.months(conn)
    except (OSError, ValueError, psycopg.Error) as exc:
        print(f"hall-county: partitions: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    for what in ("made", "dropped"):
        print(f"{what}: {' '.join(f'{m:%Y-%m}' for m in done[what]) or '-'}")
    print(f"held: {' '.join(f'{m:%Y-%m}' for m in held) or '-'}")
    return 0


def run(args, site_hours: dict) -> int:
    from county.collector import Collector

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    watchdog = Watchdog()
    watchdog.ready()
    delay, logged = 1.0, -WAIT_LOG_S
    while True:  # the database may start after us (boot order, an outage): wait for it
        try:
            collector = Collector(args.broker, args.db, args.username, args.password,
                                  probe_s=args.probe, alert_s=args.alert,
                                  site_hours=site_hours, retain_months=args.retain_months,
                                  archive=args.archive)
            break
        except ledger.Unreachable as exc:
            if time.monotonic() - logged >= WAIT_LOG_S:
                logged = time.monotonic()
                print(f"hall-county: waiting for the county database: {exc}", file=sys.stderr,
                      flush=True)
            watchdog.alive()  # waiting, not stuck
            if stop.wait(delay):
                return 0
            delay = min(30.0, delay * 2)
        except ValueError as exc:  # a configuration error: restarting cannot fix it
            print(f"hall-county: {exc}", file=sys.stderr)
            return 2
    collector.start()
    print(f"hall-county: collecting from {args.broker}", flush=True)
    while not stop.wait(1.0):
        if not collector.alive():
            print("hall-county: the collector's thread stopped", file=sys.stderr)
            collector.stop()
            return 1
        if collector.healthy():  # its turns land (or wait on the database): systemd knows
            watchdog.alive()
    watchdog.stopping()
    collector.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
