#!/usr/bin/env bash
# Dependency rule (docs/architecture.md, "Layers"): a file may include headers
# from its own folder and from the layers below it, never from a layer above.
#
#   6 boot/ shell/          entry, kmain and starting the guest; calls into
#                           every layer. The shell (docs/console.md) looks
#                           at every layer too; peers: boot/ starts it
#   5 vmx/ vdev/            guest-facing: the CPU's exit handlers, and the
#                           emulated devices (peers; neither includes the
#                           other today)
#   4 vm/                   the virtual machine: guest RAM, device registry,
#                           loaders, how the guest ended
#   3 block/ ept/ iommu/    services (peers may include each other)
#   2 drivers/
#   1 arch/
#   0 core/                 allocator, console, lib, boot information types
#   - guest/                the test guest, an independent kernel: only guest/
#
# tests/ and tools/ are not layered (they test or drive any layer). A new
# top-level folder of sources fails the check until it is given a layer here.
# Usage: tools/check-layers.sh [ROOT]   (default: this repository)
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2

layers="core=0 arch=1 drivers=2 block=3 ept=3 iommu=3 vm=4 vmx=5 vdev=5 boot=6 shell=6"
layers="$layers guest=isolated tests=free tools=free"

# Known exceptions, "file -> header: reason". Each is debt to pay off, not a
# licence: an entry that no longer matches an include fails the check, so the
# list can only shrink.
allowed="
drivers/ata/ata_blk.c -> block/block.h: ATA disks (AHCI and IDE alike) register with the block layer, which sits above drivers
guest/cpu_checks.c -> vmx/cpuid_features.h: the table of CPUID bits Keel shows or hides, constants only: the guest checks it against the CPU
guest/guest.h -> vm/guest_abi.h: the guest ABI, constants only: an interface both sides include, not shared code
"

files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' '*.S' 2>/dev/null)
[ -n "$files" ] || files=$(find . -name '*.[chS]' -not -path './build/*' | sed 's|^\./||')

# One line per include: file:line:header
includes=$(printf '%s\n' "$files" | xargs grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' |
	sed -nE 's/^([^:]+:[0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([^">]+)[">].*/\1:\2/p')

{
	printf '%s\n' "$layers" | tr ' ' '\n' | sed 's/^/L /'
	printf '%s\n' "$allowed" | sed -n 's/^\(.* -> [^:]*\):.*/A \1/p'
	printf '%s\n' "$files" | sed 's/^/F /'
	printf '%s\n' "$includes" | sed -n 's/^/I /p'
} | awk '
function top(p) { return substr(p, 1, index(p, "/") - 1) }
# Normalise "a/b/../c" and "./x" so relative includes resolve to a repo path.
function norm(p,   n, i, parts, out, k) {
	n = split(p, parts, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (parts[i] == "." || parts[i] == "") continue
		if (parts[i] == ".." && k > 0) { k--; continue }
		out[++k] = parts[i]
	}
	p = ""
	for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
	return p
}
$1 == "L" { split($2, kv, "="); rank[kv[1]] = kv[2]; next }
$1 == "A" { sub(/^A /, ""); allowed[$0] = 1; next }
$1 == "F" {
	exists[$2] = 1
	t = top($2)
	if (t != "" && !(t in rank) && !(t in warned)) {
		printf "check-layers: %s/ has no layer; give it one in tools/check-layers.sh\n", t
		warned[t] = 1; fail = 1
	}
	if (t in rank && rank[t] != "free") nfiles++
	next
}
$1 == "I" {
	split($2, f, ":"); file = f[1]; line = f[2]; inc = f[3]
	src = top(file)
	if (src == "" || !(src in rank) || rank[src] == "free") next
	dir = file; sub(/\/[^\/]*$/, "", dir)
	# Quoted includes search the including file folder first, then -I.
	if (norm(dir "/" inc) in exists) path = norm(dir "/" inc)
	else if (norm(inc) in exists) path = norm(inc)
	else next                           # a system header
	nincl++
	dst = top(path)
	if (dst == src) next
	s = rank[src]; d = (dst in rank) ? rank[dst] : "unknown"
	if (s != "isolated" && d != "isolated" && d != "free" && d != "unknown" && d + 0 <= s + 0)
		next
	key = file " -> " path
	if (key in allowed) { used[key] = 1; next }
	printf "check-layers: %s:%s includes %s (%s/ may not depend on %s/)\n", file, line, path, src, dst
	fail = 1
}
END {
	for (k in allowed)
		if (!(k in used)) {
			printf "check-layers: stale exception, delete it from tools/check-layers.sh: %s\n", k
			fail = 1
		}
	n = 0; for (k in used) n++
	if (!fail)
		printf "check-layers: clean (%d files, %d includes of Keel headers, %d known exceptions)\n", nfiles, nincl, n
	exit fail
}'
