"""Fixtures of the county tests: one PostgreSQL per session, a fresh database per test."""

from __future__ import annotations

import pytest

from county.collector import Collector
from hallsim.postgres import Postgres
from tests.helpers import eventually

from .parts import County, site_config
from .sites import Site


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture
def county_db(postgres):
    """A fresh, empty county database (its URL)."""
    return postgres.new_database()


@pytest.fixture
def make_county(tmp_path, county_db):
    made = {}

    def make(sites: list[str]):
        county = made["county"] = County(tmp_path, sites)
        made["sites"] = {s: Site(site_config(tmp_path, s), tmp_path / f"{s}.db",
                                 county.sites[s]) for s in sites}
        made["collector"] = Collector(county.broker.url, county_db, "county",
                                      county.passwords["county"], probe_s=0.3,
                                      ask_timeout_s=2.0, settle_s=0.5)
        made["collector"].start()
        assert eventually(lambda: made["collector"].connected, timeout=10)
        return county, made["sites"], made["collector"]

    yield make
    if "collector" in made:
        made["collector"].stop()
    for site in made.get("sites", {}).values():
        site.stop()
    if "county" in made:
        made["county"].stop()
