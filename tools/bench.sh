#!/usr/bin/env bash
# make bench: every benchmark, printed once as a table (the raw BENCH lines
# stay in build/bench/).
#  1. VM-exit round trips measured by the test guest in Bochs (TSC counts
#     retired instructions there, so the figures are exact and repeatable).
#  2. AHCI through the block layer on QEMU TCG: each elevator, NCQ 1 vs 32,
#     VT-d translation off and on, AHCI_RUNS times (default 3), as medians
#     with their spread and the on/off ratio.
#  3. The block layer's elevators on iosim's disk models, and their CPU cost.
#  4. virtio-blk in Bochs: the guest's I/O through virtio beside the same
#     I/O issued by Keel on the same disk (tools/bench-virtio.sh).
#  5. Linux guest in Bochs: Debian's kernel booted under Keel against
#     natively (instructions to /init, exits by reason), and the I/O plan
#     of section 4 issued by Linux on /dev/vda, MSI-X and INTx, beside
#     Keel's direct figures (tools/bench-linux.sh; fetches Debian packages).
set -eu
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out"

echo "== VM-exit round trips (Bochs corei7_skylake_x, guest-measured TSC cycles)"
# Bochs runs are deterministic and its TSC counts retired instructions: one
# run gives exact figures, with no spread to show.
tools/mkiso.sh "$out/vmx-bench.iso" "on_guest_exit=poweroff" \
	build/guest/guest.elf "scenario=bench"
tools/bochs-run.sh "$out/vmx-bench.iso" "$out/vmx-bench.log" 300
grep -a '^guest| BENCH' "$out/vmx-bench.log" | tr -d '\r' | sed 's/^guest| //' >"$out/vmx.txt"
grep -q cpuid_roundtrip "$out/vmx.txt" || {
	echo "bench: the VMX benchmark printed nothing (see $out/vmx-bench.log)"
	exit 1
}
printf '%-24s %10s\n' "round trip" "cycles"
awk '{printf "%-24s %10s\n", $2, $3}' "$out/vmx.txt"
echo "(BENCH lines: $out/vmx.txt)"

echo
# QEMU TCG's timing moves with the host's load: run the whole AHCI benchmark
# AHCI_RUNS times and show the median and the spread of each figure. Each
# run boots twice on a fresh image, without an IOMMU (translation off) and
# with intel-iommu (translation on, the controller in the Keel domain,
# docs/iommu.md), so the two sit side by side.
runs=${AHCI_RUNS:-3}
echo "== AHCI through the block layer (QEMU q35 TCG, 4 KiB I/O; $runs runs, VT-d off and on)"
tools/mkiso.sh "$out/ahci-bench.iso" "bench=ahci poweroff"
: >"$out/ahci.txt"
for r in $(seq "$runs"); do
	for vtd in off on; do
		iommu=()
		[ $vtd = on ] && iommu=(-device intel-iommu)
		log="$out/ahci-bench.$r.vtd-$vtd.log"
		rm -f "$out/ahci-disk.img"
		truncate -s 2G "$out/ahci-disk.img"
		timeout 900 qemu-system-x86_64 -machine q35 -m 512 -display none \
			-monitor none -no-reboot -serial "file:$log" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			"${iommu[@]}" -cdrom "$out/ahci-bench.iso" \
			-drive "file=$out/ahci-disk.img,format=raw,if=none,id=d0" \
			-device ide-hd,drive=d0,bus=ide.0 || true
		if [ $vtd = on ] && ! grep -aq 'keel: iommu: unit 0: translation on' "$log"; then
			echo "bench: VT-d did not come on (see $log)"
			exit 1
		fi
		grep -a '^BENCH ahci sched=' "$log" | tr -d '\r' |
			sed "s/\$/ run=$r vtd=$vtd/" >>"$out/ahci.txt"
		grep -q "run=$r vtd=$vtd\$" "$out/ahci.txt" || {
			echo "bench: AHCI run $r (VT-d $vtd) printed nothing (see $log)"
			exit 1
		}
	done
done
rm -f "$out/ahci-disk.img"
grep -a '^BENCH ahci [^ ]*: ' "$out/ahci-bench.1.vtd-off.log" | tr -d '\r' | cut -d' ' -f3-
# "BENCH ahci sched=S qd=N PATTERN IOPS IOPS MB MB/s [(errors)] run=R vtd=V":
# one row per (sched, depth, pattern), in the order first printed, with the
# VT-d off and on medians and their ratio.
awk '
function median(list, n,   v, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	lo = v[1]; hi = v[n]
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{
	key = $3 " " $4 " " $5
	vtd = $NF; sub(/^vtd=/, "", vtd)
	if (!(key in seen)) {
		seen[key] = 1
		order[++rows] = key
	}
	iops[key, vtd] = iops[key, vtd] " " $6
	mbs[key, vtd] = mbs[key, vtd] " " $8
	if ($10 == "(errors)")
		bad[key] = 1
}
END {
	printf "%-10s %3s  %-11s %9s  %-17s %9s  %9s  %-17s %9s  %6s\n", "sched",
		"qd", "pattern", "IOPS off", "(min-max)", "MB/s off", "IOPS on",
		"(min-max)", "MB/s on", "on/off"
	for (r = 1; r <= rows; r++) {
		split(order[r], k, " ")
		sub(/^sched=/, "", k[1]); sub(/^qd=/, "", k[2])
		off = median(iops[order[r], "off"]); roff = "(" lo "-" hi ")"
		on = median(iops[order[r], "on"]); ron = "(" lo "-" hi ")"
		printf "%-10s %3s  %-11s %9d  %-17s %9.2f  %9d  %-17s %9.2f  %6.3f%s\n",
			k[1], k[2], k[3], off, roff, median(mbs[order[r], "off"]),
			on, ron, median(mbs[order[r], "on"]), off ? on / off : 0,
			bad[order[r]] ? "  errors" : ""
	}
}' "$out/ahci.txt"
echo "(medians over $runs runs, MB/s from the same runs; BENCH lines: $out/ahci.txt)"
grep -q '(errors)' "$out/ahci.txt" && {
	echo "bench: AHCI I/O failed in some runs (see $out/ahci-bench.*.log)"
	exit 1
}

echo
echo "== Block layer: elevators on iosim's disk models, and their CPU cost"
tools/bench-block.sh

echo
echo "== virtio-blk (Bochs, ATA disk, deadline; emulated time): guest via virtio vs Keel direct"
tools/bench-virtio.sh

echo
echo "== Linux guest (Bochs, Debian's kernel; emulated time): boot under Keel vs native, I/O in Linux vs Keel direct"
tools/bench-linux.sh
