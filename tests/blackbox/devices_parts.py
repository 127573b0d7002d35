"""A vendor's device backend installed beside hallstack, as pip would leave it: a module and a
dist-info whose entry_points.txt names it in group ``hallstack.devices`` (docs/devices.md).

The vendor's module is written here as text and runs only inside the node's process (a vendor's
package may build on hallstack's own printer); nothing here imports hallstack.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .outside import BIN, HALL, Hall, stop_process

# The vendor's module, copied to disk for the hall-kiosk process to import: a vendor builds on
# hallstack's printer interface. The test itself imports none of hallstack.
VENDOR_PRINTER = Path(__file__).with_name("vendor") / "acme_printer.py.in"


def install_vendor_printer(folder: Path) -> Path:
    """The package ``acme-printer`` (printer backend ``acme``) under ``folder``; the folder to
    put on PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme_printer.py").write_text(VENDOR_PRINTER.read_text())
    info = folder / "acme_printer-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-printer\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[hallstack.devices]\nprinter.acme = acme_printer:make\n")
    return folder


def with_node_devices(node: str, tables: str):
    """A toml_edit giving node ``node`` (examples/hall.toml's entry) the devices ``tables``."""
    def edit(text: str) -> str:
        role = {"kiosk-1": "kiosk", "board-1": "callboard"}[node]
        anchor = f'id = "{node}"\nrole = "{role}"\n'
        assert text.count(anchor) == 1, f"examples/hall.toml's {node} entry moved"
        return text.replace(anchor, anchor + tables)
    return edit


def run_node(hall: Hall, script: str, node: str, *args: str, env: dict | None = None,
             log_name: str = "node") -> subprocess.Popen:
    """``script`` (hall-kiosk, hall-callboard …) as ``node``, headless, started with its env."""
    log = open(hall.workdir / f"{log_name}.log", "ab")
    proc = subprocess.Popen(
        [BIN / script, "--config", hall.config, "--broker", hall.broker.url, "--node", node,
         "--headless", *args], env={**os.environ, **hall.env(node), **(env or {})},
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    proc.log_path = hall.workdir / f"{log_name}.log"  # type: ignore[attr-defined]
    return proc


def wait_health(hall: Hall, proc: subprocess.Popen, node: str, timeout: float = 30.0) -> dict:
    """The node's first health (retained, or the next published), read with mosquitto_sub."""
    topic = f"hall/{HALL}/node/{node}/health"
    got = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(hall.port),
                          "-u", "admin-1", "-P", hall.password("admin-1"), "-t", topic,
                          "-C", "1", "-W", str(int(timeout))],
                         capture_output=True, text=True, timeout=timeout + 10)
    assert proc.poll() is None, f"{node} exited: {proc.log_path.read_text()[-3000:]}"
    assert got.returncode == 0 and got.stdout, (f"no health from {node}: {got.stderr} "
                                                f"{proc.log_path.read_text()[-3000:]}")
    return json.loads(got.stdout)


stop = stop_process
