"""hall-twin --county-dsn: the recorded day replayed from the county's copy of the site's log
(the county's restore rebuilds the site's database in a scratch folder), the same figures as
from the site's own file; a county without the site is refused with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb

from county import ledger
from hallsim.postgres import Postgres
from tests.twin.recorded import recorded_events
from twin.cli import main

CONFIG = str(Path(__file__).resolve().parents[2] / "examples" / "hall.toml")
EPOCH = "demoday"


@pytest.fixture(scope="module")
def county():
    pg = Postgres()
    url = pg.new_database()
    conn = ledger.connect(url)
    with conn.transaction():
        last = 0
        for seq, at, kind, data in recorded_events():
            conn.execute(ledger.INSERT_EVENT, ("demo", EPOCH, seq, at, kind, Jsonb(data)))
            last = seq
        conn.execute("INSERT INTO site_epochs (site, epoch, contig, last_seq) "
                     "VALUES ('demo', %s, %s, %s)", (EPOCH, last, last))
        conn.execute("INSERT INTO sites (site, epoch) VALUES ('demo', %s)", (EPOCH,))
    conn.close()
    yield url
    pg.stop()


def test_the_countys_copy_replays_as_the_sites_own_file(county, recorded_db, capsys):
    args = ["--config", CONFIG, "--day", "2026-11-23", "--json"]
    assert main(["--county-dsn", county, *args]) == 0
    from_county = json.loads(capsys.readouterr().out)["runs"]
    assert main(["--db", recorded_db, *args]) == 0
    from_site = json.loads(capsys.readouterr().out)["runs"]
    assert [r["figures"] for r in from_county] == [r["figures"] for r in from_site]


def test_a_county_without_the_site_is_refused(county, capsys):
    with psycopg.connect(county, autocommit=True) as conn:
        conn.execute("UPDATE sites SET site = 'elsewhere' WHERE site = 'demo'")
    try:
        assert main(["--county-dsn", county, "--config", CONFIG, "--day", "2026-11-23"]) == 2
        assert "the county holds no events of site 'demo'" in capsys.readouterr().err
    finally:
        with psycopg.connect(county, autocommit=True) as conn:
            conn.execute("UPDATE sites SET site = 'demo' WHERE site = 'elsewhere'")


def test_the_staffing_plan_from_the_countys_copy(county, tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["staffing", "--county-dsn", county, "--config", CONFIG]) == 2
    assert "--out FILE" in capsys.readouterr().err
    assert main(["staffing", "--county-dsn", county, "--config", CONFIG, "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["week_of"] == "2026-11-30"
