"""County figures from per-day aggregates equal the figures from the events (one code path),
and a refresh reads only what landed since the last one."""

from __future__ import annotations

import json
import sqlite3
import time

import psycopg
import pytest
from psycopg.types.json import Jsonb

from county import aggregate, ledger
from county.report import materialize
from hub.store import open_readonly
from report import county as county_view
from report.data import load
from report.figures import compute
from report.period import parse_period
from tests.report.conftest import DAY, DayPlayer, HandClock, play_day

PERIODS = [("month", "2026-11"), ("day", DAY), ("day", "2026-11-24"), ("week", DAY)]


def _closes(db_path: str, n: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with sqlite3.connect(db_path) as conn:
            if conn.execute("SELECT count(*) FROM events WHERE kind = 'day_closed'"
                            ).fetchone()[0] >= n:
                return
        time.sleep(0.05)
    raise AssertionError("the hub did not close the day")


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    """A hub's log of two test days (tests/report: transfers, skips, 差评 cases, close-outs)."""
    from hallsim.broker import start_broker
    from tests.conftest import EXAMPLE, RunningHub
    from wire.config import load_config

    cfg = load_config(EXAMPLE)
    folder = tmp_path_factory.mktemp("two-days")
    broker = start_broker(folder)
    clock = HandClock(cfg.tz, f"{DAY}T09:00:00+08:00")
    try:
        hub = RunningHub(cfg, folder / "hall.db", broker, clock)
        try:
            play_day(DayPlayer(hub, clock))
            for w in (1, 2, 4):  # the clerks go home; the next morning is the same day again
                DayPlayer(hub, clock).do("17:10", f"rater-{w}", "window.logout", window=w,
                                         staff=f"100{w}")
            clock.advance(days=1)
            play_day(DayPlayer(hub, clock))
            _closes(hub.db_path, 2)
        finally:
            hub.stop()
    finally:
        broker.stop()
    with sqlite3.connect(folder / "hall.db") as conn:
        (epoch,) = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        log = [(seq, at, kind, {k: v for k, v in json.loads(d).items() if not k.startswith("_")})
               for seq, at, kind, d in conn.execute(
                   "SELECT seq, at, kind, data FROM events ORDER BY seq")]
    return cfg, epoch, log, folder / "hall.db"


def _land(url: str, site: str, epoch: str, events: list) -> None:
    with ledger.connect(url) as conn:
        for seq, at, kind, data in events:
            conn.execute(ledger.INSERT_EVENT, (site, epoch, seq, at, kind, Jsonb(data)))
        last = events[-1][0]
        conn.execute("INSERT INTO site_epochs (site, epoch, contig, last_seq) VALUES "
                     "(%s, %s, %s, %s) ON CONFLICT (site, epoch) DO UPDATE SET contig = "
                     "excluded.contig, last_seq = excluded.last_seq", (site, epoch, last, last))
        conn.execute("INSERT INTO sites (site, epoch) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                     (site, epoch))


def _from_events(url: str, cfg, folder, period):
    """The figures as hall-report computes them from the events (the site's path)."""
    folder.mkdir(exist_ok=True)
    conn = open_readonly(materialize(url, cfg, str(folder)))
    try:
        return compute(load(conn, period), cfg).views, county_view.site_row(cfg, conn, period)
    finally:
        conn.close()


def _from_aggregates(url: str, cfg, period):
    with psycopg.connect(url) as conn:
        fig, _, _ = aggregate.figures(conn, cfg, period)
        return fig.views, aggregate.site_row(conn, cfg, period)


def test_figures_from_day_aggregates_equal_figures_from_events(two_days, county_db, tmp_path):
    cfg, epoch, log, _ = two_days
    _land(county_db, cfg.hall_id, epoch, log)
    with psycopg.connect(county_db) as conn:
        assert aggregate.refresh(conn, cfg, str(tmp_path / "cache")) is None
    for n, (kind, text) in enumerate(PERIODS):
        period = parse_period(kind, text)
        views, row = _from_events(county_db, cfg, tmp_path / f"scratch{n}", period)
        assert _from_aggregates(county_db, cfg, period) == (views, row), period
    month = _from_aggregates(county_db, cfg, parse_period("month", "2026-11"))[0]["hall"]
    assert month[cfg.hall_id]["served"] == 12 and month[cfg.hall_id]["bad"] == 4


def test_a_refresh_applies_only_what_landed_since_and_the_figures_stay_those_of_events(
        two_days, county_db, tmp_path):
    cfg, epoch, log, _ = two_days
    half = next(i for i, e in enumerate(log) if e[1].startswith("2026-11-24"))
    _land(county_db, cfg.hall_id, epoch, log[:half])
    cache = str(tmp_path / "cache")
    with psycopg.connect(county_db) as conn:
        assert aggregate.refresh(conn, cfg, cache) is None
    month = parse_period("month", "2026-11")
    first_day = _from_aggregates(county_db, cfg, month)
    _land(county_db, cfg.hall_id, epoch, log[half:])
    expected = _from_events(county_db, cfg, tmp_path / "scratch", month)
    with psycopg.connect(county_db) as conn:
        # the first day's events gone from the county (retention): the refresh never reads them
        conn.execute("DELETE FROM events WHERE seq <= %s", (log[half - 1][0],))
        conn.commit()
        assert aggregate.refresh(conn, cfg, cache) is None
        assert conn.execute("SELECT upto FROM agg_marks").fetchone()[0] == log[-1][0]
    again = _from_aggregates(county_db, cfg, month)
    assert again == expected and again != first_day


def test_hall_report_county_names_a_hole_and_reports_what_is_before_it(two_days, county_db,
                                                                       tmp_path, capsys):
    from county import report_cli as report
    from tests.conftest import EXAMPLE

    cfg, epoch, log, _ = two_days
    half = next(i for i, e in enumerate(log) if e[1].startswith("2026-11-24"))
    _land(county_db, cfg.hall_id, epoch, log[:half] + log[half + 1:])  # one event lost
    args = ["county", "--db", county_db, "--month", "2026-11", "--config", str(EXAMPLE),
            "--cache", str(tmp_path / "cache")]
    assert report.main(args) == 1
    out = capsys.readouterr().out
    assert f"{log[half][0]}" in out and cfg.hall_id in out
    _land(county_db, cfg.hall_id, epoch, [log[half]])  # it comes: the next run has it all
    assert report.main(args) == 0


def test_one_haochaping_export_holds_every_site_s_records_as_its_own_export(
        two_days, county_db, tmp_path, capsys):
    from county import report_cli as county_report
    from report import cli as report
    from tests.conftest import EXAMPLE

    from .parts import site_config

    cfg, epoch, log, hall_db = two_days
    other = site_config(tmp_path, "town-b")  # a second site with the same day's log
    _land(county_db, cfg.hall_id, epoch, log)
    _land(county_db, "town-b", epoch, log)
    configs = [str(EXAMPLE), str(tmp_path / "town-b.toml")]
    own = []
    for config in configs:
        assert report.main(["export", "--month", "2026-11", "--format", "jsonl", "--config",
                            config, "--db", str(hall_db)]) == 0
        own.append(capsys.readouterr().out)
    cache = str(tmp_path / "cache")
    both = [a for c in configs for a in ("--config", c)]
    assert county_report.main(["county-export", "--db", county_db, "--month", "2026-11", *both,
                        "--format", "jsonl", "--cache", cache]) == 0
    out = capsys.readouterr().out
    assert out == "".join(own) and len(out.splitlines()) == 2 * 8  # two sites, 4 a day
    assert {json.loads(line)["hall_id"] for line in out.splitlines()} == {"demo", other.hall_id}
    csv_file = tmp_path / "all.csv"
    assert county_report.main(["county-export", "--db", county_db, "--month", "2026-11", *both,
                        "--config", str(tmp_path / "town-b.toml").replace("town-b", "nope"),
                        "--format", "csv", "-o", str(csv_file), "--cache", cache]) == 2
    site_config(tmp_path, "town-c")  # a site the county never heard: named, the rest written
    assert county_report.main(["county-export", "--db", county_db, "--month", "2026-11", *both,
                        "--config", str(tmp_path / "town-c.toml"), "--format", "csv", "-o",
                        str(csv_file), "--cache", cache]) == 1
    assert "town-c" in capsys.readouterr().err
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("record_id,bjbh")
    assert len(text.splitlines()) == 1 + 2 * 8
