"""Devices by registry, from outside: a vendor's printer installed beside hallstack serves an
untouched hall-kiosk, and a misspelt device backend stops a node with a suggestion."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from .devices_parts import install_vendor_printer, run_node, stop, wait_health, with_node_devices
from .outside import BIN


def test_a_vendor_printer_installed_beside_hallstack_serves_an_untouched_kiosk(make_hall,
                                                                                bb_workdir):
    vendor = install_vendor_printer(bb_workdir / "site-packages")
    hall = make_hall(with_node_devices("kiosk-1", '\n[nodes.devices.printer]\nbackend = "acme"\n'
                                                  'model = "AP-80"\n'))
    hall.start_hub()
    opened = bb_workdir / "acme-opened.json"
    path = os.pathsep.join(p for p in (str(vendor), os.environ.get("PYTHONPATH")) if p)
    kiosk = run_node(hall, "hall-kiosk", "kiosk-1", env={"PYTHONPATH": path,
                                                        "ACME_OPENED": str(opened)})
    try:
        health = wait_health(hall, kiosk, "kiosk-1")
        assert json.loads(opened.read_text()) == {"width_mm": 80, "model": "AP-80",
                                                  "status_timeout_s": 0.3}
        assert health["printer"]["state"] == "ok", health
        assert health["screen"]["backend"] == "offscreen"
    finally:
        stop(kiosk)


@pytest.mark.parametrize("script, node, tables, where, meant", [
    ("hall-kiosk", "kiosk-1", '\n[nodes.devices.printer]\nbackend = "ubs"\n',
     "nodes.kiosk-1.devices.printer.backend", "usb"),
    ("hall-callboard", "board-1", '\n[nodes.devices]\nbackend = "sim"\n'
                                  '\n[nodes.devices.led]\nbackend = "modbsu"\n',
     "nodes.board-1.devices.led.backend", "modbus"),
])
def test_a_misspelt_backend_stops_the_node_naming_the_key_and_what_was_meant(
        make_hall, script, node, tables, where, meant):
    hall = make_hall(with_node_devices(node, tables))
    proc = subprocess.run([BIN / script, "--config", hall.config, "--broker", hall.broker.url,
                           "--node", node, "--headless"], env={**os.environ, **hall.env(node)},
                          capture_output=True, text=True, timeout=50)
    assert proc.returncode == 2, proc.stderr
    assert where in proc.stderr and f"(did you mean {meant!r}?)" in proc.stderr, proc.stderr
