"""hall-rater's command line, the systemd notify messages and the run loop."""

import socket
import threading

import pytest

from rater.app import build, main
from wire.watchdog import notify

EXAMPLE = "examples/hall.toml"


def test_config_error_exits_with_one_clear_line(capsys, tmp_path):
    bad = tmp_path / "hall.toml"
    bad.write_text("[hall]\nid = 'x'\n", encoding="utf-8")
    assert main(["--config", str(bad), "--headless"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hall-rater: ") and "hall.name" in err and "\n" not in err


def test_unknown_node_and_window_exit_clearly(capsys):
    assert main(["--config", EXAMPLE, "--node", "rater-99", "--headless"]) == 2
    assert "rater-99" in capsys.readouterr().err
    assert main(["--config", EXAMPLE, "--window", "42", "--headless"]) == 2
    assert "window 42" in capsys.readouterr().err
    assert main(["--config", EXAMPLE, "--node", "rater-3", "--clock", "yesterday",
                 "--headless"]) == 2
    assert "ISO 8601" in capsys.readouterr().err


def test_notifier_sends_datagrams_to_the_notify_socket(tmp_path, monkeypatch):
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        assert notify("READY=1") and notify("WATCHDOG=1")
        assert [sock.recv(64), sock.recv(64)] == [b"READY=1", b"WATCHDOG=1"]
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert notify("READY=1") is False


def test_run_loop_says_ready_then_feeds_the_watchdog(hall_config, hall_clock):
    # no broker on port 9: the loop still runs, shows offline, and feeds the watchdog
    node = build(hall_config, "rater-3", "mqtt://127.0.0.1:9", hall_clock, headless=True,
                 simulate=True, devices={"screen": {"backend": "offscreen"}})
    stop, said = threading.Event(), []

    def notify(message):
        said.append(message)
        if message == "WATCHDOG=1":
            stop.set()

    try:
        node.run_forever(stop=stop, notify=notify)
    finally:
        node.stop()
    assert said == ["READY=1", "WATCHDOG=1"]
    assert node.current_view().online is False


@pytest.mark.parametrize("devices", [{"keypad": {"backend": "gpio", "keys": {"call_next": 5}}}])
def test_real_gpio_off_a_pi_exits_clearly(hall_config, hall_clock, devices):
    from devices.gpio.pins import GpioUnavailable

    with pytest.raises(GpioUnavailable, match="rpi-lgpio"):
        build(hall_config, "rater-3", "mqtt://127.0.0.1:9", hall_clock, headless=True,
              simulate=True, devices=devices)


def test_a_window_naming_no_pads_refuses_to_start(capsys):
    assert main(["--config", EXAMPLE, "--node", "rater-3", "--headless"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hall-rater: ") and "\n" not in err
    assert "nodes.rater-3.devices.keypad.backend: missing" in err and "--simulate" in err


def test_several_windows_in_one_process_get_one_display_or_a_clear_error(tmp_path):
    """pygame has one display per process: the second windowed screen is refused by name
    (before, it took the first one's window, and closing either closed both)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, SDL_VIDEODRIVER="dummy", XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "rater", "--config", os.path.abspath(EXAMPLE), "--windows", "3-4",
         "--simulate", "--broker", "mqtt://127.0.0.1:9"],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip().splitlines()[-1]
    assert err.startswith("hall-rater: ") and "nodes.rater-4.devices.screen.backend" in err
    assert "'hallstack rater-3'" in err and "backend = \"none\"" in err
