"""BX-5/6 command payloads (the frame's Data): real-time text, brightness, status, replies.

Request Data: ``CmdGroup Cmd Resp 00 00 payload`` (Resp 01 = reply wanted, 02 = none).
Reply Data: ``CmdGroup Cmd Status 00 00 …``. Real-time text ``A3 06`` is laid out as in
docs/legacy-bx.md; ``A2 00`` (status), ``A3 02`` (brightness) and ``A3 10`` (clear) are seen in
one public source only, and the brightness payload is *unverified*.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PING = (0xA2, 0x00)
TEXT = (0xA3, 0x06)
BRIGHTNESS = (0xA3, 0x02)
CLEAR = (0xA3, 0x10)
REPLY_WANTED, NO_REPLY = 0x01, 0x02

STATUS_TEXT = {
    0: "ok", 1: "bad command group", 2: "no such command", 3: "busy", 4: "out of memory",
    5: "CRC error", 6: "file not found", 7: "flash error", 8: "download error",
    9: "bad file name", 10: "bad file type", 11: "file CRC error", 12: "no font",
    13: "firmware type", 14: "bad date/time", 15: "file exists", 16: "bad block number",
}
BUSY = 3

#: Effects (A3 06 ``Effect``): 1 static, 2 type-out, 3 left, 4 right, 5 up, 6 down.
EFFECTS = {"static": 1, "type": 2, "left": 3, "right": 4, "up": 5, "down": 6}

_AREA = struct.Struct("<BHHHHBBBHBBBBBBBBBI")  # after AreaLen, up to the text: 27 bytes


@dataclass(frozen=True)
class Area:
    """One dynamic area of real-time text. X and W count 8-pixel units, Y and H pixels."""

    area_id: int = 0
    x: int = 0
    y: int = 0
    w: int = 8
    h: int = 16
    text: str = ""
    effect: int = EFFECTS["static"]
    run_mode: int = 0
    timeout_s: int = 0
    align: int = 0
    single_line: int = 1
    new_line: int = 1
    exit_effect: int = 0
    speed: int = 0
    stay: int = 10
    line_spacing: int = 0

    def encode(self) -> bytes:
        text = encode_text(self.text)
        fixed = _AREA.pack(0, self.x, self.y, self.w, self.h, self.area_id, self.line_spacing,
                           self.run_mode, self.timeout_s, 0, 0, self.align, self.single_line,
                           self.new_line, self.effect, self.exit_effect, self.speed, self.stay,
                           len(text))
        body = fixed + text
        return struct.pack("<H", len(body)) + body


def encode_text(text: str) -> bytes:
    """GB2312 bytes of ``text``; ValueError naming the first character that has none."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {text!r}")
    try:
        return text.encode("gb2312")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{text[exc.start]!r} (position {exc.start}) has no GB2312 code; "
                         "the LED controller cannot show it") from None


def request(command: tuple[int, int], payload: bytes = b"", reply: bool = True) -> bytes:
    group, cmd = command
    if command == TEXT:
        # A3 06 puts ProcessMode and 00 where other commands have 00 00: payload carries them.
        return bytes((group, cmd, REPLY_WANTED if reply else NO_REPLY)) + payload
    return bytes((group, cmd, REPLY_WANTED if reply else NO_REPLY, 0, 0)) + payload


def text_request(areas: list[Area], process_mode: int = 1, reply: bool = True) -> bytes:
    """``A3 06``: clear (process mode 1) and create ``areas`` with their text."""
    if not 1 <= len(areas) <= 255:
        raise ValueError("one to 255 areas")
    payload = bytes((process_mode, 0, 0x00, len(areas))) + b"".join(a.encode() for a in areas)
    return request(TEXT, payload, reply)


def brightness_request(level: int) -> bytes:
    """``A3 02``: manual brightness. 0–100 maps onto the controller's 16 steps (*unverified*)."""
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 100:
        raise ValueError(f"brightness must be an integer 0–100, got {level!r}")
    return request(BRIGHTNESS, bytes((0, 1 + round(level * 15 / 100))))


def parse_text_request(data: bytes) -> tuple[int, list[Area]]:
    """The process mode and areas of an ``A3 06`` request; ValueError for a malformed one."""
    if len(data) < 7 or (data[0], data[1]) != TEXT:
        raise ValueError("not an A3 06 request")
    process_mode, del_count = data[3], data[5]
    pos = 6
    if del_count not in (0, 0xFF):
        pos += del_count  # the ids of the areas to delete
    if pos >= len(data):
        raise ValueError("A3 06 ends before AreaCount")
    count = data[pos]
    pos += 1
    areas = []
    for index in range(count):
        if pos + 2 + _AREA.size > len(data):
            raise ValueError(f"area {index} is cut short")
        (area_len,) = struct.unpack_from("<H", data, pos)
        fields = _AREA.unpack_from(data, pos + 2)
        (_type, x, y, w, h, area_id, spacing, run_mode, timeout_s, _sound, _ext, align,
         single, new_line, effect, exit_effect, speed, stay, text_len) = fields
        text_start = pos + 2 + _AREA.size
        if area_len != _AREA.size + text_len or text_start + text_len > len(data):
            raise ValueError(f"area {index}: AreaLen {area_len} and TextLen {text_len} disagree")
        try:
            text = data[text_start:text_start + text_len].decode("gb2312")
        except UnicodeDecodeError:
            raise ValueError(f"area {index}: text is not GB2312") from None
        areas.append(Area(area_id, x, y, w, h, text, effect, run_mode, timeout_s, align, single,
                          new_line, exit_effect, speed, stay, spacing))
        pos = text_start + text_len
    if pos != len(data):
        raise ValueError(f"{len(data) - pos} stray bytes after the areas")
    return process_mode, areas


@dataclass(frozen=True)
class Reply:
    """A controller's reply: the command it answers, its status code and any payload."""

    command: tuple[int, int]
    status: int
    payload: bytes

    @property
    def ok(self) -> bool:
        return self.status == 0

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, f"unknown status {self.status}")


def parse_reply(data: bytes) -> Reply:
    """Decode reply Data; ValueError when it is too short to be one."""
    if len(data) < 5:
        raise ValueError(f"reply Data too short ({len(data)} bytes)")
    return Reply((data[0], data[1]), data[2], bytes(data[5:]))


def reply_data(command: tuple[int, int], status: int, payload: bytes = b"") -> bytes:
    """Reply Data as a controller builds it (used by the emulator)."""
    return bytes((command[0], command[1], status, 0, 0)) + payload
