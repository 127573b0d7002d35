"""The county machine's unit runs hall-county with options it takes; hall-county says clearly
what is wrong with its arguments."""

from __future__ import annotations

import shlex

from county import cli
from deploy import paths

UNIT = paths.SYSTEMD / "county" / "hallstack-county.service"


def test_the_unit_runs_hall_county_with_its_options(county_db, capsys):
    lines = [line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(lines[0].partition("=")[2])
    assert argv[0] == f"{paths.VENV_BIN}/hall-county"
    env = {"${HALL_BROKER}": "mqtt://127.0.0.1:1", "${HALL_COUNTY_DB}": county_db}
    args = [env.get(a, a) for a in argv[1:]]
    assert args[0] == "run"
    # the same options with `status`: parsed, the database reached, no site behind
    assert cli.main(["status", *args[1:]]) == 0
    assert "site" in capsys.readouterr().out
    assert "RestartPreventExitStatus=2" in UNIT.read_text()


def test_bad_arguments_exit_2_with_one_line(capsys):
    assert cli.main(["run", "--db", "sqlite:///x.db"]) == 2
    assert "postgresql://" in capsys.readouterr().err
    assert cli.main(["status", "--db", "postgresql://nobody@/x?host=/nonexistent"]) == 2
    assert "county database" in capsys.readouterr().err
