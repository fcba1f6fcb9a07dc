"""VT-d on QEMU q35 with intel-iommu (TCG), docs/iommu.md: the units are
decoded, translation goes on, AHCI I/O runs through the Keel domain and
lands on the medium, and test=vtd's deliberately misdirected DMAs are
blocked, reported and leave memory alone. Without an IOMMU, test_boot.py
checks the one "no DMAR" line."""
import copy
import os
import re
import struct

import pytest

from ahci_pattern import check_pattern, load_ranges
from conftest import BUILD, build_iso, run_qemu
from test_ahci import ahci_drive, fresh_disk

IOMMU = ["-device", "intel-iommu"]
SUMMARY = (r"keel: iommu: unit 0 at 0xfed90000: ver 1\.0 SAGAW 0x2 MGAW 39 ND 6 "
           r"\(65536 domains\) CM 0 RWBF 0 SLLPS 0x3 2M 1G QI 1 IR 1 PT 1 C 0 "
           r"faults 1 at 0x220 IOTLB at 0xf0$")


def translation_on(run, levels=3):
    assert run.has(r"keel: iommu: 00:1f\.2 -> Keel domain 1$"), run
    assert run.has(r"keel: iommu: Keel domain 1: %d-level, \d+ MiB of RAM identity-mapped" % levels), run
    assert run.has(r"keel: iommu: unit 0: translation on \(queued invalidation\)$"), run
    assert not run.has(r"PANIC|EXCEPTION|timeout waiting"), run


def test_ahci_pattern_through_the_iommu(keel_built):
    disk = fresh_disk("iommu-ahci")
    iso = build_iso("iommu-ahci", "test=ahci poweroff")
    run = run_qemu("iommu-ahci", iso, timeout=300, extra=IOMMU + ahci_drive(disk))
    assert run.has(SUMMARY), run
    translation_on(run)
    results = run.findall(r"^TEST ahci\.(\S+) (PASS|FAIL)")
    assert len(results) >= 40, run
    assert not [m.group(1) for m in results if m.group(2) != "PASS"]
    assert run.has(r"^TESTS: %d passed, 0 failed$" % len(results)), run
    # Every AHCI DMA stayed inside the Keel domain.
    assert not run.has(r"keel: iommu: fault"), run
    assert run.status == 1, run
    assert check_pattern(disk, load_ranges()) == []


def vtd_run(name, firmware="bios", extra=()):
    disk = fresh_disk(name, 64 << 20)
    iso = build_iso("iommu-vtd", "test=vtd poweroff")
    return run_qemu(name, iso, firmware=firmware, timeout=180,
                    extra=["-device", "intel-iommu" + "".join(extra)] + ahci_drive(disk))


def check_vtd(run):
    results = run.findall(r"^TEST vtd\.(\S+) (PASS|FAIL)(.*)")
    names = {m.group(1) for m in results}
    assert {"on", "contexts", "block.write", "block.untouched", "block.read",
            "mapped.read", "remapped.read", "guest.domain", "guest.attach",
            "guest.dma.lands", "guest.block.write", "guest.block.untouched",
            "guest.block.read", "guest.restore", "guest.after.read",
            "storm"} <= names, run
    assert not [m.group(0) for m in results if m.group(2) != "PASS"], run
    assert run.has(r"^TESTS: %d passed, 0 failed$" % len(results)), run
    # Each blocked DMA is reported once, with its source, page and reason
    # (before the storm, whose lines are bounded instead).
    assert run.has(r"^TEST vtd\.storm PASS 24 faults counted by the poller, "
                   r"(\d|1[0-6]) shown, 0 overflows$"), run
    assert run.has(r"^keel: iommu: fault log limit reached; counting further faults$"), run
    storm = [i for i, l in enumerate(run.lines) if l.startswith("TEST vtd.guest.after.read")]
    assert storm, run
    run = copy.copy(run)
    run.lines = run.lines[:storm[0]]
    w = run.findall(r"keel: iommu: fault: 00:1f\.2 write to (0x[0-9a-f]+) blocked: "
                    r"reason 5 \(no write permission or not mapped\)$")
    r = run.findall(r"keel: iommu: fault: 00:1f\.2 read from (0x[0-9a-f]+) blocked: "
                    r"reason 6 \(no read permission or not mapped\)$")
    # Twice: on the Keel domain, then on the guest-shaped domain.
    assert len(w) == 2 and len(r) == 2, run
    for i, test in enumerate(["block", "guest.block"]):
        assert w[i].group(1) == r[i].group(1)
        page = int(w[i].group(1), 16)
        assert page and page % 4096 == 0
        assert run.has(r"^TEST vtd\.%s\.write PASS 1 faults, 1 from 00:1f\.2 at %s$"
                       % (re.escape(test), w[i].group(1))), run
    # The guest-shaped domain: GPA -> a different HPA, the device on it.
    m = run.find(r"^TEST vtd\.guest\.dma\.lands PASS status 0, 0 faults, "
                 r"GPA (0x[0-9a-f]+) -> HPA (0x[0-9a-f]+)$")
    assert m and m.group(1) != m.group(2), run
    assert run.has(r"^keel: iommu: 00:1f\.2 -> guest domain 3$"), run
    assert run.status == 1, run


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_vtd_blocks_dma_outside_the_keel_domain(keel_built, firmware):
    run = vtd_run("iommu-vtd-" + firmware, firmware)
    assert run.has(SUMMARY), run
    translation_on(run)
    check_vtd(run)


def test_vtd_four_levels_with_aw_bits_48(keel_built):
    run = vtd_run("iommu-vtd-aw48", extra=[",aw-bits=48"])
    assert run.has(r"keel: iommu: unit 0 at 0xfed90000: .*SAGAW 0x6 MGAW 48 "), run
    translation_on(run, levels=4)
    check_vtd(run)


def test_caching_mode_unit(keel_built):
    run = vtd_run("iommu-vtd-cm", extra=[",caching-mode=on"])
    assert run.has(r"keel: iommu: unit 0 at 0xfed90000: .* CM 1 "), run
    translation_on(run)
    check_vtd(run)


# A DMAR Keel cannot trust, given to q35 with -acpitable (QEMU writes the
# header and checksum; the body starts at the host address width).
def dmar_body(*structs):
    return bytes([38, 0]) + bytes(10) + b"".join(structs)


def drhd(base, flags=0):
    return struct.pack("<HHBBHQ", 0, 16, flags, 0, 0, base)


BAD_DMARS = [
    # A DRHD shorter than its fixed part: the parser stops (acpi_dmar.c).
    ("truncated", dmar_body(struct.pack("<HH", 0, 8) + bytes(4)),
     r"DMAR malformed \(see the acpi line above\)"),
    ("shared-base", dmar_body(drhd(0xfed90000), drhd(0xfed90000, 1)),
     r"DMAR malformed: two DRHDs share a register base"),
    ("no-unit", dmar_body(drhd(0xfed91000, 1)),
     r"a remapping unit is unusable: no unit answers at the register base"),
]


@pytest.mark.parametrize("name,body,why", BAD_DMARS, ids=[b[0] for b in BAD_DMARS])
def test_untrusted_dmar_fails_closed(keel_built, name, body, why):
    path = os.path.join(BUILD, "test-disks", "dmar-%s.bin" % name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(body)
    iso = build_iso("iommu-bad", "poweroff")
    run = run_qemu("iommu-bad-" + name, iso, timeout=60,
                   extra=["-acpitable", "sig=DMAR,rev=1,data=" + path])
    lines = run.findall(r"keel: iommu: (?!unit \d+ at )(.*)")
    assert len(lines) == 1, run
    assert re.match(why + r"; failing closed: translation stays off, and the "
                    r"guest's devices get no bus mastering \(unconfined_dma would "
                    r"allow it\)$", lines[0].group(1)), run
    assert not run.has(r"translation on"), run
    assert run.has(r"keel: boot complete"), run
    assert run.status == 1, run


# Fail closed (docs/iommu.md, "Who may DMA"): the boot log says in one
# `keel: iommu:` line (besides the units' summaries) which rule applies.
DENIED = r"the guest's devices get no bus mastering \(unconfined_dma would allow it\)$"
POLICIES = [
    ("no-dmar", [], "poweroff",
     r"no DMAR table; DMA is not confined: " + DENIED),
    ("no-dmar-unconfined", [], "unconfined_dma poweroff",
     r"no DMAR table; DMA is not confined: the guest's devices may bus-master "
     r"anywhere \(unconfined_dma\)$"),
    ("off", IOMMU, "iommu=off poweroff",
     r"off \(iommu=off\); DMA is not confined: " + DENIED),
    ("on", IOMMU, "poweroff",
     r"DMA confined: Keel's devices reach Keel's RAM, the guest's reach the "
     r"guest's RAM, every other function is blocked$"),
]


@pytest.mark.parametrize("name,extra,cmdline,line", POLICIES, ids=[p[0] for p in POLICIES])
def test_dma_policy_in_one_line(keel_built, name, extra, cmdline, line):
    iso = build_iso("iommu-policy-" + name, cmdline)
    run = run_qemu("iommu-policy-" + name, iso, timeout=60, extra=extra)
    policy = [m.group(1) for m in run.findall(r"keel: iommu: (.*)")
              if re.search(r"DMA (is not )?confined", m.group(1))]
    assert len(policy) == 1 and re.match(line, policy[0]), run
    assert run.has(r"keel: iommu: unit 0: translation on") == (name == "on"), run
    assert run.has(r"keel: boot complete"), run
    assert run.status == 1, run


def test_firmware_bus_mastering_turned_off(keel_built):
    # OVMF leaves bus mastering on for nearly every function, the e1000e
    # NIC's among them; Keel turns it off before translation goes on (the
    # host bridge keeps it), and its AHCI driver turns its own back on:
    # test=ahci-style I/O is covered by test_vtd_* with OVMF.
    iso = build_iso("iommu-bm", "poweroff")
    run = run_qemu("iommu-bm-uefi", iso, firmware="uefi", timeout=90, extra=IOMMU)
    m = run.find(r"^keel: pci: bus mastering off on (\d+) functions the firmware "
                 r"left it on:((?: \w\w:\w\w\.\w)+)$")
    assert m, run
    fns = m.group(2).split()
    assert "00:02.0" in fns and "00:00.0" not in fns, run
    assert int(m.group(1)) == len(fns), run
    idx = [i for i, l in enumerate(run.lines)
           if re.search(r"keel: (pci: bus mastering off|iommu: unit 0: translation on)", l)]
    assert len(idx) == 2 and "bus mastering" in run.lines[idx[0]], run
    assert not run.has(r"keel: iommu: fault"), run
    assert run.status == 1, run


def test_passthrough_keeps_keel_drivers_off(keel_built):
    # passthrough= gives the guest a function a Keel driver would claim;
    # an absent function and one also hidden are reported.
    iso = build_iso("iommu-pt", "passthrough=00:1f.2 passthrough=00:05.0 poweroff")
    run = run_qemu("iommu-pt", iso, timeout=60, extra=IOMMU)
    assert run.has(r"^keel: ahci: 00:1f\.2 left to the guest \(passthrough=\)$"), run
    assert run.has(r"^keel: passthrough=00:05\.0: no such function$"), run
    assert not run.has(r"keel: iommu: 00:1f\.2 -> Keel domain"), run
    assert run.status == 1, run
    iso = build_iso("iommu-pt-hide", "passthrough=00:1f.2 pci_hide=00:1f.2 poweroff")
    run = run_qemu("iommu-pt-hide", iso, timeout=60, extra=IOMMU)
    assert run.has(r"^keel: passthrough=00:1f\.2: also in pci_hide=; hidden$"), run
    assert run.has(r"keel: iommu: 00:1f\.2 -> Keel domain 1$"), run
    assert run.status == 1, run


def test_unconfined_dma_lets_the_guest_bus_master(keel_built):
    # Bochs runs guests but has no IOMMU: by default the guest's xHCI is
    # denied bus mastering (test_pci_vcfg.py); unconfined_dma accepts
    # unconfined DMA, and says so for each of the guest's functions.
    from conftest import GUEST_ELF, run_bochs
    from test_pci_vcfg import XHCI, keel_image_base, xhci_bar0
    iso = build_iso("iommu-unconfined", "unconfined_dma on_guest_exit=poweroff",
                    GUEST_ELF, "scenario=bar-move keel_base=%#x" % keel_image_base())
    run = run_bochs("iommu-unconfined", iso, timeout=240, until=r"keel: power off",
                    extra_config=XHCI)
    bdf, _ = xhci_bar0(run)
    assert run.has(r"^keel: iommu: no DMAR table; DMA is not confined: the guest's "
                   r"devices may bus-master anywhere \(unconfined_dma\)$"), run
    assert run.has(r"^keel: guest: PCI %s may bus-master anywhere \(unconfined_dma\)$"
                   % bdf), run
    assert not run.has(r"bus mastering denied"), run
    assert run.has(r"^guest\| keel-guest: xhci COMMAND 0x[0-9a-f]+ after setting bus "
                   r"master: on$"), run
