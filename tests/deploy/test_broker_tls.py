"""The TLS listener (systemd/mosquitto/hallstack-tls.conf) with the hall CA and broker certificate
hall-broker-config made, on a real Mosquitto: a node reaches the hub over mqtts:// with its
folder's ca.crt; a wrong CA, a wrong host name and plain MQTT on the TLS port get nowhere."""

from __future__ import annotations

import logging
import ssl
import time

import paho.mqtt.client as mqtt
import pytest
from cryptography import x509

from deploy.broker_acl import CA_INSTALLED
from deploy.broker_tls import ensure_tls
from wire.client import HubClient

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def hub(tls_broker, hub_on):
    """The hub as in production: on the plain listener of its own machine."""
    return hub_on(tls_broker)


def node(broker, node_id, url, hall_clock, monkeypatch, ca=None) -> HubClient:
    """A node's client as its unit starts it: credentials and CA from its env file."""
    env = broker.env(node_id)
    assert env["HALL_MQTT_CA"] == CA_INSTALLED  # where the Pi keeps its folder's ca.crt
    monkeypatch.setenv("HALL_MQTT_CA", str(ca or broker.credentials / node_id / "ca.crt"))
    client = HubClient(broker.config, node_id, url, hall_clock,
                       username=env["HALL_MQTT_USERNAME"], password=env["HALL_MQTT_PASSWORD"])
    client.start()
    return client


def test_a_node_takes_a_ticket_over_tls(tls_broker, hub, hall_clock, monkeypatch):
    env = tls_broker.env("kiosk-1")
    assert env["HALL_BROKER"] == f"mqtts://localhost:{tls_broker.tls_port}"
    kiosk = node(tls_broker, "kiosk-1", env["HALL_BROKER"], hall_clock, monkeypatch)
    try:
        assert kiosk.wait_connected(10)
        answer = kiosk.request("ticket.take", {"service": "A"})
        assert answer["ticket"]["no"].startswith("A")
        # every retained state message arrives, though TLS hands several over in one record
        want = {"queue", "board"} | {f"window/{n}" for n in tls_broker.config.windows}
        deadline = time.monotonic() + 5
        while not want <= set(kiosk.state) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert want <= set(kiosk.state), sorted(want - set(kiosk.state))
    finally:
        kiosk.stop()
    assert "ca.crt" in {p.name for p in (tls_broker.credentials / "kiosk-1").iterdir()}


def test_a_certificate_from_another_ca_is_refused(tls_broker, hall_clock, monkeypatch, tmp_path,
                                                  caplog):
    stranger = ensure_tls(tmp_path / "other", "other", ["localhost"])
    caplog.set_level(logging.ERROR, logger="wire.mqtt")
    client = node(tls_broker, "kiosk-1", f"mqtts://localhost:{tls_broker.tls_port}", hall_clock,
                  monkeypatch, ca=stranger.ca_cert)
    try:
        deadline = time.monotonic() + 10
        while "TLS refused" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "certificate verify failed" in caplog.text, caplog.text
        assert not client.connected
    finally:
        client.stop()


def test_a_name_the_certificate_does_not_carry_is_refused(tls_broker, hall_clock, monkeypatch,
                                                          caplog):
    caplog.set_level(logging.ERROR, logger="wire.mqtt")
    client = node(tls_broker, "kiosk-1", f"mqtts://127.0.0.1:{tls_broker.tls_port}", hall_clock,
                  monkeypatch)
    try:
        deadline = time.monotonic() + 10
        while "TLS refused" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "IP address mismatch" in caplog.text or "doesn't match" in caplog.text, caplog.text
        assert not client.connected
    finally:
        client.stop()


def test_plain_mqtt_on_the_tls_port_gets_no_connack(tls_broker):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="plain-on-tls")
    env = tls_broker.env("kiosk-1")
    client.username_pw_set(env["HALL_MQTT_USERNAME"], env["HALL_MQTT_PASSWORD"])
    connacks = []
    client.on_connect = lambda *a: connacks.append(a[3])
    client.connect("127.0.0.1", tls_broker.tls_port, keepalive=5)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not connacks:
        client.loop(0.05)
    client.disconnect()
    assert connacks == []  # the broker waits for a TLS hello, and closes on a CONNECT


def test_the_broker_certificate_names_the_broker_and_chains_to_the_hall_ca(tls_broker):
    ca = x509.load_pem_x509_certificate((tls_broker.tls_dir / "ca.crt").read_bytes())
    cert = x509.load_pem_x509_certificate((tls_broker.tls_dir / "broker.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    cert.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (tls_broker.tls_dir / "ca.key").stat().st_mode & 0o077 == 0  # the CA key: root only
    ssl.create_default_context(cafile=str(tls_broker.tls_dir / "ca.crt"))  # a usable CA file


def test_a_missing_ca_file_is_a_clear_error(tls_broker, hall_clock, monkeypatch, tmp_path):
    monkeypatch.setenv("HALL_MQTT_CA", str(tmp_path / "nowhere.crt"))
    with pytest.raises(ValueError, match="HALL_MQTT_CA .*nowhere.crt"):
        HubClient(tls_broker.config, "kiosk-1", f"mqtts://localhost:{tls_broker.tls_port}",
                  hall_clock)
