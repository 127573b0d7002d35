"""Typed reading of a request's ``args`` and the personal-data helpers (resident ID, phone).

Every problem raises ``BadRequest`` naming the argument; nothing here touches engine state.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime

from wire.contract import BadRequest

_MISSING = object()
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: index = weighted sum mod 11
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


class Args:
    """The ``args`` object of one request; each getter checks one argument's type and range.
    :meth:`done` rejects any argument no getter read, so a misspelt key fails loudly."""

    def __init__(self, args: object):
        if not isinstance(args, dict):
            raise BadRequest(f"args must be an object, got {type(args).__name__}")
        self.data = args
        self._read: set[str] = set()

    def _get(self, key: str, required: bool) -> object:
        self._read.add(key)
        value = self.data.get(key, _MISSING)
        if value is None and not required:
            return _MISSING
        if value is _MISSING and required:
            raise BadRequest(f"args.{key} is required")
        return value

    def str(self, key: str, required: bool = True, choices: tuple[str, ...] | None = None,
            max_len: int = 64) -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(f"args.{key} must be a non-empty string, got {value!r}")
        if len(value) > max_len:
            raise BadRequest(f"args.{key} is longer than {max_len} characters")
        if choices is not None and value not in choices:
            raise BadRequest(f"args.{key} must be one of {', '.join(choices)}, got {value!r}")
        return value

    def int(self, key: str, required: bool = True, min: int | None = None,
            max: int | None = None) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        # bool is an int to Python but never a number on the wire
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadRequest(f"args.{key} must be an integer, got {value!r}")
        if (min is not None and value < min) or (max is not None and value > max):
            raise BadRequest(f"args.{key} must be between {min} and {max}, got {value}")
        return value

    def str_list(self, key: str, max_items: int = 10, max_len: int = 32) -> list[str]:
        value = self._get(key, False)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or len(value) > max_items:
            raise BadRequest(f"args.{key} must be a list of at most {max_items} strings")
        for item in value:
            if not isinstance(item, str) or not item.strip() or len(item) > max_len:
                raise BadRequest(f"args.{key} items must be non-empty strings, got {item!r}")
        return list(value)

    def datetime(self, key: str, tz, required: bool = True) -> datetime | None:
        text = self.str(key, required=required, max_len=40)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"args.{key} must be an ISO 8601 time, got {text!r}") from None
        if value.tzinfo is None:
            raise BadRequest(f"args.{key} needs a UTC offset, got {text!r}")
        return value.astimezone(tz)

    def done(self) -> None:
        """Reject arguments the op does not take."""
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            raise BadRequest(f"unknown args: {', '.join(map(str, unknown))}")


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def check_id_no(text: str) -> str:
    """A valid 18-character resident ID number (upper-case X), or BadRequest.

    The message never repeats the number: it could reach a log line.
    """
    value = text.strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise BadRequest("args.id_no must be an 18-character resident ID number")
    if not value.isascii():
        raise BadRequest("args.id_no must be an 18-character resident ID number")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise BadRequest("args.id_no has an impossible birth date") from None
    if id_check_char(value[:17]) != value[17]:
        raise BadRequest("args.id_no check digit is wrong")
    return value


def id_hash(key: bytes, id_no: str) -> str:
    """The keyed hash the hub keeps instead of the ID number."""
    return hmac.new(key, id_no.encode("ascii"), hashlib.sha256).hexdigest()


def is_clock(text: object) -> bool:
    """Whether ``text`` is a time of day ``HH:MM`` from 00:00 to 23:59."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":" \
            or not (text[:2] + text[3:]).isdigit():
        return False
    return int(text[:2]) <= 23 and int(text[3:]) <= 59


def phone_hash(key: bytes, phone: str) -> str:
    """The keyed hash the hub keeps instead of a (checked) phone number."""
    return hmac.new(key, b"phone:" + phone.encode(), hashlib.sha256).hexdigest()


def mask_id(id_no: str) -> str:
    """``6101**********1234``: first four and last four characters."""
    return id_no[:4] + "*" * 10 + id_no[-4:]


def check_phone(text: str) -> str:
    """A mainland mobile (11 digits) or landline number, or BadRequest (number not echoed)."""
    value = text.strip()
    if not _PHONE.fullmatch(value) or not value.isascii():
        raise BadRequest("args.phone must be a mobile or landline number")
    return value
