"""Linux guests in Bochs (corei7_skylake_x): a malformed bzImage is refused
with one line while Keel carries on; and (unless KEEL_LINUX_TEST=0: it
downloads Debian packages, about 70 MB once, and takes 2-4 minutes of
Bochs; skipped when the download fails), Debian's
stock kernel boots under Keel to a busybox /init that reports the kernel's
view of the machine, finds Keel's virtio-blk device as /dev/vda (its own
virtio_pci and virtio_blk modules, MSI-X), writes the test guest's virtio
pattern to it through Keel's back end, the deadline elevator and the ATA
disk (ata0-slave, as tests/system/test_virtio.py), reads it back, reads
it again through INTx (virtio-pci rebound with MSI disallowed), checks
its clock against the RTC, reads a line typed at Keel's serial console
(the shell's guest mode; the 8250 driver takes it by IRQ 4), and powers
off through ACPI; the pattern is then checked in the disk image from the
host (docs/linux-guest.md)."""
import os
import struct
import subprocess

import pytest

from conftest import BUILD, LOGS, ROOT, Run, build_iso, run_bochs
from test_ata import ata_slave, fresh_disk
from test_console import Console, free_port, stop
from test_virtio import COUNT, FIRST, _check_image, _write_boot_iso

KEEL_CMD = "on_guest_exit=poweroff"
DISK_CMD = "sched=deadline guest_disk=sda:%d+%d %s" % (FIRST, COUNT, KEEL_CMD)
# LINUX_PKG=<Debian kernel package> boots that kernel instead of the
# newest 6.1 (docs/linux-guest.md, "Other kernels"); its kit, ISO, disk and
# logs get their own names so runs of different kernels do not overwrite
# each other.
LINUX_PKG = os.environ.get("LINUX_PKG", "")
SUFFIX = "-" + LINUX_PKG if LINUX_PKG else ""
KIT = os.path.join(BUILD, "linux-kit" + SUFFIX)


def bzimage(version=0x020F, setup_sects=1, syssize=0x100, init_size=0x400000):
    """A bzImage header as boot.rst lays it out, followed by a small body."""
    img = bytearray(512 * (setup_sects + 1) + syssize * 16)
    img[0x1F1] = setup_sects
    struct.pack_into("<I", img, 0x1F4, syssize)
    struct.pack_into("<H", img, 0x1FE, 0xAA55)
    img[0x200:0x202] = b"\xeb\x6a"
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    img[0x211] = 1  # LOADED_HIGH
    struct.pack_into("<I", img, 0x22C, 0x7FFFFFFF)
    struct.pack_into("<I", img, 0x230, 0x200000)
    img[0x234] = 1
    struct.pack_into("<I", img, 0x238, 2047)
    struct.pack_into("<Q", img, 0x258, 0x1000000)
    struct.pack_into("<I", img, 0x260, init_size)
    return bytes(img)


@pytest.mark.parametrize("name,image,line", [
    ("old", bzimage(version=0x0209),
     r"boot protocol 2\.09 is too old: Keel needs 2\.10 or later"),
    ("truncated", bzimage()[:0x400 + 0x80],
     r"setup_sects 1 and syssize 0x100 need 5120 bytes, the file has 1152"),
    ("huge", bzimage(init_size=0xF0000000),
     r"the kernel needs 3840 MiB from 0x1000000 \(init_size\), more than "
     r"the guest's 128 MiB of RAM: raise guest_mem="),
])
def test_bad_bzimage_is_refused(keel_built, name, image, line):
    path = os.path.join(BUILD, "tests", "bzimage-%s.bin" % name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(image)
    iso = build_iso("linux-bad-%s" % name, KEEL_CMD, path, "")
    run = run_bochs("linux-bad-%s" % name, iso, timeout=120,
                    until=r"keel: power off")
    assert run.has(r"^keel: guest: cannot load the guest: " + line + "$"), run
    assert run.has(r"^keel: guest stopped: setup failed$"), run
    assert run.has(r"keel: power off \(status 255\)"), run


# The interrupt domain /proc/interrupts names for the virtio device's MSI-X
# vectors: Linux 6.1's x86 one, or 6.12's per-device one.
MSI_DOMAIN = r"PCI-MSI(X-0000:00:02\.0)?"

# What the test types at Keel's console once /init asks for a line.
TYPED = "keel console check 42"


def boot_and_type(name, iso, disk, line):
    """Boot in Bochs with COM1 on a socket; type @line when /init asks."""
    port = free_port()
    os.makedirs(LOGS, exist_ok=True)
    env = dict(os.environ,
               BOCHS_COM1="com1: enabled=1, mode=socket-server, "
                          "dev=localhost:%d" % port,
               BOCHS_EXTRA=ata_slave(disk))
    proc = subprocess.Popen(
        [os.path.join(ROOT, "tools", "bochs-run.sh"), iso,
         os.path.join(LOGS, name + ".bochs-serial.log"), "1500"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        con = Console(name, port, proc)
    except OSError:
        stop(proc)
        raise
    timed_out = False
    try:
        if con.wait_for(r"^guest\| KEEL-LINUX: type a line", 1500):
            con.type(line.encode() + b"\r")
        timed_out = not con.wait_for(r"^keel: power off", 600)
    finally:
        con.save()
        con.close()
        stop(proc)
    return Run(name, None, con.text(), timed_out)


def build_kit():
    try:
        subprocess.run([os.path.join(ROOT, "tools", "linux-kit.sh"), KIT],
                       cwd=ROOT, check=True, timeout=600,
                       env=dict(os.environ, LINUX_KIT_VDA_SECTORS=str(COUNT)))
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        pytest.skip("no Linux kit (apt-get download failed?): %s" % e)
    return os.path.join(KIT, "vmlinuz"), os.path.join(KIT, "initrd.gz")


@pytest.mark.skipif(os.environ.get("KEEL_LINUX_TEST", "1") == "0",
                    reason="KEEL_LINUX_TEST=0 (Debian packages, minutes of Bochs)")
def test_debian_kernel_boots_to_init(keel_built):
    kernel, initrd = build_kit()
    disk = fresh_disk("linux-vda" + SUFFIX)
    _write_boot_iso(disk, FIRST)
    os.environ["GUEST_MODULE"] = initrd
    try:
        iso = build_iso("linux-boot" + SUFFIX, DISK_CMD, kernel,
                        "console=ttyS0 earlyprintk=ttyS0 panic=-1")
    finally:
        del os.environ["GUEST_MODULE"]
    run = boot_and_type("linux-boot" + SUFFIX, iso, disk, TYPED)
    assert run.has(r"^keel: guest: loaded Linux bzImage, boot protocol 2\.\d+"), run
    assert run.has(r"^guest\| \[ +[\d.]+\] ACPI: RSDP 0x00000000000E0000 000024 \(v02 KEEL  \)"), run
    # 6.1's smpboot says "Allowing 1 CPUs, 0 hotplug CPUs"; 6.12's CPU
    # topology code "CPU topo: Allowing 1 present CPUs plus 0 hotplug CPUs".
    assert run.has(r"^guest\| \[ +[\d.]+\] (smpboot: Allowing 1 CPUs|"
                   r"CPU topo: Allowing 1 present CPUs)"), run
    assert run.has(r"^guest\| \[ +[\d.]+\] PCI host bridge to bus 0000:00$"), run
    assert run.has(r"^guest\| \[ +[\d.]+\] pci 0000:00:00\.0: \[8086:1237\]"), run
    assert run.has(r"^guest\| KEEL-LINUX: init reached$"), run
    assert run.has(r"^guest\| KEEL-LINUX: flags hypervisor$"), run
    assert run.has(r"^keel: guest disk: sda sectors %d\.\.%d \(%d sectors\) "
                   r"as virtio-blk$" % (FIRST, FIRST + COUNT - 1, COUNT)), run
    assert run.has(r"^guest\| KEEL-LINUX: vda sectors %d want %d$"
                   % (COUNT, COUNT)), run
    assert run.has(r"^guest\| KEEL-LINUX: dmesg .*virtio_blk virtio0: "
                   r"\[vda\] %d 512-byte logical blocks" % COUNT), run
    assert run.has(r"^guest\| KEEL-LINUX: vda pattern \d+ requests written, "
                   r"read back, equal$"), run
    assert not run.has(r"KEEL-LINUX: insmod .* failed"), run
    # Linux's virtio_pci took two MSI-X vectors (configuration, queue) and
    # the requests completed through the queue's.
    # (/proc/interrupts names the x86 MSI domain, "PCI-MSI", for both in
    # 6.1, the device's own MSI-X domain, "PCI-MSIX-0000:00:02.0", in 6.12;
    # msi_irqs/N says which.)
    assert run.has(r"^guest\| KEEL-LINUX: irq +\d+: +\d+ +%s +\d+-edge "
                   r"+virtio0-config$" % MSI_DOMAIN), run
    req = run.findall(r"^guest\| KEEL-LINUX: irq +\d+: +(\d+) +%s +"
                      r"\d+-edge +virtio0-req\.0$" % MSI_DOMAIN)
    assert req and int(req[0].group(1)) > 0, run
    modes = run.findall(r"^guest\| KEEL-LINUX: msi_irq \d+ (\S+)$")
    assert [m.group(1) for m in modes] == ["msix", "msix"], run
    # memory size: 128 MiB of guest RAM (guest_mem's default) less the
    # kernel's own
    mem = run.findall(r"^guest\| KEEL-LINUX: memtotal MemTotal: +(\d+) kB$")
    assert mem and 64 * 1024 < int(mem[0].group(1)) < 128 * 1024, run
    # INTx: the same device rebound without MSI, on the IOAPIC line the
    # _PRT names, and the pattern read back through it.
    assert run.has(r"^guest\| KEEL-LINUX: intx msi_irqs 0$"), run
    intx = run.findall(r"^guest\| KEEL-LINUX: intx irq +\d+: +(\d+) +IO-APIC "
                       r"+11-fasteoi +virtio\d$")
    assert intx and int(intx[0].group(1)) > 0, run
    assert run.has(r"^guest\| KEEL-LINUX: intx vda pattern read back, equal$"), run
    # Time: the TSC rate Keel measured (CPUID 15h), the HPET the host has,
    # the TSC as clocksource, and 3 s of sleep are 3 s of the RTC.
    khz = run.findall(r"^keel: time: TSC (\d+)\.(\d+) MHz")
    assert khz, run
    assert run.has(r"^guest\| \[ +[\d.]+\] tsc: Detected %s\.%s MHz TSC$"
                   % (khz[0].group(1), khz[0].group(2))) or \
        run.has(r"^guest\| \[ +[\d.]+\] tsc: Detected %s\.%s MHz processor$"
                % (khz[0].group(1), khz[0].group(2))), run
    assert run.has(r"^guest\| \[ +[\d.]+\] hpet0: at MMIO 0xfed00000"), run
    assert run.has(r"^guest\| \[ +[\d.]+\] clocksource: Switched to "
                   r"clocksource tsc$"), run
    assert not run.has(r"Marking clocksource .* as unstable"), run
    assert not run.has(r"read-back delay"), run
    clock = run.findall(r"^guest\| KEEL-LINUX: clock uptime ([\d.]+) ([\d.]+) "
                        r"rtc (\d+) (\d+)$")
    assert clock, run
    up = float(clock[0].group(2)) - float(clock[0].group(1))
    rtc = int(clock[0].group(4)) - int(clock[0].group(3))
    assert 3.0 <= up < 4.0 and 2 <= rtc <= 5, (up, rtc, run)
    # Console input reached Linux through its UART's receive interrupt.
    assert run.has(r"^guest\| KEEL-LINUX: console got '%s'$" % TYPED), run
    ttys = run.findall(r"^guest\| KEEL-LINUX: irq +4: +(\d+) +IO-APIC +4-edge "
                       r"+ttyS0$")
    assert ttys and int(ttys[0].group(1)) > 0, run
    assert run.has(r"^guest\| KEEL-LINUX: done$"), run
    assert not run.has(r"unchecked MSR access error"), run
    # PCI0's _PRT routes every INTx pin the guest sees (docs/linux-guest.md).
    assert run.has(r"^keel: guest: _PRT: PCI 00:\S+ INTA -> GSI 11 \(line 11\)$"), run
    assert not run.has(r"can't derive routing for PCI INT"), run
    assert not run.has(r"PCI INT [A-D]: no GSI"), run
    assert run.has(r"^keel: guest: powered itself off \(ACPI PM1a_CNT\)$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert _check_image(disk) == []
