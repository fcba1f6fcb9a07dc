#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The best any elevator can do on a one-stream read workload (issue 14).

    tools/seqread-bound.py TRACE IOSIM_OUTPUT

TRACE is an iosim trace of reads that cover one contiguous range (the
bench's seqread); IOSIM_OUTPUT is iosim's output for that trace with the
reference elevator (deadline). With iosim's HDD model (its constants are
read from tools/iosim/iosim.c), an elevator whose throughput is no worse
than the reference's must end by the reference's last completion. Every
non-zero seek costs at least HDD_SEEK_BASE_MS + HDD_ROTATION_MS; if the
room left after the fastest possible pass (one seek to the stream, then
every sector once, in order) is smaller than that, the pass is the only
schedule allowed, and in it read i can end no sooner than its own data
has passed the head (an elevator cannot read ahead of a request it has
not been given). The geometric mean of those earliest waits, against the
reference's, is the lowest ratio any elevator can reach.

Prints BENCH lines: the slack, the cheapest extra seek, and the bound.
"""
import math
import re
import sys
from pathlib import Path

IOSIM_C = Path(__file__).resolve().parent / "iosim" / "iosim.c"
CAPACITY = 1 << 28  # iosim's default --capacity
SECTOR = 512


def model():
    text = IOSIM_C.read_text()
    want = ("HDD_SEEK_BASE_MS", "HDD_SEEK_FULL_MS", "HDD_ROTATION_MS",
            "HDD_BYTES_PER_S")
    m = {}
    for name in want:
        hit = re.search(r"#define %s ([0-9.e]+)" % name, text)
        if not hit:
            sys.exit("seqread-bound: %s not found in %s" % (name, IOSIM_C))
        m[name] = float(hit.group(1))
    return m


def reads(trace):
    out = []
    for line in Path(trace).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        t, op, sector, nsect = line.split()[:4]
        if op != "R":
            sys.exit("seqread-bound: %s has a %s request: reads only"
                     % (trace, op))
        out.append((int(t) * 1000, int(sector), int(nsect)))
    out.sort(key=lambda r: r[1])
    for a, b in zip(out, out[1:]):
        if a[1] + a[2] != b[1]:
            sys.exit("seqread-bound: %s is not one contiguous stream"
                     % trace)
    return out


def reference(path):
    lat, end = [], 0.0
    for line in Path(path).read_text().splitlines():
        if line.startswith("#"):
            continue
        f = line.split()
        arrival_ns, done_ns = int(f[4]) * 1000, float(f[6]) * 1000
        lat.append(done_ns - arrival_ns)
        end = max(end, done_ns)
    return lat, end


def gmean(v):
    return math.exp(sum(math.log(x) for x in v) / len(v))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    m = model()
    rs = reads(sys.argv[1])
    ref_lat, ref_end = reference(sys.argv[2])
    if len(ref_lat) != len(rs):
        sys.exit("seqread-bound: the trace and the output differ in length")
    ms = 1e6
    first = rs[0][1]
    seek = (m["HDD_SEEK_BASE_MS"] +
            m["HDD_SEEK_FULL_MS"] * math.sqrt(first / CAPACITY) +
            m["HDD_ROTATION_MS"]) * ms if first else 0.0
    t = None
    best = []
    for arrival, _, nsect in rs:
        start = arrival + seek if t is None else max(t, arrival)
        t = start + nsect * SECTOR / m["HDD_BYTES_PER_S"] * 1e9
        best.append(t - arrival)
    slack = ref_end - t
    cheapest_seek = (m["HDD_SEEK_BASE_MS"] + m["HDD_ROTATION_MS"]) * ms
    print("BENCH block.seqread.hdd.bound.slack %.3f ms" % (slack / ms))
    print("BENCH block.seqread.hdd.bound.cheapest_seek %.3f ms"
          % (cheapest_seek / ms))
    if slack >= cheapest_seek:
        print("seqread-bound: room for another seek: no bound from one "
              "pass")
        return 1
    print("BENCH block.seqread.hdd.bound.read_gmean %.1f us"
          % (gmean(best) / 1000))
    print("BENCH block.seqread.hdd.bound.vs_deadline.read_gmean %.3f ratio"
          % (gmean(best) / gmean(ref_lat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
