"""Fixtures every suite shares: a real Mosquitto, the example hall, a fixed hall clock, the hub."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# python-escpos pickles its capabilities; in a run, into a fresh folder under TMPDIR (removed at
# the end), not the user's ~/.cache, and never a fixed /tmp path
_ESCPOS_DIR = None
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _ESCPOS_DIR = tempfile.mkdtemp(prefix="hallstack-escpos-")
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _ESCPOS_DIR

from hallsim.broker import start_broker  # noqa: E402
from wire.clock import HallClock  # noqa: E402
from wire.config import load_config  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hall.toml"
MONDAY_10 = "2026-11-23T10:00:00+08:00"
_PICTURES: list[Path] = []  # the session's picture folder, once a test asked for it


@pytest.fixture(scope="session")
def pictures(tmp_path_factory):
    """``pictures("kiosk")``: a folder of this session's pictures and sounds (PNG, WAV) that a
    person should look at; its path is printed at the end of the run."""
    root = tmp_path_factory.mktemp("pictures", numbered=False)
    _PICTURES.append(root)

    def folder(name: str) -> Path:
        path = root / name
        path.mkdir(exist_ok=True)
        return path

    return folder


def pytest_terminal_summary(terminalreporter):
    for root in _PICTURES:
        terminalreporter.write_sep("-", f"pictures and sounds to look at: {root}")


def pytest_unconfigure(config):
    if _ESCPOS_DIR is not None:
        shutil.rmtree(_ESCPOS_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def hall_config():
    """The example county hall (examples/hall.toml)."""
    return load_config(EXAMPLE)


@pytest.fixture
def hall_clock(hall_config):
    """Hall time fixed at Monday 2026-11-23 10:00 Asia/Shanghai, running at real speed."""
    return HallClock(hall_config.tz, MONDAY_10)


@pytest.fixture
def broker(tmp_path_factory):
    """A real Mosquitto on a free port, with TCP_NODELAY, stopped after the test."""
    b = start_broker(tmp_path_factory.mktemp("broker"))
    yield b
    b.stop()


class RunningHub:
    """The hub service running in-process for a test; ``restart()`` keeps the same file."""

    def __init__(self, config, db_path, broker, clock):
        self.config, self.db_path, self.broker, self.clock = config, str(db_path), broker, clock
        self.service = None
        self.start()

    def start(self, take_over: bool = False):
        """``take_over``: a new database serves the hall (hall-hub --take-over)."""
        from hub.service import HubService

        self.service = HubService(self.config, self.db_path, self.broker.url, self.clock,
                                  take_over=take_over)
        self.service.start()
        assert self.service.wait_ready(10), "the hub did not subscribe within 10 s"
        return self

    def stop(self):
        if self.service is not None:
            self.service.stop()
            self.service = None

    def restart(self):
        self.stop()
        return self.start()


@pytest.fixture
def node_client(hall_config, broker, hall_clock):
    """``node_client("kiosk-1")``: a started, connected HubClient acting as that node; every
    client made this way is stopped after the test."""
    from wire.client import HubClient

    made = []

    def make(node_id: str):
        client = HubClient(hall_config, node_id, broker.url, hall_clock)
        client.start()
        made.append(client)
        assert client.wait_connected(5), f"{node_id} did not connect to {broker.url}"
        return client

    yield make
    for client in made:
        client.stop()


@pytest.fixture
def hub_service(hall_config, broker, hall_clock, tmp_path):
    """The hub running in-process against ``broker`` with a fresh SQLite file."""
    hub = RunningHub(hall_config, tmp_path / "hall.db", broker, hall_clock)
    yield hub
    hub.stop()
