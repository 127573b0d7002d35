"""The offline installer inside a hallstack bundle (``install.py``): Python standard library only.

It runs on a Pi that has only the system ``python3`` (Raspberry Pi OS has 3.11) and no network::

    tar -xf hallstack-kiosk-0.1.0.tar -C /var/tmp
    sudo /var/tmp/hallstack-bundle/install.sh            # = python3 install.py
    sudo /var/tmp/hallstack-bundle/install.sh --rollback # back to the previous release

Order, each step only when the one before succeeded:

1. check: every file against ``MANIFEST.json`` (SHA-256 and size), no file missing, none extra.
   A bundle that fails installs nothing (exit 3).
2. the role's Debian packages from the bundle's flat repository (``debs/Packages``) with apt's
   own lists and sources hidden: apt sees only what is installed and the bundle, takes only what
   is missing or too old, and cannot reach for a mirror.
3. a new venv in ``<prefix>/releases/<version>-<manifest hash>/venv``, ``pip install --no-index
   --find-links wheels``, then a smoke test of that venv (imports, and ``--help`` of every
   command a shipped unit starts: hall-hub, hall-web, hall-kiosk …). A failure
   removes the new release; the symlink and the running release stay as they were (exit 1).
4. the systemd units into ``/etc/systemd/system``; then the switch: ``<prefix>/current`` is
   replaced atomically by a symlink to the new release, ``<prefix>/previous`` to the old one,
   and the running role units are restarted: every ``hallstack-*.service`` shipped in the
   bundle's ``systemd/`` (hub, web, kiosk, callboard, rater@N), read from the folder, so a new
   unit is never left on the old code (never hallstack-firstboot). If a restart
   fails, the switch is undone and the units restarted on the old release (exit 1). Two
   releases are kept.

``<prefix>/venv`` is a symlink to ``current/venv``, the path the units run. Config, credentials
(``/etc/hallstack``) and ``hall.db`` (``/var/lib/hallstack``) are never read or written here.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from deploy import paths
except ImportError:  # install.py in a bundle: paths.py is beside it (deploy/bundle.py)
    sys.dont_write_bytecode = True  # a __pycache__ in the bundle would fail its own check
    import hallstack_paths as paths  # type: ignore[no-redef]

MANIFEST = "MANIFEST.json"
FORMAT = 1
SMOKE = ("import hub.cli, kiosk.app, callboard.main, rater.app, web.app, "
         "deploy.flash_cli")
#: a unit's command from the release's venv (``/opt/hallstack/venv/bin/hall-web …``)
EXEC_RE = re.compile(r"^ExecStart=\S*/venv/bin/(hall-[A-Za-z0-9_-]+)", re.M)


class BundleError(Exception):
    """The bundle is refused: nothing was installed."""


class InstallError(Exception):
    """A step failed; the previous release is still the current one."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(bundle: Path) -> dict:
    """The manifest, once every file matches it; BundleError naming the first problem otherwise."""
    bundle = Path(bundle)
    try:
        manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"{bundle / MANIFEST}: cannot read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{bundle / MANIFEST}: not a format {FORMAT} hallstack manifest")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise BundleError(f"{bundle / MANIFEST}: no files listed")
    present = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*")
               if p.is_file() or p.is_symlink()} - {MANIFEST}
    extra = sorted(present - set(files))
    if extra:
        raise BundleError(f"{bundle / extra[0]}: not in the manifest")
    for name, entry in sorted(files.items()):
        path = bundle / name
        if ".." in Path(name).parts or name.startswith("/"):
            raise BundleError(f"manifest: {name!r} leaves the bundle")
        if path.is_symlink() or not path.is_file():
            raise BundleError(f"{path}: missing")
        if path.stat().st_size != entry.get("size") or sha256(path) != entry.get("sha256"):
            raise BundleError(f"{path}: SHA-256 or size differs from the manifest "
                              "(damaged or changed); nothing was installed")
    return manifest


def manifest_id(bundle: Path) -> str:
    return sha256(Path(bundle) / MANIFEST)[:12]


def run(argv: list[str], what: str, **kwargs) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    except OSError as exc:
        raise InstallError(f"{what}: {argv[0]}: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-8:]
        raise InstallError(f"{what}: exit {done.returncode}: " + " | ".join(tail))
    return done.stdout


def install_debs(bundle: Path, manifest: dict, log) -> None:
    """The role's packages from the bundle's flat repository (debs/Packages): apt's own lists
    and sources are hidden, so apt sees only dpkg's database and the bundle; it takes from the
    bundle only what is missing or too old, and has no mirror to reach for."""
    wanted = manifest.get("packages") or []
    if not wanted:
        log("debs: none in this bundle")
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "lists", "partial"))
        sources = os.path.join(tmp, "sources.list")
        with open(sources, "w", encoding="utf-8") as f:
            f.write(f"deb [trusted=yes] file:{(bundle / 'debs').resolve()} ./\n")
        opts = ["-q", "-o", f"Dir::Etc::SourceList={sources}",
                "-o", "Dir::Etc::SourceParts=/dev/null",
                "-o", f"Dir::State::Lists={os.path.join(tmp, 'lists')}",
                "-o", "Acquire::AllowInsecureRepositories=true", "-o", "Acquire::Languages=none"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(["apt-get", *opts, "update"], "apt-get update (the bundle's debs)", env=env,
            timeout=600)
        out = run(["apt-get", *opts, "install", "-y", "--no-install-recommends", *wanted],
                  "apt-get install (the bundle's debs)", env=env, timeout=3600)
    changed = re.search(r"^(\d+) upgraded, (\d+) newly installed", out, re.M)
    log("debs: installed " + (f"{changed.group(2)}, upgraded {changed.group(1)}" if changed
                              else "(apt said nothing)"))


def build_release(bundle: Path, manifest: dict, release: Path, python: str, log) -> None:
    """A complete venv in ``release`` (built at its final path: a venv cannot be moved)."""
    venv = release / "venv"
    run([python, "-m", "venv", str(venv)], "python3 -m venv", timeout=600)
    spec = f"{manifest['project']}{manifest.get('pip_extras', '')}=={manifest['version']}"
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index", "--no-cache-dir",
         "--disable-pip-version-check", "--find-links", str(bundle / "wheels"), spec],
        "pip install (bundle wheels)", timeout=3600)
    run([str(venv / "bin" / "python"), "-c", SMOKE], "smoke test: import", timeout=600)
    for script in unit_commands(bundle / "systemd"):
        run([str(venv / "bin" / script), "--help"], f"smoke test: {script} --help", timeout=600)
    shutil.copy2(bundle / MANIFEST, release / MANIFEST)
    (release / ".complete").write_text(manifest["version"] + "\n", encoding="utf-8")
    log(f"release: {release} ready")


def unit_commands(folder: Path) -> list[str]:
    """The commands the units in ``folder`` start from the venv (each smoke-tested)."""
    return sorted({m.group(1) for unit in folder.glob("*.service")
                   for m in EXEC_RE.finditer(unit.read_text(encoding="utf-8"))})


def install_units(bundle: Path, root: Path, log) -> None:
    units = root / "etc/systemd/system"
    units.mkdir(parents=True, exist_ok=True)
    shipped = [*(bundle / "systemd").glob("*.service"),
               *(bundle / "systemd" / paths.STANDBY_UNITS).glob("*.service")]
    for unit in sorted(shipped):  # a standby hall's units too: enabled by its first boot only
        shutil.copyfile(unit, units / unit.name)
    users = bundle / "systemd/sysusers.d/hallstack.conf"
    if users.is_file():
        (root / "usr/lib/sysusers.d").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(users, root / "usr/lib/sysusers.d/hallstack.conf")
    script = bundle / "systemd/hallstack-firstboot.sh"
    if script.is_file():
        (root / "usr/local/lib/hallstack").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(script, root / "usr/local/lib/hallstack/firstboot.sh")
        os.chmod(root / "usr/local/lib/hallstack/firstboot.sh", 0o755)
    log("units: installed")


def link(path: Path, target: str) -> None:
    """Point the symlink ``path`` at ``target`` in one rename."""
    tmp = path.with_name(path.name + ".new")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, path)


def current_release(prefix: Path) -> str | None:
    cur = prefix / "current"
    return os.readlink(cur).split("/")[-1] if cur.is_symlink() else None


def restart_units(root: Path, log) -> None:
    """Restart the hallstack units that run now (none when systemd does not run here)."""
    if root.resolve() != Path("/") or not Path("/run/systemd/system").is_dir():
        log("units: systemd not running here; nothing restarted")
        return
    run(["systemctl", "daemon-reload"], "systemctl daemon-reload", timeout=120)
    if shutil.which("systemd-sysusers"):
        run(["systemd-sysusers"], "systemd-sysusers", timeout=120)
    # the role units only: never hallstack-firstboot, which may be the caller
    units = paths.restart_patterns(root / "etc/systemd/system")
    run(["systemctl", "try-restart", *units], "restart hallstack units", timeout=600)
    log("units: restarted")


def switch(prefix: Path, release: str, root: Path, log, restart=restart_units) -> None:
    """Make ``release`` current and restart; on a failed restart go back and restart again."""
    old = current_release(prefix)
    link(prefix / "current", f"releases/{release}")
    if not (prefix / "venv").is_symlink():
        legacy = prefix / "venv"
        if legacy.exists():  # a venv from the pip-from-an-index layout: keep it for rollback
            legacy.rename(prefix / "releases" / "legacy-venv")
        link(prefix / "venv", "current/venv")
    try:
        restart(root, log)
    except InstallError:
        if old is not None:
            link(prefix / "current", f"releases/{old}")
            restart(root, log)
        raise
    if old is not None and old != release:
        link(prefix / "previous", f"releases/{old}")


def prune(prefix: Path, log) -> None:
    keep = {current_release(prefix)}
    if (prefix / "previous").is_symlink():
        keep.add(os.readlink(prefix / "previous").split("/")[-1])
    for release in (prefix / "releases").iterdir():
        if release.name not in keep and release.name != "legacy-venv":
            shutil.rmtree(release)
            log(f"release: removed old {release.name}")


def install(bundle: Path, prefix: Path = paths.PREFIX, root: Path = Path("/"),
            python: str = "/usr/bin/python3", debs: bool = True, log=print,
            restart=restart_units) -> Path:
    """Check and install ``bundle``; the release directory now current."""
    bundle, prefix = Path(bundle), Path(prefix)
    manifest = verify(bundle)
    if debs and Path(root).resolve() != Path("/"):
        raise InstallError(f"--root {root}: .debs install only into the running system "
                           "(--no-debs)")
    release = f"{manifest['version']}-{manifest_id(bundle)}"
    path = prefix / "releases" / release
    (prefix / "releases").mkdir(parents=True, exist_ok=True)
    with open(prefix / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if debs:
            install_debs(bundle, manifest, log)
        if not (path / ".complete").is_file():
            if path.exists():  # a half-built release from an interrupted run
                shutil.rmtree(path)
            path.mkdir()
            try:
                build_release(bundle, manifest, path, python, log)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
        install_units(bundle, root, log)
        if current_release(prefix) != release:
            switch(prefix, release, root, log, restart)
        prune(prefix, log)
    log(f"hallstack {manifest['version']} ({manifest.get('role')}): {path}")
    return path


def rollback(prefix: Path = paths.PREFIX, root: Path = Path("/"), log=print,
             restart=restart_units) -> str:
    """Make the previous release current again; its name."""
    prefix = Path(prefix)
    prev = prefix / "previous"
    if not prev.is_symlink() or not (prefix / os.readlink(prev) / ".complete").is_file():
        raise InstallError(f"{prev}: no previous release to go back to")
    target = os.readlink(prev).split("/")[-1]
    switch(prefix, target, root, log, restart)
    return target


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(prog="install.sh", description="install a hallstack bundle "
                                     "with no network")
    parser.add_argument("--bundle", type=Path, default=here, help="the unpacked bundle folder")
    parser.add_argument("--prefix", type=Path, default=paths.PREFIX)
    parser.add_argument("--root", type=Path, default=Path("/"),
                        help="system root for the units (an image being prepared)")
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--no-debs", action="store_true", help="skip the Debian packages")
    parser.add_argument("--check", action="store_true", help="only check the bundle")
    parser.add_argument("--rollback", action="store_true", help="back to the previous release")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(f"install: {text}", flush=True)

    try:
        if args.rollback:
            log(f"current: {rollback(args.prefix, args.root, log=log)}")
        elif args.check:
            manifest = verify(args.bundle)
            log(f"bundle ok: hallstack {manifest['version']} for {manifest.get('role')}, "
                f"manifest {manifest_id(args.bundle)}")
        else:
            install(args.bundle, args.prefix, args.root, args.python, not args.no_debs, log)
    except BundleError as exc:
        print(f"install: REFUSED: {exc}", file=sys.stderr)
        return 3
    except (InstallError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"install: FAILED, the previous release stays current: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
