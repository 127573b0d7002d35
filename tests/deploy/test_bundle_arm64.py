"""The real check of the offline bundle: an emulated arm64 Debian bookworm (debootstrap +
qemu-user-static + binfmt), the network cut (a new network namespace holding only ``lo``), the
bundle's install.sh, then Mosquitto, ``hall-hub`` and a kiosk on simulated devices taking a
ticket, all arm64 inside the root. Then an upgrade that keeps hall.db and the credentials, and a
broken upgrade that leaves the running release in place.

The minimal root is cached in ``$HALLSTACK_TEST_CACHE/arm64-root`` (default
/var/cache/hallstack-test) and copied for each run; with no cache it is built from nothing.
Root only (chroot, namespaces, binfmt); setup.sh installs debootstrap, qemu-user-static and
binfmt-support. Times are printed (pytest -s) and kept in the cache's timings.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy import bundle, bundle_install

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("HALLSTACK_TEST_CACHE", "/var/cache/hallstack-test"))
MIRROR = os.environ.get("HALLSTACK_DEBIAN_MIRROR", bundle.MIRROR)
# what runs inside the root gets the Pi's own environment, not this machine's: a host TMPDIR
# (CI sets one) does not exist in the root, and dpkg's maintainer scripts fail on it
PI_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
MONDAY_10 = "2026-11-23T10:00:00+08:00"
TIMINGS: dict[str, float] = {}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(5400)]

TAKE = """
import sys, time
from devices.printer.simulated import SimulatedPrinter
from wire.clock import HallClock
from wire.config import load_config
from kiosk.app import build

cfg = load_config("/etc/hallstack/hall.toml")
printer = SimulatedPrinter()
node = build(cfg, "kiosk-1", "mqtt://127.0.0.1:1883", HallClock(cfg.tz, sys.argv[1]),
             simulate=True, screen_backend="offscreen", printer=printer)
tickets = []
shown = node._print_and_show
node._print_and_show = lambda t, s, timing: (tickets.append(t), shown(t, s, timing))
node.start()
deadline = time.monotonic() + 600
while not node.client.state.get("queue") and time.monotonic() < deadline:
    node.poll()          # wait for the hub's retained queue state: the hub is up
if not node.client.state.get("queue"):
    sys.exit("no hub state within 600 s")
assert node.choose_service("A"), "the kiosk refused to ask the hub"
while not tickets and time.monotonic() < deadline:
    node.poll()
node.stop()
if not tickets or not printer.output:
    sys.exit("no ticket printed")
print("TICKET", tickets[0]["no"])
"""

SMOKE = f"""set -eu
tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' ' > /root/netdevs
printf 'listener 1883 127.0.0.1\\nallow_anonymous true\\nuser root\\n' > /root/mosquitto.conf
mosquitto -c /root/mosquitto.conf > /root/mosquitto.log 2>&1 &
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy PYGAME_HIDE_SUPPORT_PROMPT=1
export XDG_CACHE_HOME=/var/cache/hallstack ESCPOS_CAPABILITIES_PICKLE_DIR=/var/cache/hallstack
mkdir -p /var/cache/hallstack /var/lib/hallstack
/opt/hallstack/venv/bin/hall-hub --config /etc/hallstack/hall.toml --db /var/lib/hallstack/hall.db \\
  --clock {MONDAY_10} > /root/hub.log 2>&1 &
/opt/hallstack/venv/bin/python /root/take.py {MONDAY_10}
"""


def _run(argv, timeout=3600, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)


def _check(done: subprocess.CompletedProcess, what: str) -> str:
    assert done.returncode == 0, f"{what}: exit {done.returncode}\n{done.stdout[-3000:]}\n" \
                                 f"{done.stderr[-3000:]}"
    return done.stdout


def enable_binfmt() -> None:
    """qemu-aarch64 registered with binfmt_misc (flag F: the root needs no copy of qemu)."""
    misc = Path("/proc/sys/fs/binfmt_misc")
    if not (misc / "status").exists():
        _check(_run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(misc)]), "mount binfmt")
    if not (misc / "qemu-aarch64").exists():
        _check(_run(["update-binfmts", "--enable", "qemu-aarch64"]), "update-binfmts")
    assert "enabled" in (misc / "qemu-aarch64").read_text()


def cached_root() -> Path:
    """The minimal arm64 bookworm root (minbase + python3), built once into the cache."""
    done = CACHE / "arm64-root"
    if (done / ".hallstack-complete").is_file():
        return done
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = CACHE / "arm64-root.partial"
    shutil.rmtree(partial, ignore_errors=True)
    start = time.monotonic()
    _check(_run(["debootstrap", "--arch=arm64", "--foreign", "--variant=minbase",
                 "--include=python3", "bookworm", str(partial), MIRROR]), "debootstrap stage 1")
    _check(_run(["chroot", str(partial), "/debootstrap/debootstrap", "--second-stage"],
                env=PI_ENV),
           "debootstrap stage 2 (emulated)")
    _check(_run(["chroot", str(partial), "apt-get", "clean"], env=PI_ENV), "apt-get clean")
    (partial / ".hallstack-complete").write_text(time.strftime("%F %T\n"))
    shutil.rmtree(done, ignore_errors=True)
    partial.rename(done)
    TIMINGS["debootstrap_s"] = round(time.monotonic() - start, 1)
    return done


def offline(root: Path, script: str, timeout: int = 3600) -> subprocess.CompletedProcess:
    """Run ``script`` in ``root`` with no network: new network, mount and PID namespaces (only
    ``lo``, up); everything started inside dies with the namespace."""
    wrapper = (f"set -e; ip link set lo up; r={shlex.quote(str(root))}; "
               'mount -t proc proc "$r/proc"; mount --rbind /dev "$r/dev"; '
               'mount -t tmpfs tmpfs "$r/run"; '
               f'exec chroot "$r" /bin/sh -c {shlex.quote(script)}')
    return _run(["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c",
                 wrapper], timeout=timeout, env=PI_ENV)


def derived_bundle(base_tar: Path, tmp: Path, version: str, wheel: Path | None) -> Path:
    """``base_tar`` as version ``version``: with ``wheel`` (a hallstack wheel) in place of its
    own, or, with None, a manifest naming a version no wheel has (a broken upgrade)."""
    folder = bundle.unpack(base_tar, tmp / f"derive-{version}")
    manifest = json.loads((folder / bundle_install.MANIFEST).read_text())
    if wheel is not None:
        for old in (folder / "wheels").glob("hallstack-*.whl"):
            old.unlink()
        shutil.copy2(wheel, folder / "wheels" / wheel.name)
    wheels = [bundle.wheel_entry(p) for p in sorted((folder / "wheels").glob("*.whl"))]
    meta = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    bundle.write_manifest(folder, dict(meta, version=version, wheels=wheels))
    return bundle.pack(folder, tmp / f"hallstack-hub-{version}.tar")


def wheel_of_version(tmp: Path, version: str) -> Path:
    """hallstack's wheel built from a copy of this tree with another version number."""
    src = tmp / f"src-{version}"
    files = _check(_run(["git", "ls-files"], cwd=ROOT), "git ls-files").split()
    for name in files:
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    cfg = src / "setup.cfg"
    cfg.write_text(cfg.read_text().replace("\nversion = ", f"\nversion = {version}\n#was ", 1))
    _check(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "w"),
                 str(src)]), "pip wheel")
    return next((tmp / "w").glob(f"hallstack-{version}-*.whl"))


def install(root: Path, tar: Path, label: str) -> subprocess.CompletedProcess:
    shutil.copy2(tar, root / "root" / tar.name)
    script = (f"set -e; rm -rf /var/tmp/b; mkdir -p /var/tmp/b; tar -xf /root/{tar.name} -C "
              "/var/tmp/b; exec /var/tmp/b/hallstack-bundle/install.sh")
    start = time.monotonic()
    done = offline(root, script)
    TIMINGS[f"install_{label}_s"] = round(time.monotonic() - start, 1)
    return done


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def arm64(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("needs root: chroot, namespaces and binfmt_misc")
    for tool in ("debootstrap", "unshare", "update-binfmts", "/usr/bin/qemu-aarch64-static"):
        assert shutil.which(tool), f"{tool} missing: ./setup.sh installs debootstrap, " \
                                   "qemu-user-static and binfmt-support"
    enable_binfmt()
    start = time.monotonic()
    cached = cached_root()
    root = tmp_path_factory.mktemp("arm64") / "root"
    _check(_run(["cp", "-a", "--reflink=auto", str(cached), str(root)]), "copy the cached root")
    assert _run(["chroot", str(root), "uname", "-m"]).stdout.strip() == "aarch64"
    TIMINGS["root_ready_s"] = round(time.monotonic() - start, 1)
    yield root
    print("\narm64 bundle timings:", json.dumps(TIMINGS, sort_keys=True))
    try:
        (CACHE / "timings.json").write_text(json.dumps(TIMINGS, indent=1, sort_keys=True))
    except OSError:
        pass
    shutil.rmtree(root, ignore_errors=True)


def test_offline_install_upgrade_and_a_broken_upgrade_in_an_emulated_arm64_pi(arm64, tmp_path):
    root = arm64
    start = time.monotonic()
    tar, manifest = bundle.build(ROOT, "hub", tmp_path / "hallstack-hub-0.1.0.tar",
                                 CACHE / "bundle-cache")
    TIMINGS["bundle_build_s"] = round(time.monotonic() - start, 1)
    TIMINGS["bundle_hub_mib"] = round(tar.stat().st_size / 2**20, 1)
    names = {w["name"].lower().replace("_", "-") for w in manifest["wheels"]}
    assert {"hallstack", "paho-mqtt", "numpy", "pygame", "cryptography"} <= names
    assert {"mosquitto", "python3-venv", "fonts-noto-cjk"} <= {d["package"]
                                                               for d in manifest["debs"]}
    (root / "etc/hallstack/credentials").mkdir(parents=True)
    shutil.copy2(ROOT / "examples/hall.toml", root / "etc/hallstack/hall.toml")
    (root / "etc/hallstack/credentials/hub.env").write_text("HALL_MQTT_PASSWORD=kept\n")
    (root / "root/take.py").write_text(TAKE)

    first = install(root, tar, "first")
    _check(first, "first install")
    assert "debs: installed" in first.stdout
    current = os.readlink(root / "opt/hallstack/current")
    assert current.startswith("releases/0.1.0-")

    start = time.monotonic()
    smoke = _check(offline(root, SMOKE, timeout=1800), "hub + kiosk (first)")
    TIMINGS["hub_kiosk_ticket_s"] = round(time.monotonic() - start, 1)
    assert (root / "root/netdevs").read_text().split() == ["lo"]  # the network was cut
    assert "TICKET A001" in smoke, smoke
    kept = {name: digest(root / name) for name in
            ("var/lib/hallstack/hall.db", "etc/hallstack/credentials/hub.env",
             "etc/hallstack/hall.toml")}

    newer = derived_bundle(tar, tmp_path, "0.1.1", wheel_of_version(tmp_path, "0.1.1"))
    _check(install(root, newer, "upgrade"), "upgrade")
    assert os.readlink(root / "opt/hallstack/current").startswith("releases/0.1.1-")
    assert os.readlink(root / "opt/hallstack/previous") == current
    assert {name: digest(root / name) for name in kept} == kept

    broken = install(root, derived_bundle(newer, tmp_path, "0.1.2", None), "broken")
    assert broken.returncode == 1 and "FAILED, the previous release stays" in broken.stderr
    assert os.readlink(root / "opt/hallstack/current").startswith("releases/0.1.1-")
    assert not list((root / "opt/hallstack/releases").glob("0.1.2-*"))

    again = _check(offline(root, SMOKE, timeout=1800), "hub + kiosk (after the upgrades)")
    assert "TICKET A002" in again, again  # the same hall.db: the day's numbering goes on
    assert (root / "etc/hallstack/credentials/hub.env").read_text() == "HALL_MQTT_PASSWORD=kept\n"
