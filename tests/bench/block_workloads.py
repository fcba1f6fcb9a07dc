#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Deterministic iosim traces for the block benchmarks (tools/bench-block.sh).

Usage: block_workloads.py OUTDIR [SEED]

Writes one trace per workload into OUTDIR. Each workload uses its own
random.Random seeded from SEED and the workload name, so the traces are
identical on every run and every Python 3 version.
"""
import os
import random
import sys

CAPACITY = 1 << 28  # iosim's default capacity, in sectors


def lecture(rng):
    """The lecture example: four reads arriving together."""
    return [(0, 'R', s, 1) for s in (18, 5, 10, 1)]


def seqread(rng):
    """One streaming reader, 64 KiB reads, offered faster than an HDD."""
    return [(i * 100, 'R', 1_000_000 + i * 128, 128) for i in range(2000)]


def randread(rng):
    """4 KiB random reads over the disk, about 500 IOPS offered."""
    out, t = [], 0
    for _ in range(2000):
        t += int(rng.expovariate(1 / 2000))
        out.append((t, 'R', rng.randrange(CAPACITY // 8) * 8, 8))
    return out


def writeflood(rng):
    """Four streams of 64 KiB writes, plus a 4 KiB random read every 50 ms."""
    out = []
    heads = [rng.randrange(CAPACITY // 8) * 8 for _ in range(4)]
    for i in range(6000):
        s = i % 4
        out.append((i * 250, 'W', heads[s], 128))
        heads[s] = (heads[s] + 128) % (CAPACITY - 128)
    for t in range(0, 6000 * 250, 50_000):
        out.append((t + 7, 'R', rng.randrange(CAPACITY // 8) * 8, 8))
    out.sort(key=lambda r: r[0])
    return out


def mix7030(rng):
    """70 % reads, 30 % writes; 80 % of them in three 512 MiB hot zones."""
    zones = [rng.randrange((CAPACITY - (1 << 20)) // 8) * 8
             for _ in range(3)]
    out, t = [], 0
    for _ in range(3000):
        t += int(rng.expovariate(1 / 3000))
        op = 'R' if rng.random() < 0.7 else 'W'
        n = 8 * rng.randint(1, 8)
        if rng.random() < 0.8:
            s = rng.choice(zones) + rng.randrange((1 << 20) // 8) * 8
        else:
            s = rng.randrange((CAPACITY - 64) // 8) * 8
        out.append((t, op, s, n))
    return out


def flushheavy(rng):
    """A journal: 4 KiB appends with a flush after every 8, plus reads."""
    out, t, log = [], 0, 50_000_000
    for i in range(2400):
        t += int(rng.expovariate(1 / 1000))
        if i % 9 == 8:
            out.append((t, 'F', 0, 0))
        elif rng.random() < 0.25:
            out.append((t, 'R', rng.randrange(CAPACITY // 8) * 8, 8))
        else:
            out.append((t, 'W', log, 8))
            log += 8
    return out


def ssdflood(rng):
    """SSD write flood: 8 streams of 1 MiB writes every 20 us, 4 KiB reads."""
    # 50 GB/s offered for 40 ms against the SSD model's 32 slots of 500 MB/s;
    # bench-block.sh runs it on the SSD only (the HDD would need minutes).
    out = []
    heads = [rng.randrange(CAPACITY // 8) * 8 for _ in range(8)]
    for i in range(2000):
        s = i % 8
        out.append((i * 20, 'W', heads[s], 2048))
        heads[s] = (heads[s] + 2048) % (CAPACITY - 2048)
    for t in range(0, 2000 * 20, 100):
        out.append((t + 3, 'R', rng.randrange(CAPACITY // 8) * 8, 8))
    out.sort(key=lambda r: r[0])
    return out


WORKLOADS = [
    ('lecture', lecture),
    ('seqread', seqread),
    ('randread', randread),
    ('writeflood', writeflood),
    ('mix7030', mix7030),
    ('flushheavy', flushheavy),
    ('ssdflood', ssdflood),
]


def main():
    outdir = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    os.makedirs(outdir, exist_ok=True)
    for name, gen in WORKLOADS:
        rng = random.Random(f'{seed}:{name}')
        with open(os.path.join(outdir, name + '.trace'), 'w') as f:
            f.write(f'# {name} seed {seed}: {gen.__doc__}\n')
            for t, op, s, n in gen(rng):
                f.write(f'{t} {op} {s} {n}\n')


if __name__ == '__main__':
    main()
