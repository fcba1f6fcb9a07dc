#!/usr/bin/env bash
# bench-virtio.sh: the virtio-blk benchmark (docs/virtio.md, "Performance").
# One Bochs run on a fresh ATA disk (ata0-slave, deadline elevator): Keel
# first issues the plan of guest/vbench_plan.h itself on the
# guest_disk= range (bench=guest-disk, "BENCH direct.*"), then the test
# guest issues the same plan through virtio-blk (scenario=virtio-bench,
# "BENCH virtio.*"). Bochs's TSC counts instructions, so the figures are
# exact and repeatable (emulated time, not a real disk's). Prints one row
# per workload and queue depth. Raw lines: build/bench/virtio.txt.
# VIRTIO_BENCH_SCHED picks another elevator (default deadline);
# VIRTIO_BENCH_KEEL adds to Keel's command line, by default
# ide_max_xfer=64K: Bochs charges every PRD entry after a command's first,
# so merged 64 KiB requests would measure its timer, not Keel
# (docs/ata.md, "Command size"; VIRTIO_BENCH_KEEL= runs without the cap);
# VIRTIO_BENCH_GUEST adds to the guest's command line (e.g.
# virtio_notify_always=1, to see the figures without notify suppression).
set -eu
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out"
# The disk of tests/system/test_ata.py (20160 sectors) and the range of
# tests/system/test_virtio.py: the guest gets sectors 2048..18431.
disk=$out/virtio-disk.img
rm -f "$disk"
truncate -s $((20 * 16 * 63 * 512)) "$disk"
tools/mkiso.sh "$out/virtio-bench.iso" \
	"sched=${VIRTIO_BENCH_SCHED:-deadline} ${VIRTIO_BENCH_KEEL-ide_max_xfer=64K} guest_disk=sda:2048+16384 bench=guest-disk on_guest_exit=poweroff" \
	build/guest/guest.elf "scenario=virtio-bench ${VIRTIO_BENCH_GUEST:-}"
BOCHS_EXTRA="ata0-slave: type=disk, path=$(readlink -f "$disk"), mode=flat, cylinders=20, heads=16, spt=63" \
	tools/bochs-run.sh "$out/virtio-bench.iso" "$out/virtio-bench.log" \
	"${VIRTIO_BENCH_TIMEOUT:-900}"
rm -f "$disk"
grep -a -e '^BENCH direct' -e '^guest| BENCH virtio' "$out/virtio-bench.log" |
	tr -d '\r' | sed 's/^guest| //' >"$out/virtio.txt"
grep -a '^keel: virtio-blk: [0-9]* requests' "$out/virtio-bench.log" | tr -d '\r' || true
grep -q '^BENCH virtio\..*\.iops' "$out/virtio.txt" || {
	echo "bench: the virtio benchmark printed nothing (see $out/virtio-bench.log)"
	exit 1
}
# "BENCH <side>.<workload>.qd<N>.<what> <value> <unit>"
awk '
$2 ~ /\.qd[0-9]+\./ {
	n = split($2, k, ".")
	key = k[2] " " k[3]
	if (!(key in seen)) { seen[key] = 1; order[++rows] = key }
	v[k[1], key, k[4]] = $3
}
/ FAIL / { bad = 1 }
END {
	printf "%-13s %3s  %10s %9s  %11s %9s  %7s  %9s  %10s\n", "workload",
		"qd", "guest IOPS", "MB/s", "direct IOPS", "MB/s", "ratio",
		"exits/IO", "notify/IO"
	for (r = 1; r <= rows; r++) {
		split(order[r], k, " ")
		sub(/^qd/, "", k[2])
		g = v["virtio", order[r], "iops"]; d = v["direct", order[r], "iops"]
		printf "%-13s %3s  %10s %9s  %11s %9s  %7.3f  %9s  %10s\n", k[1],
			k[2], g, v["virtio", order[r], "mbs"], d,
			v["direct", order[r], "mbs"], d ? g / d : 0,
			v["virtio", order[r], "exits"], v["virtio", order[r], "kicks"]
	}
	if (bad) print "(some runs FAILED: see the log)"
}' "$out/virtio.txt"
echo "(ratio = guest IOPS / direct IOPS; BENCH lines: $out/virtio.txt)"
if grep -q ' FAIL' "$out/virtio.txt"; then
	echo "bench: virtio benchmark runs failed (see $out/virtio-bench.log)"
	exit 1
fi
