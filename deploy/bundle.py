"""``hall-flash bundle``: one file a technician carries to a hall with no internet.

The bundle is a tar holding one folder, ``hallstack-bundle/``::

    MANIFEST.json   project, version, role, the wheels and .debs, SHA-256 and size of every file
    install.sh      runs install.py with the system python3 (deploy/bundle_install.py)
    wheels/         hallstack's wheel and every dependency's, CPython 3.11 manylinux aarch64
    debs/           the role's arm64 Debian packages (bookworm) and their dependencies
    systemd/        the units, sysusers.d, the Mosquitto snippets, the first-boot script,
                    standby/ (a standby hall's units, installed beside the others)

Wheels come from ``pip download --only-binary=:all:`` for the Pi's platform, so a dependency
without an aarch64 wheel fails the build here, not on the Pi. The .debs come from Debian's
bookworm arm64 archive (with -updates and -security) through a private apt configuration under
the cache folder (its own sources, lists, an empty status and archives): the build machine's apt
is never changed, and no ``dpkg --add-architecture`` is needed. The whole dependency closure is
bundled (libc6 included) with a ``Packages`` index: on the Pi, apt installs the role's packages
from that flat repository, taking only what the Pi lacks or has too old.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from deploy import bundle_install, paths

ROLES = ("hub", "kiosk", "callboard", "rater", "witness")
COMMON_DEBS = ("python3-venv", "chrony")
ROLE_DEBS = {
    # reports draw Chinese charts; etcd and keepalived: any hub may be a standby hall's
    "hub": ("mosquitto", "mosquitto-clients", "fonts-noto-cjk", "etcd-server", "keepalived"),
    "kiosk": ("fonts-noto-cjk", "libusb-1.0-0"),                 # pyusb for a USB printer
    "callboard": ("fonts-noto-cjk", "espeak-ng"),                # announcements
    "rater": (),
    "witness": ("etcd-server",),  # a standby hall's third etcd member (docs/standby.md)
}
# RPi.GPIO has no aarch64 wheel (sdist only, it needs a compiler on the Pi); rpi-lgpio is the
# same API over lgpio and runs on a Pi 4 and a Pi 5 alike, so offline every Pi gets it.
ROLE_EXTRAS = {"rater": "[pi5-gpio]"}
PYTHON = "3.11"
# Raspberry Pi OS bookworm has glibc 2.36: every manylinux tag up to it, and the old aliases.
PLATFORMS = (["manylinux2014_aarch64", "linux_aarch64"]
             + [f"manylinux_2_{minor}_aarch64" for minor in range(17, 37)])
MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hallstack-bundle"
TOP = "hallstack-bundle"


class BuildError(Exception):
    """The bundle could not be built; the message says which step."""


def _run(argv: list[str], what: str, **kwargs) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-10:]
        raise BuildError(f"{what}: exit {done.returncode}: " + "\n".join(tail))
    return done.stdout


def build_wheels(source: Path, dest: Path, extras: str = "") -> list[dict]:
    """hallstack's wheel from ``source`` and every dependency's for the Pi, into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    with tempfile.TemporaryDirectory() as tmp:
        # a clean copy: setuptools' build/ in the tree could carry modules since deleted
        clean = Path(tmp) / "src"
        shutil.copytree(source, clean, ignore=shutil.ignore_patterns(
            ".*", "build", "dist", "*.egg-info", "__pycache__", "tests", "demo-out"))
        _run(pip + ["wheel", "--no-deps", "-q", "-w", tmp, str(clean)], "pip wheel (hallstack)")
        built = next(Path(tmp).glob("*.whl"))
        shutil.copy2(built, dest / built.name)
    platform_args = [arg for tag in PLATFORMS for arg in ("--platform", tag)]
    _run(pip + ["download", "-q", "--only-binary=:all:", "--python-version", PYTHON,
                "--implementation", "cp", "--abi", "cp311", "--abi", "abi3", "--abi", "none",
                *platform_args, "-d", str(dest),
                f"hallstack{extras} @ {(dest / built.name).resolve().as_uri()}"],
         "pip download (aarch64 wheels)", timeout=3600)
    return [wheel_entry(p) for p in sorted(dest.glob("*.whl"))]


def wheel_entry(path: Path) -> dict:
    name, version = path.name.split("-")[:2]
    return {"name": name, "version": version, "file": f"wheels/{path.name}"}


class DebianPool:
    """A private apt for Debian bookworm arm64 under ``cache``: it resolves and downloads
    packages with their dependencies, never touching the machine's own apt."""

    def __init__(self, cache: Path):
        self.dir = Path(cache) / "apt-arm64"
        self.archives = self.dir / "archives"

    def options(self) -> list[str]:
        d = self.dir
        return ["-o", f"Dir::Etc={d}/etc", "-o", f"Dir::Etc::SourceList={d}/etc/sources.list",
                "-o", f"Dir::Etc::SourceParts={d}/etc/sources.list.d",
                "-o", f"Dir::Etc::Preferences={d}/etc/preferences",
                "-o", f"Dir::Etc::PreferencesParts={d}/etc/preferences.d",
                "-o", f"Dir::State={d}/state", "-o", f"Dir::State::status={d}/state/status",
                "-o", f"Dir::Cache={d}/cache", "-o", f"Dir::Cache::archives={self.archives}",
                "-o", "APT::Architecture=arm64", "-o", "APT::Architectures::=arm64",
                "-o", "APT::Install-Recommends=false", "-o", "Debug::NoLocking=true",
                "-o", "Acquire::Languages=none"]

    def update(self) -> None:
        d = self.dir
        for sub in ("etc/sources.list.d", "etc/preferences.d", "state/lists/partial",
                    "cache", "archives/partial"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        (d / "state/status").touch()  # nothing installed: apt resolves the whole closure
        signed = f"[arch=arm64 signed-by={KEYRING}]"
        (d / "etc/sources.list").write_text(
            f"deb {signed} {MIRROR} bookworm main\n"
            f"deb {signed} {MIRROR} bookworm-updates main\n"
            f"deb {signed} {SECURITY} bookworm-security main\n", encoding="utf-8")
        _run(["apt-get", *self.options(), "-q", "update"], "apt-get update (private, arm64)",
             timeout=1800)

    def _simulate(self, packages: list[str]) -> list[tuple[str, str]]:
        out = _run(["apt-get", *self.options(), "-q", "-s", "install", *packages],
                   "apt-get -s install (resolve)")
        return [(n.split(":")[0], v) for n, v in re.findall(r"^Inst (\S+) \((\S+) ", out, re.M)]

    def closure(self, packages: list[str]) -> list[tuple[str, str]]:
        """(package, version) of ``packages`` and all their dependencies. Nothing is taken as
        present: a Pi whose image is older than the bundle (python3.11 below the version
        python3.11-venv needs) gets the newer one; the installer skips what is already there."""
        return self._simulate(packages)

    def download(self, wanted: list[tuple[str, str]], dest: Path) -> list[dict]:
        """Download (or take from the cache) each package version into ``dest``."""
        dest.mkdir(parents=True, exist_ok=True)
        missing = [f"{n}={v}" for n, v in wanted if not self._cached(n, v)]
        if missing:
            _run(["apt-get", *self.options(), "-q", "download", *missing],
                 "apt-get download (arm64)", cwd=self.archives, timeout=3600)
        entries = []
        for name, version in wanted:
            path = self._cached(name, version)
            if path is None:
                raise BuildError(f"apt-get download: {name} {version}: no file")
            shutil.copy2(path, dest / path.name)
            entries.append({"package": name, "version": version, "file": f"debs/{path.name}"})
        (dest / "Packages").write_text(self.index(entries), encoding="utf-8")
        return entries

    def index(self, entries: list[dict]) -> str:
        """A flat repository's ``Packages`` for the bundle's .debs: on the Pi apt picks from it
        only what the installed system lacks, and resolves alternatives against it."""
        shown = _run(["apt-cache", *self.options(), "show",
                      *[f"{e['package']}={e['version']}" for e in entries]], "apt-cache show")
        files = {(e["package"], e["version"]): Path(e["file"]).name for e in entries}
        stanzas, seen = [], set()
        for stanza in shown.strip().split("\n\n"):
            key = (re.search(r"^Package: (\S+)", stanza, re.M).group(1),
                   re.search(r"^Version: (\S+)", stanza, re.M).group(1))
            if key in files and key not in seen:  # the same version may be in two suites
                seen.add(key)
                stanzas.append(re.sub(r"^Filename: .*$", f"Filename: ./{files[key]}", stanza,
                                      flags=re.M))
        return "\n\n".join(stanzas) + "\n"

    def _cached(self, name: str, version: str) -> Path | None:
        quoted = version.replace(":", "%3a")
        for arch in ("arm64", "all"):
            path = self.archives / f"{name}_{quoted}_{arch}.deb"
            if path.is_file():
                return path
        return None


def project_version(source: Path) -> str:
    text = (Path(source) / "setup.cfg").read_text(encoding="utf-8")
    found = re.search(r"^version\s*=\s*(\S+)", text, re.M)
    if not found:
        raise BuildError(f"{source}/setup.cfg: no version")
    return found.group(1)


def stage(source: Path, role: str, into: Path, cache: Path, debs: bool = True) -> dict:
    """Lay the bundle's files out in ``into`` and write the manifest; the manifest."""
    if role not in ROLES:
        raise BuildError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    source = Path(source)
    extras = ROLE_EXTRAS.get(role, "")
    wheels = build_wheels(source, into / "wheels", extras)  # pip's own cache makes reruns quick
    deb_entries: list[dict] = []
    if debs:
        pool = DebianPool(cache)
        pool.update()
        deb_entries = pool.download(pool.closure(list(COMMON_DEBS + ROLE_DEBS[role])),
                                    into / "debs")
    add_installer(source, into)
    return write_manifest(into, {
        "project": "hallstack", "version": project_version(source), "role": role,
        "python": f"cp{PYTHON}", "platform": "manylinux aarch64", "debian": "bookworm arm64",
        "pip_extras": extras, "wheels": wheels, "debs": deb_entries,
        "packages": list(COMMON_DEBS + ROLE_DEBS[role]) if debs else []})


def add_installer(source: Path, into: Path) -> None:
    """The units (``source``/systemd), install.py and install.sh."""
    shutil.copytree(Path(source) / "systemd", into / "systemd")
    shutil.copy2(Path(bundle_install.__file__), into / "install.py")
    shutil.copy2(Path(paths.__file__), into / "hallstack_paths.py")  # install.py imports it
    (into / "install.sh").write_text(
        '#!/bin/sh\n# Install this hallstack bundle with no network (see install.py).\n'
        'exec /usr/bin/python3 "$(dirname "$0")/install.py" "$@"\n', encoding="utf-8")
    os.chmod(into / "install.sh", 0o755)


def write_manifest(into: Path, meta: dict) -> dict:
    """Write ``MANIFEST.json``: ``meta`` and the SHA-256 and size of every file under ``into``."""
    files = {}
    for path in sorted(p for p in into.rglob("*") if p.is_file()):
        name = path.relative_to(into).as_posix()
        if name != bundle_install.MANIFEST:
            files[name] = {"sha256": bundle_install.sha256(path), "size": path.stat().st_size}
    manifest = dict(meta, format=bundle_install.FORMAT, files=files)
    (into / bundle_install.MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True)
                                                + "\n", encoding="utf-8")
    return manifest


def build(source: Path, role: str, out: Path, cache: Path = DEFAULT_CACHE,
          debs: bool = True) -> tuple[Path, dict]:
    """Build the bundle for ``role`` as the tar ``out`` (written whole, then renamed)."""
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.is_dir() else None) as tmp:
        into = Path(tmp) / TOP
        into.mkdir()
        manifest = stage(source, role, into, cache, debs)
        manifest["manifest_sha256"] = bundle_install.sha256(into / bundle_install.MANIFEST)
        pack(into, out)
    return out, manifest


def pack(into: Path, out: Path) -> Path:
    """The folder ``into`` as the tar ``out``, under the name hallstack-bundle/."""
    part = out.with_name(out.name + ".part")
    with tarfile.open(part, "w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(into, arcname=TOP, filter=_plain)
    os.replace(part, out)
    return out


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def unpack(tar_path: Path, dest: Path) -> Path:
    """Unpack a bundle tar into ``dest`` (no links, nothing outside it); the bundle folder."""
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
        for m in members:
            name = PurePosixPath(m.name)
            if name.is_absolute() or ".." in name.parts or not (m.isfile() or m.isdir()):
                raise BuildError(f"{tar_path}: {m.name!r} is not a plain file inside the bundle")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # Python before 3.11.4 (Debian 12's 3.11.2) has no filters: the check above is it
            tar.extractall(dest, members=members)
    return Path(dest) / TOP


def check_tar(tar_path: Path) -> dict:
    """The manifest of the bundle ``tar_path`` once every file checks (BuildError otherwise)."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            return bundle_install.verify(unpack(tar_path, Path(tmp)))
        except (OSError, tarfile.TarError, bundle_install.BundleError) as exc:
            raise BuildError(f"bundle {tar_path}: {exc}") from None


def copy_to_card(tar_path: Path, folder: Path, manifest: dict) -> Path:
    """Copy a checked bundle into the card's hallstack folder, where first boot looks."""
    dest = Path(folder) / f"hallstack-{manifest['role']}-{manifest['version']}.tar"
    for old in Path(folder).glob("hallstack-*.tar"):
        if old != dest:
            old.unlink()  # one bundle on a card: first boot takes the first it finds
    part = dest.with_name(dest.name + ".part")
    shutil.copyfile(tar_path, part)
    with open(part, "rb") as f:
        os.fsync(f.fileno())
    os.replace(part, dest)
    return dest
