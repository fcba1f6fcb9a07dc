"""AHCI on QEMU q35 (ich9-ahci at 00:1f.2): test=ahci writes the pattern over
scattered ranges through the driver and the block layer, flushes and reads
it back; the disk image is then checked from the host. blkdebug injects a
read error that must fail exactly one request."""
import os

import pytest

from ahci_pattern import check_pattern, load_ranges
from conftest import BUILD, build_iso, run_qemu

DISK_SIZE = 512 << 20
BAD_LBA = 900000


def fresh_disk(name, size=DISK_SIZE):
    path = os.path.join(BUILD, "test-disks", name + ".img")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def ahci_drive(path, port=0, extra=""):
    return ["-drive", "file=%s,format=raw,if=none,id=d%d%s" % (path, port, extra),
            "-device", "ide-hd,drive=d%d,bus=ide.%d" % (port, port)]


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_pattern_reaches_the_medium(keel_built, firmware):
    disk = fresh_disk("ahci-" + firmware)
    iso = build_iso("ahci-test", "test=ahci poweroff")
    run = run_qemu("ahci-" + firmware, iso, firmware=firmware, timeout=240,
                   extra=ahci_drive(disk))
    assert run.has(r'keel: ahci0\.0: "QEMU HARDDISK" .* 1048576 sectors \(512 MiB\).*NCQ 32'), run
    assert run.has(r"keel: ahci0\.0: sda: block device, elevator deadline"), run
    results = run.findall(r"^TEST ahci\.(\S+) (PASS|FAIL)")
    assert len(results) >= 40, run
    assert not [m.group(1) for m in results if m.group(2) != "PASS"]
    assert run.has(r"^TESTS: %d passed, 0 failed$" % len(results)), run
    # Requests merged in the block layer, and some spanned 4 MiB PRDT limits.
    assert run.has(r"^TEST ahci\.blk\.merge PASS \d+ merges"), run
    assert run.has(r"^TEST ahci\.write\.split4m PASS"), run
    assert run.status == 1, run  # status 0 through isa-debug-exit
    # The data is on the medium: check every sector of every range.
    assert check_pattern(disk, load_ranges()) == []


def test_pattern_checker_catches_a_wrong_sector(keel_built):
    disk = fresh_disk("ahci-wrong", 1 << 20)
    # A zeroed image has none of the pattern: the checker must say so.
    ranges = [r for r in load_ranges() if r["lba"] < 2048][:1]
    assert ranges
    assert check_pattern(disk, ranges) != []


def test_sched_option_selects_elevator(keel_built):
    disk = fresh_disk("ahci-sched")
    iso = build_iso("ahci-sched", "sched=none poweroff")
    run = run_qemu("ahci-sched", iso, timeout=60, extra=ahci_drive(disk))
    assert run.has(r"keel: ahci0\.0: sda: block device, elevator none"), run
    iso = build_iso("ahci-sched-bad", "sched=cfq poweroff")
    run = run_qemu("ahci-sched-bad", iso, timeout=60, extra=ahci_drive(disk))
    assert run.has(r"keel: sched=cfq ignored: unknown value 'cfq'; use (\w+, )*none\b.*\bdeadline\b"), run
    assert run.has(r"keel: ahci0\.0: sda: block device, elevator deadline"), run


def test_injected_read_error_fails_one_request(keel_built):
    disk = fresh_disk("ahci-error")
    cfg = os.path.join(BUILD, "test-disks", "blkdebug.cfg")
    with open(cfg, "w") as f:
        f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%d"\n'
                % BAD_LBA)
    iso = build_iso("ahci-error", "test=ahci-error poweroff")
    drive = ["-drive", "file=blkdebug:%s:%s,format=raw,if=none,id=d0,"
             "werror=report,rerror=report" % (cfg, disk),
             "-device", "ide-hd,drive=d0,bus=ide.0"]
    run = run_qemu("ahci-error", iso, timeout=240, extra=drive)
    results = run.findall(r"^TEST ahci\.(\S+) (PASS|FAIL)(.*)")
    assert results, run
    assert not [m.group(0) for m in results if m.group(2) != "PASS"], run
    assert run.has(r"^TESTS: \d+ passed, 0 failed$"), run
    # The driver reported the failing command, and the port went on.
    assert run.has(r"keel: ahci0\.0: .*(error|TFES)"), run
    assert run.status == 1, run


def test_no_disk_no_controller_use(keel_built):
    iso = build_iso("ahci-none", "test=ahci poweroff")
    run = run_qemu("ahci-none", iso, timeout=60)
    assert run.has(r"^TEST ahci\.probe FAIL"), run
    assert not run.has(r"PANIC|EXCEPTION"), run
    # One failed self-test: status 1 -> QEMU exits (1 << 1) | 1.
    assert run.status == 3, run
