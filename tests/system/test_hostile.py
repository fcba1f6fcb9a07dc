"""A hostile guest in Bochs (corei7_skylake_x): each scenario attacks one
part of Keel's boundary (docs/vmx.md, "What the guest may reach"). Every
test checks that the guest got the documented answer, that Keel kept
running after the guest ended (its exit line, exit statistics and its own
power-off follow), and that the machine neither reset (Keel started once)
nor powered off under the guest."""
import pytest

from conftest import GUEST_ELF, build_iso, run_bochs

KEEL_CMD = "on_guest_exit=poweroff"
# Anchored: a guest line that merely contains Keel's words must not end
# the run early.
UNTIL = r"(?m)^keel: power off"


def hostile_run(name, scenario, timeout=240):
    iso = build_iso(name, KEEL_CMD, GUEST_ELF, "scenario=%s" % scenario)
    return run_bochs(name, iso, timeout=timeout, until=UNTIL)


def assert_keel_survived(run, status):
    """Keel booted once, reported the guest's end, printed its statistics
    and then powered off by itself with the guest's status."""
    starts = run.findall(r"^keel: Keel hypervisor \S+ starting$")
    assert len(starts) == 1, run
    assert run.has(r"^keel: exit statistics:$"), run
    assert run.has(r"^keel: power off \(status %d\)$" % status), run


def guest_passes(run, name):
    return run.has(r"^guest\| TEST guest\.%s PASS" % name)


@pytest.fixture(scope="module")
def ports_run(keel_built):
    return hostile_run("hostile-ports", "hostile-ports")


def test_unassigned_ports_are_absent(ports_run):
    for name in ("ports_unassigned_absent", "ports_absent_widths",
                 "ports_absent_write_dropped"):
        assert guest_passes(ports_run, name), (name, ports_run)
    # Keel says what it denied, a bounded number of times.
    logged = ports_run.findall(r"^keel: guest: \d-byte (read|write) of port "
                               r"0x[0-9a-f]+: no device \(absent\)")
    assert 1 <= len(logged) <= 8, ports_run


def test_legacy_timer_passes_through(ports_run):
    assert guest_passes(ports_run, "ports_pit_passes"), ports_run
    assert ports_run.has(r"^keel: guest exited with status 0$"), ports_run
    assert_keel_survived(ports_run, 0)


def test_console_cannot_be_forged(keel_built):
    run = hostile_run("hostile-console", "hostile-console")
    # The only line in Keel's form saying how the guest ended is Keel's.
    ends = run.findall(r"^keel: guest (exited|stopped).*")
    assert [m.group(0) for m in ends] == ["keel: guest exited with status 7"], run
    # What the guest printed is there, framed, with escapes shown escaped.
    assert run.has(r"^guest\| keel: guest exited with status 0$"), run
    assert run.has(r"^guest\| keel: guest exited with status 0 \(hypercall\)$"), run
    assert run.has(r"^guest\| keel: power off \(status 0\)$"), run
    assert run.has(r"^guest\| \\x1b\[2J\\x1b\[Hkeel: screen cleared\\x07$"), run
    assert not any("\x1b" in l or "\x07" in l for l in run.lines), run
    # A partial line is completed before Keel's next line, never merged.
    i = run.lines.index("guest| no newline at the end, then Keel's line")
    assert run.lines[i + 1] == "keel: guest exited with status 7", run
    assert_keel_survived(run, 7)


def test_nmis_reach_the_guest_exactly_once(keel_built):
    run = hostile_run("hostile-nmi", "hostile-nmi", timeout=300)
    assert guest_passes(run, "nmi_self_exactly_once"), run
    assert guest_passes(run, "nmi_flood_delivered"), run
    # Single-stepped CPUIDs under the flood each still trap once: an NMI
    # waits for the #DB Keel made pending (vmx/event.h).
    assert guest_passes(run, "nmi_flood_single_step"), run
    # Keel logs NMIs as a count, not a line each.
    assert len(run.findall(r"NMI in root mode")) <= 4, run
    assert run.has(r"^keel: guest: \d+ NMIs injected, \d+ of them taken "
                   r"while Keel ran$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert_keel_survived(run, 0)


@pytest.mark.parametrize("path,line", [
    ("kbc", r"keyboard controller command 0xfe"),
    ("port92", r"port 0x92 fast reset"),
    # A 16-bit write whose high byte lands on 0xCF9.
    ("cf9-word", r"port 0xcf9 = 0x6"),
])
def test_reset_paths_end_only_the_guest(keel_built, path, line):
    run = hostile_run("hostile-reset-" + path, "reset-" + path)
    assert run.has(r"^guest\| keel-guest: trying to %s the machine$" % path), run
    assert run.has(r"^keel: guest stopped: the guest asked for a reset "
                   r"\(%s\)$" % line), run
    assert not run.has(r"hostile_reset_ignored"), run
    assert_keel_survived(run, 255)


def test_reset_restarts_only_the_guest_when_asked(keel_built):
    # on_guest_reset=restart: each reset starts the guest afresh; one that
    # resets every time is stopped after 8 restarts. The machine never
    # resets: Keel starts once.
    iso = build_iso("hostile-reset-restart",
                    KEEL_CMD + " on_guest_reset=restart", GUEST_ELF,
                    "scenario=reset-kbc")
    run = run_bochs("hostile-reset-restart", iso, timeout=300, until=UNTIL)
    starts = run.findall(r"^guest\| keel-guest: trying to kbc the machine$")
    assert len(starts) == 9, run
    # Each start dirties what no VMCS field holds (a SYSCALL MSR,
    # KERNEL_GS_BASE, DR0, XMM0, XCR0); every start finds it as at
    # power-on (vmx/cpu_reset.c), not as the last one left it.
    states = run.findall(r"^guest\| keel-guest: state at start: (.*)$")
    assert len(states) == 9, run
    for s in states:
        assert s.group(1) in ("lstar 0 kernel_gs 0 dr0 0 xmm0 0 xcr0 1",
                              "lstar 0 kernel_gs 0 dr0 0 xmm0 0 xcr0 0"), run
    # So do the guest's own MISC_ENABLE, MCA banks and MTRRs: as Keel
    # made them from Bochs's (MISC_ENABLE 0: BTS and PEBS unavailable
    # shown, the MONITOR FSM off as CPUID hides MONITOR; MTRR 0 is the
    # BIOS's UC range at 3 GiB), not as
    # the last start changed them.
    msrs = run.findall(r"^guest\| keel-guest: msrs at start: (.*)$")
    assert len(msrs) == 9, run
    for m in msrs:
        assert m.group(1) == "misc_enable 1800 mc0_addr 0 mtrr_base0 c0000000", run
    restarts = run.findall(r"^keel: guest: restarting it after its reset "
                           r"\(on_guest_reset=restart, (\d) of 8\)$")
    assert [int(m.group(1)) for m in restarts] == list(range(1, 9)), run
    assert run.has(r"^keel: guest: not restarted: it reset 9 times in a row$"), run
    assert_keel_survived(run, 255)


def test_acpi_poweroff_ends_only_the_guest(keel_built):
    run = hostile_run("hostile-acpi-off", "reset-acpi-off")
    assert run.has(r"^keel: guest: powered itself off \(ACPI PM1a_CNT\)$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert not run.has(r"hostile_reset_ignored"), run
    assert_keel_survived(run, 0)


def test_acpi_sleep_other_than_s5_stops_the_guest(keel_built):
    # Keel's DSDT defines only \_S5: a request for another sleep type (an
    # S3 test's) is not a power-off with status 0, which a resume test
    # would read as a wake-up, but a stop that says why.
    run = hostile_run("hostile-acpi-s3", "reset-acpi-s3")
    assert run.has(r"^keel: guest stopped: the guest asked for sleep type 1 "
                   r"on ACPI PM1a_CNT; only 0 \(\\_S5, power-off\) is "
                   r"defined: sleep states are not supported$"), run
    assert not run.has(r"powered itself off"), run
    assert not run.has(r"hostile_reset_ignored"), run
    assert_keel_survived(run, 255)


@pytest.mark.parametrize("width,status", [("1", 0x5a), ("2", 0x1234),
                                          ("4", 0x21)])
def test_debug_exit_port_takes_every_width(keel_built, width, status):
    run = hostile_run("exit-width-" + width, "exit-" + width)
    assert run.has(r"^keel: guest exited with status %d$" % status), run
    assert not run.has(r"exit_width"), run
    assert_keel_survived(run, status)


@pytest.mark.parametrize("cpus", [2, 4])
def test_other_cpus_cannot_be_started(keel_built, cpus):
    """On a machine of two or four CPUs the guest, which owns the LAPIC,
    sends NMIs, INIT and start-up IPIs to every CPU but its own. None of it
    may reach a CPU outside Keel's control: the machine must not reset, and
    every parked CPU must still be Keel's afterwards (each counts the ten
    NMIs it took, five of them after the INITs)."""
    others = cpus - 1
    iso = build_iso("hostile-cpus", KEEL_CMD, GUEST_ELF,
                    "scenario=hostile-cpus")
    run = run_bochs("hostile-cpus-%d" % cpus, iso, timeout=240, until=UNTIL,
                    cpus=cpus)
    plural = "" if others == 1 else "s"
    assert run.has(r"^keel: cpus: %d other CPU%s parked in VMX root"
                   % (others, plural)), run
    assert guest_passes(run, "hostile_cpus_still_running"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert run.has(r"^keel: cpus: %d parked CPU%s took %d NMIs$"
                   % (others, plural, 10 * others)), run
    assert_keel_survived(run, 0)


def test_unparked_cpus_fail_closed(keel_built):
    """park_cpus=off leaves the other CPU as the firmware left it: the guest
    could start it, so Keel does not start the guest, and says why."""
    iso = build_iso("unparked", KEEL_CMD + " park_cpus=off", GUEST_ELF,
                    "scenario=pci")
    run = run_bochs("unparked", iso, timeout=240, until=UNTIL, cpus=2)
    assert run.has(r"^keel: cpus: 1 other CPU left as the firmware left it "
                   r"\(park_cpus=off\)$"), run
    assert run.has(r"^keel: guest: not started: 1 other CPU is not parked in "
                   r"VMX root, so the guest could start it outside Keel "
                   r"\(unparked_cpus would allow it\)$"), run
    assert not run.has(r"^guest\|"), run


def test_unparked_cpus_allowed(keel_built):
    """unparked_cpus accepts it: the guest runs, with a warning."""
    iso = build_iso("unparked-ok", KEEL_CMD + " park_cpus=off unparked_cpus",
                    GUEST_ELF, "scenario=pci")
    run = run_bochs("unparked-ok", iso, timeout=240, until=UNTIL, cpus=2)
    assert run.has(r"^keel: guest: 1 other CPU is not parked in VMX root: "
                   r"the guest can start it outside Keel \(unparked_cpus\)$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run
    assert_keel_survived(run, 0)


def test_parked_cpu_released_for_a_reboot(keel_built):
    """Before Keel reboots, the parked CPU leaves VMX root (an NMI asks it
    to), so a reset that works by INIT reaches it: it reports the state
    it reached after VMXOFF. (What follows is Bochs's: with two CPUs its
    BIOS panics with "Keyboard error:21" after any reset, parked or not.)"""
    iso = build_iso("park-reboot", "reboot")
    run = run_bochs("park-reboot", iso, timeout=120, cpus=2,
                    until=r"keel: cpus: \d+ of \d+ parked CPU")
    assert run.has(r"^keel: cpus: 1 other CPU parked in VMX root"), run
    assert run.has(r"^keel: reboot$"), run
    assert run.has(r"^keel: cpus: 1 of 1 parked CPU left VMX root for the "
                   r"reset$"), run
