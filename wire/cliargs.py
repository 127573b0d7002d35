"""The flags every hallstack console script takes (hall-hub, its assign/assist, hall-report):
one module all of them import, so no command line imports another."""

from __future__ import annotations

import argparse
import os


def common_args(parser: argparse.ArgumentParser) -> None:
    """The flags every hallstack console script takes."""
    parser.add_argument("--config", required=True, help="the hall config (TOML)")
    parser.add_argument("--broker", default="mqtt://127.0.0.1:1883", help="mqtt://host:port")
    parser.add_argument("--clock", default=None,
                        help="hall time at start, ISO 8601 with offset (else HALL_CLOCK, else now)")
    parser.add_argument("--speed", type=float, default=1.0, help="hall clock speed factor")
    parser.add_argument("--username", default=os.environ.get("HALL_MQTT_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("HALL_MQTT_PASSWORD"))
