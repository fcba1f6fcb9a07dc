"""QEMU's pc-testdev under Keel (vdev/pc_testdev.c): the test guest's
scenario=pc-testdev uses it as kvm-unit-tests does (the data register, the
IORAM window under several instruction forms, an IRQ line routed through
the IOAPIC, flush page before touching the IDT, the stack, data and code).
The same guest under QEMU with -device pc-testdev shows the checks ask
what QEMU's own device answers; with pc_testdev=off the ports read all
ones and the window is a hole that stops the guest."""
import re

from conftest import GUEST_ELF, build_iso, run_bochs, run_qemu

CHECKS = ("pctd_data_dword", "pctd_data_bytes", "pctd_data_unaligned_refused",
          "pctd_data_byte_port",
          "pctd_ioram_mov", "pctd_ioram_end", "pctd_ioram_movs",
          "pctd_ioram_stos", "pctd_ioram_string_io", "pctd_ioram_xchg", "pctd_ioram_cmpxchg",
          "pctd_ioram_rmw", "pctd_irq_edge", "pctd_irq_high_again_no_edge",
          "pctd_irq_second_edge", "pctd_irq_reprogrammed_vector",
          "pctd_irq_masked", "pctd_flush_soft_int", "pctd_flush_hw_irq",
          "pctd_flush_data", "pctd_flush_code", "pctd_flush_not_ram",
          "pctd_flush_idt_nmi", "pctd_flush_nmi_iret")


def results(run, prefix=""):
    return {m.group(1): m.group(2) for m in
            run.findall(r"^%sTEST guest\.(pctd_\w+) (PASS|FAIL)" % re.escape(prefix))}


def keel_run(name, keel_cmd):
    iso = build_iso(name, keel_cmd + " on_guest_exit=poweroff", GUEST_ELF,
                    "scenario=pc-testdev")
    return run_bochs(name, iso, timeout=240, until=r"keel: power off")


def test_checks_match_qemus_device(keel_built):
    run = run_qemu("pctd-qemu", None, mem=128, timeout=60,
                   extra=["-kernel", GUEST_ELF, "-append", "scenario=pc-testdev",
                          "-device", "pc-testdev"])
    assert not run.timed_out, run
    r = results(run)
    assert set(r) == set(CHECKS), run
    # QEMU's IOAPIC model delivers an edge-triggered pin on every write of
    # 1; a real IOAPIC, and Keel, only when the line goes from 0 to 1.
    assert r.pop("pctd_irq_high_again_no_edge") == "FAIL", run
    assert all(v == "PASS" for v in r.values()), r


def test_pc_testdev_under_keel(keel_built):
    run = keel_run("pctd-keel", "")
    r = results(run, "guest| ")
    assert set(r) == set(CHECKS), run
    assert all(v == "PASS" for v in r.values()), r
    # Each flush of RAM really left the EPT: the guest's next touch of
    # the page exited and Keel mapped it back (the IDT twice, the stack,
    # data twice, code, the IDT for an NMI, the NMI handler's IRET stack);
    # the three flushes
    # of non-RAM were refused.
    m = run.find(r"^keel: guest: pc-testdev: (\d+) pages flushed, (\d+) mapped back on the guest's touch$")
    assert m and int(m.group(1)) == 8 and int(m.group(2)) == 8, run
    assert run.has(r"^keel: guest: pc-testdev: flush of GPA 0xfee00000 refused \(not guest RAM\)$"), run
    assert run.has(r"^keel: guest: pc-testdev: flush of GPA 0xff000800 refused \(not guest RAM\)$"), run
    # The masked pin: Keel reads the guest's redirection entry and drops it.
    assert run.has(r"^keel: guest: GSI 13 not delivered: the guest masked its IOAPIC pin"), run
    assert run.has(r"^keel: guest exited with status 0$"), run


def test_pc_testdev_off_is_absent(keel_built):
    run = keel_run("pctd-off", "pc_testdev=off")
    assert run.has(r"^guest\| keel-guest: pc-testdev absent: port 0xe0 reads 0xffffffff, port 0x200d reads 0xff$"), run
    assert run.has(r"^keel: guest stopped: EPT violation: read of GPA 0xff000000 outside guest RAM and every device"), run
    assert not run.has(r"pc-testdev: \d+ pages flushed"), run
