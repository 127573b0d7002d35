"""Fixtures of the booking tests: the example hall (with its ``[booking]`` block) at Monday
2026-11-23 10:00 Asia/Shanghai, driven through the op registry like the engine tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.booking.web_rig import book_web, browser, phone  # noqa: F401 - the pages' rig
from wire.config import load_config

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("engine_helpers",
                                               _HERE.parent / "engine" / "engine_helpers.py")
engine_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(engine_helpers)


@pytest.fixture(scope="session")
def base_cfg():
    return engine_helpers.with_queue(load_config(engine_helpers.ROOT / "examples" / "hall.toml"),
                                     **engine_helpers.RULES)


@pytest.fixture
def hall(base_cfg):
    return engine_helpers.Hall(base_cfg)
