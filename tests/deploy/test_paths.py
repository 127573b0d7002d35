"""deploy/paths.py names what the shipped files (systemd/) use: one changes, a test fails."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys

from deploy import bundle, bundle_install, paths, provision

ROLES = {"hub", "kiosk", "callboard", "rater", "web"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(paths.SYSTEMD / name, encoding="utf-8")
    return parser


def test_role_units_are_the_shipped_files_and_follow_unit_of():
    units = paths.role_units()
    assert set(units) == ROLES
    # the witness runs only a standby hall's etcd member (systemd/standby/, docs/standby.md)
    assert set(provision.ROLES) | set(bundle.ROLES) - {"witness"} <= set(units)
    assert "etcd" in paths.role_units(paths.SYSTEMD / paths.STANDBY_UNITS)
    for role, name in units.items():
        assert name in (paths.unit_of(role), paths.unit_of(role, "")), name
    assert (paths.SYSTEMD / paths.FIRSTBOOT_UNIT).is_file()
    assert paths.FIRSTBOOT_UNIT not in units.values()
    assert "hallstack-rater@*.service" in paths.restart_patterns()


def test_units_run_from_the_named_paths_as_the_named_user():
    for role, name in paths.role_units().items():
        service = unit(name)["Service"]
        argv = shlex.split(service["ExecStart"])
        assert argv[0] == f"{paths.VENV_BIN}/hall-{role}"
        assert argv[argv.index("--config") + 1] == str(paths.HALL_CONFIG)
        if "--db" in argv:
            assert argv[argv.index("--db") + 1] == str(paths.DB)
        assert service["EnvironmentFile"].startswith(f"{paths.CREDENTIALS}/")
        assert service["User"] == service["Group"] == paths.USER


def test_broker_snippets_and_users_name_the_same_paths():
    plain = (paths.SYSTEMD / "mosquitto/hallstack.conf").read_text(encoding="utf-8")
    assert f"password_file {paths.PASSWD}\n" in plain and f"acl_file {paths.ACL}\n" in plain
    tls = (paths.SYSTEMD / "mosquitto/hallstack-tls.conf").read_text(encoding="utf-8")
    for name in ("ca.crt", "broker.crt", "broker.key"):
        assert f" {paths.TLS_DIR / name}\n" in tls
    users = (paths.SYSTEMD / "sysusers.d/hallstack.conf").read_text(encoding="utf-8")
    assert f"u {paths.USER} - " in users and f" {paths.STATE} " in users
    script = (paths.SYSTEMD / "hallstack-firstboot.sh").read_text(encoding="utf-8")
    assert f"PREFIX=$R{paths.PREFIX}\n" in script


def test_the_bundle_installer_reads_paths_beside_it(tmp_path):
    """install.py runs from the bundle with the system python3, hallstack not installed."""
    bundle.add_installer(paths.SYSTEMD.parent, tmp_path)
    (tmp_path / "probe.py").write_text(
        "import install\n"
        "print(install.paths.__name__, install.paths.PREFIX, "
        f"install.paths.restart_patterns({str(tmp_path / 'systemd')!r}))\n", encoding="utf-8")
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    # -E -s: no PYTHONPATH, no user site; the script's folder (the bundle) comes first
    done = subprocess.run([python, "-E", "-s", str(tmp_path / "probe.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    name, prefix, units = done.stdout.split(" ", 2)
    assert name in ("hallstack_paths", "deploy.paths") and prefix == str(paths.PREFIX)
    assert units.strip() == str(paths.restart_patterns())
    assert bundle_install.paths is paths


def test_the_bundle_installer_checks_its_bundle_run_as_the_pi_runs_it(tmp_path):
    """install.sh --check with the system python3: importing the paths beside install.py
    leaves no __pycache__ in the folder it is about to check (it did: the bundle was refused)."""
    folder = tmp_path / bundle.TOP
    folder.mkdir()
    bundle.add_installer(paths.SYSTEMD.parent, folder)
    bundle.write_manifest(folder, {"project": "hallstack", "version": "0.1.0", "role": "kiosk"})
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run(["sh", str(folder / "install.sh"), "--check"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "bundle ok" in done.stdout
    assert not (folder / "__pycache__").exists()
