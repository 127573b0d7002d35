"""The hall's own certificate authority and the broker's TLS certificate (``hall-broker-config``
with an ``mqtts://`` broker).

A ``ticket.take`` request carries a resident ID number and a phone number; on a hall LAN shared
with other offices those must not cross in clear, and neither must the nodes' passwords. The
hall needs no public CA: ``ca.crt`` goes to every node beside its env file, and each node checks
the broker's certificate and host name against it.

Files (folder 0750 root:mosquitto):
  * ``ca.key`` 0600: the hall CA's key; never leaves the hub machine;
  * ``ca.crt`` 0644: the hall CA (10 years); copied into every credentials folder;
  * ``broker.key`` 0640 root:mosquitto, ``broker.crt`` 0644: the broker's key and certificate
    for the names the nodes use (825 days). Mosquitto reads them after it drops to its user.

An existing CA is kept (every node trusts it); the broker's certificate is made again only when
its names change or it expires within 30 days.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from deploy.atomic import write_atomic

CA_DAYS, BROKER_DAYS, RENEW_DAYS = 3650, 825, 30


class TlsError(ValueError):
    """The TLS folder cannot give the broker a certificate the nodes will trust."""


@dataclass(frozen=True)
class TlsFiles:
    """Where the CA and the broker's certificate are, and what this run made anew."""

    ca_cert: Path
    broker_cert: Path
    broker_key: Path
    made: tuple[str, ...]  # "ca", "broker"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hallstack"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _alt_names(hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert(subject: x509.Name, issuer: x509.Name, public_key, signer, days: int, now,
          extensions) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=days)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signer, hashes.SHA256())


def make_ca(hall_id: str, now: dt.datetime | None = None):
    """A new hall CA: (key, certificate)."""
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"hallstack {hall_id} CA")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = _cert(name, name, key.public_key(), key, CA_DAYS, now, [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(digital_signature=False, content_commitment=False,
                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                       key_cert_sign=True, crl_sign=True, encipher_only=False,
                       decipher_only=False), True),
        (ski, False)])
    return key, cert


def make_broker_cert(ca_key, ca_cert: x509.Certificate, hosts: list[str],
                     now: dt.datetime | None = None):
    """A new key and certificate for the broker, valid for ``hosts`` (names or addresses)."""
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _cert(_name(hosts[0]), ca_cert.subject, key.public_key(), ca_key, BROKER_DAYS, now, [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.SubjectAlternativeName(_alt_names(hosts)), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)])
    return key, cert


def _broker_cert_fits(path: Path, ca_cert: x509.Certificate, hosts: list[str], now) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    return (cert.issuer == ca_cert.subject and set(names) == set(_alt_names(hosts))
            and cert.not_valid_after_utc - now > dt.timedelta(days=RENEW_DAYS))


def _load_ca(folder: Path):
    try:
        key = serialization.load_pem_private_key((folder / "ca.key").read_bytes(), None)
        cert = x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise TlsError(f"{folder}: the hall CA is damaged ({exc}); move the folder away to make "
                       "a new CA, then give every node its new credentials") from None
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise TlsError(f"{folder}: ca.key does not belong to ca.crt")
    return key, cert


def ensure_tls(folder: Path, hall_id: str, hosts: list[str], gid: int | None = None) -> TlsFiles:
    """Keep or make the hall CA and the broker's certificate for ``hosts`` under ``folder``."""
    if not hosts:
        raise TlsError("the broker's certificate needs at least one host name or address")
    now = dt.datetime.now(dt.UTC)
    made = []
    if (folder / "ca.key").exists() or (folder / "ca.crt").exists():
        ca_key, ca_cert = _load_ca(folder)
    else:
        ca_key, ca_cert = make_ca(hall_id, now)
        made.append("ca")
    folder.mkdir(parents=True, exist_ok=True)
    if gid is not None:
        os.chown(folder, 0, gid)
    os.chmod(folder, 0o750)
    if "ca" in made:
        write_atomic(folder / "ca.key", _key_pem(ca_key), 0o600)
        write_atomic(folder / "ca.crt", ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    if "ca" in made or not _broker_cert_fits(folder / "broker.crt", ca_cert, hosts, now):
        key, cert = make_broker_cert(ca_key, ca_cert, hosts, now)
        write_atomic(folder / "broker.key", _key_pem(key), 0o640, gid)
        write_atomic(folder / "broker.crt", cert.public_bytes(serialization.Encoding.PEM), 0o644)
        made.append("broker")
    return TlsFiles(folder / "ca.crt", folder / "broker.crt", folder / "broker.key", tuple(made))
