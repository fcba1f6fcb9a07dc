#!/usr/bin/env bash
# make test: the style gates, the host unit tests and the system tests, each
# with its own output, then one line that counts them all:
#   test: N passed, M failed
# Lint counts one check per gate (clang-format, cppcheck); each fuzzer
# (tools/fuzz-all.sh) counts one check for its bounded run. A stage that fails
# without saying how many of its checks failed (a build error, a pytest
# collection error) counts as one failure. Exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

total_pass=0
total_fail=0
breakdown=

# Count "N passed" and "N failed" (pytest: also "N error(s)") on the last
# line of OUT that has them.
count() {
	local line p f e
	line=$(grep -aE '[0-9]+ (passed|failed|errors?)\b' "$1" | tail -n1)
	p=$(printf '%s\n' "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(printf '%s\n' "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	e=$(printf '%s\n' "$line" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+')
	echo "${p:-0} $((${f:-0} + ${e:-0}))"
}

# stage NAME COMMAND...: run it, show its output, add up its counts.
stage() {
	local name=$1 rc p f
	shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$tmp/out"
	rc=${PIPESTATUS[0]}
	read -r p f < <(count "$tmp/out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "test: $name exited with status $rc without a failure count; counted as 1 failure"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	breakdown="$breakdown${breakdown:+, }$name $p/$((p + f))"
}

stage lint tools/lint.sh
stage host-tests "$MAKE" --no-print-directory host-test
stage fuzz "$MAKE" --no-print-directory fuzz-test
stage system-tests "$MAKE" --no-print-directory system-test
echo
echo "test: checks passed per stage: $breakdown"
echo "test: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
