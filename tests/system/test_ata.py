"""The IDE driver in Bochs (PIIX3 IDE at 00:01.1): a small disk as
ata0-slave beside the boot CD. test=ata writes the pattern through the
block layer with bus-master DMA and with PIO, flushes, reads it back,
checks refusals and an aborted command; the disk image is then checked
from the host (docs/ata.md)."""
import os

from ahci_pattern import ATA, check_pattern, load_ranges
from conftest import BUILD, build_iso, run_bochs

# Bochs geometry for a 20-cylinder disk: 20160 sectors, about 10 MiB.
CYLINDERS, HEADS, SPT = 20, 16, 63
DISK_SIZE = CYLINDERS * HEADS * SPT * 512


def fresh_disk(name, size=DISK_SIZE):
    path = os.path.join(BUILD, "test-disks", name + ".img")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    # A Bochs that was killed leaves its lock, and the next one would
    # refuse the image.
    if os.path.exists(path + ".lock"):
        os.remove(path + ".lock")
    return path


def ata_slave(path):
    return ("ata0-slave: type=disk, path=%s, mode=flat, cylinders=%d, "
            "heads=%d, spt=%d" % (path, CYLINDERS, HEADS, SPT))


def test_ata_pattern_reaches_the_disk(keel_built):
    disk = fresh_disk("ata")
    iso = build_iso("ata-test", "test=ata poweroff")
    run = run_bochs("ata", iso, timeout=180, until=r"keel: power off",
                    extra_config=ata_slave(disk))
    assert run.has(r"^keel: ide0: 8086:7010 at 00:01\.1, prog-if 0x80 "
                   r"\(primary compat, secondary compat\), bus master 0x"), run
    # The boot CD is ATAPI, the channel's master: left alone.
    assert run.has(r"^keel: ide0\.0: device 0: ATAPI, left alone$"), run
    assert run.has(r"^keel: ide0\.0: sda: device 1, .* 20160 sectors .*LBA48.*, DMA$"), run
    assert run.has(r"^keel: ide0\.0: sda: block device, elevator deadline"), run
    results = run.findall(r"^TEST ata\.(\S+) (PASS|FAIL)")
    assert len(results) >= 30, run
    assert not [m.group(1) for m in results if m.group(2) != "PASS"], run
    assert run.has(r"^TESTS: %d passed, 0 failed$" % len(results)), run
    for name in ("probe", "blk.merge", "blk.flush", "flush", "blk.write.large",
                 "blk.read.boundary", "pio.write.pio", "pio.read.bigscatter",
                 "dma.read.pio", "reject", "error.abort",
                 "error.after.read.page", "reset",
                 "reset.after.dma.read.scatter",
                 "reset.after.pio.read.scatter"):
        assert run.has(r"^TEST ata\.%s PASS" % name.replace(".", r"\.")), (name, run)
    assert run.has(r"^keel: power off \(status 0\)"), run
    # The data is on the medium: every sector of every range.
    assert check_pattern(disk, load_ranges(**ATA)) == []


def test_ata_pattern_checker_catches_a_wrong_sector(keel_built):
    disk = fresh_disk("ata-wrong")
    # A zeroed image has none of the pattern: the checker must say so.
    errors = check_pattern(disk, load_ranges(**ATA))
    assert len(errors) >= len(load_ranges(**ATA)), errors
