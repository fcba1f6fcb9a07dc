"""The command line is checked at boot, on any machine (here QEMU TCG, which
has no VT-x): each mistake is one line right after the `keel: cmdline:`
line, with a suggestion for a near-miss key; rounding is reported; a long
command line is echoed cut with a marker and never runs into the next
line; and a mistake fails a `poweroff` run."""
import re

import pytest

from conftest import GUEST_ELF, build_iso, run_qemu

BAD = ("poweof test=bogus on_guest_exit=bogus guest_mem=abc sched= "
       "guest_mem=5M poweroff")


def after_cmdline(run):
    """The lines between `keel: cmdline:` and `keel: firmware:`."""
    lines = run.keel_lines()
    start = next(i for i, l in enumerate(lines) if l.startswith("keel: cmdline: "))
    end = next(i for i, l in enumerate(lines) if l.startswith("keel: firmware: "))
    return lines[start], lines[start + 1:end]


@pytest.fixture(scope="module")
def bad_run(keel_built):
    iso = build_iso("opt-bad", BAD, GUEST_ELF, "scenario=all")
    return run_qemu("opt-bad", iso, timeout=60)


def test_each_mistake_one_line_after_cmdline(bad_run):
    run = bad_run
    cmdline, lines = after_cmdline(run)
    assert cmdline == "keel: cmdline: " + BAD, run
    assert lines == [
        "keel: unknown option 'poweof' ignored; did you mean 'poweroff'?",
        "keel: test=bogus ignored: unknown value 'bogus'; use " + lines[1].split("; use ")[1],
        "keel: on_guest_exit=bogus ignored: unknown value 'bogus'; use halt or poweroff",
        "keel: guest_mem=abc ignored: not a number; use 4M..3G, with a K, M or G suffix",
        "keel: sched= ignored: needs a value; use " + lines[4].split("; use ")[1],
        "keel: guest_mem=5M: rounded up to 6M (a multiple of 2M)",
    ], run


def test_test_names_come_from_the_registry(bad_run):
    _, lines = after_cmdline(bad_run)
    names = re.split(r", | or ", lines[1].split("; use ")[1])
    assert sorted(names) == ["ahci", "ahci-error", "ata", "kbd", "vtd"], lines[1]


def test_sched_names_come_from_the_block_layer(bad_run):
    _, lines = after_cmdline(bad_run)
    names = re.split(r", | or ", lines[4].split("; use ")[1])
    assert {"none", "deadline"} <= set(names), lines[4]


def test_bad_options_keep_defaults_and_fail_the_run(bad_run):
    run = bad_run
    # The bad values were ignored: no guest (no VT-x), the default action
    # (halt) would follow, but poweroff ends the run with the error count.
    assert run.has(r"^keel: vmx: VT-x not available"), run
    assert run.has(r"^keel: guest: not started: VT-x is not available$"), run
    assert run.has(r"^keel: boot complete$"), run
    assert run.has(r"^keel: power off \(status 5\)$"), run
    # 5 errors: isa-debug-exit makes QEMU exit with (5 << 1) | 1.
    assert run.status == 11, run


def test_long_cmdline_is_cut_with_a_marker(keel_built):
    word = "x" * 600
    cmd = "poweroff " + word
    iso = build_iso("opt-long", cmd)
    run = run_qemu("opt-long", iso, timeout=60)
    cmdline, lines = after_cmdline(run)
    shown = 400
    more = len(cmd) - shown
    assert cmdline == "keel: cmdline: %s ... [%d more bytes not shown]" % (
        cmd[:shown], more), run
    assert lines == ["keel: unknown option '%s...' ignored" % word[:48]], run
    assert run.has(r"^keel: power off \(status 1\)$"), run


def test_clean_cmdline_prints_nothing_extra(keel_built):
    iso = build_iso("opt-clean", "loglevel=6 guest_mem=64M sched=none poweroff")
    run = run_qemu("opt-clean", iso, timeout=60)
    _, lines = after_cmdline(run)
    assert lines == [], run
    assert run.has(r"^keel: power off \(status 0\)$"), run
