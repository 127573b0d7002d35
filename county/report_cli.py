"""``hall-county report …``: hall-report's commands on the county's database (``figures`` and
``export`` of one site with ``--db postgresql://…``, ``county`` and ``county-export`` of all
sites). The report code is the site's (report/cli.py); the county hands it its readers, so the
reports import no county and the arrow runs one way."""

from __future__ import annotations

from county import report as readers
from report import cli


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, county=readers, prog="hall-county report")
