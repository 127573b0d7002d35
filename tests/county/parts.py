"""Real parts for the county tests: a PostgreSQL from Debian's package, Mosquitto brokers bridged
site → county through a link the test can cut, and site hubs in-process."""

from __future__ import annotations

from pathlib import Path

from hallsim.county_net import County  # noqa: F401 - the tests' county
from wire.config import load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hall.toml"


def site_config(tmp_path: Path, site: str):
    """The example hall as site ``site``, with the county's node (role county)."""
    text = EXAMPLE.read_text(encoding="utf-8").replace('id = "demo"', f'id = "{site}"', 1)
    text += '\n[[nodes]]\nid = "county"\nrole = "county"\n'
    # Site.toggle() streams window events and a busy close-out takes hundreds of tickets as
    # fast as a machine can: no clerk's or citizen's pace
    for rate in ("keypad", "kiosk"):
        text += f"\n[limits.{rate}]\nburst = 100000\nper_minute = 1000000\n"
    path = tmp_path / f"{site}.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)
