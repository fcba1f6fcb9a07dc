#!/usr/bin/env bash
# bench-linux.sh: the Linux guest benchmark (docs/linux-guest.md,
# "Benchmark"). Debian's stock kernel with a benchmark initramfs
# (tests/linux/bench-init.sh as /init, tests/linux/vbench.c as
# /bin/vbench; build/linux-kit/initrd-bench.gz, beside the system test's
# kit) in Bochs, four runs, one after the other:
#   native     the same kernel and initrd from GRUB's linux/initrd, no Keel;
#   keel-boot  under Keel without a disk: the boot alone, and its exits;
#   linux      under Keel with the ATA disk as /dev/vda (guest_disk=, the
#              deadline elevator, as tools/bench-virtio.sh): Keel first
#              issues the plan of guest/vbench_plan.h itself (bench=guest-
#              disk, "BENCH direct.*"), then Linux issues it on /dev/vda
#              with O_DIRECT (QD1 pread/pwrite, QD32 native AIO; "BENCH
#              linux.*"), its virtio interrupts through MSI-X;
#   linux-intx the same with pci=nomsi: virtio interrupts on INTx (IOAPIC
#              line 11);
# /init prints the TSC first thing. Bochs's TSC counts retired
# instructions, so the boot figures are exact instruction counts: power-on
# to /init natively and under Keel, and under Keel Keel's guest entry to
# /init ("keel: guest: ran from TSC ..."). I/O figures are in TSC cycles
# turned into IOPS with Keel's calibrated TSC rate, for both sides.
# Prints three tables; raw lines in build/bench/linux.txt, logs in
# build/bench/linux-*.log. LINUX_BENCH_TIMEOUT (default 1500 s) bounds
# each Bochs run; LINUX_BENCH_TABLES=1 only prints the tables again from
# the logs of the last run.
set -eu
cd "$(dirname "$0")/.."
out=build/bench
kit=build/linux-kit
tmo=${LINUX_BENCH_TIMEOUT:-1500}
mkdir -p "$out"
root=$(pwd)
if [ "${LINUX_BENCH_TABLES:-0}" != 1 ]; then
${MAKE:-make} -s build/linux/vbench
LINUX_KIT_INIT=$root/tests/linux/bench-init.sh \
	LINUX_KIT_ADD="$root/build/linux/vbench:bin/vbench" \
	LINUX_KIT_INITRD=initrd-bench.gz tools/linux-kit.sh "$kit"
kernel=$kit/vmlinuz
initrd=$kit/initrd-bench.gz
linux_cmd="console=ttyS0 earlyprintk=ttyS0 panic=-1"
# Keel's TSC rate in Bochs: ips=10M (tools/bochs-run.sh), and Keel
# calibrates 10.000 MHz against the PM timer. Only the guest's own BENCH
# lines use it; the tables use the rate Keel prints in the same run.
khz=10000

# The native boot: GRUB loads the kernel and the initrd itself.
native_iso() {
	local tmp
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-native.XXXXXX")
	mkdir -p "$tmp/boot/grub"
	cp "$kernel" "$tmp/boot/vmlinuz"
	cp "$initrd" "$tmp/boot/initrd.gz"
	cat >"$tmp/boot/grub/grub.cfg" <<EOF
set timeout=0
set default=0
menuentry "Linux (native)" {
	set gfxpayload=text
	linux /boot/vmlinuz $linux_cmd
	initrd /boot/initrd.gz
	boot
}
EOF
	grub-mkrescue -o "$1" "$tmp" >"$tmp/mkrescue.log" 2>&1 || {
		cat "$tmp/mkrescue.log" >&2
		rm -rf "$tmp"
		return 1
	}
	rm -rf "$tmp"
}

# run NAME: boot $out/linux-NAME.iso (with the disk if $disk is set) and
# insist on /init's last line.
run() {
	local log=$out/linux-$1.log extra=
	[ -n "${disk:-}" ] &&
		extra="ata0-slave: type=disk, path=$(readlink -f "$disk"), mode=flat, cylinders=20, heads=16, spt=63"
	echo "bench-linux: booting $1 (Bochs, a few minutes)"
	BOCHS_EXTRA="$extra" tools/bochs-run.sh "$out/linux-$1.iso" "$log" "$tmo"
	grep -aq 'KEEL-LINUX-BENCH: done' "$log" || {
		echo "bench: the Linux guest ($1) did not reach the end of /init (see $log)"
		exit 1
	}
}

native_iso "$out/linux-native.iso"
disk='' run native

GUEST_MODULE=$initrd tools/mkiso.sh "$out/linux-keel-boot.iso" \
	"on_guest_exit=poweroff" "$kernel" "$linux_cmd"
disk='' run keel-boot

# The disk and range of tools/bench-virtio.sh: /dev/vda is sectors
# 2048..18431 of a 20-cylinder ATA disk.
disk=$out/linux-disk.img
for side in linux linux-intx; do
	extra=
	[ $side = linux-intx ] && extra=" pci=nomsi"
	GUEST_MODULE=$initrd tools/mkiso.sh "$out/linux-$side.iso" \
		"sched=deadline guest_disk=sda:2048+16384 bench=guest-disk on_guest_exit=poweroff" \
		"$kernel" "$linux_cmd vbench_khz=$khz$extra"
	rm -f "$disk"
	truncate -s $((20 * 16 * 63 * 512)) "$disk"
	run $side
	rm -f "$disk"
done
fi

# Raw lines, each with its run's name: "RUN LINE".
: >"$out/linux.txt"
for r in native keel-boot linux linux-intx; do
	grep -a -e 'KEEL-LINUX-BENCH: ' -e 'BENCH ' -e '^keel: guest: ran from TSC' \
		-e '^keel: time: TSC' -e 'Switched to clocksource' -e 'Run /init' \
		-e '^keel:   ' -e 'virtio0' "$out/linux-$r.log" | tr -d '\r' |
		sed -e 's/^guest| //' -e "s/^/$r /" >>"$out/linux.txt"
	tail -1 "$out/linux-$r.bochs.log" | grep -q quit_sim &&
		grep -a quit_sim "$out/linux-$r.bochs.log" | awk -v r=$r '{printf "%s quit_sim %.0f\n", r, $1 + 0}' >>"$out/linux.txt"
done

echo
echo "-- Boot to /init: TSC = instructions retired (Bochs), from power-on unless said"
awk '
$2 == "KEEL-LINUX-BENCH:" && $3 == "tsc" && $4 == "init" { init[$1] = $5 }
$2 == "KEEL-LINUX-BENCH:" && $3 == "uptime" { up[$1] = $4 }
$0 ~ /ran from TSC/ { entry[$1] = $7 }
$2 == "quit_sim" { end[$1] = $3 }
$0 ~ /Switched to clocksource/ {
	t = $0; sub(/^[^[]*\[ */, "", t); sub(/\].*/, "", t); sw[$1] = t
}
END {
	printf "%-34s %14s %14s %8s\n", "", "native", "Keel", "Keel/nat"
	printf "%-34s %14.0f %14.0f %8.3f\n", "power-on -> /init (TSC)", init["native"],
		init["keel-boot"], init["keel-boot"] / init["native"]
	printf "%-34s %14.0f %14.0f %8.3f\n", "power-on -> power-off (ticks)",
		end["native"], end["keel-boot"], end["keel-boot"] / end["native"]
	printf "%-34s %14s %14.0f\n", "power-on -> Keel guest entry", "-", entry["keel-boot"]
	printf "%-34s %14s %14.0f\n", "Keel guest entry -> /init", "-",
		init["keel-boot"] - entry["keel-boot"]
	printf "%-34s %14s %14s\n", "Linux uptime at /init (s)", up["native"], up["keel-boot"]
	printf "%-34s %14s %14s\n", "dmesg: last clocksource switch (s)", sw["native"], sw["keel-boot"]
}' "$out/linux.txt"
grep -q '^native KEEL-LINUX-BENCH: tsc init' "$out/linux.txt" &&
	grep -q '^keel-boot KEEL-LINUX-BENCH: tsc init' "$out/linux.txt" || {
	echo "bench: a boot printed no TSC at /init (see $out/linux-*.log)"
	exit 1
}

echo
echo "-- 4K random and 64K sequential I/O on /dev/vda (deadline, ATA disk; emulated time): Linux in the guest vs Keel direct"
# "RUN BENCH <side>.<workload>.qd<N>.<what> <value> <unit>"; the TSC rate
# of each run from "RUN BENCH direct DEV sectors F+N, TSC K kHz".
awk '
$2 == "BENCH" && $3 == "direct" { khz[$1] = $(NF - 1) }
$2 == "BENCH" && $3 ~ /\.qd[0-9]+\./ {
	n = split($3, k, ".")
	key = k[2] " " k[3]
	if (!(key in seen)) { seen[key] = 1; order[++rows] = key }
	v[$1, k[1], key, k[4]] = $4
}
$2 == "BENCH" && / FAIL / { bad = 1 }
END {
	printf "%-10s %-13s %3s  %10s %8s  %11s %8s  %6s  %7s %7s\n", "side",
		"workload", "qd", "guest IOPS", "MB/s", "direct IOPS", "MB/s",
		"ratio", "irqs/IO", "reqs/IO"
	split("linux linux-intx", runs, " ")
	for (s = 1; s <= 2; s++) {
		run = runs[s]
		for (r = 1; r <= rows; r++) {
			split(order[r], k, " ")
			qd = k[2]; sub(/^qd/, "", qd)
			ios = k[1] ~ /^4k/ ? 512 : 128
			bytes = k[1] ~ /^4k/ ? 4096 : 65536
			c = v[run, run, order[r], "cycles"]
			g = c ? int(ios * khz[run] * 1000 / c) : 0
			d = v[run, "direct", order[r], "iops"]
			printf "%-10s %-13s %3s  %10d %8.2f  %11s %8s  %6.3f  %7s %7s\n",
				run, k[1], qd, g, g * bytes / 1e6, d,
				v[run, "direct", order[r], "mbs"], d ? g / d : 0,
				v[run, run, order[r], "irqs"], v[run, run, order[r], "reqs"]
		}
	}
	if (bad) print "(some runs FAILED: see the logs)"
}' "$out/linux.txt"
echo "(guest IOPS from the guest's TSC cycles at Keel's TSC rate; direct from the same run, before the guest started; ratio = guest / direct;"
echo " irqs/IO: virtio lines of /proc/interrupts; reqs/IO: requests the guest's block layer completed per I/O, below 1 when it merged)"
for side in linux linux-intx; do
	grep -q "^$side BENCH $side\..*\.cycles" "$out/linux.txt" || {
		echo "bench: the Linux guest ($side) printed no I/O figures (see $out/linux-$side.log)"
		exit 1
	}
done
grep -a "virtio0" "$out/linux.txt" | grep -a 'KEEL-LINUX-BENCH: irq' | cut -d' ' -f1,4- || true

echo
echo "-- VM exits under Keel by reason: the boot alone, and whole runs with the I/O (per I/O: over the boot, / 2560 I/Os)"
awk '
$2 == "keel:" && NF == 6 && $4 ~ /^[0-9]+$/ && $6 ~ /^[0-9]+$/ {
	if (!(($3) in seen)) { seen[$3] = 1; order[++rows] = $3 }
	n[$1, $3] = $4
}
$2 == "keel:" && $3 == "total" && NF == 5 { n[$1, "total"] = $4 }
END {
	order[++rows] = "total"
	ios = 2 * (512 + 512 + 128 + 128)
	printf "%-18s %9s %9s %10s %7s %7s\n", "reason", "boot",
		"linux", "linux-intx", "/IO", "intx/IO"
	for (r = 1; r <= rows; r++) {
		x = order[r]
		printf "%-18s %9d %9d %10d %7.2f %7.2f\n", x,
			n["keel-boot", x], n["linux", x], n["linux-intx", x],
			(n["linux", x] - n["keel-boot", x]) / ios,
			(n["linux-intx", x] - n["keel-boot", x]) / ios
	}
}' "$out/linux.txt"
echo "(each run's exit table at guest end; per I/O = (run - boot) / 2560: the I/O runs also load the virtio modules and probe /dev/vda: approximate)"
