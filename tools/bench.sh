#!/usr/bin/env bash
# make bench: every benchmark, printed as BENCH lines and tables.
#  1. VM-exit round trips measured by the test guest in Bochs (TSC counts
#     retired instructions there, so the figures are exact and repeatable).
#  2. AHCI through the block layer on QEMU TCG: none vs deadline, NCQ 1 vs 32.
#  3. The block layer's elevators on iosim's disk models, and their CPU cost.
set -eu
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out"

echo "== VM-exit round trips (Bochs corei7_skylake_x, guest-measured TSC cycles)"
tools/mkiso.sh "$out/vmx-bench.iso" "on_guest_exit=poweroff" \
	build/guest/guest.elf "scenario=bench"
tools/bochs-run.sh "$out/vmx-bench.iso" "$out/vmx-bench.log" 300
grep -a '^BENCH' "$out/vmx-bench.log" | tr -d '\r' | tee "$out/vmx.txt"
printf '%-24s %10s\n' "round trip" "cycles"
awk '{printf "%-24s %10s\n", $2, $3}' "$out/vmx.txt"
grep -q cpuid_roundtrip "$out/vmx.txt" || {
	echo "bench: the VMX benchmark printed nothing (see $out/vmx-bench.log)"
	exit 1
}

echo
echo "== AHCI through the block layer (QEMU q35 TCG, 4 KiB I/O, 32 in flight)"
rm -f "$out/ahci-disk.img"
truncate -s 2G "$out/ahci-disk.img"
tools/mkiso.sh "$out/ahci-bench.iso" "bench=ahci poweroff"
timeout 900 qemu-system-x86_64 -machine q35 -m 512 -display none \
	-monitor none -no-reboot -serial "file:$out/ahci-bench.log" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-cdrom "$out/ahci-bench.iso" \
	-drive "file=$out/ahci-disk.img,format=raw,if=none,id=d0" \
	-device ide-hd,drive=d0,bus=ide.0 || true
grep -a '^BENCH' "$out/ahci-bench.log" | tr -d '\r' | tee "$out/ahci.txt"
grep -q 'BENCH ahci' "$out/ahci.txt" || {
	echo "bench: the AHCI benchmark printed nothing (see $out/ahci-bench.log)"
	exit 1
}
rm -f "$out/ahci-disk.img"

echo
echo "== Block layer: elevators on iosim's disk models, and their CPU cost"
tools/bench-block.sh
