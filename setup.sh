#!/usr/bin/env bash
# Install what hallstack needs on a fresh Debian 12 machine: system packages and a venv in .venv.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"
# chrony: the hub's NTP snippet is checked by the real chronyd; chromium: hall-web's browser
# tests; postgresql: the county tests; debootstrap, qemu-user-static, binfmt-support: the
# emulated arm64 Pi of the bundle test (tests/deploy/test_bundle_arm64.py); etcd-server,
# keepalived: the standby hub (docs/standby.md).
PACKAGES="python3-venv mosquitto mosquitto-clients espeak-ng fonts-noto-cjk libusb-1.0-0 socat
  chrony chromium postgresql debootstrap qemu-user-static binfmt-support faketime
  etcd-server keepalived"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  # The tests and the demo start their own broker; a system one would only sit on port 1883.
  $SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || true
  # The county tests start their own PostgreSQL (initdb in a temp folder); no system cluster.
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
  # The standby tests start their own etcd and keepalived (docs/standby.md); none by default.
  $SUDO systemctl disable --now etcd keepalived >/dev/null 2>&1 || true
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
if [ ! -f .venv/.installed ] || [ setup.cfg -nt .venv/.installed ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test]'
  touch .venv/.installed
fi
echo "setup: ready (.venv)"
