"""hallstack's Modbus register map for its own RS-485 peripherals (see docs/register-map.md).

All data lives in holding registers (read with 0x03, written with 0x06 / 0x10); firmware images
travel as file records (0x15 write, 0x14 read back). Addresses are 0-based PDU addresses. This
module is the single source of the numbers: the bus master and the emulator both read them here.
"""

from __future__ import annotations

from devices.keys import CLERK_KEYS, RATING_KEYS

MAP_VERSION = 1

# --- device types (register COMMON_TYPE) ---------------------------------------------------
TYPE_SCREEN = 1
TYPE_CLERK_PAD = 2
TYPE_RATING_PAD = 3
DEVICE_TYPES = {TYPE_SCREEN: "screen", TYPE_CLERK_PAD: "clerk_pad", TYPE_RATING_PAD: "rating_pad"}
TYPE_BY_NAME = {name: code for code, name in DEVICE_TYPES.items()}

# --- common block, read-only, 0x0000–0x000F -----------------------------------------------
COMMON_BASE = 0x0000
COMMON_COUNT = 10
COMMON_TYPE = 0x0000  # one of DEVICE_TYPES
COMMON_MAP_VERSION = 0x0001
COMMON_FW_MAJOR = 0x0002
COMMON_FW_MINOR = 0x0003
COMMON_FW_PATCH = 0x0004
COMMON_SERIAL_HI = 0x0005  # 32-bit serial number, high word first
COMMON_SERIAL_LO = 0x0006
COMMON_STATUS = 0x0007  # STATUS_* bits
COMMON_BOOT = 0x0008  # boot counter: changes on every (re)boot, 16-bit wrap
COMMON_UPTIME = 0x0009  # seconds since boot, saturates at 65535

STATUS_TRIAL = 0x0001  # running a new image that is not confirmed yet
STATUS_UPDATING = 0x0002  # an image transfer is open
STATUS_KEY_OVERFLOW = 0x0004  # a key press was lost because the buffer was full
STATUS_FAULT = 0x0008  # self-test failed (screen driver, key matrix)

# --- LED window screen, 0x0100– ------------------------------------------------------------
SCREEN_BRIGHTNESS = 0x0100  # 0–100
SCREEN_MODE = 0x0101  # SCREEN_MODES index
SCREEN_LENGTH = 0x0102  # text length in bytes (GB2312)
SCREEN_TEXT = 0x0103  # text, 2 bytes per register, high byte first, odd length padded 0x00
SCREEN_TEXT_REGS = 64
SCREEN_TEXT_MAX = SCREEN_TEXT_REGS * 2  # 128 bytes = 64 Hanzi
SCREEN_MODES = ("static", "flash", "scroll")

# --- keypads (clerk caller, rating pad), 0x0200– -------------------------------------------
KEY_ACK = 0x0200  # read: sequence number of the first buffered press; write: ack up to here
KEY_PENDING = 0x0201  # presses buffered, not yet acknowledged
KEY_LOST = 0x0202  # presses lost to a full buffer since boot (16-bit wrap)
KEY_BOOT = 0x0203  # the boot counter again, so one read tells a reboot from a wrap
KEY_EVENTS = 0x0204  # KEY_EVENT_SLOTS events of 2 registers: key code, age in 10 ms units
KEY_EVENT_SLOTS = 8
KEY_POLL_COUNT = 4 + 2 * KEY_EVENT_SLOTS  # one read = header + up to 8 presses
KEY_BUFFER = 32  # presses a pad keeps until acknowledged
SEQ_MOD = 0x10000

KEY_LEDS = 0x0220  # 8 LEDs, one register each: LED_MODES index
KEY_LED_COUNT = 8
KEY_SIGNAL = 0x0228  # write SIGNALS index + 1: buzzer/LED pattern; read: patterns played
KEY_INVITE = 0x0229  # rating pad: write seconds to invite a rating (0 ends it); read: remaining

LED_MODES = ("off", "on", "blink")
SIGNALS = ("ok", "refused")
LED_NAMES = {
    TYPE_CLERK_PAD: ("online", "serving", "paused", "call_next", "recall", "skip", "finish",
                     "transfer"),
    TYPE_RATING_PAD: ("invite", "rate_1", "rate_2", "rate_3", "rate_4", "rate_5", "thanks",
                      "online"),
}

# Key codes on the wire: fixed here, never derived from the order of a tuple elsewhere, because
# firmware in the field carries them. Clerk keys 0x01–0x0C, rating keys 0x21–0x25, digits 0x30–0x39.
KEY_CODES: dict[int, str] = {
    0x01: "call_next", 0x02: "recall", 0x03: "skip", 0x04: "finish", 0x05: "pause",
    0x06: "resume", 0x07: "transfer", 0x08: "hold", 0x09: "call_back", 0x0A: "start",
    0x0B: "login", 0x0C: "logout",
    0x21: "rate_1", 0x22: "rate_2", 0x23: "rate_3", 0x24: "rate_4", 0x25: "rate_5",
}
KEY_CODES.update({0x30 + d: "digit" for d in range(10)})
WIRE_KEYS = CLERK_KEYS + RATING_KEYS  # every key a node understands must have a code above
CODE_BY_KEY = {name: code for code, name in KEY_CODES.items() if name != "digit"}
KEY_AGE_UNIT_S = 0.01

# --- firmware update, 0x0300– and file records ---------------------------------------------
FW_COMMAND = 0x0300  # write one of FW_CMD_*
FW_STATE = 0x0301  # FW_STATES index
FW_SIZE_HI = 0x0302  # image size in bytes, 32-bit
FW_SIZE_LO = 0x0303
FW_CRC_HI = 0x0304  # CRC-32 of the whole image as sent, 32-bit
FW_CRC_LO = 0x0305
FW_BLOCKS = 0x0306  # blocks received in order from block 0: where a transfer resumes
FW_ERROR = 0x0307  # FW_ERRORS index of the last refusal
FW_BLOCK_COUNT = 8  # registers FW_COMMAND..FW_ERROR

FW_CMD_BEGIN = 1
FW_CMD_ACTIVATE = 2
FW_CMD_CONFIRM = 3
FW_CMD_ROLLBACK = 4
FW_CMD_ABORT = 5

FW_STATES = ("idle", "receiving", "staged", "trial")
FW_ERRORS = ("none", "bad_header", "wrong_type", "bad_crc", "too_big", "out_of_order", "no_image")

FILE_IMAGE = 1  # file number of the staging image
BLOCK_REGS = 64  # registers per file record (record number = block index)
BLOCK_BYTES = BLOCK_REGS * 2
MAX_RECORDS = 10000  # Modbus limits record numbers to 0x0000–0x270F
MAX_IMAGE = MAX_RECORDS * BLOCK_BYTES


def encode_text(text: str) -> list[int]:
    """Screen text → registers: GB2312 bytes, two per register, high byte first.

    Raises ValueError for text that GB2312 cannot carry or longer than SCREEN_TEXT_MAX bytes.
    """
    if not isinstance(text, str):
        raise ValueError(f"screen text must be a str, got {type(text).__name__}")
    try:
        raw = text.encode("gb2312")
    except UnicodeEncodeError as exc:
        raise ValueError(f"screen text has a character GB2312 cannot show: {text[exc.start]!r}"
                         ) from None
    if len(raw) > SCREEN_TEXT_MAX:
        raise ValueError(f"screen text is {len(raw)} bytes in GB2312; at most {SCREEN_TEXT_MAX}")
    return [len(raw), *bytes_to_regs(raw)]


def decode_text(length: int, regs: list[int]) -> str:
    """Registers → screen text; the inverse of :func:`encode_text` (ValueError when invalid)."""
    if not 0 <= length <= min(SCREEN_TEXT_MAX, 2 * len(regs)):
        raise ValueError(f"screen text length {length} out of range")
    return regs_to_bytes(regs)[:length].decode("gb2312")


def bytes_to_regs(raw: bytes) -> list[int]:
    """Pack bytes into 16-bit registers, high byte first, padding an odd length with 0x00."""
    if len(raw) % 2:
        raw += b"\x00"
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]


def regs_to_bytes(regs: list[int]) -> bytes:
    """Unpack 16-bit registers into bytes, high byte first."""
    return b"".join(r.to_bytes(2, "big") for r in regs)


def seq_ahead(seq: int, base: int) -> int:
    """How far ``seq`` is past ``base`` modulo SEQ_MOD (0 … SEQ_MOD-1)."""
    return (seq - base) % SEQ_MOD
