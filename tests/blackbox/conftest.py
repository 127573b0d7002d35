"""Fixtures of the black-box suite (tests/blackbox/outside.py says what it is and is not)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .county_parts import County
from .outside import HALL, Hall
from .web_parts import chromium


@pytest.fixture
def bb_workdir():
    """A folder Mosquitto can reach after dropping to its user (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="hallstack-bb-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make_hall(bb_workdir):
    """``make_hall(toml_edit=None)``: a hall with its broker running and no hub yet."""
    halls: list[Hall] = []

    def make(toml_edit=None, name: str = "hall") -> Hall:
        folder = bb_workdir / name
        folder.mkdir(mode=0o755)
        halls.append(Hall(folder, toml_edit))
        return halls[-1]
    yield make
    for hall in halls:
        hall.close()


@pytest.fixture
def hall(make_hall):
    """The example hall with its hub serving (real time: no --clock)."""
    h = make_hall()
    h.start_hub()
    return h


@pytest.fixture
def hall_on_disk(make_hall):
    """The example hall whose hub keeps its database on a 2 MB tmpfs: (hall, disk folder)."""
    from .time_parts import small_disk

    h = make_hall()
    with small_disk(h.workdir / "disk") as disk:
        h.start_hub(disk / "hall.db")
        yield h, disk
        h.close()  # the hub lets go of its files before the disk is unmounted


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (one sync Playwright runs per
    process at a time)."""
    pw, b = chromium()
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def county(bb_workdir):
    """A county (PostgreSQL, the county broker as shipped) for the demo hall and town2; tests
    start its collector when they need it."""
    c = County(bb_workdir, [HALL, "town2"])
    yield c
    c.close()
