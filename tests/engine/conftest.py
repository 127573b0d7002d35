"""Fixtures of the engine tests: the example hall's config with the engine tests' own
``[queue]`` rules, and a fresh ``Hall`` at Monday 2026-11-23 10:00 Asia/Shanghai (see
engine_helpers)."""

from __future__ import annotations

import pytest

from wire.config import load_config

from .engine_helpers import ROOT, RULES, Hall, with_queue


@pytest.fixture(scope="session")
def base_cfg():
    """The example hall under :data:`engine_helpers.RULES`, whatever the example ships: a test
    of another rule says so with ``with_queue``."""
    return with_queue(load_config(ROOT / "examples" / "hall.toml"), **RULES)


@pytest.fixture
def cfg(base_cfg):
    return base_cfg


@pytest.fixture
def hall(cfg):
    return Hall(cfg)
