#!/bin/busybox sh
# /init of the Linux guest kit (tools/linux-kit.sh, tests/system/test_linux.py):
# prints the kernel's view of the machine as "KEEL-LINUX: " lines, loads the
# virtio modules, writes the virtio pattern to /dev/vda, reads it back,
# compares, and powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "KEEL-LINUX: init reached"
echo "KEEL-LINUX: uname $(uname -r)"
echo "KEEL-LINUX: flags $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w hypervisor)"
echo "KEEL-LINUX: memtotal $(grep MemTotal /proc/meminfo)"
echo "KEEL-LINUX: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko || echo "KEEL-LINUX: insmod $m failed"
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -b /dev/vda ]; then
	echo "KEEL-LINUX: vda sectors $(cat /sys/block/vda/size) want $(cat /pat/sectors)"
	bad=0
	while read name first count; do
		dd if=/pat/$first.bin of=/dev/vda bs=512 seek=$first count=$count \
			conv=notrunc,fsync status=none || bad=1
	done </pat/list
	sync
	# Read back from the device, not from the page cache.
	blockdev --flushbufs /dev/vda
	echo 3 >/proc/sys/vm/drop_caches
	while read name first count; do
		dd if=/dev/vda of=/tmp/back bs=512 skip=$first count=$count \
			iflag=direct status=none || bad=1
		cmp /tmp/back /pat/$first.bin >/dev/null || { bad=1; echo "KEEL-LINUX: vda $name $first+$count differs"; }
	done </pat/list
	sync
	if [ $bad = 0 ]; then
		echo "KEEL-LINUX: vda pattern $(wc -l </pat/list) requests written, read back, equal"
	else
		echo "KEEL-LINUX: vda pattern FAILED"
	fi
else
	echo "KEEL-LINUX: no /dev/vda"
fi
dmesg | grep -i -E 'virtio|vda' | sed 's/^/KEEL-LINUX: dmesg /'
echo "KEEL-LINUX: vda features $(cat /sys/bus/virtio/devices/virtio0/features 2>/dev/null)"
grep virtio /proc/interrupts | sed 's/^/KEEL-LINUX: irq /'
for f in /sys/bus/pci/devices/0000:00:02.0/msi_irqs/*; do
	echo "KEEL-LINUX: msi_irq ${f##*/} $(cat "$f")"
done

# The same device through INTx: rebind virtio-pci with MSI and MSI-X
# disallowed for it (msi_bus), and read the pattern back again.
pci=/sys/bus/pci/devices/0000:00:02.0
if [ -b /dev/vda ] && [ -e $pci/msi_bus ]; then
	echo 0000:00:02.0 >/sys/bus/pci/drivers/virtio-pci/unbind
	echo 0 >$pci/msi_bus
	echo 0000:00:02.0 >/sys/bus/pci/drivers/virtio-pci/bind
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	bad=0
	while read name first count; do
		dd if=/dev/vda of=/tmp/back bs=512 skip=$first count=$count \
			iflag=direct status=none || bad=1
		cmp /tmp/back /pat/$first.bin >/dev/null || bad=1
	done </pat/list
	echo "KEEL-LINUX: intx msi_irqs $(ls $pci/msi_irqs 2>/dev/null | wc -l)"
	grep virtio /proc/interrupts | sed 's/^/KEEL-LINUX: intx irq /'
	[ $bad = 0 ] && echo "KEEL-LINUX: intx vda pattern read back, equal" ||
		echo "KEEL-LINUX: intx vda pattern FAILED"
fi

# Linux's clock against the RTC (emulated time, 1 s resolution): a
# clock that ran hundreds of times slow would stretch this into minutes.
u0=$(cut -d' ' -f1 /proc/uptime)
r0=$(cat /sys/class/rtc/rtc0/since_epoch)
sleep 3
echo "KEEL-LINUX: clock uptime $u0 $(cut -d' ' -f1 /proc/uptime) rtc $r0 $(cat /sys/class/rtc/rtc0/since_epoch)"

# Console input through Keel's shell in guest mode: the 8250 driver
# takes it by interrupt (IRQ 4) once the tty is open.
echo "KEEL-LINUX: type a line"
if read -t 300 line; then
	echo "KEEL-LINUX: console got '$line'"
else
	echo "KEEL-LINUX: console got nothing"
fi
grep -E 'ttyS|serial' /proc/interrupts | sed 's/^/KEEL-LINUX: irq /'
echo "KEEL-LINUX: uptime $(cat /proc/uptime)"
echo "KEEL-LINUX: done"
poweroff -f
