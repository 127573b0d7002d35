"""One op registry (hub.ops): every op once, with its roles, whether it is a read, its
rate-limit class and its handler; docs/node-api.md's role table says the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub import ops
from wire.contract import ERROR_CODES, Forbidden, HubError, UnknownOp, error_from_wire

DOC = Path(__file__).resolve().parents[2] / "docs" / "node-api.md"


def doc_table() -> dict[str, dict]:
    """The rows of docs/node-api.md's "Ops and who may call them" table."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Ops and who may call them", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`") and cells[0] != "`op`":
            rows[cells[0].strip("`")] = {
                "roles": tuple(r.strip() for r in cells[1].split(",")),
                "read": cells[2] == "read", "rate": cells[3].strip("`"),
                "own_window": cells[4] == "own window"}
    return rows


def test_the_doc_table_is_the_registry():
    want = {op.name: {"roles": op.roles, "read": op.read, "rate": op.rate,
                      "own_window": op.own_window} for op in ops.OPS.values()}
    assert doc_table() == want


def test_every_op_has_roles_a_rate_class_and_a_handler():
    for op in ops.OPS.values():
        assert op.roles and callable(op.handler) and op.rate in ops.RATE_CLASSES
        assert op.room in (ops.ENGINE, ops.FOLLOWUPS, ops.REPLAY)


def test_authorize_is_the_one_check():
    assert ops.authorize("ticket.take", "kiosk").name == "ticket.take"
    assert ops.authorize("ticket.take", "system").name == "ticket.take"
    with pytest.raises(Forbidden):
        ops.authorize("ticket.take", "callboard")
    for junk in ("ticket.nope", "", None, 3):
        with pytest.raises(UnknownOp):
            ops.authorize(junk, "admin")


def test_every_error_code_comes_back_as_its_own_class():
    for code in ERROR_CODES:
        err = error_from_wire({"code": code, "message": "m"})
        assert isinstance(err, HubError) and err.code == code


def test_every_error_code_is_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    assert set(ERROR_CODES) <= set(re.findall(r"`([a-z_]+)`", text))


def test_every_event_kind_the_engine_applies_is_in_the_contract():
    from hub.engine.state import EngineState
    from wire.contract import EVENT_KINDS

    applied = {name[4:] for name in dir(EngineState) if name.startswith("_on_")}
    assert applied <= set(EVENT_KINDS)


def test_the_doc_rate_table_is_the_registry():
    text = DOC.read_text(encoding="utf-8").split("## Rate limits", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = ops.RateLimit(int(cells[1]), float(cells[2]), cells[3])
    assert rows == ops.RATE_CLASSES


def test_own_window_says_what_the_handlers_do(hall_config):
    """Every op a rater may call that names a window says ``own_window``, and then another
    window is refused (hub.engine.windows.window_arg, the one place the rule is checked)."""
    from datetime import datetime

    from hub.engine import Context, QueueEngine

    engine = QueueEngine(hall_config, b"registry-test-key-0123456789abcdef")
    at = datetime(2026, 11, 23, 10, 0, tzinfo=hall_config.tz)
    rater_1 = Context("rater-1", "rater", 1, at)
    for op in ops.OPS.values():
        if "rater" not in op.roles:
            continue
        try:
            ops.decide(op.name, {"window": 2}, rater_1, engine=engine)
        except Forbidden:
            assert op.own_window, f"{op.name} refuses another window but does not say so"
        except HubError:
            assert not op.own_window, f"{op.name} says own_window but let window 2 through"
        else:
            raise AssertionError(f"{op.name} acted for rater-1 on window 2")
