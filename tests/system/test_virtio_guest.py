# SPDX-License-Identifier: MIT
"""The test guest's virtio-blk driver against a reference device: QEMU's
virtio-blk-pci (modern only), the guest booted natively with -kernel (no
Keel, no VMX). The guest writes the pattern of docs/virtio-guest.md by its
LBA; after QEMU exits, the image is read from the host. One run takes the
MSI-X path, one the INTx path (vectors=0) with the BAR moved by the guest.
"""
import os

from ahci_pattern import (VIRTIO, check_pattern, load_ranges,
                          load_virtio_c_ranges, request_extents, sector_bytes)
from conftest import BUILD, GUEST_ELF, run_qemu

IMAGE_BYTES = 64 << 20
SERIAL = "keelvguest"
# QEMU's isa-debug-exit: status (v << 1) | 1 for the guest's exit value v.
EXIT_PASS = 1
EXIT_FAIL = 3
RANGES = [r["name"] for r in load_ranges(**VIRTIO)]
EXPECTED = (["found", "caps", "irq_setup", "init", "get_id", "flush",
             "read_beyond_end", "unknown_type_unsupp"]
            + ["write_" + n for n in RANGES] + ["read_" + n for n in RANGES])


def _image(name, fill=None):
    path = os.path.join(BUILD, "test-logs", name + ".img")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(IMAGE_BYTES)
    if fill:
        fill(path)
    return path


def _run(name, image, append, device_opts="", drive_opts="", timeout=120):
    assert os.path.exists(GUEST_ELF), "run make first"
    return run_qemu(name, None, mem=128, timeout=timeout, extra=[
        "-kernel", GUEST_ELF, "-append", append,
        "-drive", "file=%s,format=raw,if=none,id=v0%s" % (image, drive_opts),
        "-device", "virtio-blk-pci,drive=v0,disable-legacy=on,serial=%s%s"
        % (SERIAL, device_opts)])


def _results(run):
    return {m.group(1): m.group(2)
            for m in run.findall(r"TEST virtio\.(\S+) (PASS|FAIL|SKIP)")}


def _assert_all_pass(run, irq):
    res = _results(run)
    assert not run.timed_out, run
    for name in EXPECTED + [irq]:
        assert res.get(name) == "PASS", (name, res.get(name), run)
    assert not [n for n, r in res.items() if r == "FAIL"], run
    assert run.has(r"^TESTS: \d+ passed, 0 failed"), run
    assert run.status == EXIT_PASS, run


def test_virtio_ranges_doc_matches_c():
    assert load_ranges(**VIRTIO) == load_virtio_c_ranges()


def test_virtio_guest_msix_pattern():
    image = _image("virtio-guest-msix")
    run = _run("virtio-guest-msix", image, "scenario=virtio")
    _assert_all_pass(run, "irq_msix")
    assert run.has(r"TEST virtio\.get_id PASS status=0 id='%s'" % SERIAL), run
    errors = check_pattern(image, load_ranges(**VIRTIO))
    assert not errors, errors


def test_virtio_guest_intx_pattern():
    """No MSI-X: INTx through the IOAPIC; the guest also moves the BAR."""
    image = _image("virtio-guest-intx")
    run = _run("virtio-guest-intx", image,
               "scenario=virtio virtio_bar=0xd8000000", ",vectors=0")
    _assert_all_pass(run, "irq_intx")
    assert run.has(r"virtio BAR4 assigned 0xd8000000"), run
    assert run.has(r"TEST virtio\.caps PASS common=0xd8"), run
    # The handler found the queue bit in the ISR (4.1.4.5).
    assert run.has(r"TEST virtio\.irq_intx PASS .* isr 0x1$"), run
    errors = check_pattern(image, load_ranges(**VIRTIO))
    assert not errors, errors


def test_virtio_guest_event_idx_msix():
    """virtio_event_idx=on against QEMU's device (it offers EVENT_IDX):
    negotiated, interrupts by used_event, a far used_event suppresses
    one, and the pattern still goes through."""
    image = _image("virtio-guest-event")
    run = _run("virtio-guest-event", image,
               "scenario=virtio virtio_event_idx=on")
    _assert_all_pass(run, "irq_msix")
    res = _results(run)
    assert res.get("irq_suppressed") == "PASS", run
    # EVENT_IDX is bit 29 of the negotiated features (low word).
    m = run.findall(r"TEST virtio\.init PASS .* features=0x1:([0-9a-f]+) ")
    assert m and int(m[0].group(1), 16) & (1 << 29), run
    errors = check_pattern(image, load_ranges(**VIRTIO))
    assert not errors, errors


def test_virtio_guest_intx_wrong_pin_fails():
    """The interrupt check can fail: an IOAPIC pin the device does not
    drive gets no interrupt, while polled I/O still works."""
    image = _image("virtio-guest-badpin")
    run = _run("virtio-guest-badpin", image,
               "scenario=virtio virtio_gsi=7 virtio_poll=2000000", ",vectors=0")
    res = _results(run)
    assert res.get("irq_intx") == "FAIL", run
    assert run.has(r"TEST virtio\.irq_intx FAIL 0 of 2"), run
    assert all(res.get(n) == "PASS" for n in EXPECTED), (res, run)
    assert run.status == EXIT_FAIL, run


def _fill_pattern(path):
    capacity = IMAGE_BYTES // 512
    with open(path, "r+b") as img:
        for rng in load_ranges(**VIRTIO):
            for first, count in request_extents(rng, capacity):
                img.seek(first * 512)
                img.write(b"".join(sector_bytes(first + s)
                                   for s in range(count)))


def test_virtio_guest_read_only():
    """VIRTIO_BLK_F_RO: no writes; the pattern the host put there reads
    back, and the image is left as it was."""
    image = _image("virtio-guest-ro", _fill_pattern)
    with open(image, "rb") as f:
        before = f.read()
    run = _run("virtio-guest-ro", image, "scenario=virtio", "",
               ",readonly=on")
    res = _results(run)
    assert res.get("write") == "SKIP", run
    assert not [n for n in res if n.startswith("write_")], run
    for n in RANGES:
        assert res.get("read_" + n) == "PASS", (n, run)
    assert run.status == EXIT_PASS, run
    with open(image, "rb") as f:
        assert f.read() == before


def test_virtio_guest_small_queue_polled():
    """Queue of 8: the batches split, the rings wrap many times; no
    interrupts (virtio_irq=poll), so the used ring alone completes them."""
    image = _image("virtio-guest-q8")
    run = _run("virtio-guest-q8", image,
               "scenario=virtio virtio_qsize=8 virtio_irq=poll "
               "virtio_pcicfg=1")
    res = _results(run)
    assert run.has(r"TEST virtio\.init PASS .* qsize=8 "), run
    assert res.get("irq") == "SKIP", run
    # The reference device for scenario=virtio's virtio_pcicfg check.
    assert res.get("pcicfg_write_no_read") == "PASS", run
    for name in EXPECTED:
        if name != "irq_setup":
            assert res.get(name) == "PASS", (name, run)
    assert run.status == EXIT_PASS, run
    errors = check_pattern(image, load_ranges(**VIRTIO))
    assert not errors, errors


def test_virtio_scenario_without_device_fails():
    """scenario=virtio with no device: one failure, not a silent pass."""
    assert os.path.exists(GUEST_ELF), "run make first"
    run = run_qemu("virtio-guest-none", None, mem=128, timeout=60, extra=[
        "-kernel", GUEST_ELF, "-append", "scenario=virtio"])
    assert run.has(r"^TEST virtio\.found FAIL no 1af4:1042 on any bus$"), run
    assert run.has(r"^TESTS: 0 passed, 1 failed$"), run
    assert run.status == EXIT_FAIL, run
