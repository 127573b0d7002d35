"""The ``FF 68 L L 68 ADDR FUNC DATA… CS 16`` caller/rater frame: encoder and frame hunter.

Frame layout (docs/legacy-ff68.md)::

    FF 68 | L | L | 68 | ADDR | FUNC | DATA… | CS | 16
    L  = 2 + len(DATA)           (counts ADDR, FUNC and DATA; sent twice)
    CS = (ADDR + FUNC + ΣDATA) mod 256

:func:`scan` answers Klipper-style: need more bytes, a whole frame of n bytes, or skip n bytes
to the next possible sync, with the reason so the bus can count what it rejects.
"""

from __future__ import annotations

from dataclasses import dataclass

SYNC = b"\xff\x68"
START2 = 0x68
END = 0x16
BLANK = 0x0A  # a dark 7-segment digit

FUNC_RATING = 0x11  # unit → host: a rating key
FUNC_RATING_ACK = 0x01  # host → unit: the acknowledgement of a rating frame
FUNC_DISPLAY = 0x02  # host → unit: 7-segment digits (6 bytes) or rater display mode (1 byte)
FUNC_INVITE = 0x01  # host → unit: with DATA 0x0B, start a rating invitation
FUNC_BEEP = 0x03
INVITE_CODE = 0x0B

#: L limits. A unit sends 1–3 DATA bytes; the host sends up to 6 (the display digits).
INBOUND_L = (3, 5)
OUTBOUND_L = (2, 8)
ANY_L = (2, 8)

#: Reasons :func:`scan` gives for skipping bytes; the bus counts each under its name.
NOISE = "noise"
BAD_LENGTH = "bad_length"
BAD_CHECKSUM = "bad_checksum"
BAD_END = "bad_end"


@dataclass(frozen=True)
class Frame:
    """One decoded frame."""

    addr: int
    func: int
    data: bytes

    @property
    def is_rating(self) -> bool:
        return self.func == FUNC_RATING

    def encode(self) -> bytes:
        return encode(self.addr, self.func, self.data)


@dataclass(frozen=True)
class Verdict:
    """What :func:`scan` found at the start of a buffer.

    ``n == 0``: need more bytes; ``n > 0``: a whole frame of ``n`` bytes (``frame`` set);
    ``n < 0``: skip ``-n`` bytes, ``reason`` says why (noise or a rejected frame).
    """

    n: int
    reason: str | None = None
    frame: Frame | None = None


def checksum(addr: int, func: int, data: bytes) -> int:
    return (addr + func + sum(data)) & 0xFF


def encode(addr: int, func: int, data: bytes = b"") -> bytes:
    """Return the frame bytes; ValueError for an out-of-range field or too much data."""
    for name, value in (("addr", addr), ("func", func)):
        if not isinstance(value, int) or not 0 <= value <= 0xFF:
            raise ValueError(f"{name} must be a byte 0–255, got {value!r}")
    data = bytes(data)
    length = 2 + len(data)
    if length > OUTBOUND_L[1]:
        raise ValueError(f"at most {OUTBOUND_L[1] - 2} data bytes, got {len(data)}")
    return (
        SYNC + bytes((length, length, START2, addr, func)) + data
        + bytes((checksum(addr, func, data), END))
    )


def _skip_to_sync(buf: bytes, start: int = 1) -> int:
    """Bytes to drop so that ``buf`` starts at the next 0xFF after ``start`` (or is empty)."""
    nxt = buf.find(0xFF, start)
    return nxt if nxt > 0 else len(buf)


def scan(buf: bytes, limits: tuple[int, int] = INBOUND_L) -> Verdict:
    """Look at the start of ``buf``: need more, a whole frame, or skip to the next sync.

    ``limits`` bounds L: :data:`INBOUND_L` for frames from units (the host's view),
    :data:`OUTBOUND_L` for the host's frames (a unit's view), :data:`ANY_L` for a listener.
    """
    if not buf:
        return Verdict(0)
    if buf[0] != 0xFF:
        return Verdict(-_skip_to_sync(buf, 0), NOISE)
    if len(buf) < 2:
        return Verdict(0)
    if buf[1] != START2:
        return Verdict(-_skip_to_sync(buf), NOISE)
    # Reject a bad header as soon as its bytes are in: a noise burst must not make us wait.
    if len(buf) >= 3 and not limits[0] <= buf[2] <= limits[1]:
        return Verdict(-_skip_to_sync(buf), BAD_LENGTH)
    if len(buf) >= 4 and buf[3] != buf[2]:
        return Verdict(-_skip_to_sync(buf), BAD_LENGTH)
    if len(buf) >= 5 and buf[4] != START2:
        return Verdict(-_skip_to_sync(buf), BAD_LENGTH)
    if len(buf) < 5:
        return Verdict(0)
    length = buf[2]
    total = length + 7
    if len(buf) < total:
        return Verdict(0)
    addr, func = buf[5], buf[6]
    data = bytes(buf[7:5 + length])
    if buf[total - 1] != END:
        return Verdict(-_skip_to_sync(buf), BAD_END)
    if buf[total - 2] != checksum(addr, func, data):
        return Verdict(-_skip_to_sync(buf), BAD_CHECKSUM)
    return Verdict(total, None, Frame(addr, func, data))


def check(buf: bytes, limits: tuple[int, int] = INBOUND_L) -> int:
    """``0`` need more, ``n`` a frame of n bytes, ``-n`` skip n bytes (see :func:`scan`)."""
    return scan(buf, limits).n


def decode(raw: bytes, limits: tuple[int, int] = ANY_L) -> Frame:
    """Decode exactly one whole frame; ValueError naming the fault otherwise."""
    verdict = scan(raw, limits)
    if verdict.n != len(raw) or verdict.frame is None:
        raise ValueError(f"not one whole FF68 frame ({verdict.reason or 'incomplete'}): "
                         f"{raw.hex(' ')}")
    return verdict.frame


def ack_for(frame: Frame) -> bytes:
    """The acknowledgement the host owes a unit frame.

    A key frame is echoed byte for byte; a rating frame is answered with FUNC 0x01, the same
    DATA[0] and therefore CS − 0x10.
    """
    if frame.is_rating:
        return encode(frame.addr, FUNC_RATING_ACK, frame.data[:1])
    return frame.encode()


def ticket_digits(no: str) -> bytes:
    """The caller's 6 display bytes for ticket ``no``: ``0A 0A 0A d1 d2 d3`` (last 3 digits).

    The letter does not fit on the 7-segment display. ValueError when ``no`` has no digits.
    """
    if not isinstance(no, str):
        raise ValueError(f"ticket number must be a string, got {no!r}")
    tail = ""
    for ch in reversed(no.strip()):
        if not ch.isascii() or not ch.isdigit():
            break
        tail = ch + tail
    if not tail:
        raise ValueError(f"ticket number {no!r} does not end in digits")
    tail = tail[-3:]
    digits = [BLANK] * (3 - len(tail)) + [int(c) for c in tail]
    return bytes([BLANK, BLANK, BLANK] + digits)


def waiting_digits(count: int) -> bytes:
    """The caller's 6 display bytes for a waiting count: ``w1 w2 w3 0A 0A 0A``, capped at 999."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"waiting count must be an integer ≥ 0, got {count!r}")
    text = f"{min(count, 999):03d}"
    return bytes([int(c) for c in text] + [BLANK, BLANK, BLANK])


def digits_text(data: bytes) -> str:
    """Render 7-segment display bytes as text, a blank digit as a space (for emulators, logs)."""
    return "".join(" " if b == BLANK else (str(b) if b <= 9 else "?") for b in data)
