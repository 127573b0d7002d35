"""Commands that left the hub name where they went (issue 25 item 2): the hub imports no county."""

from hub import cli
from report import cli as report_cli


def test_hall_hub_restore_names_hall_county_restore(capsys):
    assert cli.main(["restore", "--from", "postgresql:///c", "--site", "demo"]) == 2
    assert "hall-county restore" in capsys.readouterr().err


def test_hall_report_on_a_county_database_names_hall_county_report(capsys):
    for argv in (["county", "--db", "postgresql:///c", "--config", "x.toml", "--day",
                  "2026-11-23"],
                 ["figures", "--config", "x.toml", "--db", "postgres:///c", "--day",
                  "2026-11-23"]):
        assert report_cli.main(argv) == 2
        assert "hall-county report" in capsys.readouterr().err
