"""The offline bundle's installer: the manifest check refuses a changed bundle before anything is
installed; releases switch by symlink, keep config, credentials and hall.db, and roll back.

A real tar and real files throughout; ``python3``/``pip`` are a small shell stand-in (a real
venv with every wheel is the slow test in test_bundle_arm64.py).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from deploy import bundle, bundle_install, paths
from deploy.bundle_install import BundleError, InstallError

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/bin/sh
# A stand-in for python3: "-m venv DIR", "-m pip install ...", "-c CODE".
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
  printf '#!/bin/sh\\nexit "${FAKE_HUB_RC:-0}"\\n' > "$3/bin/hall-hub"
  for cmd in hall-web hall-kiosk hall-callboard hall-rater; do
    printf '#!/bin/sh\\necho "$0 $@" >> "$(dirname "$0")/../smoke-log"\\n' > "$3/bin/$cmd"
    chmod +x "$3/bin/$cmd"
  done
  printf '#!/bin/sh\necho "$@" > "$(dirname "$0")/../hall-flash-args"\n' > "$3/bin/hall-flash"
  chmod +x "$3/bin/hall-hub" "$3/bin/hall-flash"; exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  [ -z "$FAKE_PIP_FAIL" ] || { echo "ERROR: No matching distribution found" >&2; exit 1; }
  echo "$@" > "$(dirname "$0")/../pip-args"; exit 0
fi
exit "${FAKE_IMPORT_RC:-0}"
"""


@pytest.fixture
def fake_python(tmp_path, monkeypatch):
    path = tmp_path / "fake-python3"
    path.write_text(FAKE_PYTHON, encoding="utf-8")
    path.chmod(0o755)
    for name in ("FAKE_PIP_FAIL", "FAKE_HUB_RC", "FAKE_IMPORT_RC"):
        monkeypatch.delenv(name, raising=False)
    return str(path)


def make_bundle(tmp_path: Path, version: str = "0.1.0", role: str = "kiosk") -> Path:
    """A real bundle tar with stand-in wheels; returns the tar's path."""
    work = tmp_path / f"build-{version}"
    into = work / bundle.TOP
    (into / "wheels").mkdir(parents=True)
    wheels = []
    for name, ver in (("hallstack", version), ("paho_mqtt", "2.1.0")):
        path = into / "wheels" / f"{name}-{ver}-py3-none-any.whl"
        path.write_bytes(os.urandom(2048))
        wheels.append(bundle.wheel_entry(path))
    bundle.add_installer(ROOT, into)
    bundle.write_manifest(into, {"project": "hallstack", "version": version, "role": role,
                                 "pip_extras": "", "wheels": wheels, "debs": []})
    return bundle.pack(into, tmp_path / f"hallstack-{role}-{version}.tar")


@pytest.fixture
def hall(tmp_path):
    """A machine root with a hall's config, credentials and database already in place."""
    root = tmp_path / "root"
    files = {"etc/hallstack/hall.toml": b"[hall]\nid = 'demo'\n",
             "etc/hallstack/credentials/kiosk.env": b"HALL_MQTT_PASSWORD=secret\n",
             "var/lib/hallstack/hall.db": b"SQLite format 3\x00" + os.urandom(4096)}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root, files


def assert_hall_untouched(root: Path, files: dict) -> None:
    for name, data in files.items():
        assert (root / name).read_bytes() == data, name


def install(tar: Path, tmp_path: Path, root: Path, python: str, **kwargs) -> Path:
    dest = tmp_path / ("unpacked-" + tar.stem)
    folder = bundle.unpack(tar, dest)
    return bundle_install.install(folder, root / "opt/hallstack", root, python, debs=False,
                                  log=lambda _: None, restart=kwargs.pop("restart", _no_restart),
                                  **kwargs)


def _no_restart(root, log):
    pass


def test_a_bundle_is_one_tar_and_its_manifest_checks(tmp_path):
    tar = make_bundle(tmp_path)
    with tarfile.open(tar) as t:
        names = t.getnames()
    assert f"{bundle.TOP}/MANIFEST.json" in names and f"{bundle.TOP}/install.sh" in names
    assert f"{bundle.TOP}/systemd/hallstack-kiosk.service" in names
    folder = bundle.unpack(tar, tmp_path / "x")
    assert bundle_install.verify(folder)["version"] == "0.1.0"
    assert bundle_install.main(["--bundle", str(folder), "--check"]) == 0
    assert os.stat(folder / "install.sh").st_mode & stat.S_IXUSR


def test_one_changed_byte_in_the_tar_is_refused_before_anything_is_installed(
        tmp_path, hall, fake_python, capsys):
    root, files = hall
    tar = make_bundle(tmp_path)
    with tarfile.open(tar) as t:
        member = t.getmember(f"{bundle.TOP}/wheels/paho_mqtt-2.1.0-py3-none-any.whl")
        offset = member.offset_data + 100
    data = bytearray(tar.read_bytes())
    data[offset] ^= 0x01
    tar.write_bytes(bytes(data))
    folder = bundle.unpack(tar, tmp_path / "x")
    with pytest.raises(BundleError, match="paho_mqtt.*differs"):
        bundle_install.install(folder, root / "opt/hallstack", root, fake_python, debs=False,
                               log=lambda _: None, restart=_no_restart)
    assert not (root / "opt").exists() and not (root / "etc/systemd").exists()
    assert bundle_install.main(["--bundle", str(folder), "--prefix", str(root / "opt/hallstack"),
                                "--python", fake_python, "--no-debs"]) == 3
    assert "REFUSED" in capsys.readouterr().err
    assert not (root / "opt").exists()
    assert_hall_untouched(root, files)


@pytest.mark.parametrize("damage", ["missing", "extra", "manifest", "truncated"])
def test_a_bundle_that_is_not_what_its_manifest_says_is_refused(tmp_path, damage):
    folder = bundle.unpack(make_bundle(tmp_path), tmp_path / "x")
    wheel = next((folder / "wheels").glob("hallstack-*.whl"))
    if damage == "missing":
        wheel.unlink()
    elif damage == "extra":
        (folder / "wheels" / "evil-1.0-py3-none-any.whl").write_bytes(b"x")
    elif damage == "manifest":
        (folder / "MANIFEST.json").write_text("{", encoding="utf-8")
    else:
        wheel.write_bytes(wheel.read_bytes()[:-1])
    with pytest.raises(BundleError):
        bundle_install.verify(folder)


def test_install_makes_a_release_and_switches_to_it(tmp_path, hall, fake_python):
    root, files = hall
    release = install(make_bundle(tmp_path), tmp_path, root, fake_python)
    prefix = root / "opt/hallstack"
    assert release.parent == prefix / "releases" and release.name.startswith("0.1.0-")
    assert (prefix / "current").resolve() == release.resolve()
    assert os.readlink(prefix / "venv") == "current/venv"
    assert (prefix / "venv/bin/hall-hub").is_file()
    pip_args = (release / "venv/pip-args").read_text()
    assert "--no-index" in pip_args and "hallstack==0.1.0" in pip_args
    assert (root / "etc/systemd/system/hallstack-kiosk.service").is_file()
    assert (root / "usr/local/lib/hallstack/firstboot.sh").stat().st_mode & stat.S_IXUSR
    assert_hall_untouched(root, files)


def test_an_upgrade_smoke_tests_and_restarts_every_shipped_unit_hall_web_too(tmp_path, hall,
                                                                          fake_python):
    root, _ = hall
    release = install(make_bundle(tmp_path, "0.1.0", role="hub"), tmp_path, root, fake_python)
    units = paths.restart_patterns(root / "etc/systemd/system")
    shipped = sorted(p.name for p in [*(ROOT / "systemd").glob("hallstack-*.service"),
                                      *(ROOT / "systemd/standby").glob("hallstack-*.service")])
    assert "hallstack-web.service" in units and "hallstack-rater@*.service" in units
    assert "hallstack-firstboot.service" not in units
    assert len(units) == len(shipped) - 1   # every shipped unit but first boot's
    smoked = (release / "venv" / "smoke-log").read_text()
    assert "hall-web --help" in smoked and "hall-kiosk --help" in smoked
    assert "web.app" in bundle_install.SMOKE


def test_an_upgrade_keeps_the_hall_and_the_previous_release(tmp_path, hall, fake_python):
    root, files = hall
    prefix = root / "opt/hallstack"
    first = install(make_bundle(tmp_path, "0.1.0"), tmp_path, root, fake_python)
    second = install(make_bundle(tmp_path, "0.1.1"), tmp_path, root, fake_python)
    assert (prefix / "current").resolve() == second.resolve()
    assert (prefix / "previous").resolve() == first.resolve()
    third = install(make_bundle(tmp_path, "0.1.2"), tmp_path, root, fake_python)
    assert sorted(p.name for p in (prefix / "releases").iterdir()) == sorted(
        [second.name, third.name])  # two kept
    assert bundle_install.rollback(prefix, root, log=lambda _: None,
                                   restart=_no_restart) == second.name
    assert (prefix / "current").resolve() == second.resolve()
    assert_hall_untouched(root, files)


@pytest.mark.parametrize("failure", [("FAKE_PIP_FAIL", "1", "pip install"),
                                     ("FAKE_IMPORT_RC", "1", "import"),
                                     ("FAKE_HUB_RC", "2", "hall-hub --help")])
def test_a_failed_upgrade_leaves_the_previous_release_current(
        tmp_path, hall, fake_python, monkeypatch, failure):
    root, files = hall
    prefix = root / "opt/hallstack"
    first = install(make_bundle(tmp_path, "0.1.0"), tmp_path, root, fake_python)
    name, value, step = failure
    monkeypatch.setenv(name, value)
    with pytest.raises(InstallError, match=step):
        install(make_bundle(tmp_path, "0.2.0"), tmp_path, root, fake_python)
    assert (prefix / "current").resolve() == first.resolve()
    assert [p.name for p in (prefix / "releases").iterdir()] == [first.name]
    assert not (prefix / "previous").exists()
    assert_hall_untouched(root, files)


def test_units_that_fail_on_the_new_release_are_restarted_on_the_old(tmp_path, hall, fake_python):
    root, files = hall
    prefix = root / "opt/hallstack"
    first = install(make_bundle(tmp_path, "0.1.0"), tmp_path, root, fake_python)
    ran_on = []

    def restart(_root, _log):
        ran_on.append(os.readlink(prefix / "current"))
        if "0.3.0" in ran_on[-1]:
            raise InstallError("restart hallstack units: exit 1")

    with pytest.raises(InstallError, match="restart"):
        install(make_bundle(tmp_path, "0.3.0"), tmp_path, root, fake_python, restart=restart)
    assert len(ran_on) == 2 and "0.3.0" in ran_on[0] and ran_on[1] == f"releases/{first.name}"
    assert (prefix / "current").resolve() == first.resolve()
    assert_hall_untouched(root, files)


def test_installing_the_same_bundle_again_changes_nothing(tmp_path, hall, fake_python):
    root, _ = hall
    tar = make_bundle(tmp_path)
    first = install(tar, tmp_path, root, fake_python)
    marker = (first / ".complete").stat().st_mtime_ns
    assert install(tar, tmp_path, root, fake_python) == first
    assert (first / ".complete").stat().st_mtime_ns == marker


def test_no_previous_release_to_roll_back_to(tmp_path):
    with pytest.raises(InstallError, match="no previous release"):
        bundle_install.rollback(tmp_path, tmp_path, log=lambda _: None, restart=_no_restart)


def test_the_cli_refuses_a_folder_that_is_no_source_tree(tmp_path):
    from deploy.flash_cli import main

    out = []

    class Out:
        def write(self, text):
            out.append(text)

    assert main(["bundle", "--role", "kiosk", "--out", str(tmp_path / "b.tar"),
                 "--source", str(tmp_path)], out=Out()) == 2
    assert "not a hallstack source tree" in "".join(out)


def _node(tmp_path, tar, role="kiosk", node="kiosk-1"):
    from deploy.flash_cli import main

    card = tmp_path / "bootfs"
    card.mkdir(exist_ok=True)
    secret = tmp_path / "pw.txt"
    secret.write_text("s3cret-pw\n")
    out = []

    class Out:
        def write(self, text):
            out.append(text)

    code = main(["node", "--target", str(card), "--node", node, "--role", role,
                 "--broker", "mqtt://10.0.0.2:1883", "--password-file", str(secret),
                 "--bundle", str(tar)], out=Out())
    return code, card / "hallstack", "".join(out)


def test_hall_flash_node_puts_the_checked_bundle_on_the_card(tmp_path):
    code, folder, _ = _node(tmp_path, make_bundle(tmp_path, role="kiosk"))
    assert code == 0
    assert (folder / "node.toml").is_file()
    on_card = folder / "hallstack-kiosk-0.1.0.tar"
    assert bundle_install.verify(bundle.unpack(on_card, tmp_path / "x"))["role"] == "kiosk"


@pytest.mark.parametrize("bad", ["other role", "changed byte"])
def test_hall_flash_node_refuses_a_wrong_bundle_and_writes_nothing(tmp_path, bad):
    tar = make_bundle(tmp_path, role="hub" if bad == "other role" else "kiosk")
    if bad == "changed byte":
        with tarfile.open(tar) as t:
            offset = t.getmember(f"{bundle.TOP}/install.py").offset_data + 10
        data = bytearray(tar.read_bytes())
        data[offset] ^= 0x20
        tar.write_bytes(bytes(data))
    code, folder, out = _node(tmp_path, tar)
    assert code == 1 and ("role" in out if bad == "other role" else "differs" in out)
    assert not folder.exists() or not any(folder.iterdir())


def first_boot(tmp_path, root, python, bundle_tar=None):
    """systemd/hallstack-firstboot.sh on ``root`` (HALLSTACK_ROOT), a card with a kiosk node."""
    from deploy.provision import NodePlan, write_node

    boot = root / "boot/firmware"
    boot.mkdir(parents=True, exist_ok=True)
    write_node(boot, NodePlan("kiosk-1", "kiosk", None, "mqtt://10.0.0.2:1883", "kiosk-1"), "pw")
    if bundle_tar is not None:
        shutil.copy2(bundle_tar, boot / "hallstack" / bundle_tar.name)
    env = dict(os.environ, HALLSTACK_ROOT=str(root), TMPDIR=str(tmp_path),
               HALLSTACK_INSTALL_ARGS=f"--python {python} --no-debs")
    return subprocess.run(["sh", str(ROOT / "systemd/hallstack-firstboot.sh")], env=env,
                          capture_output=True, text=True, timeout=120)


def test_first_boot_installs_the_bundle_on_the_card_then_the_node(tmp_path, hall, fake_python):
    root, files = hall
    done = first_boot(tmp_path, root, fake_python, make_bundle(tmp_path))
    assert done.returncode == 0, done.stderr
    prefix = root / "opt/hallstack"
    assert os.readlink(prefix / "current").startswith("releases/0.1.0-")
    assert (prefix / "current/venv/hall-flash-args").read_text().split() == [
        "firstboot", "--root", str(root)]
    assert (root / "etc/systemd/system/hallstack-kiosk.service").is_file()
    assert not list(tmp_path.glob("hallstack-bundle.*"))  # the unpacked copy is gone
    assert_hall_untouched(root, files)


def test_first_boot_refuses_a_changed_bundle_and_keeps_the_card(tmp_path, hall, fake_python):
    root, _ = hall
    tar = make_bundle(tmp_path)
    with tarfile.open(tar) as t:
        offset = t.getmember(f"{bundle.TOP}/systemd/hallstack-hub.service").offset_data + 3
    data = bytearray(tar.read_bytes())
    data[offset] ^= 0x01
    tar.write_bytes(bytes(data))
    done = first_boot(tmp_path, root, fake_python, tar)
    assert done.returncode == 3 and "REFUSED" in done.stderr
    assert not (root / "opt").exists()
    assert (root / "boot/firmware/hallstack/node.toml").is_file()  # the next boot tries again


def test_debs_go_only_into_the_running_system(tmp_path, fake_python):
    folder = bundle.unpack(make_bundle(tmp_path), tmp_path / "x")
    with pytest.raises(InstallError, match="--no-debs"):
        bundle_install.install(folder, tmp_path / "opt", tmp_path / "root", fake_python,
                               debs=True, log=lambda _: None)
    assert not (tmp_path / "opt").exists()
