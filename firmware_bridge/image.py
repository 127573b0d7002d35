"""Firmware images for hallstack's peripherals: a 64-byte header, the payload, an Ed25519 signature.

Layout (all integers big-endian; docs/firmware-update.md has the table)::

    header  64 bytes  magic "HSFW", format 1, device type, header size 64, version major/minor/
                      patch, payload size, payload CRC-32, build time, board name (16 bytes)
    payload n bytes   what the peripheral's bootloader writes to its flash
    signature 64      Ed25519 over header + payload, by the hall's firmware key

The peripheral receives header + payload (the *body*) and checks the header and the CRC itself;
it cannot check the signature (it holds no key), so ``hall-flash`` refuses an image whose
signature or CRC is wrong before a single byte goes on the bus.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"HSFW"
FORMAT = 1
HEADER_SIZE = 64
SIGNATURE_SIZE = 64
_HEADER = struct.Struct(">4sBBHHHHHIII16s")  # 44 bytes, zero padding up to HEADER_SIZE


class ImageError(ValueError):
    """An image that must not be flashed; ``code`` is stable, the message says what is wrong."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class ImageHeader:
    """The fields of an image header."""

    device_type: int
    version: tuple[int, int, int]
    payload_size: int
    payload_crc: int
    build_time: int = 0
    board: str = ""

    def pack(self) -> bytes:
        """The 64 header bytes."""
        board = self.board.encode("ascii")
        if len(board) > 16:
            raise ImageError("bad_header", f"board name {self.board!r} is over 16 ASCII bytes")
        for part in self.version:
            if not 0 <= part <= 0xFFFF:
                raise ImageError("bad_header", f"version part {part} is not 0–65535")
        raw = _HEADER.pack(MAGIC, FORMAT, self.device_type, HEADER_SIZE, *self.version, 0,
                           self.payload_size, self.payload_crc, self.build_time, board)
        return raw.ljust(HEADER_SIZE, b"\x00")

    @property
    def version_text(self) -> str:
        """The version as ``major.minor.patch``."""
        return ".".join(str(p) for p in self.version)


@dataclass(frozen=True)
class FirmwareImage:
    """A checked image: its header, the body sent to the device, and the body's CRC-32."""

    header: ImageHeader
    body: bytes

    @property
    def body_crc(self) -> int:
        """CRC-32 of the body, the number the device checks the whole transfer against."""
        return zlib.crc32(self.body)


def parse_header(body: bytes) -> ImageHeader:
    """Parse and check the header of an image body (the device side does this too)."""
    if len(body) < HEADER_SIZE:
        raise ImageError("bad_header", f"image is {len(body)} bytes, shorter than its header")
    (magic, fmt, device_type, size, major, minor, patch, _reserved, payload_size, payload_crc,
     build_time, board) = _HEADER.unpack_from(body)
    if magic != MAGIC:
        raise ImageError("bad_magic", "not a hallstack firmware image (no HSFW magic)")
    if fmt != FORMAT or size != HEADER_SIZE:
        raise ImageError("bad_header", f"image format {fmt}/{size} is not {FORMAT}/{HEADER_SIZE}")
    try:
        board_name = board.rstrip(b"\x00").decode("ascii")
    except UnicodeDecodeError:
        raise ImageError("bad_header", "board name is not ASCII") from None
    return ImageHeader(device_type, (major, minor, patch), payload_size, payload_crc, build_time,
                       board_name)


def check_body(body: bytes) -> ImageHeader:
    """Check an image body's header, size and payload CRC; return its header."""
    header = parse_header(body)
    if len(body) != HEADER_SIZE + header.payload_size:
        raise ImageError("bad_size", f"header says {header.payload_size} payload bytes, image "
                                     f"holds {len(body) - HEADER_SIZE}")
    if zlib.crc32(body[HEADER_SIZE:]) != header.payload_crc:
        raise ImageError("bad_crc", "payload CRC-32 does not match the header: corrupt image")
    return header


def build_image(device_type: int, version: tuple[int, int, int], payload: bytes, private_key,
                build_time: int = 0, board: str = "") -> bytes:
    """A signed image file for ``payload``; ``private_key`` is an Ed25519PrivateKey."""
    header = ImageHeader(device_type, tuple(version), len(payload), zlib.crc32(payload),
                         build_time, board)
    body = header.pack() + payload
    return body + private_key.sign(body)


def load_image(data: bytes, public_key) -> FirmwareImage:
    """Check a signed image file against the hall's public key; return it or raise ImageError."""
    from cryptography.exceptions import InvalidSignature

    if len(data) < HEADER_SIZE + SIGNATURE_SIZE:
        raise ImageError("bad_size", f"image file is {len(data)} bytes: too short to be signed")
    body, signature = data[:-SIGNATURE_SIZE], data[-SIGNATURE_SIZE:]
    header = parse_header(body)
    if len(data) != HEADER_SIZE + header.payload_size + SIGNATURE_SIZE:
        raise ImageError("bad_size", f"image file is {len(data)} bytes, its header says "
                         f"{HEADER_SIZE + header.payload_size + SIGNATURE_SIZE}: incomplete copy")
    try:
        public_key.verify(signature, body)
    except InvalidSignature:
        raise ImageError("bad_signature", "the image is not signed by this hall's firmware key"
                         ) from None
    return FirmwareImage(check_body(body), body)


def generate_keys(directory: str | os.PathLike) -> tuple[Path, Path]:
    """Create the hall's firmware signing key pair: ``firmware.key`` (0600) and ``firmware.pub``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    key_path, pub_path = folder / "firmware.key", folder / "firmware.pub"
    if key_path.exists():
        raise FileExistsError(f"{key_path} exists; refusing to replace a hall's signing key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    pub_path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_path, pub_path


def load_private_key(path: str | os.PathLike):
    """Read an Ed25519 private key (PEM); ValueError when it is something else."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key(path: str | os.PathLike):
    """Read an Ed25519 public key (PEM); ValueError when it is something else."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    return key
