#!/usr/bin/env bash
# Install what hallstack needs on a fresh Debian 12 machine: system packages and a venv in .venv.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
  python3-venv mosquitto mosquitto-clients espeak-ng sox fonts-noto-cjk libusb-1.0-0 socat \
  >/dev/null
# Mosquitto must not run as a system service for the tests and the demo: they start their own.
$SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || true
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
echo "setup done: .venv ready"
