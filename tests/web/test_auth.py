"""Console users and sessions: salted PBKDF2, the login limit, session expiry and CSRF."""

from __future__ import annotations

from tests.helpers import FakeTime
from web.auth import (
    ADDRESS_TRIES,
    LOGIN_TRIES,
    LOGIN_WINDOW_S,
    SESSION_S,
    Sessions,
    check_password,
    hash_password,
)
from wire.config import WebUser


def users():
    return [WebUser("值班主任", "manager", hash_password("pw-1", iterations=100_000)),
            WebUser("督查", "viewer", hash_password("pw-2", iterations=100_000))]


def test_hashes_are_salted_and_checked():
    a, b = hash_password("same", iterations=100_000), hash_password("same", iterations=100_000)
    assert a != b and a.startswith("pbkdf2_sha256$100000$")
    assert check_password("same", a) and not check_password("Same", a)
    for bad in ("", "plain", "md5$1$00$00", "pbkdf2_sha256$x$00$00", "pbkdf2_sha256$1$zz$00"):
        assert not check_password("same", bad)


def test_login_limit_per_name_from_an_address_and_per_address_then_it_lifts():
    clock = FakeTime()
    s = Sessions(users(), clock)
    for _ in range(LOGIN_TRIES):
        assert s.login("值班主任", "wrong", "10.0.0.9") is None
    assert s.limited("值班主任", "10.0.0.9")      # that name from that address
    assert not s.limited("值班主任", "10.0.0.1")  # the manager at another desk is not locked out
    assert not s.limited("督查", "10.0.0.9")
    for n in range(ADDRESS_TRIES - LOGIN_TRIES):
        assert s.login(f"guess{n}", "wrong", "10.0.0.9") is None
    assert s.limited("督查", "10.0.0.9")          # the address, any name
    assert not s.limited("督查", "10.0.0.1")
    clock.advance(LOGIN_WINDOW_S + 1)
    assert not s.limited("值班主任", "10.0.0.9")
    assert s.login("值班主任", "pw-1", "10.0.0.9") is not None


def test_sessions_outlive_a_restart_in_their_file(tmp_path):
    clock = FakeTime()
    path = tmp_path / "sessions.json"
    s = Sessions(users(), clock, path)
    sid = s.login("值班主任", "pw-1", "a")
    s.use(s.get(sid), "action-0001")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = Sessions(users(), clock, path)
    session = again.get(sid)
    assert session.user == "值班主任" and session.csrf == s.get(sid).csrf
    assert "action-0001" in session.used   # a replay after the restart is still refused
    again.logout(sid)
    assert Sessions(users(), clock, path).get(sid) is None
    path.write_text("{not json")
    assert Sessions(users(), clock, path).get(sid) is None  # unreadable: log in again


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
