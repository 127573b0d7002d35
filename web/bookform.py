"""The booking pages' forms: a plain url-encoded POST carrying the CSRF token of the page's
cookie (double submit, SameSite=Strict), and the shape of the real-name form. The hub judges
the rest (the ID's GB 11643 checksum, the name rule, every limit: one place)."""

from __future__ import annotations

import re
import secrets

from starlette.requests import Request

from web import strings as S
from web.console import clean, read_form

B = S.BOOK
CSRF_COOKIE = "book_csrf"
MAX_FORM = 2048
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^1\d{10}$")


def csrf(request: Request) -> str:
    """This browser's CSRF token (a new one when it has none), kept on ``request.state``."""
    token = request.cookies.get(CSRF_COOKIE) or ""
    if not TOKEN_RE.fullmatch(token):
        token = secrets.token_urlsafe(24)
    request.state.csrf = token
    return token


async def read(request: Request) -> dict | None:
    """The url-encoded form when its CSRF field matches the cookie, else None."""
    fields = await read_form(request, MAX_FORM)
    if fields is None:
        return None
    cookie, sent = request.cookies.get(CSRF_COOKIE, ""), fields.get("csrf", "")
    if not cookie or not secrets.compare_digest(cookie.encode(), sent.encode()):
        return None
    return fields


def form_problem(values: dict, acknowledged: bool) -> str:
    """What is wrong with the real-name form ('' when nothing); the hub checks the ID's
    GB 11643 checksum, the one rule it keeps in one place."""
    if not clean(values):
        return S.BAD_CHARS
    if not 2 <= len(values["name"]) <= 30:
        return B["bad_name"]
    if not ID_RE.fullmatch(values["id_number"]):
        return B["bad_id"]
    if not PHONE_RE.fullmatch(values["phone"]):
        return B["bad_phone"]
    if not acknowledged:
        return B["not_ack"]
    return ""
