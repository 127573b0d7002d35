"""The county collector: every site's event log landed once in PostgreSQL (docs/county.md)."""
