#!/usr/bin/env bash
# mkiso.sh OUT.iso "KEEL CMDLINE" [GUEST] ["GUEST CMDLINE"]
# Build a GRUB rescue ISO that boots Keel on BIOS (i386-pc) and UEFI
# (x86_64-efi), as a CD and as a raw USB disk. The guest, if given, is the
# multiboot2 module named "guest"; the rest of its line is its command line.
# GUEST_MODULE=path adds one module for the guest ("guest-module" and then
# GUEST_MODULE_CMDLINE, default "initrd": a Linux guest's initrd).
set -eu
out=$1
cmdline=${2:-}
guest=${3:-}
guest_cmdline=${4:-}
keel=${KEEL_ELF:-build/keel.elf}
if [ -n "$guest" ] && [ ! -f "$guest" ]; then
	echo "mkiso: guest kernel '$guest' not found (GUEST=path/to/kernel)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-iso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root
mkdir -p "$stage/boot/grub"
cp "$keel" "$stage/boot/keel.elf"
{
	echo 'set timeout=0'
	echo 'set default=0'
	# Without a video driver GRUB on UEFI gives no framebuffer tag and
	# complains "no suitable video mode found".
	echo 'insmod all_video'
	echo 'menuentry "Keel" {'
	echo "	multiboot2 /boot/keel.elf $cmdline"
	if [ -n "$guest" ]; then
		cp "$guest" "$stage/boot/guest.elf"
		echo "	module2 /boot/guest.elf guest $guest_cmdline"
	fi
	if [ -n "${GUEST_MODULE:-}" ]; then
		cp "$GUEST_MODULE" "$stage/boot/guest-module"
		echo "	module2 /boot/guest-module guest-module ${GUEST_MODULE_CMDLINE:-initrd}"
	fi
	echo '	boot'
	echo '}'
} >"$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$stage" >"$tmp/mkrescue.log" 2>&1 || {
	cat "$tmp/mkrescue.log" >&2
	exit 1
}
