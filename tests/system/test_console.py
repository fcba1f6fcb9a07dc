"""Keel's serial console driven as a person would (docs/console.md): the
emulator's COM1 is a TCP socket on loopback, the test types into it and
reads what comes back. In Bochs (VT-x) the test guest runs scenario=console
and echoes every line it reads; the test opens the shell with Ctrl-A x3,
reads exits, regs, vmcs, ept, mem, blk and trace, switches the elevator,
goes back to the guest, and checks that the guest got its input whole and
finished normally. In QEMU (no VT-x) the shell runs with no guest
(shell=on) and the guest commands say why there is none.

Every run's serial output is kept in build/test-logs/NAME.log."""
import os
import re
import socket
import struct
import subprocess
import time

import pytest

from conftest import BUILD, GUEST_ELF, LOGS, ROOT, build_iso

CTRL_A3 = b"\x01\x01\x01"
PROMPT = b"keel> "
# Bochs geometry for a 20-cylinder disk, as test_ata.py.
CYLINDERS, HEADS, SPT = 20, 16, 63


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_disk(name, size):
    path = os.path.join(BUILD, "test-disks", name + ".img")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    # Bochs locks an image while it runs; a killed run leaves the lock.
    if os.path.exists(path + ".lock"):
        os.remove(path + ".lock")
    return path


class Console:
    """A person at the serial line: types, and reads what comes back."""

    def __init__(self, name, port, proc, connect_timeout=240):
        self.name = name
        self.buf = b""
        deadline = time.time() + connect_timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                # The emulator listens once it has read its configuration,
                # which takes a while on a loaded machine.
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(0.2)
        self.closed = False

    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end and not self.closed:
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                d = b""
            if not d:
                self.closed = True
                break
            self.buf += d

    def wait_for(self, regex, timeout=120, start=0):
        pat = re.compile(regex.encode() if isinstance(regex, str) else regex,
                         re.M)
        end = time.time() + timeout
        while True:
            m = pat.search(self.buf, start)
            if m or time.time() > end or self.closed:
                return m
            self.pump(0.2)

    def type(self, data):
        self.sock.sendall(data)

    def command(self, line, timeout=120, echo=True):
        """Type a command line; return what it printed (up to the prompt),
        without the guest's lines that came in between."""
        start = len(self.buf)
        self.type(line.encode() + b"\r")
        if echo:
            # The prompt and the whole line, then the end of the line: a
            # guest line may have come while it was echoed (the prompt is
            # then drawn again with what was typed so far).
            m = self.wait_for(re.escape(PROMPT + line.encode()) + b"\r\n", timeout,
                              max(0, start - len(PROMPT) - len(line)))
            assert m, "no echo of %r:\n%s" % (line, self.text(start))
            begin = m.end()
        else:
            m = self.wait_for(b"\r\n", timeout, start)
            assert m, "no end of line after %r:\n%s" % (line, self.text(start))
            begin = m.end()
        while True:
            m = self.wait_for(re.escape(PROMPT), timeout, begin)
            assert m, "no prompt after %r:\n%s" % (line, self.text(start))
            out = self.text(begin, m.start()).replace("\r", "")
            if not echo or not self.guest_broke_echo(out, m.start(), line):
                break
            # The line break matched was the one a guest line put after
            # the typed line; the shell drew the line again below it.
            begin = self.wait_for(re.escape(PROMPT + line.encode()) + b"\r\n",
                                  timeout, m.start()).end()
        return "".join(l for l in out.splitlines(True) if not l.startswith("guest| "))

    def guest_broke_echo(self, out, at, line):
        """True when @out, between an echoed line and the prompt at @at, is
        only guest lines and the prompt at @at redraws @line."""
        if not out or any(not l.startswith("guest| ") for l in out.splitlines()):
            return False
        redraw = re.escape(PROMPT + line.encode()) + b"\r\n"
        m = self.wait_for(redraw, 10, at)
        return bool(m) and m.start() == at

    def text(self, a=0, b=None):
        return self.buf[a:b].decode("latin-1")

    def lines(self):
        return self.text().replace("\r", "").split("\n")

    def save(self):
        os.makedirs(LOGS, exist_ok=True)
        with open(os.path.join(LOGS, self.name + ".log"), "wb") as f:
            f.write(self.buf)

    def close(self):
        self.sock.close()


def guest_image_bytes(addr, n):
    """@n bytes the guest ELF puts at physical @addr (its PT_LOAD)."""
    with open(GUEST_ELF, "rb") as f:
        elf = f.read()
    phoff, = struct.unpack_from("<I", elf, 28)
    phentsize, phnum = struct.unpack_from("<HH", elf, 42)
    for i in range(phnum):
        p_type, off, _vaddr, paddr, filesz = struct.unpack_from(
            "<IIIII", elf, phoff + i * phentsize)
        if p_type == 1 and paddr <= addr and addr + n <= paddr + filesz:
            return elf[off + addr - paddr:off + addr - paddr + n]
    raise AssertionError("no PT_LOAD covers %#x" % addr)


def hexdump_bytes(out):
    data = b""
    for l in out.splitlines():
        m = re.match(r"^  ([0-9a-f]{10}) ((?: [0-9a-f]{2})+)", l)
        if m:
            data += bytes(int(x, 16) for x in m.group(2).split())
    return data


def exit_counts(out):
    counts = {}
    for l in out.splitlines():
        m = re.match(r"^  (\S+)\s+(\d+)\s+(\d+)(?:\s+\d+)?$", l)
        if m:
            counts[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return counts


def histogram_total(out, direction):
    """Sum of one direction's latency bars in `blk` output."""
    total, inside = 0, False
    for l in out.splitlines():
        if re.match(r"^    %s latency:" % direction, l):
            inside = True
            continue
        if inside:
            m = re.match(r"^\s+<?>?=?\d+ us #*\s+(\d+)$", l)
            if not m:
                break
            total += int(m.group(1))
    return total


def guest_sum(line):
    s = 0
    for b in line:
        s = (s * 31 + b) & 0xffffffff
    return s


def start_bochs(name, iso, port, disk, timeout=400):
    os.makedirs(LOGS, exist_ok=True)
    env = dict(os.environ,
               BOCHS_COM1="com1: enabled=1, mode=socket-server, dev=localhost:%d" % port,
               BOCHS_EXTRA="ata0-slave: type=disk, path=%s, mode=flat, "
                           "cylinders=%d, heads=%d, spt=%d" % (disk, CYLINDERS, HEADS, SPT))
    return subprocess.Popen(
        [os.path.join(ROOT, "tools", "bochs-run.sh"), iso,
         os.path.join(LOGS, name + ".bochs-serial.log"), str(timeout)],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True)


def stop(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 2)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def test_bochs_shell_while_the_guest_runs(keel_built):
    disk = fresh_disk("console", CYLINDERS * HEADS * SPT * 512)
    # test=ata does real I/O on sda before the guest starts: blk has
    # something to show.
    iso = build_iso("console-bochs", "test=ata on_guest_exit=poweroff",
                    guest=GUEST_ELF, guest_cmdline="scenario=console")
    port = free_port()
    proc = start_bochs("console-bochs", iso, port, disk)
    try:
        con = Console("console-bochs", port, proc)
    except OSError:
        stop(proc)
        raise
    try:
        assert con.wait_for(r"guest\| keel-guest: console: ready", 240), con.text()
        # A lone Ctrl-A and a pair reach the guest later, with the next byte.
        first_line = b"\x01a\x01\x01b"
        con.type(first_line + b"\r")
        assert con.wait_for(r"console: got 5 bytes sum %08x '\\x01a\\x01\\x01b'\r?$"
                            % guest_sum(first_line)), con.text()
        mark = len(con.buf)
        con.type(CTRL_A3)
        assert con.wait_for(r"^keel: shell; ", 60, mark), con.text(mark)
        assert con.wait_for(re.escape(PROMPT), 60, mark)

        out = con.command("vm")
        assert re.search(r"^vm: running, 128 MiB of RAM", out, re.M), out
        info = con.command("info")
        assert re.search(r"^vmx: VMCS revision \d+, EPT 2M 1G.*, VPID, preemption timer, basic [0-9a-f]{16}$",
                         info, re.M), info
        assert "cmdline: test=ata on_guest_exit=poweroff" in info, info
        # Bochs's IDE function is Keel's; its UHCI is the guest's.
        pci = con.command("pci")
        assert re.search(r"^  00:01\.1 8086:7010 .*\[Keel's\]$", pci, re.M), pci
        assert re.search(r"^  00:01\.2 8086:7020 .*[^]]$", pci, re.M), pci

        # The guest polls its LSR (IN from 0x3fd) and runs CPUID every 256
        # polls: both reasons must be counted, and keep counting while the
        # shell is open (the guest is not held up).
        first = exit_counts(con.command("exits"))
        assert first["IO_INSTRUCTION"][0] > 0 and first["CPUID"][0] > 0, first
        assert first["IO_INSTRUCTION"][1] > 0, first  # cycles
        assert first["total"][0] >= first["IO_INSTRUCTION"][0] + first["CPUID"][0]

        regs = con.command("regs")
        rip = int(re.search(r"RIP ([0-9a-f]{16})", regs).group(1), 16)
        assert 0x100000 <= rip < 0x200000, regs  # in the guest's image
        assert re.search(r"^  CR0 [0-9a-f]{16} CR3", regs, re.M), regs
        assert re.search(r"^  CS   00", regs, re.M), regs

        vmcs = con.command("vmcs")
        assert re.search(r"^  proc2  [0-9a-f]{8} ept .*unrestricted", vmcs, re.M), vmcs
        assert re.search(r"^  EPTP   [0-9a-f]{16}: PML4 at [0-9a-f]{16}, memory type 6, 4-level walk",
                         vmcs, re.M), vmcs
        assert re.search(r"^  last exit: reason (30|10) \((IO_INSTRUCTION|CPUID)\)", vmcs, re.M), vmcs

        ept = con.command("ept 0x100000")
        assert re.search(r"^  PML4E\[  0\] [0-9a-f]{16} RWX -> table at", ept, re.M), ept
        assert re.search(r"^  (PDE  \[  0\]|PTE  \[256\]) [0-9a-f]{16} RWX -> (2M|4K) page at 0x[0-9a-f]+ type WB$",
                         ept, re.M), ept
        ept = con.command("ept 0x7000000000")
        assert "not present" in ept and "not mapped" in ept, ept

        # Guest RAM holds the guest's image where its ELF put it.
        out = con.command("mem 0x100000 48")
        assert hexdump_bytes(out) == guest_image_bytes(0x100000, 48), out
        out = con.command("mem 0x8000000 16")
        assert out.strip() == "mem: 0x8000000..0x8000010 is not all guest RAM (0..0x8000000)", out

        blk = con.command("blk")
        m = re.search(r"^sda: \d+ MiB, elevator deadline, depth \d+, 0 outstanding$", blk, re.M)
        assert m, blk
        m = re.search(r"reads (\d+)/(\d+) writes (\d+)/(\d+) flushes \d+ "
                      r"errors (\d+) retries (\d+) max depth \d+$", blk, re.M)
        assert m, blk
        reads, writes = int(m.group(1)), int(m.group(3))
        assert reads > 0 and writes > 0, blk
        # test=ata rereads its burst under keel, which joins it into a gap read.
        m = re.search(r"^    gap reads (\d+) merged (\d+) sectors (\d+) splits 0$",
                      blk, re.M)
        assert m, blk
        assert int(m.group(2)) >= int(m.group(1)) >= 1 and int(m.group(3)) > 0, blk
        # The bars count every completed request.
        assert histogram_total(blk, "read") == reads, blk
        assert histogram_total(blk, "write") == writes, blk

        out = con.command("trace on")
        assert out.strip() == "trace: on", out
        con.pump(1)
        trace = con.command("trace dump")
        entries = re.findall(r"^\s+\d+  (\S+)\s+RIP ([0-9a-f]{16}) qual ([0-9a-f]+)$", trace, re.M)
        assert entries, trace
        assert {e[0] for e in entries} <= {"IO_INSTRUCTION", "CPUID"}, trace
        # IN AL, DX from port 0x3fd (LSR): port in 31:16, IN in bit 3.
        assert any(e[0] == "IO_INSTRUCTION" and e[2] == "3fd0008" for e in entries), trace
        assert con.command("trace off").strip() == "trace: off"

        # Bad lines change nothing.
        assert con.command("sched sda bogus").startswith("sched: no elevator 'bogus'")
        assert con.command("frobnicate").strip() == "unknown command 'frobnicate'; try 'help'"
        assert con.command("mem").strip() == "usage: mem GPA [LEN]"
        assert "elevator deadline" in con.command("blk sda")

        out = con.command("sched sda none")
        assert out.strip() == "sched: sda: deadline -> none", out
        assert re.search(r"^sda: .* elevator none,", con.command("blk sda"), re.M)
        out = con.command("tune sda read_expire=100")
        assert "has no tunable 'read_expire'" in out, out
        assert con.command("sched sda deadline").strip() == "sched: sda: none -> deadline"
        assert con.command("tune sda read_expire=250").strip() == "tune: sda read_expire=250"
        assert "read_expire=250" in con.command("sched sda")

        # A guest line while a command is half typed: the guest's line
        # starts a line of its own, whole, and the prompt comes back with
        # what was typed so far.
        mark = len(con.buf)
        con.type(b"exi")
        typed = con.wait_for(b"exi", 30, mark)  # the echo
        assert typed, con.text(mark)
        m = con.wait_for(r"^guest\| keel-guest: console: still waiting\r?$", 120, typed.end())
        assert m, con.text(mark)
        # Only the end of the open prompt line comes between.
        assert con.text(typed.end(), m.start()) == "\r\n", con.text(mark)
        assert con.wait_for(re.escape(PROMPT + b"exi"), 30, m.end())
        later = exit_counts(con.command("ts", echo=False))
        assert later["IO_INSTRUCTION"][0] > first["IO_INSTRUCTION"][0], (first, later)
        assert con.command("exits reset").strip() == "exits: counts reset"
        fresh = exit_counts(con.command("exits"))
        assert fresh["total"][0] < later["total"][0], (later, fresh)

        mark = len(con.buf)
        con.type(CTRL_A3)
        assert con.wait_for(r"^keel: input goes to the guest again", 60, mark)
        typed = b"hello \x01x world"
        con.type(typed + b"\r")
        assert con.wait_for(r"console: got %d bytes sum %08x 'hello \\x01x world'\r?$"
                            % (len(typed), guest_sum(typed)), 120), con.text(mark)
        con.type(b"quit\r")
        assert con.wait_for(r"^keel: power off \(status 0\)", 240), con.text(mark)
        con.pump(0.5)
    finally:
        con.save()
        con.close()
        stop(proc)
    lines = con.lines()
    assert "guest| TEST guest.console.input PASS 3 lines" in lines, con.text()
    assert "guest| TESTS: 1 passed, 0 failed" in lines, con.text()
    assert "keel: guest exited with status 0" in lines, con.text()
    # Guest lines arrive whole: each is framed at its start, never torn.
    for l in lines:
        if "keel-guest:" in l:
            assert l.startswith("guest| "), l


def start_qemu(name, iso, port, extra=()):
    os.makedirs(LOGS, exist_ok=True)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", "512",
           "-display", "none", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-chardev", "socket,id=con0,host=127.0.0.1,port=%d,server=on,wait=on" % port,
           "-serial", "chardev:con0", "-cdrom", iso] + list(extra)
    return subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_qemu_shell_without_vtx(keel_built):
    disk = fresh_disk("console-qemu", 16 << 20)
    iso = build_iso("console-qemu", "shell=on", guest=GUEST_ELF,
                    guest_cmdline="scenario=console")
    port = free_port()
    proc = start_qemu("console-qemu", iso, port, extra=[
        "-drive", "file=%s,format=raw,if=none,id=d0" % disk,
        "-device", "ide-hd,drive=d0,bus=ide.0"])
    try:
        con = Console("console-qemu", port, proc)
    except OSError:
        proc.kill()
        proc.wait()
        raise
    try:
        assert con.wait_for(r"^keel: guest: not started: VT-x is not available", 60), con.text()
        assert con.wait_for(r"^keel: serving the shell \(shell=on\)", 60), con.text()
        assert con.wait_for(re.escape(PROMPT), 60)

        assert "  exits [reset]" in con.command("help")
        info = con.command("info")
        assert re.search(r"^cpu: \S+ family ", info, re.M), info
        assert "vmx: off: this CPU has no VMX" in info, info
        assert re.search(r"^memory: total \d+ KiB", info, re.M), info
        assert "cmdline: shell=on" in info, info

        assert con.command("vm").strip() == "vm: no guest: this CPU has no VMX"
        for cmd in ("regs", "vmcs", "exits", "trace on", "ept 0x1000", "mem 0 16"):
            name = cmd.split()[0]
            assert con.command(cmd).strip() == "%s: no guest: this CPU has no VMX" % name, cmd

        pci = con.command("pci")
        assert re.search(r"^  00:1f\.2 8086:2922 class 01\.06\.01 .* \[Keel's\]$", pci, re.M), pci
        assert "iommu: absent" in con.command("iommu")

        blk = con.command("blk")
        assert re.search(r"^sda: 16 MiB, elevator deadline,", blk, re.M), blk
        assert con.command("tune sda read_expire=250").strip() == "tune: sda read_expire=250"
        assert con.command("tune sda read_expire").strip() == "tune: sda read_expire=250"
        assert con.command("tune sda read_expire=x").startswith("tune: use KEY=NUMBER")
        assert con.command("tune sda read_expire").strip() == "tune: sda read_expire=250"
        assert con.command("sched sda kyber").strip() == "sched: sda: deadline -> kyber"
        assert "elevator kyber" in con.command("blk sda")
        assert con.command("tune nosuch a=1").startswith("tune: no block device 'nosuch'")

        # The line editor: backspace, Ctrl-U, Ctrl-C, history.
        assert con.command("vmx\x7f", echo=False).strip() == "vm: no guest: this CPU has no VMX"
        start = len(con.buf)
        con.type(b"reboot\x15vm\r")
        assert con.wait_for(r"vm: no guest", 30, start)
        start = len(con.buf)
        con.type(b"poweroff\x03")
        assert con.wait_for(r"\^C", 30, start)
        con.type(b"\x1b[A\r")  # Up: the last line run, "vm"
        assert con.wait_for(r"vm: no guest: this CPU has no VMX", 30, start)
        assert con.wait_for(re.escape(PROMPT), 30, start)
        con.pump(0.3)
        # Ctrl-A x3 with no guest keeps the shell.
        con.type(CTRL_A3)
        assert con.wait_for(r"keel: no guest to switch to", 30, start)

        assert con.command("log 8").strip() == "log: LEVEL is 0..7"
        assert con.command("a b c d e f g h i").strip() == "too many words (at most 8)"
        con.type(b"poweroff\r")
        assert con.wait_for(r"^keel: power off \(status 0\)", 30), con.text()
        proc.wait(timeout=30)
    finally:
        con.save()
        con.close()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)
    # isa-debug-exit: status 0 -> exit code 1.
    assert proc.returncode == 1, proc.returncode


def test_bochs_trace_dumped_when_the_guest_dies(keel_built):
    disk = fresh_disk("console-crash", CYLINDERS * HEADS * SPT * 512)
    iso = build_iso("console-crash", "on_guest_exit=poweroff",
                    guest=GUEST_ELF, guest_cmdline="scenario=console")
    port = free_port()
    proc = start_bochs("console-crash", iso, port, disk)
    try:
        con = Console("console-crash", port, proc)
    except OSError:
        stop(proc)
        raise
    try:
        assert con.wait_for(r"guest\| keel-guest: console: ready", 240), con.text()
        con.type(CTRL_A3)
        assert con.wait_for(re.escape(PROMPT), 60)
        assert con.command("trace on").strip() == "trace: on"
        mark = len(con.buf)
        con.type(CTRL_A3)
        assert con.wait_for(r"^keel: input goes to the guest again", 60, mark)
        con.type(b"crash\r")
        assert con.wait_for(r"^keel: end of the exit trace", 240, mark), con.text(mark)
        con.pump(0.5)
    finally:
        con.save()
        con.close()
        stop(proc)
    text = con.text(mark).replace("\r", "")
    assert re.search(r"^keel: guest stopped: triple fault$", text, re.M), text
    dump = text[text.index("keel: guest stopped: triple fault"):]
    entries = re.findall(r"^\s+\d+  (\S+)\s+RIP ([0-9a-f]{16}) qual ([0-9a-f]+)$", dump, re.M)
    assert entries, dump
    # The last exit recorded is the one that killed the guest; before it,
    # the guest's own output (port 0x3f8 writes) and its polling.
    assert entries[-1][0] == "TRIPLE_FAULT", entries[-5:]
    assert any(e[0] == "IO_INSTRUCTION" for e in entries), entries
    assert re.search(r"^  trace: last %d exits, oldest first \(tracing on\)$" % len(entries),
                     dump, re.M), dump
    assert re.search(r"^keel: power off \(status 255\)$", text, re.M), text


@pytest.mark.parametrize("trace", ["on", "off"])
def test_bochs_exit_trace_option(keel_built, trace):
    """exit_trace=on records from boot: the guest crashes with no one having
    typed `trace on`, and Keel dumps its last exits; with exit_trace=off
    the same crash dumps nothing."""
    name = "console-exit-trace-" + trace
    disk = fresh_disk(name, CYLINDERS * HEADS * SPT * 512)
    iso = build_iso(name, "exit_trace=%s on_guest_exit=poweroff" % trace,
                    guest=GUEST_ELF, guest_cmdline="scenario=console")
    port = free_port()
    proc = start_bochs(name, iso, port, disk)
    try:
        con = Console(name, port, proc)
    except OSError:
        stop(proc)
        raise
    try:
        assert con.wait_for(r"guest\| keel-guest: console: ready", 240), con.text()
        mark = len(con.buf)
        con.type(b"crash\r")
        assert con.wait_for(r"^keel: power off \(status 255\)", 240, mark), con.text(mark)
        con.pump(0.5)
    finally:
        con.save()
        con.close()
        stop(proc)
    text = con.text(mark).replace("\r", "")
    assert re.search(r"^keel: guest stopped: triple fault$", text, re.M), text
    dump = text[text.index("keel: guest stopped: triple fault"):]
    entries = re.findall(r"^\s+\d+  (\S+)\s+RIP ([0-9a-f]{16}) qual ([0-9a-f]+)$", dump, re.M)
    if trace == "off":
        assert "trace:" not in dump and not entries, dump
        assert "keel: end of the exit trace" not in dump, dump
        return
    assert re.search(r"^  trace: last %d exits, oldest first \(tracing on\)$" % len(entries),
                     dump, re.M), dump
    assert entries[-1][0] == "TRIPLE_FAULT", entries[-5:]
    assert any(e[0] == "IO_INSTRUCTION" for e in entries), entries
    assert re.search(r"^keel: end of the exit trace$", dump, re.M), dump


def test_qemu_shell_iommu_after_self_tests(keel_built):
    disk = fresh_disk("console-vtd", 64 << 20)
    # test=vtd makes the AHCI disk DMA where the IOMMU blocks it (one
    # write, one read), then through it: iommu has real history to show.
    iso = build_iso("console-vtd", "test=vtd shell=on")
    port = free_port()
    proc = start_qemu("console-vtd", iso, port, extra=[
        "-device", "intel-iommu",
        "-drive", "file=%s,format=raw,if=none,id=d0" % disk,
        "-device", "ide-hd,drive=d0,bus=ide.0"])
    try:
        con = Console("console-vtd", port, proc)
    except OSError:
        proc.kill()
        proc.wait()
        raise
    try:
        assert con.wait_for(r"^keel: serving the shell", 120), con.text()
        assert con.wait_for(re.escape(PROMPT), 60)
        log = con.text().replace("\r", "")
        faults = re.findall(r"keel: iommu: fault: 00:1f\.2 (write to|read from) (0x[0-9a-f]+) blocked: "
                            r"reason (\d+)", log)
        # One write and one read blocked (more when test=vtd also floods
        # the unit; beyond a limit Keel counts them without a line).
        assert len(faults) >= 2, log
        out = con.command("iommu")
        blk = con.command("blk sda")
        con.type(b"poweroff\r")
        con.wait_for(r"^keel: power off", 30)
        proc.wait(timeout=30)
    finally:
        con.save()
        con.close()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)
    assert out.startswith("iommu: on, 1 unit(s)"), out
    m = re.search(r"^  unit 0 at 0xfed90000: translating, CAP [0-9a-f]{16} ECAP [0-9a-f]{16}, "
                  r"\d+ domains, 39-bit, queued invalidation, faults (\d+)$", out, re.M)
    assert m and int(m.group(1)) >= len(faults), out
    did = re.search(r"^  Keel domain (\d+): 3-level", out, re.M).group(1)
    assert re.search(r"^  00:1f\.2 context: domain %s \(Keel\)$" % did, out, re.M), out
    # Functions no Keel driver owns have no context: their DMA is blocked.
    assert re.search(r"^  00:01\.0 context: none \(DMA blocked\)$", out, re.M), out
    recent = re.findall(r"^    00:1f\.2 (read|write) (0x[0-9a-f]+) reason (\d+)$", out, re.M)
    logged = {("write" if d == "write to" else "read", a, r) for d, a, r in faults}
    n = int(re.search(r"^  recent faults: (\d+)$", out, re.M).group(1))
    assert n == len(recent) == min(8, int(m.group(1))), out
    # The faults the shell keeps are faults Keel reported.
    assert set(recent) <= logged, (recent, logged)
    # test=vtd drives the AHCI port below the block layer.
    assert re.search(r"^sda: 64 MiB, elevator deadline,", blk, re.M), blk
    assert proc.returncode == 1, proc.returncode


def test_bochs_shell_off_passes_every_byte(keel_built):
    disk = fresh_disk("console-off", CYLINDERS * HEADS * SPT * 512)
    iso = build_iso("console-off", "shell=off on_guest_exit=poweroff",
                    guest=GUEST_ELF, guest_cmdline="scenario=console")
    port = free_port()
    proc = start_bochs("console-off", iso, port, disk)
    try:
        con = Console("console-off", port, proc)
    except OSError:
        stop(proc)
        raise
    try:
        assert con.wait_for(r"guest\| keel-guest: console: ready", 240), con.text()
        typed = CTRL_A3 + b"help"
        con.type(typed + b"\r")
        assert con.wait_for(r"console: got 7 bytes sum %08x '\\x01\\x01\\x01help'\r?$"
                            % guest_sum(typed), 120), con.text()
        con.type(b"quit\r")
        assert con.wait_for(r"^keel: power off \(status 0\)", 240), con.text()
    finally:
        con.save()
        con.close()
        stop(proc)
    assert "keel: shell;" not in con.text()
    assert PROMPT not in con.buf
