"""The black-box hall: shipped files, real processes, and parties that share no code with hallstack.

Nothing here imports hallstack's packages. The hall is set up the way a technician does it:
``hall-broker-config`` (the console script) writes the password file, the ACL and each user's env
file from a copy of examples/hall.toml; Mosquitto runs Debian's main config plus the shipped
``systemd/mosquitto/hallstack.conf`` with only paths and the port rewritten (as root it drops to
user mosquitto, as in production); ``hall-hub`` runs as its unit would, with ``hub.env``. Tests talk
to the hub with ``RawNode``, a paho client written here, or with mosquitto_pub/mosquitto_rr, and
judge by what a node receives on the wire and by the SQLite file read with ``sqlite3``.
"""

from __future__ import annotations

import json
import os
import pwd
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "examples" / "hall.toml"
SNIPPET = ROOT / "systemd" / "mosquitto" / "hallstack.conf"
DEBIAN_CONF = Path("/etc/mosquitto/mosquitto.conf")
HALL = "demo"  # examples/hall.toml's [hall] id
MONDAY_10 = "2026-11-23T10:00:00+08:00"  # the hall is open whatever the real time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rewrite(text: str, lines: dict[str, str]) -> str:
    """Replace whole directive lines by their first word; each must occur exactly once."""
    out = text.splitlines()
    for word, new in lines.items():
        hits = [i for i, ln in enumerate(out) if ln.split("#")[0].split()[:1] == [word]]
        assert len(hits) == 1, f"expected one {word!r} line in the shipped config, found {len(hits)}"
        out[hits[0]] = new
    return "\n".join(out) + "\n"


def debian_conf(data: Path, log: Path, confd: Path) -> str:
    """Debian's mosquitto.conf with its pid file, persistence and log in ``data``/``log`` and
    its include_dir at ``confd``."""
    return rewrite(DEBIAN_CONF.read_text(), {
        "pid_file": f"pid_file {data}/mosquitto.pid",
        "persistence_location": f"persistence_location {data}/",
        "log_dest": f"log_dest file {log}",
        "include_dir": f"include_dir {confd}",
    })


def read_env(path: Path) -> dict[str, str]:
    """A systemd EnvironmentFile as written by hall-broker-config (KEY=value lines)."""
    env = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip().strip('"')
    return env


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> int:
    """SIGTERM as systemd stops a unit, SIGKILL after ``timeout`` s; the exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def poll(predicate, timeout: float, every: float = 0.01):
    """Look at ``predicate`` every ``every`` s until it returns something truthy (that value) or
    ``timeout`` s have passed (its last answer). For what an outsider can only look at, not be
    told of (an HTTP status, a log file, a database row): the sleep is the interval between two
    looks, never a guess at how long something takes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return predicate()


def wait_for(predicate, timeout: float = 10.0, what: str = "condition", every: float = 0.01):
    """:func:`poll`, failing the test naming ``what`` when the time is up."""
    value = poll(predicate, timeout, every)
    assert value, f"timed out after {timeout} s waiting for {what}"
    return value


class Broker:
    """Mosquitto from Debian's main config and the shipped hallstack.conf, on a free port."""

    def __init__(self, workdir: Path, passwd: Path, acl: Path, port: int, extra: str = ""):
        self.workdir, self.port = workdir, port
        self.data, self.log_path = workdir / "mosquitto-data", workdir / "mosquitto.log"
        self.data.mkdir(exist_ok=True)
        self.log_path.touch()
        if os.geteuid() == 0:  # /var/lib/mosquitto and its log belong to mosquitto on Debian
            user = pwd.getpwnam("mosquitto")
            os.chown(self.data, user.pw_uid, user.pw_gid)
            os.chown(self.log_path, user.pw_uid, user.pw_gid)
        confd = workdir / "conf.d"
        confd.mkdir(exist_ok=True)
        (workdir / "mosquitto.conf").write_text(debian_conf(self.data, self.log_path, confd))
        self.process: subprocess.Popen | None = None
        for _ in range(5):  # a port free a moment ago may be taken by another test's broker
            (confd / "hallstack.conf").write_text(rewrite(SNIPPET.read_text(), {
                "listener": f"listener {self.port} 127.0.0.1",
                "password_file": f"password_file {passwd}",
                "acl_file": f"acl_file {acl}",
            }) + extra)
            try:
                self.start()
                return
            except AssertionError:
                if "Address already in use" not in self.log_path.read_text(errors="replace"):
                    raise
                self.log_path.write_text("")
                self.port = free_port()
        raise AssertionError(f"mosquitto found no free port: {self.log_path.read_text()}")

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.workdir / "mosquitto.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def listening():
            assert self.process.poll() is None, (
                f"mosquitto exited {self.process.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                return False
        wait_for(listening, what="mosquitto to listen")

    def stop(self) -> None:
        if self.process:
            stop_process(self.process, 5)


class RawNode:
    """A node as an outsider writes one: paho, JSON by hand, the wire contract from the docs."""

    def __init__(self, hall: Hall, user: str, subscribe: tuple[str, ...] = (),
                 client_id: str | None = None, password: str | None = None):
        self.hall, self.user = hall, user
        self.client_id = client_id or f"bb-{user}-{uuid.uuid4().hex[:8]}"
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id)
        self.client.username_pw_set(user, password if password is not None
                                    else hall.password(user))
        self.messages: queue.Queue = queue.Queue()
        self.replies: dict[str, dict] = {}
        self.events: list[dict] = []
        self.retained: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._subacks: queue.Queue = queue.Queue()
        self._connacks: queue.Queue = queue.Queue()
        self.disconnects: list = []
        self.client.on_connect = lambda c, u, f, rc, p: self._connacks.put(rc)
        self.client.on_disconnect = lambda c, u, f, rc, p: self.disconnects.append(rc)
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self._subacks.put(list(rcs))
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", hall.broker.port, keepalive=30)
        self.client.loop_start()
        rc = self._connacks.get(timeout=10)
        assert not rc.is_failure, f"{user}: CONNACK {rc}"
        self.subscribe(f"hall/{HALL}/resp/{user}", *subscribe)

    def subscribe(self, *filters: str) -> None:
        """Subscribe and wait for the SUBACK (so nothing published after this is missed)."""
        for topic in filters:
            self.client.subscribe(topic, 1)
            codes = self._subacks.get(timeout=10)
            assert all(not c.is_failure for c in codes), f"{self.user}: SUBACK {codes} for {topic}"

    def _on_message(self, client, userdata, msg) -> None:
        try:
            payload = json.loads(msg.payload) if msg.payload else None
        except ValueError:
            payload = {"_raw": msg.payload}
        with self._lock:
            if msg.topic.startswith(f"hall/{HALL}/resp/") and isinstance(payload, dict):
                self.replies[str(payload.get("id"))] = payload
            elif "/event/" in msg.topic:
                self.events.append({"kind": msg.topic.rsplit("/", 1)[1], **(payload or {})})
            if msg.retain or "/state/" in msg.topic or msg.topic.endswith("/status"):
                self.retained[msg.topic] = payload
        self.messages.put((msg.topic, payload, msg.retain))

    def send(self, op: str, args: dict | None = None, *, ttl_ms: int = 10000,
             rid: str | None = None, raw: bytes | None = None) -> str:
        """Publish one request at QoS 0 (as the contract says); returns its id."""
        rid = rid or uuid.uuid4().hex
        body = raw if raw is not None else json.dumps(
            {"id": rid, "op": op, "args": args or {}, "ttl_ms": ttl_ms}).encode()
        self.client.publish(f"hall/{HALL}/req/{self.user}", body, qos=0)
        return rid

    def reply(self, rid: str, timeout: float = 10.0) -> dict:
        return wait_for(lambda: self.replies.get(rid), timeout, f"{self.user}'s reply to {rid}")

    def request(self, op: str, args: dict | None = None, *, timeout: float = 10.0,
                resend_s: float = 1.0, **kw) -> dict:
        """Send, re-send with the same id until answered (as a node does), return the reply."""
        rid = self.send(op, args, **kw)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return wait_for(lambda: self.replies.get(rid), min(resend_s, deadline -
                                time.monotonic()), "reply")
            except AssertionError:
                self.send(op, args, rid=rid, **kw)
        raise AssertionError(f"no reply to {op} {args} within {timeout} s")

    def events_of(self, kind: str) -> list[dict]:
        with self._lock:
            return [e for e in self.events if e["kind"] == kind]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Hall:
    """One hall as installed: hall.toml, generated credentials, the shipped broker, hall-hub."""

    def __init__(self, workdir: Path, toml_edit=None):
        self.workdir = workdir
        self.config = workdir / "hall.toml"
        text = EXAMPLE.read_text()
        self.config.write_text(toml_edit(text) if toml_edit else text)
        self.credentials = workdir / "credentials"
        mq = workdir / "mq"
        mq.mkdir(mode=0o755)
        self.passwd, self.acl = mq / "passwd", mq / "acl"
        self.port = free_port()
        subprocess.run([BIN / "hall-broker-config", "--config", self.config,
                        "--broker", f"mqtt://127.0.0.1:{self.port}",
                        "--hub-broker", f"mqtt://127.0.0.1:{self.port}",
                        "--credentials", self.credentials, "--passwd", self.passwd,
                        "--acl", self.acl], check=True, capture_output=True)
        self.broker = Broker(workdir, self.passwd, self.acl, self.port)
        self.hubs: list[subprocess.Popen] = []
        self.nodes: list[RawNode] = []

    def env(self, user: str) -> dict[str, str]:
        (path,) = (self.credentials / user).glob("*.env")
        # the broker may have moved off the port hall-broker-config was told (Broker.__init__)
        return {**read_env(path), "HALL_BROKER": self.broker.url}

    def password(self, user: str) -> str:
        return self.env(user)["HALL_MQTT_PASSWORD"]

    def start_hub(self, db: Path | None = None, *args: str, env: dict | None = None,
                  wait: bool = True, log_name: str = "hub",
                  clock: str | None = MONDAY_10) -> subprocess.Popen:
        """``hall-hub`` as hallstack-hub.service starts it (plus ``--clock`` unless ``clock`` is
        None: then the system clock, e.g. under libfaketime); waits until it answers unless
        ``wait`` is false."""
        db = db or self.workdir / "hall.db"
        if clock is not None:
            args = ("--clock", clock, *args)
        full_env = {**os.environ, **self.env("hub"), **(env or {})}
        log = open(self.workdir / f"{log_name}.log", "ab")
        proc = subprocess.Popen(
            [BIN / "hall-hub", "--config", self.config, "--broker", self.broker.url,
             "--db", db, *args], env=full_env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT)
        log.close()
        proc.log_path = self.workdir / f"{log_name}.log"  # type: ignore[attr-defined]
        self.hubs.append(proc)
        if wait:
            self.wait_serving(proc)
        return proc

    def wait_serving(self, proc: subprocess.Popen, timeout: float = 20.0) -> dict:
        """Wait until the hub answers: an unknown op from admin-1 gets its refusal."""
        admin = self.node("admin-1")

        def answered():
            assert proc.poll() is None, (f"hall-hub exited {proc.returncode}: "
                                         f"{proc.log_path.read_text()[-3000:]}")
            rid = admin.send("no.such.op", {}, ttl_ms=2000)
            try:
                return admin.reply(rid, timeout=0.5)
            except AssertionError:
                return None
        return wait_for(answered, timeout, "the hub to answer")

    def node(self, user: str, *subscribe: str) -> RawNode:
        """A raw client for ``user`` (shared per user when it subscribes to nothing extra)."""
        if not subscribe:
            for n in self.nodes:
                if n.user == user and n.extra == ():
                    return n
        n = RawNode(self, user, subscribe)
        n.extra = subscribe  # type: ignore[attr-defined]
        self.nodes.append(n)
        return n

    def db_rows(self, sql: str, *params, db: Path | None = None) -> list[dict]:
        """Rows of the hub's SQLite file, opened read-only with Python's own sqlite3."""
        with sqlite3.connect(f"file:{db or self.workdir / 'hall.db'}?mode=ro", uri=True) as c:
            c.row_factory = sqlite3.Row
            return [dict(r) for r in c.execute(sql, params)]

    def close(self) -> None:
        for n in self.nodes:
            n.close()
        for proc in self.hubs:
            if proc.poll() is None:
                try:
                    proc.send_signal(signal.SIGCONT)
                    proc.terminate()
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.broker.stop()
