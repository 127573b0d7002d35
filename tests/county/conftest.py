"""Fixtures of the county tests: one PostgreSQL per session, a fresh database per test."""

from __future__ import annotations

import pytest

from .parts import Postgres


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture
def county_db(postgres):
    """A fresh, empty county database (its URL)."""
    return postgres.new_database()
