# SPDX-License-Identifier: MIT
"""Host-side check of the test=ahci / test=ata pattern in a raw disk image.

The ranges come from the table in docs/ahci.md (test=ahci) or docs/ata.md
(test=ata), the references that tests/kernel/ahci_pattern.c and
tests/kernel/ata_pattern.c are checked against by a host unit test. After
Keel has run the test and powered off, call::

    from ahci_pattern import check_pattern, load_ranges
    errors = check_pattern("disk.img", load_ranges())        # test=ahci
    errors = check_pattern("disk.img", load_ranges(**ATA))   # test=ata
    assert not errors, errors

or run ``python3 tests/system/ahci_pattern.py [--ata|--virtio] disk.img`` (exit
status 0 when every sector matches).
"""

import os
import re
import struct
import sys

SECTOR = 512
WORDS = SECTOR // 8
MASK64 = (1 << 64) - 1
MUL_LBA = 0x9E3779B97F4A7C15
MUL_WORD = 0xC2B2AE3D27D4EB4F

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(REPO, "docs", "ahci.md")
C_TABLE = os.path.join(REPO, "tests", "kernel", "ahci_pattern.c")
BEGIN = "<!-- ahci-ranges:begin -->"
END = "<!-- ahci-ranges:end -->"
# load_ranges(**ATA) / load_c_ranges(ATA["c_path"]): the test=ata table.
ATA = dict(
    doc_path=os.path.join(REPO, "docs", "ata.md"),
    begin="<!-- ata-ranges:begin -->",
    end="<!-- ata-ranges:end -->",
)
ATA_C_TABLE = os.path.join(REPO, "tests", "kernel", "ata_pattern.c")
# load_ranges(**VIRTIO): the test guest's virtio-blk table (docs/virtio-guest.md).
VIRTIO = dict(
    doc_path=os.path.join(REPO, "docs", "virtio-guest.md"),
    begin="<!-- virtio-guest-ranges:begin -->",
    end="<!-- virtio-guest-ranges:end -->",
)
VIRTIO_C_TABLE = os.path.join(REPO, "guest", "virtio_pattern.c")
LAYOUTS = ("contig", "scatter", "subpage")


def sector_bytes(lba):
    """The 512 bytes the pattern puts in sector @lba."""
    lba_term = (lba * MUL_LBA) & MASK64
    return struct.pack(
        "<%dQ" % WORDS,
        *[lba_term ^ (((i + 1) * MUL_WORD) & MASK64) for i in range(WORDS)],
    )


def load_ranges(doc_path=DOC, begin=BEGIN, end=END):
    """Parse the ranges table of docs/ahci.md (or the one between @begin
    and @end in @doc_path) into a list of dicts."""
    ranges = []
    inside = False
    with open(doc_path, encoding="utf-8") as f:
        for line in f:
            if begin in line:
                inside = True
                continue
            if end in line:
                break
            if not inside or not line.startswith("|") or "---" in line:
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] == "name":
                continue
            name, lba, sectors, repeat, stride, layout, fua = cells
            if layout not in LAYOUTS or fua not in ("yes", "no"):
                raise ValueError("bad row in %s: %r" % (doc_path, line))
            ranges.append(
                dict(
                    name=name,
                    lba=int(lba),
                    sectors=int(sectors),
                    repeat=int(repeat),
                    stride=int(stride),
                    layout=layout,
                    fua=fua == "yes",
                )
            )
    if not ranges:
        raise ValueError("no ranges table in %s" % doc_path)
    return ranges


def load_c_ranges(c_path=C_TABLE):
    """The same table as tests/kernel/ahci_pattern.c has it."""
    row = re.compile(
        r'\{\s*"(\w[\w-]*)",\s*(-?\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*'
        r"AHCI_BUF_(\w+),\s*(true|false)\s*\}"
    )
    with open(c_path, encoding="utf-8") as f:
        text = f.read()
    return [
        dict(
            name=m.group(1),
            lba=int(m.group(2)),
            sectors=int(m.group(3)),
            repeat=int(m.group(4)),
            stride=int(m.group(5)),
            layout=m.group(6).lower(),
            fua=m.group(7) == "true",
        )
        for m in row.finditer(text)
    ]


def load_virtio_c_ranges(c_path=VIRTIO_C_TABLE):
    """The table of guest/virtio_pattern.c (no FUA column: always no)."""
    row = re.compile(
        r'\{\s*"(\w[\w-]*)",\s*(-?\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*'
        r"VBUF_(\w+)\s*\}"
    )
    with open(c_path, encoding="utf-8") as f:
        text = f.read()
    return [
        dict(
            name=m.group(1),
            lba=int(m.group(2)),
            sectors=int(m.group(3)),
            repeat=int(m.group(4)),
            stride=int(m.group(5)),
            layout=m.group(6).lower(),
            fua=False,
        )
        for m in row.finditer(text)
    ]


def request_extents(rng, capacity):
    """(first LBA, sectors) of every request of range @rng."""
    first = rng["lba"] if rng["lba"] >= 0 else capacity + rng["lba"]
    return [(first + k * rng["stride"], rng["sectors"]) for k in range(rng["repeat"])]


def check_pattern(image_path, ranges=None, max_errors=20):
    """Check every sector of @ranges in the raw image; returns error strings
    (empty when all sectors hold the pattern)."""
    if ranges is None:
        ranges = load_ranges()
    capacity = os.path.getsize(image_path) // SECTOR
    errors = []
    with open(image_path, "rb") as img:
        for rng in ranges:
            for first, count in request_extents(rng, capacity):
                if first < 0 or first + count > capacity:
                    errors.append(
                        "%s: LBA %d+%d beyond the image (%d sectors)"
                        % (rng["name"], first, count, capacity)
                    )
                    continue
                img.seek(first * SECTOR)
                data = img.read(count * SECTOR)
                for s in range(count):
                    got = data[s * SECTOR : (s + 1) * SECTOR]
                    want = sector_bytes(first + s)
                    if got != want:
                        off = next(
                            (i for i in range(len(got)) if got[i] != want[i]),
                            len(got),
                        )
                        errors.append(
                            "%s: LBA %d byte %d: got %s want %s"
                            % (
                                rng["name"],
                                first + s,
                                off,
                                got[off : off + 8].hex(),
                                want[off : off + 8].hex(),
                            )
                        )
                        if len(errors) >= max_errors:
                            return errors
    return errors


def main(argv):
    flag = argv[1] if len(argv) == 3 else None
    if len(argv) not in (2, 3) or flag not in (None, "--ata", "--virtio"):
        print("usage: ahci_pattern.py [--ata|--virtio] DISK.IMG", file=sys.stderr)
        return 2
    if flag == "--virtio":
        doc, c_table = load_ranges(**VIRTIO), load_virtio_c_ranges()
    elif flag == "--ata":
        doc, c_table = load_ranges(**ATA), load_c_ranges(ATA_C_TABLE)
    else:
        doc, c_table = load_ranges(), load_c_ranges(C_TABLE)
    if doc != c_table:
        print("ahci_pattern: the docs table and the C table disagree", file=sys.stderr)
        return 1
    errors = check_pattern(argv[-1], doc)
    for e in errors:
        print("ahci_pattern: " + e)
    nreq = sum(r["repeat"] for r in doc)
    print(
        "ahci_pattern: %d ranges, %d requests: %s"
        % (len(doc), nreq, "FAIL" if errors else "PASS")
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
