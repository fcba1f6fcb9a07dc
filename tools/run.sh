#!/usr/bin/env bash
# run.sh EMU [ISO]: boot Keel with its serial console on this terminal, and
# end when Keel does. `make run` calls it; README.md ("Running Keel") is the
# user's description.
#
# EMU: kvm (QEMU with nested VT-x), bochs (emulated VT-x), qemu (TCG, no
# VT-x) or auto, which picks kvm where this host can run it, else bochs.
# run.sh --check EMU says only whether this host can run EMU: silent with
# status 0, or one line on stderr with status 2.
#
# The run ends when Keel powers off, reboots, halts with nothing left to do
# or crashes (a panic, or an unexpected exception), at RUN_TIMEOUT seconds
# (default 3600; 0 for no limit), on SIGINT, SIGTERM or SIGHUP, or when
# the process that started it (make) is gone. The emulator runs in a session
# of its own and never outlives the run.
# Exit status, read from the serial log (Bochs always exits 1, and QEMU's
# status cannot tell a power-off from a triple fault):
#   N    the guest exited with status N ("keel: guest exited with status N")
#   255  Keel stopped the guest ("keel: guest stopped: ...") or could not
#        start it (no VT-x), as Keel itself powers off with 255 then
#   1    Keel crashed, or the emulator ended before Keel did
#   N    no guest on the ISO: Keel's power-off status (self-test failures),
#        or 0 when Keel halted or rebooted
#   124  RUN_TIMEOUT passed
#   128+N  signal N stopped the run
#   2    EMU cannot run on this host, or a bad argument
# Logs: RUN_DIR (default build/run): serial.log, and Bochs's own files.
set -u

TIMEOUT=${RUN_TIMEOUT:-3600}
RUN_DIR=${RUN_DIR:-build/run}
HALT_RE='^keel: (nothing left to do; halting|power off failed; halting|reboot$)'
CRASH_RE='^keel: (PANIC:|halted after an unexpected exception)'

# Why this host cannot run Keel under KVM, or nothing.
kvm_problem() {
	local vendor nested=/sys/module/kvm_intel/parameters/nested
	if ! grep -qw vmx /proc/cpuinfo; then
		vendor=$(sed -n 's/^vendor_id[[:space:]]*: //p' /proc/cpuinfo | head -n1)
		echo "this host's CPU (${vendor:-unknown vendor}) offers no VT-x (no 'vmx' flag in /proc/cpuinfo)"
	elif [ ! -e /dev/kvm ]; then
		echo "there is no /dev/kvm (is kvm_intel loaded?)"
	elif [ ! -w /dev/kvm ]; then
		echo "/dev/kvm is not writable by $(id -un) (join group kvm)"
	elif [ -r $nested ] && grep -qx '[N0]' $nested; then
		echo "kvm_intel's nested VT-x is off (modprobe -r kvm_intel; modprobe kvm_intel nested=1)"
	fi
}

# Print why EMU cannot run here and return 2, or return 0.
check_emu() {
	local why
	case $1 in
	auto | qemu) ;;
	bochs) command -v bochs >/dev/null || why="bochs is not installed (make deps)" ;;
	kvm) why=$(kvm_problem) ;;
	*) why="unknown EMU '$1' (kvm, bochs, qemu or auto)" ;;
	esac
	[ -z "${why:-}" ] && return 0
	if [ "$1" = kvm ]; then
		echo "run: EMU=kvm cannot work here: $why. Use EMU=bochs (emulated VT-x) or EMU=qemu (no VT-x)" >&2
	else
		echo "run: $why" >&2
	fi
	return 2
}

if [ "${1:-}" = --check ]; then
	check_emu "${2:-auto}"
	exit
fi

emu=${1:-auto}
iso=${2:-build/keel.iso}
check_emu "$emu" || exit 2
if [ "$emu" = auto ]; then
	if [ -z "$(kvm_problem)" ]; then emu=kvm; else emu=bochs; fi
fi
[ -f "$iso" ] || {
	echo "run: no ISO at $iso (make iso)" >&2
	exit 2
}
case $TIMEOUT in
'' | *[!0-9]*)
	echo "run: RUN_TIMEOUT must be a whole number of seconds, not '$TIMEOUT'" >&2
	exit 2
	;;
esac

mkdir -p "$RUN_DIR"
log=$(readlink -f "$RUN_DIR")/serial.log
: >"$log"
pid=
sid=
tail_pid=
tty_state=
[ -t 0 ] && tty_state=$(stty -g 2>/dev/null)

has() {
	tr -d '\r' <"$log" | grep -aEq "$1"
}

# Whether anything of the emulator's still runs (zombies do not count: they
# wait for this script to reap them).
emu_alive() {
	ps -o stat= -s "$sid" 2>/dev/null | grep -qv '^Z' ||
		ps -o stat= -p "$pid" 2>/dev/null | grep -qv '^Z'
}

# Stop everything in the emulator's session: SIGINT first (Bochs ignores
# SIGTERM and stops on SIGINT; QEMU stops on either), then SIGTERM, then
# SIGKILL. The pid itself is signalled too, in case setsid has not yet made
# the session.
stop_emu() {
	local sig
	[ -n "$pid" ] || return 0
	for sig in INT TERM KILL; do
		emu_alive || return 0
		pkill -"$sig" -s "$sid" 2>/dev/null
		kill -"$sig" "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
			emu_alive || return 0
			sleep 0.2
		done
	done
}

cleanup() {
	stop_emu
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
	[ -n "$tty_state" ] && stty "$tty_state" 2>/dev/null
}

# on_signal NAME STATUS [WHY]
on_signal() {
	trap '' INT TERM HUP
	echo
	echo "run: ${3:-stopped by SIG$1}; $emu stopped"
	cleanup
	exit "$2"
}
# Until the emulator's pid is known a signal is only noted, then acted on.
pending=
trap 'pending="INT 130"' INT
trap 'pending="TERM 143"' TERM
trap 'pending="HUP 129"' HUP

limit="after RUN_TIMEOUT=${TIMEOUT}s"
[ "$TIMEOUT" -eq 0 ] && limit="never by time (RUN_TIMEOUT=0)"
echo "run: booting $iso under $emu; the serial console follows."
echo "run: the run ends when Keel powers off, reboots, halts or crashes, or $limit."
exec 3<&0
case $emu in
kvm | qemu)
	echo "run: to quit: Ctrl-C, or Ctrl-A x (Ctrl-A c: QEMU monitor)."
	accel=
	mem=512
	[ "$emu" = kvm ] && accel="-enable-kvm -cpu host" && mem=1024
	# shellcheck disable=SC2086
	setsid qemu-system-x86_64 $accel -machine q35 -m $mem -display none \
		-no-reboot \
		-chardev "stdio,id=con,mux=on,signal=on,logfile=$log" \
		-serial chardev:con -mon chardev=con,mode=readline \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-cdrom "$iso" <&3 3<&- &
	pid=$!
	;;
bochs)
	echo "run: to quit: Ctrl-C (Bochs ignores SIGTERM; run.sh stops it with SIGINT)."
	# bochs-run.sh's own limit is a backstop should this script be killed.
	backstop=0
	[ "$TIMEOUT" -gt 0 ] && backstop=$((TIMEOUT + 60))
	setsid tools/bochs-run.sh "$iso" "$log" "$backstop" </dev/null 3<&- &
	pid=$!
	tail -n +1 -s 0.2 -f --pid="$pid" "$log" &
	tail_pid=$!
	;;
esac
exec 3<&-
# A background job of a script is never a process-group leader, so setsid
# does not fork: the session's id is the pid.
sid=$pid
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
# shellcheck disable=SC2086
[ -n "$pending" ] && on_signal $pending

start=$SECONDS
how=
while :; do
	if ! emu_alive; then
		how=exited
		break
	elif has "$HALT_RE"; then
		how=halted
		break
	elif has "$CRASH_RE"; then
		how=crash
		# Let a panic's backtrace reach the log.
		sleep 2
		break
	elif [ "$(ps -o ppid= -p $$ | tr -d ' ')" != "$PPID" ]; then
		# Whoever started the run is gone without passing a signal on
		# (make killed by SIGKILL): end as on a hangup.
		on_signal HUP 129 "the process that started the run is gone"
	elif [ "$TIMEOUT" -gt 0 ] && [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
		how=timeout
		break
	fi
	sleep 0.2
done
trap '' INT TERM HUP
stop_emu
wait "$pid" 2>/dev/null
[ -n "$tail_pid" ] && wait "$tail_pid" 2>/dev/null
tail_pid=
[ -n "$tty_state" ] && stty "$tty_state" 2>/dev/null

last() {
	tr -d '\r' <"$log" | sed -nE "s/$1/\\1/p" | tail -n1
}
guest_status=$(last '^keel: guest exited with status ([0-9]+).*')
guest_stop=$(last '^keel: guest stopped: (.*)')
guest_nostart=$(last '^keel: guest: not started: (.*)')
off_status=$(last '^keel: power off \(status ([0-9]+)\).*')
if has '^keel: reboot$'; then
	end="Keel rebooted"
elif has '^keel: (nothing left to do|power off failed); halting'; then
	end="Keel halted"
elif [ -n "$off_status" ]; then
	end="Keel powered off"
elif has "$CRASH_RE"; then
	end="Keel crashed"
else
	end="$emu ended before Keel did"
fi
[ "$how" != exited ] && end="$end; $emu stopped"
echo
if [ "$how" = timeout ]; then
	echo "run: RUN_TIMEOUT=${TIMEOUT}s passed; $emu stopped (log: $log)"
	exit 124
elif [ -n "$guest_status" ]; then
	rc=$guest_status
	echo "run: the guest exited with status $rc; $end (log: $log)"
elif [ -n "$guest_stop" ]; then
	rc=255
	echo "run: Keel stopped the guest ($guest_stop); $end (log: $log)"
elif [ -n "$guest_nostart" ]; then
	rc=255
	echo "run: Keel did not start the guest ($guest_nostart); $end (log: $log)"
elif [ "$how" = crash ] || [ "${end#Keel}" = "$end" ]; then
	rc=1
	echo "run: $end (log: $log)"
else
	rc=${off_status:-0}
	echo "run: no guest ran to its end; $end; status $rc (log: $log)"
fi
exit "$rc"
