"""A hostile guest against the virtual PCI configuration space (docs/vmx.md,
"PCI configuration space"), in Bochs with an xHCI passed through: it sizes
the controller's BAR0 (with memory decoding off, then on: the device stays
put), moves it over Keel's image (refused: the BAR reads back its old
address, where the controller still answers, nothing is mapped over Keel
and Keel keeps running), then to a free address, where the controller's
registers appear; its old address is then unmapped."""
import os
import re
import subprocess

from conftest import BUILD, GUEST_ELF, LOGS, build_iso, run_bochs

KEEL_CMD = "on_guest_exit=poweroff"
XHCI = "pci: enabled=1, chipset=i440fx, slot1=usb_xhci\nusb_xhci: enabled=1"


def keel_image_base():
    """Where Keel's image lies in host memory, from keel.elf's symbols: no
    hypercall tells the guest, so the test passes it as keel_base=."""
    out = subprocess.run(["nm", os.path.join(BUILD, "keel.elf")],
                         capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^([0-9a-f]+) \w __image_start$", out, re.M).group(1), 16)


def bar_move_run(name, scenario):
    iso = build_iso(name, KEEL_CMD, GUEST_ELF, "scenario=%s keel_base=%#x"
                    % (scenario, keel_image_base()))
    return run_bochs(name, iso, timeout=240, until=r"keel: power off",
                     extra_config=XHCI)


def xhci_bar0(run):
    m = run.find(r"^keel: pci: (00:\w\w\.\w) 1912:0015 class 0c\.03\.30 "
                 r".*bar0=mem64:(0x[0-9a-f]+)\+0x2000")
    assert m, run
    return m.group(1), int(m.group(2), 16)


def test_guest_moves_bar_keel_follows_or_refuses(keel_built):
    run = bar_move_run("pci-bar-move", "bar-move")
    bdf, base = xhci_bar0(run)
    # Bochs has no IOMMU: Keel fails closed, the xHCI gets no bus
    # mastering (docs/iommu.md).
    assert run.has(r"^keel: guest: PCI %s bus mastering denied \(its DMA would "
                   r"not be confined\)$" % bdf), run
    # The host bridge forwards DMA for everyone: left alone.
    assert not run.has(r"^keel: guest: PCI 00:00\.0 bus mastering"), run
    assert run.has(r"^guest\| keel-guest: xhci COMMAND 0x[0-9a-f]+ after setting bus "
                   r"master: off$"), run
    for name in ("bar_size", "bar_size_decoding_on", "pci_port_widths",
                 "bar_move_keel_refused", "bar_move_free"):
        assert run.has(r"^guest\| TEST guest\.%s PASS" % name), (name, run)
    # As the device itself sizes (without Keel in between, Bochs's xHCI
    # reads 0 in the upper half of its 64-bit BAR0).
    assert run.has(r"^guest\| TEST guest\.bar_size PASS mask 0x0:0xffffe004 "
                   r"size 0x2000$"), run
    # Sizing with decoding on moved nothing and refused nothing.
    assert run.has(r"^guest\| TEST guest\.bar_size_decoding_on PASS mask "
                   r"0xffffe004, %#x holds " % base), run
    # Keel refused the move over its image with one line; the BAR stayed.
    m = run.find(r"^guest\| keel-guest: moving BAR0 to Keel's image at (0x[0-9a-f]+)$")
    assert m, run
    refused = run.findall(r"^keel: guest: PCI %s BAR0 at (0x[0-9a-f]+) refused "
                          r"\(overlaps Keel's image\): it stays at %#x$"
                          % (bdf, base))
    assert [int(r.group(1), 16) for r in refused] == [int(m.group(1), 16)], run
    assert run.has(r"^guest\| TEST guest\.bar_move_keel_refused PASS BAR0 reads "
                   r"%#x; " % (base | 4)), run
    # The registers the guest read at the new address are the controller's.
    assert run.has(r"^guest\| keel-guest: xhci BAR0 moved to 0xd0000000: caplength "
                   r"0x20 hciversion 0x100$"), run
    # The device's real BAR never moved: Bochs logs every BAR it decodes.
    with open(os.path.join(LOGS, "pci-bar-move.bochs.log")) as f:
        bars = re.findall(r"\[XHCI\s*\] BAR #0: mem base address = (0x[0-9a-f]+)",
                          f.read())
    assert bars and {int(b, 16) for b in bars} == {base}, bars
    # Keel stayed alive: one end line, its statistics, its own power-off.
    ends = run.findall(r"^keel: guest (exited with status \d+|stopped: .*)$")
    assert [e.group(1) for e in ends] == ["exited with status 0"], run
    assert run.has(r"^keel: exit statistics:$"), run
    assert run.has(r"keel: power off \(status 0\)"), run


def test_old_bar_address_unmapped_after_move(keel_built):
    run = bar_move_run("pci-bar-move-old", "bar-move-old")
    _, base = xhci_bar0(run)
    assert run.has(r"^guest\| TEST guest\.bar_move_free PASS"), run
    assert not run.has(r"^guest\| TEST guest\.bar_move_old_unmapped"), run
    assert run.has(r"^keel: guest stopped: EPT violation: read of GPA %#x "
                   r"outside guest RAM and every device" % base), run
    assert run.has(r"^keel: exit statistics:$"), run
    assert run.has(r"keel: power off \(status 255\)"), run


def test_virtio_blk_bar_follows_the_bar_rules(keel_built):
    """Keel's emulated virtio-blk BAR0 under the same rules (docs/virtio.md):
    with memory decoding on, sizing reads the mask and moves nothing (the
    device still answers at its base), and a move over guest RAM is
    refused: BAR0 reads back its base, said once on Keel's console."""
    from test_virtio import EXPECTED, _results, _run

    _, run = _run("virtio-bar-rules",
                  "scenario=virtio virtio_irq=poll virtio_bar_rules=1")
    m = run.find(r"keel: guest: virtio-blk 1af4:1042 at \S+, BAR0 (0x[0-9a-f]+)"
                 r"\+0x4000 \(trapped\)")
    assert m, run
    base = int(m.group(1), 16)
    res = _results(run)
    # Polled: no irq_setup check.
    for name in ([n for n in EXPECTED if n != "irq_setup"]
                 + ["bar_size_decoding_on", "bar_move_refused"]):
        assert res.get(name) == "PASS", (name, res.get(name), run)
    assert run.has(r"TEST virtio\.bar_size_decoding_on PASS mask 0xffffc000, "
                   r"capacity \d+ at %#x$" % base), run
    assert run.has(r"TEST virtio\.bar_move_refused PASS BAR0 to 0x100000 reads "
                   r"%#x," % base), run
    said = run.findall(r"^keel: virtio-blk: the guest moved BAR0 to "
                       r"(0x[0-9a-f]+) \(([^)]*)\); it stays at %#x$" % base)
    assert [s.group(1) for s in said] == ["0x100000"], run
    assert run.has(r"^keel: guest exited with status 0$"), run
