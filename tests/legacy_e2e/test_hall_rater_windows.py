"""``hall-rater --windows 1-2``: one process hosts two window nodes whose FF68 callers share one
line (an emulated area line on a pty); a call key at either window calls at the hub, and
SIGTERM stops both cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from firmware_bridge.legacy.ff68_emulator import FF68Emulator

pytestmark = pytest.mark.timeout(60)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hall.toml"
ROOT = EXAMPLE.parent.parent


def _config(tmp_path, port: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for n in (1, 2):
        entry = f'id = "rater-{n}"\nrole = "rater"\nwindow = {n}\n'
        assert entry in text
        text = text.replace(entry, entry + (
            f'[nodes.devices]\nstaff = "100{n}"\n[nodes.devices.screen]\nbackend = "none"\n'
            f'[nodes.devices.keypad]\nbackend = "ff68"\nport = "{port}"\naddress = {n}\n'))
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_process_two_windows_one_line(tmp_path, broker, hub_service, kiosk):
    line = FF68Emulator([1, 2])
    proc = subprocess.Popen(
        [sys.executable, "-m", "rater", "--config", str(_config(tmp_path, line.path)),
         "--broker", broker.url, "--windows", "1-2", "--headless", "--simulate",
         "--clock", "2026-11-23T10:00:00+08:00"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=os.environ | {"SDL_VIDEODRIVER": "dummy"})
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(
                ((kiosk.state.get(f"window/{n}") or {}).get("staff") or {}).get("number")
                == f"100{n}" for n in (1, 2)):
            time.sleep(0.05)  # both windows logged their default staff in
        a = kiosk.request("ticket.take", {"service": "A"})["ticket"]["no"]
        b = kiosk.request("ticket.take", {"service": "A"})["ticket"]["no"]
        for n, no in ((2, a), (1, b)):  # 呼叫 at window 2, then at window 1
            assert line.press(n, 0x0C)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and line.displays[n] != "   " + no[-3:]:
                time.sleep(0.02)
        assert (line.displays[1], line.displays[2]) == ("   " + b[-3:], "   " + a[-3:])
        deadline = time.monotonic() + 5  # retained state may trail the reply by up to 20 ms
        while time.monotonic() < deadline and (
                (kiosk.state.get("window/2") or {}).get("serving") or {}).get("no") != a:
            time.sleep(0.02)
        assert kiosk.state["window/2"]["serving"]["no"] == a
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        line.close()
    assert proc.returncode == 0, out[-2000:]


def test_an_unknown_window_exits_2_naming_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "rater", "--config", str(EXAMPLE), "--windows", "11-13",
         "--headless"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "no rater node at window 13" in done.stderr
