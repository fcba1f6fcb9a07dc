#!/usr/bin/env bash
# bochs-run.sh ISO SERIAL_LOG [TIMEOUT_S] [CPU_MODEL] [MEGS]
# Boot ISO as a CD in Bochs (VMX with EPT on corei7_skylake_x), serial to
# SERIAL_LOG, non-interactively (BOCHS_COM1 may replace the com1: line,
# e.g. with a socket; SERIAL_LOG then stays empty). Bochs always exits 1, so callers judge the
# run by the serial log. Its own log lands next to SERIAL_LOG.
set -u
iso=$(readlink -f "$1")
serial=$2
tmo=${3:-300}
model=${4:-corei7_skylake_x}
megs=${5:-256}
mkdir -p "$(dirname "$serial")"
: >"$serial"
serial=$(readlink -f "$serial")
dir=$(dirname "$serial")
base=${serial%.log}
rc="$base.bochsrc"
cat >"$rc" <<EOC
megs: $megs
cpu: model=$model, count=${BOCHS_CPUS:-1}, ips=10000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
${BOCHS_COM1:-com1: enabled=1, mode=file, dev=$serial}
port_e9_hack: enabled=1
${BOCHS_EXTRA:-}
display_library: term
log: $base.bochs.log
sound: driver=dummy
clock: sync=none, time0=946684800
EOC
echo c >"$base.dbg.rc"
cd "$dir" && TERM=dumb timeout -s INT -k 10 "$tmo" bochs -q -f "$rc" \
	-rc "$base.dbg.rc" </dev/null >"$base.term.out" 2>&1
exit 0
