"""QEMU's fw_cfg under Keel (vdev/fw_cfg.c): the test guest reads it the way
kvm-unit-tests' lib/x86/fwcfg.c does and finds what that library needs to
start: the "QEMU" signature, one CPU, its RAM. The same guest under QEMU
itself shows the reading method is right; with fw_cfg=off the ports are
absent and the checks fail, as an unmodified kvm-unit-tests kernel would
(it waits for 65535 CPUs), unless its environment module says NR_CPUS=1,
the documented way round (docs/kvm-unit-tests.md)."""
import os
import re
import subprocess

from conftest import BUILD, GUEST_ELF, ISOS, ROOT, build_iso, run_bochs, run_qemu

# tests/guests/kut_like.S: kvm-unit-tests' start-up, replayed in long mode.
KUT_LIKE = os.path.join(BUILD, "tests", "kut_like.flat")


def results(run, prefix=""):
    return {m.group(1): m.group(2) for m in
            run.findall(r"^%sTEST guest\.(fwcfg_\w+) (PASS|FAIL)" % re.escape(prefix))}


def keel_run(name, keel_cmd):
    iso = build_iso(name, keel_cmd + " on_guest_exit=poweroff", GUEST_ELF,
                    "scenario=fw-cfg")
    return run_bochs(name, iso, timeout=240, until=r"keel: power off")


def test_reading_method_matches_qemu(keel_built):
    run = run_qemu("fwcfg-qemu", None, mem=128, timeout=60,
                   extra=["-kernel", GUEST_ELF, "-append", "scenario=fw-cfg"])
    assert not run.timed_out, run
    r = results(run)
    for name in ("fwcfg_startup_cpu_count", "fwcfg_signature",
                 "fwcfg_past_end_zero", "fwcfg_nb_cpus",
                 "fwcfg_max_cpus", "fwcfg_data_write_ignored"):
        assert r.get(name) == "PASS", (name, run)
    # QEMU's RAM_SIZE is -m; its fw_cfg has DMA, Keel's has not.
    assert run.has(r"^keel-guest: fw_cfg ram_size=0x8000000$"), run
    assert r.get("fwcfg_id_no_dma") == "FAIL", run


def test_fw_cfg_under_keel(keel_built):
    run = keel_run("fwcfg-keel", "guest_mem=64M")
    r = results(run, "guest| ")
    assert len(r) == 9, run
    assert all(v == "PASS" for v in r.values()), r
    assert run.has(r"^guest\| keel-guest: fw_cfg nb_cpus=1 max_cpus=1$"), run
    assert run.has(r"^guest\| keel-guest: fw_cfg ram_size=0x4000000$"), run
    assert run.has(r"^guest\| keel-guest: fw_cfg cpu count 1 from fw_cfg$"), run
    assert run.has(r"^keel: guest exited with status 0$"), run


def test_fw_cfg_off_leaves_ports_absent(keel_built):
    run = keel_run("fwcfg-off", "fw_cfg=off")
    r = results(run, "guest| ")
    assert r.get("fwcfg_signature") == "FAIL", run
    assert r.get("fwcfg_nb_cpus") == "FAIL", run
    assert run.has(r"^guest\| keel-guest: fw_cfg nb_cpus=65535 max_cpus=65535$"), run
    assert r.get("fwcfg_startup_cpu_count") == "FAIL", run
    assert run.has(r"^keel: guest exited with status 1$"), run


def test_fw_cfg_off_with_nr_cpus_environment(keel_built):
    # kvm-unit-tests' override: NR_CPUS in its one multiboot module.
    env_file = os.path.join(BUILD, "test-iso", "fwcfg-env.txt")
    os.makedirs(ISOS, exist_ok=True)
    with open(env_file, "w") as f:
        f.write("TEST_DEVICE=0\nNR_CPUS=1\n")
    iso = os.path.join(ISOS, "fwcfg-env.iso")
    env = dict(os.environ, GUEST_MODULE=env_file, GUEST_MODULE_CMDLINE="env")
    subprocess.run([os.path.join(ROOT, "tools", "mkiso.sh"), iso,
                    "fw_cfg=off on_guest_exit=poweroff", GUEST_ELF,
                    "scenario=fw-cfg"], cwd=ROOT, env=env, check=True,
                   timeout=120)
    run = run_bochs("fwcfg-env", iso, timeout=240, until=r"keel: power off")
    r = results(run, "guest| ")
    assert run.has(r"^keel: guest: loaded ELF image, \d+ segments, entry 0x[0-9a-f]+, 1 modules$"), run
    assert run.has(r"^guest\| keel-guest: fw_cfg cpu count 1 from NR_CPUS$"), run
    assert r.get("fwcfg_startup_cpu_count") == "PASS", run
    assert r.get("fwcfg_signature") == "FAIL", run


def test_kut_like_startup_reference_on_qemu(keel_built):
    run = run_qemu("kutlike-qemu", None, mem=128, timeout=60,
                   extra=["-kernel", KUT_LIKE])
    assert run.has(r"^kutlike: waiting for CPUs: 1$"), run
    assert run.has(r"^kutlike: all CPUs online$"), run
    assert run.status == (0x21 << 1 | 1), run


def test_kut_like_startup_under_keel(keel_built):
    iso = build_iso("kutlike-keel", "on_guest_exit=poweroff", KUT_LIKE, "")
    run = run_bochs("kutlike-keel", iso, timeout=240, until=r"keel: power off")
    assert run.has(r"^keel: guest: loaded ELF image, \d+ segments, entry 0x40000c,"), run
    assert run.has(r"^guest\| kutlike: waiting for CPUs: 1$"), run
    assert run.has(r"^guest\| kutlike: all CPUs online$"), run
    assert run.has(r"^keel: guest exited with status 33$"), run


def test_kut_like_startup_hangs_without_fw_cfg(keel_built):
    iso = build_iso("kutlike-off", "fw_cfg=off on_guest_exit=poweroff",
                    KUT_LIKE, "")
    run = run_bochs("kutlike-off", iso, timeout=240,
                    until=r"kutlike: waiting for CPUs: \d+")
    # It waits for 65535 CPUs: the loop can never end.
    assert run.has(r"^guest\| kutlike: waiting for CPUs: 65535$"), run
    assert not run.has(r"all CPUs online"), run
