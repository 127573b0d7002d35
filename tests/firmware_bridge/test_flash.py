"""Firmware update over a real pty bus, and hall-flash scan/device end to end."""

from __future__ import annotations

import io
import random

import pytest

from deploy.flash_cli import main
from firmware_bridge import image as fw_image
from firmware_bridge import registers as reg
from firmware_bridge.flash import Flasher, FlashError, scan
from firmware_bridge.link import LinkError, RtuLink
from tests.helpers import eventually

PAYLOAD = bytes(random.Random(5).randrange(256) for _ in range(6000))  # 47 blocks with header
# The emulator answers from a thread of this busy process: a reply timeout with room for the
# machine's load (a real device at 9600 Bd answers well inside it), plus the flasher's retries.
# Only where silence is the expected answer does a short one stand.
REPLY_S = 0.3


def make_image(signing_keys, device_type=reg.TYPE_SCREEN, version=(1, 2, 0), payload=PAYLOAD):
    key, public, _ = signing_keys
    return fw_image.load_image(fw_image.build_image(device_type, version, payload, key), public)


def flasher(link):
    return Flasher(link, retries=5, reboot_timeout=10.0)


def test_scan_finds_every_device_on_the_bus(emulated_bus):
    kinds = {1: "screen", 2: "clerk_pad", 3: "rating_pad", 9: "clerk_pad", 17: "screen"}
    emu = emulated_bus(kinds)
    with RtuLink(emu.port, timeout=REPLY_S) as link:
        found = scan(link, range(1, 19), timeout=REPLY_S)
    assert {info.device_id: info.kind for info in found} == kinds
    assert all(info.version_text == "1.0.0" for info in found)
    out = io.StringIO()
    assert main(["scan", "--port", emu.port, "--ids", "1-18", "--timeout", str(REPLY_S)],
                out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + 5 and "rating_pad" in lines[3] and "评价器" in lines[3]


def test_scan_of_an_empty_bus_says_so(emulated_bus):
    emu = emulated_bus({})
    out = io.StringIO()
    assert main(["scan", "--port", emu.port, "--ids", "1-3", "--timeout", "0.01"], out) == 1
    assert "没有设备应答" in out.getvalue()


def test_an_update_transfers_verifies_activates_and_confirms(emulated_bus, signing_keys):
    emu = emulated_bus({4: "screen"})
    emu[4].faults.corrupt = 0.03  # a real line: retries, not failures
    image = make_image(signing_keys)
    with RtuLink(emu.port, timeout=REPLY_S) as link:
        result = flasher(link).flash(4, image)
    assert (result.old_version, result.new_version, result.resumed_from) == ("1.0.0", "1.2.0", 0)
    assert result.blocks_total == -(-len(image.body) // reg.BLOCK_BYTES) == result.blocks_sent
    assert emu[4].version == (1, 2, 0) and emu[4].fw_state == "idle" and emu[4].previous is None


def test_an_interrupted_transfer_resumes_where_it_stopped(emulated_bus, signing_keys):
    image = make_image(signing_keys)
    total = -(-len(image.body) // reg.BLOCK_BYTES)
    stop_at = random.Random(2026).randrange(1, total - 1)
    emu = emulated_bus({4: "screen"})
    emu[4].faults.silent_after_blocks = stop_at  # the cable comes out after this block
    with RtuLink(emu.port, timeout=2 * REPLY_S) as link:  # only the cable fails
        with pytest.raises(FlashError) as failed:
            flasher(link).flash(4, image)
        assert (failed.value.step, failed.value.code) == ("transfer", "no_reply")
        assert f"第 {stop_at} 块继续" in failed.value.advice
        emu[4].faults.silent, emu[4].faults.silent_after_blocks = False, None
        written_before = emu[4].blocks_written
        result = flasher(link).flash(4, image)
    assert result.resumed_from == stop_at and result.blocks_sent == total - stop_at
    assert emu[4].blocks_written - written_before == total - stop_at  # no block sent twice
    assert emu[4].version == (1, 2, 0)


def test_another_image_does_not_resume_a_stale_transfer(emulated_bus, signing_keys):
    emu = emulated_bus({4: "screen"})
    emu[4].faults.silent_after_blocks = 5
    with RtuLink(emu.port, timeout=REPLY_S) as link:
        with pytest.raises(FlashError):
            flasher(link).flash(4, make_image(signing_keys))
        emu[4].faults.silent, emu[4].faults.silent_after_blocks = False, None
        other = make_image(signing_keys, version=(1, 3, 0))
        result = flasher(link).flash(4, other)
    assert result.resumed_from == 0 and emu[4].version == (1, 3, 0)


def test_a_new_image_that_never_starts_leaves_the_old_version(emulated_bus, signing_keys):
    emu = emulated_bus({4: "screen"})
    emu[4].faults.boot_fails = True
    with RtuLink(emu.port, timeout=REPLY_S) as link:
        with pytest.raises(FlashError) as failed:
            flasher(link).flash(4, make_image(signing_keys))
    assert (failed.value.step, failed.value.code, failed.value.rolled_back) == (
        "confirm", "not_started", True)
    assert emu[4].version == (1, 0, 0) and "1.0.0" in failed.value.advice


def test_a_new_image_that_fails_its_self_test_is_rolled_back(emulated_bus, signing_keys):
    emu = emulated_bus({4: "screen"})
    emu[4].faults.self_test_fails = True
    with RtuLink(emu.port, timeout=REPLY_S) as link:
        with pytest.raises(FlashError) as failed:
            flasher(link).flash(4, make_image(signing_keys))
    assert (failed.value.code, failed.value.rolled_back) == ("self_test", True)
    assert emu[4].version == (1, 0, 0) and emu[4].fw_state == "idle"
    assert emu[4].boot == 3  # booted into the new image, then back into the old one


def test_an_unconfirmed_image_is_reverted_by_the_device_itself(emulated_bus, signing_keys):
    emu = emulated_bus({4: "screen"}, trial_s=0.1)
    image = make_image(signing_keys)
    with RtuLink(emu.port, timeout=REPLY_S) as link:
        f = flasher(link)
        f._confirm = lambda *args: None  # the technician's laptop dies after activation
        f.flash(4, image)

        def version():
            try:
                return link.read(4, reg.COMMON_FW_MAJOR, 3)
            except LinkError:  # rebooting
                return None

        # its trial of 0.1 s runs out unconfirmed: it boots the old image again
        assert eventually(lambda: version() == [1, 0, 0], timeout=10)


@pytest.mark.parametrize("device_type, version, code", [
    (reg.TYPE_CLERK_PAD, (1, 2, 0), "wrong_type"),
    (reg.TYPE_SCREEN, (1, 0, 0), "same_version"),
    (reg.TYPE_SCREEN, (0, 9, 0), "downgrade"),
])
def test_updates_that_make_no_sense_are_refused_before_any_block(emulated_bus, signing_keys,
                                                                 device_type, version, code):
    emu = emulated_bus({4: "screen"})
    with RtuLink(emu.port, timeout=REPLY_S) as link:
        with pytest.raises(FlashError) as failed:
            flasher(link).flash(4, make_image(signing_keys, device_type, version))
    assert (failed.value.step, failed.value.code) == ("identify", code)
    assert emu[4].blocks_written == 0 and emu[4].fw_state == "idle"


def test_a_silent_address_is_reported_as_no_device(emulated_bus, signing_keys):
    emu = emulated_bus({4: "screen"})
    with RtuLink(emu.port, timeout=0.01) as link:
        with pytest.raises(FlashError) as failed:
            flasher(link).flash(5, make_image(signing_keys))
    assert failed.value.code == "no_device" and "hall-flash scan" in failed.value.advice


def write_image(tmp_path, data):
    path = tmp_path / "fw.hsfw"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("damage, code", [
    ("signature", "bad_signature"), ("crc", "bad_crc"), ("truncated", "bad_size"),
])
def test_hall_flash_refuses_a_bad_image_before_a_byte_is_sent(emulated_bus, signing_keys,
                                                              tmp_path, damage, code):
    key, _, pub_path = signing_keys
    if damage == "crc":
        header = fw_image.ImageHeader(1, (1, 2, 0), len(PAYLOAD), 12345)
        body = header.pack() + PAYLOAD
        data = body + key.sign(body)
    else:
        data = bytearray(fw_image.build_image(1, (1, 2, 0), PAYLOAD, key))
        if damage == "signature":
            data[-1] ^= 1
        else:
            data = data[:-200]
    emu = emulated_bus({4: "screen"})
    out = io.StringIO()
    status = main(["device", "--port", emu.port, "--image", write_image(tmp_path, bytes(data)),
                   "--pubkey", str(pub_path), "--id", "4"], out)
    assert status == 3 and f"[verify_image/{code}]" in out.getvalue()
    assert emu.counters["bytes_in"] == 0  # not one byte went on the line


def test_hall_flash_updates_all_devices_of_a_type(emulated_bus, signing_keys, tmp_path):
    key, _, pub_path = signing_keys
    emu = emulated_bus({1: "screen", 2: "clerk_pad", 3: "screen"})
    path = write_image(tmp_path, fw_image.build_image(reg.TYPE_SCREEN, (2, 0, 0), PAYLOAD, key))
    out = io.StringIO()
    status = main(["device", "--port", emu.port, "--image", path, "--pubkey", str(pub_path),
                   "--type", "screen", "--ids", "1-5", "--timeout", str(REPLY_S)], out)
    assert status == 0, out.getvalue()
    assert [emu[i].version for i in (1, 2, 3)] == [(2, 0, 0), (1, 0, 0), (2, 0, 0)]
    assert out.getvalue().count("已升级：1.0.0 → 2.0.0") == 2
