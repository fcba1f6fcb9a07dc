"""`make iso` and `make run` as a user drives them: the ISO follows the
command lines and GUEST=, a user's kernel is never rebuilt, and `make run`
ends by itself with the guest's status, or on SIGTERM without leaving an
emulator behind. The guest is the stand-in third-party kernel
(tests/guests/mb_aout.S), which exits with status 0x21 = 33: small, fast,
and a status that cannot be mistaken for a default."""
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import BUILD, GUEST_ELF, ISOS, LOGS, ROOT

MB_AOUT = os.path.join(BUILD, "tests", "mb_aout.bin")
MB_AOUT_STATUS = 0x21


def make_env():
    """The environment for a make of our own: not a child of make test's
    jobserver."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(k, None)
    return env


def make(*args, timeout=300, **kw):
    return subprocess.run(["make", "--no-print-directory"] + list(args),
                          cwd=ROOT, env=make_env(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, text=True, errors="replace", **kw)


def paths(name):
    iso = os.path.join(ISOS, name + ".iso")
    run_dir = os.path.join(LOGS, name)
    shutil.rmtree(run_dir, ignore_errors=True)
    return iso, run_dir


EMULATORS = ("bochs", "bochs-bin", "qemu-system-x86_64")


def processes_using(path, only=None):
    """Pids of live processes whose command line mentions path (and whose
    program is one of only, if given)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().decode("latin-1")
        except OSError:
            continue
        prog = os.path.basename(cmd.split("\0")[0])
        if path in cmd and (only is None or prog in only):
            found.append(int(pid))
    return found


def iso_grub_cfg(iso):
    """The menu entry lines of the ISO's grub.cfg (stored uncompressed)."""
    with open(iso, "rb") as f:
        data = f.read().decode("latin-1")
    return [l.strip() for l in data.splitlines()
            if l.strip().startswith(("multiboot2 ", "module2 "))]


def test_make_iso_follows_command_lines_and_guest(keel_built):
    iso, _ = paths("run-iso")
    args = ["iso", "ISO=" + iso, "KEEL_CMDLINE=poweroff mark=one"]
    r = make(*args)
    assert r.returncode == 0, r.stdout
    assert iso_grub_cfg(iso)[0] == "multiboot2 /boot/keel.elf poweroff mark=one"
    mtime = os.stat(iso).st_mtime_ns
    r = make(*args)
    assert r.returncode == 0, r.stdout
    assert os.stat(iso).st_mtime_ns == mtime, "unchanged inputs rebuilt the ISO"
    r = make("iso", "ISO=" + iso, "KEEL_CMDLINE=poweroff mark=two",
             "GUEST=" + MB_AOUT, "GUEST_CMDLINE=two words")
    assert r.returncode == 0, r.stdout
    assert iso_grub_cfg(iso) == ["multiboot2 /boot/keel.elf poweroff mark=two",
                                 "module2 /boot/guest.elf guest two words"]
    r = make("iso", "ISO=" + iso, "KEEL_CMDLINE=poweroff mark=two", "GUEST=")
    assert r.returncode == 0, r.stdout
    assert iso_grub_cfg(iso) == ["multiboot2 /boot/keel.elf poweroff mark=two"]


def test_users_guest_is_never_a_target(keel_built, tmp_path):
    # An old file named like Keel's test guest: make must use it as it is.
    guest = tmp_path / "guest.elf"
    shutil.copy(MB_AOUT, guest)
    os.utime(guest, (1, 1))
    before = guest.read_bytes()
    iso, _ = paths("run-user-guest")
    r = make("iso", "ISO=" + iso, "GUEST=" + str(guest))
    assert r.returncode == 0, r.stdout
    assert guest.read_bytes() == before and guest.stat().st_mtime == 1
    # The old spelling, which named the test guest's output, is refused.
    r = make("iso", "ISO=" + iso, "GUEST_ELF=" + str(guest))
    assert r.returncode != 0 and "use GUEST=" in r.stdout, r.stdout
    assert guest.read_bytes() == before and guest.stat().st_mtime == 1
    r = make("iso", "ISO=" + iso, "GUEST=" + str(tmp_path / "missing"))
    assert r.returncode != 0 and "not found" in r.stdout, r.stdout


@pytest.mark.parametrize("keel_cmd,ending", [
    ("on_guest_exit=poweroff", "Keel powered off"),
    ("", "Keel halted; bochs stopped"),
], ids=["poweroff", "halt"])
def test_make_run_ends_with_the_guest_status(keel_built, keel_cmd, ending):
    name = "run-" + ("halt" if not keel_cmd else "poweroff")
    iso, run_dir = paths(name)
    r = make("run", "EMU=bochs", "ISO=" + iso, "RUN_DIR=" + run_dir,
             "RUN_TIMEOUT=120", "GUEST=" + MB_AOUT, "KEEL_CMDLINE=" + keel_cmd,
             timeout=240)
    assert "run: to quit: Ctrl-C" in r.stdout, r.stdout
    assert ("run: the guest exited with status %d; %s" %
            (MB_AOUT_STATUS, ending)) in r.stdout, r.stdout
    # make cannot pass a status on, but it names run.sh's.
    assert "run] Error %d" % MB_AOUT_STATUS in r.stdout, r.stdout
    assert not processes_using(run_dir)


def test_run_sh_returns_the_guest_status(keel_built):
    iso, run_dir = paths("run-status")
    r = make("iso", "ISO=" + iso, "GUEST=" + MB_AOUT,
             "KEEL_CMDLINE=on_guest_exit=poweroff")
    assert r.returncode == 0, r.stdout
    r = subprocess.run([os.path.join(ROOT, "tools", "run.sh"), "bochs", iso],
                       cwd=ROOT, env=dict(make_env(), RUN_DIR=run_dir,
                                          RUN_TIMEOUT="120"),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=240, text=True,
                       errors="replace")
    assert r.returncode == MB_AOUT_STATUS, r.stdout
    assert "keel: power off (status %d)" % MB_AOUT_STATUS in r.stdout, r.stdout


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("emu,via,sig", [
    ("bochs", "make", signal.SIGTERM),
    ("qemu", "run.sh", signal.SIGTERM),
    ("bochs", "make", signal.SIGKILL),
], ids=["bochs-make-TERM", "qemu-run.sh-TERM", "bochs-make-KILL"])
def test_signal_leaves_no_emulator(keel_built, emu, via, sig):
    """SIGTERM to make run (which passes it on) or to run.sh stops the
    emulator, though Bochs ignores SIGTERM itself. A SIGKILL to make, which
    passes nothing on, stops it too: run.sh sees make go."""
    name = "run-sig-%s-%s-%d" % (emu, via, sig)
    iso, run_dir = paths(name)
    if via == "make":
        cmd = ["make", "--no-print-directory", "run", "EMU=" + emu,
               "ISO=" + iso, "RUN_DIR=" + run_dir, "GUEST=" + GUEST_ELF]
        env = make_env()
    else:
        r = make("iso", "ISO=" + iso, "GUEST=" + GUEST_ELF)
        assert r.returncode == 0, r.stdout
        cmd = [os.path.join(ROOT, "tools", "run.sh"), emu, iso]
        env = dict(make_env(), RUN_DIR=run_dir)
    log = os.path.join(run_dir, "serial.log")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True,
                            errors="replace")
    try:
        # The emulator is up (its command line names the run's directory).
        assert wait_for(lambda: processes_using(run_dir, EMULATORS), 120)
        emus = processes_using(run_dir, EMULATORS)
        if emu == "bochs":
            # Keel is running, long before the test guest ends.
            assert wait_for(lambda: os.path.exists(log) and
                            "keel: boot complete" in open(log, "rb").read()
                            .decode("latin-1"), 60)
            proc.send_signal(sig)
        else:
            # Keel halts about a second after QEMU starts: hold QEMU still
            # so that the signal, not the halt, ends the run.
            for pid in emus:
                os.kill(pid, signal.SIGSTOP)
            proc.send_signal(sig)
            time.sleep(1)
            for pid in emus:
                os.kill(pid, signal.SIGCONT)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode != 0
        # run.sh may outlive make by a moment: it holds make's output pipe
        # until it ends.
        if sig == signal.SIGTERM:
            assert "run: stopped by SIGTERM; %s stopped" % emu in out, out
        else:
            assert ("run: the process that started the run is gone; %s "
                    "stopped" % emu) in out, out
        left = processes_using(run_dir)
        assert not left, left
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in processes_using(run_dir):
            os.kill(pid, signal.SIGKILL)
