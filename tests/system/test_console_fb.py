"""console= back ends on QEMU q35: Keel's log on the framebuffer under
SeaBIOS and OVMF, read back from a screendump with Keel's own font, and
console=none, which must leave the serial port alone."""
import os
import re
import subprocess
import time

import pytest

from conftest import LOGS, OVMF, ROOT, build_iso, _read, _stop
from fbscreen import Monitor, decode, expected_screen, load_font

HALT = "keel: nothing left to do; halting"
HALT_LINE = HALT + " (add 'poweroff' to power off)"
BANNER = "keel: Keel hypervisor"
# Keel's multiboot2 header asks for 1024x768x32: 128x48 cells of 8x16.
COLS, ROWS = 128, 48


def boot_fb(name, cmdline, firmware, serial=True, timeout=120, extra=()):
    """Boot Keel, wait for its last line, return (screen rows, serial log).
    Without a serial port, the screen itself is polled for the last line."""
    os.makedirs(LOGS, exist_ok=True)
    iso = build_iso(name, cmdline)
    log = os.path.join(LOGS, name + ".log")
    mon = os.path.join(LOGS, name + ".mon")
    ppm = os.path.join(LOGS, name + ".ppm")
    for p in (log, mon):
        if os.path.exists(p):
            os.remove(p)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", "512",
           "-display", "none", "-no-reboot",
           "-monitor", "unix:%s,server,nowait" % mon,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", ("file:" + log) if serial else "none",
           "-cdrom", iso] + list(extra)
    if firmware == "uefi":
        cmd += ["-bios", OVMF]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    glyphs = load_font()
    screen = None
    try:
        m = Monitor(mon)
        deadline = time.time() + timeout
        while time.time() < deadline and proc.poll() is None:
            time.sleep(1)
            if serial and HALT not in _read(log):
                continue
            screen = decode(m.screendump(ppm), glyphs)
            # Keel's last line, drawn whole: nothing changes after it.
            if HALT_LINE in screen:
                break
        m.close()
    finally:
        _stop(proc)
    assert screen is not None, "no screendump taken (QEMU status %s)" % proc.returncode
    return screen, _read(log)


def keel_text(serial):
    """Keel's own output on the serial port: from its banner line on."""
    at = serial.rindex(BANNER)
    return "\n" + serial[at:].replace("\r\n", "\n")


def show(screen):
    return "\n".join("%2d|%s" % (i, r) for i, r in enumerate(screen))


# QEMU's stdvga (a PCI function whose BAR0 holds the framebuffer) under
# both firmwares, and under OVMF ramfb: a framebuffer in memory the firmware
# took from RAM, behind no PCI function.
FB_SETUPS = {
    "bios": ("bios", (), "keel: console: fb: PCI 00:01.0 BAR0 holds the "
             "framebuffer; kept from the guest"),
    "uefi": ("uefi", (), "keel: console: fb: PCI 00:01.0 BAR0 holds the "
             "framebuffer; kept from the guest"),
    "uefi-ramfb": ("uefi", ("-vga", "none", "-device", "ramfb"),
                   "keel: console: fb: the framebuffer lies in no PCI BAR"),
}


@pytest.mark.parametrize("setup", sorted(FB_SETUPS))
def test_fb_shows_the_serial_log(keel_built, setup):
    """console=serial,fb: the screen shows exactly the last 48 rows of what
    went to the serial port, wrapped at 128 columns and scrolled."""
    firmware, extra, owner = FB_SETUPS[setup]
    screen, serial = boot_fb("fb-serial-" + setup, "console=serial,fb",
                             firmware, extra=extra)
    assert HALT_LINE in serial
    assert re.search(r"keel: console: fb: 1024x768, 32 bpp at 0x[0-9a-f]+ "
                     r"\(128x48 text\), uncached", serial), serial
    assert owner in serial
    want = expected_screen(keel_text(serial), COLS, ROWS)
    # More than a screenful was printed: the screen has scrolled.
    assert len(keel_text(serial).split("\n")) > ROWS
    assert screen == want, "screen:\n%s\nexpected:\n%s" % (show(screen), show(want))


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_fb_alone_without_serial_port(keel_built, firmware):
    """console=fb on a machine with no serial port at all: the log is on
    screen, every cell a glyph of Keel's font."""
    screen, _ = boot_fb("fb-only-" + firmware, "console=fb", firmware,
                        serial=False)
    text = [r for r in screen if r]
    assert text[-1] == HALT_LINE, show(screen)
    assert "keel: boot complete" in text[-4:], show(screen)
    assert "keel: console: fb: PCI 00:01.0 BAR0 holds the framebuffer; " \
        "kept from the guest" in text, show(screen)
    assert all("\x00" not in r for r in screen), show(screen)
    # A full screen of Keel's lines (long ones wrap onto a second row).
    assert sum(r.startswith("keel: ") for r in screen) >= ROWS - 10, show(screen)


def serial_trace(name, cmdline):
    """Boot under SeaBIOS with QEMU's serial trace events on; return the
    run's status, its COM1 log and the traced UART accesses."""
    os.makedirs(LOGS, exist_ok=True)
    iso = build_iso(name, cmdline)
    log = os.path.join(LOGS, name + ".log")
    if os.path.exists(log):
        os.remove(log)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", "512",
           "-display", "none", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", "file:" + log, "-trace", "serial_*", "-cdrom", iso]
    proc = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=120)
    trace = proc.stderr.decode("latin-1")
    with open(os.path.join(LOGS, name + ".trace"), "w") as f:
        f.write(trace)
    accesses = re.findall(r"serial_(read|write) \w+ addr 0x([0-9a-f]+)", trace)
    return proc.returncode, _read(log), accesses


# UART registers Keel's driver programs or polls (PC16550D): LCR, LSR, THR.
UART_THR, UART_LCR, UART_LSR = 0, 3, 5


def keel_touched_uart(accesses):
    """Did anything besides SeaBIOS's probe (IER and IIR only) touch COM1?"""
    return any(int(reg, 16) in (UART_THR, UART_LCR, UART_LSR)
               for _, reg in accesses)


def test_console_none_touches_no_serial_port(keel_built):
    """console=none: not one byte on COM1 and no access to the UART beyond
    the firmware's probe, yet isa-debug-exit still reports the result (one
    command-line error: status 1, (1 << 1) | 1 = 3)."""
    status, serial, accesses = serial_trace(
        "console-none", "console=none poweroff bogus_option")
    assert status == 3, (status, serial)
    assert serial == "", serial
    assert not keel_touched_uart(accesses), accesses
    # The check can fail: the same boot with the serial console does.
    status, serial, accesses = serial_trace("console-serial-traced",
                                            "console=serial poweroff")
    assert status == 1, (status, serial)
    assert "keel: boot complete" in serial
    assert keel_touched_uart(accesses)


def test_fb_refused_says_why_on_serial(keel_built):
    """With no display device GRUB hands over no RGB framebuffer: the fb
    back end refuses in one line on the serial console, and boot goes on."""
    from conftest import run_qemu
    iso = build_iso("fb-refused", "console=serial,fb poweroff")
    run = run_qemu("fb-refused", iso, extra=["-vga", "none"], timeout=60)
    refusals = run.findall(r"keel: console: fb refused: (.+)")
    assert len(refusals) == 1, run.serial
    assert re.search(r"framebuffer|not direct RGB", refusals[0].group(1))
    assert run.has(r"keel: boot complete"), run.serial
    assert run.status == 1, run


def test_console_none_under_ovmf(keel_built):
    """console=none under OVMF: the firmware and GRUB write to COM1 before
    Keel runs, but nothing of Keel's follows; the status still arrives."""
    from conftest import run_qemu
    iso = build_iso("console-none-uefi", "console=none poweroff bogus_option")
    run = run_qemu("console-none-uefi", iso, firmware="uefi", timeout=90)
    assert run.status == 3, run
    assert "keel:" not in run.serial, run.serial[-2000:]
    assert run.serial.rstrip().endswith("Booting `Keel'"), run.serial[-300:]


# QEMU monitor key names for Ctrl-A then "Keel ok-1!" and Enter.
KBD_KEYS = ["ctrl-a", "shift-k", "e", "e", "l", "spc", "o", "k", "minus",
            "1", "shift-1", "ret"]


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_ps2_keyboard_input(keel_built, firmware):
    """test=kbd: keys typed on QEMU's PS/2 keyboard (monitor sendkey) reach
    Keel through the i8042, Ctrl-A and shifted keys included."""
    name = "kbd-" + firmware
    os.makedirs(LOGS, exist_ok=True)
    iso = build_iso(name, "console=serial,fb test=kbd poweroff")
    log = os.path.join(LOGS, name + ".log")
    mon = os.path.join(LOGS, name + ".mon")
    for p in (log, mon):
        if os.path.exists(p):
            os.remove(p)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", "512",
           "-display", "none", "-no-reboot",
           "-monitor", "unix:%s,server,nowait" % mon,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", "file:" + log, "-cdrom", iso]
    if firmware == "uefi":
        cmd += ["-bios", OVMF]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        m = Monitor(mon)
        deadline = time.time() + 120
        while "keel: kbd: ready" not in _read(log) and time.time() < deadline:
            time.sleep(0.5)
        assert "keel: kbd: ready" in _read(log), _read(log)[-2000:]
        for key in KBD_KEYS:
            m.command("sendkey " + key)
            time.sleep(0.2)
        m.close()
        proc.wait(timeout=90)
    finally:
        _stop(proc)
    serial = _read(log)
    assert "TEST kbd.typed PASS [^AKeel ok-1!]" in serial, serial[-2000:]
    assert proc.returncode == 1, proc.returncode


def keys_for(text):
    """QEMU monitor key names that type @text (lower case, digits, space)."""
    return ["spc" if c == " " else c for c in text]


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_shell_reads_the_ps2_keyboard(keel_built, firmware):
    """console=serial,fb shell=on on QEMU (no VT-x, no guest): lines typed on
    the PS/2 keyboard run in Keel's shell, whose replies come out on the
    serial log; Ctrl-A x3 from the keyboard reaches the switch detector."""
    name = "kbd-shell-" + firmware
    os.makedirs(LOGS, exist_ok=True)
    iso = build_iso(name, "console=serial,fb shell=on")
    log = os.path.join(LOGS, name + ".log")
    mon = os.path.join(LOGS, name + ".mon")
    for p in (log, mon):
        if os.path.exists(p):
            os.remove(p)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", "512",
           "-display", "none", "-no-reboot",
           "-monitor", "unix:%s,server,nowait" % mon,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", "file:" + log, "-cdrom", iso]
    if firmware == "uefi":
        cmd += ["-bios", OVMF]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(text, start, timeout=60):
        deadline = time.time() + timeout
        while text not in _read(log)[start:] and time.time() < deadline:
            time.sleep(0.3)
        return text in _read(log)[start:]

    def typed(keys):
        for key in keys:
            m.command("sendkey " + key)
            time.sleep(0.2)

    try:
        m = Monitor(mon)
        assert wait("keel: serving the shell (shell=on)", 0, 120), _read(log)[-2000:]
        mark = len(_read(log))
        typed(keys_for("help") + ["ret"])
        assert wait("  exits [reset]", mark), _read(log)[mark:]
        mark = len(_read(log))
        typed(keys_for("vm") + ["ret"])
        assert wait("vm: no guest: this CPU has no VMX", mark), _read(log)[mark:]
        mark = len(_read(log))
        typed(["ctrl-a"] * 3)
        assert wait("keel: no guest to switch to", mark), _read(log)[mark:]
        typed(keys_for("poweroff") + ["ret"])
        assert wait("keel: power off (status 0)", mark), _read(log)[mark:]
        m.close()
        proc.wait(timeout=30)
    finally:
        _stop(proc)
    # isa-debug-exit: status 0 -> exit code 1.
    assert proc.returncode == 1, proc.returncode
