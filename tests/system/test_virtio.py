# SPDX-License-Identifier: MIT
"""The whole guest-disk path in Bochs: the test guest's virtio-blk driver
(docs/virtio-guest.md) -> Keel's virtio-blk device and back end
(docs/virtio.md) -> the block layer with the deadline elevator -> the IDE
driver -> the ATA disk (ata0-slave). The guest gets a sector range of the
disk, writes the pattern by its own LBA, reads it back, flushes, and sends
malformed chains, which must each bring DEVICE_NEEDS_RESET and leave Keel
serving after the reset. After poweroff the image is read from the host:
the pattern sits at the range's offset, and nothing outside the range was
written."""
import os
import struct

from ahci_pattern import VIRTIO, load_ranges, request_extents, sector_bytes
from conftest import GUEST_ELF, build_iso, run_bochs
from test_ata import ata_slave, fresh_disk

FIRST, COUNT = 2048, 16384  # guest_disk=sda:FIRST+COUNT; the disk has 20160
RANGES = [r["name"] for r in load_ranges(**VIRTIO)]
EXPECTED = (["found", "caps", "irq_setup", "init", "get_id", "flush",
             "read_beyond_end", "unknown_type_unsupp"]
            + ["write_" + n for n in RANGES] + ["read_" + n for n in RANGES])
HOSTILE = ["hostile_avail_head_range", "hostile_next_range", "hostile_loop",
           "hostile_buffer_outside_ram", "hostile_status_readable",
           "hostile_header_writable", "hostile_bus_master_off"]


def _write_boot_iso(disk, sectors):
    """What Keel's ISO written to a disk starts with (ECMA-119 volume
    descriptors from 2048-byte block 16: primary with the volume size,
    El Torito boot record, terminator)."""
    with open(disk, "r+b") as img:
        for i, (kind, body) in enumerate([
                (1, b""), (0, b"EL TORITO SPECIFICATION"), (255, b"")]):
            img.seek((16 + i) * 2048)
            img.write(bytes([kind]) + b"CD001\x01" + body)
        img.seek(16 * 2048 + 80)
        img.write(struct.pack("<I", sectors // 4) + struct.pack(">I", sectors // 4))


def _fill_pattern(disk):
    """The pattern the guest would write, put there from the host."""
    with open(disk, "r+b") as img:
        for rng in load_ranges(**VIRTIO):
            for first, count in request_extents(rng, COUNT):
                img.seek((FIRST + first) * 512)
                img.write(b"".join(sector_bytes(first + s)
                                   for s in range(count)))


def _run(name, guest_cmdline, ro=False):
    disk = fresh_disk(name)
    # Keel's boot disk ends where the guest's range starts: allowed.
    _write_boot_iso(disk, FIRST)
    if ro:
        _fill_pattern(disk)
    iso = build_iso(name, "sched=deadline guest_disk=sda:%d+%d%s "
                    "on_guest_exit=poweroff" % (FIRST, COUNT,
                                                ",ro" if ro else ""),
                    GUEST_ELF, guest_cmdline)
    run = run_bochs(name, iso, timeout=400, until=r"keel: power off",
                    extra_config=ata_slave(disk))
    return disk, run


def _results(run):
    return {m.group(1): m.group(2)
            for m in run.findall(r"TEST virtio\.(\S+) (PASS|FAIL|SKIP)")}


def _check_image(disk):
    """The pattern of guest LBA L is at disk LBA FIRST + L; the sectors
    just outside the range were never written."""
    errors = []
    with open(disk, "rb") as img:
        for rng in load_ranges(**VIRTIO):
            for first, count in request_extents(rng, COUNT):
                img.seek((FIRST + first) * 512)
                data = img.read(count * 512)
                for s in range(count):
                    if data[s * 512:(s + 1) * 512] != sector_bytes(first + s):
                        errors.append("%s: guest LBA %d" % (rng["name"], first + s))
        for lba in (FIRST - 1, FIRST + COUNT):
            img.seek(lba * 512)
            if img.read(512) != bytes(512):
                errors.append("disk LBA %d outside the range was written" % lba)
    return errors


def _assert_path(run):
    assert not run.timed_out, run
    assert run.has(r"^keel: ide0\.0: sda: block device, elevator deadline"), run
    assert run.has(r"^keel: guest disk: sda sectors %d\.\.%d \(%d sectors\) "
                   r"as virtio-blk$" % (FIRST, FIRST + COUNT - 1, COUNT)), run
    assert run.has(r"^keel: guest: virtio-blk 1af4:1042 at 00:[0-9a-f]{2}\.0, "
                   r"BAR0 0x[0-9a-f]+\+0x4000 \(trapped\)"), run
    assert run.has(r"^guest\| keel-guest: virtio capacity %d sectors" % COUNT), run


def test_virtio_msix_and_hostile_chains_on_ata(keel_built):
    disk, run = _run("virtio-msix", "scenario=virtio virtio_hostile=1")
    _assert_path(run)
    res = _results(run)
    for name in EXPECTED + ["irq_msix"] + HOSTILE:
        assert res.get(name) == "PASS", (name, res.get(name), run)
    assert not [n for n, r in res.items() if r != "PASS"], run
    assert run.has(r"TEST virtio\.get_id PASS status=0 id='sda'"), run
    # The out-of-range read is the device's IOERR, not a guest failure.
    assert run.has(r"TEST virtio\.read_beyond_end PASS sector %d status=1" % COUNT), run
    # Said once on Keel's console, however many chains were broken.
    said = run.findall(r"^keel: virtio-blk: the guest's driver broke the rules")
    assert len(said) == 1, run
    assert run.has(r"^keel: virtio-blk: \d+ requests, \d+ completed, 2 errors, "
                   r"6 violations$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert _check_image(disk) == []


def test_virtio_intx_on_ata(keel_built):
    """INTx through the guest's IOAPIC pin, with the BAR moved by the
    guest: Keel's device follows it."""
    disk, run = _run("virtio-intx", "scenario=virtio virtio_irq=intx "
                     "virtio_bar=0xd8000000")
    _assert_path(run)
    assert run.has(r"TEST virtio\.caps PASS common=0xd8000000 "), run
    assert not run.has(r"keel: virtio-blk: the guest moved BAR0"), run
    res = _results(run)
    for name in EXPECTED + ["irq_intx"]:
        assert res.get(name) == "PASS", (name, res.get(name), run)
    assert run.has(r"TEST virtio\.irq_intx PASS .* isr 0x1$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert _check_image(disk) == []


def _assert_event_idx(run, irq):
    """EVENT_IDX negotiated (bit 29 of the low word), the interrupt path
    and the data pass, and a used_event far ahead suppressed the
    interrupt while the next index brought exactly one."""
    res = _results(run)
    for name in EXPECTED + [irq, "irq_suppressed"]:
        assert res.get(name) == "PASS", (name, res.get(name), run)
    m = run.findall(r"TEST virtio\.init PASS .* features=0x1:([0-9a-f]+) ")
    assert m and int(m[0].group(1), 16) & (1 << 29), run
    assert run.has(r"TEST virtio\.irq_suppressed PASS used_event far ahead: "
                   r"0 interrupts; at the next index: 1 "), run
    assert run.has(r"^keel: guest exited with status 0$"), run


def test_virtio_event_idx_msix_and_hostile_on_ata(keel_built):
    """virtio_event_idx=on: the guest negotiates EVENT_IDX; interrupts go
    by used_event, the hostile chains still bring NEEDS_RESET, and the
    set-up after each reset negotiates it again."""
    disk, run = _run("virtio-event-msix", "scenario=virtio virtio_hostile=1 "
                     "virtio_event_idx=on")
    _assert_path(run)
    _assert_event_idx(run, "irq_msix")
    res = _results(run)
    for name in HOSTILE:
        assert res.get(name) == "PASS", (name, res.get(name), run)
    assert not [n for n, r in res.items() if r != "PASS"], run
    assert _check_image(disk) == []


def test_virtio_event_idx_intx_on_ata(keel_built):
    """The same suppression on the INTx path (the ISR is not set for a
    suppressed notification)."""
    disk, run = _run("virtio-event-intx", "scenario=virtio virtio_irq=intx "
                     "virtio_event_idx=on")
    _assert_path(run)
    _assert_event_idx(run, "irq_intx")
    assert run.has(r"TEST virtio\.irq_intx PASS .* isr 0x1$"), run
    assert _check_image(disk) == []


def test_virtio_read_only_on_ata(keel_built):
    """guest_disk=...,ro: VIRTIO_BLK_F_RO offered, the guest skips its
    writes, reads back what the host put there, and the image is left as
    it was."""
    disk, run = _run("virtio-ro", "scenario=virtio virtio_irq=poll "
                     "virtio_pcicfg=1", ro=True)
    with open(disk, "rb") as f:
        after = f.read()
    _fill_disk = fresh_disk("virtio-ro-expected")
    _write_boot_iso(_fill_disk, FIRST)
    _fill_pattern(_fill_disk)
    with open(_fill_disk, "rb") as f:
        expected = f.read()
    assert run.has(r"^keel: guest: virtio-blk .* sda sectors %d\+%d read-only, "
                   % (FIRST, COUNT)), run
    res = _results(run)
    assert res.get("write") == "SKIP", run
    assert not [n for n in res if n.startswith("write_")], run
    for n in RANGES:
        assert res.get("read_" + n) == "PASS", (n, run)
    # A write through the PCI_CFG window does not read (clear) the ISR.
    assert res.get("pcicfg_write_no_read") == "PASS", run
    assert not [n for n, r in res.items() if r == "FAIL"], run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert after == expected


def test_virtio_refuses_keels_boot_disk(keel_built):
    """A disk holding a bootable ISO 9660 volume (Keel's ISO written to
    it) is never given to the guest where the volume lies."""
    disk = fresh_disk("virtio-bootdisk")
    _write_boot_iso(disk, FIRST)
    iso = build_iso("virtio-bootdisk", "guest_disk=sda:%d+16 poweroff"
                    % (FIRST - 8))
    run = run_bochs("virtio-bootdisk", iso, timeout=180,
                    until=r"keel: power off", extra_config=ata_slave(disk))
    assert run.has(r"^keel: guest_disk=sda: sectors 0\.\.%d of sda hold a "
                   r"bootable ISO 9660 image \(Keel's boot disk\); the guest "
                   r"gets no disk \(start its range at %d or later\)$"
                   % (FIRST - 1, FIRST)), run
    assert not run.has(r"^keel: guest disk:"), run
    assert run.has(r"^keel: power off \(status 0\)"), run


def test_virtio_image_check_catches_a_missing_pattern(keel_built):
    # A fresh image holds none of the pattern: the checker must say so.
    disk = fresh_disk("virtio-empty")
    assert len(_check_image(disk)) >= len(RANGES)


def test_virtio_bench_runs_the_plan_on_both_sides(keel_built):
    """make bench's virtio run (tools/bench-virtio.sh) in small: Keel's
    bench=guest-disk and the guest's scenario=virtio-bench each run every
    workload at both depths without an error, every request reaches
    the back end, every notify the guest made was an exit Keel counted,
    and a full queue suppresses notifies. No timing is asserted."""
    disk = fresh_disk("virtio-bench")
    iso = build_iso("virtio-bench", "sched=deadline guest_disk=sda:%d+%d "
                    "bench=guest-disk on_guest_exit=poweroff"
                    % (FIRST, COUNT), GUEST_ELF, "scenario=virtio-bench")
    run = run_bochs("virtio-bench", iso, timeout=400, until=r"keel: power off",
                    extra_config=ata_slave(disk))
    assert not run.timed_out, run
    assert not run.findall(r"BENCH \S+ FAIL"), run
    workloads = ["4k-randread", "4k-randwrite", "64k-seqread", "64k-seqwrite"]
    for w in workloads:
        for qd in (1, 32):
            key = r"%s\.qd%d" % (w, qd)
            assert run.has(r"^BENCH direct\.%s\.iops [1-9]\d* IOPS" % key), run
            assert run.has(r"^guest\| BENCH virtio\.%s\.iops [1-9]\d* IOPS"
                           % key), run
            exits = run.findall(r"BENCH virtio\.%s\.exits (\d+\.\d+)" % key)
            kicks = run.findall(r"BENCH virtio\.%s\.kicks (\d+\.\d+)" % key)
            assert len(exits) == 1 and len(kicks) == 1, run
            exits, kicks = float(exits[0].group(1)), float(kicks[0].group(1))
            # Each notify is an exit. At QD1 the device is idle when a
            # request comes, so each needs its notify; at QD32 the device
            # advises against notifies while its slots are full (2.7.10).
            assert exits >= kicks, (key, exits, kicks)
            assert kicks == 1.0 if qd == 1 else kicks < 0.5, (key, kicks)
    # (512 + 512 + 128 + 128) I/Os at each of the two depths.
    assert run.has(r"^keel: virtio-blk: 2560 requests, 2560 completed, "
                   r"0 errors, 0 violations$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
