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
