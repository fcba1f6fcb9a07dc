"""Helpers for Keel's system tests: build ISOs, boot them, read serial logs.

Every run keeps its serial log (and Bochs's own log) under build/test-logs/
for post-mortem, and has a hard timeout.
"""
import os
import re
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
LOGS = os.path.join(BUILD, "test-logs")
ISOS = os.path.join(BUILD, "test-iso")
OVMF = "/usr/share/ovmf/OVMF.fd"
GUEST_ELF = os.path.join(BUILD, "guest", "guest.elf")


def build_iso(name, cmdline, guest=None, guest_cmdline=""):
    """Build build/test-iso/NAME.iso with this Keel command line."""
    os.makedirs(ISOS, exist_ok=True)
    iso = os.path.join(ISOS, name + ".iso")
    args = [os.path.join(ROOT, "tools", "mkiso.sh"), iso, cmdline,
            guest or "", guest_cmdline]
    subprocess.run(args, cwd=ROOT, check=True, timeout=120)
    return iso


class Run:
    """The outcome of one emulator run."""

    def __init__(self, name, status, serial, timed_out):
        self.name = name
        self.status = status
        self.serial = serial
        self.timed_out = timed_out
        self.lines = [l.rstrip("\r") for l in serial.splitlines()]

    def keel_lines(self):
        return [l[l.index("keel:"):] for l in self.lines if "keel:" in l]

    def has(self, pattern):
        return any(re.search(pattern, l) for l in self.lines)

    def find(self, pattern):
        for l in self.lines:
            m = re.search(pattern, l)
            if m:
                return m
        return None

    def findall(self, pattern):
        return [m for m in (re.search(pattern, l) for l in self.lines) if m]

    def __repr__(self):
        return "<Run %s status=%s timed_out=%s, log build/test-logs/%s.log>" % (
            self.name, self.status, self.timed_out, self.name)


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except FileNotFoundError:
        return ""


def _wait(proc, log, timeout, until):
    """Wait for exit, or for a regex in the log, or for the timeout."""
    deadline = time.time() + timeout
    pat = re.compile(until) if until else None
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        if pat and pat.search(_read(log)):
            time.sleep(0.3)
            return False
        time.sleep(0.1)
    return True


def _stop(proc, sig_int=False):
    if proc.poll() is None:
        if sig_int:
            proc.send_signal(2)
        else:
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_qemu(name, iso, firmware="bios", usb=False, mem=512, extra=(),
             timeout=60, until=None, serial_ports=1):
    """Boot ISO on QEMU q35 (TCG) with isa-debug-exit; stop at exit, at the
    `until` regex in COM1's log, or at the timeout."""
    os.makedirs(LOGS, exist_ok=True)
    logs = [os.path.join(LOGS, "%s%s.log" % (name, "" if i == 0 else ".com%d" % (i + 1)))
            for i in range(serial_ports)]
    for l in logs:
        if os.path.exists(l):
            os.remove(l)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", str(mem),
           "-display", "none", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    for l in logs:
        cmd += ["-serial", "file:" + l]
    if firmware == "uefi":
        cmd += ["-bios", OVMF]
    if iso is None:
        pass
    elif usb:
        cmd += ["-device", "qemu-xhci,id=xhci",
                "-drive", "file=%s,format=raw,if=none,id=usbstick,readonly=on" % iso,
                "-device", "usb-storage,bus=xhci.0,drive=usbstick,bootindex=0"]
    else:
        cmd += ["-cdrom", iso]
    cmd += list(extra)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    timed_out = _wait(proc, logs[0], timeout, until)
    _stop(proc)
    run = Run(name, proc.returncode, _read(logs[0]), timed_out)
    run.extra_serial = [_read(l) for l in logs[1:]]
    return run


def run_bochs(name, iso, model="corei7_skylake_x", megs=256, timeout=300,
              until=None, extra_config="", cpus=1):
    """Boot ISO as a CD in Bochs. Bochs always exits 1: judge by the log.
    extra_config lines are added to the bochsrc (e.g. more PCI devices);
    cpus is the machine's CPU count."""
    os.makedirs(LOGS, exist_ok=True)
    log = os.path.join(LOGS, name + ".log")
    # A previous run's log must not satisfy `until` before Bochs starts.
    if os.path.exists(log):
        os.remove(log)
    cmd = [os.path.join(ROOT, "tools", "bochs-run.sh"), iso, log,
           str(timeout), model, str(megs)]
    env = dict(os.environ, BOCHS_EXTRA=extra_config, BOCHS_CPUS=str(cpus))
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=env)
    timed_out = _wait(proc, log, timeout + 20, until)
    if proc.poll() is None:
        os.killpg(proc.pid, 2)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    return Run(name, None, _read(log), timed_out)


@pytest.fixture(scope="session")
def keel_built():
    assert os.path.exists(os.path.join(BUILD, "keel.elf")), "run make first"
    return True
