"""An exception on purpose (crash=) prints the full dump and halts cleanly."""
import pytest

from conftest import build_iso, run_qemu

CASES = [
    ("ud", r"#UD invalid opcode \(vector 6\) error code 0$", 6),
    ("pf", r"#PF page fault \(vector 14\) error code 0x2", 14),
    ("gp", r"#GP general protection \(vector 13\)", 13),
    ("de", r"#DE divide error \(vector 0\)", 0),
]


@pytest.mark.parametrize("kind,headline,vector", CASES, ids=[c[0] for c in CASES])
def test_exception_dump(keel_built, kind, headline, vector):
    iso = build_iso("crash-" + kind, "crash=%s poweroff" % kind)
    run = run_qemu("crash-" + kind, iso, timeout=60,
                   until=r"keel: halted after an unexpected exception")
    assert run.has(r"keel: crash test: triggering '%s' on purpose" % kind), run
    assert run.has(r"keel: EXCEPTION " + headline), run
    for reg in ("RIP", "RSP", "RFLAGS", "RAX", "RBX", "RCX", "RDX", "RSI",
                "RDI", "RBP", "R8 ", "R15", "CR0", "CR2", "CR3", "CR4", "EFER"):
        assert run.has(r"keel: .*\b%s\s*[0-9a-f]{16}" % reg.strip()), reg
    # Long mode with paging: CR0.PG and CR0.PE, EFER.LMA.
    cr0 = int(run.find(r"CR0 ([0-9a-f]{16})").group(1), 16)
    assert cr0 & (1 << 31) and cr0 & 1
    efer = int(run.find(r"EFER ([0-9a-f]{16})").group(1), 16)
    assert efer & (1 << 10)
    if kind == "pf":
        cr2 = int(run.find(r"CR2 ([0-9a-f]{16})").group(1), 16)
        assert cr2 == 0x00007f0000000000
    # The backtrace names at least one return address inside Keel's image
    # (linked at 16 MiB).
    frames = run.findall(r"keel:\s+#(\d+) ([0-9a-f]{16})$")
    assert frames, run
    assert any(0x1000000 <= int(m.group(2), 16) < 0x2000000 for m in frames)
    assert run.has(r"keel: halted after an unexpected exception"), run
    # It halted: it never went on to power off.
    assert not run.has(r"keel: power off"), run


# Keel's own protections (arch/x86/paging.c): each of these must fault.
# KEEL_TEXT/KEEL_DATA bound Keel's image (linked at 16 MiB); the error code
# bits are P (0), W/R (1) and I/D (4), SDM Vol.3A 4.7.
PROTECTIONS = [
    ("null", 14, lambda cr2: cr2 == 0, 0x0),
    ("wtext", 14, lambda cr2: 0x1000000 <= cr2 < 0x1100000, 0x3),
    ("xdata", 14, lambda cr2: 0x1000000 <= cr2 < 0x1100000, 0x11),
    # The overflow faults on the guard page; the #PF cannot be pushed on
    # the same stack, so it becomes a #DF on its own IST stack.
    ("stack", 8, lambda cr2: 0x1000000 <= cr2 < 0x1100000, 0x0),
]


@pytest.mark.parametrize("kind,vector,cr2_ok,error", PROTECTIONS,
                         ids=[c[0] for c in PROTECTIONS])
def test_keel_protects_itself(keel_built, kind, vector, cr2_ok, error):
    iso = build_iso("protect-" + kind, "crash=%s poweroff" % kind)
    run = run_qemu("protect-" + kind, iso, timeout=60,
                   until=r"keel: halted after an unexpected exception")
    assert run.has(r"^keel: paging: text read-only, data no-execute, "
                   r"stack guard pages unmapped$"), run
    assert run.has(r"keel: crash test: triggering '%s' on purpose" % kind), run
    m = run.find(r"keel: EXCEPTION .* \(vector (\d+)\) error code (\S+)$")
    assert m and int(m.group(1)) == vector, run
    assert int(m.group(2), 16) == error, run
    cr2 = int(run.find(r"CR2 ([0-9a-f]{16})").group(1), 16)
    assert cr2_ok(cr2), hex(cr2)
    assert not run.has(r"did not fault"), run
    assert not run.has(r"keel: power off"), run


def test_reboot_action(keel_built):
    iso = build_iso("reboot", "reboot")
    run = run_qemu("reboot", iso, timeout=60)
    assert run.has(r"keel: reboot"), run
    # -no-reboot turns the reset into an exit with status 0.
    assert not run.timed_out and run.status == 0, run
    assert not run.has(r"EXCEPTION"), run


def test_console_option_moves_output_to_com2(keel_built):
    iso = build_iso("com2", "console=com2,57600 poweroff")
    run = run_qemu("com2", iso, timeout=60, serial_ports=2)
    assert run.status == 1, run
    com2 = run.extra_serial[0]
    # Nothing is printed before the option is read: the banner follows it
    # too, and COM1 gets nothing from Keel (docs/console-fb.md).
    assert "keel: Keel hypervisor" in com2
    assert "keel: boot complete" in com2
    assert "keel:" not in run.serial
