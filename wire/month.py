"""The month's sections of hall.toml: ``[kaohe]`` (wire/kaohe.py) and ``[maintenance]``, the
hub's nightly upkeep (docs/month.md): read by one reader so that HallConfig gains one field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wire.kaohe import KaoheRules, read_kaohe
from wire.schema import key, read
from wire.section import Section


@dataclass(frozen=True)
class Maintenance:
    """``[maintenance]``: ``backup_dir`` (a second medium; None: no backup, only the checkpoint
    and the integrity check) and ``keep`` (nightly backups kept there, oldest removed first)."""

    backup_dir: str | None = key(None)
    keep: int = key(7, min=1, max=366)


@dataclass(frozen=True)
class MonthRules:
    kaohe: KaoheRules = field(default_factory=KaoheRules)
    maintenance: Maintenance = Maintenance()


def read_month(top: Section) -> MonthRules:
    """``[kaohe]`` and ``[maintenance]`` of the whole file ``top``; a relative ``backup_dir``
    is taken from the config file's folder."""
    kaohe = read_kaohe(top.table("kaohe"))
    section = top.table("maintenance")
    m = read(Maintenance, section)
    backup = m.backup_dir
    if backup is not None:
        if not backup.strip():
            section.fail("must name a folder", "backup_dir")
        if not Path(backup).is_absolute() and Path(top.source).parent.is_dir():
            backup = str(Path(top.source).parent / backup)
    return MonthRules(kaohe, Maintenance(backup, m.keep))
