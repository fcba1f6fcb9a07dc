#!/usr/bin/env bash
# Style gates: clang-format (Linux kernel style, .clang-format) and cppcheck
# over Keel's C sources. Fix formatting with: tools/lint.sh --fix
set -u
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^build/')
[ -n "$files" ] || files=$(find boot arch core drivers block vmx ept iommu guest tests tools -name '*.[ch]' 2>/dev/null)
if [ "${1:-}" = --fix ]; then
	clang-format -i $files
	exit 0
fi
# Two gates, each one check: the summary line counts them as make test does.
failed=0
if ! clang-format --dry-run -Werror $files; then
	echo "lint: clang-format found unformatted code (tools/lint.sh --fix)"
	failed=$((failed + 1))
fi
if ! cppcheck -q --error-exitcode=1 --std=c11 --enable=warning,portability \
	--inline-suppr --suppress=missingIncludeSystem -I. \
	-D__x86_64__ -D__GNUC__ $files; then
	echo "lint: cppcheck reported problems"
	failed=$((failed + 1))
fi
if ! tools/check-layers.sh; then
	echo "lint: an include points up a layer (docs/architecture.md)"
	failed=$((failed + 1))
fi
echo "lint: $((3 - failed)) passed, $failed failed (clang-format, cppcheck and check-layers over $(echo $files | wc -w) files)"
[ $failed -eq 0 ]
