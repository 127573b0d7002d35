"""The console's users and sessions: PBKDF2 password hashes, session cookies, a CSRF token per
session, one use per action id (a replayed form does nothing) and a login rate limit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

ITERATIONS = 600_000
SESSION_S = 8 * 3600
LOGIN_TRIES = 5          # failed logins per name and per address ...
LOGIN_WINDOW_S = 300     # ... within this many seconds before the next is refused
MAX_SESSIONS = 200
MAX_FAIL_KEYS = 10_000


def hash_password(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``pbkdf2_sha256$iterations$salt_hex$hash_hex`` for the hall config."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt),
                                  int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


@dataclass
class Session:
    user: str
    role: str
    csrf: str
    expires: float
    used: set[str] = field(default_factory=set)   # action ids already done


class Sessions:
    """Sessions in memory (a restart logs everyone out, which a hall can live with)."""

    def __init__(self, users, clock=time.monotonic):
        self.users = {u.name: u for u in users}
        self.clock = clock
        self._by_id: dict[str, Session] = {}
        self._fails: dict[str, list[float]] = {}
        # a refused name still costs one hash, so a wrong name and a wrong password look alike
        self._dummy = hash_password("x", iterations=ITERATIONS)

    def limited(self, *keys: str) -> bool:
        now = self.clock()
        for key in keys:
            recent = [t for t in self._fails.get(key, []) if now - t < LOGIN_WINDOW_S]
            self._fails[key] = recent
            if len(recent) >= LOGIN_TRIES:
                return True
        return False

    def login(self, name: str, password: str, address: str) -> str | None:
        """A new session id, or None (wrong name or password, or rate-limited: see limited)."""
        user = self.users.get(name)
        ok = check_password(password, user.password if user else self._dummy) and user is not None
        if not ok:
            now = self.clock()
            if len(self._fails) > MAX_FAIL_KEYS:  # many names tried: forget the stale ones
                self._fails = {k: v for k, v in self._fails.items()
                               if v and now - v[-1] < LOGIN_WINDOW_S}
            for key in (f"user:{name[:64]}", f"addr:{address}"):
                self._fails.setdefault(key, []).append(now)
            return None
        self._fails.pop(f"user:{name}", None)
        self._expire()
        sid = secrets.token_urlsafe(32)
        self._by_id[sid] = Session(user.name, user.role, secrets.token_urlsafe(32),
                                   self.clock() + SESSION_S)
        return sid

    def _expire(self) -> None:
        now = self.clock()
        for sid in [s for s, v in self._by_id.items() if v.expires < now]:
            del self._by_id[sid]
        while len(self._by_id) >= MAX_SESSIONS:
            del self._by_id[min(self._by_id, key=lambda s: self._by_id[s].expires)]

    def get(self, sid: str | None) -> Session | None:
        s = self._by_id.get(sid or "")
        if s is None or s.expires < self.clock():
            return None
        return s

    def logout(self, sid: str | None) -> None:
        self._by_id.pop(sid or "", None)

    @staticmethod
    def csrf_ok(session: Session, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(session.csrf, token)
