#!/usr/bin/env bash
# run.sh EMU ISO: boot Keel with its serial console on this terminal.
# EMU: kvm (nested VT-x), bochs (emulated VT-x), qemu (TCG, no VT-x) or auto,
# which picks kvm when /dev/kvm works and the CPU has VMX, else bochs.
set -eu
emu=${1:-auto}
iso=${2:-build/keel.iso}

have_vmx_kvm() {
	[ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo
}

if [ "$emu" = auto ]; then
	if have_vmx_kvm; then emu=kvm; else emu=bochs; fi
fi
echo "run: booting $iso under $emu (serial console below)"
case $emu in
kvm)
	exec qemu-system-x86_64 -enable-kvm -cpu host -machine q35 -m 1024 \
		-display none -serial mon:stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso"
	;;
qemu)
	exec qemu-system-x86_64 -machine q35 -m 512 -display none \
		-serial mon:stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso"
	;;
bochs)
	log=build/run/serial.log
	mkdir -p build/run
	: >"$log"
	tools/bochs-run.sh "$iso" "$log" "${RUN_TIMEOUT:-3600}" &
	pid=$!
	trap 'kill -INT $pid 2>/dev/null; pkill -INT -f "bochs -q -f $(readlink -f build/run)" 2>/dev/null' INT TERM
	tail -f --pid=$pid "$log"
	;;
*)
	echo "run: unknown EMU '$emu' (kvm, bochs, qemu or auto)" >&2
	exit 2
	;;
esac
