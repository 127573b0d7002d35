"""hall-county: land every site's events in the county's PostgreSQL (``run``, the default), or
show each site's lag (``status``). See docs/county.md."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from county import ledger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hall-county", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "status"))
    parser.add_argument("--db", default=os.environ.get("HALL_COUNTY_DB"),
                        help="postgresql://… the county database (else HALL_COUNTY_DB)")
    parser.add_argument("--broker", default=os.environ.get("HALL_BROKER",
                                                           "mqtt://127.0.0.1:1883"))
    parser.add_argument("--username", default=os.environ.get("HALL_MQTT_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("HALL_MQTT_PASSWORD"))
    parser.add_argument("--probe", type=float, default=30.0,
                        help="seconds between asking each site what follows its last event")
    parser.add_argument("--alert", type=float, default=600.0,
                        help="a site behind for this many seconds is logged as an alert")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not args.db or not args.db.startswith(("postgresql://", "postgres://")):
        print("hall-county: --db must be a postgresql:// URL", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s county %(levelname)s %(message)s")
    if args.command == "status":
        return status(args.db)
    from county.collector import Collector

    try:
        collector = Collector(args.broker, args.db, args.username, args.password,
                              probe_s=args.probe, alert_s=args.alert)
    except ValueError as exc:
        print(f"hall-county: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    collector.start()
    print(f"hall-county: collecting from {args.broker}", flush=True)
    while not stop.wait(1.0):
        if not collector.alive():
            print("hall-county: the collector's thread stopped", file=sys.stderr)
            collector.stop()
            return 1
    collector.stop()
    return 0


def status(db_url: str) -> int:
    try:
        conn = ledger.connect(db_url)
    except ValueError as exc:
        print(f"hall-county: {exc}", file=sys.stderr)
        return 2
    rows = conn.execute(
        "SELECT s.site, s.epoch, coalesce(e.last_seq, 0), s.behind, s.oldest_missing, "
        "s.malformed, s.duplicates, s.behind_since FROM sites s LEFT JOIN site_epochs e "
        "ON e.site = s.site AND e.epoch = s.epoch ORDER BY s.site").fetchall()
    print(f"{'site':<16} {'epoch':<16} {'last':>8} {'behind':>7} {'oldest':>7} "
          f"{'malformed':>9} {'dup':>6}  behind since")
    for site, epoch, last, behind, oldest, malformed, dup, since in rows:
        print(f"{site:<16} {epoch or '-':<16} {last:>8} {behind:>7} {oldest or '-':>7} "
              f"{malformed:>9} {dup:>6}  {since or '-'}")
    conn.close()
    return 1 if any(r[3] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
