"""hall.toml's [maintenance] (wire.month): the nightly upkeep's backup folder and how many
backups it keeps; each mistake is named with its key."""

from __future__ import annotations

import tomllib

import pytest

from tests.conftest import EXAMPLE
from wire.config import ConfigError, load_config, parse_config


def parse(extra: str):
    return parse_config(tomllib.loads(EXAMPLE.read_text(encoding="utf-8") + extra), "hall.toml")


def test_absent_is_no_backup_and_seven_kept():
    m = parse("").month.maintenance
    assert (m.backup_dir, m.keep) == (None, 7)


def test_a_relative_backup_folder_is_taken_from_the_config_files_folder(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8")
                    + '\n[maintenance]\nbackup_dir = "backups"\nkeep = 3\n', encoding="utf-8")
    m = load_config(path).month.maintenance
    assert (m.backup_dir, m.keep) == (str(tmp_path / "backups"), 3)


@pytest.mark.parametrize("section, message", [
    ('keep = 0', "maintenance.keep"),
    ('keep = 400', "maintenance.keep"),
    ('backup_dir = "  "', "maintenance.backup_dir: must name a folder"),
    ('kep = 3', "did you mean 'keep'"),
    ('backup_dir = 3', "maintenance.backup_dir"),
])
def test_each_mistake_is_named(section, message):
    with pytest.raises(ConfigError, match=message):
        parse(f"\n[maintenance]\n{section}\n")
