"""The systemd units: systemd's own verifier, the rules the hall needs, and the programs they run.

``systemd-analyze verify`` runs against a scratch root holding a copy of this machine's unit
directory, the hallstack units and stub programs at /opt/hallstack/venv/bin (it checks that
ExecStart is executable), so no unit is installed on the machine running the tests.
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import paths
from deploy.broker_acl import BrokerUser

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = paths.SYSTEMD
UNITS = {  # unit file -> (role, console script, instance used for verify)
    "hallstack-hub.service": ("hub", "hall-hub", None),
    "hallstack-kiosk.service": ("kiosk", "hall-kiosk", None),
    "hallstack-callboard.service": ("callboard", "hall-callboard", None),
    "hallstack-rater@.service": ("rater", "hall-rater", "3"),
    "hallstack-web.service": ("web", "hall-web", None),
}
FIRSTBOOT = paths.FIRSTBOOT_UNIT  # a node image's one-shot installer, not a role
VENV_BIN = f"{paths.VENV_BIN}/"
FIRSTBOOT_SCRIPT = "/usr/local/lib/hallstack/firstboot.sh"  # systemd/hallstack-firstboot.sh
HOST_UNITS = Path("/usr/lib/systemd/system")


def read_unit(name: str) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> values (systemd allows a key more than once)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in (SYSTEMD / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), "keep each directive on one line"
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


def one(unit, section, key) -> str:
    values = unit[section].get(key, [])
    assert len(values) == 1, f"[{section}] {key}: {values}"
    return values[0]


def test_one_unit_per_role_the_first_boot_and_nothing_else():
    assert sorted(p.name for p in SYSTEMD.glob("*.service")) == sorted([*UNITS, FIRSTBOOT])
    assert sorted(paths.role_units().values()) == sorted(UNITS)


def test_the_first_boot_runs_once_per_card_before_the_node():
    unit = read_unit(FIRSTBOOT)
    assert one(unit, "Service", "Type") == "oneshot"
    assert "User" not in unit["Service"]  # it writes /etc and enables a unit: root
    assert sorted(unit["Unit"]["ConditionPathExists"]) == [
        "|/boot/firmware/hallstack/node.toml", "|/boot/hallstack/node.toml"]
    assert shlex.split(one(unit, "Service", "ExecStart")) == [FIRSTBOOT_SCRIPT]
    assert (SYSTEMD / "hallstack-firstboot.sh").read_text().rstrip().endswith(
        '"$PREFIX/venv/bin/hall-flash" firstboot --root "${R:-/}"')
    before = one(unit, "Unit", "Before").split()
    assert "hallstack-kiosk.service" in before and "hallstack-callboard.service" in before
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


@pytest.mark.parametrize("name", UNITS)
def test_unit_runs_as_the_hall_needs(name):
    role, script, _ = UNITS[name]
    unit = read_unit(name)
    svc = unit["Service"]
    assert one(unit, "Service", "Type") == "notify"
    assert one(unit, "Service", "Restart") == "on-failure"
    assert int(one(unit, "Service", "WatchdogSec")) >= 10
    assert one(unit, "Service", "User") == paths.USER
    assert one(unit, "Service", "Group") == paths.USER
    assert one(unit, "Service", "RestartPreventExitStatus") == "2"  # config errors: no loop
    assert one(unit, "Unit", "StartLimitIntervalSec") == "0"  # never give up on a hall
    after = one(unit, "Unit", "After").split()
    assert "network-online.target" in after and "mosquitto.service" in after
    assert "network-online.target" in one(unit, "Unit", "Wants").split()
    assert one(unit, "Install", "WantedBy") == "multi-user.target"
    assert svc.get("NoNewPrivileges") == ["yes"] and svc.get("ProtectSystem") == ["strict"]


@pytest.mark.parametrize("name", UNITS)
def test_execstart_and_credentials_match_the_generator(name):
    role, script, instance = UNITS[name]
    unit = read_unit(name)
    argv = shlex.split(one(unit, "Service", "ExecStart"))
    assert argv[0] == VENV_BIN + script
    args = dict(zip(argv[1::2], argv[2::2]))
    assert len(argv) % 2 == 1, argv
    assert args.pop("--config") == str(paths.HALL_CONFIG)
    assert args.pop("--broker") == "${HALL_BROKER}"
    if role == "hub":
        assert args == {"--db": str(paths.DB)}
        assert one(unit, "Service", "StateDirectory") == paths.STATE.name
    elif role == "rater":
        assert args == {"--window": "%i"}
    elif role == "web":  # the figures read the hub's file, read-only
        assert args == {"--node": "${HALL_NODE}", "--db": str(paths.DB),
                        "--listen": "0.0.0.0:8080"}
    else:
        assert args == {"--node": "${HALL_NODE}"}
    env_file = one(unit, "Service", "EnvironmentFile")
    # hall-broker-config must write the very file name the unit reads
    user = BrokerUser("x", role, int(instance) if instance else None, (), ())
    expected = user.env_name.replace(f"-{instance}.", "-%i.") if instance else user.env_name
    assert env_file == f"{paths.CREDENTIALS}/{expected}"


# -- systemd's own verifier -----------------------------------------------------------------
def scratch_root(tmp_path: Path, units: dict[str, str], programs: list[str]) -> Path:
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze missing: apt-get install systemd")
    if not HOST_UNITS.is_dir():
        pytest.skip(f"{HOST_UNITS} missing: systemd-analyze --root needs the system's units")
    root = tmp_path / "root"
    shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for name, text in units.items():
        (root / "etc/systemd/system" / name).write_text(text)
    bin_dir = root / VENV_BIN.lstrip("/")
    bin_dir.mkdir(parents=True)
    for program in programs:
        (bin_dir / program).write_text("#!/bin/sh\nexit 0\n")
        os.chmod(bin_dir / program, 0o755)
    script = root / FIRSTBOOT_SCRIPT.lstrip("/")
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\nexit 0\n")
    os.chmod(script, 0o755)
    return root


def verify(root: Path, names: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}", "--man=no", *names],
                          capture_output=True, text=True, timeout=60)


def instances() -> list[str]:
    return [n.replace("@.", f"@{i}.") if i else n for n, (_, _, i) in UNITS.items()]


def test_systemd_analyze_verify_is_clean(tmp_path):
    root = scratch_root(tmp_path, {n: (SYSTEMD / n).read_text() for n in [*UNITS, FIRSTBOOT]},
                        [script for _, script, _ in UNITS.values()] + ["hall-flash"])
    result = verify(root, [*instances(), FIRSTBOOT])
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # warnings (unknown keys…) too


def test_verify_would_catch_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt key and a missing program are both reported."""
    text = (SYSTEMD / "hallstack-hub.service").read_text().replace("WatchdogSec=", "WatchdogSecs=")
    root = scratch_root(tmp_path, {"hallstack-hub.service": text,
                                   "hallstack-kiosk.service":
                                   (SYSTEMD / "hallstack-kiosk.service").read_text()},
                        ["hall-hub"])
    result = verify(root, ["hallstack-hub.service", "hallstack-kiosk.service"])
    assert "Unknown key 'WatchdogSecs'" in result.stderr
    assert "hall-kiosk is not executable" in result.stderr and result.returncode != 0


def test_sysusers_creates_the_service_user_with_device_groups(tmp_path):
    if not shutil.which("systemd-sysusers"):
        pytest.skip("systemd-sysusers missing: apt-get install systemd")
    if os.geteuid() != 0:
        pytest.skip("systemd-sysusers --root still chowns its files: it needs root")
    etc = tmp_path / "etc"
    etc.mkdir()
    for name in ("passwd", "group"):
        shutil.copy(f"/etc/{name}", etc / name)
    result = subprocess.run(["systemd-sysusers", f"--root={tmp_path}",
                             str(SYSTEMD / "sysusers.d" / "hallstack.conf")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    users = [ln.split(":") for ln in (etc / "passwd").read_text().splitlines()]
    (user,) = [u for u in users if u[0] == paths.USER]
    assert user[5:] == [str(paths.STATE), "/usr/sbin/nologin"]
    groups = {ln.split(":")[0]: ln.split(":")[3].split(",")
              for ln in (etc / "group").read_text().splitlines()}
    for group in ("lp", "dialout", "gpio", "video", "render", "input", "audio"):
        assert paths.USER in groups[group], group


# -- the programs the units run -------------------------------------------------------------
def console_scripts() -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    raw = parser.get("options.entry_points", "console_scripts", fallback="")
    return dict((k.strip(), v.strip()) for k, _, v in
                (ln.partition("=") for ln in raw.splitlines() if ln.strip()))


@pytest.mark.parametrize("name", [*UNITS, FIRSTBOOT])
def test_every_unit_program_is_an_installed_console_script(name):
    """A unit whose program is missing fails here, never skips (a skip hid it in CI)."""
    program = shlex.split(one(read_unit(name), "Service", "ExecStart"))[0]
    if name == FIRSTBOOT:  # its script installs a bundle, then execs hall-flash firstboot
        assert program == FIRSTBOOT_SCRIPT
        program = VENV_BIN + "hall-flash"
    assert program.startswith(VENV_BIN), program
    script = program.removeprefix(VENV_BIN)
    assert script in console_scripts(), f"{name} runs {script}: no console script in setup.cfg"
    assert (Path(sys.executable).parent / script).exists(), \
        f"{name} runs {script}, missing from this venv: ./setup.sh"


@pytest.mark.parametrize("name", UNITS)
def test_unit_program_takes_the_unit_options(name, capsys):
    _, script, _ = UNITS[name]
    target = console_scripts().get(script)
    assert target is not None, f"{name} runs {script}, which is no console script in setup.cfg"
    module, _, func = target.partition(":")
    main = getattr(__import__(module, fromlist=[func]), func)
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    argv = shlex.split(one(read_unit(name), "Service", "ExecStart"))
    for option in (a for a in argv[1:] if a.startswith("--")):
        assert option in text, f"{script} has no {option}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NODE_OF_UNIT = {"hallstack-hub.service": "hub", "hallstack-kiosk.service": "kiosk-1",
                "hallstack-callboard.service": "board-1", "hallstack-rater@.service": "rater-3",
                "hallstack-web.service": "web"}


# The example hall names no node devices; this machine has none: the nodes ask for simulated
# ones in the hall config (never on the unit's command line, which stays as shipped).
_NODE_ENTRIES = ('id = "kiosk-1"\nrole = "kiosk"\n', 'id = "board-1"\nrole = "callboard"\n',
                 'id = "rater-3"\nrole = "rater"\nwindow = 3\n')


def _simulating_hall(tmp_path: Path) -> Path:
    text = (ROOT / "examples/hall.toml").read_text(encoding="utf-8")
    for entry in _NODE_ENTRIES:
        assert entry in text
        text = text.replace(entry, entry + 'devices = { backend = "sim" }\n')
    path = tmp_path / "hall-sim.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _exec_start(unit, script: str, env: dict, instance, config: Path, tmp_path: Path) -> list:
    """The unit's ExecStart with this test's program, broker, node, hall config and database."""
    return [str(Path(sys.executable).parent / script) if a == VENV_BIN + script else
            a.replace("${HALL_BROKER}", env["HALL_BROKER"])
            .replace("${HALL_NODE}", env.get("HALL_NODE", ""))
            .replace("%i", instance or "")
            .replace(str(paths.HALL_CONFIG), str(config))
            .replace(str(paths.DB), str(tmp_path / "hall.db"))
            .replace("0.0.0.0:8080", f"127.0.0.1:{free_port()}")
            for a in shlex.split(one(unit, "Service", "ExecStart"))]


@pytest.mark.parametrize("name", [n for n in UNITS if UNITS[n][0] not in ("hub", "web")])
def test_a_node_unit_on_a_hall_naming_no_devices_fails_for_good(name, tmp_path):
    """The shipped ExecStart on the example hall (no node devices) exits 2, which the unit's
    RestartPreventExitStatus keeps failed, with one line naming the missing table and key."""
    role, script, instance = UNITS[name]
    unit = read_unit(name)
    assert "2" in one(unit, "Service", "RestartPreventExitStatus").split()
    env = {**os.environ, "HALL_BROKER": "mqtt://127.0.0.1:9", "HALL_NODE": NODE_OF_UNIT[name],
           "HALL_CLOCK": "2026-11-23T10:00:00+08:00", "SDL_VIDEODRIVER": "dummy"}
    argv = _exec_start(unit, script, env, instance, ROOT / "examples/hall.toml", tmp_path)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    table = {"kiosk": "printer", "callboard": "audio", "rater": "keypad"}[role]
    assert f"nodes.{NODE_OF_UNIT[name]}.devices.{table}.backend: missing" in done.stderr


@pytest.mark.parametrize("name", UNITS)
def test_program_feeds_the_watchdog_as_the_unit_expects(name, prod_broker, tmp_path, request):
    """The unit's program started as systemd would start it (its ExecStart, the EnvironmentFile
    hall-broker-config wrote for it, NOTIFY_SOCKET) against the production-config broker says
    READY=1, then WATCHDOG=1 well inside WatchdogSec, and stops cleanly on SIGTERM."""
    role, script, instance = UNITS[name]
    program = Path(sys.executable).parent / script
    assert program.exists(), f"{name} runs {script}, missing from this venv: ./setup.sh"
    if role != "hub":
        request.getfixturevalue("hub_on")(prod_broker)
    unit = read_unit(name)
    watchdog_s = int(one(unit, "Service", "WatchdogSec"))
    env = {**os.environ, **prod_broker.env(NODE_OF_UNIT[name]), "HALL_BROKER": prod_broker.url,
           "HALL_CLOCK": "2026-11-23T10:00:00+08:00"}
    argv = _exec_start(unit, script, env, instance, _simulating_hall(tmp_path), tmp_path)
    sock_path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(sock_path))
        env["NOTIFY_SOCKET"] = str(sock_path)
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                cwd=tmp_path)
        try:
            sock.settimeout(30)  # start-up (TimeoutStartSec is longer still)
            messages = [sock.recv(256)]
            sock.settimeout(watchdog_s / 2)  # systemd kills at WatchdogSec without a ping
            messages += [sock.recv(256), sock.recv(256)]
        except TimeoutError:
            pass
        finally:
            proc.terminate()
            stop_s = int(one(unit, "Service", "TimeoutStopSec"))
            try:
                out = proc.communicate(timeout=stop_s)[0].decode(errors="replace")
            except subprocess.TimeoutExpired:
                proc.kill()
                out = proc.communicate()[0].decode(errors="replace")
                pytest.fail(f"{script} still ran {stop_s} s after SIGTERM (TimeoutStopSec): "
                            f"systemd would SIGKILL it on every stop and restart\n{out}")
    assert [m.split(b"\n")[0] for m in messages] == [b"READY=1", b"WATCHDOG=1", b"WATCHDOG=1"], out
    # systemd counts exit 0 and death by SIGTERM as a clean stop (no restart)
    assert proc.returncode in (0, -15), out
