"""Kill -9 the callboard process mid-day and start it again: from retained state alone its LED
screens (real bytes on pseudo-terminals) and its display show what they showed before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from devices.ledscreen_serial import PlainProtocol
from tests.helpers import eventually
from wire.client import HubClient

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(90)


class PtyScreen:
    """The far end of a serial LED screen: collects every byte the callboard writes."""

    def __init__(self):
        self.master, slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(slave)
        self.slave, self.port = slave, os.ttyname(slave)
        self.data = b""
        self._stop = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        import select

        while not self._stop:
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    self.data += os.read(self.master, 4096)
                except OSError:
                    return

    def texts(self) -> list[tuple[str, str]]:
        frames, _ = PlainProtocol().decode(self.data)
        return [(f.text, f.mode) for f in frames if f.command == 0x54]

    def close(self):
        self._stop = True
        self._thread.join(1)
        os.close(self.master)
        os.close(self.slave)


def _config(tmp_path, screens, audio_dir) -> Path:
    text = (ROOT / "examples" / "hall.toml").read_text(encoding="utf-8")
    board = 'id = "board-1"\nrole = "callboard"\n'
    assert board in text
    devices = (f'[nodes.devices.audio]\nbackend = "wav"\nout_dir = "{audio_dir}"\n'
               '[nodes.devices.led]\nbackend = "serial"\n')
    for window, screen in screens.items():
        devices += (f'[[nodes.devices.led.screens]]\nwindow = {window}\n'
                    f'port = "{screen.port}"\naddress = {window}\n')
    path = tmp_path / "hall.toml"
    path.write_text(text.replace(board, board + devices), encoding="utf-8")
    return path


def _middle(png: Path) -> Image.Image:
    """The display without its clock band and scrolling notice (they move by design)."""
    with Image.open(png) as im:
        return im.convert("RGB").crop((0, 100, 1920, 1000))


def test_kill_and_restart_shows_the_same(hall_config, broker, hall_clock, hub_service,
                                         clip_cache, tmp_path, png_dir):
    screens = {3: PtyScreen(), 4: PtyScreen()}
    audio = tmp_path / "audio"
    config = _config(tmp_path, screens, audio)
    png = tmp_path / "board.png"
    env = dict(os.environ, HALL_CLIPS_DIR=str(clip_cache), WATCHDOG_USEC="200000",
               SDL_AUDIODRIVER="dummy")
    env.pop("NOTIFY_SOCKET", None)
    cmd = [sys.executable, "-m", "callboard.main", "--config", str(config), "--broker",
           broker.url, "--clock", "2026-11-23T10:00:00+08:00", "--headless", "--png", str(png)]
    clients = [HubClient(hall_config, n, broker.url, hall_clock)
               for n in ("kiosk-1", "rater-3", "rater-4")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        for c in clients:
            c.start()
            assert c.wait_connected(5)
        kiosk, rater3, rater4 = clients
        rater3.request("window.login", {"window": 3, "staff": "1003"})
        rater4.request("window.login", {"window": 4, "staff": "1004"})
        no = None
        for service in "BBC":
            taken = kiosk.request("ticket.take", {"service": service})["ticket"]["no"]
            no = no or taken
        assert eventually(lambda: png.exists(), timeout=10.0)  # the board is up
        assert rater3.request("window.call_next", {"window": 3})["ticket"]["no"] == no
        rater4.request("window.pause", {"window": 4, "reason": "午休"})
        call = f"请{no}号到3号窗口办理"
        assert eventually(lambda: screens[3].texts()[-1:] == [(call, "static")]
                          and screens[4].texts()[-1:] == [("暂停服务", "static")], timeout=10.0)
        assert (call, "flash") in screens[3].texts()
        # the LED flash is over, so is the display's (both from the event): a picture the
        # board writes from now on is the steady one
        steady_from = time.time_ns()
        assert eventually(lambda: png.stat().st_mtime_ns > steady_from, timeout=10.0)
        before = _middle(png)
        before.save(f"{png_dir}/kill-before.png")
        assert eventually(lambda: list(audio.glob("*.wav")), timeout=10.0)
        said_before = sorted(audio.glob("*.wav"))
        assert len(said_before) == 1

        proc.send_signal(signal.SIGKILL)  # mid-day, no goodbye
        proc.wait(5)
        for s in screens.values():
            s.data = b""
        png.unlink()

        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        assert eventually(lambda: screens[3].texts() and screens[4].texts() and png.exists(),
                          timeout=10.0)
        assert screens[3].texts()[0] == (call, "static")  # straight to steady: no new flash
        assert screens[4].texts()[0] == ("暂停服务", "static")
        # the first pictures may predate the hub's retained state; the board must come to
        # show exactly what it showed before the kill
        assert eventually(lambda: ImageChops.difference(before, _middle(png)).getbbox() is None,
                          timeout=10.0), "the restarted board shows something else"
        after = _middle(png)
        after.save(f"{png_dir}/kill-after.png")
        # a restart says nothing: the next call is the only thing said after it (had the
        # restart repeated the old call, that would have been said before this one)
        rater3.request("window.finish", {"window": 3})
        nxt = rater3.request("window.call_next", {"window": 3})["ticket"]["no"]
        assert eventually(lambda: screens[3].texts()[-1:] == [(f"请{nxt}号到3号窗口办理", "static")]
                          and len(list(audio.glob("*.wav"))) > len(said_before), timeout=15.0)
        assert len(sorted(audio.glob("*.wav"))) == len(said_before) + 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for c in clients:
            c.stop()
        for s in screens.values():
            s.close()
