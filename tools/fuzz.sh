#!/usr/bin/env bash
# Run a libFuzzer binary for FUZZ_TIME seconds (default 60) from a seed
# corpus, and end with one line in the form make test counts:
#   fuzz: 1 passed, 0 failed (N runs in S s, corpus C inputs)
# The seeds are copied to build/fuzz/corpus-<name>, which keeps what the
# fuzzer finds between runs; a crash leaves its input in build/fuzz/.
#   usage: tools/fuzz.sh FUZZER SEED_DIR
set -u
bin=$1
seeds=$2
time=${FUZZ_TIME:-60}
name=$(basename "$bin")
dir=$(dirname "$bin")
corpus="$dir/corpus-$name"
mkdir -p "$corpus"
cp -n "$seeds"/* "$corpus"/ 2>/dev/null
log="$dir/$name.log"
"$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$dir/" -print_final_stats=1 "$corpus" >"$log" 2>&1
rc=$?
tail -n 25 "$log"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
n=$(find "$corpus" -type f | wc -l)
if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
	echo "fuzz: 1 passed, 0 failed ($name: ${runs} runs in ${secs:-?} s, corpus $n inputs)"
	exit 0
fi
echo "fuzz: 0 passed, 1 failed ($name exited with status $rc; see $log)"
exit 1
