"""Boot foundation: the same ISO boots under SeaBIOS, OVMF, as a USB disk and
in Bochs; each run reports memory, ACPI and PCI as that machine really has
them, and powers off cleanly with its status."""
import re

import pytest

from conftest import build_iso, run_bochs, run_qemu

KIB = 1024

# (name, runner kwargs, configured RAM in MiB)
BOOTS = [
    ("qemu-bios", dict(kind="qemu", firmware="bios"), 512),
    ("qemu-uefi", dict(kind="qemu", firmware="uefi"), 512),
    ("qemu-usb", dict(kind="qemu", firmware="bios", usb=True), 512),
    ("qemu-usb-uefi", dict(kind="qemu", firmware="uefi", usb=True), 512),
    ("bochs", dict(kind="bochs"), 256),
]


@pytest.fixture(scope="module")
def boot_iso(keel_built):
    return build_iso("boot", "loglevel=7 poweroff")


def boot(name, iso, kind, mem, **kw):
    if kind == "bochs":
        return run_bochs(name, iso, megs=mem, timeout=120)
    return run_qemu(name, iso, mem=mem, timeout=90, **kw)


@pytest.fixture(scope="module", params=BOOTS, ids=[b[0] for b in BOOTS])
def booted(request, boot_iso):
    name, kw, mem = request.param
    kw = dict(kw)
    kind = kw.pop("kind")
    return name, kind, mem, boot(name, boot_iso, kind, mem, **kw)


def test_banner_and_clean_poweroff(booted):
    name, kind, _, run = booted
    assert run.has(r"keel: Keel hypervisor \S+ starting"), run
    assert run.has(r"keel: boot complete"), run
    assert run.has(r"keel: power off \(status 0\)"), run
    assert not run.has(r"PANIC|EXCEPTION"), run
    if kind == "qemu":
        # isa-debug-exit: status 0 -> exit code (0 << 1) | 1.
        assert run.status == 1, run
    else:
        assert not run.timed_out, run


def test_firmware_detected(booted):
    name, _, _, run = booted
    want = "UEFI" if "uefi" in name else "BIOS"
    assert run.find(r"keel: firmware: (\S+)").group(1) == want


def test_memory_total_matches_configured_ram(booted):
    _, _, mem_mib, run = booted
    m = run.find(r"keel: memory: total (\d+) KiB, reserved (\d+) KiB, "
                 r"used (\d+) KiB, free (\d+) KiB")
    assert m, run
    total, reserved, used, free = (int(x) for x in m.groups())
    # Firmware keeps a little RAM and the PCI hole splits it, but the
    # available total must be close to what the emulator was given.
    assert mem_mib * 1024 * 0.9 <= total <= mem_mib * 1024, total
    assert total == reserved + used + free
    # Keel's own page tables come from the allocator.
    assert used > 0
    # Reserved at boot: Keel's image, the first MiB, the boot information
    # and the page bitmap; a few hundred KiB, never most of memory.
    assert 256 <= reserved <= 16 * 1024, reserved
    # The total is the sum of the map's available ranges.
    ram = 0
    for m in run.findall(r"keel: mmap: ([0-9a-f]+)-([0-9a-f]+) type 1$"):
        ram += int(m.group(2), 16) - int(m.group(1), 16)
    assert ram // KIB == total


def test_boot_lines_are_clean_text(booted):
    _, _, _, run = booted
    for line in run.keel_lines():
        assert all(32 <= ord(c) < 127 for c in line), repr(line)


# What each emulator really has: ACPI tables and PCI functions.
Q35_TABLES = {"FACP", "DSDT", "APIC", "HPET", "MCFG"}
BOCHS_TABLES = {"FACP", "DSDT", "APIC", "HPET"}
Q35_PCI = {
    "00:00.0": ("8086:29c0", "06.00.00"),  # Q35 host bridge
    "00:1f.0": ("8086:2918", "06.01.00"),  # ICH9 LPC
    "00:1f.2": ("8086:2922", "01.06.01"),  # ICH9 AHCI
    "00:1f.3": ("8086:2930", "0c.05.00"),  # ICH9 SMBus
}
BOCHS_PCI = {
    "00:00.0": ("8086:1237", "06.00.00"),  # i440FX
    "00:01.0": ("8086:7000", "06.01.00"),  # PIIX3 ISA
    "00:01.1": ("8086:7010", "01.01.80"),  # PIIX3 IDE
    "00:01.3": ("8086:7113", "06.80.00"),  # PIIX4 ACPI
}


def test_acpi_tables_found(booted):
    _, kind, _, run = booted
    found = {m.group(1) for m in run.findall(r"keel: acpi: (\w{4}) at 0x[0-9a-f]+ len \d+ ok")}
    want = BOCHS_TABLES if kind == "bochs" else Q35_TABLES
    assert want <= found, (want - found, run)
    assert run.has(r"keel: acpi: \d+ tables ok, 0 bad"), run
    m = run.find(r"keel: acpi: MADT: (\d+) CPUs, (\d+) IOAPICs")
    assert m and int(m.group(1)) == 1 and int(m.group(2)) == 1, run
    if kind == "qemu":
        assert run.has(r"keel: acpi: MCFG: ECAM 0xb0000000 buses 0-255"), run
        assert run.has(r"keel: pci: ECAM at 0xb0000000"), run
        # q35's FADT points PM1a_CNT at 0x604 and its reset register at 0xcf9.
        assert run.has(r"keel: acpi: FADT: PM1a_CNT 0x604 .*reset io:0xcf9=0x"), run
    else:
        assert run.has(r"keel: pci: config access through ports CF8/CFC"), run
        assert run.has(r"keel: acpi: FADT: PM1a_CNT 0xb004 "), run


def test_pci_devices(booted):
    _, kind, _, run = booted
    devs = {m.group(1): (m.group(2), m.group(3)) for m in
            run.findall(r"keel: pci: (\w\w:\w\w\.\w) (\w{4}:\w{4}) class (\S+)")}
    want = BOCHS_PCI if kind == "bochs" else Q35_PCI
    for bdf, ident in want.items():
        assert devs.get(bdf) == ident, (bdf, devs)
    n = int(run.find(r"keel: pci: (\d+) functions").group(1))
    assert n == len(devs)
    if kind == "qemu":
        # ich9-ahci's ABAR is BAR5, a 4 KiB 32-bit memory BAR.
        assert run.has(r"keel: pci: 00:1f\.2 .* bar5=mem32:0x[0-9a-f]+\+0x1000"), run


def test_tsc_calibrated(booted):
    _, kind, _, run = booted
    m = run.find(r"keel: time: TSC (\d+)\.(\d+) MHz \((.*)\)")
    assert m, run
    mhz = int(m.group(1)) + int(m.group(2)) / 1000
    if kind == "bochs":
        # Bochs's TSC counts instructions: ips=10000000 in tools/bochs-run.sh,
        # measured over 10 ms of PM timer ticks.
        assert abs(mhz - 10) < 0.01 and m.group(3) == "ACPI PM timer", m.group(0)
    else:
        assert mhz > 100 and m.group(3) == "ACPI PM timer", m.group(0)


def test_dmar_parsed_with_intel_iommu(keel_built, boot_iso):
    run = run_qemu("qemu-iommu", boot_iso, timeout=60,
                   extra=["-device", "intel-iommu"])
    assert run.status == 1, run
    assert run.has(r"keel: acpi: DMAR at 0x[0-9a-f]+ len \d+ ok"), run
    assert run.has(r"keel: acpi: DRHD 0xfed90000 seg 0"), run
    assert run.has(r"keel: iommu: unit 0 at 0xfed90000: ver 1\.0 "), run
    assert run.has(r"keel: iommu: unit 0: translation on"), run
    assert not run.has(r"keel: iommu: no DMAR"), run


def test_no_dmar_one_clear_line(booted):
    # q35 without intel-iommu, and Bochs: no DMAR, said once, and nothing
    # else from iommu/ (the other tests here show the rest runs as before).
    _, _, _, run = booted
    assert len(run.findall(r"keel: iommu: no DMAR table; DMA is not confined: the guest.s devices get no bus mastering \(unconfined_dma would allow it\)$")) == 1, run
    assert len(run.findall(r"keel: iommu:")) == 1, run


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_memory_above_4g(keel_built, boot_iso, firmware):
    # Real machines have RAM above 4 GiB: the map, the allocator and Keel's
    # page tables must cover it.
    run = run_qemu("qemu-6g-" + firmware, boot_iso, firmware=firmware,
                   mem=6144, timeout=90)
    assert run.status == 1, run
    m = run.find(r"keel: memory: total (\d+) KiB, reserved (\d+) KiB, "
                 r"used (\d+) KiB, free (\d+) KiB")
    total, reserved, used, free = (int(x) for x in m.groups())
    assert 6144 * 1024 * 0.9 <= total <= 6144 * 1024
    assert total == reserved + used + free
    assert run.findall(r"keel: mmap: 00000001[0-9a-f]{8}-[0-9a-f]{16} type 1$"), run


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_other_cpus_parked(keel_built, boot_iso, firmware):
    # Four CPUs: Keel starts the three others from a page below 1 MiB that
    # SeaBIOS's or OVMF's memory map leaves free. TCG has no VT-x, so they
    # halt without VMX and Keel says what that leaves open.
    run = run_qemu("qemu-smp-" + firmware, boot_iso, firmware=firmware,
                   extra=("-smp", "4"), timeout=90)
    assert run.status == 1, run
    assert run.has(r"^keel: cpus: 3 other CPUs halted without VMX: a guest's "
                   r"INIT and start-up IPIs would still reach them$"), run
    assert not run.has(r"did not start|VMXON failed"), run
