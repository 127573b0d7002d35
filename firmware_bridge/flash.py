"""Firmware update over the bus, as a script of named steps (the espota2 shape).

``verify_image`` happens before the line is even opened (see :func:`image.load_image`); then for
one device: ``identify`` → ``begin`` → ``transfer`` (file records, 0x15) → ``read_back`` (0x14)
→ ``activate`` → ``reconnect`` → ``confirm``, or ``rollback`` when the device does not come back
healthy on the new version. Each failure is a :class:`FlashError` with the step, a stable code
and the technician's advice from :mod:`firmware_bridge.strings`. A transfer that stops half way
resumes where the device says it stopped: the device keeps the blocks of an image it knows by
size and CRC-32.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from firmware_bridge import registers as reg
from firmware_bridge import rtu
from firmware_bridge.image import FirmwareImage
from firmware_bridge.link import LinkError, RtuLink
from firmware_bridge.strings import FLASH_ADVICE

STEPS = ("verify_image", "identify", "begin", "transfer", "read_back", "activate", "reconnect",
         "confirm", "rollback")


class FlashError(Exception):
    """A step failed; ``step``, ``code`` (stable) and ``advice`` (for the technician)."""

    def __init__(self, step: str, code: str, rolled_back: bool = False, **detail):
        self.step, self.code, self.rolled_back, self.detail = step, code, rolled_back, detail
        self.advice = FLASH_ADVICE.get(code, code).format_map(_Detail(detail))
        super().__init__(f"[{step}/{code}] {self.advice}")


class _Detail(dict):
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True)
class DeviceInfo:
    """What the common block says about a device."""

    device_id: int
    kind: str
    version: tuple[int, int, int]
    serial: int
    status: int
    boot: int

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    @property
    def status_words(self) -> list[str]:
        words = [w for bit, w in ((reg.STATUS_TRIAL, "trial"), (reg.STATUS_UPDATING, "updating"),
                                  (reg.STATUS_FAULT, "fault")) if self.status & bit]
        return words or ["ok"]


def identify(link: RtuLink, device_id: int, timeout: float | None = None) -> DeviceInfo:
    """Read a device's common block (LinkError when it does not answer)."""
    regs = link.read(device_id, reg.COMMON_BASE, reg.COMMON_COUNT, timeout)
    kind = reg.DEVICE_TYPES.get(regs[reg.COMMON_TYPE], f"type{regs[reg.COMMON_TYPE]}")
    return DeviceInfo(device_id, kind, tuple(regs[reg.COMMON_FW_MAJOR:reg.COMMON_FW_PATCH + 1]),
                      regs[reg.COMMON_SERIAL_HI] << 16 | regs[reg.COMMON_SERIAL_LO],
                      regs[reg.COMMON_STATUS], regs[reg.COMMON_BOOT])


def scan(link: RtuLink, ids=range(1, 248), timeout: float = 0.1) -> list[DeviceInfo]:
    """Every device that answers among ``ids``: a silent address costs one ``timeout``."""
    found = []
    for device_id in ids:
        try:
            found.append(identify(link, device_id, timeout))
        except (LinkError, rtu.ModbusException):
            continue
    return found


@dataclass
class FlashResult:
    """What one update did."""

    device_id: int
    old_version: str
    new_version: str
    resumed_from: int
    blocks_sent: int
    blocks_total: int


class Flasher:
    """Updates devices on an open link; ``progress(device_id, step, done, total)`` is optional."""

    def __init__(self, link: RtuLink, retries: int = 3, reboot_timeout: float = 10.0,
                 progress=None):
        self.link, self.retries, self.reboot_timeout = link, retries, reboot_timeout
        self.progress = progress or (lambda *args: None)

    def flash(self, device_id: int, image: FirmwareImage, force: bool = False,
              allow_downgrade: bool = False) -> FlashResult:
        """Run every step for one device; FlashError on the first failure."""
        header = image.header
        info = self._identify(device_id, header, force, allow_downgrade)
        start = self._begin(device_id, image)
        total = -(-len(image.body) // reg.BLOCK_BYTES)
        self._transfer(device_id, image, start, total)
        self._read_back(device_id, image, total)
        self._activate(device_id)
        self._confirm(device_id, info, header.version)
        return FlashResult(device_id, info.version_text, header.version_text, start,
                           total - start, total)

    # --- steps ---------------------------------------------------------------------------

    def _identify(self, device_id, header, force, allow_downgrade) -> DeviceInfo:
        try:
            info = self._retry(lambda: identify(self.link, device_id))
        except LinkError:
            raise FlashError("identify", "no_device") from None
        if info.kind != reg.DEVICE_TYPES.get(header.device_type):
            raise FlashError("identify", "wrong_type")
        if info.status & reg.STATUS_TRIAL:
            raise FlashError("identify", "trial_pending")
        if info.version == header.version and not force:
            raise FlashError("identify", "same_version")
        if info.version > header.version and not allow_downgrade:
            raise FlashError("identify", "downgrade")
        return info

    def _begin(self, device_id: int, image: FirmwareImage) -> int:
        size, crc = len(image.body), image.body_crc
        params = [size >> 16, size & 0xFFFF, crc >> 16, crc & 0xFFFF]
        try:
            self._retry(lambda: self.link.write(device_id, reg.FW_SIZE_HI, params))
            self._retry(lambda: self.link.write(device_id, reg.FW_COMMAND, reg.FW_CMD_BEGIN))
            state = self._retry(lambda: self.link.read(device_id, reg.FW_COMMAND,
                                                       reg.FW_BLOCK_COUNT))
        except rtu.ModbusException:
            raise FlashError("begin", "refused", detail=self._device_error(device_id)) from None
        except LinkError:
            raise FlashError("begin", "no_reply", block=0) from None
        return state[reg.FW_BLOCKS - reg.FW_COMMAND]

    def _transfer(self, device_id: int, image: FirmwareImage, start: int, total: int) -> None:
        for block in range(start, total):
            pdu = rtu.write_file(reg.FILE_IMAGE, block, _block(image.body, block))
            try:
                self._retry(self.link.transact, device_id, pdu)
            except rtu.ModbusException:
                raise FlashError("transfer", "refused",
                                 detail=self._device_error(device_id)) from None
            except LinkError:
                raise FlashError("transfer", "no_reply", block=block) from None
            self.progress(device_id, "transfer", block + 1, total)

    def _read_back(self, device_id: int, image: FirmwareImage, total: int) -> None:
        for block in range(total):
            want = _block(image.body, block)
            pdu = rtu.read_file(reg.FILE_IMAGE, block, reg.BLOCK_REGS)
            try:
                got = self._retry(self.link.transact, device_id, pdu)
                if got != want:  # one more write and look; a second difference is not luck
                    self._retry(self.link.transact, device_id,
                                rtu.write_file(reg.FILE_IMAGE, block, want))
                    got = self._retry(self.link.transact, device_id, pdu)
            except (LinkError, rtu.ModbusException):
                raise FlashError("read_back", "no_reply", block=block) from None
            if got != want:
                raise FlashError("read_back", "mismatch", block=block)
            self.progress(device_id, "read_back", block + 1, total)

    def _activate(self, device_id: int) -> None:
        try:
            self.link.write(device_id, reg.FW_COMMAND, reg.FW_CMD_ACTIVATE)
        except rtu.ModbusException:
            error = self._device_error(device_id)
            raise FlashError("activate", "device_bad_crc" if error == "bad_crc" else "refused",
                             detail=error) from None
        except LinkError:
            pass  # the reply may be lost to the reboot: the next step finds out what happened

    def _confirm(self, device_id: int, before: DeviceInfo, new_version) -> None:
        info = self._reconnect(device_id, before.boot)
        if info.version != tuple(new_version):
            raise FlashError("confirm", "not_started", rolled_back=True,
                             version=info.version_text)
        if not info.status & reg.STATUS_FAULT:
            try:
                self._retry(lambda: self.link.write(device_id, reg.FW_COMMAND,
                                                    reg.FW_CMD_CONFIRM))
                info = self._retry(lambda: identify(self.link, device_id))
            except (LinkError, rtu.ModbusException):
                pass
            if not info.status & reg.STATUS_TRIAL:
                return
        self._rollback(device_id, info, before)

    def _rollback(self, device_id: int, trial: DeviceInfo, before: DeviceInfo) -> None:
        try:
            self._retry(lambda: self.link.write(device_id, reg.FW_COMMAND, reg.FW_CMD_ROLLBACK))
        except (LinkError, rtu.ModbusException):
            pass  # judged by what the device reports after its reboot
        try:
            info = self._reconnect(device_id, trial.boot, step="rollback")
        except FlashError:
            raise FlashError("rollback", "rollback_failed", version="?") from None
        if info.version != before.version:
            raise FlashError("rollback", "rollback_failed", version=info.version_text)
        raise FlashError("confirm", "self_test", rolled_back=True, version=info.version_text)

    def _reconnect(self, device_id: int, old_boot: int, step: str = "reconnect") -> DeviceInfo:
        """Wait for the device to answer again after its reboot (a new boot counter)."""
        deadline = time.monotonic() + self.reboot_timeout
        while time.monotonic() < deadline:
            try:
                info = identify(self.link, device_id)
            except (LinkError, rtu.ModbusException):
                time.sleep(0.02)
                continue
            if info.boot != old_boot:
                return info
            time.sleep(0.02)
        raise FlashError(step, "silent_after_reboot")

    # --- helpers -------------------------------------------------------------------------

    def _retry(self, action, *args):
        for attempt in range(self.retries):
            try:
                return action(*args)
            except LinkError:
                if attempt == self.retries - 1:
                    raise
        raise AssertionError("unreachable")

    def _device_error(self, device_id: int) -> str:
        try:
            code = self.link.read(device_id, reg.FW_ERROR, 1)[0]
        except (LinkError, rtu.ModbusException):
            return "unknown"
        return reg.FW_ERRORS[code] if code < len(reg.FW_ERRORS) else f"error {code}"


def _block(body: bytes, block: int) -> bytes:
    """Block ``block`` of the image body, the last one padded with 0xFF (erased flash)."""
    return body[block * reg.BLOCK_BYTES:(block + 1) * reg.BLOCK_BYTES].ljust(reg.BLOCK_BYTES,
                                                                            b"\xff")
