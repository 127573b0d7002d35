"""hall-twin on the command line: the side-by-side table in Chinese, JSON for tools, and bad
input refused with a clear error and exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from twin.cli import main

ROOT = Path(__file__).resolve().parents[2]

CONFIG = str(ROOT / "examples" / "hall.toml")


def twin(*args: str) -> list[str]:
    return ["--config", CONFIG, *args]


def test_the_table_puts_the_day_and_the_alternative_side_by_side(recorded_db, capsys):
    assert main(twin("--db", recorded_db, "--day", "2026-11-23", "--staff", "9-12=+1")) == 0
    out = capsys.readouterr().out
    for head in ("方案", "下班未办", "最长等候(分)", "P90等候(分)", "超时等候", "估计满意率"):
        assert head in out
    assert "当日实际" in out and "孪生复现" in out and "备选方案: --staff 9-12=+1" in out


def test_json_for_tools(recorded_db, capsys):
    assert main(twin("--db", recorded_db, "--day", "2026-11-23", "--balance", "preference",
                     "--json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in doc["runs"]] == ["recorded", "replay", "alternative"]
    assert doc["runs"][2]["scenario"] == "--balance preference"
    assert doc["runs"][0]["figures"]["issued"] == 420


def test_a_missing_database_is_refused(tmp_path, capsys):
    assert main(twin("--db", str(tmp_path / "none.db"), "--day", "2026-11-23")) == 2
    assert "no hub database" in capsys.readouterr().err


def test_a_day_not_in_the_log_is_refused(recorded_db, capsys):
    assert main(twin("--db", recorded_db, "--day", "2026-11-24")) == 2
    assert "no tickets on 2026-11-24" in capsys.readouterr().err


def test_a_bad_staffing_option_is_refused(recorded_db, capsys):
    assert main(twin("--db", recorded_db, "--day", "2026-11-23", "--staff", "9-12=Z+1")) == 2
    assert "unknown service 'Z'" in capsys.readouterr().err


def test_an_unknown_option_exits_non_zero(recorded_db):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "twin.cli", *twin(
        "--db", recorded_db, "--day", "2026-11-23", "--windows-more", "2")],
        capture_output=True, text=True, env=env, timeout=50)
    assert done.returncode == 2
    assert "unrecognized arguments: --windows-more" in done.stderr


def test_a_file_that_is_no_hub_database_is_refused(tmp_path, capsys):
    other = tmp_path / "notes.db"
    other.write_text("not a database\n" * 100)
    assert main(twin("--db", str(other), "--day", "2026-11-23")) == 2
    assert "is not a hub database" in capsys.readouterr().err
