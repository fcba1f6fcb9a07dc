#!/bin/busybox sh
# /init of the Linux-guest benchmark's initramfs (tools/bench-linux.sh,
# docs/linux-guest.md "Benchmark"). First the TSC at /init, before
# anything else runs; then the kernel's view of its clock (to explain the
# uptime under Keel against native); then, if Linux finds /dev/vda, the
# I/O plan of guest/vbench_plan.h through /bin/vbench; then power off.
# Kernel parameters that Linux does not know reach this script as
# environment variables: vbench_khz= is Keel's TSC rate for the IOPS.
/bin/vbench tsc init
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
cs=/sys/devices/system/clocksource/clocksource0
echo "KEEL-LINUX-BENCH: uptime $(cat /proc/uptime)"
echo "KEEL-LINUX-BENCH: clocksource $(cat $cs/current_clocksource) of $(cat $cs/available_clocksource)"
echo "KEEL-LINUX-BENCH: cpu MHz $(grep -m1 '^cpu MHz' /proc/cpuinfo | cut -d: -f2)"
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko 2>/dev/null
done
i=0
while [ ! -b /dev/vda ] && [ -d /sys/bus/pci/drivers/virtio-pci/0000:00:02.0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -b /dev/vda ]; then
	side=linux
	grep -q -w pci=nomsi /proc/cmdline && side=linux-intx
	grep -q 'tsc_early_khz=' /proc/cmdline && side=linux-khz
	q=/sys/block/vda/queue
	echo "KEEL-LINUX-BENCH: vda scheduler $(cat $q/scheduler) nr_requests $(cat $q/nr_requests) max_sectors_kb $(cat $q/max_sectors_kb) max_segments $(cat $q/max_segments)"
	/bin/vbench tsc io-start
	/bin/vbench io /dev/vda $side ${vbench_khz:-10000}
	/bin/vbench tsc io-end
	grep virtio /proc/interrupts | sed 's/^/KEEL-LINUX-BENCH: irq /'
else
	echo "KEEL-LINUX-BENCH: no /dev/vda"
fi
echo "KEEL-LINUX-BENCH: done"
poweroff -f
