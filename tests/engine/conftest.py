"""Fixtures of the engine tests: the example hall's config and a fresh ``Hall`` at Monday
2026-11-23 10:00 Asia/Shanghai (see engine_helpers)."""

from __future__ import annotations

import pytest

from hub.config import load_config

from .engine_helpers import ROOT, Hall


@pytest.fixture(scope="session")
def base_cfg():
    return load_config(ROOT / "examples" / "hall.toml")


@pytest.fixture
def cfg(base_cfg):
    return base_cfg


@pytest.fixture
def hall(cfg):
    return Hall(cfg)
