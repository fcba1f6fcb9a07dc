// SPDX-License-Identifier: MIT
/*
 * QEMU's pc-testdev (QEMU hw/misc/pc-testdev.c), which kvm-unit-tests'
 * x86 tests drive: a data register, "flush page", 24 IRQ lines and a
 * 64 KiB window that behaves as memory (vm/guest_abi.h has the map).
 * pc_testdev=off leaves all of it absent. docs/vmx.md, "QEMU's
 * pc-testdev", says what each part does under Keel and what it cannot.
 *
 * The window (IORAM) is 64 KiB of Keel's memory mapped through the EPT as
 * RAM is, not a trapped range: QEMU makes it an MMIO region whose reads
 * and writes act on a buffer, so every instruction form acts on it as on
 * memory, and kvm-unit-tests' emulator test runs hundreds of forms there
 * that Keel's MMIO decoder (vmx/decode.c) does not know. Mapped, they run
 * natively and give the architectural results by construction.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/pci.h"
#include "vm/guest_abi.h"
#include "vm/vm.h"

#define IORAM_PAGES (PCTD_IORAM_LEN / PAGE_SIZE)
/* Refused flushes logged per guest; a loop of them then goes quiet. */
#define FLUSH_LOG_MAX 4

struct pc_testdev {
	u32 data;
	u8 level[PCTD_NR_IRQ_LINES]; /* each line's level, 0 or 1 */
	/* PCTD_IORAM_LEN bytes, allocated once and kept for later guests */
	phys_addr_t ioram;
	unsigned int flush_logged;
};

static struct pc_testdev pctd;

static bool in_flush(u16 port)
{
	return port >= PCTD_PORT_FLUSH &&
	       port < PCTD_PORT_FLUSH + PCTD_FLUSH_LEN;
}

/*
 * QEMU accepts only 4-byte writes here; the address is guest-physical
 * (32 bits, as OUT gives). Anything but guest RAM is refused: QEMU's
 * flush of it would have no effect the guest could see either.
 */
static void flush(struct vm *vm, struct pc_testdev *t, u32 gpa)
{
	int rc = vm_flush_page(vm, gpa);

	if (rc && t->flush_logged < FLUSH_LOG_MAX) {
		t->flush_logged++;
		pr_info("keel: guest: pc-testdev: flush of GPA %#x refused (%s)%s\n",
			gpa, rc == -ERANGE ? "not guest RAM" : "no memory",
			t->flush_logged == FLUSH_LOG_MAX ?
				"; further ones not logged" :
				"");
	}
}

/*
 * Ports 0xE0-0xEB byte by byte: the data register's bytes at 0xE0-0xE3
 * and again at 0xE8-0xEB; flush is write-only and reads 0. An
 * access at a port that is not a multiple of its size is refused as
 * QEMU's memory core refuses it (no unaligned accesses by default): the
 * read gives 0, the write is dropped.
 */
static int pctd_io(struct vm *vm, u16 port, unsigned int size, bool in,
		   u32 *val, void *ctx)
{
	struct pc_testdev *t = ctx;
	u32 r = 0;

	if (port % size) {
		if (in)
			*val = 0;
		return 0;
	}
	for (unsigned int i = 0; i < size; i++) {
		u16 p = (u16)(port + i);
		unsigned int k = 8 * ((p - PCTD_PORT_DATA) % PCTD_DATA_LEN);

		if (in_flush(p))
			continue; /* write-only: reads 0, as QEMU's */
		if (in)
			r |= ((t->data >> k) & 0xff) << (8 * i);
		else
			t->data = (t->data & ~(0xffU << k)) |
				  ((*val >> (8 * i)) & 0xff) << k;
	}
	if (!in && port == PCTD_PORT_FLUSH && size == PCTD_FLUSH_LEN)
		flush(vm, t, *val);
	if (in)
		*val = r;
	return 0;
}

/*
 * Line n is IOAPIC input (GSI) n, as QEMU wires ISA IRQ n, but for line
 * 0, which QEMU's IOAPIC takes on input 2 (ISA IRQ 0 is GSI 2 on a PC,
 * the MADT's usual override). A rising edge raises the vector the guest
 * programmed there (vm/irq.c); the levels are kept only to find the
 * edges. Byte writes only, as QEMU's; reads return 0, as QEMU's.
 */
static int pctd_irq_io(struct vm *vm, u16 port, unsigned int size, bool in,
		       u32 *val, void *ctx)
{
	struct pc_testdev *t = ctx;
	unsigned int n = port - PCTD_PORT_IRQ;
	u8 level;

	if (in) {
		*val = 0;
		return 0;
	}
	if (size != 1)
		return 0;
	level = (*val & 0xff) != 0;
	if (level && !t->level[n])
		vm_raise_gsi(vm, n ? n : PCTD_IRQ0_GSI);
	t->level[n] = level;
	return 0;
}

/*
 * The window is mapped as memory, so this runs only if it ever is not:
 * it then still behaves as QEMU's buffer.
 */
static int ioram_mmio(struct vm *vm, u64 gpa, unsigned int size, bool write,
		      u64 *val, void *ctx)
{
	struct pc_testdev *t = ctx;
	u8 *p = (u8 *)phys_to_virt(t->ioram) + (gpa - PCTD_IORAM_BASE);

	if (write)
		memcpy(p, val, size);
	else
		memcpy(val, p, size);
	return 0;
}

/* Anything already in the guest-physical space under the window. */
static bool window_taken(const struct vm *vm)
{
	struct ept_mapping m;

	for (u64 a = PCTD_IORAM_BASE; a < PCTD_IORAM_BASE + PCTD_IORAM_LEN;
	     a += PAGE_SIZE)
		if (!ept_lookup(&vm->ept, a, &m))
			return true;
	return false;
}

static int ioram_init(struct vm *vm, struct pc_testdev *t)
{
	int rc;

	if (window_taken(vm)) {
		pr_warn("keel: guest: pc-testdev: something is mapped at %#x already; no IORAM window\n",
			PCTD_IORAM_BASE);
		return 0;
	}
	if (!t->ioram) {
		t->ioram = alloc_pages(IORAM_PAGES, PCTD_IORAM_LEN);
		if (t->ioram == PHYS_INVALID) {
			t->ioram = 0;
			return -ENOMEM;
		}
	}
	/* A new guest finds it as QEMU's: zeroed. */
	memset(phys_to_virt(t->ioram), 0, PCTD_IORAM_LEN);
	/* Registered as well: BAR moves and LAPIC moves then keep off it. */
	rc = vm_register_mmio(vm, PCTD_IORAM_BASE, PCTD_IORAM_LEN, ioram_mmio,
			      t, "pc-testdev IORAM");
	if (!rc)
		rc = vm_map_ram_at(vm, PCTD_IORAM_BASE, t->ioram,
				   PCTD_IORAM_LEN);
	return rc;
}

/*
 * A machine may have put something of its own on these ports (the FADT's
 * ACPI registers, emulated by vdev/acpi_pm.c, can lie anywhere): that
 * part of the device is then left out, said once, and the rest stays.
 */
/*
 * A real function's I/O BAR over these ports (firmware often places them
 * at 0x2000) keeps them: pc-testdev serves only test suites, and taking
 * the ports would cost the function its BAR (vdev/pci_cfg.c passes no BAR
 * that overlaps an emulated port).
 */
static bool pci_io_bar_over(u16 base, u16 count)
{
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		for (int b = 0; b < PCI_MAX_BARS; b++) {
			const struct pci_bar *bar = &d->bars[b];

			if (bar->io && bar->size && bar->base < base + count &&
			    base < bar->base + bar->size) {
				pr_warn("keel: guest: pc-testdev: ports %#x-%#x overlap PCI %02x:%02x.%u BAR%d, which keeps them\n",
					base, base + count - 1, d->bus, d->dev,
					d->fn, b);
				return true;
			}
		}
	}
	return false;
}

static int pctd_ports(struct vm *vm, struct pc_testdev *t, u16 base, u16 count,
		      vm_pio_fn fn, const char *name)
{
	if (pci_io_bar_over(base, count))
		return 0;
	if (vm_pio_claimed(vm, base, count)) {
		pr_warn("keel: guest: pc-testdev: ports %#x-%#x are taken by another device; no %s\n",
			base, base + count - 1, name);
		return 0;
	}
	return vm_register_pio(vm, base, count, fn, t, name);
}

static int pctd_init(struct vm *vm)
{
	struct pc_testdev *t = &pctd;
	int rc;

	if (!vm->cfg || !vm->cfg->pc_testdev)
		return 0;
	t->data = 0;
	memset(t->level, 0, sizeof(t->level));
	t->flush_logged = 0;
	rc = pctd_ports(vm, t, PCTD_PORT_DATA, PCTD_NR_PORTS, pctd_io,
			"pc-testdev");
	if (!rc)
		rc = pctd_ports(vm, t, PCTD_PORT_IRQ, PCTD_NR_IRQ_LINES,
				pctd_irq_io, "pc-testdev IRQ lines");
	if (!rc)
		rc = ioram_init(vm, t);
	return rc;
}

/* What the flushes did, for the log and the tests. */
static void pctd_stop(struct vm *vm)
{
	if (vm->pages_flushed)
		pr_info("keel: guest: pc-testdev: %llu pages flushed, %llu mapped back on the guest's touch\n",
			vm->pages_flushed, vm->pages_restored);
}

VM_DEVICE(pc_testdev, .name = "pc-testdev", .init = pctd_init,
	  .stop = pctd_stop);
