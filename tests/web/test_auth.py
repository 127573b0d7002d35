"""Console users and sessions: salted PBKDF2, the login limit, session expiry and CSRF."""

from __future__ import annotations

from hub.config import WebUser
from tests.helpers import FakeTime
from web.auth import (
    LOGIN_TRIES,
    LOGIN_WINDOW_S,
    SESSION_S,
    Sessions,
    check_password,
    hash_password,
)


def users():
    return [WebUser("值班主任", "manager", hash_password("pw-1", iterations=100_000)),
            WebUser("督查", "viewer", hash_password("pw-2", iterations=100_000))]


def test_hashes_are_salted_and_checked():
    a, b = hash_password("same", iterations=100_000), hash_password("same", iterations=100_000)
    assert a != b and a.startswith("pbkdf2_sha256$100000$")
    assert check_password("same", a) and not check_password("Same", a)
    for bad in ("", "plain", "md5$1$00$00", "pbkdf2_sha256$x$00$00", "pbkdf2_sha256$1$zz$00"):
        assert not check_password("same", bad)


def test_login_limit_per_name_and_address_then_it_lifts():
    clock = FakeTime()
    s = Sessions(users(), clock)
    for _ in range(LOGIN_TRIES):
        assert s.login("值班主任", "wrong", "10.0.0.9") is None
    assert s.limited("user:值班主任", "addr:10.0.0.1")   # the name, from anywhere
    assert s.limited("user:督查", "addr:10.0.0.9")       # the address, any name
    assert not s.limited("user:督查", "addr:10.0.0.1")
    clock.advance(LOGIN_WINDOW_S + 1)
    assert not s.limited("user:值班主任", "addr:10.0.0.9")
    assert s.login("值班主任", "pw-1", "10.0.0.9") is not None


def test_sessions_expire_and_carry_a_csrf_token():
    clock = FakeTime()
    s = Sessions(users(), clock)
    assert s.login("nobody", "pw-1", "a") is None
    sid = s.login("督查", "pw-2", "a")
    session = s.get(sid)
    assert session.role == "viewer" and len(session.csrf) >= 32
    assert Sessions.csrf_ok(session, session.csrf)
    assert not Sessions.csrf_ok(session, "x") and not Sessions.csrf_ok(session, None)
    assert s.get("forged") is None and s.get(None) is None
    clock.advance(SESSION_S + 1)
    assert s.get(sid) is None
    sid = s.login("督查", "pw-2", "a")
    s.logout(sid)
    assert s.get(sid) is None
