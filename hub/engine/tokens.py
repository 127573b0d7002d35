"""The ticket page's token: an HMAC of the ticket id with a per-hall secret, so that the QR on a
ticket opens that ticket's page and nothing built from a number, a date or a hall does.

The secret is derived from the hall's ``id_key`` (kept in the database's meta) under its own
label, so it is per hall, survives restarts and is never the key that hashes ID numbers.
"""

from __future__ import annotations

# the token rule itself is wire/tokens.py (hall-web recognises past tickets by it too)
from wire.tokens import TOKEN_BYTES, TOKEN_RE, is_token, ticket_token, token_key

__all__ = ["TOKEN_BYTES", "TOKEN_RE", "TokenIndex", "is_token", "ticket_token", "token_key"]


class TokenIndex:
    """Tokens of the tickets in memory, worked out once per ticket (the lookup op's index)."""

    def __init__(self, id_key: bytes):
        self.key = token_key(id_key)
        self._of: dict[str, str] = {}   # ticket_id -> token
        self._to: dict[str, str] = {}   # token -> ticket_id

    def __eq__(self, other: object) -> bool:
        # a cache: two states are equal whatever each has worked out so far
        return isinstance(other, TokenIndex) and other.key == self.key

    __hash__ = None  # type: ignore[assignment]

    def token(self, ticket_id: str) -> str:
        tok = self._of.get(ticket_id)
        if tok is None:
            tok = self._of[ticket_id] = ticket_token(self.key, ticket_id)
            self._to[tok] = ticket_id
        return tok

    def ticket_id(self, token: str, ticket_ids) -> str | None:
        """The ticket id among ``ticket_ids`` (those in memory) whose token is ``token``."""
        if token not in self._to:
            for tid in ticket_ids:
                if tid not in self._of:
                    self.token(tid)
        tid = self._to.get(token)
        return tid if tid is not None and tid in ticket_ids else None
