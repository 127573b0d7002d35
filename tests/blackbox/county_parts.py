"""The black-box county: shipped files, real processes, no hallstack import.

A county IT person's steps (docs/county.md, Deployment) on one machine: ``hall-broker-config
county`` writes the county broker's users, ACL, TLS files and each site's bridge; Mosquitto runs
Debian's main config plus the shipped ``systemd/county/mosquitto-county.conf`` with only paths
and ports rewritten, dropping to user mosquitto; PostgreSQL is a private cluster; ``hall-county``
runs as its unit starts it, from ``county.env``. A site is a black-box ``Hall`` whose broker
includes the site's generated ``bridges/{site}.conf`` unmodified. The county database is read
with psycopg (not hallstack's code).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg

from .outside import (
    BIN,
    HALL,
    ROOT,
    debian_conf,
    free_port,
    read_env,
    stop_process,
    wait_for,
)

COUNTY_CONF = ROOT / "systemd" / "county" / "mosquitto-county.conf"
COUNTY_NODE = '\n[[nodes]]\nid = "county"\nrole = "county"\n'


def with_county_node(text: str) -> str:
    """A hall.toml edit: the county's node (role county), as docs/county.md says."""
    return text + COUNTY_NODE


class Postgres:
    """A private PostgreSQL 15 cluster in ``folder`` (run as user postgres: initdb refuses
    root), reached over its unix socket."""

    def __init__(self, folder: Path):
        (self.bin,) = [Path(p).parent for p in sorted(glob.glob(
            "/usr/lib/postgresql/*/bin/initdb"))[-1:]]
        self.dir, self.port = folder, free_port()
        folder.mkdir(mode=0o755)
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(folder, "postgres", "postgres")
        self._run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        self.start()

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        out = subprocess.run(self.as_user + [str(self.bin / tool), *args], capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0 or not check, f"{tool}: {out.stderr[-1500:]}"
        return out

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off",
                  "start")

    def halt(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@/{db}?host={self.dir}&port={self.port}"

    def create(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop",
                  check=False)


class County:
    """The county machine: its broker (shipped conf, generated files), PostgreSQL and, once
    :meth:`start_collector` runs, ``hall-county`` as its unit starts it."""

    def __init__(self, workdir: Path, sites: list[str]):
        self.workdir = workdir
        self.out, self.tls = workdir / "county", workdir / "county-tls"
        self.tls_port, self.local_port = free_port(), free_port()
        self.ca_path = workdir / "county-ca.crt"  # where each site keeps the county's CA
        self.gen = subprocess.run(
            [BIN / "hall-broker-config", "county", "--county",
             f"mqtts://127.0.0.1:{self.tls_port}", "--out", self.out, "--tls-dir", self.tls,
             "--ca", self.ca_path, *[a for s in sites for a in ("--site", s)]],
            capture_output=True, text=True)
        assert self.gen.returncode == 0, self.gen.stderr
        shutil.copy(self.out / "bridges" / "county-ca.crt", self.ca_path)  # docs: the CA goes to every site
        os.chmod(self.ca_path, 0o644)
        self.data, self.log_path = workdir / "county-mq", workdir / "county-mq.log"
        self.start_broker()
        self.pg = Postgres(workdir / "pg")
        self.db = self.pg.create("hallcounty")
        self.collector: subprocess.Popen | None = None
        self.collector_log = workdir / "hall-county.log"

    # -- the county broker -----------------------------------------------------------------
    def start_broker(self) -> None:
        self.data.mkdir(exist_ok=True)
        self.log_path.touch()
        if os.geteuid() == 0:
            shutil.chown(self.data, "mosquitto", "mosquitto")
            shutil.chown(self.log_path, "mosquitto", "mosquitto")
        confd = self.workdir / "county-conf.d"
        confd.mkdir(exist_ok=True)
        (self.workdir / "county-mosquitto.conf").write_text(debian_conf(self.data, self.log_path,
                                                                        confd))
        text = COUNTY_CONF.read_text()
        for old, new in {"listener 8883\n": f"listener {self.tls_port} 127.0.0.1\n",
                         "listener 1883 127.0.0.1\n": f"listener {self.local_port} 127.0.0.1\n",
                         "/etc/mosquitto/county/": f"{self.out}/",
                         "/etc/mosquitto/hallstack/tls/": f"{self.tls}/"}.items():
            assert text.count(old) >= 1, f"no {old!r} in the shipped county conf"
            text = text.replace(old, new)
        (confd / "hallstack-county.conf").write_text(text + "log_type all\n")
        self.broker = subprocess.Popen(
            ["mosquitto", "-c", str(self.workdir / "county-mosquitto.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def listening():
            assert self.broker.poll() is None, (
                f"county mosquitto exited {self.broker.returncode}: "
                f"{self.log_path.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.local_port), timeout=0.2).close()
                return True
            except OSError:
                return False
        wait_for(listening, what="the county broker to listen")

    def stop_broker(self) -> None:
        if self.broker.poll() is None:
            self.broker.terminate()
            self.broker.wait(10)

    def env(self) -> dict[str, str]:
        """county.env as written, with only the local listener's port rewritten."""
        env = read_env(self.out / "county.env")
        env["HALL_BROKER"] = env["HALL_BROKER"].replace(":1883", f":{self.local_port}")
        return env | {"HALL_COUNTY_DB": self.db}

    # -- hall-county as hallstack-county.service starts it ----------------------------------
    def start_collector(self, *extra: str, env: dict | None = None) -> subprocess.Popen:
        full = {**os.environ, **self.env(), **(env or {})}
        log = open(self.collector_log, "ab")
        self.collector = subprocess.Popen(
            [BIN / "hall-county", "run", "--broker", full["HALL_BROKER"], "--db",
             full["HALL_COUNTY_DB"], *extra], env=full, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT)
        log.close()
        return self.collector

    def wait_subscribed(self, timeout: float = 20.0) -> None:
        """Until the county broker logs the collector's subscription (log_type all)."""
        wait_for(lambda: self.log_path.read_text().count("hall/+/resp/county (QoS 1)") > 0,
                 timeout, "hall-county to subscribe")

    def stop_collector(self) -> int | None:
        if self.collector is None:
            return None
        return stop_process(self.collector, 15)

    def rows(self, sql: str, *args) -> list[tuple]:
        with psycopg.connect(self.db) as conn:
            return conn.execute(sql, args).fetchall()

    def landed(self, site: str) -> tuple[int, int]:
        """(events held, highest seq) of ``site``."""
        try:
            (row,) = self.rows("SELECT count(*), coalesce(max(seq), 0) FROM events "
                               "WHERE site = %s", site)
        except psycopg.errors.UndefinedTable:
            return (0, 0)  # hall-county has not made its tables yet
        return row

    def run(self, *argv, env: dict | None = None) -> subprocess.CompletedProcess:
        """A console script (hall-county status, hall-report, hall-county restore), its output;
        hall-county report county's projections cached in this county's folder, not the user's."""
        cache = {"HALL_COUNTY_CACHE": str(self.workdir / "report-cache")}
        return subprocess.run([BIN / argv[0], *argv[1:]], capture_output=True, text=True,
                              env={**os.environ, **cache, **(env or {})}, timeout=120)

    def close(self) -> None:
        self.stop_collector()
        self.stop_broker()
        self.pg.stop()


def bridge_site(county: County, hall, site: str) -> None:
    """Give the site's broker its generated bridge file unmodified, and restart it."""
    shutil.copy(county.out / "bridges" / f"{site}.conf", hall.workdir / "conf.d" / f"{site}.conf")
    hall.broker.stop()
    hall.broker.start()


def wait_landed(county: County, site: str, last: int, timeout: float = 40.0) -> None:
    def done():
        assert county.collector is None or county.collector.poll() is None, (
            f"hall-county exited: {county.collector_log.read_text()[-2000:]}")
        return county.landed(site) == (last, last)
    try:
        wait_for(done, timeout, f"the county to hold {site}'s {last} events")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; held {county.landed(site)}; collector log: "
                             f"{county.collector_log.read_text()[-1500:]}") from None


class SiteUser:
    """A raw paho client as a site's broker user on the county broker (what a hostile or broken
    site can send), written from docs/county.md."""

    def __init__(self, county: County, user: str, client_id: str | None = None):
        import queue

        import paho.mqtt.client as mqtt

        text = (county.out / "bridges" / f"{user}.conf").read_text()
        password = next(ln.split()[1] for ln in text.splitlines()
                        if ln.startswith("remote_password "))
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=client_id or f"forger-{user}")
        self.client.username_pw_set(user, password)
        self.client.tls_set(ca_certs=str(county.ca_path))
        connacks: queue.Queue = queue.Queue()
        self.client.on_connect = lambda c, u, f, rc, p: connacks.put(rc)
        self.client.connect("127.0.0.1", county.tls_port, keepalive=30)
        self.client.loop_start()
        rc = connacks.get(timeout=10)
        assert not rc.is_failure, f"{user}: CONNACK {rc}"

    def publish(self, topic: str, body: dict | bytes) -> None:
        import json

        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.client.publish(topic, raw, qos=1).wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def hub_epoch(hall) -> str:
    (row,) = hall.db_rows("SELECT value FROM meta WHERE key = 'epoch'")
    return row["value"]


def last_seq(hall) -> int:
    (row,) = hall.db_rows("SELECT coalesce(max(seq), 0) AS seq FROM events")
    return row["seq"]


def start_landed(county: County, hall) -> int:
    """Bridge ``hall`` to the county, start its hub and hall-county, take one ticket and wait
    until it lands in PostgreSQL; the hub's last seq."""
    bridge_site(county, hall, HALL)
    hall.start_hub()
    county.start_collector()
    county.wait_subscribed()
    assert hall.node("kiosk-1").request("ticket.take", {"service": "A"})["ok"]
    last = last_seq(hall)
    wait_landed(county, HALL, last)
    return last
