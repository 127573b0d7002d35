"""The docs' settings key tables are the schemas': each marked table is what the schemas render,
every schema is documented, and every key a doc's TOML example shows is a key of its table
(tests/contracts/settings_docs.py; rewrite the tables with
``PYTHONPATH=$PWD python -m tests.contracts.settings_docs``)."""

from __future__ import annotations

import pytest

from tests.contracts.settings_docs import (
    Mark,
    all_marks,
    example_keys,
    marks,
    render,
    schema_classes,
)

SETTINGS_MODULES = ("wire.rules", "wire.hall_tables", "wire.bookingconfig", "wire.standby",
                    "wire.kaohe", "wire.month", "kiosk.settings", "kiosk.ticket",
                    "callboard.settings", "callboard.leds", "rater.settings")
MARKS = all_marks()


@pytest.mark.parametrize("mark", MARKS, ids=lambda m: f"{m.doc.name}:{m.headers[0]}")
def test_each_doc_table_is_what_its_schemas_say(mark: Mark):
    assert mark.body == render(mark), (
        f"{mark.doc.name}'s table of {mark.headers[0]} differs from its schemas: run "
        "PYTHONPATH=$PWD python -m tests.contracts.settings_docs")


def test_every_schema_has_a_doc_table():
    documented = {schema for m in MARKS for schema in m.schemas}
    missing = schema_classes(SETTINGS_MODULES) - documented
    assert not missing, f"schemas no doc table names: {sorted(map(str, missing))}"


def test_every_key_a_toml_example_shows_is_a_key_of_its_table():
    """A node's tables are looked up in its own page, the hall's in any page's tables."""
    bad = []
    docs = sorted({m.doc for m in MARKS} | {p for p in MARKS[0].doc.parent.glob("*.md")})
    for doc in docs:
        own = marks(doc)
        for header, name, line in example_keys(doc):
            pool = own if header.startswith("nodes.devices") else own + MARKS
            mark = next((m for m in pool if m.shows(header)), None)
            if mark is not None and name not in mark.names():
                bad.append(f"{doc.name}:{line}: [{header}] {name}")
    assert not bad, "keys the schemas do not know: " + "; ".join(bad)


def test_a_table_that_drifts_is_noticed():
    mark = next(m for m in MARKS if "queue" in m.headers)
    drifted = mark.body.replace("| `ratio_n` | `3` |", "| `ratio_n` | `4` |")
    assert drifted != mark.body and drifted != render(mark)
    assert len(MARKS) >= 20
