#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""keel vs deadline over many seeds (issue 14): the hold-out picture.

    tools/keel-holdout.py [--seeds 1-15] [--disk hdd|ssd|both] [--per-seed]
                          [--iosim PATH] [--set NAME=N ...] [WORKLOAD ...]

Generates every workload of tests/bench/block_workloads.py for each seed,
replays it through iosim with deadline and keel, and prints keel / deadline
as typical read (geometric mean), longest read and throughput: for seed 4
(the bench seed), and the worst of each column over seeds 1-7 and 8-15
(worst: the largest latency ratio, the smallest throughput ratio), which
is the format of docs/block.md's tables, and how many seeds meet issue 14's
target (typical <= 0.8, longest <= 1, throughput >= 1, all three).
--per-seed adds one line per seed.
--set passes tunables to keel only; --iosim replays keel with another build
(deadline always uses build/host/iosim). Needs build/host/iosim.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HDD = ['lecture', 'seqread', 'randread', 'writeflood', 'mix7030',
       'flushheavy']
SSD = HDD + ['ssdflood']


def seeds_of(text):
    out = []
    for part in text.split(','):
        lo, _, hi = part.partition('-')
        out += range(int(lo), int(hi or lo) + 1)
    return out


def run(iosim, sched, disk, trace, sets):
    cmd = [iosim, '--sched', sched, '--disk', disk]
    for s in sets:
        cmd += ['--set', s]
    out = subprocess.run(cmd + [trace], check=True, capture_output=True,
                         text=True).stdout
    res = {}
    for line in out.splitlines():
        f = line.split()
        if line.startswith('# throughput_MBps'):
            res['tp'] = float(f[2])
        elif line.startswith('# read_latency_us'):
            res['rmax'] = float(f[9])
            res['rg'] = float(f[11])
    return res


def ratio(k, d):
    """keel / deadline, or None where deadline has no reads."""
    if d['rg'] <= 0 or d['rmax'] <= 0:
        return None
    return (k['rg'] / d['rg'], k['rmax'] / d['rmax'], k['tp'] / d['tp'])


def worst(rs):
    rs = [r for r in rs if r]
    if not rs:
        return '-'
    return '%.3f %.3f %.3f' % (max(r[0] for r in rs), max(r[1] for r in rs),
                               min(r[2] for r in rs))


def met(rs):
    """Seeds meeting all three targets, of those with reads."""
    rs = [r for r in rs if r]
    ok = sum(1 for r in rs if r[0] <= 0.8 and r[1] <= 1 and r[2] >= 1)
    return '%d/%d' % (ok, len(rs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', default='1-15')
    ap.add_argument('--disk', default='hdd', choices=['hdd', 'ssd', 'both'])
    ap.add_argument('--per-seed', action='store_true')
    ap.add_argument('--iosim', default=os.path.join(ROOT, 'build/host/iosim'))
    ap.add_argument('--set', action='append', default=[])
    ap.add_argument('workloads', nargs='*')
    a = ap.parse_args()
    ref = os.path.join(ROOT, 'build/host/iosim')
    seeds = seeds_of(a.seeds)
    disks = ['hdd', 'ssd'] if a.disk == 'both' else [a.disk]
    tmp = tempfile.mkdtemp(prefix='keel-holdout.')
    gen = os.path.join(ROOT, 'tests/bench/block_workloads.py')
    for s in seeds:
        subprocess.run([sys.executable, gen, os.path.join(tmp, str(s)),
                        str(s)], check=True)
    jobs = {}
    with ThreadPoolExecutor(max_workers=2) as ex:
        for disk in disks:
            for w in a.workloads or (HDD if disk == 'hdd' else SSD):
                for s in seeds:
                    tr = os.path.join(tmp, str(s), w + '.trace')
                    jobs[(disk, w, s, 'd')] = ex.submit(
                        run, ref, 'deadline', disk, tr, [])
                    jobs[(disk, w, s, 'k')] = ex.submit(
                        run, a.iosim, 'keel', disk, tr, a.set)
    res = {k: v.result() for k, v in jobs.items()}
    subprocess.run(['rm', '-rf', tmp], check=True)
    print('keel/deadline: typical (gmean) read, longest read, throughput')
    print('%-4s %-11s %-19s %-19s %-19s %s' % ('disk', 'workload', 'seed 4',
                                                'worst 1-7', 'worst 8-15',
                                                'met'))
    for disk in disks:
        for w in a.workloads or (HDD if disk == 'hdd' else SSD):
            r = {s: ratio(res[(disk, w, s, 'k')], res[(disk, w, s, 'd')])
                 for s in seeds}
            print('%-4s %-11s %-19s %-19s %-19s %s' % (
                disk, w, worst([r.get(4)]),
                worst([r[s] for s in seeds if s <= 7]),
                worst([r[s] for s in seeds if s >= 8]),
                met([r[s] for s in seeds])))
            if a.per_seed:
                for s in seeds:
                    print('     seed %2d %s' % (s, worst([r[s]])))


if __name__ == '__main__':
    main()
