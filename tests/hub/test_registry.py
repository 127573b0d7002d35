"""One op registry: hub.contract.OP_ROLES says who may call each op, the engine's HANDLERS (and
hub.followups for follow-up ops) how it is done; the two name exactly the same ops."""

from __future__ import annotations

from hub import followups, replay
from hub.contract import ERROR_CODES, OP_ROLES, HubError, error_from_wire
from hub.engine.engine import HANDLERS


def test_every_op_has_roles_and_exactly_one_handler():
    handled = set(HANDLERS) | set(followups.FOLLOWUP_OPS) | set(replay.REPLAY_OPS)
    assert set(HANDLERS).isdisjoint(followups.FOLLOWUP_OPS)
    assert set(replay.REPLAY_OPS).isdisjoint(set(HANDLERS) | set(followups.FOLLOWUP_OPS))
    assert handled == set(OP_ROLES)
    assert all(OP_ROLES[op] for op in OP_ROLES)


def test_every_error_code_comes_back_as_its_own_class():
    for code in ERROR_CODES:
        err = error_from_wire({"code": code, "message": "m"})
        assert isinstance(err, HubError) and err.code == code


def test_every_event_kind_the_engine_applies_is_in_the_contract():
    from hub.contract import EVENT_KINDS
    from hub.engine.state import EngineState

    applied = {name[4:] for name in dir(EngineState) if name.startswith("_on_")}
    assert applied <= set(EVENT_KINDS)
