"""hall-report: the hall's figures, 差评 follow-up and the 好差评 export, read from the hub's
SQLite file without writing to it (docs/reports.md)."""
