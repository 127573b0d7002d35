"""Fixtures for the deployment tests: the production broker config running for real.

``prod_broker`` is Mosquitto started from Debian's own /etc/mosquitto/mosquitto.conf plus
systemd/mosquitto/hallstack.conf, with only paths and the port rewritten, and the password file
and ACL that hall-broker-config generates from examples/hall.toml. Run as root it drops to user
mosquitto exactly as in production (DESIGN.md §9), so the generated file modes are tested too.
"""

from __future__ import annotations

import os
import pwd
import queue
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from deploy.broker_acl import generate, parse_env
from hallsim.broker import free_port, mosquitto_binary, stop_process

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "systemd"
BROKER_SNIPPET = SYSTEMD / "mosquitto" / "hallstack.conf"
TLS_SNIPPET = SYSTEMD / "mosquitto" / "hallstack-tls.conf"
DEBIAN_MAIN_CONF = Path("/etc/mosquitto/mosquitto.conf")
# Debian 12's /etc/mosquitto/mosquitto.conf, for machines whose mosquitto came from elsewhere.
DEBIAN_MAIN_FALLBACK = """pid_file /run/mosquitto/mosquitto.pid
persistence true
persistence_location /var/lib/mosquitto/
log_dest file /var/log/mosquitto/mosquitto.log
include_dir /etc/mosquitto/conf.d
"""


def rewrite_conf(text: str, replacements: dict[str, str]) -> str:
    """Replace whole directive lines by their leading words; each must occur exactly once,
    so a renamed or removed directive in the shipped file fails the test instead of passing
    silently."""
    lines = text.splitlines()
    for prefix, new in replacements.items():
        hits = [i for i, line in enumerate(lines) if line.split("#")[0].strip().startswith(prefix)]
        assert len(hits) == 1, f"expected one {prefix!r} line, found {len(hits)}"
        lines[hits[0]] = new
    return "\n".join(lines) + "\n"


def _drops_privileges() -> pwd.struct_passwd | None:
    """Mosquitto started as root without a ``user`` line becomes user mosquitto."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("mosquitto")
    except KeyError:
        return None


class ProdBroker:
    """Mosquitto running the production config on 127.0.0.1:port, with generated credentials."""

    def __init__(self, workdir: Path, config_path: Path, tls_host: str | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.tls_port = free_port() if tls_host else None
        self.tls_dir = workdir / "tls"
        self.credentials = workdir / "credentials"
        mq = workdir / "mosquitto"
        self.passwd, self.acl = mq / "passwd", mq / "acl"
        self.data = workdir / "data"
        self.log_path = workdir / "mosquitto.log"
        from wire.config import load_config

        self.config = load_config(config_path)
        self.result = generate(self.config, self.credentials, self.passwd, self.acl,
                               f"mqtts://{tls_host}:{self.tls_port}" if tls_host else
                               "mqtt://hallhub.lan:1883", tls_dir=self.tls_dir)
        user = _drops_privileges()
        self.dropped_to = user.pw_name if user else None
        self.data.mkdir()
        self.log_path.touch()
        if user:  # as /var/lib/mosquitto and /var/log/mosquitto are on a Debian install
            os.chown(self.data, user.pw_uid, user.pw_gid)
            os.chown(self.log_path, user.pw_uid, user.pw_gid)
        confd = workdir / "conf.d"
        confd.mkdir()
        main = DEBIAN_MAIN_CONF.read_text() if DEBIAN_MAIN_CONF.exists() else DEBIAN_MAIN_FALLBACK
        (workdir / "mosquitto.conf").write_text(rewrite_conf(main, {
            "pid_file": f"pid_file {self.data}/mosquitto.pid",
            "persistence_location": f"persistence_location {self.data}/",
            "log_dest": f"log_dest file {self.log_path}",
            "include_dir": f"include_dir {confd}",
        }))
        (confd / "hallstack.conf").write_text(rewrite_conf(BROKER_SNIPPET.read_text(), {
            "listener": f"listener {self.port} 127.0.0.1",
            "password_file": f"password_file {self.passwd}",
            "acl_file": f"acl_file {self.acl}",
        }))
        if tls_host:
            (confd / "hallstack-tls.conf").write_text(rewrite_conf(TLS_SNIPPET.read_text(), {
                "listener": f"listener {self.tls_port} 127.0.0.1",
                "cafile": f"cafile {self.tls_dir}/ca.crt",
                "certfile": f"certfile {self.tls_dir}/broker.crt",
                "keyfile": f"keyfile {self.tls_dir}/broker.key",
            }))
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def env(self, user: str) -> dict[str, str]:
        """The env file hall-broker-config wrote for ``user``."""
        (path,) = (self.credentials / user).glob("*.env")
        return parse_env(path.read_text(), str(path))

    def password(self, user: str) -> str:
        return self.env(user)["HALL_MQTT_PASSWORD"]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(self.workdir / "mosquitto.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}: "
                                   f"{self.process.stderr.read().decode(errors='replace')}"
                                   f"{self.log()[-2000:]}")
            try:
                for port in filter(None, (self.port, self.tls_port)):
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        pass
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"mosquitto did not listen on {self.port}/{self.tls_port}: "
                           f"{self.log()[-2000:]}")

    def stop(self) -> None:
        if self.process:
            stop_process(self.process, 5)
        if self.process and self.process.stderr:
            self.process.stderr.close()


def _workdir() -> Path:
    # Not pytest's tmp_path: its parents are 0700 and Mosquitto, once it is user mosquitto,
    # could not reach the files (exit code 13).
    path = Path(tempfile.mkdtemp(prefix="hallstack-deploy-"))
    os.chmod(path, 0o755)
    return path


@pytest.fixture(scope="module")
def prod_broker():
    """Production-config Mosquitto with examples/hall.toml's users, shared by a module."""
    workdir = _workdir()
    broker = ProdBroker(workdir, ROOT / "examples" / "hall.toml")
    yield broker
    broker.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def tls_broker():
    """Production-config Mosquitto with the TLS listener too; the certificate names only
    ``localhost``, the name the nodes are given (mqtts://localhost:port)."""
    workdir = _workdir()
    broker = ProdBroker(workdir, ROOT / "examples" / "hall.toml", tls_host="localhost")
    yield broker
    broker.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def fresh_prod_broker():
    """Like ``prod_broker``, but for one test (it may stop and restart it)."""
    workdir = _workdir()
    broker = ProdBroker(workdir, ROOT / "examples" / "hall.toml")
    yield broker
    broker.stop()
    shutil.rmtree(workdir, ignore_errors=True)


class Peer:
    """A raw MQTT client acting as one broker user, recording what the broker tells it."""

    def __init__(self, port: int, username: str | None, password: str | None,
                 protocol=mqtt.MQTTv311):
        self.port = port
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"test-{username}-{uuid.uuid4().hex[:6]}",
                                  protocol=protocol)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.messages: queue.Queue = queue.Queue()
        self.connacks: queue.Queue = queue.Queue()
        self.subacks: queue.Queue = queue.Queue()
        self.pubacks: dict[int, object] = {}
        self.client.on_connect = lambda c, u, f, rc, p: self.connacks.put(rc)
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self.subacks.put(list(rcs))
        self.client.on_message = lambda c, u, msg: self.messages.put(
            (msg.topic, msg.payload, msg.retain))
        self.client.on_publish = lambda c, u, mid, rc, p: self.pubacks.__setitem__(mid, rc)

    def connect(self):
        """Connect and return the CONNACK reason code."""
        self.client.connect("127.0.0.1", self.port, keepalive=10)
        self.client.loop_start()
        rc = self.connacks.get(timeout=5)
        if rc.is_failure:
            self.client.loop_stop()
        return rc

    def subscribe(self, topic_filter: str, qos: int = 1) -> list:
        """Subscribe and return the SUBACK reason codes."""
        self.client.subscribe(topic_filter, qos)
        return self.subacks.get(timeout=5)

    def publish(self, topic: str, payload: bytes, retain: bool = False):
        """QoS 1 publish; returns the PUBACK reason code (only MQTT 5 carries a refusal)."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(5)
        assert info.is_published()
        deadline = time.monotonic() + 5
        while info.mid not in self.pubacks and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.pubacks.get(info.mid)

    def receive_until(self, topic: str, payload: bytes, timeout: float = 5.0) -> list:
        """Everything received up to and including (topic, payload); fails if it never comes."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{payload!r} on {topic} never arrived; got {seen}"
            try:
                item = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            seen.append(item)
            if item[0] == topic and item[1] == payload:
                return seen

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def peers():
    """``peers(port, user, password, protocol=…)`` makes a Peer, closed after the test."""
    made: list[Peer] = []

    def make(port, username, password, protocol=mqtt.MQTTv311) -> Peer:
        peer = Peer(port, username, password, protocol)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        try:
            peer.close()
        except Exception:  # noqa: BLE001 - a refused peer has nothing to close
            pass


@pytest.fixture
def hub_on(hall_clock, tmp_path):
    """``hub_on(broker)``: the hub service in-process on a ProdBroker's plain listener, with
    its generated credentials, as on the hub machine; stopped after the test."""
    from hub.service import HubService

    started = []

    def start(broker: ProdBroker) -> HubService:
        hub = HubService(broker.config, str(tmp_path / f"hub-{len(started)}.db"), broker.url,
                         hall_clock, "hub", broker.password("hub"))
        hub.start()
        started.append(hub)
        return hub

    yield start
    for hub in started:
        hub.stop()
