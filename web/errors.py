"""What a person is told when the hub refuses or does not answer: always Chinese.

The hub's refusals for people (no_skill, conflict, closed …) already carry a zh-CN message; a
few checks of the wire contract answer in English for developers (``args.x must be …``), and the
client's own timeout is English. Those are replaced by the code's Chinese text here, in one
place for the ticket page and the console."""

from __future__ import annotations

import re

from web import strings as S
from wire.client import HubUnreachable

_CJK = re.compile(r"[\u4e00-\u9fff]")


def message(exc: Exception, away: str = S.HUB_NO_ANSWER) -> str:
    """The Chinese sentence for ``exc`` (a HubError or HubUnreachable: ``away``)."""
    if isinstance(exc, HubUnreachable):
        return away
    text = getattr(exc, "message", "")
    if isinstance(text, str) and _CJK.search(text):
        return text
    return S.HUB_REFUSED.get(getattr(exc, "code", ""), S.HUB_REFUSED["bad_request"])


def code(exc: Exception) -> str:
    return "unreachable" if isinstance(exc, HubUnreachable) else getattr(exc, "code", "internal")


def status(exc: Exception) -> int:
    """The HTTP status of a refusal: 503 for no answer, else by the hub's code."""
    if isinstance(exc, HubUnreachable):
        return 503
    return {"no_ticket": 404, "conflict": 409, "forbidden": 403, "unavailable": 503,
            "internal": 500}.get(getattr(exc, "code", ""), 400)
