#!/usr/bin/env bash
# linux-kit.sh [DIR]: build the Linux guest kit under DIR (default
# build/linux-kit): Debian's stock kernel (DIR/vmlinuz) and a busybox
# initramfs (DIR/initrd.gz) whose /init prints the kernel's view of the
# machine between marker lines and powers off. The packages are fetched
# with `apt-get download` (cached in DIR/debs), never committed.
# LINUX_PKG overrides the kernel package (default: the newest
# linux-image-6.1.0-*-amd64-unsigned apt knows).
# The initramfs also carries the kernel's virtio modules (virtio_ring,
# virtio, virtio_pci_{legacy,modern}_dev, virtio_pci, virtio_blk) and the
# test guest's virtio pattern (docs/virtio-guest.md) for a /dev/vda of
# LINUX_KIT_VDA_SECTORS sectors (default 16384): /init loads the modules,
# writes the pattern to /dev/vda, reads it back, and compares.
set -eu
dir=${1:-build/linux-kit}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)

pkg=${LINUX_PKG:-$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' |
	awk '{print $1}' | sort -V | tail -1)}
if [ -z "$pkg" ]; then
	echo "linux-kit: no linux-image-6.1.0-*-amd64-unsigned package known to apt (apt-get update?)" >&2
	exit 1
fi
cd "$dir/debs"
for p in "$pkg" busybox-static; do
	ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download "$p" >/dev/null
done
cd "$dir"

# The modules /init loads, in dependency order (each .ko's depends=).
mods="drivers/virtio/virtio_ring drivers/virtio/virtio
drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev
drivers/virtio/virtio_pci drivers/block/virtio_blk"
if [ ! -f vmlinuz ] || [ "$(cat vmlinuz.pkg 2>/dev/null)" != "$pkg" ]; then
	rm -rf kernel modules && mkdir kernel modules
	dpkg-deb -x debs/"${pkg}"_*.deb kernel
	cp kernel/boot/vmlinuz-* vmlinuz
	for m in $mods; do
		ko=$(ls kernel/lib/modules/*/kernel/"$m".ko*)
		case $ko in
		*.xz) xz -dc "$ko" >modules/"$(basename "$m")".ko ;;
		*) cp "$ko" modules/"$(basename "$m")".ko ;;
		esac
	done
	echo "$pkg" >vmlinuz.pkg
	rm -rf kernel
fi

rm -rf root && mkdir -p root/bin root/dev root/proc root/sys root/tmp
dpkg-deb --fsys-tarfile debs/busybox-static_*.deb | tar -xO ./bin/busybox >root/bin/busybox
chmod 755 root/bin/busybox
ln -s busybox root/bin/sh
mkdir -p root/lib/modules root/pat
for m in $mods; do
	cp modules/"$(basename "$m")".ko root/lib/modules/
done
(cd "$here/../tests/system" && /usr/bin/python3 - "$dir/root/pat" "${LINUX_KIT_VDA_SECTORS:-16384}" <<'PY')
import os, sys
from ahci_pattern import VIRTIO, load_ranges, request_extents, sector_bytes
out, capacity = sys.argv[1], int(sys.argv[2])
with open(os.path.join(out, "list"), "w") as lst:
    for rng in load_ranges(**VIRTIO):
        for first, count in request_extents(rng, capacity):
            with open(os.path.join(out, "%d.bin" % first), "wb") as f:
                f.write(b"".join(sector_bytes(first + s) for s in range(count)))
            lst.write("%s %d %d\n" % (rng["name"], first, count))
PY
echo "${LINUX_KIT_VDA_SECTORS:-16384}" >root/pat/sectors
cat >root/init <<'INIT'
#!/bin/busybox sh
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
echo "KEEL-LINUX: uptime $(cat /proc/uptime)"
echo "KEEL-LINUX: done"
poweroff -f
INIT
chmod 755 root/init
for m in $mods; do basename "$m"; done >root/lib/modules/order
/usr/bin/python3 "$here/mkcpio.py" initrd.gz root
rm -rf root
echo "linux-kit: $dir/vmlinuz ($pkg) and $dir/initrd.gz"
