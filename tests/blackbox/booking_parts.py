"""Black-box helpers of the booking tests (网上预约): citizens as an outsider makes them up.

The GB 11643 check character is written here from the standard (weights 2^(17-i) mod 11,
"10X98765432"), not taken from hallstack."""

from __future__ import annotations

import random

from .outside import HALL

_CHECK = "10X98765432"
TUE = "2026-11-24"  # the day after the hall's Monday (MONDAY_10)
TODAY = "2026-11-23"


def check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17)) % 11]


def valid_id(n: int) -> str:
    """The ``n``-th made-up ID number with a right check character (a plausible birth date)."""
    body = f"110105{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + check_char(body)


def random_id(rng: random.Random) -> str:
    """An ID number a scalper types at random: 18 characters, digits and maybe an X."""
    return "".join(rng.choice("0123456789") for _ in range(17)) + rng.choice("0123456789X")


def booking_args(service: str, day: str, start: str, id_number: str, phone: str,
                 name: str = "赵六") -> dict:
    return {"service": service, "day": day, "start": start, "name": name,
            "id_number": id_number, "phone": phone}


def events_topic() -> str:
    return f"hall/{HALL}/event/#"
