"""hall-callboard as a process: clear start-up errors, systemd notifications, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callboard.main import main, watchdog_interval
from wire.watchdog import notify

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(60)


def test_a_bad_config_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "hall.toml"
    bad.write_text('[hall]\nid = "x"\n')
    assert main(["--config", str(bad), "--headless"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hall-callboard: ") and "\n" not in err and "hall.name" in err


def test_a_callboard_naming_no_devices_refuses_to_start(capsys):
    assert main(["--config", str(ROOT / "examples/hall.toml"), "--headless"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hall-callboard: ") and "\n" not in err
    assert "nodes.board-1.devices.audio.backend: missing" in err and "--simulate" in err


def test_a_missing_config_and_an_unknown_node(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "none.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["--config", str(ROOT / "examples/hall.toml"), "--node", "board-9",
                 "--headless"]) == 2
    assert "board-9" in capsys.readouterr().err


def test_notify_without_systemd_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify("READY=1") is False
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    assert watchdog_interval() == 10.0
    monkeypatch.setenv("WATCHDOG_USEC", "junk")
    assert watchdog_interval() == 5.0


def test_the_process_tells_systemd_it_is_ready_and_alive(broker, clip_cache, tmp_path):
    sock_path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(20)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="400000",
               HALL_CLIPS_DIR=str(clip_cache), SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen(
        [sys.executable, "-m", "callboard.main", "--config", "examples/hall.toml", "--broker",
         broker.url, "--clock", "2026-11-23T10:00:00+08:00", "--headless", "--simulate",
         "--png", str(tmp_path / "board.png")],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        got = []
        deadline = time.monotonic() + 20
        while "WATCHDOG=1" not in got and time.monotonic() < deadline:
            got.append(sock.recv(256).decode())
        assert got[0] == "READY=1" and "WATCHDOG=1" in got
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0, proc.stderr.read()
        rest = []
        sock.settimeout(1)
        try:
            while True:
                rest.append(sock.recv(256).decode())
        except TimeoutError:
            pass
        assert "STOPPING=1" in rest
        assert (tmp_path / "board.png").stat().st_size > 10000
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()


def test_make_clips_lists_every_clip_and_its_source(clip_cache, monkeypatch, capsys):
    monkeypatch.setenv("HALL_CLIPS_DIR", str(clip_cache))
    assert main(["--config", str(ROOT / "examples/hall.toml"), "--make-clips"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("# voice cmn-latn-pinyin")
    listed = dict(line.split("\t") for line in out[1:])
    assert listed["word-请.wav"] == "espeak" and listed["chime.wav"] == "synth"
    assert {"name-12.wav", "letter-Z.wav", "digit-9.wav"} <= set(listed)
