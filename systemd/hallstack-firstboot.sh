#!/bin/sh
# hallstack node first boot (hallstack-firstboot.service, as root), installed in the node image as
# /usr/local/lib/hallstack/firstboot.sh. It installs hallstack from an offline bundle
# (hall-flash bundle) when one is found, then the node that `hall-flash node` wrote on the card.
# Where a bundle is looked for, the first found wins (docs/bundle.md):
#   1. the card: /boot/firmware/hallstack/hallstack-*.tar (or /boot/hallstack/ on older images);
#   2. a mounted USB stick: /media/*/hallstack-*.tar, /media/*/*/hallstack-*.tar, /mnt/...;
#   3. a USB stick nobody mounted (Raspberry Pi OS Lite mounts none): each USB partition,
#      mounted read-only on /run/hallstack-usb for the install and unmounted after.
# The bundle's own installer checks every file first and installs nothing from a damaged one.
# HALLSTACK_ROOT: another system root (an image being prepared, the tests): its card folders and
# prefix, and no USB scan. HALLSTACK_INSTALL_ARGS: more arguments for install.sh.
set -eu
R=${HALLSTACK_ROOT:-}
PREFIX=$R/opt/hallstack
card=""
for d in "$R/boot/firmware/hallstack" "$R/boot/hallstack"; do
  if [ -f "$d/node.toml" ]; then card=$d; break; fi
done
pick() { for f in "$@"; do if [ -f "$f" ]; then echo "$f"; return 0; fi; done; return 1; }
bundle=$(pick ${card:+"$card"/hallstack-*.tar} "$R"/media/*/hallstack-*.tar \
  "$R"/media/*/*/hallstack-*.tar "$R"/mnt/hallstack-*.tar "$R"/mnt/*/hallstack-*.tar || true)
mounted=""
if [ -z "$bundle" ] && [ -z "$R" ]; then
  for dev in /dev/disk/by-id/usb-*; do
    [ -b "$dev" ] || continue
    mkdir -p /run/hallstack-usb
    if mount -o ro "$dev" /run/hallstack-usb 2>/dev/null; then
      if bundle=$(pick /run/hallstack-usb/hallstack-*.tar); then mounted=1; break; fi
      umount /run/hallstack-usb
    fi
  done
fi
if [ -n "$bundle" ]; then
  echo "hallstack firstboot: installing $bundle"
  tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/hallstack-bundle.XXXXXX")
  rc=0
  # shellcheck disable=SC2086 # HALLSTACK_INSTALL_ARGS is a list of words
  tar -xf "$bundle" -C "$tmp" &&
    "$tmp/hallstack-bundle/install.sh" --prefix "$PREFIX" --root "${R:-/}" \
      ${HALLSTACK_INSTALL_ARGS:-} || rc=$?
  rm -rf "$tmp"
  [ -z "$mounted" ] || umount /run/hallstack-usb || true
  [ "$rc" -eq 0 ] || exit "$rc"
fi
[ -n "$card" ] || exit 0
exec "$PREFIX/venv/bin/hall-flash" firstboot --root "${R:-/}"
