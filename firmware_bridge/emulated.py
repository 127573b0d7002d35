"""The firmware of one hallstack peripheral, emulated: registers, keys, screen, firmware update.

An :class:`EmulatedPeripheral` behaves as docs/register-map.md says the firmware does: a write
that would leave a bad state is refused with a Modbus exception and changes nothing; presses
are buffered until acknowledged by count; a reboot clears what lives in RAM (screen text, key
buffer, LEDs) and bumps the boot counter. It knows nothing of the serial line:
:class:`firmware_bridge.emulator.BusEmulator` feeds it decoded requests.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass

from firmware_bridge import image as fw_image
from firmware_bridge import registers as reg
from firmware_bridge.rtu import ILLEGAL_ADDRESS, ILLEGAL_VALUE


class Refusal(Exception):
    """The firmware answers a request with Modbus exception ``code``."""

    def __init__(self, code: int):
        self.code = code
        super().__init__(code)


@dataclass
class Faults:
    """What the emulated line does wrong for this device (probabilities per reply, 0–1).

    ``deaf``: the request is lost on its way, the device neither acts nor answers;
    ``drop``: the device acts but its reply is lost; ``corrupt``: one bit flips, in the request
    (the device's CRC check drops it) or in the reply;
    ``garbage``: noise bytes precede the reply; ``silent``: the device answers nothing at all
    (cable pulled, power off) and does not act. ``boot_fails``: a new image never starts, the
    bootloader falls back to the old one; ``self_test_fails``: a new image starts but reports
    STATUS_FAULT; ``silent_after_blocks``: go silent once this many blocks of an image arrived.
    """

    deaf: float = 0.0
    drop: float = 0.0
    corrupt: float = 0.0
    garbage: float = 0.0
    silent: bool = False
    boot_fails: bool = False
    self_test_fails: bool = False
    silent_after_blocks: int | None = None


class EmulatedPeripheral:
    """One peripheral's firmware: a screen, a clerk keypad or a rating pad (``kind``)."""

    def __init__(self, device_id: int, kind: str, version=(1, 0, 0), serial: int = 0,
                 first_seq: int = 0, boot: int = 1, reboot_s: float = 0.05,
                 trial_s: float = 30.0, clock=time.monotonic):
        if kind not in reg.TYPE_BY_NAME:
            raise ValueError(f"unknown peripheral kind {kind!r}; one of {sorted(reg.TYPE_BY_NAME)}")
        if not 1 <= device_id <= 247:
            raise ValueError(f"Modbus device id must be 1–247, got {device_id}")
        self.device_id, self.kind, self.type = device_id, kind, reg.TYPE_BY_NAME[kind]
        self.version, self.previous = tuple(version), None
        self.serial = serial or 0x48530000 + device_id
        self.reboot_s, self.trial_s, self.clock = reboot_s, trial_s, clock
        self.faults = Faults()
        self.lock = threading.RLock()
        self.boot = boot
        self._booted_at = clock()
        self._down_until = 0.0
        self.shown: list[tuple[str, str]] = []  # every (text, mode) the screen displayed
        self.signals: list[str] = []  # every buzzer/LED pattern played
        self._reset_ram(first_seq)
        self.fw_state, self.fw_error = "idle", "none"
        self._fw_params = [0, 0, 0, 0]  # size hi/lo, crc hi/lo
        self._transfer: tuple[int, int] | None = None  # (size, crc) of the open transfer
        self.blocks: dict[int, bytes] = {}
        self.blocks_written = 0  # file records accepted, for tests of resuming
        self._trial_deadline = None

    def _reset_ram(self, first_seq: int = 0) -> None:
        self.brightness, self.mode, self.text = 80, 0, ""
        self.keys: deque[tuple[int, float]] = deque()
        self.first_seq, self.lost = first_seq % reg.SEQ_MOD, 0
        self.leds = [0] * reg.KEY_LED_COUNT
        self.invite_until = 0.0
        self.overflowed = False

    # --- what a person does to the device ------------------------------------------------

    def press(self, key: str, digit: int | None = None) -> bool:
        """A person presses ``key``; True when the firmware buffered it (see register map)."""
        code = 0x30 + digit if key == "digit" and digit in range(10) else reg.CODE_BY_KEY.get(key)
        with self.lock:
            if code is None or self.kind == "screen" or not self.online:
                return False
            rating = 0x21 <= code <= 0x25
            if rating != (self.kind == "rating_pad"):
                return False
            if rating:  # a pad never takes a rating nobody was invited to give
                if self.clock() >= self.invite_until:
                    return False
                self.invite_until = 0.0
            if len(self.keys) >= reg.KEY_BUFFER:
                self.lost = (self.lost + 1) % reg.SEQ_MOD
                self.overflowed = True
                return False
            self.keys.append((code, self.clock()))
            return True

    @property
    def pending(self) -> int:
        """Presses buffered and not yet acknowledged."""
        return len(self.keys)

    @property
    def online(self) -> bool:
        """False while rebooting or when told to be silent."""
        with self.lock:
            self._tick()
            return not self.faults.silent and self.clock() >= self._down_until

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    # --- registers ---------------------------------------------------------------------

    def _tick(self) -> None:
        if self._trial_deadline is not None and self.clock() >= self._trial_deadline:
            # the bootloader's watchdog: an unconfirmed image does not stay
            self._revert(self._trial_deadline)

    def _registers(self) -> dict[int, int]:
        now = self.clock()
        status = ((reg.STATUS_TRIAL if self.fw_state == "trial" else 0)
                  | (reg.STATUS_UPDATING if self.fw_state == "receiving" else 0)
                  | (reg.STATUS_KEY_OVERFLOW if self.overflowed else 0)
                  | (reg.STATUS_FAULT if self.fw_state == "trial" and self.faults.self_test_fails
                     else 0))
        regs = dict(enumerate([self.type, reg.MAP_VERSION, *self.version, self.serial >> 16,
                               self.serial & 0xFFFF, status, self.boot % reg.SEQ_MOD,
                               min(int(now - self._booted_at), 0xFFFF)]))
        fw = [0, reg.FW_STATES.index(self.fw_state), *self._fw_params, self._contiguous(),
              reg.FW_ERRORS.index(self.fw_error)]
        regs.update(zip(range(reg.FW_COMMAND, reg.FW_COMMAND + reg.FW_BLOCK_COUNT), fw))
        if self.kind == "screen":
            text = reg.encode_text(self.text)
            body = [self.brightness, self.mode, *text]
            body += [0] * (3 + reg.SCREEN_TEXT_REGS - len(body))
            regs.update(zip(range(reg.SCREEN_BRIGHTNESS, reg.SCREEN_BRIGHTNESS + len(body)), body))
            return regs
        events = []
        for code, at in list(self.keys)[:reg.KEY_EVENT_SLOTS]:
            events += [code, min(int((now - at) / reg.KEY_AGE_UNIT_S), 0xFFFF)]
        events += [0] * (2 * reg.KEY_EVENT_SLOTS - len(events))
        head = [self.first_seq, len(self.keys), self.lost, self.boot % reg.SEQ_MOD, *events]
        regs.update(zip(range(reg.KEY_ACK, reg.KEY_ACK + len(head)), head))
        regs.update(zip(range(reg.KEY_LEDS, reg.KEY_LEDS + reg.KEY_LED_COUNT), self.leds))
        regs[reg.KEY_SIGNAL] = len(self.signals) % reg.SEQ_MOD
        if self.kind == "rating_pad":
            regs[reg.KEY_INVITE] = max(0, int(self.invite_until - now + 0.999))
        return regs

    def read(self, address: int, count: int) -> list[int]:
        """Function 0x03; Refusal(ILLEGAL_ADDRESS) when any register is not in the map."""
        with self.lock:
            self._tick()
            regs = self._registers()
            try:
                return [regs[a] for a in range(address, address + count)]
            except KeyError:
                raise Refusal(ILLEGAL_ADDRESS) from None

    def write(self, address: int, values: list[int]) -> None:
        """Functions 0x06/0x10: all registers are checked first; a refusal changes nothing."""
        with self.lock:
            self._tick()
            end = address + len(values)
            if self.kind == "screen" and reg.SCREEN_BRIGHTNESS <= address < end <= (
                    reg.SCREEN_TEXT + reg.SCREEN_TEXT_REGS):
                return self._write_screen(address, values)
            if (reg.FW_COMMAND <= address and end <= reg.FW_COMMAND + reg.FW_BLOCK_COUNT):
                return self._write_fw(address, values)
            if self.kind != "screen" and len(values) == 1:
                return self._write_keypad(address, values[0])
            if self.kind != "screen" and reg.KEY_LEDS <= address < end <= reg.KEY_LEDS + 8:
                if any(v >= len(reg.LED_MODES) for v in values):
                    raise Refusal(ILLEGAL_VALUE)
                self.leds[address - reg.KEY_LEDS:end - reg.KEY_LEDS] = values
                return None
            raise Refusal(ILLEGAL_ADDRESS)

    def _write_screen(self, address: int, values: list[int]) -> None:
        old = [self.brightness, self.mode, *reg.encode_text(self.text)]
        block = old + [0] * (3 + reg.SCREEN_TEXT_REGS - len(old))
        start = address - reg.SCREEN_BRIGHTNESS
        block[start:start + len(values)] = values
        brightness, mode, length = block[:3]
        if brightness > 100 or mode >= len(reg.SCREEN_MODES):
            raise Refusal(ILLEGAL_VALUE)
        try:
            text = reg.decode_text(length, block[3:])
        except (ValueError, UnicodeDecodeError):
            raise Refusal(ILLEGAL_VALUE) from None
        self.brightness, self.mode, self.text = brightness, mode, text
        if start + len(values) > 1:  # the write touched mode or text: the screen redraws
            self.shown.append((text, reg.SCREEN_MODES[mode]))

    def _write_keypad(self, address: int, value: int) -> None:
        if address == reg.KEY_ACK:
            done = reg.seq_ahead(value, self.first_seq)
            if done > len(self.keys):  # acks presses that were never sent: refuse
                raise Refusal(ILLEGAL_VALUE)
            for _ in range(done):
                self.keys.popleft()
            self.first_seq = value
        elif reg.KEY_LEDS <= address < reg.KEY_LEDS + reg.KEY_LED_COUNT:
            if value >= len(reg.LED_MODES):
                raise Refusal(ILLEGAL_VALUE)
            self.leds[address - reg.KEY_LEDS] = value
        elif address == reg.KEY_SIGNAL:
            if not 1 <= value <= len(reg.SIGNALS):
                raise Refusal(ILLEGAL_VALUE)
            self.signals.append(reg.SIGNALS[value - 1])
        elif address == reg.KEY_INVITE and self.kind == "rating_pad":
            if value > 600:
                raise Refusal(ILLEGAL_VALUE)
            self.invite_until = self.clock() + value if value else 0.0
        else:
            raise Refusal(ILLEGAL_ADDRESS)

    def led(self, name: str) -> str:
        """The mode of LED ``name`` as the person sees it."""
        return reg.LED_MODES[self.leds[reg.LED_NAMES[self.type].index(name)]]

    # --- firmware update (device side) ---------------------------------------------------

    def _contiguous(self) -> int:
        n = 0
        while n in self.blocks:
            n += 1
        return n

    def _write_fw(self, address: int, values: list[int]) -> None:
        if address != reg.FW_COMMAND:
            if address < reg.FW_SIZE_HI or address + len(values) > reg.FW_CRC_LO + 1:
                raise Refusal(ILLEGAL_ADDRESS)
            if self.fw_state not in ("idle", "receiving"):
                raise Refusal(ILLEGAL_VALUE)
            start = address - reg.FW_SIZE_HI
            self._fw_params[start:start + len(values)] = values
            return
        command = values[0] if len(values) == 1 else None
        handlers = {reg.FW_CMD_BEGIN: self._fw_begin, reg.FW_CMD_ACTIVATE: self._fw_activate,
                    reg.FW_CMD_CONFIRM: self._fw_confirm, reg.FW_CMD_ROLLBACK: self._fw_rollback,
                    reg.FW_CMD_ABORT: self._fw_abort}
        if command not in handlers:
            raise Refusal(ILLEGAL_VALUE)
        handlers[command]()

    def _refuse(self, error: str) -> None:
        self.fw_error = error
        raise Refusal(ILLEGAL_VALUE)

    def _fw_begin(self) -> None:
        size = self._fw_params[0] << 16 | self._fw_params[1]
        crc = self._fw_params[2] << 16 | self._fw_params[3]
        if self.fw_state not in ("idle", "receiving"):
            self._refuse("out_of_order")
        if not fw_image.HEADER_SIZE < size <= reg.MAX_IMAGE:
            self._refuse("too_big")
        if self._transfer != (size, crc):  # the same image again resumes; another starts over
            self.blocks = {}
            self._transfer = (size, crc)
        self.fw_state, self.fw_error = "receiving", "none"

    def write_record(self, file_no: int, record: int, data: bytes) -> None:
        """Function 0x15: one block of the image, in order (resending a block is allowed)."""
        with self.lock:
            if file_no != reg.FILE_IMAGE:
                raise Refusal(ILLEGAL_ADDRESS)
            if self.fw_state != "receiving":
                self._refuse("out_of_order")
            size = self._transfer[0]
            if len(data) != reg.BLOCK_BYTES or record * reg.BLOCK_BYTES >= size:
                self._refuse("too_big")
            if record > self._contiguous():
                self._refuse("out_of_order")
            self.blocks[record] = bytes(data)
            self.blocks_written += 1
            limit = self.faults.silent_after_blocks
            if limit is not None and self._contiguous() >= limit:
                self.faults.silent = True  # the cable comes out right after this block

    def read_record(self, file_no: int, record: int, regs: int) -> bytes:
        """Function 0x14: read back a received block."""
        with self.lock:
            if file_no != reg.FILE_IMAGE or record not in self.blocks:
                raise Refusal(ILLEGAL_ADDRESS)
            if regs * 2 != reg.BLOCK_BYTES:
                raise Refusal(ILLEGAL_VALUE)
            return self.blocks[record]

    def _fw_activate(self) -> None:
        if self.fw_state != "receiving" or self._transfer is None:
            self._refuse("no_image")
        size, crc = self._transfer
        blocks = -(-size // reg.BLOCK_BYTES)
        if self._contiguous() < blocks:
            self._refuse("no_image")
        body = b"".join(self.blocks[i] for i in range(blocks))[:size]
        if zlib.crc32(body) != crc:
            self._refuse("bad_crc")
        try:
            header = fw_image.check_body(body)
        except fw_image.ImageError:
            self._refuse("bad_header")
        if header.device_type != self.type:
            self._refuse("wrong_type")
        self.blocks, self._transfer = {}, None
        if self.faults.boot_fails:  # the bootloader cannot start it and keeps the old image
            self.fw_state = "idle"
            self.fw_error = "bad_header"
        else:
            self.previous, self.version = self.version, header.version
            self.fw_state = "trial"
            self._trial_deadline = self.clock() + self.reboot_s + self.trial_s
        self._reboot()

    def _fw_confirm(self) -> None:
        if self.fw_state != "trial" or self.faults.self_test_fails:
            self._refuse("out_of_order")
        self.fw_state, self.previous, self._trial_deadline = "idle", None, None

    def _fw_rollback(self) -> None:
        if self.fw_state == "trial":
            self._revert()
        else:
            self._fw_abort()

    def _fw_abort(self) -> None:
        if self.fw_state == "trial":
            self._refuse("out_of_order")
        self.blocks, self._transfer, self.fw_state = {}, None, "idle"

    def _revert(self, at: float | None = None) -> None:
        self.version, self.previous = self.previous, None
        self.fw_state, self._trial_deadline = "idle", None
        self._reboot(at)

    def _reboot(self, at: float | None = None) -> None:
        """Restart (at ``at``, default now): RAM state is gone, the boot counter moves, silence
        while booting."""
        self._reset_ram(0)
        self.boot += 1
        self._down_until = (self.clock() if at is None else at) + self.reboot_s
        self._booted_at = self._down_until
