#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Block-layer benchmarks (issue 4 item 9, issue 14 item 4): replay the
# generated workloads through iosim with every elevator (none, deadline,
# kyber, keel) on the HDD and SSD models, compare keel with deadline, then
# measure the CPU cost per request with blkcost.
#
#   tools/bench-block.sh [SEED]
#
# Prints "BENCH block.<workload>.<disk>.<sched>.<metric> <value> <unit>"
# lines followed by readable tables. Latencies are in microseconds.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
SEED=${1:-4}
IOSIM=$BUILD/host/iosim
BLKCOST=$BUILD/host/blkcost

[ -x "$IOSIM" ] && [ -x "$BLKCOST" ] || make -s "$IOSIM" "$BLKCOST"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" tests/bench/block_workloads.py "$tmp" "$SEED"

workloads="lecture seqread randread writeflood mix7030 flushheavy"
scheds="none deadline kyber keel"
table="$tmp/table"
: >"$table"

# run WORKLOAD DISK SCHED: one iosim run, its BENCH lines and a table row
# "w d s tp seek rmean rp99 rmax rgmean wmax".
run() {
	"$IOSIM" --sched "$3" --disk "$2" "$tmp/$1.trace" >"$tmp/out" || {
		echo "bench-block: iosim failed on $1 $2 $3" >&2
		exit 1
	}
	awk -v w="$1" -v d="$2" -v s="$3" '
	/^# throughput_MBps/ { tp = $3 }
	/^# seek_sectors/ { seek = $3 }
	/^# read_latency_us/ { rmean = $6; rp = $8; rm = $10; rg = $12 }
	/^# write_latency_us/ { wm = $10 }
	/^# gap_reads/ { gr = $3; gj = $5 }
	END {
		p = "BENCH block." w "." d "." s "."
		print p "throughput " tp " MB/s"
		print p "seek " seek " sectors"
		print p "read_mean " rmean " us"
		print p "read_p99 " rp " us"
		print p "read_max " rm " us"
		print p "read_gmean " rg " us"
		print p "write_max " wm " us"
		print p "gap_reads " gr " commands"
		print p "gap_joined " gj " requests"
		print w, d, s, tp, seek, rmean, rp, rm, rg, wm, gj >> "'"$table"'"
	}' "$tmp/out"
}

for w in $workloads; do
	for disk in hdd ssd; do
		for sched in $scheds; do
			run "$w" "$disk" "$sched"
		done
	done
done
# Sized for the SSD model only (see block_workloads.py).
for sched in $scheds; do
	run ssdflood ssd "$sched"
done

echo
echo "iosim, seed $SEED (latencies in us; 0 where a direction has no requests;"
echo "keel/deadline: read geometric mean, read max and throughput ratios)"
awk '
BEGIN {
	printf "%-10s %-3s %-8s %9s %12s %11s %11s %11s %11s %11s %7s  %s\n",
		"workload", "disk", "sched", "MB/s", "seek_sect", "read_mean",
		"read_p99", "read_max", "read_gmean", "write_max", "gapjoin",
		"keel/deadline gmean max MB/s"
}
{
	key = $1 " " $2
	row[NR] = $0
	if ($3 == "deadline") { dg[key] = $9; dm[key] = $8; dt[key] = $4 }
	if ($3 == "keel") { kg[key] = $9; km[key] = $8; kt[key] = $4 }
}
END {
	for (i = 1; i <= NR; i++) {
		split(row[i], f, " ")
		key = f[1] " " f[2]
		ratio = ""
		if (f[3] == "keel" && dg[key] > 0 && dm[key] > 0 && dt[key] > 0)
			ratio = sprintf("%.3f %.3f %.3f", kg[key] / dg[key],
				km[key] / dm[key], kt[key] / dt[key])
		printf "%-10s %-3s %-8s %9.2f %12.4g %11.0f %11.0f %11.0f %11.0f %11.0f %7d  %s\n",
			f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9],
			f[10], f[11], ratio
		if (f[3] == "keel" && ratio != "")
			split(ratio, r, " ")
		if (f[3] == "keel" && ratio != "")
			printf "BENCH block.%s.%s.keel_vs_deadline.read_gmean %.3f ratio\n" \
				"BENCH block.%s.%s.keel_vs_deadline.read_max %.3f ratio\n" \
				"BENCH block.%s.%s.keel_vs_deadline.throughput %.3f ratio\n",
				f[1], f[2], r[1], f[1], f[2], r[2], f[1], f[2], r[3] \
				>> "/dev/stderr"
	}
}' "$table" 2>"$tmp/ratios"
cat "$tmp/ratios"
# seqread: the lowest keel/deadline typical read that any elevator can reach
# under the HDD model (docs/block.md, "When it loses", (b)).
"$IOSIM" --sched deadline --disk hdd "$tmp/seqread.trace" >"$tmp/out"
"$PYTHON" tools/seqread-bound.py "$tmp/seqread.trace" "$tmp/out"
echo
"$BLKCOST" "${BLKCOST_ITERS:-500000}"
