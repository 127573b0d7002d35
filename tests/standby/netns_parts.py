"""A standby hall in network namespaces, built only from outside parts (no hallstack import).

Machines (one namespace each) on one LAN (a bridge in a switch namespace): hub A and hub B
(each: an etcd member, Mosquitto with the shipped config, keepalived holding the nodes'
floating address, ``hall-hub standby run``), a witness W (the third etcd member). The test
process itself is the nodes' machine: a veth from the root namespace into the LAN, and raw paho
clients that reach the broker at the floating address, as a Pi node would.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import pwd
import random
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path

from tests.blackbox.outside import (  # wait_for: the standby tests import it from here
    BIN,
    EXAMPLE,
    ROOT,
    SNIPPET,
    debian_conf,
    read_env,
    rewrite,
    wait_for,
)
from tests.standby.netns_node import HALL, Node

MONDAY_10 = "2026-11-23T10:00:00+08:00"
ETCD = shutil.which("etcd") or "/usr/bin/etcd"
KEEPALIVED = shutil.which("keepalived") or "/usr/sbin/keepalived"


@functools.cache
def can_run() -> str | None:
    """Why this machine cannot build the hall (None: it can)."""
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs as root)"
    for tool in (ETCD, KEEPALIVED, shutil.which("ip") or "/sbin/ip"):
        if not os.path.exists(tool):
            return f"{tool} is not installed (setup.sh installs etcd-server and keepalived)"
    probe = f"sbprobe{os.getpid()}"
    made = sh("ip", "netns", "add", probe, check=False)
    sh("ip", "netns", "del", probe, check=False)
    if made.returncode != 0:
        return f"cannot make a network namespace here: {made.stderr.strip()[:200]}"
    return None


def sh(*cmd: str, ns: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    full = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
    return subprocess.run(full, check=check, capture_output=True, text=True)


class Lan:
    """The switch namespace with its bridge, and the root namespace's port on it."""

    def __init__(self):
        self.tag = f"sb{os.getpid() % 1000}{random.randrange(100, 1000)}"
        # 198.18.0.0/15 is set aside for network tests (RFC 2544): no real LAN is shadowed
        self.net = f"198.{random.choice((18, 19))}.{random.randrange(0, 256)}"
        self.sw = f"{self.tag}sw"
        self.namespaces = [self.sw]
        sh("ip", "netns", "add", self.sw)
        sh("ip", "link", "add", "br0", "type", "bridge", ns=self.sw)
        sh("ip", "link", "set", "br0", "up", ns=self.sw)
        self.root_if = f"{self.tag}n"
        self.ports: dict[str, str] = {}
        self._plug(None, self.root_if, f"{self.net}.10")

    def addr(self, host: int) -> str:
        return f"{self.net}.{host}"

    def machine(self, name: str, host: int) -> str:
        """A namespace with one port on the LAN at .host; returns the namespace's name."""
        ns = f"{self.tag}{name}"
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
        self._plug(ns, "eth0", self.addr(host))
        return ns

    def _plug(self, ns: str | None, inside: str, address: str) -> None:
        port = f"p{len(self.ports)}{self.tag}"[:15]
        tmp = f"t{len(self.ports)}{self.tag}"[:15]
        sh("ip", "link", "add", tmp, "type", "veth", "peer", "name", port)
        sh("ip", "link", "set", port, "netns", self.sw)
        if ns is not None:
            sh("ip", "link", "set", tmp, "netns", ns)
        sh("ip", "link", "set", tmp, "name", inside, ns=ns)
        sh("ip", "addr", "add", f"{address}/24", "dev", inside, ns=ns)
        sh("ip", "link", "set", inside, "up", ns=ns)
        sh("ip", "link", "set", port, "master", "br0", ns=self.sw)
        sh("ip", "link", "set", port, "up", ns=self.sw)
        self.ports[ns or "root"] = port

    def unplug(self, ns: str) -> None:
        """Drop the machine's link (its port on the switch goes down)."""
        sh("ip", "link", "set", self.ports[ns], "down", ns=self.sw)

    def plug_again(self, ns: str) -> None:
        sh("ip", "link", "set", self.ports[ns], "up", ns=self.sw)

    def close(self) -> None:
        sh("ip", "link", "del", self.root_if, check=False)
        for ns in self.namespaces:
            kill_all(ns)
            sh("ip", "netns", "del", ns, check=False)


def kill_all(ns: str) -> None:
    """Every process in the namespace, at once: what pulling the power does to them."""
    pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


class StandbyHall:
    """Credentials, hall.toml with [standby], and the machines' processes."""

    def __init__(self, workdir: Path, ttl_s: int = 3):
        self.workdir = workdir
        self.lan = Lan()
        self.ns = {"hub-a": self.lan.machine("a", 1), "hub-b": self.lan.machine("b", 2),
                   "witness": self.lan.machine("w", 3)}
        self.ip = {"hub-a": self.lan.addr(1), "hub-b": self.lan.addr(2),
                   "witness": self.lan.addr(3)}
        self.vip = self.lan.addr(100)
        self.config = workdir / "hall.toml"
        etcd = ", ".join(f'"http://{ip}:2379"' for ip in self.ip.values())
        self.config.write_text(EXAMPLE.read_text() + f"""
[standby]
etcd = [{etcd}]
lease_ttl_s = {ttl_s}
ack_timeout_s = 1.0
floating_address = "{self.vip}/24"
interface = "eth0"

[standby.machines]
hub-a = "{self.ip['hub-a']}"
hub-b = "{self.ip['hub-b']}"
""")
        self.credentials = workdir / "credentials"
        mq = workdir / "mq"
        mq.mkdir(mode=0o755)
        self.passwd, self.acl = mq / "passwd", mq / "acl"
        subprocess.run([BIN / "hall-broker-config", "--config", self.config,
                        "--broker", f"mqtt://{self.vip}:1883",
                        "--hub-broker", "mqtt://127.0.0.1:1883",
                        "--credentials", self.credentials, "--passwd", self.passwd,
                        "--acl", self.acl], check=True, capture_output=True)
        self.procs: dict[str, list[subprocess.Popen]] = {}
        self.hubs: dict[str, subprocess.Popen] = {}
        self.brokers: dict[str, subprocess.Popen] = {}
        self.nodes: list[Node] = []
        self.disks: dict[str, tuple[Path, str]] = {}  # machine -> (mount point, loop device)
        self.flash_cards()

    # -- processes -------------------------------------------------------------------------
    def spawn(self, machine: str, name: str, cmd: list, env: dict | None = None):
        log = open(self.workdir / f"{machine}-{name}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(["ip", "netns", "exec", self.ns[machine], *map(str, cmd)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        log.close()
        self.procs.setdefault(machine, []).append(proc)
        return proc

    def flash_cards(self) -> None:
        """Each machine's card as ``hall-flash node`` writes it (role standby or witness): its
        etcd.env is the member's shipped settings."""
        for m in self.ip:
            card = self.workdir / m / "card"
            card.mkdir(parents=True, exist_ok=True)
            subprocess.run([BIN / "hall-flash", "node", "--target", card, "--node", m,
                            "--role", "witness" if m == "witness" else "standby",
                            "--config", self.config], check=True, capture_output=True)

    def start_etcd(self, only: str | None = None, wait: bool = True) -> None:
        """The three members (or ``only`` one, back after a power cut: its data is kept), each
        with its card's etcd.env as hallstack-etcd.service reads it; only the data folder is
        this test's (the shipped one is the machine's /var/lib)."""
        for m in self.ip:
            if only not in (None, m):
                continue
            folder = self.workdir / m
            env = read_env(folder / "card" / "hallstack" / "etcd.env")
            self.spawn(m, "etcd", [ETCD], {**env, "ETCD_DATA_DIR": str(folder / "etcd")})
        for m, ip in self.ip.items():
            if wait and only in (None, m):
                wait_for(lambda ip=ip: etcd_healthy(ip), 30, f"etcd at {ip}")

    def start_broker(self, machine: str) -> None:
        folder = self.workdir / machine / "mosquitto"
        data, logf = folder / "data", folder / "mosquitto.log"
        data.mkdir(parents=True, exist_ok=True)
        logf.touch()
        user = pwd.getpwnam("mosquitto")
        os.chown(data, user.pw_uid, user.pw_gid)
        os.chown(logf, user.pw_uid, user.pw_gid)
        confd = folder / "conf.d"
        confd.mkdir(exist_ok=True)
        (folder / "mosquitto.conf").write_text(debian_conf(data, logf, confd))
        (confd / "hallstack.conf").write_text(rewrite(SNIPPET.read_text(), {
            "password_file": f"password_file {self.passwd}",
            "acl_file": f"acl_file {self.acl}"}))
        self.brokers[machine] = self.spawn(machine, "mosquitto",
                                           ["mosquitto", "-c", folder / "mosquitto.conf"])
        wait_for(lambda: sh("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/1883", ns=self.ns[machine],
                            check=False).returncode == 0, 10, f"{machine}'s broker")

    def start_keepalived(self, machine: str) -> None:
        folder = self.workdir / machine
        flag = folder / "run" / f"{HALL}.serving"
        conf = folder / "keepalived.conf"
        # the shipped template (systemd/standby/keepalived.conf), with this machine's paths
        text = (ROOT / "systemd" / "standby" / "keepalived.conf").read_text()
        conf.write_text(text.replace("@ROUTER@", machine).replace("@FLAG@", str(flag))
                        .replace("@INTERFACE@", "eth0").replace("@VIP@", f"{self.vip}/24")
                        .replace("@VRID@", "27"))
        self.spawn(machine, "keepalived", [KEEPALIVED, "--dont-fork", "--log-console", "-P",
                                           "-f", conf, "-p", folder / "keepalived.pid",
                                           "-r", folder / "vrrp.pid"])

    def start_hub(self, machine: str) -> subprocess.Popen:
        env = {**read_env(next((self.credentials / "hub").glob("*.env"))),
               "PYTHONPATH": str(ROOT)}
        folder = self.workdir / machine
        self.hubs[machine] = self.spawn(machine, "hub", [
            BIN / "hall-hub", "standby", "run", "--machine", machine, "--config", self.config,
            "--broker", "mqtt://127.0.0.1:1883", "--db", self.db(machine),
            "--run-dir", folder / "run", "--clock", MONDAY_10], env)
        return self.hubs[machine]

    def own_disk(self, machine: str) -> None:
        """Put the machine's database on its own small ext4 disk (a loop device) mounted with
        errors=remount-ro, as a Pi's SD card is; :meth:`disk_fails` makes the kernel turn it
        read-only. Before the machine starts."""
        folder = self.workdir / machine
        folder.mkdir(exist_ok=True)
        image, mnt = folder / "disk.img", folder / "disk"
        with open(image, "wb") as f:
            f.truncate(32 * 1024 * 1024)
        sh("mkfs.ext4", "-q", str(image))
        mnt.mkdir()
        device = sh("losetup", "--find", "--show", str(image)).stdout.strip()
        sh("mount", "-o", "errors=remount-ro", device, str(mnt))
        self.disks[machine] = (mnt, device)

    def disk_fails(self, machine: str) -> None:
        """An ext4 error on the machine's disk: the kernel remounts it read-only at once."""
        _, device = self.disks[machine]
        Path(f"/sys/fs/ext4/{Path(device).name}/trigger_fs_error").write_text("1\n")

    def start_machine(self, machine: str) -> None:
        self.start_broker(machine)
        self.start_keepalived(machine)
        self.start_hub(machine)

    def power_on(self, machine: str) -> None:
        """The machine boots again: its link, its etcd member, broker, keepalived and hub."""
        self.lan.plug_again(self.ns[machine])
        self.start_etcd(only=machine)
        self.start_machine(machine)

    def freeze(self, machine: str, thaw: bool = False) -> None:
        """Every process of the machine stopped (SIGSTOP) where it stands, its link up: what a
        kernel hang or a stalled SD card looks like from outside; ``thaw`` lets them go on."""
        pids = sh("ip", "netns", "pids", self.ns[machine], check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGCONT if thaw else signal.SIGSTOP)
            except (ProcessLookupError, ValueError):
                pass

    def restart_broker(self, machine: str) -> None:
        """The machine's Mosquitto stopped as systemd stops it (SIGTERM) and started again."""
        broker = self.brokers[machine]
        broker.terminate()
        broker.wait(10)
        self.start_broker(machine)

    def hub_process(self, machine: str) -> subprocess.Popen:
        """The machine's ``hall-hub standby run`` as last started (``ip netns exec`` execs it)."""
        return self.hubs[machine]

    def power_off(self, machine: str) -> None:
        """Kill every process in its namespace and drop its link."""
        kill_all(self.ns[machine])
        self.lan.unplug(self.ns[machine])
        for proc in self.procs.get(machine, []):
            proc.wait(10)

    def cut(self, m1: str, m2: str, heal: bool = False) -> None:
        """Cut (or heal) the link between two machines only: each drops what it would send the
        other; both still reach the nodes and the witness."""
        verb = "del" if heal else "add"
        sh("ip", "route", verb, "blackhole", f"{self.ip[m2]}/32", ns=self.ns[m1])
        sh("ip", "route", verb, "blackhole", f"{self.ip[m1]}/32", ns=self.ns[m2])

    def log(self, machine: str, name: str = "hub") -> str:
        return (self.workdir / f"{machine}-{name}.log").read_text(errors="replace")

    # -- what the machines say -------------------------------------------------------------
    def etcd_get(self, key: str) -> str | None:
        for ip in self.ip.values():
            try:
                body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
                req = urllib.request.Request(f"http://{ip}:2379/v3/kv/range", data=body)
                with urllib.request.urlopen(req, timeout=1) as resp:
                    kvs = json.loads(resp.read()).get("kvs") or []
                return base64.b64decode(kvs[0]["value"]).decode() if kvs else None
            except OSError:
                continue
        return None

    def witness_status(self) -> dict:
        """etcd's own status of the witness's member ({} when it does not answer)."""
        try:
            req = urllib.request.Request(f"http://{self.ip['witness']}:2379/v3/maintenance/status",
                                         data=b"{}")
            with urllib.request.urlopen(req, timeout=1) as resp:
                return json.loads(resp.read())
        except (OSError, ValueError):
            return {}

    def etcd_leader_is_witness(self) -> bool:
        """What etcd's own status says: the witness's member is the raft leader."""
        status = self.witness_status()
        return bool(status) and status.get("leader") == status.get("header", {}).get("member_id")

    def raft_term(self) -> int | None:
        """The raft term as the witness's member counts it: it grows with every election."""
        term = self.witness_status().get("raftTerm")
        return int(term) if term is not None else None

    def serving(self) -> str | None:
        return self.etcd_get(f"/hallstack/{HALL}/leader")

    def hub_health(self) -> dict:
        """The serving hub's retained health as the console's broker user reads it
        (mosquitto_sub through the floating address); {} when none came."""
        env = read_env(next((self.credentials / "web").glob("*.env")))
        got = subprocess.run(["mosquitto_sub", "-h", self.vip, "-u", "web", "-P",
                              env["HALL_MQTT_PASSWORD"], "-t", f"hall/{HALL}/node/hub/health",
                              "-C", "1", "-W", "3"], capture_output=True, text=True)
        try:
            return json.loads(got.stdout) if got.returncode == 0 else {}
        except ValueError:
            return {}

    def copy_in_sync(self) -> bool:
        said = self.etcd_get(f"/hallstack/{HALL}/copy")
        return bool(said) and json.loads(said).get("in_sync") is True

    def node(self, user: str) -> Node:
        env = read_env(next((self.credentials / user).glob("*.env")))
        n = Node(user, env["HALL_MQTT_PASSWORD"], self.vip)
        self.nodes.append(n)
        return n

    def db(self, machine: str) -> Path:
        disk = self.disks.get(machine)
        return (disk[0] if disk else self.workdir / machine) / "hall.db"

    def close(self) -> None:
        for n in self.nodes:
            n.close()
        for procs in self.procs.values():
            for p in procs:
                if p.poll() is None:
                    p.kill()
        self.lan.close()
        for mnt, device in self.disks.values():
            sh("umount", "-l", str(mnt), check=False)
            sh("losetup", "-d", device, check=False)
        for procs in self.procs.values():
            for p in procs:
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    pass


def etcd_healthy(ip: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{ip}:2379/health", timeout=1) as resp:
            return json.loads(resp.read()).get("health") == "true"
    except (OSError, ValueError):
        return False
