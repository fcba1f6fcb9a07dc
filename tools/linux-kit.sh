#!/usr/bin/env bash
# linux-kit.sh [DIR]: build the Linux guest kit under DIR (default
# build/linux-kit): Debian's stock kernel (DIR/vmlinuz) and a busybox
# initramfs (DIR/initrd.gz) whose /init prints the kernel's view of the
# machine between marker lines and powers off. The packages are fetched
# with `apt-get download` (cached in DIR/debs), never committed.
# LINUX_PKG overrides the kernel package (default: the newest
# linux-image-6.1.0-*-amd64-unsigned apt knows).
# The initramfs also carries the kernel's virtio modules (virtio_ring,
# virtio, virtio_pci_{legacy,modern}_dev, virtio_pci, virtio_blk; those
# the kernel has built in, per its modules.builtin, are left out: 6.12's
# Debian kernels build in all but virtio_blk) and the
# test guest's virtio pattern (docs/virtio-guest.md) for a /dev/vda of
# LINUX_KIT_VDA_SECTORS sectors (default 16384): /init loads the modules,
# writes the pattern to /dev/vda, reads it back, and compares
# (tools/linux-init.sh; LINUX_KIT_INIT=path puts another script there).
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
if [ ! -f vmlinuz ] || [ ! -f modules/order ] || [ "$(cat vmlinuz.pkg 2>/dev/null)" != "$pkg" ]; then
	rm -rf kernel modules && mkdir kernel modules
	dpkg-deb -x debs/"${pkg}"_*.deb kernel
	cp kernel/boot/vmlinuz-* vmlinuz
	# A module the kernel has built in (modules.builtin: 6.12's Debian
	# kernels build virtio, virtio_ring and virtio_pci in) is left out;
	# one neither shipped nor built in stops the kit.
	: >modules/order
	for m in $mods; do
		ko=$(ls kernel/lib/modules/*/kernel/"$m".ko* 2>/dev/null || true)
		case $ko in
		*.xz) xz -dc "$ko" >modules/"$(basename "$m")".ko ;;
		*.zst) zstd -q -dc "$ko" >modules/"$(basename "$m")".ko ;;
		?*) cp "$ko" modules/"$(basename "$m")".ko ;;
		*)
			if grep -qx "kernel/$m.ko" kernel/lib/modules/*/modules.builtin; then
				echo "linux-kit: $(basename "$m") is built into $pkg"
				continue
			fi
			echo "linux-kit: $pkg has no $m module, built in or not" >&2
			exit 1
			;;
		esac
		# Its depends= must come earlier in the list, or insmod fails.
		for d in $(tr '\0' '\n' <modules/"$(basename "$m")".ko |
			sed -n 's/^depends=//p' | tr ',' ' '); do
			grep -qx "$d" modules/order || {
				echo "linux-kit: $(basename "$m") needs $d, which the kit does not load before it" >&2
				exit 1
			}
		done
		basename "$m" >>modules/order
	done
	echo "$pkg" >vmlinuz.pkg
	rm -rf kernel
fi

rm -rf root && mkdir -p root/bin root/dev root/proc root/sys root/tmp
dpkg-deb --fsys-tarfile debs/busybox-static_*.deb | tar -xO ./bin/busybox >root/bin/busybox
chmod 755 root/bin/busybox
ln -s busybox root/bin/sh
mkdir -p root/lib/modules root/pat
for m in $(cat modules/order); do
	cp modules/"$m".ko root/lib/modules/
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
cp "${LINUX_KIT_INIT:-$here/linux-init.sh}" root/init
# LINUX_KIT_INITRD=name writes the initramfs as DIR/name instead.
# LINUX_KIT_ADD="SRC:DEST ...": more files for the initramfs (a benchmark's
# tools, say), DEST relative to its root.
for f in ${LINUX_KIT_ADD:-}; do
	mkdir -p "root/$(dirname "${f#*:}")"
	cp "${f%%:*}" "root/${f#*:}"
done
chmod 755 root/init
cp modules/order root/lib/modules/order
/usr/bin/python3 "$here/mkcpio.py" "${LINUX_KIT_INITRD:-initrd.gz}" root
rm -rf root
echo "linux-kit: $dir/vmlinuz ($pkg) and $dir/${LINUX_KIT_INITRD:-initrd.gz}"
