#!/usr/bin/env bash
# Install the Debian packages Keel needs to build, boot and test. Quiet and
# quick when everything is already there.
set -eu
pkgs="gcc make binutils qemu-system-x86 bochs bochsbios vgabios bochs-term \
grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf \
libcmocka-dev libc6-dev python3 python3-pytest clang-format cppcheck clang"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
