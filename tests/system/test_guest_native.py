"""The test guest without Keel: on plain QEMU (TCG, no Keel, no test
device) `scenario=all` runs to the end as docs/hypercalls.md ("Running it
without Keel") says: every check reports, the Keel-specific ones fail, and
the guest exits through port 0xF4 with status 1 (QEMU status 3)."""
import os
import re

from conftest import GUEST_ELF, run_qemu


def test_guest_runs_to_the_end_natively():
    assert os.path.exists(GUEST_ELF), "run make first"
    run = run_qemu("guest-native", None, timeout=120,
                   extra=["-kernel", GUEST_ELF, "-append", "scenario=all"])
    assert not run.timed_out, run.serial[-2000:]
    assert "keel-guest: keel not detected" in run.lines
    results = [l for l in run.lines if re.match(r"TEST guest\.\S+ (PASS|FAIL)", l)]
    passed = sum(" PASS" in l for l in results)
    # The checks after the test-device FIFO ones ran (string I/O under the
    # guest's paging, then the last group, the UART's).
    for name in ("io_ins_paged", "io_outs_unmapped_page_pf", "uart_loopback_order"):
        assert any(l.startswith("TEST guest.%s " % name) for l in results), name
    assert any(l.startswith("TEST guest.boot_magic PASS") for l in results)
    assert any(l.startswith("TEST guest.io_id FAIL") for l in results)
    assert "TESTS: %d passed, %d failed" % (passed, len(results) - passed) in run.lines
    assert run.status == 3
