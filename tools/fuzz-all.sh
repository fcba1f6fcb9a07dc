#!/usr/bin/env bash
# The fuzz stage of `make test`: every fuzzer for its share of the time
# (tools/fuzz.sh each), then one line make test counts:
#   fuzz: N passed, M failed
#   usage: tools/fuzz-all.sh FUZZER SEED_DIR SECONDS [FUZZER SEED_DIR SECONDS]...
set -u
cd "$(dirname "$0")/.." || exit 2
p=0
f=0
while [ $# -ge 3 ]; do
	if FUZZ_TIME=$3 tools/fuzz.sh "$1" "$2"; then
		p=$((p + 1))
	else
		f=$((f + 1))
	fi
	shift 3
done
echo "fuzz: $p passed, $f failed"
[ "$f" -eq 0 ]
