"""``hall-kiosk`` as systemd runs it: a real process, READY=1 and WATCHDOG=1 on the notify
socket, a clean exit on SIGTERM, and a one-line error for a bad config."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from kiosk.app import main
from wire.watchdog import Watchdog

ROOT = Path(__file__).resolve().parents[2]


def test_bad_config_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "hall.toml"
    text = (ROOT / "examples" / "hall.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace('id = "kiosk-1"\nrole = "kiosk"',
                                'id = "kiosk-1"\nrole = "kiosk"\ndevices = { printer = '
                                '{ backend = "lp" } }'), encoding="utf-8")
    assert main(["--config", str(bad), "--headless"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nodes.kiosk-1.devices.printer.backend" in err


def test_missing_config_and_unknown_node(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["--config", str(ROOT / "examples" / "hall.toml"), "--node", "kiosk-9",
                 "--headless"]) == 2
    assert "kiosk-9" in capsys.readouterr().err


def test_notifier_is_silent_without_systemd():
    Watchdog({}).ready()  # no NOTIFY_SOCKET: nothing to do, nothing raised


def test_runs_headless_under_a_watchdog(tmp_path, broker):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(10)
    env = dict(os.environ, NOTIFY_SOCKET=path, PYTHONPATH=str(ROOT),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.app", "--config", str(ROOT / "examples" / "hall.toml"),
         "--broker", broker.url, "--headless", "--simulate",
         "--clock", "2026-11-23T10:00:00+08:00"],
        cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        messages = set()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not {"READY=1", "WATCHDOG=1"} <= messages:
            messages.add(sock.recv(64).decode())
        assert {"READY=1", "WATCHDOG=1"} <= messages
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()


def test_hall_kiosk_with_no_device_table_refuses_to_start(tmp_path, broker):
    """The example hall names no kiosk devices: without --simulate the console script exits 2
    with one line naming the missing table and key, and never connects or prints."""
    script = Path(sys.executable).parent / "hall-kiosk"
    proc = subprocess.run(
        [str(script), "--config", str(ROOT / "examples" / "hall.toml"), "--broker", broker.url,
         "--headless"], cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
        env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache")))
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert err.count("\n") == 0, err
    assert err.startswith("hall-kiosk: ") and "nodes.kiosk-1.devices.printer.backend: missing" in err
    assert "--simulate" in err

