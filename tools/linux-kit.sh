#!/usr/bin/env bash
# linux-kit.sh [DIR]: build the Linux guest kit under DIR (default
# build/linux-kit): Debian's stock kernel (DIR/vmlinuz) and a busybox
# initramfs (DIR/initrd.gz) whose /init prints the kernel's view of the
# machine between marker lines and powers off. The packages are fetched
# with `apt-get download` (cached in DIR/debs), never committed.
# LINUX_PKG overrides the kernel package (default: the newest
# linux-image-6.1.0-*-amd64-unsigned apt knows).
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

if [ ! -f vmlinuz ] || [ "$(cat vmlinuz.pkg 2>/dev/null)" != "$pkg" ]; then
	rm -rf kernel && mkdir kernel
	dpkg-deb -x debs/"${pkg}"_*.deb kernel
	cp kernel/boot/vmlinuz-* vmlinuz
	echo "$pkg" >vmlinuz.pkg
	rm -rf kernel
fi

rm -rf root && mkdir -p root/bin root/dev root/proc root/sys root/tmp
dpkg-deb --fsys-tarfile debs/busybox-static_*.deb | tar -xO ./bin/busybox >root/bin/busybox
chmod 755 root/bin/busybox
ln -s busybox root/bin/sh
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
echo "KEEL-LINUX: uptime $(cat /proc/uptime)"
echo "KEEL-LINUX: done"
poweroff -f
INIT
chmod 755 root/init
/usr/bin/python3 "$here/mkcpio.py" initrd.gz root
rm -rf root
echo "linux-kit: $dir/vmlinuz ($pkg) and $dir/initrd.gz"
