"""The ESC/POS commands hallstack sends, and Chinese text encoding done by hallstack itself.

python-escpos's automatic encoding misprints full-width punctuation on Chinese firmware (DESIGN
§9), so text goes out as strict GBK after ``FS &``; a character GBK lacks is an error, not ``?``.
"""

from __future__ import annotations

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"

INIT = ESC + b"@"            # ESC @: reset the printer's modes
CHINESE_ON = FS + b"&"       # FS &: two-byte (GBK) characters
CHINESE_OFF = FS + b"."      # FS .: single-byte code page
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
BOLD = {True: ESC + b"E\x01", False: ESC + b"E\x00"}
CUT_FULL = GS + b"V\x00"

# Characters Chinese receipts write whose usual code points GBK lacks or that misprint.
_SUBSTITUTES = str.maketrans({
    "¥": "￥", "\u00a0": " ", "\u2014": "—", "\u2212": "－", "\u301c": "～", "\u2022": "·",
})


class EncodeError(ValueError):
    """Text holds a character the printer's GBK font cannot print."""


def size(width: int, height: int) -> bytes:
    """``GS !``: character size, each factor 1–8 (Chinese firmware ignores ``ESC !``)."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError(f"size factors must be 1–8, got {width}×{height}")
    return GS + b"!" + bytes([(width - 1) << 4 | (height - 1)])


def encode_text(text: str) -> bytes:
    """``text`` as GBK for a printer in Chinese mode; EncodeError names an unprintable char.

    Control characters other than LF are refused: in a printer they would be commands.
    """
    text = text.translate(_SUBSTITUTES)
    for ch in text:
        if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F:
            raise EncodeError(f"control character U+{ord(ch):04X} in printed text")
        if ch == "€":  # Python's GBK gives it the single byte 0x80, which printers lack
            raise EncodeError("character '€' (U+20AC) is not in the printer's GBK font")
    try:
        return text.encode("gbk")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise EncodeError(f"character {bad!r} (U+{ord(bad):04X}) is not in GBK") from None


def qr_native(content: str, module: int = 6, ec: int = 1) -> bytes:
    """``GS ( k`` model 2 QR of ``content`` (UTF-8), ``module`` dots per module (1–16),
    error correction 0=L 1=M 2=Q 3=H, stored then printed (the same bytes as python-escpos's
    ``qr(native=True)``)."""
    if not 1 <= module <= 16 or ec not in (0, 1, 2, 3):
        raise ValueError(f"QR module 1–16 and ec 0–3, got {module}, {ec}")
    data = content.encode("utf-8")
    if not data or len(data) > 7000:
        raise ValueError(f"QR content must be 1–7000 bytes, got {len(data)}")

    def fn(code: int, body: bytes) -> bytes:
        n = len(body) + 2
        return GS + b"(k" + bytes([n & 0xFF, n >> 8, 49, code]) + body

    return (fn(65, b"\x32\x00") + fn(67, bytes([module])) + fn(69, bytes([48 + ec]))
            + fn(80, b"0" + data) + fn(81, b"0"))
