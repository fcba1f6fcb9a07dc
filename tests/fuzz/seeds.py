#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of the virtio-blk fuzzer (tests/fuzz/corpus/):
well-formed requests of each type and a few broken chains, in the two
input layouts tests/fuzz/fuzz_virtio.c reads. Run it again after changing
either layout: python3 tests/fuzz/seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
DESC, AVAIL, USED, HDR, STATUS, DATA = 0x100, 0x200, 0x300, 0x400, 0x420, 0x600
NEXT, WRITE, INDIRECT = 1, 2, 4


def memory(descs, heads, hdr_type=0, sector=0, used_event=None, qsize=4):
    mem = bytearray(DATA + 1024)
    if used_event is not None:  # avail->ring[qsize] (virtio 1.2 2.7.6)
        struct.pack_into("<H", mem, AVAIL + 4 + 2 * qsize, used_event)
    for i, (addr, length, flags, nxt) in enumerate(descs):
        struct.pack_into("<QIHH", mem, DESC + 16 * i, addr, length, flags, nxt)
    struct.pack_into("<HH", mem, AVAIL, 0, len(heads))
    for i, h in enumerate(heads):
        struct.pack_into("<H", mem, AVAIL + 4 + 2 * i, h)
    struct.pack_into("<IIQ", mem, HDR, hdr_type, 0, sector)
    return bytes(mem)


def request(kind, sector=0, length=512):
    write = WRITE if kind in (0, 8) else 0
    if kind == 4:
        return [(HDR, 16, NEXT, 1), (STATUS, 1, WRITE, 0)]
    return [(HDR, 16, NEXT, 1), (DATA, length, NEXT | write, 2),
            (STATUS, 1, WRITE, 0)]


def walk_seed(descs, heads, hdr_type=0, sector=0, flags=0, used_event=None):
    # mode 0: first, count, flags (ro, block size, 8: EVENT_IDX),
    # log2(size), desc, avail, used, last_avail
    head = bytes([0, 8]) + struct.pack("<H", 64) + bytes([flags, 2])
    head += b"".join(struct.pack("<I", a)[:3] for a in (DESC, AVAIL, USED))
    head += struct.pack("<H", 0)
    return head + memory(descs, heads, hdr_type, sector, used_event)


def op(off, size_log2, val, kind):
    return struct.pack("<HBIB", off, size_log2, val & 0xffffffff, kind)


def device_seed(descs, hdr_type, sector=0, event_idx=False, used_event=None):
    feats = (1 << 1) | (1 << 2) | (1 << 6) | (1 << 9)
    if event_idx:
        feats |= 1 << 29  # VIRTIO_F_EVENT_IDX
    ops = [op(0x14, 0, 0, 1), op(0x14, 0, 1, 1), op(0x14, 0, 3, 1),
           op(0x08, 2, 1, 1), op(0x0c, 2, 1, 1), op(0x08, 2, 0, 1),
           op(0x0c, 2, feats, 1), op(0x14, 0, 0xb, 1), op(0x18, 1, 4, 1),
           op(0x20, 2, DESC, 1), op(0x28, 2, AVAIL, 1), op(0x30, 2, USED, 1),
           op(0x1c, 1, 1, 1), op(0x14, 0, 0xf, 1), op(0x3000, 1, 0, 1),
           op(0, 0, 0, 3), op(0, 0, 0, 3), op(0x1000, 0, 0, 0)]
    return bytes([1, len(ops)]) + b"".join(ops) + memory(
        descs, [0], hdr_type, sector, used_event)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "walk-in": walk_seed(request(0), [0], 0, 3),
        "walk-out": walk_seed(request(1), [0], 1, 3),
        "walk-flush": walk_seed(request(4), [0], 4),
        "walk-get-id": walk_seed(request(8, length=20), [0], 8),
        "walk-unsupp": walk_seed(request(1), [0], 11),
        "walk-range": walk_seed(request(0), [0], 0, 64),
        "walk-loop": walk_seed([(HDR, 16, NEXT, 1), (DATA, 16, NEXT, 0)], [0]),
        "walk-indirect": walk_seed([(DATA, 64, INDIRECT, 0)], [0]),
        "walk-outside": walk_seed([(0xfff000, 4096, WRITE, 0)], [0]),
        "walk-two": walk_seed(request(0)[:2] + [(STATUS, 1, WRITE, 0)],
                              [0, 0], 0, 1),
        "dev-in": device_seed(request(0), 0, 5),
        "dev-out": device_seed(request(1), 1, 5),
        "dev-flush": device_seed(request(4), 4),
        "dev-loop": device_seed([(HDR, 16, NEXT, 1), (DATA, 16, NEXT, 0)], 0),
        "walk-event": walk_seed(request(0), [0, 0, 0], 0, 1, flags=8,
                                used_event=1),
        "dev-event-in": device_seed(request(0), 0, 5, event_idx=True,
                                    used_event=0),
        "dev-event-far": device_seed(request(0), 0, 5, event_idx=True,
                                     used_event=0x8000),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
