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

# The value of the last console= on the command line, if any.
fb_wanted() {
	local w v=
	for w in $1; do
		case $w in console=*) v=${w#console=} ;; esac
	done
	echo "$v"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-iso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root
mkdir -p "$stage/boot/grub"
cp "$keel" "$stage/boot/keel.elf"
{
	echo 'set timeout=0'
	echo 'set default=0'
	# Without a video driver GRUB on UEFI gives no framebuffer tag and
	# complains "no suitable video mode found". On BIOS, all_video brings
	# VBE, which sets the linear mode Keel's multiboot2 header asks for
	# (console=fb draws on it); GRUB falls back to any mode it can set.
	echo 'insmod all_video'
	echo 'set gfxmode=1024x768x32,1024x768,auto'
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
	# Keel's header asks for a linear framebuffer (console=fb). A BIOS
	# boot that does not draw on it stays in text mode: Bochs's term
	# display, used by the tests, stops on any graphics mode. UEFI has no
	# text mode; GRUB keeps the firmware's framebuffer there.
	case ",$(fb_wanted "$cmdline")," in
	*,fb,*) ;;
	*) echo '	set gfxpayload=text' ;;
	esac
	echo '	boot'
	echo '}'
} >"$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$stage" >"$tmp/mkrescue.log" 2>&1 || {
	cat "$tmp/mkrescue.log" >&2
	exit 1
}
