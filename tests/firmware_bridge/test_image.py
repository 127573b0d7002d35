"""Firmware images: header encoding, signature and CRC checks."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge import image as fw_image


@given(st.integers(1, 255), st.tuples(*[st.integers(0, 0xFFFF)] * 3),
       st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1),
       st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=16))
def test_header_round_trips(device_type, version, size, crc, built, board):
    header = fw_image.ImageHeader(device_type, version, size, crc, built, board)
    raw = header.pack()
    assert len(raw) == fw_image.HEADER_SIZE and raw[:4] == b"HSFW"
    assert fw_image.parse_header(raw) == header


@given(st.binary(max_size=3000))
def test_signed_image_loads_with_the_halls_key(payload):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    data = fw_image.build_image(1, (2, 0, 1), payload, key)
    image = fw_image.load_image(data, key.public_key())
    assert image.body[fw_image.HEADER_SIZE:] == payload
    assert image.header.version == (2, 0, 1) and image.body_crc == zlib.crc32(image.body)


def test_tampered_payload_is_refused_as_unsigned(signing_keys):
    key, public, _ = signing_keys
    data = bytearray(fw_image.build_image(1, (1, 1, 0), b"\x01" * 500, key))
    data[100] ^= 0x40
    with pytest.raises(fw_image.ImageError) as refused:
        fw_image.load_image(bytes(data), public)
    assert refused.value.code == "bad_signature"


def test_another_halls_key_is_refused(signing_keys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, public, _ = signing_keys
    data = fw_image.build_image(1, (1, 1, 0), b"x" * 64, Ed25519PrivateKey.generate())
    with pytest.raises(fw_image.ImageError) as refused:
        fw_image.load_image(data, public)
    assert refused.value.code == "bad_signature"


def test_a_signed_image_with_a_wrong_crc_is_refused(signing_keys):
    key, public, _ = signing_keys
    payload = b"firmware" * 40
    header = fw_image.ImageHeader(1, (1, 2, 0), len(payload), zlib.crc32(payload) ^ 1)
    body = header.pack() + payload
    with pytest.raises(fw_image.ImageError) as refused:
        fw_image.load_image(body + key.sign(body), public)
    assert refused.value.code == "bad_crc"


@pytest.mark.parametrize("mutate, code", [
    (lambda d: d[:100], "bad_size"),
    (lambda d: b"XXXX" + d[4:], "bad_magic"),
    (lambda d: d[:4] + b"\x09" + d[5:], "bad_header"),
])
def test_broken_files_are_refused(signing_keys, mutate, code):
    key, public, _ = signing_keys
    data = fw_image.build_image(2, (1, 0, 1), b"\xAA" * 300, key)
    with pytest.raises(fw_image.ImageError) as refused:
        fw_image.load_image(mutate(data), public)
    assert refused.value.code == code


def test_a_header_with_a_wrong_payload_size_is_refused():
    header = fw_image.ImageHeader(1, (1, 0, 0), 10, zlib.crc32(b"12345"))
    with pytest.raises(fw_image.ImageError) as refused:
        fw_image.check_body(header.pack() + b"12345")
    assert refused.value.code == "bad_size"


def test_keys_are_never_overwritten(tmp_path):
    key_path, pub_path = fw_image.generate_keys(tmp_path)
    assert key_path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        fw_image.generate_keys(tmp_path)
    with pytest.raises(ValueError):
        fw_image.load_public_key(key_path)
    assert struct.calcsize(">4sBBHHHHHIII16s") <= fw_image.HEADER_SIZE
