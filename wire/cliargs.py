"""The flags every hallstack console script takes (hall-hub, its assign/assist, hall-report;
the nodes' own): one module all of them import, so no command line imports another."""

from __future__ import annotations

import argparse
import os


def node_args(parser: argparse.ArgumentParser, role: str) -> None:
    """The flags every node's console script takes (hall-kiosk, hall-callboard, hall-rater)."""
    parser.add_argument("--config", required=True, help="the hall's TOML file")
    parser.add_argument("--broker", default="mqtt://127.0.0.1:1883", help="mqtt://host:port")
    parser.add_argument("--node", help=f"node id (default: the config's first {role})")
    parser.add_argument("--clock", help="hall time at start, ISO 8601 (else HALL_CLOCK, else now)")
    parser.add_argument("--headless", action="store_true", help="no window (the simulated screen)")
    parser.add_argument("--simulate", action="store_true",
                        help="simulated devices where the config names none (demo, bench)")
    parser.add_argument("--username", default=os.environ.get("HALL_MQTT_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("HALL_MQTT_PASSWORD"))


def common_args(parser: argparse.ArgumentParser) -> None:
    """The flags every hallstack console script takes."""
    parser.add_argument("--config", required=True, help="the hall config (TOML)")
    parser.add_argument("--broker", default="mqtt://127.0.0.1:1883", help="mqtt://host:port")
    parser.add_argument("--clock", default=None,
                        help="hall time at start, ISO 8601 with offset (else HALL_CLOCK, else now)")
    parser.add_argument("--speed", type=float, default=1.0, help="hall clock speed factor")
    parser.add_argument("--username", default=os.environ.get("HALL_MQTT_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("HALL_MQTT_PASSWORD"))
