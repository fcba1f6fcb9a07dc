#!/usr/bin/env bash
# Run every host unit-test binary (cmocka) and print one summary line.
set -u
passed=0
failed=0
bad=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "host-tests: $t exited with status $rc"
		bad=$((bad + 1))
		failed=$((failed + 1))
	fi
done
echo "host-tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
