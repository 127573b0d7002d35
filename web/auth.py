"""The console's users and sessions: PBKDF2 password hashes, session cookies, a CSRF token per
session, one use per action id (a replayed form does nothing) and a login rate limit.

Sessions are kept in a small file (mode 0600) when hall-web is given one, so a restart of
hall-web (an upgrade, the watchdog) never sends an open console back to the login. The login
limit counts failures per name *from one address* and per address: a guesser locks out only
itself, never the hall's manager at another desk."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ITERATIONS = 600_000
SESSION_S = 8 * 3600
LOGIN_TRIES = 5          # failed logins of one name from one address ...
ADDRESS_TRIES = 20       # ... or of any names from one address ...
LOGIN_WINDOW_S = 300     # ... within this many seconds before the next is refused
USED_KEEP = 500          # action ids remembered per session (replays come within seconds)
MAX_SESSIONS = 200
MAX_FAIL_KEYS = 10_000
log = logging.getLogger("hall-web")


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
    used: dict[str, None] = field(default_factory=dict)   # action ids done, oldest first


def login_keys(name: str, address: str) -> dict[str, int]:
    """The login limit's counters for ``name`` from ``address``, each with its allowance."""
    return {f"name:{name[:64]}@{address}": LOGIN_TRIES, f"addr:{address}": ADDRESS_TRIES}


class Sessions:
    """Sessions in memory, and in ``path`` (if given) so they outlive a restart."""

    def __init__(self, users, clock=time.time, path: str | Path | None = None):
        self.users = {u.name: u for u in users}
        self.clock = clock
        self.path = Path(path) if path else None
        self._by_id: dict[str, Session] = {}
        self._fails: dict[str, list[float]] = {}
        # a refused name still costs one hash, so a wrong name and a wrong password look alike
        self._dummy = hash_password("x", iterations=ITERATIONS)
        self._load()

    def _load(self) -> None:
        """The saved sessions whose user is still in the config (with the config's role)."""
        if self.path is None or not self.path.exists():
            return
        try:
            saved = json.loads(self.path.read_text())
            for sid, d in saved.items():
                user = self.users.get(d["user"])
                if user is not None and d["expires"] > self.clock():
                    self._by_id[sid] = Session(user.name, user.role, d["csrf"], d["expires"],
                                               dict.fromkeys(d.get("used", [])))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("console sessions in %s not read (%s): managers log in again",
                        self.path, exc)

    def save(self) -> None:
        """Write the sessions (0600, replaced atomically); a failure keeps them in memory."""
        if self.path is None:
            return
        data = {sid: asdict(s) | {"used": list(s.used)} for sid, s in self._by_id.items()}
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(data, f)
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("console sessions not saved to %s: %s", self.path, exc)

    def limited(self, name: str, address: str) -> bool:
        """Whether ``name`` from ``address`` has used up a login allowance for now."""
        now = self.clock()
        for key, allowed in login_keys(name, address).items():
            recent = [t for t in self._fails.get(key, []) if now - t < LOGIN_WINDOW_S]
            self._fails[key] = recent
            if len(recent) >= allowed:
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
            for key in login_keys(name, address):
                self._fails.setdefault(key, []).append(now)
            return None
        self._fails.pop(next(iter(login_keys(name, address))), None)
        self._expire()
        sid = secrets.token_urlsafe(32)
        self._by_id[sid] = Session(user.name, user.role, secrets.token_urlsafe(32),
                                   self.clock() + SESSION_S)
        self.save()
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
        if self._by_id.pop(sid or "", None) is not None:
            self.save()

    def use(self, session: Session, action_id: str) -> None:
        """Note ``action_id`` as done in ``session`` (kept across a restart)."""
        session.used[action_id] = None
        if len(session.used) > USED_KEEP:
            session.used = dict.fromkeys(list(session.used)[-USED_KEEP:])
        self.save()

    @staticmethod
    def csrf_ok(session: Session, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(session.csrf, token)
