#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Block-layer benchmarks (issue 4 item 9): replay six generated workloads
# through iosim with the none and deadline elevators on the HDD and SSD
# models, then measure the elevators' CPU cost with blkcost.
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
table="$tmp/table"
: >"$table"
for w in $workloads; do
	for disk in hdd ssd; do
		for sched in none deadline; do
			"$IOSIM" --sched $sched --disk $disk "$tmp/$w.trace" \
				>"$tmp/out" || {
				echo "bench-block: iosim failed on $w" >&2
				exit 1
			}
			awk -v w=$w -v d=$disk -v s=$sched '
			/^# throughput_MBps/ { tp = $3 }
			/^# seek_sectors/ { seek = $3 }
			/^# merges/ { mg = $3 }
			/^# read_latency_us/ { rp = $8; rm = $10 }
			/^# write_latency_us/ { wp = $8; wm = $10 }
			END {
				p = "BENCH block." w "." d "." s "."
				print p "throughput " tp " MB/s"
				print p "seek " seek " sectors"
				print p "merges " mg " merges"
				print p "read_p99 " rp " us"
				print p "read_max " rm " us"
				print p "write_p99 " wp " us"
				print p "write_max " wm " us"
				printf "%-10s %-3s %-8s %9.2f %14.0f %6d %12.0f %12.0f %12.0f %12.0f\n",
					w, d, s, tp, seek, mg, rp, rm, wp, wm >> "'"$table"'"
			}' "$tmp/out"
		done
	done
done

echo
echo "iosim, seed $SEED (latencies in us; 0 where a direction has no requests)"
printf "%-10s %-3s %-8s %9s %14s %6s %12s %12s %12s %12s\n" workload \
	disk sched MB/s seek_sectors merges read_p99 read_max write_p99 \
	write_max
cat "$table"
echo
"$BLKCOST" "${BLKCOST_ITERS:-500000}"
