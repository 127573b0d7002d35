"""What both first-boot installers (deploy.firstboot, deploy.standby_card) share: reading the
card's node.toml and running the systemctl steps that enable a machine's units."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from deploy.provision import ProvisionError


def read_node_toml(path: Path, keys: set[str]) -> dict:
    """node.toml as a dict; ProvisionError if it cannot be read or has keys not in ``keys``."""
    try:
        node = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProvisionError(f"{path}: cannot read: {exc}") from None
    unknown = sorted(set(node) - keys)
    if unknown:
        raise ProvisionError(f"{path}: unknown keys {', '.join(unknown)}")
    return node


def run_steps(steps: list[list[str]]) -> None:
    """Run each argv in turn; ProvisionError naming the first that fails, and why."""
    for argv in steps:
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ProvisionError(f"{' '.join(argv)}: {exc}") from None
        if result.returncode != 0:
            raise ProvisionError(f"{' '.join(argv)}: exit {result.returncode}: "
                                 f"{(result.stderr or result.stdout).strip()}")
